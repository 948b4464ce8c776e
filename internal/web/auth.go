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
	// pendingCookie holds a pending session (password right, TOTP code due).
	pendingCookie = "wq_pending"
	flashCookie   = "wq_flash"
	sessionTTL    = service.SessionTTL
	// hostPrefix is the cookie-name prefix a browser accepts only from a
	// secure origin, with Secure, Path=/ and no Domain (RFC 6265bis): used
	// whenever the cookie is Secure, so no other host or plain-HTTP page
	// can plant or shadow a session cookie.
	hostPrefix = "__Host-"
)

// cookieName is the name of a session cookie on this request: with the
// __Host- prefix when the cookie is Secure.
func (a *App) cookieName(r *http.Request, base string) string {
	if a.secure(r) {
		return hostPrefix + base
	}
	return base
}

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
	c, err := r.Cookie(a.cookieName(r, sessionCookie))
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
// (local use, tests), unless forced. X-Forwarded-Proto counts only from a
// trusted proxy (proxied true).
func secureCookie(r *http.Request, force, proxied bool) bool {
	if force || r.TLS != nil || (proxied && r.Header.Get("X-Forwarded-Proto") == "https") {
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

// secure reports whether this request's cookies are Secure.
func (a *App) secure(r *http.Request) bool {
	return secureCookie(r, a.opts.SecureCookies, a.fromTrustedProxy(r))
}

// setSessionCookie sets (maxAge > 0) or clears (maxAge < 0) a session
// cookie: HttpOnly, SameSite=Lax, Path=/, Secure with the __Host- prefix
// where the site is served securely.
func (a *App) setSessionCookie(w http.ResponseWriter, r *http.Request, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: a.cookieName(r, base), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: a.secure(r), SameSite: http.SameSiteLaxMode})
}

// startSession signs the user in: a fresh random token (the cookie) and a
// fresh CSRF token; only the token's hash is stored.
func (a *App) startSession(w http.ResponseWriter, r *http.Request, u store.WebUser) error {
	tok, ws := a.newSession(u.ID, false)
	// Sessions expired by now are purged at every sign-in (and sign-out).
	if err := a.svc.StartWebSession(r.Context(), ws); err != nil {
		return err
	}
	a.setSessionCookie(w, r, sessionCookie, tok, int(sessionTTL/time.Second))
	return nil
}

// newSession makes a session for a user and its cookie token: a full one
// (SessionTTL) or a pending one (PendingTTL, the TOTP step).
func (a *App) newSession(userID string, pending bool) (string, store.WebSession) {
	tok, now, ttl := randomToken(), a.svc.Now(), sessionTTL
	if pending {
		ttl = service.PendingTTL
	}
	return tok, store.WebSession{TokenHash: hashToken(tok), UserID: userID, CSRF: randomToken(), CreatedAt: now, ExpiresAt: now.Add(ttl), LastSeenAt: now, Pending: pending}
}

func (a *App) endSession(w http.ResponseWriter, r *http.Request, s *session) error {
	a.setSessionCookie(w, r, sessionCookie, "", -1)
	return a.svc.EndWebSession(r.Context(), s.tokenHash)
}

// Flash messages: one short message carried to the next page in a cookie.
func setFlash(w http.ResponseWriter, r *http.Request, m string) {
	if len(m) > 1500 {
		m = m[:1500]
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(m)), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: secureCookie(r, false, false), SameSite: http.SameSiteLaxMode})
}

// flashTo ends a form action that succeeded the post/redirect/get way: it
// sets msg as the flash the next page shows and redirects to that page.
func flashTo(w http.ResponseWriter, r *http.Request, msg, to string) error {
	setFlash(w, r, msg)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
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
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secureCookie(r, false, false), SameSite: http.SameSiteLaxMode})
}

// localPath accepts only a path on this site: it parses as a URL with no
// scheme, no host and no user, starts with one slash (not "//" nor "/\\"),
// and holds no control character (a tab or newline that a browser strips,
// turning "/\t/evil.example/" into "//evil.example/") and no backslash (which
// browsers read as a slash) — neither as typed nor once percent-decoded.
func localPath(p string) bool {
	if p == "" || len(p) > 2048 || !strings.HasPrefix(p, "/") || unsafeChars(p) {
		return false
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	if unsafeChars(u.Path) || strings.HasPrefix(u.Path, "//") || !strings.HasPrefix(u.Path, "/") {
		return false
	}
	if dec, err := url.PathUnescape(u.RawPath); u.RawPath != "" && (err != nil || unsafeChars(dec)) {
		return false
	}
	return true
}

// unsafeChars: a control character (C0, DEL, C1) or a backslash.
func unsafeChars(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\\' {
			return true
		}
	}
	return false
}

// safeNext is where to go after sign-in: next when it is a local path,
// else the start page.
func safeNext(next string) string {
	if localPath(next) {
		return next
	}
	return "/"
}

func sameOriginURL(r *http.Request, ref string) bool {
	u, err := url.Parse(ref)
	return err == nil && u.Host == r.Host && localPath(u.Path)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func htmlEscape(s string) string { return html.EscapeString(s) }
