package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
)

// An official 2027 file as an admin would import it (the dates are a test's, not the State
// Council's: the real 2027 notice was not published when this was written).
const test2027 = `{"years": [{"year": 2027, "source": "测试用2027年安排", "published": true,
  "holidays": [{"date": "2027-01-01", "name": "元旦"}, {"date": "2027-01-04", "name": "元旦"}],
  "makeup_workdays": [{"date": "2027-01-09", "name": "元旦"}]}]}`

func metricLine(t *testing.T, e *apitest.Env, name string) string {
	t.Helper()
	body := string(e.Must(200, apitest.Req{Method: "GET", Path: "/metrics", Key: e.Admin}).Body)
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, name+" ") {
			return strings.TrimPrefix(l, name+" ")
		}
	}
	return "missing"
}

// Acceptance (issue 12 item 5): with the clock in December 2026 and a calendar that ends that
// year, the coverage warning shows in /metrics and /readyz (still 200); the review SLA crossing
// into 2027 is counted on the provisional calendar (元旦 off) and flagged provisional; an
// imported 2027 clears both and is shared with a second replica.
func TestCalendarCoverageWarningAndProvisionalSLA(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		// Wednesday 30 December 2026, 10:00 Beijing.
		e.Clock.Set(time.Date(2026, 12, 30, 2, 0, 0, 0, time.UTC))
		r := e.Do(apitest.Req{Method: "GET", Path: "/readyz"})
		cal, _ := r.JSON()["calendar"].(map[string]any)
		if r.Status != 200 || cal == nil || cal["days_covered"] != float64(2) || cal["covered_through"] != "2026-12-31" ||
			!strings.Contains(cal["warning"].(string), "2026-12-31") {
			t.Fatalf("readyz %d %s", r.Status, r.Body)
		}
		if m := metricLine(t, e, "weiquan_calendar_days_covered"); m != "2" {
			t.Fatalf("weiquan_calendar_days_covered = %s", m)
		}
		if m := metricLine(t, e, "weiquan_calendar_coverage_short"); m != "1" {
			t.Fatalf("weiquan_calendar_coverage_short = %s", m)
		}

		id := notReceivedCase(e, "S1", 5000)
		v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: e.Agent}).JSON()
		due, _ := time.Parse(time.RFC3339Nano, v["sla_due_at"].(string))
		// 3 working days from Wed 30 Dec 10:00: Thu 31, (Fri 1 Jan 元旦 off, statutory), Mon 4,
		// Tue 5 → Tuesday 5 January 2027 10:00 Beijing; plain Monday–Friday would say Monday.
		if want := time.Date(2027, 1, 5, 2, 0, 0, 0, time.UTC); !due.Equal(want) || v["sla_due_provisional"] != true {
			t.Fatalf("SLA due %v (want %v), provisional %v", due, want, v["sla_due_provisional"])
		}
		if d, _ := v["deadline"].(map[string]any); d != nil && d["due_at"] == v["sla_due_at"] && d["provisional"] != true {
			t.Fatalf("the SLA deadline is not flagged provisional: %v", d)
		}

		admin := service.Caller{Role: actor.Admin, Via: "test-admin"}
		// A bad file is refused naming the field, and nothing is stored.
		_, err := e.Svc.ImportCalendar(ctx, admin, []byte(strings.Replace(test2027, `"2027-01-09"`, `"2027-01-11"`, 1)))
		if fe, ok := fault.As(err); !ok || fe.Code != fault.Invalid || fe.Field != "years[0].makeup_workdays[0].date" {
			t.Fatalf("bad import: %v", err)
		}
		if seq, err := e.Store.CalendarSeq(ctx); err != nil || seq != 0 {
			t.Fatalf("a refused import stored something: %d %v", seq, err)
		}
		if _, err := e.Svc.ImportCalendar(ctx, service.Caller{Role: actor.Agent, Via: "x"}, []byte(test2027)); fault.CodeOf(err) != fault.Forbidden {
			t.Fatalf("an agent imported: %v", err)
		}
		im, err := e.Svc.ImportCalendar(ctx, admin, []byte(test2027))
		if err != nil || im.Seq != 1 || len(im.Published) != 1 || im.Published[0] != 2027 {
			t.Fatalf("import: %+v %v", im, err)
		}
		r = e.Do(apitest.Req{Method: "GET", Path: "/readyz"})
		cal = r.JSON()["calendar"].(map[string]any)
		if cal["days_covered"] != float64(367) || cal["warning"] != nil {
			t.Fatalf("after the import: %s", r.Body)
		}
		if m := metricLine(t, e, "weiquan_calendar_coverage_short"); m != "0" {
			t.Fatalf("weiquan_calendar_coverage_short after the import = %s", m)
		}
		if v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: e.Agent}).JSON(); v["sla_due_provisional"] != false {
			t.Fatal("still provisional after the official 2027 was imported")
		}
		// Another replica on the same database follows the import.
		other := service.New(e.Store, policy.Default(), service.Options{Clock: e.Clock, Logger: discardLog()})
		if other.Calendar().Published(2027) {
			t.Fatal("a fresh replica knows 2027 before loading")
		}
		if changed, err := other.RefreshCalendar(ctx); err != nil || !changed || !other.Calendar().Published(2027) ||
			!other.Calendar().IsWorkingDay(time.Date(2027, 1, 9, 4, 0, 0, 0, time.UTC)) {
			t.Fatalf("the other replica did not follow the import: %v %v", changed, err)
		}
		if changed, err := other.RefreshCalendar(ctx); err != nil || changed {
			t.Fatalf("a second refresh reloaded: %v %v", changed, err)
		}
	})
}
