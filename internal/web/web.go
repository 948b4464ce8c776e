// Package web is weiquan's pages: sign-in with sessions, the buyer and
// seller portal (orders, requests, cases, complaints, points and
// sanctions, a seller's service quality), the agents' workbench (search,
// filters, views, computed priority, SLA colours, party histories, bulk
// claim / release / reassign, keyboard shortcuts; then the complaint
// queues), case page (evidence viewer
// with abusive chat spans marked, burden-of-proof checklist, judgment form
// with a ledger preview, advance payment, reply-script suggestions and draft
// lint as the agent types) and a party's standing page, the admin views
// (rule book with versions, diffs and publishing; API keys, webhook
// endpoints and agents created, revoked or disabled, each action audited)
// and the dashboards, in Chinese (zh-CN, the default) and English.
//
// Layout (miniflux-style): html/template views embedded with go:embed, one
// layout with partials, and a startup check that every page a handler names
// exists (and every page file is used); one file per page action (page_*.go),
// each with its typed view-model. htmx 2.0.11 and Apache ECharts 6.1.0 are
// vendored in static/vendor and served from the binary (no CDN).
//
// The pages call internal/service for every use case; the few reads and
// writes the service has no method for (users, sessions, reveal log, admin
// actions with their audit rows, the sign-in failure counter, dashboard
// read models) are store methods in internal/store/web.go and webadmin.go.
//
// Sign-in: staff sign in with a password and a TOTP code (enrolled at the
// first sign-in); buyers and sellers through the marketplace's sign-in
// links (GET /sign-in?token=…). Failed sign-ins are throttled per login
// across addresses and per address across logins, with exponential
// back-off (429 + Retry-After), never a lock-out; the client address comes
// from X-Forwarded-For only behind a trusted proxy. Sessions end after 12
// hours, or 30 minutes idle, on sign-out everywhere, and when the account
// is disabled, its password reset or its role changed; expired sessions
// are purged at every sign-in.
//
// Security: session cookies are HttpOnly, SameSite=Lax and Secure (except on
// plain HTTP to a loopback address, for local use); every POST passes
// net/http's CrossOriginProtection (Sec-Fetch-Site / Origin) and carries the
// session's CSRF token. Buyers and sellers see only their own objects
// (service visibility rules: anything else is 404); agents see personal data
// masked, and every reveal is logged.
package web

import (
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/httpx"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/textengine"
)

// Options configure the pages.
type Options struct {
	// StrictMessages makes a missing message key fail the page (tests).
	StrictMessages bool
	// SecureCookies forces the Secure attribute even on plain-HTTP loopback.
	SecureCookies bool
	// Text is the process's one set of text engines, shared with the JSON
	// API (built at start-up); nil gives keyword-only engines of the pages'
	// own.
	Text *textengine.Engines
	// TrustedProxies are the proxies (CIDRs) whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; anyone else's are ignored.
	TrustedProxies []netip.Prefix
	// NoStaffTOTP lets agents, senior agents and admins sign in with a
	// password alone (the demo and tests); by default they need a TOTP code.
	NoStaffTOTP bool
}

// App serves the pages.
type App struct {
	svc  *service.Service
	log  *slog.Logger
	opts Options
	tpl  *engine
	cop  *http.CrossOriginProtection

	rulesMu     sync.Mutex // guards rules and rulesDigest (ruleIDSet)
	rules       map[string]bool
	rulesDigest string
	// pages is the route table, for re-rendering a page a refused form
	// came from (formstate.go).
	pages http.Handler
}

// New builds the pages; it fails when a view is missing or does not parse.
func New(svc *service.Service, log *slog.Logger, o Options) (*App, error) {
	if log == nil {
		log = slog.Default()
	}
	if o.Text == nil {
		o.Text = textengine.New(nil)
	}
	eng, err := newEngine(viewsFS)
	if err != nil {
		return nil, err
	}
	a := &App{svc: svc, log: log, opts: o, tpl: eng, cop: http.NewCrossOriginProtection()}
	a.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.log.Warn("web: cross-origin request refused", "method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"))
		http.Error(w, "跨站请求被拒绝 / cross-origin request refused", http.StatusForbidden)
	}))
	return a, nil
}

