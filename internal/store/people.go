package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
)

// This file holds the writes and reads of people and keys: API key expiry,
// rotation and last use; staff accounts managed by an admin (role, password,
// sign out everywhere), each with its audit row in the same transaction;
// the TOTP second factor; the sign-in throttle's counts; and the
// marketplace sign-in links (their signing key and the used nonces).

// ---- API keys ----

func (t *Tx) insertAPIKey(ctx context.Context, k APIKey) error {
	var exp any
	if k.ExpiresAt != nil {
		exp = micros(*k.ExpiresAt)
	}
	_, err := t.exec(ctx, `INSERT INTO api_keys (id, hash, role, party_id, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Hash, k.Role, k.PartyID, k.Name, micros(k.CreatedAt), exp)
	return err
}

// APIKeyByID finds a key. Errors: NotFound.
func (s *Store) APIKeyByID(ctx context.Context, id string) (APIKey, error) {
	return orNotFound(scanAPIKey(s.queryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = ?`, id)))("API 密钥 API key", id)
}

// TouchAPIKey records that a key was used at at, unless a use at or after
// notBefore is already recorded (coarse: one write per key per interval).
func (s *Store) TouchAPIKey(ctx context.Context, id string, at, notBefore time.Time) error {
	_, err := s.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		micros(at), id, micros(notBefore))
	return err
}

