package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// adminRulesPage is the rule book in force and its recorded versions, each
// with what changed from the one before (read view: the rule book is
// edited as a file and loaded at start).
type adminRulesPage struct {
	Base
	Book     *policy.Book
	Rules    []ruleVM
	Versions []policyVersionVM
	JSON     string // the book in force, for the edit form (or the edit being previewed)
	Preview  *replayVM
}

// policyVersionVM is a recorded rule book and its diff to the previous one.
type policyVersionVM struct {
	store.PolicyVersion
	Changes []ruleChange
	First   bool
}

// ruleChange is one rule that differs between two versions.
type ruleChange struct {
	Key      string
	Old, New string
}

func (a *App) adminRules(w http.ResponseWriter, r *http.Request, s *session) error {
	return a.renderRules(w, r, s, "", nil)
}

// renderRules renders the rules page; edit, when not empty, is the text
// the form keeps, and preview the replay of it.
func (a *App) renderRules(w http.ResponseWriter, r *http.Request, s *session, edit string, preview *replayVM) error {
	v := adminRulesPage{Base: a.base(r, s, "title.admin_rules"), Book: a.svc.Policy(), Preview: preview}
	keys := make([]string, 0, len(v.Book.Rules))
	for k := range v.Book.Rules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rule := v.Book.Rules[k]
		v.Rules = append(v.Rules, ruleVM{Key: k, ID: rule.ID, TitleZH: rule.TitleZH, TitleEN: rule.TitleEN, Value: rule.Value})
	}
	versions, err := a.svc.PolicyVersions(r.Context(), s.Caller())
	if err != nil {
		return err
	}
	books := make([]*policy.Book, len(versions))
	for i, pv := range versions {
		books[i], _ = policy.ParseStored(pv.Body)
	}
	for i, pv := range versions {
		vm := policyVersionVM{PolicyVersion: pv, First: i == len(versions)-1}
		if i+1 < len(versions) && books[i] != nil && books[i+1] != nil {
			for _, ch := range policy.Diff(books[i+1], books[i]) {
				vm.Changes = append(vm.Changes, ruleChange{Key: ch.Key, Old: ch.Old, New: ch.New})
			}
		}
		v.Versions = append(v.Versions, vm)
	}
	v.JSON = editableJSON(v.Book)
	if edit != "" {
		v.JSON = edit
	}
	a.render(w, r, http.StatusOK, "admin_rules", &v)
	return nil
}

// adminRulesSave makes an edited rule book the version in force
// (validated; a bad key is named in the flash message).
func (a *App) adminRulesSave(w http.ResponseWriter, r *http.Request, s *session) error {
	ch, err := a.svc.SetPolicy(r.Context(), s.Caller(), []byte(r.FormValue("book")))
	if err != nil {
		return inField(err, "book")
	}
	return flashTo(w, r, fmt.Sprintf("规则书 %s 已生效（%d 处变化） / rule book %s in force (%d changes)", ch.Version, len(ch.Diff), ch.Version, len(ch.Diff)), "/admin/rules")
}

// createdSecret is a key or signing secret just created: shown once, in
// the answer to the form that created it.
type createdSecret struct {
	ID, Name, Secret string
}

// adminKeysPage lists the API keys (metadata only), the form that creates
// one (the plain key is shown once) and the audit of key actions.
type adminKeysPage struct {
	Base
	Keys    []store.APIKey
	Roles   []actor.Role
	Created *createdSecret
	Audit   []store.AdminAudit
	now     time.Time
}

// Live reports whether a key still authenticates (not revoked, not expired).
func (p *adminKeysPage) Live(k store.APIKey) bool { return k.Live(p.now) }

func (a *App) adminKeys(w http.ResponseWriter, r *http.Request, s *session) error {
	return a.renderAdminKeys(w, r, s, nil)
}

func (a *App) renderAdminKeys(w http.ResponseWriter, r *http.Request, s *session, created *createdSecret) error {
	keys, audit, err := withAudit(a, r, s, "api_key", func() ([]store.APIKey, error) { return a.svc.ListAPIKeys(r.Context(), s.Caller()) })
	if err != nil {
		return err
	}
	v := adminKeysPage{Base: a.base(r, s, "title.admin_keys"), Keys: keys, Roles: service.Roles, Created: created, Audit: audit, now: a.svc.Now()}
	a.render(w, r, http.StatusOK, "admin_keys", &v)
	return nil
}

// adminWebhooksPage lists the webhook endpoints (secrets never listed),
// the form that creates one (its secret shown once), and the audit.
type adminWebhooksPage struct {
	Base
	Endpoints []store.WebhookEndpoint
	Created   *createdSecret
	Audit     []store.AdminAudit
}

func (a *App) adminWebhooks(w http.ResponseWriter, r *http.Request, s *session) error {
	return a.renderAdminWebhooks(w, r, s, nil)
}

func (a *App) renderAdminWebhooks(w http.ResponseWriter, r *http.Request, s *session, created *createdSecret) error {
	eps, audit, err := withAudit(a, r, s, "webhook", func() ([]store.WebhookEndpoint, error) { return a.svc.ListWebhooks(r.Context(), s.Caller(), "", 200) })
	if err != nil {
		return err
	}
	for i := range eps {
		eps[i].Secret = ""
	}
	v := adminWebhooksPage{Base: a.base(r, s, "title.admin_webhooks"), Endpoints: eps, Created: created, Audit: audit}
	a.render(w, r, http.StatusOK, "admin_webhooks", &v)
	return nil
}

