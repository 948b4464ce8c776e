package web

import (
	"net/http"
	"strings"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
)

// loginPage is the sign-in form's view-model.
type loginPage struct {
	Base
	Login string
	Next  string
	Error bool
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
	u, err := a.svc.Store().WebUserByLogin(r.Context(), login)
	if err != nil && !fault.Is(err, fault.NotFound) {
		return err
	}
	if !checkPassword(u, err == nil, r.FormValue("password")) {
		a.log.Info("web: sign-in refused", "login", login)
		v := loginPage{Base: a.base(r, nil, "title.login"), Login: login, Next: r.FormValue("next"), Error: true}
		a.render(w, r, http.StatusUnauthorized, "login", &v)
		return nil
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
	switch s.User.Role {
	case service.RoleAgent, service.RoleSenior:
		to = "/workbench"
	case service.RoleAdmin:
		to = "/dashboard"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
