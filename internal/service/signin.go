package service

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

// This file holds how people get a session: the session lifetimes (idle
// and absolute), the TOTP second factor of staff accounts, and the
// marketplace's sign-in links and tokens for buyers and sellers.

// Session lifetimes: a session ends SessionTTL after sign-in, or after
// SessionIdle without a request, whichever comes first; the idle clock is
// written at most once per sessionTouchEvery. A pending session (password
// right, TOTP code due) lives PendingTTL.
const (
	SessionTTL        = 12 * time.Hour
	SessionIdle       = 30 * time.Minute
	PendingTTL        = 5 * time.Minute
	sessionTouchEvery = time.Minute
)

var errNoSession = &fault.Error{Code: fault.NotFound, Message: "会话不存在或已过期 / no such session"}

// StartWebSession stores a new session (only its token's hash) after
// purging the sessions expired by now (a purge failure is logged, not
// returned). Errors: storage failures only.
func (s *Service) StartWebSession(ctx context.Context, ws store.WebSession) error {
	if n, err := s.st.PurgeWebSessions(ctx, s.now(ctx)); err != nil {
		s.log.Warn("web: purge sessions", "err", err)
	} else if n > 0 {
		s.log.Info("web: expired sessions purged", "count", n)
	}
	return s.st.InsertWebSession(ctx, ws)
}

// WebSession finds the live, complete session of a token hash and its
// (enabled) user, and moves its idle clock. Errors: NotFound (no such
// session, expired, idle too long, pending, or user disabled).
func (s *Service) WebSession(ctx context.Context, tokenHash string) (store.WebSession, store.WebUser, error) {
	ws, u, err := s.st.WebSessionByHash(ctx, tokenHash, s.now(ctx))
	if err != nil {
		return ws, u, err
	}
	now := s.now(ctx)
	if ws.Pending || now.Sub(ws.LastSeenAt) >= SessionIdle {
		return store.WebSession{}, store.WebUser{}, errNoSession
	}
	if now.Sub(ws.LastSeenAt) >= sessionTouchEvery {
		if err := s.st.TouchWebSession(ctx, tokenHash, now); err != nil {
			return ws, u, err
		}
	}
	return ws, u, nil
}

// PendingWebSession finds the pending session (password right, TOTP code
// due) of a token hash and its user. Errors: NotFound.
func (s *Service) PendingWebSession(ctx context.Context, tokenHash string) (store.WebSession, store.WebUser, error) {
	ws, u, err := s.st.WebSessionByHash(ctx, tokenHash, s.now(ctx))
	if err == nil && !ws.Pending {
		err = errNoSession
	}
	return ws, u, err
}

// EndWebSession ends a session (sign-out) and purges expired ones.
// Errors: storage failures only.
func (s *Service) EndWebSession(ctx context.Context, tokenHash string) error {
	return s.st.DeleteWebSession(ctx, tokenHash, s.now(ctx))
}

// ---- TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, ±1 step) ----

// NeedsTOTP reports whether a user signs in with a second factor: agents,
// senior agents and admins.
func NeedsTOTP(u store.WebUser) bool {
	return slices.Contains(StaffRoles, actor.Role(u.Role))
}

// TOTPIssuer names weiquan in authenticator apps.
const TOTPIssuer = "weiquan"

// TOTPEnrolment is what a user not enrolled yet scans: the secret (base32)
// and its otpauth:// URL (also drawn as a QR code by the page).
type TOTPEnrolment struct {
	Secret string
	URL    string
	Key    *otp.Key
}

// BeginTOTP returns the enrolment of a user with a pending session who has
// no second factor yet, making (and storing) its secret the first time.
// Errors: Conflict (already enrolled), storage failures.
func (s *Service) BeginTOTP(ctx context.Context, u store.WebUser) (TOTPEnrolment, error) {
	if u.TOTPEnabledAt != nil {
		return TOTPEnrolment{}, fault.New(fault.Conflict, "已绑定验证器 / an authenticator is already enrolled")
	}
	secret := u.TOTPSecret
	if secret == "" {
		var b [20]byte
		if _, err := rand.Read(b[:]); err != nil {
			return TOTPEnrolment{}, err
		}
		secret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
		if err := s.st.SetTOTPSecret(ctx, u.ID, secret); err != nil {
			return TOTPEnrolment{}, err
		}
	}
	key, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6&period=30", TOTPIssuer, u.Login, secret, TOTPIssuer))
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: secret, URL: key.URL(), Key: key}, nil
}

var totpOpts = totp.ValidateOpts{Period: 30, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep finds the time step (of now −1, 0, +1) whose code is code; 0: none.
func totpStep(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0
	}
	for _, d := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(d*30) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / 30
		}
	}
	return 0
}