// Mount serves the JSON API (/v1/…, /healthz, /readyz, /metrics) with api
// and everything else with the pages.
func Mount(api, pages http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasPrefix(p, "/v1/") || p == "/v1" || p == "/healthz" || p == "/readyz" || p == "/metrics" {
			api.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
}

// uploadReadTimeout is a multipart form's read deadline.
const uploadReadTimeout = 10 * time.Minute

// maxPostBytes bounds a form post (evidence uploads are the largest).
const maxPostBytes = 64 << 20

// handlerFunc is a page action: it writes the response or returns an error
// that the adapter renders as an error page.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session) error

// Handler returns the pages' routes.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", staticHandler())
	a.public(mux, "GET /login", a.loginForm)
	a.public(mux, "POST /login", a.loginSubmit)
	a.public(mux, "GET /login/totp", a.totpForm)
	a.public(mux, "POST /login/totp", a.totpSubmit)
	a.public(mux, "GET /sign-in", a.signInLink)
	a.signedIn(mux, "POST /logout/everywhere", a.logoutEverywhere)
	a.public(mux, "POST /lang", a.setLang)
	a.signedIn(mux, "POST /logout", a.logout)
	a.signedIn(mux, "GET /{$}", a.home)
	a.party(mux, "GET /portal", a.portal)
	a.party(mux, "GET /orders/{id}", a.orderView)
	a.party(mux, "GET /orders/{id}/request", a.requestForm)
	a.party(mux, "POST /orders/{id}/request", a.requestCreate)
	a.signedIn(mux, "GET /requests/{id}", a.requestView)
	a.party(mux, "POST /requests/{id}/act", a.requestAct)
	a.party(mux, "POST /requests/{id}/messages", a.requestMessage)
	a.party(mux, "GET /messages", a.inbox)
	a.signedIn(mux, "GET /rules", a.rulesView)
	a.party(mux, "POST /messages/{id}/read", a.inboxOpen)
	a.signedIn(mux, "POST /cases/{id}/evidence", a.evidenceUpload)
	a.signedIn(mux, "GET /evidence/{id}", a.evidenceContent)
	a.signedIn(mux, "GET /cases/{id}", a.caseView)
	a.signedIn(mux, "POST /cases/{id}/act", a.caseAct)
	a.staff(mux, "POST /cases/{id}/preview", a.judgmentPreview)
	a.staff(mux, "POST /cases/{id}/judge", a.judgmentSubmit)
	a.staff(mux, "POST /cases/{id}/reveal", a.reveal)
	a.signedIn(mux, "POST /assist/lint", a.lintDraft)
	a.party(mux, "GET /orders/{id}/complaint", a.complaintForm)
	a.party(mux, "POST /orders/{id}/complaint", a.complaintCreate)
	a.signedIn(mux, "GET /complaints/{id}", a.complaintView)
	a.signedIn(mux, "POST /complaints/{id}/act", a.complaintAct)
	a.staff(mux, "GET /workbench", a.workbench)
	a.staff(mux, "POST /workbench/assign", a.workbenchAssign)
	a.staff(mux, "GET /dashboard", a.dashboard)
	a.admin(mux, "GET /admin/rules", a.adminRules)
	a.admin(mux, "POST /admin/rules", a.adminRulesSave)
	a.admin(mux, "POST /admin/rules/preview", a.adminRulesPreview)
	a.admin(mux, "GET /admin/keys", a.adminKeys)
	a.admin(mux, "GET /admin/reveals", a.adminReveals)
	a.admin(mux, "POST /admin/keys", a.adminKeyCreate)
	a.admin(mux, "POST /admin/keys/{id}/revoke", a.adminKeyRevoke)
	a.admin(mux, "POST /admin/keys/{id}/rotate", a.adminKeyRotate)
	a.admin(mux, "GET /admin/users", a.adminUsers)
	a.admin(mux, "POST /admin/users", a.adminUserCreate)
	a.admin(mux, "POST /admin/users/{id}/act", a.adminUserAct)
	a.admin(mux, "GET /admin/webhooks", a.adminWebhooks)
	a.admin(mux, "GET /admin/calendar", a.adminCalendar)
	a.admin(mux, "POST /admin/calendar", a.adminCalendarImport)
	a.admin(mux, "POST /admin/webhooks", a.adminWebhookCreate)
	a.admin(mux, "POST /admin/webhooks/{id}/act", a.adminWebhookAct)
	a.admin(mux, "GET /admin/webhooks/{id}/deliveries", a.adminWebhookDeliveries)
	a.staff(mux, "GET /parties/{role}/{id}", a.partyStanding)
	a.signedIn(mux, "POST /complaints/{id}/evidence", a.complaintEvidenceUpload)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, r, nil, fault.New(fault.NotFound, "页面不存在 / page not found"))
	})
	a.pages = mux
	return httpx.WithRequestID(httpx.AccessLog(a.log, nil, httpx.Recover(a.log, a.cop.Handler(securityHeaders(mux)))))
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		h.ServeHTTP(w, r)
	})
}

