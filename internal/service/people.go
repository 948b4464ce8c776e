package service

import (
	"context"
	"slices"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

// This file holds the admin's management of staff accounts (agents, senior
// agents, admins) — create, disable, enable, reset a password, change a
// role, sign out everywhere — each with its audit row in the same store
// transaction; the first admin of a fresh install (the command line); and
// a user's own "sign out everywhere".

// CLIActor names the operator at the command line in audit rows.
var CLIActor = WebActor{UserID: "cli", Login: "cli"}

// CLICaller is the operator at the command line: an admin (whoever runs the
// binary against the database owns it).
var CLICaller = Caller{Role: actor.Admin, Via: "cli"}

// KeyActor names an API-key caller in audit rows ("key:<id>").
func KeyActor(c Caller) WebActor { return WebActor{UserID: c.Via, Login: c.Via} }

// CreateFirstAdmin creates an admin from the command line, with its audit
// row. It refuses while an enabled admin exists unless force (a second
// admin, or one more after losing access). Errors: Conflict (an admin
// exists; login taken), Invalid (login, password).
func (s *Service) CreateFirstAdmin(ctx context.Context, login, password, displayName string, force bool) (store.WebUser, error) {
	if !force {
		n, err := s.st.CountLiveAdmins(ctx)
		if err != nil {
			return store.WebUser{}, err
		}
		if n > 0 {
			return store.WebUser{}, fault.New(fault.Conflict, "已有 %d 个管理员账号，如确需再建请加 --force / %d admin account(s) exist: add --force to create another", n, n)
		}
	}
	wu, err := s.newWebUser(NewWebUser{Login: login, Password: password, Role: actor.Admin, DisplayName: displayName})
	if err != nil {
		return wu, err
	}
	return wu, s.st.CreateWebUser(ctx, wu, s.auditRow(&CLIActor, "user.created", wu.Login+" (admin, cli)"))
}

// CreateStaffUser creates an agent, senior agent or admin (StaffRoles)
// with its audit row. Errors: Forbidden, Invalid (role, login, password —
// too short or too common), Conflict (login taken).
func (s *Service) CreateStaffUser(ctx context.Context, c Caller, by WebActor, u NewWebUser) (store.WebUser, error) {
	if err := adminOnly(c); err != nil {
		return store.WebUser{}, err
	}
	if !slices.Contains(StaffRoles, actor.Role(u.Role)) {
		return store.WebUser{}, fault.Field("role", "只能创建客服、高级专员或管理员 / only agents, senior agents and admins are created here")
	}
	u.PartyID = ""
	wu, err := s.newWebUser(u)
	if err != nil {
		return wu, err
	}
	return wu, s.st.CreateWebUser(ctx, wu, s.auditRow(&by, "user.created", wu.Login+" ("+wu.Role+")"))
}

// notSelf refuses an admin's action that would lock the admin out.
func notSelf(by WebActor, id, what string) error {
	if by.UserID == id {
		return fault.New(fault.Conflict, "不能%s自己的账号 / you cannot %s your own account", what, what)
	}
	return nil
}

// SetStaffUserDisabled disables (ending every session at once) or enables
// a staff account, with its audit row. Errors: Forbidden, NotFound (no such
// staff account), Conflict (already so; oneself; the last enabled admin).
func (s *Service) SetStaffUserDisabled(ctx context.Context, c Caller, by WebActor, id string, disabled bool) error {
	if err := adminOnly(c); err != nil {
		return err
	}
	if disabled {
		if err := notSelf(by, id, "停用 / disable"); err != nil {
			return err
		}
	}
	return s.st.SetWebUserDisabled(ctx, id, disabled, actor.Strings(StaffRoles), *s.auditRow(&by, pick(disabled, "user.disabled", "user.enabled"), ""))
}

// SetStaffRole moves a staff account to another staff role, with its audit
// row; its sessions end (they carried the old role). Errors: Forbidden,
// Invalid (role), NotFound, Conflict (already so; oneself; the last
// enabled admin).
func (s *Service) SetStaffRole(ctx context.Context, c Caller, by WebActor, id string, role actor.Role) error {
	if err := adminOnly(c); err != nil {
		return err
	}
	if !slices.Contains(StaffRoles, role) {
		return fault.Field("role", "角色须为 agent / senior_agent / admin / role must be agent, senior_agent or admin")
	}
	if err := notSelf(by, id, "改变角色 / change the role of"); err != nil {
		return err
	}
	return s.st.SetWebUserRole(ctx, id, string(role), actor.Strings(StaffRoles), *s.auditRow(&by, "user.role_changed", ""))
}

// ResetStaffPassword sets a new password of a staff account, with its
// audit row; every session of the account ends at once. Errors: Forbidden,
// Invalid (password: 8–72 bytes, not a common one), NotFound.
func (s *Service) ResetStaffPassword(ctx context.Context, c Caller, by WebActor, id, password string) error {
	if err := adminOnly(c); err != nil {
		return err
	}
	u, err := s.st.WebUserByID(ctx, id)
	if err != nil || !slices.Contains(StaffRoles, actor.Role(u.Role)) {
		return cmpErr(err, fault.New(fault.NotFound, "用户 user %s 不存在 / user %s not found", id, id))
	}
	hash, err := hashPassword(u.Login, password)
	if err != nil {
		return err
	}
	a := s.auditRow(&by, "user.password_reset", "")
	return s.st.SetWebUserPassword(ctx, id, hash, actor.Strings(StaffRoles), a)
}

// SignOutUser ends every session of a user (an admin's "sign out
// everywhere" for someone), with its audit row, and returns how many ended.
// Errors: Forbidden, NotFound.
func (s *Service) SignOutUser(ctx context.Context, c Caller, by WebActor, id string) (int64, error) {
	if err := adminOnly(c); err != nil {
		return 0, err
	}
	if _, err := s.st.WebUserByID(ctx, id); err != nil {
		return 0, err
	}
	return s.st.EndWebSessions(ctx, id, s.auditRow(&by, "user.signed_out", ""))
}

// SignOutEverywhere ends every session of the signed-in user (this one
// included) and returns how many. Errors: storage failures only.
func (s *Service) SignOutEverywhere(ctx context.Context, userID string) (int64, error) {
	n, err := s.st.EndWebSessions(ctx, userID, nil)
	if err == nil {
		s.log.Info("web: signed out everywhere", "user", userID, "sessions", n)
	}
	return n, err
}

// UserView is a web user as the API lists it: never a hash or a secret,
// and no personal data.
type UserView struct {
	ID          string  `json:"id"`
	Login       string  `json:"login"`
	Role        string  `json:"role"`
	PartyID     string  `json:"party_id,omitempty"`
	DisplayName string  `json:"display_name"`
	CreatedAt   string  `json:"created_at"`
	DisabledAt  *string `json:"disabled_at,omitempty"`
	TOTP        bool    `json:"totp_enrolled"`
}

// ViewOfUser is the API's view of a user.
func ViewOfUser(u store.WebUser) UserView {
	v := UserView{ID: u.ID, Login: u.Login, Role: u.Role, PartyID: u.PartyID, DisplayName: u.DisplayName, CreatedAt: u.CreatedAt.UTC().Format(rfc3339), TOTP: u.TOTPEnabledAt != nil}
	if u.DisabledAt != nil {
		d := u.DisabledAt.UTC().Format(rfc3339)
		v.DisabledAt = &d
	}
	return v
}

const rfc3339 = "2006-01-02T15:04:05.999999Z07:00"

// cmpErr returns err when set, else refusal.
func cmpErr(err, refusal error) error {
	if err != nil {
		return err
	}
	return refusal
}

// WebUser finds a user (metadata for the admin). Errors: Forbidden,
// NotFound.
func (s *Service) WebUser(ctx context.Context, c Caller, id string) (store.WebUser, error) {
	if err := adminOnly(c); err != nil {
		return store.WebUser{}, err
	}
	return s.st.WebUserByID(ctx, id)
}

// APIKey finds a key's metadata. Errors: Forbidden, NotFound.
func (s *Service) APIKey(ctx context.Context, c Caller, id string) (store.APIKey, error) {
	if err := adminOnly(c); err != nil {
		return store.APIKey{}, err
	}
	return s.st.APIKeyByID(ctx, id)
}
