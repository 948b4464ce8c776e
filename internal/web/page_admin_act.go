package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// The admin's forms: create and revoke API keys, create, disable, enable
// and delete webhook endpoints, create, disable and enable agents and
// senior agents. Each action is one transaction with its audit row (actor,
// time, target); a key or signing secret is shown once, in the answer to
// the form that created it, and never stored in plain.

// audit is the audit row of an admin action by the signed-in user.
func (a *App) audit(s *session, action, detail string) store.AdminAudit {
	return store.AdminAudit{ID: uuid.Must(uuid.NewV7()).String(), ActorID: s.User.ID, ActorLogin: s.User.Login, Action: action, Detail: detail, At: a.svc.Now()}
}

// newAPIKey returns a fresh plain key and the hash the API looks it up by
// (the format of service.NewAPIKey: "wq_" + 32 random bytes, SHA-256 hex).
func newAPIKey() (plain, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	plain = "wq_" + base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(plain))
	return plain, hex.EncodeToString(sum[:])
}

// adminKeyCreate creates an API key and shows it once.
func (a *App) adminKeyCreate(w http.ResponseWriter, r *http.Request, s *session) error {
	role, party, name := r.FormValue("role"), strings.TrimSpace(r.FormValue("party")), strings.TrimSpace(r.FormValue("name"))
	if name == "" || len([]rune(name)) > 100 {
		return fault.Field("name", "名称须为1–100个字符 / the name is 1–100 characters")
	}
	if err := service.CheckKeyRole(actor.Role(role), party); err != nil {
		return err
	}
	plain, hash := newAPIKey()
	k := store.APIKey{ID: uuid.Must(uuid.NewV7()).String(), Hash: hash, Role: role, PartyID: party, Name: name, CreatedAt: a.svc.Now()}
	if err := a.svc.Store().CreateAPIKeyAudited(r.Context(), k, a.audit(s, "api_key.created", fmt.Sprintf("%s (%s)", name, role))); err != nil {
		return err
	}
	a.log.Info("web: API key created", "id", k.ID, "role", role, "by", s.User.Login)
	return a.renderAdminKeys(w, r, s, &createdSecret{ID: k.ID, Name: name, Secret: plain})
}

// adminKeyRevoke revokes an API key.
func (a *App) adminKeyRevoke(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PathValue("id")
	if err := a.svc.Store().RevokeAPIKey(r.Context(), id, a.audit(s, "api_key.revoked", "")); err != nil {
		return err
	}
	a.log.Info("web: API key revoked", "id", id, "by", s.User.Login)
	setFlash(w, r, "API 密钥已吊销 / the API key is revoked")
	http.Redirect(w, r, "/admin/keys", http.StatusSeeOther)
	return nil
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
	now := a.svc.Now()
	ep := store.WebhookEndpoint{URL: strings.TrimSpace(r.FormValue("url")), EventTypes: types, Description: desc,
		Enabled: r.FormValue("enabled") != "0", CreatedAt: now}
	ep, err := a.svc.Store().CreateWebhookEndpointAudited(r.Context(), ep, a.audit(s, "webhook.created", ""))
	if err != nil {
		return err
	}
	a.log.Info("web: webhook endpoint created", "id", ep.ID, "url", ep.URL, "by", s.User.Login)
	return a.renderAdminWebhooks(w, r, s, &createdSecret{ID: ep.ID, Name: ep.URL, Secret: ep.Secret})
}

// adminWebhookAct disables, enables or deletes an endpoint.
func (a *App) adminWebhookAct(w http.ResponseWriter, r *http.Request, s *session) error {
	id, act, st := r.PathValue("id"), r.FormValue("action"), a.svc.Store()
	var err error
	var done string
	switch act {
	case "disable", "enable":
		err = st.SetWebhookEndpointEnabled(r.Context(), id, act == "enable", a.audit(s, "webhook."+act+"d", ""))
		done = map[string]string{"disable": "Webhook 端点已停用 / the endpoint is disabled", "enable": "Webhook 端点已启用 / the endpoint is enabled"}[act]
	case "delete":
		err = st.DeleteWebhookEndpointAudited(r.Context(), id, a.audit(s, "webhook.deleted", ""))
		done = "Webhook 端点已删除 / the endpoint is deleted"
	default:
		return fault.Field("action", "未知操作 %q / unknown action %q", act, act)
	}
	if err != nil {
		return err
	}
	a.log.Info("web: webhook endpoint "+act, "id", id, "by", s.User.Login)
	setFlash(w, r, done)
	http.Redirect(w, r, "/admin/webhooks", http.StatusSeeOther)
	return nil
}

// staffRoles are the roles the people page creates and disables.
var staffRoles = []string{string(service.RoleAgent), string(service.RoleSenior)}

// adminUserCreate creates an agent or a senior agent.
func (a *App) adminUserCreate(w http.ResponseWriter, r *http.Request, s *session) error {
	role := r.FormValue("role")
	if !contains(staffRoles, role) {
		return fault.Field("role", "只能在此创建客服或高级专员 / only agents and senior agents are created here")
	}
	u, err := newWebUser(a.svc, NewUser{Login: strings.TrimSpace(r.FormValue("login")), Password: r.FormValue("password"), Role: actor.Role(role),
		DisplayName: strings.TrimSpace(r.FormValue("display_name"))})
	if err != nil {
		return err
	}
	if err := a.svc.Store().CreateWebUserAudited(r.Context(), u, a.audit(s, "user.created", u.Login+" ("+role+")")); err != nil {
		return err
	}
	a.log.Info("web: user created", "login", u.Login, "role", role, "by", s.User.Login)
	setFlash(w, r, fmt.Sprintf("已创建 %s / %s created", u.Login, u.Login))
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

// adminUserAct disables (ending its sessions) or enables an agent or a
// senior agent.
func (a *App) adminUserAct(w http.ResponseWriter, r *http.Request, s *session) error {
	id, act := r.PathValue("id"), r.FormValue("action")
	if act != "disable" && act != "enable" {
		return fault.Field("action", "未知操作 %q / unknown action %q", act, act)
	}
	if err := a.svc.Store().SetWebUserDisabled(r.Context(), id, act == "disable", staffRoles, a.audit(s, "user."+act+"d", "")); err != nil {
		return err
	}
	a.log.Info("web: user "+act, "id", id, "by", s.User.Login)
	msg := "账号已停用 / the account is disabled"
	if act == "enable" {
		msg = "账号已启用 / the account is enabled"
	}
	setFlash(w, r, msg)
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}