// ErrTOTPWrong: the second-factor code is wrong (or from too long ago).
var ErrTOTPWrong = fault.Field("code", "验证码错误或已过期 / the code is wrong or expired")

// CompleteTOTP checks the code of a pending session's user and, when right
// and not used before, brings a pending enrolment into force and replaces
// the pending session by the full session full (one transaction). A wrong
// code counts as a failed sign-in of the login from ip (the throttle).
// Errors: ErrTOTPWrong, *ThrottledError, Conflict (code used before),
// NotFound (the pending session is gone).
func (s *Service) CompleteTOTP(ctx context.Context, pendingHash, code, ip string, full store.WebSession) (store.WebUser, error) {
	ws, u, err := s.PendingWebSession(ctx, pendingHash)
	if err != nil {
		return u, err
	}
	now := s.now(ctx)
	th, err := s.st.SignInThrottle(ctx, u.Login, ip, now.Add(-SignInWindow))
	if err != nil {
		return u, err
	}
	if w := th.LoginLast.Add(backoff(th.LoginFailures, SignInFreePerLogin, SignInMaxWaitLogin)).Sub(now); w > 0 {
		return u, &ThrottledError{Wait: w}
	}
	secret := u.TOTPSecret
	step := int64(0)
	if secret != "" {
		step = totpStep(secret, code, now)
	}
	if step == 0 {
		if err := s.st.RecordSignInFailure(ctx, u.Login, ip, now, now.Add(-SignInWindow)); err != nil {
			return u, err
		}
		s.log.Info("web: TOTP code refused", "login", u.Login, "ip", ip)
		return u, ErrTOTPWrong
	}
	full.UserID = ws.UserID
	if err := s.st.CompleteTOTP(ctx, u.ID, step, pendingHash, full); err != nil {
		return u, err
	}
	if u.TOTPEnabledAt == nil {
		s.log.Info("web: TOTP enrolled", "login", u.Login)
	}
	return u, s.st.ClearSignInFailures(ctx, u.Login)
}

// ---- marketplace sign-in links ----

// SignInToken is the payload of a sign-in link or token (README "People
// and keys"): who (role buyer or seller, party id, optional display name),
// a single-use nonce, and when it was issued and expires (Unix seconds).
// Iss says which key signed it: "weiquan" (a link minted by
// POST /v1/sign-in-links) or "marketplace" (a token made by the
// marketplace with the shared secret, in the manner of Shopify Multipass).
type SignInToken struct {
	Iss   string `json:"iss"`
	Role  string `json:"role"`
	Party string `json:"party"`
	Name  string `json:"name,omitempty"`
	Nonce string `json:"nonce"`
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
}

// Sign-in link limits.
const (
	SignInTokenPrefix = "wq1."
	MaxSignInTTL      = 10 * time.Minute
	DefaultSignInTTL  = 5 * time.Minute
	signInSkew        = time.Minute
)

// SetSignInSecret sets the marketplace's shared secret for sign-in tokens
// (at least 32 bytes; empty: such tokens are refused).
func (s *Service) SetSignInSecret(secret string) { s.signInSecret = []byte(secret) }

// SignToken encodes and signs a sign-in token with key:
// "wq1." + base64url(JSON) + "." + base64url(HMAC-SHA256(key, "wq1." + base64url(JSON))).
func SignToken(key []byte, t SignInToken) string {
	b, _ := json.Marshal(t)
	body := SignInTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Service) linkKey(ctx context.Context) ([]byte, error) {
	k, err := s.st.SignInLinkKey(ctx, func() string {
		var b [32]byte
		_, _ = rand.Read(b[:])
		return base64.RawURLEncoding.EncodeToString(b[:])
	}, s.now(ctx))
	return []byte(k), err
}

// SignInLink is a minted link: the token, the path that redeems it on
// the pages, and when it expires.
type SignInLink struct {
	Token     string    `json:"token"`
	Path      string    `json:"path"`
	ExpiresAt time.Time `json:"expires_at"`
}

