// Package metrics exposes weiquan's Prometheus metrics: HTTP requests and
// latency, state transitions by aggregate and event type, and deadlines
// pending, overdue, fired and how late they fired, and webhook deliveries
// by state with the attempts' outcomes, plus the Go runtime's and the
// process's. It writes the Prometheus text exposition format with
// github.com/VictoriaMetrics/metrics (a small library without the
// Prometheus client's protobuf dependency: 3.6 MB less binary).
package metrics

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	vm "github.com/VictoriaMetrics/metrics"

	"github.com/weiquan/weiquan/internal/store"
)

// Bucket bounds (seconds) of the histograms.
var (
	latencyBuckets  = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	latenessBuckets = []float64{.1, .5, 1, 2, 5, 10, 30, 60, 300, 3600, 86400}
)

// Metrics is a set of weiquan's metrics; the gauges read from the store are
// computed on each scrape.
type Metrics struct {
	set      *vm.Set
	st       *store.Store
	now      func() time.Time
	lateness *vm.PrometheusHistogram
	calendar func(w io.Writer)
}

func init() { vm.ExposeMetadata(true) } // # TYPE lines, as Prometheus clients write them

// New builds the set. now gives the clock for the overdue gauge.
func New(st *store.Store, now func() time.Time) *Metrics {
	m := &Metrics{set: vm.NewSet(), st: st, now: now}
	m.lateness = m.set.NewPrometheusHistogramExt("weiquan_deadline_lateness_seconds", latenessBuckets)
	return m
}

// Handler serves /metrics. A store that cannot be read answers 503.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		m.set.WritePrometheus(&b)
		if m.calendar != nil {
			m.calendar(&b)
		}
		if m.st != nil {
			if err := m.writeStore(r.Context(), &b); err != nil {
				http.Error(w, "metrics: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		vm.WriteProcessMetrics(&b) // go_* and process_*
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(b.Bytes())
	})
}

// name is a metric's name with its labels, in the order given (pairs of
// label and value).
func name(metric string, labels ...string) string {
	if len(labels) == 0 {
		return metric
	}
	var b bytes.Buffer
	b.WriteString(metric)
	b.WriteByte('{')
	for i := 0; i+1 < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(labels[i])
		b.WriteByte('=')
		b.WriteString(strconv.Quote(labels[i+1]))
	}
	b.WriteByte('}')
	return b.String()
}

// Request records a finished HTTP request.
func (m *Metrics) Request(r *http.Request, route string, code int, d time.Duration) {
	m.set.GetOrCreateCounter(name("weiquan_http_requests_total", "method", r.Method, "route", route, "code", strconv.Itoa(code))).Inc()
	m.set.GetOrCreatePrometheusHistogramExt(name("weiquan_http_request_duration_seconds", "route", route), latencyBuckets).Update(d.Seconds())
}

// Transition counts a committed transition.
func (m *Metrics) Transition(aggType, eventType string) {
	m.set.GetOrCreateCounter(name("weiquan_transitions_total", "aggregate", aggType, "event", eventType)).Inc()
}

// DeadlineFired counts a fired deadline and its lateness.
func (m *Metrics) DeadlineFired(kind string, late time.Duration) {
	m.set.GetOrCreateCounter(name("weiquan_deadlines_fired_total", "kind", kind)).Inc()
	m.lateness.Update(late.Seconds())
}

// WebhookAttempt counts a recorded webhook attempt of an endpoint;
// outcome is store.DeliveryDelivered, store.DeliveryFailing (counted as
// "failed") or store.DeliveryDead (the worker's OutboxConfig.Observe).
func (m *Metrics) WebhookAttempt(endpoint, outcome string) {
	if outcome == store.DeliveryFailing {
		outcome = "failed"
	}
	m.set.GetOrCreateCounter(name("weiquan_webhook_attempts_total", "endpoint", endpoint, "outcome", outcome)).Inc()
}

// ObserveCalendar exports the working-day calendar's coverage:
// weiquan_calendar_days_covered (days from today on covered by a published
// holiday notice) and weiquan_calendar_coverage_short (1 when fewer than
// warnDays: import the next year's schedule). Call it once.
func (m *Metrics) ObserveCalendar(daysCovered func() int, warnDays int) {
	m.calendar = func(w io.Writer) {
		n := daysCovered()
		short := uint64(0)
		if n < warnDays {
			short = 1
		}
		vm.WriteGaugeFloat64(w, "weiquan_calendar_days_covered", float64(n))
		vm.WriteGaugeUint64(w, "weiquan_calendar_coverage_short", short)
	}
}

// writeStore writes the gauges read from the store: deadlines pending and
// overdue, cases in review and past their SLA, webhook deliveries by
// endpoint and state (every state of every endpoint with deliveries,
// zeros included) and the dead ones in all.
func (m *Metrics) writeStore(ctx context.Context, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	now := m.now()
	st, err := m.st.DeadlineStats(ctx, now)
	if err != nil {
		return fmt.Errorf("deadlines: %w", err)
	}
	vm.WriteGaugeUint64(w, "weiquan_deadlines_pending", uint64(st.Pending))
	vm.WriteGaugeUint64(w, "weiquan_deadlines_overdue", uint64(st.Overdue))
	if inReview, breached, err := m.st.DisputeSLAStats(ctx, now); err == nil {
		vm.WriteGaugeUint64(w, "weiquan_disputes_in_review", uint64(inReview))
		vm.WriteGaugeUint64(w, "weiquan_disputes_sla_breached", uint64(breached))
	}
	counts, err := m.st.WebhookDeliveryCounts(ctx)
	if err != nil {
		return fmt.Errorf("webhook deliveries: %w", err)
	}
	byEP := map[string]map[string]int64{}
	var eps []string
	var dead int64
	for _, n := range counts {
		if byEP[n.EndpointID] == nil {
			byEP[n.EndpointID] = map[string]int64{}
			eps = append(eps, n.EndpointID)
		}
		byEP[n.EndpointID][n.State] = n.N
		if n.State == store.DeliveryDead {
			dead += n.N
		}
	}
	vm.WriteMetadataIfNeeded(w, "weiquan_webhook_deliveries", "gauge")
	for _, ep := range eps {
		for _, state := range []string{store.DeliveryPending, store.DeliveryFailing, store.DeliveryDelivered, store.DeliveryDead} {
			fmt.Fprintf(w, "%s %d\n", name("weiquan_webhook_deliveries", "endpoint", ep, "state", state), byEP[ep][state])
		}
	}
	vm.WriteGaugeUint64(w, "weiquan_webhook_dead_deliveries", uint64(dead))
	return nil
}
