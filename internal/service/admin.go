package service

import (
	"context"
	"fmt"
	"slices"

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

// IssueAPIKey creates an API key named name for a role (and, for buyers
// and sellers, a party) with its audit row, and returns the plain key,
// shown once. Errors: Forbidden, Invalid (name, role, party).
func (s *Service) IssueAPIKey(ctx context.Context, c Caller, by WebActor, role actor.Role, party, name string) (plain string, k store.APIKey, err error) {
	if err := adminOnly(c); err != nil {
		return "", k, err
	}
	if name == "" || len([]rune(name)) > 100 {
		return "", k, fault.Field("name", "名称须为1–100个字符 / the name is 1–100 characters")
	}
	if err := CheckKeyRole(role, party); err != nil {
		return "", k, err
	}
	plain, k, err = s.newKey(role, party, name)
	if err != nil {
		return "", k, err
	}
	return plain, k, s.st.CreateAPIKey(ctx, k, s.auditRow(&by, "api_key.created", fmt.Sprintf("%s (%s)", name, role)))
}

// RevokeAPIKey revokes a key (it no longer authenticates) with its audit
// row. Errors: Forbidden, NotFound, Conflict (already revoked).
func (s *Service) RevokeAPIKey(ctx context.Context, c Caller, by WebActor, id string) error {
	if err := adminOnly(c); err != nil {
		return err
	}
	return s.st.RevokeAPIKey(ctx, id, *s.auditRow(&by, "api_key.revoked", ""))
}

// ListWebUsers lists the people who sign in. Errors: Forbidden.
func (s *Service) ListWebUsers(ctx context.Context, c Caller, limit int) ([]store.WebUser, error) {
	if err := adminOnly(c); err != nil {
		return nil, err
	}
	return s.st.ListWebUsers(ctx, limit)
}

// CreateStaffUser creates an agent or a senior agent (StaffRoles) with
// its audit row. Errors: Forbidden, Invalid (role, login, password),
// Conflict (login taken).
func (s *Service) CreateStaffUser(ctx context.Context, c Caller, by WebActor, u NewWebUser) (store.WebUser, error) {
	if err := adminOnly(c); err != nil {
		return store.WebUser{}, err
	}
	if !slices.Contains(StaffRoles, actor.Role(u.Role)) {
		return store.WebUser{}, fault.Field("role", "只能在此创建客服或高级专员 / only agents and senior agents are created here")
	}
	wu, err := s.newWebUser(u)
	if err != nil {
		return wu, err
	}
	return wu, s.st.CreateWebUser(ctx, wu, s.auditRow(&by, "user.created", wu.Login+" ("+wu.Role+")"))
}

// SetStaffUserDisabled disables (ending every session) or enables an agent
// or a senior agent, with its audit row. Errors: Forbidden, NotFound (no
// such agent or senior agent), Conflict (already so).
func (s *Service) SetStaffUserDisabled(ctx context.Context, c Caller, by WebActor, id string, disabled bool) error {
	if err := adminOnly(c); err != nil {
		return err
	}
	return s.st.SetWebUserDisabled(ctx, id, disabled, actor.Strings(StaffRoles), *s.auditRow(&by, pick(disabled, "user.disabled", "user.enabled"), ""))
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
