package web

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
)

// loginPage is the sign-in form's view-model.
type loginPage struct {
	Base
	Login    string
	Next     string
	Error    bool
	Disabled bool // the password was right but the account is disabled
	Locked   int  // minutes until the sign-in rate limit lets this login try again
}

// The sign-in rate limit: after signInMaxFailures failed sign-ins of one
// login from one address within signInWindow, that login is refused from
// that address (429) until the oldest failure leaves the window.
const (
	signInMaxFailures = 5
	signInWindow      = 15 * time.Minute
)

// clientIP is the address the request came from (the TCP peer: a
// forwarded-for header is not trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (a *App) loginForm(w http.ResponseWriter, r *http.Request, s *session) error {
	if s != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	v := loginPage{Base: a.base(r, nil, "title.login"), Next: r.URL.Query().Get("next")}
	a.render(w, r, http.StatusOK, "login", &v)
	return nil
}

func (a *App) loginSubmit(w http.ResponseWriter, r *http.Request, _ *session) error {
	ctx, st, now := r.Context(), a.svc.Store(), a.svc.Now()
	login := strings.TrimSpace(r.FormValue("login"))
	if len(login) > 128 {
		login = login[:128]
	}
	ip := clientIP(r)
	page := func(status int, v loginPage) error {
		v.Base, v.Login, v.Next = a.base(r, nil, "title.login"), login, r.FormValue("next")
		a.render(w, r, status, "login", &v)
		return nil
	}
	failures, err := st.SignInFailures(ctx, login, ip, now.Add(-signInWindow))
	if err != nil {
		return err
	}
	if failures >= signInMaxFailures {
		a.log.Warn("web: sign-in rate limited", "login", login, "ip", ip, "failures", failures)
		mins := int(signInWindow / time.Minute)
		w.Header().Set("Retry-After", strconv.Itoa(int(signInWindow/time.Second)))
		return page(http.StatusTooManyRequests, loginPage{Locked: mins})
	}
	u, err := st.WebUserByLogin(ctx, login)
	if err != nil && !fault.Is(err, fault.NotFound) {
		return err
	}
	if !checkPassword(u, err == nil, r.FormValue("password")) {
		a.log.Info("web: sign-in refused", "login", login, "ip", ip)
		if err := st.RecordSignInFailure(ctx, login, ip, now, now.Add(-signInWindow)); err != nil {
			return err
		}
		return page(http.StatusUnauthorized, loginPage{Error: true})
	}
	if u.DisabledAt != nil {
		a.log.Info("web: sign-in of a disabled user", "login", login)
		return page(http.StatusForbidden, loginPage{Disabled: true})
	}
	if err := st.ClearSignInFailures(ctx, login, ip); err != nil {
		return err
	}
	if err := a.startSession(w, r, u); err != nil {
		return err
	}
	next := r.FormValue("next")
	if !localPath(next) {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (a *App) logout(w http.ResponseWriter, r *http.Request, s *session) error {
	if err := a.endSession(w, r, s); err != nil {
		return err
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// home sends each role to its start page.
func (a *App) home(w http.ResponseWriter, r *http.Request, s *session) error {
	to := "/portal"
	switch s.role() {
	case service.RoleAgent, service.RoleSenior:
		to = "/workbench"
	case service.RoleAdmin:
		to = "/dashboard"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