// RotateAPIKey replaces the key id by next (same role, party and name,
// inserted here) in one transaction with its audit row: the old key is
// revoked at a.At, or, with oldUntil, expires then (an overlap for the
// integration to switch). Errors: NotFound, Conflict (revoked or expired).
func (s *Store) RotateAPIKey(ctx context.Context, id string, next APIKey, oldUntil *time.Time, a AdminAudit) (APIKey, error) {
	err := s.InTx(ctx, func(tx *Tx) error {
		old, err := scanAPIKey(tx.queryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = ?`+tx.d.forUpdate(), id))
		if err != nil {
			return mapNoRows(err, "API 密钥 API key", id)
		}
		if !old.Live(a.At) {
			return &fault.Error{Code: fault.Conflict, Message: fmt.Sprintf("API 密钥 %s 已吊销或过期 / API key %s is revoked or expired", id, id)}
		}
		next.Role, next.PartyID, next.Name = old.Role, old.PartyID, old.Name
		if err := tx.insertAPIKey(ctx, next); err != nil {
			return err
		}
		if oldUntil == nil {
			_, err = tx.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, micros(a.At), id)
		} else {
			if old.ExpiresAt != nil && old.ExpiresAt.Before(*oldUntil) {
				oldUntil = old.ExpiresAt
			}
			_, err = tx.exec(ctx, `UPDATE api_keys SET expires_at = ? WHERE id = ?`, micros(*oldUntil), id)
		}
		if err != nil {
			return err
		}
		return tx.audit(ctx, &a, "api_key", id, old.Name+" → "+next.ID)
	})
	return next, err
}

// ---- staff accounts ----

// lockWebUser reads a user for update, refusing one outside roles
// (NotFound: a user the caller may not manage does not exist for it).
func (t *Tx) lockWebUser(ctx context.Context, id string, roles []string) (WebUser, error) {
	u, err := scanWebUser(t.queryRow(ctx, `SELECT `+webUserCols+` FROM web_users WHERE id = ?`+t.d.forUpdate(), id))
	if err != nil {
		return u, mapNoRows(err, "用户 user", id)
	}
	if roles != nil && !slices.Contains(roles, u.Role) {
		return u, notFound("用户 user", id)
	}
	return u, nil
}

// CountLiveAdmins counts the admins who are not disabled.
func (s *Store) CountLiveAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM web_users WHERE role = 'admin' AND disabled_at IS NULL`).Scan(&n)
	return n, err
}

// errLastAdmin: the change would leave no admin who can sign in.
var errLastAdmin = &fault.Error{Code: fault.Conflict, Message: "这是最后一个可用的管理员账号 / this is the last enabled admin account"}

// lastAdmin reports whether u is the only enabled admin.
func (t *Tx) lastAdmin(ctx context.Context, u WebUser) (bool, error) {
	if u.Role != "admin" || u.DisabledAt != nil {
		return false, nil
	}
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM web_users WHERE role = 'admin' AND disabled_at IS NULL AND id <> ?`, u.ID).Scan(&n)
	return n == 0, err
}

// SetWebUserRole changes the role of a user of one of roles to another of
// them, with its audit row; the user's sessions end (they were granted under
// the old role), and its TOTP enrolment stays. Errors: NotFound, Conflict
// (already so; the last enabled admin).
func (s *Store) SetWebUserRole(ctx context.Context, id, role string, roles []string, a AdminAudit) error {
	return s.InTx(ctx, func(tx *Tx) error {
		u, err := tx.lockWebUser(ctx, id, roles)
		if err != nil {
			return err
		}
		if u.Role == role {
			return &fault.Error{Code: fault.Conflict, Field: "role", Message: fmt.Sprintf("用户 %s 已是 %s / user %s is already %s", u.Login, role, u.Login, role)}
		}
		if last, err := tx.lastAdmin(ctx, u); err != nil || last {
			return cmpErr(err, errLastAdmin)
		}
		if _, err := tx.exec(ctx, `UPDATE web_users SET role = ? WHERE id = ?`, role, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, &a, "user", id, fmt.Sprintf("%s: %s → %s", u.Login, u.Role, role))
	})
}

// SetWebUserPassword sets a user's password hash and ends every session of
// the user, in one transaction; with an audit (an admin's reset), its row
// too. roles nil: any user. Errors: NotFound.
func (s *Store) SetWebUserPassword(ctx context.Context, id, hash string, roles []string, a *AdminAudit) error {
	return s.InTx(ctx, func(tx *Tx) error {
		u, err := tx.lockWebUser(ctx, id, roles)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE web_users SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, a, "user", id, u.Login)
	})
}

// EndWebSessions ends every session of a user ("sign out everywhere") and
// returns how many; with an audit, its row is written in the same
// transaction.
func (s *Store) EndWebSessions(ctx context.Context, userID string, a *AdminAudit) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return tx.audit(ctx, a, "user", userID, fmt.Sprintf("%d sessions", n))
	})
	return n, err
}

// TouchWebSession moves a session's idle clock to at.
func (s *Store) TouchWebSession(ctx context.Context, hash string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE web_sessions SET last_seen_at = ? WHERE token_hash = ?`, micros(at), hash)
	return err
}

// ---- TOTP ----

// SetTOTPSecret stores the secret of a TOTP enrolment in progress (a user
// not enrolled yet).
func (s *Store) SetTOTPSecret(ctx context.Context, userID, secret string) error {
	_, err := s.exec(ctx, `UPDATE web_users SET totp_secret = ? WHERE id = ? AND totp_enabled_at IS NULL`, secret, userID)
	return err
}

// CompleteTOTP finishes a second-factor step in one transaction: the code's
// time step is recorded (refused when a code of that step or a later one was
// accepted before: codes are used once), the enrolment comes into force if it
// was pending, and the pending session is replaced by a full one. Errors:
// Conflict (the code was used), NotFound (the pending session is gone).
func (s *Store) CompleteTOTP(ctx context.Context, userID string, step int64, pendingHash string, full WebSession) error {
	return s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE web_users SET totp_last_step = ?, totp_enabled_at = COALESCE(totp_enabled_at, ?) WHERE id = ? AND totp_last_step < ?`,
			step, micros(full.CreatedAt), userID, step)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &fault.Error{Code: fault.Conflict, Field: "code", Message: "验证码已使用过 / the code was already used"}
		}
		res, err = tx.exec(ctx, `DELETE FROM web_sessions WHERE token_hash = ? AND pending = 1`, pendingHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("会话 session", "")
		}
		return tx.insertWebSession(ctx, full)
	})
}

// ---- the sign-in throttle ----

// Throttle is the failed sign-ins within a window: of one login from every
// address, and from one address for every login, each with its latest.
type Throttle struct {
	LoginFailures int
	LoginLast     time.Time
	IPFailures    int
	IPLast        time.Time
}

// SignInThrottle counts the failed sign-ins since a time of a login (every
// address) and from an address (every login).
func (s *Store) SignInThrottle(ctx context.Context, login, ip string, since time.Time) (Throttle, error) {
	var th Throttle
	var l1, l2 sql.NullInt64
	err := s.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM web_signin_failures WHERE login = ? AND at >= ?),
		(SELECT MAX(at) FROM web_signin_failures WHERE login = ? AND at >= ?),
		(SELECT COUNT(*) FROM web_signin_failures WHERE ip = ? AND at >= ?),
		(SELECT MAX(at) FROM web_signin_failures WHERE ip = ? AND at >= ?)`,
		login, micros(since), login, micros(since), ip, micros(since), ip, micros(since)).Scan(&th.LoginFailures, &l1, &th.IPFailures, &l2)
	if l1.Valid {
		th.LoginLast = fromMicros(l1.Int64)
	}
	if l2.Valid {
		th.IPLast = fromMicros(l2.Int64)
	}
	return th, err
}

