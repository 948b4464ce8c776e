package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
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
	Locked   int  // seconds until the throttle lets this login (or address) try again
}

func (a *App) loginForm(w http.ResponseWriter, r *http.Request, s *session) error {
	if s != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	v := loginPage{Base: a.base(r, nil, "title.login"), Next: r.URL.Query().Get("next")}
	if !localPath(v.Next) {
		v.Next = ""
	}
	a.render(w, r, http.StatusOK, "login", &v)
	return nil
}

// throttled answers 429 with Retry-After (whole seconds, rounded up).
func throttled(w http.ResponseWriter, err error) (int, bool) {
	var te *service.ThrottledError
	if !errors.As(err, &te) {
		return 0, false
	}
	secs := int((te.Wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return secs, true
}

func (a *App) loginSubmit(w http.ResponseWriter, r *http.Request, _ *session) error {
	login := strings.TrimSpace(r.FormValue("login"))
	if len(login) > 128 {
		login = login[:128]
	}
	next := safeNext(r.FormValue("next"))
	page := func(status int, v loginPage) error {
		v.Base, v.Login, v.Next = a.base(r, nil, "title.login"), login, next
		a.render(w, r, status, "login", &v)
		return nil
	}
	u, err := a.svc.SignIn(r.Context(), login, r.FormValue("password"), a.clientIP(r))
	if secs, ok := throttled(w, err); ok {
		return page(http.StatusTooManyRequests, loginPage{Locked: secs})
	}
	switch {
	case errors.Is(err, service.ErrSignInRefused):
		return page(http.StatusUnauthorized, loginPage{Error: true})
	case errors.Is(err, service.ErrUserDisabled):
		return page(http.StatusForbidden, loginPage{Disabled: true})
	case err != nil:
		return err
	}
	if service.NeedsTOTP(u) && !a.opts.NoStaffTOTP {
		// The password was right: a pending session waits for the code.
		tok, ws := a.newSession(u.ID, true)
		if err := a.svc.StartWebSession(r.Context(), ws); err != nil {
			return err
		}
		a.setSessionCookie(w, r, pendingCookie, tok, int(service.PendingTTL/time.Second))
		http.Redirect(w, r, "/login/totp?next="+urlQueryEscape(next), http.StatusSeeOther)
		return nil
	}
	if err := a.startSession(w, r, u); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// totpPage is the second step of a staff sign-in: the code, and at the
// first sign-in the enrolment (secret, otpauth URL, QR code).
type totpPage struct {
	Base
	Next   string
	Enrol  bool
	Secret string
	URL    string
	QR     template.URL // data: URL of the QR code's PNG
	Error  string
	Locked int
}

// pendingHash is the pending session's token hash ("" without one).
func (a *App) pendingHash(r *http.Request) string {
	c, err := r.Cookie(a.cookieName(r, pendingCookie))
	if err != nil || c.Value == "" {
		return ""
	}
	return hashToken(c.Value)
}

func (a *App) totpView(r *http.Request, msg string, locked int) (totpPage, error) {
	v := totpPage{Base: a.base(r, nil, "title.login"), Next: safeNext(r.FormValue("next")), Error: msg, Locked: locked}
	_, u, err := a.svc.PendingWebSession(r.Context(), a.pendingHash(r))
	if err != nil {
		return v, err
	}
	if u.TOTPEnabledAt == nil {
		en, err := a.svc.BeginTOTP(r.Context(), u)
		if err != nil {
			return v, err
		}
		v.Enrol, v.Secret, v.URL = true, en.Secret, en.URL
		if img, err := en.Key.Image(200, 200); err == nil {
			var b bytes.Buffer
			if png.Encode(&b, img) == nil {
				v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes()))
			}
		}
	}
	return v, nil
}

func (a *App) totpForm(w http.ResponseWriter, r *http.Request, _ *session) error {
	v, err := a.totpView(r, "", 0)
	if fault.Is(err, fault.NotFound) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	a.render(w, r, http.StatusOK, "login_totp", &v)
	return nil
}

// totpSubmit checks the code: right, the pending session becomes a full
// one (a fresh token); wrong, the form again (counted by the throttle).
func (a *App) totpSubmit(w http.ResponseWriter, r *http.Request, _ *session) error {
	tok, ws := a.newSession("", false)
	_, err := a.svc.CompleteTOTP(r.Context(), a.pendingHash(r), r.FormValue("code"), a.clientIP(r), ws)
	if fault.Is(err, fault.NotFound) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	secs, limited := throttled(w, err)
	if fe, ok := fault.As(err); limited || (ok && fe.Field == "code") {
		v, verr := a.totpView(r, "", secs)
		if verr != nil {
			return verr
		}
		status := http.StatusTooManyRequests
		if !limited {
			v.Error, status = fe.Message, http.StatusUnauthorized
		}
		a.render(w, r, status, "login_totp", &v)
		return nil
	}
	if err != nil {
		return err
	}
	a.setSessionCookie(w, r, pendingCookie, "", -1)
	a.setSessionCookie(w, r, sessionCookie, tok, int(sessionTTL/time.Second))
	http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther)
	return nil
}

// signInLink redeems a marketplace sign-in link or token and opens the
// party's portal; an expired, tampered or replayed one is the error page.
func (a *App) signInLink(w http.ResponseWriter, r *http.Request, _ *session) error {
	tok, ws := a.newSession("", false)
	if _, err := a.svc.RedeemSignIn(r.Context(), r.URL.Query().Get("token"), ws); err != nil {
		return err
	}
	a.setSessionCookie(w, r, sessionCookie, tok, int(sessionTTL/time.Second))
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
	return nil
}

func (a *App) logout(w http.ResponseWriter, r *http.Request, s *session) error {
	if err := a.endSession(w, r, s); err != nil {
		return err
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// logoutEverywhere ends every session of the signed-in user, this one too.
func (a *App) logoutEverywhere(w http.ResponseWriter, r *http.Request, s *session) error {
	if _, err := a.svc.SignOutEverywhere(r.Context(), s.User.ID); err != nil {
		return err
	}
	a.setSessionCookie(w, r, sessionCookie, "", -1)
	return flashTo(w, r, "已在所有设备上退出登录 / signed out everywhere", "/login")
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
