package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
)

// The admin's forms: create (with an optional expiry), rotate and revoke
// API keys; create, disable, enable and delete webhook endpoints; create,
// disable, enable, reset, move between roles and sign out staff accounts. Each action is one transaction with its audit row (actor,
// time, target); a key or signing secret is shown once, in the answer to
// the form that created it, and never stored in plain.

// actor names the signed-in user in an admin action's audit row.
func (s *session) actor() service.WebActor {
	return service.WebActor{UserID: s.User.ID, Login: s.User.Login}
}

// formDays reads an optional whole number of days (0–3650) from a form.
func formDays(r *http.Request, field string) (int, error) {
	v := strings.TrimSpace(r.FormValue(field))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 3650 {
		return 0, fault.Field(field, "须为0–3650天 / 0 to 3650 days")
	}
	return n, nil
}

// adminKeyCreate creates an API key (with an optional expiry in days) and
// shows it once.
func (a *App) adminKeyCreate(w http.ResponseWriter, r *http.Request, s *session) error {
	role, party, name := r.FormValue("role"), strings.TrimSpace(r.FormValue("party")), strings.TrimSpace(r.FormValue("name"))
	days, err := formDays(r, "expires_days")
	if err != nil {
		return err
	}
	nk := service.NewKey{Role: actor.Role(role), Party: party, Name: name}
	if days > 0 {
		t := a.svc.Now().Add(time.Duration(days) * 24 * time.Hour)
		nk.ExpiresAt = &t
	}
	plain, k, err := a.svc.IssueAPIKey(r.Context(), s.Caller(), s.actor(), nk)
	if err != nil {
		return err
	}
	a.log.Info("web: API key created", "id", k.ID, "role", role, "by", s.User.Login)
	return a.renderAdminKeys(w, r, s, &createdSecret{ID: k.ID, Name: name, Secret: plain})
}

// adminKeyRevoke revokes an API key.
func (a *App) adminKeyRevoke(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PathValue("id")
	if err := a.svc.RevokeAPIKey(r.Context(), s.Caller(), s.actor(), id); err != nil {
		return err
	}
	a.log.Info("web: API key revoked", "id", id, "by", s.User.Login)
	return flashTo(w, r, "API 密钥已吊销 / the API key is revoked", "/admin/keys")
}

