package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	login := strings.TrimSpace(r.FormValue("login"))
	if len(login) > 128 {
		login = login[:128]
	}
	page := func(status int, v loginPage) error {
		v.Base, v.Login, v.Next = a.base(r, nil, "title.login"), login, r.FormValue("next")
		a.render(w, r, status, "login", &v)
		return nil
	}
	u, err := a.svc.SignIn(r.Context(), login, r.FormValue("password"), clientIP(r))
	switch {
	case errors.Is(err, service.ErrSignInLimited):
		w.Header().Set("Retry-After", strconv.Itoa(int(service.SignInWindow/time.Second)))
		return page(http.StatusTooManyRequests, loginPage{Locked: int(service.SignInWindow / time.Minute)})
	case errors.Is(err, service.ErrSignInRefused):
		return page(http.StatusUnauthorized, loginPage{Error: true})
	case errors.Is(err, service.ErrUserDisabled):
		return page(http.StatusForbidden, loginPage{Disabled: true})
	case err != nil:
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
	case actor.Agent, actor.Senior:
		to = "/workbench"
	case actor.Admin:
		to = "/dashboard"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
