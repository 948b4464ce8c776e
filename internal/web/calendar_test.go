package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// An admin sees the calendar banner on every page while fewer than 60 days
// ahead are covered (the clock in December 2026, the calendar ending that
// year), uploads a calendar file on /admin/calendar (a bad one is refused
// naming the field, and stores nothing), and the banner goes away; an
// agent sees no banner and no page.
func TestAdminCalendarBannerAndUpload(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		b.env.Clock.Set(time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC))
		admin := b.login("admin")
		if _, body := admin.get("/admin/keys"); !strings.Contains(body, `id="calendar-warning"`) || !strings.Contains(body, "22") {
			t.Fatalf("no calendar banner for the admin:\n%.2000s", body)
		}
		if _, body := b.login("agent").get("/workbench"); strings.Contains(body, `id="calendar-warning"`) {
			t.Fatal("an agent sees the calendar banner")
		}
		_, body := admin.get("/admin/calendar")
		if !strings.Contains(body, `id="calendar-days">22<`) || !strings.Contains(body, "2027") {
			t.Fatalf("calendar page:\n%.2000s", body)
		}
		bad := `{"years": [{"year": 2027, "source": "x", "published": true, "holidays": [{"date": "2027-01-01", "name": ""}]}]}`
		_, body = admin.postFile("/admin/calendar", url.Values{}, "2027.json", []byte(bad))
		if !strings.Contains(body, "years[0].holidays[0].name") {
			t.Fatalf("bad file not refused naming the field:\n%.2000s", body)
		}
		if seq, _ := b.env.Store.CalendarSeq(context.Background()); seq != 0 {
			t.Fatal("a refused upload stored an import")
		}
		good := `{"years": [{"year": 2027, "source": "测试用2027年安排", "published": true, "holidays": [{"date": "2027-01-01", "name": "元旦"}]}]}`
		res, body := admin.postFile("/admin/calendar", url.Values{}, "2027.json", []byte(good))
		if res.StatusCode != 200 || strings.Contains(body, `id="calendar-warning"`) || !strings.Contains(body, "测试用2027年安排") {
			t.Fatalf("after the upload: %d\n%.2000s", res.StatusCode, body)
		}
	})
}