// adminKeyRotate replaces a key by a new one (shown once); the old one is
// revoked at once, or expires after the grace hours given.
func (a *App) adminKeyRotate(w http.ResponseWriter, r *http.Request, s *session) error {
	hours, err := strconv.Atoi(cmpOr(strings.TrimSpace(r.FormValue("grace_hours")), "0"))
	if err != nil || hours < 0 {
		return fault.Field("grace_hours", "过渡期须为整数小时 / grace_hours is a whole number of hours")
	}
	plain, k, err := a.svc.RotateAPIKey(r.Context(), s.Caller(), s.actor(), r.PathValue("id"), time.Duration(hours)*time.Hour)
	if err != nil {
		return err
	}
	a.log.Info("web: API key rotated", "old", r.PathValue("id"), "new", k.ID, "by", s.User.Login)
	return a.renderAdminKeys(w, r, s, &createdSecret{ID: k.ID, Name: k.Name, Secret: plain})
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// adminWebhookCreate creates a webhook endpoint and shows its signing
// secret once.
func (a *App) adminWebhookCreate(w http.ResponseWriter, r *http.Request, s *session) error {
	_ = r.ParseForm()
	var types []string
	for _, t := range strings.FieldsFunc(r.FormValue("event_types"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '，' }) {
		types = append(types, strings.TrimSpace(t))
	}
	desc := strings.TrimSpace(r.FormValue("description"))
	if len([]rune(desc)) > 200 {
		return fault.Field("description", "说明不超过200字 / the description is at most 200 characters")
	}
	by := s.actor()
	ep, err := a.svc.CreateWebhook(r.Context(), s.Caller(), &by, service.NewWebhook{URL: r.FormValue("url"), EventTypes: types, Description: desc,
		Enabled: r.FormValue("enabled") != "0"})
	if err != nil {
		return err
	}
	a.log.Info("web: webhook endpoint created", "id", ep.ID, "url", ep.URL, "by", s.User.Login)
	return a.renderAdminWebhooks(w, r, s, &createdSecret{ID: ep.ID, Name: ep.URL, Secret: ep.Secret})
}

// adminWebhookAct disables, enables or deletes an endpoint.
func (a *App) adminWebhookAct(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c, by, id := r.Context(), s.Caller(), s.actor(), r.PathValue("id")
	switch r.FormValue("action") {
	case "rotate":
		// The new secret is shown once, on this page; the old one keeps
		// signing next to it for the default overlap (a day).
		ep, err := a.svc.RotateWebhookSecret(ctx, c, &by, id, service.DefaultRotationOverlap)
		if err != nil {
			return err
		}
		a.log.Info("web: webhook secret rotated", "id", id, "by", s.User.Login)
		return a.renderAdminWebhooks(w, r, s, &createdSecret{ID: ep.ID, Name: ep.URL, Secret: ep.Secret})
	case "retry":
		msg := r.FormValue("message_id")
		if _, err := a.svc.RetryWebhookDelivery(ctx, c, &by, id, msg); err != nil {
			return err
		}
		a.log.Info("web: webhook delivery retried", "id", id, "message", msg, "by", s.User.Login)
		return flashTo(w, r, "已重新排队投递 / the delivery is queued again", "/admin/webhooks/"+id+"/deliveries")
	}
	enabled := func(on bool) func() error { return func() error { return a.svc.SetWebhookEnabled(ctx, c, by, id, on) } }
	return a.adminAction(w, r, s, "webhook endpoint", "/admin/webhooks", map[string]adminAct{
		"disable": {"Webhook 端点已停用 / the endpoint is disabled", enabled(false)},
		"enable":  {"Webhook 端点已启用 / the endpoint is enabled", enabled(true)},
		"delete":  {"Webhook 端点已删除 / the endpoint is deleted", func() error { return a.svc.DeleteWebhook(ctx, c, &by, id) }},
	})
}

// adminAct is one action of an admin form on a row: what the flash says
// once done, and the service call that does it.
type adminAct struct {
	done string
	do   func() error
}

// adminAction does the action the form names (field action) among acts,
// logs it as done to what by the signed-in admin and goes back to the list
// at to with its flash. An unknown action is Invalid naming action.
func (a *App) adminAction(w http.ResponseWriter, r *http.Request, s *session, what, to string, acts map[string]adminAct) error {
	act := r.FormValue("action")
	x, ok := acts[act]
	if !ok {
		return fault.Field("action", "未知操作 %q / unknown action %q", act, act)
	}
	if err := x.do(); err != nil {
		return err
	}
	a.log.Info("web: "+what+" "+act, "id", r.PathValue("id"), "by", s.User.Login)
	return flashTo(w, r, x.done, to)
}

// adminUserCreate creates an agent or a senior agent.
func (a *App) adminUserCreate(w http.ResponseWriter, r *http.Request, s *session) error {
	role := actor.Role(r.FormValue("role"))
	u, err := a.svc.CreateStaffUser(r.Context(), s.Caller(), s.actor(), service.NewWebUser{Login: strings.TrimSpace(r.FormValue("login")),
		Password: r.FormValue("password"), Role: role, DisplayName: strings.TrimSpace(r.FormValue("display_name"))})
	if err != nil {
		return err
	}
	a.log.Info("web: user created", "login", u.Login, "role", role, "by", s.User.Login)
	return flashTo(w, r, fmt.Sprintf("已创建 %s / %s created", u.Login, u.Login), "/admin/users")
}

// adminUserAct acts on a staff account: disable (ending its sessions) or
// enable, reset the password, change the role, sign out everywhere.
func (a *App) adminUserAct(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c, by, id := r.Context(), s.Caller(), s.actor(), r.PathValue("id")
	disabled := func(off bool) func() error {
		return func() error { return a.svc.SetStaffUserDisabled(ctx, c, by, id, off) }
	}
	return a.adminAction(w, r, s, "user", "/admin/users", map[string]adminAct{
		"disable": {"账号已停用 / the account is disabled", disabled(true)},
		"enable":  {"账号已启用 / the account is enabled", disabled(false)},
		"reset_password": {"密码已重置，该账号的会话均已结束 / the password is reset and the account's sessions ended",
			func() error { return a.svc.ResetStaffPassword(ctx, c, by, id, r.FormValue("password")) }},
		"set_role": {"角色已更改 / the role is changed", func() error { return a.svc.SetStaffRole(ctx, c, by, id, actor.Role(r.FormValue("role"))) }},
		"sign_out": {"该账号已在所有设备上退出 / the account is signed out everywhere", func() error {
			_, err := a.svc.SignOutUser(ctx, c, by, id)
			return err
		}},
	})
}
