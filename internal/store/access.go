package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
)

// ---- idempotency ----

// IdemRecord is a stored response to a POST with an Idempotency-Key, or a
// reservation of the key by the request now executing it (Status 0: the
// response column holds the reservation's Token until the response is
// stored). Reserving first makes a key exactly-once under concurrency: the
// unique (principal, key) insert has one winner; the others wait and
// replay its response.
type IdemRecord struct {
	Principal string
	Key       string
	Method    string
	Path      string
	BodyHash  string
	Status    int
	Response  []byte
	CreatedAt time.Time
	// Token names the reservation that stores the response (PutIdem with a
	// Token completes that reservation only).
	Token string
}

// Pending reports a reservation whose request is still executing.
func (r IdemRecord) Pending() bool { return r.Status == 0 }

// ErrIdemExists is returned by PutIdem when the key is already taken (or
// the reservation named by Token is no longer the caller's).
var ErrIdemExists = errors.New("store: idempotency key already recorded")

// putIdem records a response in the transaction. With a Token it completes
// that pending reservation; without one it inserts. Errors: ErrIdemExists.
func (t *Tx) putIdem(ctx context.Context, r IdemRecord) error {
	if r.Token != "" {
		return t.execOne(ctx, `UPDATE idempotency SET method = ?, path = ?, body_hash = ?, status = ?, response = ? WHERE principal = ? AND key = ? AND status = 0 AND response = ?`,
			func(n int64, err error) error {
				if err == nil && n == 0 {
					return ErrIdemExists
				}
				return err
			}, r.Method, r.Path, r.BodyHash, r.Status, string(r.Response), r.Principal, r.Key, r.Token)
	}
	return t.execLater(ctx, `INSERT INTO idempotency (principal, key, method, path, body_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		func(_ int64, err error) error {
			if isUnique(err) {
				return ErrIdemExists
			}
			return err
		}, r.Principal, r.Key, r.Method, r.Path, r.BodyHash, r.Status, string(r.Response), micros(r.CreatedAt))
}

// ReserveIdem reserves a key for the request about to execute it (a
// pending row holding r.Token), in its own transaction. ok=false: the key
// is taken (stored or reserved by another request).
func (s *Store) ReserveIdem(ctx context.Context, r IdemRecord) (bool, error) {
	if r.Token == "" {
		return false, errors.New("store: ReserveIdem needs a token")
	}
	err := s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO idempotency (principal, key, method, path, body_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
			r.Principal, r.Key, r.Method, r.Path, r.BodyHash, r.Token, micros(r.CreatedAt))
		return err
	})
	if isUnique(err) {
		return false, nil
	}
	return err == nil, err
}

// TakeOverIdem hands an abandoned reservation (oldToken, e.g. of a process
// that died mid-request) to a new request (newToken, reserved at now).
// ok=false: it was completed, released or taken over meanwhile.
func (s *Store) TakeOverIdem(ctx context.Context, principal, key, oldToken, newToken string, now time.Time) (bool, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE idempotency SET response = ?, created_at = ? WHERE principal = ? AND key = ? AND status = 0 AND response = ?`,
			newToken, micros(now), principal, key, oldToken)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

// TouchIdem renews a reservation's lease while its request still runs.
func (s *Store) TouchIdem(ctx context.Context, principal, key, token string, now time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE idempotency SET created_at = ? WHERE principal = ? AND key = ? AND status = 0 AND response = ?`, micros(now), principal, key, token)
		return err
	})
}

// ReleaseIdem drops a reservation whose request failed without a response
// to keep (a 5xx), so that a retry executes again.
func (s *Store) ReleaseIdem(ctx context.Context, principal, key, token string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM idempotency WHERE principal = ? AND key = ? AND status = 0 AND response = ?`, principal, key, token)
		return err
	})
}

// PutIdem records a response in its own transaction. Errors: ErrIdemExists.
func (s *Store) PutIdem(ctx context.Context, r IdemRecord) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.putIdem(ctx, r) })
}

// GetIdem returns a stored response, or ok=false.
func (s *Store) GetIdem(ctx context.Context, principal, key string) (IdemRecord, bool, error) {
	r := IdemRecord{Principal: principal, Key: key}
	var resp string
	var at int64
	err := s.queryRow(ctx, `SELECT method, path, body_hash, status, response, created_at FROM idempotency WHERE principal = ? AND key = ?`, principal, key).
		Scan(&r.Method, &r.Path, &r.BodyHash, &r.Status, &resp, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.Response, r.CreatedAt = []byte(resp), fromMicros(at)
	if r.Pending() {
		r.Token, r.Response = resp, nil
	}
	return r, true, nil
}

// PurgeIdem deletes records created before the cutoff and returns how many.
func (s *Store) PurgeIdem(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM idempotency WHERE created_at < ?`, micros(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ---- API keys ----

// APIKey is a stored key: only its hash is kept.
type APIKey struct {
	ID         string
	Hash       string
	Role       string
	PartyID    string
	Name       string
	CreatedAt  time.Time
	RevokedAt  *time.Time
	ExpiresAt  *time.Time // nil: never
	LastUsedAt *time.Time // coarse: written at most about once a minute
}

// Live reports whether the key authenticates at now: not revoked and not
// expired.
func (k APIKey) Live(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

const apiKeyCols = `id, hash, role, party_id, name, created_at, revoked_at, expires_at, last_used_at`

func scanAPIKey(sc interface{ Scan(...any) error }) (APIKey, error) {
	var k APIKey
	var created int64
	var revoked, expires, used sql.NullInt64
	err := sc.Scan(&k.ID, &k.Hash, &k.Role, &k.PartyID, &k.Name, &created, &revoked, &expires, &used)
	k.CreatedAt, k.RevokedAt, k.ExpiresAt, k.LastUsedAt = fromMicros(created), timePtr(revoked), timePtr(expires), timePtr(used)
	return k, err
}

// APIKeyByHash finds a key by its hash, revoked, expired or not (the
// caller checks Live). Errors: NotFound.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (APIKey, error) {
	k, err := scanAPIKey(s.queryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return k, &fault.Error{Code: fault.NotFound, Message: "no such key"}
	}
	return k, err
}

// ---- policy versions ----

// RecordPolicy stores a rule book version the first time it is used.
func (s *Store) RecordPolicy(ctx context.Context, digest, version string, body []byte, now time.Time) error {
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM policy_versions WHERE digest = ?`, digest).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = s.exec(ctx, `INSERT INTO policy_versions (digest, version, body, created_at) VALUES (?, ?, ?, ?)`, digest, version, string(body), micros(now))
	if isUnique(err) {
		return nil
	}
	return err
}
