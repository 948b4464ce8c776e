package web_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/web"
)

// behindProxy: the test server's loopback peer is a trusted proxy, so
// X-Forwarded-For names the client.
func behindProxy(o *web.Options) {
	o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// tryFrom posts the sign-in form as a client at addr (X-Forwarded-For).
func tryFrom(b *bundle, addr, login, pw, next string) (*http.Response, string) {
	c := &client{b: b, hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	form := url.Values{"login": {login}, "password": {pw}}
	if next != "" {
		form.Set("next", next)
	}
	req, _ := http.NewRequest("POST", b.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	return c.do(req)
}

// Guesses at one account from many addresses are throttled (per account),
// with back-off, not a lock-out: past the wait the right password opens it.
func TestSignInThrottledPerAccount(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		b := setupWith(t, eng.URL(t), behindProxy)
		for i := range service.SignInFreePerLogin {
			if res, _ := tryFrom(b, "203.0.113."+string(rune('1'+i)), "buyer", "wrong password", ""); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i+1, res.StatusCode)
			}
		}
		// From a fresh address, even the right password waits.
		res, body := tryFrom(b, "198.51.100.7", "buyer", password, "")
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "2" || !strings.Contains(body, `id="login-locked"`) {
			t.Fatalf("throttled: %d Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
		// Another account is not affected.
		if res, _ := tryFrom(b, "198.51.100.7", "seller", password, ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("other account: %d", res.StatusCode)
		}
		// A refused-while-waiting try is not counted: after the wait one more
		// wrong guess doubles it (4 s); after that the right password opens.
		b.env.Clock.Advance(2 * time.Second)
		if res, _ := tryFrom(b, "203.0.113.99", "buyer", "wrong password", ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess after the wait: %d", res.StatusCode)
		}
		if res, _ := tryFrom(b, "198.51.100.7", "buyer", password, ""); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "4" {
			t.Fatalf("doubled wait: %d %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
		b.env.Clock.Advance(4 * time.Second)
		if res, _ := tryFrom(b, "198.51.100.7", "buyer", password, ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after the back-off: %d", res.StatusCode)
		}
		// The wait never exceeds the cap, however many guesses.
		for range 16 {
			res, _ := tryFrom(b, "203.0.113.50", "seller", "wrong password", "")
			if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra > 0 {
				b.env.Clock.Advance(time.Duration(ra) * time.Second)
				tryFrom(b, "203.0.113.50", "seller", "wrong password", "")
			}
		}
		res, _ = tryFrom(b, "198.51.100.8", "seller", password, "")
		if ra := res.Header.Get("Retry-After"); res.StatusCode != http.StatusTooManyRequests || ra != "300" {
			t.Fatalf("capped wait: %d %q", res.StatusCode, ra)
		}
		b.env.Clock.Advance(service.SignInMaxWaitLogin)
		if res, _ := tryFrom(b, "198.51.100.8", "seller", password, ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after the cap: %d", res.StatusCode)
		}
	})
}

// Password spraying — one address, many accounts — is throttled per
// address; other addresses are not. Behind no trusted proxy a forged
// X-Forwarded-For is ignored (the peer is the client).
func TestSignInThrottledPerAddress(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		b := setupWith(t, eng.URL(t), behindProxy)
		for i := range service.SignInFreePerAddr {
			tryFrom(b, "192.0.2.66", "nobody"+string(rune('a'+i)), "Spring2026!", "")
		}
		if res, _ := tryFrom(b, "192.0.2.66", "buyer", password, ""); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("spraying address: %d", res.StatusCode)
		}
		if res, _ := tryFrom(b, "192.0.2.67", "buyer", password, ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("another address: %d", res.StatusCode)
		}
		// A proxy chain: the rightmost untrusted hop is the client.
		if res, _ := tryFrom(b, "192.0.2.66, 127.0.0.1", "buyer", password, ""); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("through two proxies: %d", res.StatusCode)
		}

		// Without trusted proxies, X-Forwarded-For changes nothing.
		plain := setup(t, eng.URL(t))
		for i := range service.SignInFreePerAddr {
			tryFrom(plain, "10.0.0."+string(rune('1'+i%9)), "nobody"+string(rune('a'+i)), "Spring2026!", "")
		}
		if res, _ := tryFrom(plain, "10.9.9.9", "buyer", password, ""); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("forged X-Forwarded-For escaped the throttle: %d", res.StatusCode)
		}
	})
}

