package service

import (
	"context"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

// This file holds the admin's actions on the pages — API keys, agents and
// senior agents — each written with its audit row in the same store
// transaction, and the admin pages' read models. Every method refuses a
// caller who is not an admin (Forbidden).

// WebActor is the signed-in user behind a page's caller, as an admin
// action's audit row names them.
type WebActor struct {
	UserID string
	Login  string
}

// auditRow is the audit row of an action by a; nil without an actor (an
// API-key caller: no row).
func (s *Service) auditRow(a *WebActor, action, detail string) *store.AdminAudit {
	if a == nil {
		return nil
	}
	return &store.AdminAudit{ID: newID(), ActorID: a.UserID, ActorLogin: a.Login, Action: action, Detail: detail, At: s.clock.Now()}
}

func adminOnly(c Caller) error {
	if c.Role != actor.Admin {
		return forbidden("只有管理员可以 / only admins may do this")
	}
	return nil
}

// AdminAudits lists the admin actions on a kind of target (api_key,
// webhook, user; "" all), newest first. Errors: Forbidden.
func (s *Service) AdminAudits(ctx context.Context, c Caller, targetKind string, limit int) ([]store.AdminAudit, error) {
	if err := adminOnly(c); err != nil {
		return nil, err
	}
	return s.st.AdminAudits(ctx, targetKind, limit)
}

// ListAPIKeys lists the API keys (metadata only, never a key). Errors:
// Forbidden.
func (s *Service) ListAPIKeys(ctx context.Context, c Caller) ([]store.APIKey, error) {
	if err := adminOnly(c); err != nil {
		return nil, err
	}
	return s.st.ListAPIKeys(ctx)
}

// NewKey is an API key to issue: a role (and, for buyers and sellers, a
// party), a label, and an optional expiry.
type NewKey struct {
	Role      actor.Role
	Party     string
	Name      string
	ExpiresAt *time.Time // nil: never
}

// IssueAPIKey creates an API key with its audit row, and returns the plain
// key, shown once. Errors: Forbidden, Invalid (name, role, party,
// expires_at in the past).
func (s *Service) IssueAPIKey(ctx context.Context, c Caller, by WebActor, nk NewKey) (plain string, k store.APIKey, err error) {
	if err := adminOnly(c); err != nil {
		return "", k, err
	}
	if nk.Name == "" || len([]rune(nk.Name)) > 100 {
		return "", k, fault.Field("name", "名称须为1–100个字符 / the name is 1–100 characters")
	}
	if err := CheckKeyRole(nk.Role, nk.Party); err != nil {
		return "", k, err
	}
	if nk.ExpiresAt != nil && !nk.ExpiresAt.After(s.now(ctx)) {
		return "", k, fault.Field("expires_at", "过期时间须在将来 / expires_at must be in the future")
	}
	plain, k, err = s.newKey(nk.Role, nk.Party, nk.Name)
	if err != nil {
		return "", k, err
	}
	k.ExpiresAt = nk.ExpiresAt
	return plain, k, s.st.CreateAPIKey(ctx, k, s.auditRow(&by, "api_key.created", fmt.Sprintf("%s (%s)", nk.Name, nk.Role)))
}

// RevokeAPIKey revokes a key (it is refused from its next request, on every
// replica) with its audit row. Errors: Forbidden, NotFound, Conflict
// (already revoked).
func (s *Service) RevokeAPIKey(ctx context.Context, c Caller, by WebActor, id string) error {
	if err := adminOnly(c); err != nil {
		return err
	}
	return s.st.RevokeAPIKey(ctx, id, *s.auditRow(&by, "api_key.revoked", ""))
}

// MaxRotateGrace bounds the overlap in which a rotated key still works.
const MaxRotateGrace = 7 * 24 * time.Hour

// RotateAPIKey replaces a live key by a new one of the same role, party and
// name, with its audit row, and returns the new plain key (shown once). The
// old key is revoked at once, or with grace > 0 expires after grace (the
// integration switches within the overlap). Errors: Forbidden, NotFound,
// Conflict (revoked or expired), Invalid (grace).
func (s *Service) RotateAPIKey(ctx context.Context, c Caller, by WebActor, id string, grace time.Duration) (string, store.APIKey, error) {
	if err := adminOnly(c); err != nil {
		return "", store.APIKey{}, err
	}
	if grace < 0 || grace > MaxRotateGrace {
		return "", store.APIKey{}, fault.Field("grace", "过渡期须为0–7天 / grace is 0 to 7 days")
	}
	old, err := s.st.APIKeyByID(ctx, id)
	if err != nil {
		return "", old, err
	}
	plain, next, err := s.newKey(actor.Role(old.Role), old.PartyID, old.Name)
	if err != nil {
		return "", next, err
	}
	next.ExpiresAt = old.ExpiresAt
	var until *time.Time
	if grace > 0 {
		t := s.now(ctx).Add(grace)
		until = &t
	}
	next, err = s.st.RotateAPIKey(ctx, id, next, until, *s.auditRow(&by, "api_key.rotated", ""))
	return plain, next, err
}

// ListWebUsers lists the people who sign in. Errors: Forbidden.
func (s *Service) ListWebUsers(ctx context.Context, c Caller, limit int) ([]store.WebUser, error) {
	if err := adminOnly(c); err != nil {
		return nil, err
	}
	return s.st.ListWebUsers(ctx, limit)
}

// PolicyVersions lists the recorded rule books, newest first. Errors:
// Forbidden.
func (s *Service) PolicyVersions(ctx context.Context, c Caller) ([]store.PolicyVersion, error) {
	if err := adminOnly(c); err != nil {
		return nil, err
	}
	return s.st.PolicyVersions(ctx)
}

// pick names an audited toggle: yes when on, no when off.
func pick(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}
