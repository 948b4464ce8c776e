package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// After five failed sign-ins of one login from one address within 15
// minutes, that login is refused (429, a message in the page's language)
// even with the right password, until the window has passed; other logins
// are not affected, and a successful sign-in forgets the failures.
func TestSignInRateLimit(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		anon := func(lang string) *client { return &client{b: b, hc: &http.Client{}, lang: lang} }
		try := func(lang, login, pw string) (*http.Response, string) {
			return anon(lang).post("/login", url.Values{"login": {login}, "password": {pw}})
		}
		for i := 0; i < 5; i++ {
			if res, body := try("zh-CN", "buyer", "wrong password"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="login-error"`) {
				t.Fatalf("failure %d: %d", i+1, res.StatusCode)
			}
		}
		res, body := try("zh-CN", "buyer", password)
		if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "登录失败次数过多，请 15 分钟后再试") || res.Header.Get("Retry-After") == "" {
			t.Fatalf("locked (zh): %d %q\n%.400s", res.StatusCode, res.Header.Get("Retry-After"), body)
		}
		if res, body := try("en", "buyer", password); res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins: try again in 15 minutes") {
			t.Fatalf("locked (en): %d", res.StatusCode)
		}
		// Another login from the same address signs in.
		b.login("seller")
		// Fourteen minutes on the oldest failure is still in the window; after fifteen it has left.
		b.env.Clock.Advance(14 * time.Minute)
		if res, _ := try("zh-CN", "buyer", password); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("after 14 min: %d, want 429", res.StatusCode)
		}
		b.env.Clock.Advance(2 * time.Minute)
		b.login("buyer")
		// The success forgot the failures: four more do not lock it.
		for i := 0; i < 4; i++ {
			try("zh-CN", "buyer", "wrong password")
		}
		b.login("buyer")
	})
}

// Sessions that have expired are purged when anyone signs in; a live
// session stays.
func TestExpiredSessionsPurged(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		ctx, st := context.Background(), b.env.Store
		buyer := b.login("buyer")
		b.login("buyer")
		u, _ := st.WebUserByLogin(ctx, "buyer")
		if n, _ := st.CountWebSessions(ctx, u.ID); n != 2 {
			t.Fatalf("%d sessions, want 2", n)
		}
		b.env.Clock.Advance(13 * time.Hour) // past the 12-hour session lifetime
		if res, _ := buyer.get("/portal"); res.Request.URL.Path != "/login" {
			t.Fatalf("an expired session still works: %s", res.Request.URL.Path)
		}
		seller := b.login("seller")
		if n, _ := st.CountWebSessions(ctx, u.ID); n != 0 {
			t.Fatalf("%d expired sessions left after a sign-in, want 0", n)
		}
		su, _ := st.WebUserByLogin(ctx, "seller")
		if n, _ := st.CountWebSessions(ctx, su.ID); n != 1 {
			t.Fatalf("the new session: %d", n)
		}
		if res, _ := seller.get("/portal"); res.StatusCode != 200 {
			t.Fatalf("the live session: %d", res.StatusCode)
		}
	})
}