// After sign-in, next goes only to a path on this site: schemes, hosts,
// protocol-relative paths, backslashes and control characters (as typed or
// percent-encoded) send the user to the start page.
func TestSignInOpenRedirect(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	for _, next := range []string{"/\t/evil.example/", "/%09/evil.example/", "//evil.example/", "/\\evil.example", "/%5Cevil.example",
		"https://evil.example/", "http:/evil.example", "javascript:alert(1)", "/%2F/evil.example", "/\n/evil.example", "/%0D%0A/evil.example",
		"\\\\evil.example", " /evil", "/\u0085/evil.example", "//%09evil.example", "evil.example"} {
		res, _ := tryFrom(b, "", "buyer", password, next)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("next %q: %d → %q, want /", next, res.StatusCode, loc)
		}
	}
	// The query form of the famous case: /login?next=/%09/evil.example/.
	c := &client{b: b, hc: &http.Client{}}
	if _, body := c.get("/login?next=/%09/evil.example/"); strings.Contains(body[strings.Index(body, `id="login-form"`):], "evil.example") {
		t.Error("the sign-in form carries the unsafe next")
	}
	res, _ := tryFrom(b, "", "buyer", password, "/orders/o1?tab=2")
	if loc := res.Header.Get("Location"); loc != "/orders/o1?tab=2" {
		t.Errorf("a local next: %q", loc)
	}
}

var secretRe2 = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)

