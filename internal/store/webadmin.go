package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/penalty"
)

// This file holds the web admin's writes (API keys, webhook endpoints,
// agents), each in one transaction with its audit row (the creations that
// API keys and set-up also make take an optional audit), the sign-in rate
// limit's failure counter, the session purge, and the dashboard's read
// models that the service has no method for.

// AdminAudit is one admin action taken on the pages: who, what, on which
// object, when. Rows are append-only.
type AdminAudit struct {
	ID         string
	ActorID    string // the admin's web user id
	ActorLogin string
	Action     string // e.g. api_key.created, webhook.disabled, user.created
	TargetKind string // api_key, webhook, user
	TargetID   string
	Detail     string // a short description (never a secret)
	At         time.Time
}

func (t *Tx) insertAudit(ctx context.Context, a AdminAudit) error {
	if a.ID == "" {
		a.ID = uuid.Must(uuid.NewV7()).String()
	}
	if a.ActorID == "" || a.Action == "" || a.At.IsZero() {
		return fmt.Errorf("store: admin audit without actor, action or time")
	}
	_, err := t.exec(ctx, `INSERT INTO web_admin_audit (id, actor_id, actor_login, action, target_kind, target_id, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.ActorID, a.ActorLogin, a.Action, a.TargetKind, a.TargetID, a.Detail, micros(a.At))
	return err
}

// audit writes an admin action's audit row naming its target (detail, when
// the row has none); a nil audit (an API-key caller, the CLI, set-up) writes
// nothing.
func (t *Tx) audit(ctx context.Context, a *AdminAudit, kind, id, detail string) error {
	if a == nil {
		return nil
	}
	row := *a
	row.TargetKind, row.TargetID = kind, id
	if row.Detail == "" {
		row.Detail = detail
	}
	return t.insertAudit(ctx, row)
}

// AdminAudits lists the admin actions, newest first (targetKind "" : all).
func (s *Store) AdminAudits(ctx context.Context, targetKind string, limit int) ([]AdminAudit, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := s.query(ctx, `SELECT id, actor_id, actor_login, action, target_kind, target_id, detail, at FROM web_admin_audit
		WHERE (? = '' OR target_kind = ?) ORDER BY at DESC, id DESC LIMIT ?`, targetKind, targetKind, limit)
	return collect(rows, err, func(rows *sql.Rows, a *AdminAudit) error {
		var at int64
		err := rows.Scan(&a.ID, &a.ActorID, &a.ActorLogin, &a.Action, &a.TargetKind, &a.TargetID, &a.Detail, &at)
		a.At = fromMicros(at)
		return err
	})
}

// ---- users ----

// CreateWebUser adds a user; with an audit (an admin on the pages), its row
// is written in the same transaction. Errors: Conflict (login taken).
func (s *Store) CreateWebUser(ctx context.Context, u WebUser, audit *AdminAudit) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO web_users (id, login, password_hash, role, party_id, display_name, phone, address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Login, u.PasswordHash, u.Role, u.PartyID, u.DisplayName, u.Phone, u.Address, micros(u.CreatedAt))
		if isUnique(err) {
			return &fault.Error{Code: fault.Conflict, Field: "login", Message: fmt.Sprintf("登录名 %s 已存在 / login %s is taken", u.Login, u.Login)}
		}
		if err != nil {
			return err
		}
		return tx.audit(ctx, audit, "user", u.ID, "")
	})
}

// WebUserByID finds a user. Errors: NotFound.
func (s *Store) WebUserByID(ctx context.Context, id string) (WebUser, error) {
	return orNotFound(scanWebUser(s.queryRow(ctx, `SELECT `+webUserCols+` FROM web_users WHERE id = ?`, id)))("用户 user", id)
}

// SetWebUserDisabled disables (ending every session of the user) or
// enables a user of one of the roles, with its audit row. Errors:
// NotFound (no such user of those roles), Conflict (already so).
func (s *Store) SetWebUserDisabled(ctx context.Context, id string, disabled bool, roles []string, a AdminAudit) error {
	return s.InTx(ctx, func(tx *Tx) error {
		u, err := tx.lockWebUser(ctx, id, roles)
		if err != nil {
			return err
		}
		if disabled {
			if last, err := tx.lastAdmin(ctx, u); err != nil || last {
				return cmpErr(err, errLastAdmin)
			}
		}
		if (u.DisabledAt != nil) == disabled {
			return &fault.Error{Code: fault.Conflict, Message: fmt.Sprintf("用户 %s 已是该状态 / user %s is already so", u.Login, u.Login)}
		}
		var at any
		if disabled {
			at = micros(a.At)
			if _, err := tx.exec(ctx, `DELETE FROM web_sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE web_users SET disabled_at = ? WHERE id = ?`, at, id); err != nil {
			return err
		}
		return tx.audit(ctx, &a, "user", id, u.Login+" ("+u.Role+")")
	})
}

// ---- API keys ----

// CreateAPIKey stores a key; with an audit (an admin on the pages), its row
// is written in the same transaction.
func (s *Store) CreateAPIKey(ctx context.Context, k APIKey, audit *AdminAudit) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if err := tx.insertAPIKey(ctx, k); err != nil {
			return err
		}
		return tx.audit(ctx, audit, "api_key", k.ID, "")
	})
}

// RevokeAPIKey revokes a key at a.At (it no longer authenticates), with its
// audit row. Errors: NotFound, Conflict (already revoked).
func (s *Store) RevokeAPIKey(ctx context.Context, id string, a AdminAudit) error {
	return s.InTx(ctx, func(tx *Tx) error {
		var revoked sql.NullInt64
		var name string
		err := tx.queryRow(ctx, `SELECT name, revoked_at FROM api_keys WHERE id = ?`+tx.d.forUpdate(), id).Scan(&name, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("API 密钥 API key", id)
		}
		if err != nil {
			return err
		}
		if revoked.Valid {
			return &fault.Error{Code: fault.Conflict, Message: fmt.Sprintf("API 密钥 %s 已吊销 / API key %s is already revoked", id, id)}
		}
		if _, err := tx.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, micros(a.At), id); err != nil {
			return err
		}
		return tx.audit(ctx, &a, "api_key", id, name)
	})
}

// ---- webhook endpoints ----

// SetWebhookEndpointEnabled enables or disables an endpoint (a disabled
// endpoint's deliveries wait and new messages skip it), with its audit row.
// Errors: NotFound, Conflict (already so).
func (s *Store) SetWebhookEndpointEnabled(ctx context.Context, id string, enabled bool, a AdminAudit) error {
	return s.InTx(ctx, func(tx *Tx) error {
		ep, err := tx.lockEndpoint(ctx, id)
		if err != nil {
			return err
		}
		if ep.Enabled == enabled {
			return &fault.Error{Code: fault.Conflict, Message: "Webhook 端点已是该状态 / the webhook endpoint is already so"}
		}
		if _, err := tx.exec(ctx, `UPDATE webhook_endpoints SET enabled = ?, updated_at = ? WHERE id = ?`, obxBool(enabled), micros(a.At), id); err != nil {
			return err
		}
		return tx.audit(ctx, &a, "webhook", id, ep.URL)
	})
}

// ---- sign-in rate limit and session purge ----

// SignInFailures counts the failed sign-ins of a login from an address
// since a time.
func (s *Store) SignInFailures(ctx context.Context, login, ip string, since time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM web_signin_failures WHERE login = ? AND ip = ? AND at >= ?`, login, ip, micros(since)).Scan(&n)
	return n, err
}