// MintSignInLink makes a short-lived single-use sign-in link for a buyer
// or seller (the integration key's call). Errors: Forbidden (not an
// integration key), Invalid (role, party, name, ttl).
func (s *Service) MintSignInLink(ctx context.Context, c Caller, role actor.Role, party, name string, ttl time.Duration) (SignInLink, error) {
	if c.Role != actor.Integration {
		return SignInLink{}, forbidden("只有集成方密钥可以签发登录链接 / only an integration key mints sign-in links")
	}
	if role != actor.Buyer && role != actor.Seller {
		return SignInLink{}, fault.Field("role", "须为 buyer 或 seller / role is buyer or seller")
	}
	if !ValidID(party) {
		return SignInLink{}, fault.Field("party_id", "参与方ID须为1–64位字母、数字或 _.:- / party_id is 1–64 letters, digits or _.:-")
	}
	if len([]rune(name)) > 64 {
		return SignInLink{}, fault.Field("name", "名称不超过64个字符 / the name is at most 64 characters")
	}
	if ttl == 0 {
		ttl = DefaultSignInTTL
	}
	if ttl < 30*time.Second || ttl > MaxSignInTTL {
		return SignInLink{}, fault.Field("ttl_seconds", "有效期须为30–600秒 / ttl_seconds is 30 to 600")
	}
	key, err := s.linkKey(ctx)
	if err != nil {
		return SignInLink{}, err
	}
	var nb [18]byte
	_, _ = rand.Read(nb[:])
	now := s.now(ctx)
	t := SignInToken{Iss: "weiquan", Role: string(role), Party: party, Name: name, Nonce: base64.RawURLEncoding.EncodeToString(nb[:]), Iat: now.Unix(), Exp: now.Add(ttl).Unix()}
	tok := SignToken(key, t)
	s.log.Info("sign-in link minted", "role", role, "party", party, "by", c.Via, "expires", time.Unix(t.Exp, 0))
	return SignInLink{Token: tok, Path: "/sign-in?token=" + tok, ExpiresAt: time.Unix(t.Exp, 0).UTC()}, nil
}

// Sign-in link refusals: each names what is wrong, never which key.
var (
	errTokenBad     = fault.Field("token", "登录链接无效或被篡改 / the sign-in link is invalid or tampered with")
	errTokenExpired = fault.Field("token", "登录链接已过期 / the sign-in link has expired")
)

// verifyToken checks a token's form and signature, and its times at now.
func (s *Service) verifyToken(ctx context.Context, tok string, now time.Time) (SignInToken, error) {
	var t SignInToken
	rest, ok := strings.CutPrefix(tok, SignInTokenPrefix)
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || len(tok) > 2048 {
		return t, errTokenBad
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || json.Unmarshal(raw, &t) != nil {
		return t, errTokenBad
	}
	var key []byte
	switch t.Iss {
	case "weiquan":
		if key, err = s.linkKey(ctx); err != nil {
			return t, err
		}
	case "marketplace":
		if len(s.signInSecret) < 32 {
			return t, errTokenBad
		}
		key = s.signInSecret
	default:
		return t, errTokenBad
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(SignInTokenPrefix + payload))
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, m.Sum(nil)) {
		return t, errTokenBad
	}
	iat, exp := time.Unix(t.Iat, 0), time.Unix(t.Exp, 0)
	if (t.Role != string(actor.Buyer) && t.Role != string(actor.Seller)) || !ValidID(t.Party) || len(t.Nonce) < 16 || len(t.Nonce) > 128 ||
		len([]rune(t.Name)) > 64 || exp.Sub(iat) > MaxSignInTTL || iat.After(now.Add(signInSkew)) {
		return t, errTokenBad
	}
	if !now.Before(exp) {
		return t, errTokenExpired
	}
	return t, nil
}

// RedeemSignIn signs a buyer or seller in with a link or token: it checks
// the signature, the times and the nonce (single use, stored in the
// database so that a replay is refused on every replica and after a
// restart), finds the party's user or creates it the first time (no
// password of ours: it signs in only through the marketplace), and stores
// the session ws for it, in one transaction. Errors: Invalid (token: bad
// form, tampered, expired), Conflict (replayed), Forbidden (the party's
// account is disabled).
func (s *Service) RedeemSignIn(ctx context.Context, tok string, ws store.WebSession) (store.WebUser, error) {
	now := s.now(ctx)
	t, err := s.verifyToken(ctx, tok, now)
	if err != nil {
		s.log.Info("web: sign-in link refused", "err", err)
		return store.WebUser{}, err
	}
	name := t.Name
	if name == "" {
		name = t.Party
	}
	nu := store.WebUser{ID: newID(), Login: t.Role + ":" + t.Party, PasswordHash: "!", Role: t.Role, PartyID: t.Party, DisplayName: name, CreatedAt: now}
	if len(nu.Login) > 64 {
		nu.Login = nu.ID
	}
	nonce := t.Iss + ":" + t.Nonce
	u, err := s.st.RedeemSignIn(ctx, nonce, time.Unix(t.Exp, 0).Add(signInSkew), now, nu, ws)
	if err != nil {
		s.log.Info("web: sign-in link refused", "role", t.Role, "party", t.Party, "err", err)
		return u, err
	}
	s.log.Info("web: signed in through the marketplace", "role", t.Role, "party", t.Party, "iss", t.Iss)
	return u, nil
}