// public routes need no session (the sign-in form, the language switch).
func (a *App) public(mux *http.ServeMux, pattern string, h handlerFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s, _ := a.currentSession(r)
		a.run(w, r, s, h)
	})
}

func (a *App) signedIn(mux *http.ServeMux, pattern string, h handlerFunc, roles ...actor.Role) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s, err := a.currentSession(r)
		if err != nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			a.fail(w, r, nil, fault.New(fault.Unauthorized, "请先登录 / please sign in"))
			return
		}
		if len(roles) > 0 && !slices.Contains(roles, s.role()) {
			// A page of another role does not exist for this user.
			a.fail(w, r, s, fault.New(fault.NotFound, "页面不存在 / page not found"))
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxPostBytes)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
				// An evidence upload may take longer than the server's
				// read timeout for other requests.
				_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadReadTimeout))
			}
		}
		if r.Method == http.MethodPost && !s.checkCSRF(r) {
			a.errorPage(w, r, s, http.StatusForbidden, "表单已过期，请刷新页面后重试 / the form expired: reload the page and try again")
			return
		}
		a.run(w, r, s, h)
	})
}

func (a *App) party(mux *http.ServeMux, pattern string, h handlerFunc) {
	a.signedIn(mux, pattern, h, actor.Buyer, actor.Seller)
}

func (a *App) staff(mux *http.ServeMux, pattern string, h handlerFunc) {
	a.signedIn(mux, pattern, h, actor.Agent, actor.Senior, actor.Admin)
}

func (a *App) admin(mux *http.ServeMux, pattern string, h handlerFunc) {
	a.signedIn(mux, pattern, h, actor.Admin)
}

func (a *App) run(w http.ResponseWriter, r *http.Request, s *session, h handlerFunc) {
	if r.Method == http.MethodPost && s == nil && r.URL.Path != "/login" && r.URL.Path != "/login/totp" && r.URL.Path != "/lang" {
		a.fail(w, r, nil, fault.New(fault.Unauthorized, "请先登录 / please sign in"))
		return
	}
	// Text no store keeps alike (NUL, not UTF-8) in the path, the query or
	// a form is refused before any handler, naming the field.
	if err := checkFormText(r); err != nil {
		a.fail(w, r, s, err)
		return
	}
	if err := h(w, r, s); err != nil {
		a.fail(w, r, s, err)
	}
}

// checkFormText applies httpx.CheckText to the path, the query and an
// URL-encoded form (multipart forms are checked where they are read).
func checkFormText(r *http.Request) error {
	if err := httpx.CheckRequestText(r); err != nil {
		return err
	}
	if r.Method != http.MethodPost {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return nil // the handler's own ParseForm / FormValue meets it
	}
	return httpx.CheckValues(r.PostForm)
}

// errorPage is the view-model of the error page.
type errorPage struct {
	Base
	Status  int
	Message string
}

// fail renders an error: a form error re-renders the page it came from
// with the form as it was sent and the problem by its field (formstate.go);
// anything else is the error page with its status.
func (a *App) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	fe, ok := fault.As(err)
	switch {
	case fault.StorageUnavailable(err):
		fe = &fault.Error{Code: fault.Unavailable, Message: httpx.StorageUnavailableMessage}
	case !ok:
		a.log.Error("web: page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		fe = &fault.Error{Code: fault.Internal, Message: "服务器内部错误 / internal error"}
	}
	status := httpx.Status(fe) // the one code→status table
	formError := fe.Code == fault.Invalid || fe.Code == fault.Conflict || fe.Code == fault.Forbidden ||
		fe.Code == fault.PayloadTooBig || fe.Code == fault.Unprocessable
	if r.Method == http.MethodPost && s != nil && formError {
		if r.Header.Get("HX-Request") == "true" {
			// htmx swaps 2xx only: answer 200 with the message in place.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<p class="flash error" role="alert">` + htmlEscape(fe.Message) + `</p>`))
			return
		}
		// The page the form came from, again, with what was typed and
		// the problem beside its field.
		if back, ok := formBack(r); ok && a.rerender(w, r, fe, status, back) {
			return
		}
	}
	a.errorPage(w, r, s, status, fe.Message)
}

func (a *App) errorPage(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	v := errorPage{Base: a.base(r, s, "title.error"), Status: status, Message: msg}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(fault.RetryAfterSeconds))
	}
	a.render(w, r, status, "error", &v)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
