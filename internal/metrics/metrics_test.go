package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestExposition: the counters, the histograms with their le buckets, the
// calendar gauges and the runtime's metrics come out in the Prometheus
// text format, labels in their order and quoted.
func TestExposition(t *testing.T) {
	m := New(nil, time.Now)
	r := httptest.NewRequest("POST", "/v1/aftersales", nil)
	m.Request(r, "POST /v1/aftersales", 201, 3*time.Millisecond)
	m.Request(r, "POST /v1/aftersales", 201, 30*time.Millisecond)
	m.Transition("aftersale", "requested")
	m.DeadlineFired("seller_respond", 2*time.Second)
	m.WebhookAttempt("ep\"1", "failing")
	m.ObserveCalendar(func() int { return 20 }, 60)
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	for _, want := range []string{
		`weiquan_http_requests_total{method="POST",route="POST /v1/aftersales",code="201"} 2`,
		`weiquan_http_request_duration_seconds_bucket{route="POST /v1/aftersales",le="0.005"} 1`,
		`weiquan_http_request_duration_seconds_bucket{route="POST /v1/aftersales",le="+Inf"} 2`,
		`weiquan_http_request_duration_seconds_count{route="POST /v1/aftersales"} 2`,
		`weiquan_transitions_total{aggregate="aftersale",event="requested"} 1`,
		`weiquan_deadlines_fired_total{kind="seller_respond"} 1`,
		`weiquan_deadline_lateness_seconds_bucket{le="2"} 1`,
		`weiquan_webhook_attempts_total{endpoint="ep\"1",outcome="failed"} 1`,
		"weiquan_calendar_days_covered 20",
		"weiquan_calendar_coverage_short 1",
		"# TYPE weiquan_transitions_total counter",
		"go_goroutines ",
	} {
		if !strings.Contains(body, want+"\n") && !strings.Contains(body, want) {
			t.Errorf("missing %q in\n%s", want, body)
		}
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("content type %q", ct)
	}
}