// totpLogin signs a staff user in through both steps, enrolling at the
// first sign-in; it returns the client and the secret.
func totpLogin(t *testing.T, b *bundle, login, secret string) (*client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{b: b, hc: &http.Client{Jar: jar}}
	res, body := c.post("/login", url.Values{"login": {login}, "password": {password}, "next": {"/workbench"}})
	if res.Request.URL.Path != "/login/totp" {
		t.Fatalf("%s: landed on %s, want the TOTP step", login, res.Request.URL.Path)
	}
	if secret == "" {
		m := secretRe2.FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, `src="data:image/png;base64,`) {
			t.Fatalf("no enrolment on the TOTP step:\n%.1500s", body)
		}
		secret = m[1]
	} else if strings.Contains(body, `id="totp-enrol"`) {
		t.Fatal("an enrolled user is asked to enrol again")
	}
	// Pages stay closed while the code is due.
	if res, _ := c.get("/workbench"); res.Request.URL.Path != "/login" {
		t.Fatalf("a pending session opened %s", res.Request.URL.Path)
	}
	c.get("/login/totp?next=/workbench")
	if res, body := c.post("/login/totp", url.Values{"code": {"000000"}, "next": {"/workbench"}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="totp-error"`) {
		t.Fatalf("wrong code: %d", res.StatusCode)
	}
	code, err := totp.GenerateCode(secret, b.env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := c.post("/login/totp", url.Values{"code": {code}, "next": {"/workbench"}}); res.StatusCode != 200 || res.Request.URL.Path != "/workbench" {
		t.Fatalf("right code: %d %s", res.StatusCode, res.Request.URL.Path)
	}
	return c, secret
}

// Agents and admins need a TOTP code: the first sign-in enrols an
// authenticator; a wrong code, a used code and a pending session open
// nothing. Buyers and sellers need none.
func TestTOTPRequiredForStaff(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		b := setupWith(t, eng.URL(t), func(o *web.Options) { o.NoStaffTOTP = false })
		_, secret := totpLogin(t, b, "agent", "")
		u, _ := b.env.Store.WebUserByLogin(context.Background(), "agent")
		if u.TOTPEnabledAt == nil || u.TOTPSecret != secret {
			t.Fatalf("enrolment not stored: %+v", u.TOTPEnabledAt)
		}
		// The same code again (same 30 s step) is refused: codes are used once.
		jar, _ := cookiejar.New(nil)
		c := &client{b: b, hc: &http.Client{Jar: jar}}
		c.post("/login", url.Values{"login": {"agent"}, "password": {password}})
		code, _ := totp.GenerateCode(secret, b.env.Clock.Now())
		if res, body := c.post("/login/totp", url.Values{"code": {code}}); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "验证码已使用过") {
			t.Fatalf("replayed code: %d", res.StatusCode)
		}
		// A later code signs in, without enrolment.
		b.env.Clock.Advance(31 * time.Second)
		totpLogin(t, b, "agent", secret)
		b.env.Clock.Advance(31 * time.Second)
		totpLogin(t, b, "admin", "")
		// A buyer goes straight in.
		b.login("buyer")
	})
}

// A session ends after 30 minutes without a request, however young; use
// keeps it alive up to the 12-hour cap. Sign out everywhere ends every
// session of the user; a password reset and a role change end the
// account's sessions.
func TestSessionsEnd(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		buyer := b.login("buyer")
		b.env.Clock.Advance(20 * time.Minute)
		if res, _ := buyer.get("/portal"); res.Request.URL.Path != "/portal" {
			t.Fatal("a session in use ended")
		}
		b.env.Clock.Advance(20 * time.Minute) // 40 min old, 20 idle
		if res, _ := buyer.get("/portal"); res.Request.URL.Path != "/portal" {
			t.Fatal("a session 20 minutes idle ended")
		}
		b.env.Clock.Advance(31 * time.Minute)
		if res, _ := buyer.get("/portal"); res.Request.URL.Path != "/login" {
			t.Fatal("a session idle 31 minutes still works")
		}

		one, two := b.login("seller"), b.login("seller")
		one.get("/portal")
		one.post("/logout/everywhere", url.Values{})
		for i, c := range []*client{one, two} {
			if res, _ := c.get("/portal"); res.Request.URL.Path != "/login" {
				t.Fatalf("session %d survived sign-out everywhere", i+1)
			}
		}

		ctx, st := context.Background(), b.env.Store
		admin := b.login("admin")
		agentU, _ := st.WebUserByLogin(ctx, "agent")
		agent := b.login("agent")
		admin.get("/admin/users")
		admin.mustPost(t, "/admin/users/"+agentU.ID+"/act", url.Values{"action": {"reset_password"}, "password": {"a fresh passphrase 7"}}, `id="flash"`)
		if res, _ := agent.get("/workbench"); res.Request.URL.Path != "/login" {
			t.Fatal("a session survived its password reset")
		}
		if _, body := admin.post("/admin/users/"+agentU.ID+"/act", url.Values{"action": {"reset_password"}, "password": {"qwerty123"}}); !strings.Contains(body, "密码过于常见") {
			t.Fatal("a common password was accepted on reset")
		}
		senior := b.login("senior")
		seniorU, _ := st.WebUserByLogin(ctx, "senior")
		admin.get("/admin/users")
		admin.mustPost(t, "/admin/users/"+seniorU.ID+"/act", url.Values{"action": {"set_role"}, "role": {"agent"}}, `id="flash"`)
		if res, _ := senior.get("/workbench"); res.Request.URL.Path != "/login" {
			t.Fatal("a session survived its role change")
		}
		if u, _ := st.WebUserByLogin(ctx, "senior"); u.Role != "agent" {
			t.Fatalf("role: %s", u.Role)
		}
		// An admin cannot disable or demote themself.
		adminU, _ := st.WebUserByLogin(ctx, "admin")
		admin.get("/admin/users")
		if _, body := admin.post("/admin/users/"+adminU.ID+"/act", url.Values{"action": {"disable"}}); !strings.Contains(body, `id="form-error"`) {
			t.Fatal("an admin disabled themself")
		}
		audit, _ := st.AdminAudits(ctx, "user", 10)
		var acts []string
		for _, a := range audit {
			acts = append(acts, a.Action)
		}
		if got := strings.Join(acts, " "); got != "user.role_changed user.password_reset" {
			t.Errorf("audit: %s", got)
		}
	})
}

// The marketplace signs a buyer in: a link minted with the integration key
// opens the buyer's portal once; replayed (also through another replica's
// service on the same database), tampered or expired links are refused, as
// is a Multipass-style token with the wrong secret.
func TestSignInLinks(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		b := setup(t, eng.URL(t))
		e := b.env
		mint := func(party string, body map[string]any) string {
			body["role"], body["party_id"] = "buyer", party
			r := e.Must(201, apitest.Req{Method: "POST", Path: "/v1/sign-in-links", Key: e.Integration, Body: body})
			if !strings.HasPrefix(r.Str("url"), "http://") || !strings.HasSuffix(r.Str("url"), r.Str("path")) {
				t.Fatalf("link: %s", r.Body)
			}
			return r.Str("token")
		}
		open := func(tok string) (*http.Response, string) {
			jar, _ := cookiejar.New(nil)
			c := &client{b: b, hc: &http.Client{Jar: jar}}
			return c.get("/sign-in?token=" + url.QueryEscape(tok))
		}
		// Only an integration key mints.
		e.Must(403, apitest.Req{Method: "POST", Path: "/v1/sign-in-links", Key: e.Agent, Body: map[string]any{"role": "buyer", "party_id": "b1"}})
		e.Must(400, apitest.Req{Method: "POST", Path: "/v1/sign-in-links", Key: e.Integration, Body: map[string]any{"role": "agent", "party_id": "b1"}})

		tok := mint("b1", map[string]any{})
		res, body := open(tok)
		if res.Request.URL.Path != "/portal" || res.StatusCode != 200 || !strings.Contains(body, "张晓雨") {
			t.Fatalf("link: %d %s", res.StatusCode, res.Request.URL.Path)
		}
		// Replayed: refused here, and by another replica over the same database.
		if res, _ := open(tok); res.StatusCode != http.StatusConflict {
			t.Fatalf("replayed: %d", res.StatusCode)
		}
		other := replica(t, e)
		if _, err := other.RedeemSignIn(context.Background(), tok, store.WebSession{TokenHash: "x", CSRF: "y", CreatedAt: e.Clock.Now(), ExpiresAt: e.Clock.Now().Add(time.Hour)}); err == nil {
			t.Fatal("another replica accepted a used link")
		}
		// Tampered: another party in the payload, or a bit of the signature.
		tok2 := mint("b2", map[string]any{"name": "李明"})
		parts := strings.Split(tok2, ".")
		raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), `"party":"b2"`, `"party":"b1"`, 1))) + "." + parts[2]
		if forged == tok2 {
			t.Fatal("the forgery changed nothing")
		}
		sig := []byte(parts[2])
		sig[3] ^= 1
		for _, bad := range []string{forged, parts[0] + "." + parts[1] + "." + string(sig), "wq1.garbage", ""} {
			if res, _ := open(bad); res.StatusCode != http.StatusBadRequest {
				t.Errorf("tampered %q: %d", bad, res.StatusCode)
			}
		}
		// Expired: past its 2 minutes.
		tok3 := mint("b2", map[string]any{"ttl_seconds": 120})
		e.Clock.Advance(121 * time.Second)
		if res, body := open(tok3); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "已过期") {
			t.Fatalf("expired: %d", res.StatusCode)
		}
		// The untampered second link still works (a new party's user is made).
		if res, _ := open(tok2); res.Request.URL.Path != "/portal" {
			t.Fatalf("second link: %s", res.Request.URL.Path)
		}

		// A marketplace token (Multipass style) with the shared secret.
		secret := "a-shared-secret-of-at-least-32-bytes!"
		e.Svc.SetSignInSecret(secret)
		now := e.Clock.Now()
		mp := service.SignInToken{Iss: "marketplace", Role: "seller", Party: "s9", Name: "新店", Nonce: "nonce-0123456789abcdef", Iat: now.Unix(), Exp: now.Add(time.Minute).Unix()}
		if res, _ := open(service.SignToken([]byte("another secret of at least 32 bytes.."), mp)); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("wrong secret: %d", res.StatusCode)
		}
		if res, body := open(service.SignToken([]byte(secret), mp)); res.Request.URL.Path != "/portal" || !strings.Contains(body, "新店") {
			t.Fatalf("marketplace token: %d %s", res.StatusCode, res.Request.URL.Path)
		}
		long := mp
		long.Nonce, long.Exp = "nonce-long-0123456789", now.Add(time.Hour).Unix()
		if res, _ := open(service.SignToken([]byte(secret), long)); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("a token living an hour: %d", res.StatusCode)
		}
	})
}

// replica is a second service over the same database (another process).
func replica(t *testing.T, e *apitest.Env) *service.Service {
	t.Helper()
	st := apitest.OpenStore(t, e.URL)
	return service.New(st, policy.Default(), service.Options{Clock: clock.NewManual(e.Clock.Now()), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}
