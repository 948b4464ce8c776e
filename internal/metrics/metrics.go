// Package metrics exposes weiquan's Prometheus metrics: HTTP requests and
// latency, state transitions by aggregate and event type, and deadlines
// pending, overdue, fired and how late they fired, and webhook deliveries
// by state with the attempts' outcomes.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/weiquan/weiquan/internal/store"
)

// Metrics is a registry with weiquan's collectors.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	transitions *prometheus.CounterVec
	fired       *prometheus.CounterVec
	lateness    prometheus.Histogram
	hookTries   *prometheus.CounterVec
}

// New builds the registry. now gives the clock for the overdue gauge.
func New(st *store.Store, now func() time.Time) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "weiquan_http_requests_total", Help: "HTTP requests by method, route and status."}, []string{"method", "route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "weiquan_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"})
	m.transitions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "weiquan_transitions_total", Help: "Committed state transitions by aggregate and event type."}, []string{"aggregate", "event"})
	m.fired = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "weiquan_deadlines_fired_total", Help: "Deadlines fired by kind."}, []string{"kind"})
	m.lateness = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "weiquan_deadline_lateness_seconds", Help: "How long after its due time a deadline fired.",
		Buckets: []float64{.1, .5, 1, 2, 5, 10, 30, 60, 300, 3600, 86400}})
	m.hookTries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "weiquan_webhook_attempts_total",
		Help: "Webhook delivery attempts by endpoint and outcome: delivered, failed (retried after back-off) or dead (the last attempt failed)."}, []string{"endpoint", "outcome"})
	m.reg.MustRegister(m.requests, m.latency, m.transitions, m.fired, m.lateness, m.hookTries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st != nil {
		m.reg.MustRegister(&deadlineCollector{st: st, now: now,
			pending: prometheus.NewDesc("weiquan_deadlines_pending", "Pending deadlines.", nil, nil),
			overdue: prometheus.NewDesc("weiquan_deadlines_overdue", "Pending deadlines already due (late).", nil, nil),
			review:  prometheus.NewDesc("weiquan_disputes_in_review", "Intervention cases waiting for review or judgment.", nil, nil),
			breach:  prometheus.NewDesc("weiquan_disputes_sla_breached", "Cases in review past their review SLA (working days).", nil, nil)})
		m.reg.MustRegister(&webhookCollector{st: st,
			deliveries: prometheus.NewDesc("weiquan_webhook_deliveries", "Webhook deliveries by endpoint and state: pending (not attempted yet or in flight), failing (last attempt failed, waiting for its retry), delivered, dead.", []string{"endpoint", "state"}, nil),
			dead:       prometheus.NewDesc("weiquan_webhook_dead_deliveries", "Webhook deliveries dead on every endpoint (alert when > 0: the operator redelivers them from the delivery log).", nil, nil)})
	}
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// Request records a finished HTTP request.
func (m *Metrics) Request(r *http.Request, route string, code int, d time.Duration) {
	m.requests.WithLabelValues(r.Method, route, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// Transition counts a committed transition.
func (m *Metrics) Transition(aggType, eventType string) {
	m.transitions.WithLabelValues(aggType, eventType).Inc()
}

// DeadlineFired counts a fired deadline and its lateness.
func (m *Metrics) DeadlineFired(kind string, late time.Duration) {
	m.fired.WithLabelValues(kind).Inc()
	m.lateness.Observe(late.Seconds())
}

// WebhookAttempt counts a recorded webhook attempt of an endpoint;
// outcome is store.DeliveryDelivered, store.DeliveryFailing (counted as
// "failed") or store.DeliveryDead (the worker's OutboxConfig.Observe).
func (m *Metrics) WebhookAttempt(endpoint, outcome string) {
	if outcome == store.DeliveryFailing {
		outcome = "failed"
	}
	m.hookTries.WithLabelValues(endpoint, outcome).Inc()
}

type webhookCollector struct {
	st               *store.Store
	deliveries, dead *prometheus.Desc
}

func (c *webhookCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.deliveries
	ch <- c.dead
}

func (c *webhookCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.st.WebhookDeliveryCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.deliveries, err)
		return
	}
	// Every state of every endpoint with deliveries, zeros included.
	byEP := map[string]map[string]int64{}
	var dead int64
	for _, n := range counts {
		if byEP[n.EndpointID] == nil {
			byEP[n.EndpointID] = map[string]int64{}
		}
		byEP[n.EndpointID][n.State] = n.N
		if n.State == store.DeliveryDead {
			dead += n.N
		}
	}
	for ep, states := range byEP {
		for _, st := range []string{store.DeliveryPending, store.DeliveryFailing, store.DeliveryDelivered, store.DeliveryDead} {
			ch <- prometheus.MustNewConstMetric(c.deliveries, prometheus.GaugeValue, float64(states[st]), ep, st)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.dead, prometheus.GaugeValue, float64(dead))
}

// ObserveCalendar exports the working-day calendar's coverage:
// weiquan_calendar_days_covered (days from today on covered by a published
// holiday notice) and weiquan_calendar_coverage_short (1 when fewer than
// warnDays: import the next year's schedule). Call it once.
func (m *Metrics) ObserveCalendar(daysCovered func() int, warnDays int) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "weiquan_calendar_days_covered", Help: "Days from today on covered by a published holiday notice (working-day calendar)."},
			func() float64 { return float64(daysCovered()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "weiquan_calendar_coverage_short", Help: "1 when fewer than " + strconv.Itoa(warnDays) + " days ahead are covered by a published holiday notice."},
			func() float64 {
				if daysCovered() < warnDays {
					return 1
				}
				return 0
			}))
}

type deadlineCollector struct {
	st                               *store.Store
	now                              func() time.Time
	pending, overdue, review, breach *prometheus.Desc
}

func (c *deadlineCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.overdue
	ch <- c.review
	ch <- c.breach
}

func (c *deadlineCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.st.DeadlineStats(ctx, c.now())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.pending, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(c.overdue, prometheus.GaugeValue, float64(st.Overdue))
	if inReview, breached, err := c.st.DisputeSLAStats(ctx, c.now()); err == nil {
		ch <- prometheus.MustNewConstMetric(c.review, prometheus.GaugeValue, float64(inReview))
		ch <- prometheus.MustNewConstMetric(c.breach, prometheus.GaugeValue, float64(breached))
	}
}
