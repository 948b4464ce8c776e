package web_test

import (
	"context"
	"testing"
	"time"
)

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