// ---- marketplace sign-in ----

// SignInLinkKey returns the secret that signs sign-in links, made with gen
// the first time (one per database: every replica signs and checks with it).
func (s *Store) SignInLinkKey(ctx context.Context, gen func() string, now time.Time) (string, error) {
	var secret string
	err := s.queryRow(ctx, `SELECT secret FROM signin_keys WHERE id = 'link'`).Scan(&secret)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return secret, err
	}
	if err := s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO signin_keys (id, secret, created_at) VALUES ('link', ?, ?) ON CONFLICT (id) DO NOTHING`, gen(), micros(now))
		return err
	}); err != nil {
		return "", err
	}
	err = s.queryRow(ctx, `SELECT secret FROM signin_keys WHERE id = 'link'`).Scan(&secret)
	return secret, err
}

// ErrReplayed: the sign-in link's nonce was used before.
var ErrReplayed = &fault.Error{Code: fault.Conflict, Field: "token", Message: "登录链接已使用过 / the sign-in link was already used"}

// RedeemSignIn signs a party in from a verified link, in one transaction:
// the nonce is stored (ErrReplayed when it was used before, on any replica),
// nonces expired by now are forgotten, the party's user is found (or, the
// first time, newUser is created), and the session ws is stored for it.
// Errors: ErrReplayed, Forbidden (the party's user is disabled), Conflict
// (newUser's login is taken).
func (s *Store) RedeemSignIn(ctx context.Context, nonce string, expires, now time.Time, newUser WebUser, ws WebSession) (WebUser, error) {
	var u WebUser
	err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM signin_nonces WHERE expires_at <= ?`, micros(now)); err != nil {
			return err
		}
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM signin_nonces WHERE nonce = ?`, nonce).Scan(&one)
		if err == nil {
			return ErrReplayed
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO signin_nonces (nonce, used_at, expires_at) VALUES (?, ?, ?)`, nonce, micros(now), micros(expires)); err != nil {
			if isUnique(err) {
				return ErrReplayed
			}
			return err
		}
		u, err = scanWebUser(tx.queryRow(ctx, `SELECT `+webUserCols+` FROM web_users WHERE role = ? AND party_id = ? ORDER BY id LIMIT 1`, newUser.Role, newUser.PartyID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			u = newUser
			_, err = tx.exec(ctx, `INSERT INTO web_users (id, login, password_hash, role, party_id, display_name, phone, address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				u.ID, u.Login, u.PasswordHash, u.Role, u.PartyID, u.DisplayName, u.Phone, u.Address, micros(u.CreatedAt))
			if isUnique(err) {
				return &fault.Error{Code: fault.Conflict, Message: fmt.Sprintf("登录名 %s 已存在 / login %s is taken", u.Login, u.Login)}
			}
			if err != nil {
				return err
			}
		case err != nil:
			return err
		case u.DisabledAt != nil:
			return &fault.Error{Code: fault.Forbidden, Message: "账号已停用 / the account is disabled"}
		}
		ws.UserID = u.ID
		return tx.insertWebSession(ctx, ws)
	})
	return u, err
}

// cmpErr returns err when set, else refusal.
func cmpErr(err, refusal error) error {
	if err != nil {
		return err
	}
	return refusal
}