// adminDeliveriesPage is an endpoint's delivery log: its newest messages'
// deliveries (attempts, last status and error, next attempt, state), a
// dead one with the button that redelivers it.
type adminDeliveriesPage struct {
	Base
	Endpoint   store.WebhookEndpoint
	Deliveries []store.Delivery
	State      string
}

// failing reports whether a pending delivery's last attempt failed.
func (adminDeliveriesPage) Failing(d store.Delivery) bool {
	return d.State == store.DeliveryPending && d.LastError != ""
}

func (a *App) adminWebhookDeliveries(w http.ResponseWriter, r *http.Request, s *session) error {
	id, state := r.PathValue("id"), r.URL.Query().Get("state")
	var ep store.WebhookEndpoint
	eps, err := a.svc.ListWebhooks(r.Context(), s.Caller(), "", 200)
	if err != nil {
		return err
	}
	for _, e := range eps {
		if e.ID == id {
			ep = e
		}
	}
	ds, err := a.svc.ListWebhookDeliveries(r.Context(), s.Caller(), id, state, "", 200)
	if err != nil {
		return err
	}
	ep.Secret, ep.PreviousSecret = "", ""
	v := adminDeliveriesPage{Base: a.base(r, s, "title.admin_deliveries"), Endpoint: ep, Deliveries: ds, State: state}
	a.render(w, r, http.StatusOK, "admin_deliveries", &v)
	return nil
}

// editableJSON is the book as an admin edits it: the stored form without
// the digest (computed from the content on parse).
func editableJSON(b *policy.Book) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b.JSON(), &m); err != nil {
		return string(b.JSON())
	}
	delete(m, "digest")
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return string(b.JSON())
	}
	return string(out)
}

// adminUsersPage lists the people who sign in (agents and senior agents
// first; personal data is not shown), the form that creates an agent or a
// senior agent, the disable / enable buttons and the audit.
type adminUsersPage struct {
	Base
	Users      []store.WebUser
	StaffRoles []actor.Role
	Audit      []store.AdminAudit
}

// Manageable reports whether the people page may disable or enable the user.
func (p *adminUsersPage) Manageable(u store.WebUser) bool {
	return slices.Contains(service.StaffRoles, actor.Role(u.Role))
}

func (a *App) adminUsers(w http.ResponseWriter, r *http.Request, s *session) error {
	users, audit, err := withAudit(a, r, s, "user", func() ([]store.WebUser, error) { return a.svc.ListWebUsers(r.Context(), s.Caller(), 500) })
	if err != nil {
		return err
	}
	rank := map[string]int{"agent": 0, "senior_agent": 1, "admin": 2, "seller": 3, "buyer": 4}
	sort.SliceStable(users, func(i, j int) bool { return rank[users[i].Role] < rank[users[j].Role] })
	v := adminUsersPage{Base: a.base(r, s, "title.admin_users"), Users: users, StaffRoles: service.StaffRoles, Audit: audit}
	a.render(w, r, http.StatusOK, "admin_users", &v)
	return nil
}

// withAudit reads what an admin page lists and the last 50 audit rows of
// its kind of target.
func withAudit[T any](a *App, r *http.Request, s *session, kind string, list func() (T, error)) (T, []store.AdminAudit, error) {
	v, err := list()
	if err != nil {
		return v, nil, err
	}
	audit, err := a.svc.AdminAudits(r.Context(), s.Caller(), kind, 50)
	return v, audit, err
}

// adminRevealsPage is the personal-data reveal log (PIPL art. 51).
type adminRevealsPage struct {
	Base
	Reveals []store.PIIReveal
}

func (a *App) adminReveals(w http.ResponseWriter, r *http.Request, s *session) error {
	rev, err := a.svc.PIIRevealLog(r.Context(), s.Caller(), 500)
	if err != nil {
		return err
	}
	v := adminRevealsPage{Base: a.base(r, s, "title.admin_reveals"), Reveals: rev}
	a.render(w, r, http.StatusOK, "admin_reveals", &v)
	return nil
}

// adminCalendarPage shows the working-day calendar's years and coverage
// and the form that imports a calendar file.
type adminCalendarPage struct {
	Base
	Status service.CalendarStatus
}

func (a *App) adminCalendar(w http.ResponseWriter, r *http.Request, s *session) error {
	v := adminCalendarPage{Base: a.base(r, s, "title.admin_calendar"), Status: a.svc.CalendarStatus()}
	a.render(w, r, http.StatusOK, "admin_calendar", &v)
	return nil
}

// adminCalendarImport imports an uploaded calendar file (a bad one is
// refused naming the field, in the flash message).
func (a *App) adminCalendarImport(w http.ResponseWriter, r *http.Request, s *session) error {
	f, _, err := r.FormFile("file")
	if err != nil {
		return fault.Field("file", "请选择日历文件 / choose a calendar file")
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return err
	}
	im, err := a.svc.ImportCalendar(r.Context(), s.Caller(), raw)
	if err != nil {
		return err
	}
	setFlash(w, r, fmt.Sprintf("已导入工作日历 #%d：%v / calendar #%d imported: %v", im.Seq, im.Years, im.Seq, im.Years))
	http.Redirect(w, r, "/admin/calendar", http.StatusSeeOther)
	return nil
}
