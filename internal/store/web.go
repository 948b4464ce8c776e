package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
)

// This file holds the read and write methods of the web UI (internal/web):
// its users, sessions and the personal-data reveal log, and the admin and
// dashboard read models.

// WebUser is a person who signs in to the web pages.
type WebUser struct {
	ID           string
	Login        string
	PasswordHash string // bcrypt
	Role         string // buyer, seller, agent, senior_agent, admin
	PartyID      string // buyers and sellers: their party id in orders
	DisplayName  string
	Phone        string // personal data
	Address      string // personal data
	CreatedAt    time.Time
	DisabledAt   *time.Time // a disabled user cannot sign in
	// TOTP second factor (staff): the base32 secret (set at enrolment), when
	// it came into force (nil: not enrolled yet) and the last time step
	// accepted (a code is used once).
	TOTPSecret    string
	TOTPEnabledAt *time.Time
	TOTPLastStep  int64
}

const webUserCols = `id, login, password_hash, role, party_id, display_name, phone, address, created_at, disabled_at, totp_secret, totp_enabled_at, totp_last_step`

// webUserColsU is webUserCols of the table aliased u.
const webUserColsU = `u.id, u.login, u.password_hash, u.role, u.party_id, u.display_name, u.phone, u.address, u.created_at, u.disabled_at, u.totp_secret, u.totp_enabled_at, u.totp_last_step`

func scanWebUser(sc interface{ Scan(...any) error }, extra ...any) (WebUser, error) {
	var u WebUser
	var at int64
	var disabled, totpAt sql.NullInt64
	err := sc.Scan(append(extra, &u.ID, &u.Login, &u.PasswordHash, &u.Role, &u.PartyID, &u.DisplayName, &u.Phone, &u.Address, &at, &disabled,
		&u.TOTPSecret, &totpAt, &u.TOTPLastStep)...)
	u.CreatedAt, u.DisabledAt, u.TOTPEnabledAt = fromMicros(at), timePtr(disabled), timePtr(totpAt)
	return u, err
}

// WebUserByLogin finds a user by login. Errors: NotFound.
func (s *Store) WebUserByLogin(ctx context.Context, login string) (WebUser, error) {
	return orNotFound(scanWebUser(s.queryRow(ctx, `SELECT `+webUserCols+` FROM web_users WHERE login = ?`, login)))("user", login)
}

// WebUserByParty finds the user of a buyer or seller party. Errors: NotFound.
func (s *Store) WebUserByParty(ctx context.Context, role, partyID string) (WebUser, error) {
	return orNotFound(scanWebUser(s.queryRow(ctx, `SELECT `+webUserCols+` FROM web_users WHERE role = ? AND party_id = ? ORDER BY id LIMIT 1`, role, partyID)))("user", partyID)
}

// ListWebUsers lists users by login.
func (s *Store) ListWebUsers(ctx context.Context, limit int) ([]WebUser, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := s.query(ctx, `SELECT `+webUserCols+` FROM web_users ORDER BY login LIMIT ?`, limit)
	return collect(rows, err, scanned(func(r *sql.Rows) (WebUser, error) { return scanWebUser(r) }))
}

// WebSession is a signed-in browser session.
type WebSession struct {
	TokenHash  string // SHA-256 of the cookie's token
	UserID     string
	CSRF       string // the session's form token
	CreatedAt  time.Time
	ExpiresAt  time.Time // the absolute end
	LastSeenAt time.Time // the idle timeout runs from here (refreshed coarsely)
	// Pending: the password was right and the TOTP code is still due; the
	// session opens nothing but the second step.
	Pending bool
}

// InsertWebSession stores a session.
func (s *Store) InsertWebSession(ctx context.Context, ws WebSession) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.insertWebSession(ctx, ws) })
}

