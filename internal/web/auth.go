package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

const (
	sessionCookie = "wq_session"
	flashCookie   = "wq_flash"
	sessionTTL    = 12 * time.Hour
)

// NewUser is a user to create.
type NewUser = service.NewWebUser

// CreateUser adds a web user with a bcrypt-hashed password (set-up, the
// demo). Errors: Invalid (role, party, short password), Conflict (login
// taken).
func CreateUser(ctx context.Context, svc *service.Service, u NewUser) (store.WebUser, error) {
	return svc.CreateWebUser(ctx, u)
}

// session is a signed-in request.
type session struct {
	User      store.WebUser
	CSRF      string
	tokenHash string
}

// Caller is the service caller of the signed-in user: buyers and sellers
// act as their party; staff are named by their login.
func (s *session) Caller() service.Caller {
	switch s.role() {
	case actor.Buyer, actor.Seller:
		return service.Caller{Role: s.role(), PartyID: s.User.PartyID, Via: "web:" + s.User.Login}
	}
	return service.Caller{Role: s.role(), Via: "web:" + s.User.Login}
}

// role is the signed-in user's role (stored as its name).
func (s *session) role() actor.Role { return actor.Role(s.User.Role) }

// checkCSRF compares the form's token with the session's (constant time).
// The cross-origin check (Sec-Fetch-Site / Origin) has already run.
func (s *session) checkCSRF(r *http.Request) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.FormValue("csrf")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.CSRF)) == 1
}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (a *App) currentSession(r *http.Request) (*session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, fault.New(fault.Unauthorized, "未登录 / not signed in")
	}
	h := hashToken(c.Value)
	ws, u, err := a.svc.WebSession(r.Context(), h)
	if err != nil {
		return nil, err
	}
	return &session{User: u, CSRF: ws.CSRF, tokenHash: h}, nil
}

// secureCookie: Secure always, except on plain HTTP to a loopback address
// (local use, tests), unless forced.
func secureCookie(r *http.Request, force bool) bool {
	if force || r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		return true
	}
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// startSession signs the user in: a fresh random token (the cookie) and a
// fresh CSRF token; only the token's hash is stored.
func (a *App) startSession(w http.ResponseWriter, r *http.Request, u store.WebUser) error {
	tok := randomToken()
	now := a.svc.Now()
	// Sessions expired by now are purged at every sign-in (and sign-out).
	if err := a.svc.StartWebSession(r.Context(), store.WebSession{TokenHash: hashToken(tok), UserID: u.ID, CSRF: randomToken(),
		CreatedAt: now, ExpiresAt: now.Add(sessionTTL)}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", MaxAge: int(sessionTTL / time.Second), HttpOnly: true,
		Secure: secureCookie(r, a.opts.SecureCookies), SameSite: http.SameSiteLaxMode})
	return nil
}

func (a *App) endSession(w http.ResponseWriter, r *http.Request, s *session) error {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: secureCookie(r, a.opts.SecureCookies), SameSite: http.SameSiteLaxMode})
	return a.svc.EndWebSession(r.Context(), s.tokenHash)
}

// Flash messages: one short message carried to the next page in a cookie.
func setFlash(w http.ResponseWriter, r *http.Request, m string) {
	if len(m) > 1500 {
		m = m[:1500]
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(m)), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: secureCookie(r, false), SameSite: http.SameSiteLaxMode})
}

func flashOf(r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return ""
	}
	return string(b)
}

func clearFlash(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secureCookie(r, false), SameSite: http.SameSiteLaxMode})
}

// localPath accepts only a path on this site (no scheme, no host, no //).
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\")
}

func sameOriginURL(r *http.Request, ref string) bool {
	u, err := url.Parse(ref)
	return err == nil && u.Host == r.Host && localPath(u.Path)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func htmlEscape(s string) string { return html.EscapeString(s) }