// RecordSignInFailure counts a failed sign-in and forgets failures older
// than purgeBefore (of every login).
func (s *Store) RecordSignInFailure(ctx context.Context, login, ip string, at, purgeBefore time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM web_signin_failures WHERE at < ?`, micros(purgeBefore)); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO web_signin_failures (login, ip, at) VALUES (?, ?, ?)`, login, ip, micros(at))
		return err
	})
}

// ClearSignInFailures forgets a login's failures from every address (after
// a successful sign-in); the addresses' counts of other logins stay.
func (s *Store) ClearSignInFailures(ctx context.Context, login string) error {
	_, err := s.exec(ctx, `DELETE FROM web_signin_failures WHERE login = ?`, login)
	return err
}

// PurgeWebSessions deletes the sessions expired at now and returns how many.
func (s *Store) PurgeWebSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= ?`, micros(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CountWebSessions counts the stored sessions (live or not) of a user.
func (s *Store) CountWebSessions(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM web_sessions WHERE user_id = ?`, userID).Scan(&n)
	return n, err
}

// ---- dashboard read models ----

// ViolationsSince lists every party's violations at or after a time, by
// party and time (the dashboard's points distribution).
func (s *Store) ViolationsSince(ctx context.Context, since time.Time) ([]penalty.Violation, error) {
	return scanViolations(s.query(ctx, `SELECT body FROM violations WHERE at >= ? ORDER BY party_role, party_id, at, id`, micros(since)))
}