func (t *Tx) insertWebSession(ctx context.Context, ws WebSession) error {
	if ws.LastSeenAt.IsZero() {
		ws.LastSeenAt = ws.CreatedAt
	}
	_, err := t.exec(ctx, `INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen_at, pending) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ws.TokenHash, ws.UserID, ws.CSRF, micros(ws.CreatedAt), micros(ws.ExpiresAt), micros(ws.LastSeenAt), obxBool(ws.Pending))
	return err
}

// WebSessionByHash returns a session not expired at now (pending or not,
// idle or not: the caller decides) of a user who is not disabled, and the
// user. Errors: NotFound.
func (s *Store) WebSessionByHash(ctx context.Context, hash string, now time.Time) (WebSession, WebUser, error) {
	var ws WebSession
	var created, expires, seen int64
	var pending int
	row := s.queryRow(ctx, `SELECT s.token_hash, s.user_id, s.csrf, s.created_at, s.expires_at, s.last_seen_at, s.pending, `+webUserColsU+`
		FROM web_sessions s JOIN web_users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`,
		hash, micros(now))
	u, err := scanWebUser(row, &ws.TokenHash, &ws.UserID, &ws.CSRF, &created, &expires, &seen, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		return ws, u, &fault.Error{Code: fault.NotFound, Message: "会话不存在或已过期 / no such session"}
	}
	ws.CreatedAt, ws.ExpiresAt, ws.LastSeenAt, ws.Pending = fromMicros(created), fromMicros(expires), fromMicros(seen), pending != 0
	return ws, u, err
}

// DeleteWebSession ends a session (sign-out) and purges expired ones.
func (s *Store) DeleteWebSession(ctx context.Context, hash string, now time.Time) error {
	_, err := s.exec(ctx, `DELETE FROM web_sessions WHERE token_hash = ? OR expires_at <= ?`, hash, micros(now))
	return err
}

// PIIReveal is one logged reveal of a masked personal datum.
type PIIReveal struct {
	ID         string
	ViewerID   string // the user who revealed it
	ViewerRole string
	SubjectID  string // whose datum (the party's user id)
	Field      string // phone, address
	CaseID     string
	At         time.Time
	Purpose    string // the purpose the viewer stated (PIPL art. 6)
}

// PIIReveals lists the reveals of a case, oldest first.
func (s *Store) PIIReveals(ctx context.Context, caseID string) ([]PIIReveal, error) {
	rows, err := s.query(ctx, `SELECT id, viewer_id, viewer_role, subject_id, field, case_id, at, purpose FROM pii_reveals WHERE case_id = ? ORDER BY at, id`, caseID)
	return collect(rows, err, func(rows *sql.Rows, r *PIIReveal) error {
		var at int64
		err := rows.Scan(&r.ID, &r.ViewerID, &r.ViewerRole, &r.SubjectID, &r.Field, &r.CaseID, &at, &r.Purpose)
		r.At = fromMicros(at)
		return err
	})
}

// ListAPIKeys lists the API keys (never the plain key: only metadata).
func (s *Store) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.query(ctx, `SELECT `+apiKeyCols+` FROM api_keys ORDER BY created_at, id`)
	return collect(rows, err, func(rows *sql.Rows, k *APIKey) error {
		v, err := scanAPIKey(rows)
		*k = v
		return err
	})
}

// PolicyVersion is a rule book that was in force at some time.
type PolicyVersion struct {
	Digest    string
	Version   string
	Body      []byte
	CreatedAt time.Time
}

// PolicyVersions lists the recorded rule books, newest first.
func (s *Store) PolicyVersions(ctx context.Context) ([]PolicyVersion, error) {
	rows, err := s.query(ctx, `SELECT digest, version, body, created_at FROM policy_versions ORDER BY created_at DESC, digest`)
	return collect(rows, err, func(rows *sql.Rows, p *PolicyVersion) error {
		var body string
		var at int64
		err := rows.Scan(&p.Digest, &p.Version, &body, &at)
		p.Body, p.CreatedAt = []byte(body), fromMicros(at)
		return err
	})
}

// AccountKindTotal sums the balances of every account of a kind (e.g.
// fund_receivable: advances the sellers still owe the guarantee fund) and
// counts the accounts with a non-zero balance.
func (s *Store) AccountKindTotal(ctx context.Context, kind string) (total money.Fen, accounts int64, err error) {
	var sum sql.NullInt64
	err = s.queryRow(ctx, `SELECT COALESCE(SUM(balance), 0), COUNT(*) FROM ledger_balances WHERE account LIKE ? AND balance <> 0`, kind+":%").Scan(&sum, &accounts)
	return money.Fen(sum.Int64), accounts, err
}

// DisputeIDForAftersale returns the latest intervention case of a request.
func (s *Store) DisputeIDForAftersale(ctx context.Context, aftersaleID string) (string, bool, error) {
	var id string
	err := s.queryRow(ctx, `SELECT id FROM disputes WHERE aftersale_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`, aftersaleID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}
