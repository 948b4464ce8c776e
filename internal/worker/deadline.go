// Package worker runs weiquan's periodic background services: the deadline
// scanner that fires due deadlines in batches, the purge of expired
// idempotency keys and the retention job. Each has a Config with defaults.
package worker

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/service"
)

// DeadlineConfig configures the deadline scanner.
type DeadlineConfig struct {
	Interval   time.Duration // how often to look for due deadlines (default 1s)
	BatchSize  int           // deadlines per transaction (default 200)
	RunTimeout time.Duration // per batch (default 30s)
	// Workers is how many batches run at once (default 1). On PostgreSQL
	// claims use FOR UPDATE SKIP LOCKED, so parallel loops never fire a
	// deadline twice; SQLite has one writer and gains nothing.
	Workers int
}

// Deadlines fires due deadlines. It runs once at start, so deadlines that
// came due while the server was down fire at once, then every Interval,
// draining full batches back to back. Kick asks for a run now; Stop stops the
// scanner and waits for the current batches to finish.
type Deadlines struct {
	cfg DeadlineConfig
	svc *service.Service
	log *slog.Logger
	*loop
	fails *failLog
}

// NewDeadlines returns a scanner.
func NewDeadlines(svc *service.Service, log *slog.Logger, cfg DeadlineConfig) *Deadlines {
	cfg.Interval = cmp.Or(cfg.Interval, time.Second)
	cfg.BatchSize = cmp.Or(cfg.BatchSize, 200)
	cfg.RunTimeout = cmp.Or(cfg.RunTimeout, 30*time.Second)
	cfg.Workers = max(cfg.Workers, 1)
	log = cmp.Or(log, slog.Default())
	return &Deadlines{cfg: cfg, svc: svc, log: log, loop: newLoop(), fails: &failLog{what: "deadline scan", log: log}}
}

// Start runs the scanner until ctx ends or Stop is called.
func (w *Deadlines) Start(ctx context.Context) {
	w.start(ctx, w.cfg.Workers, w.cfg.Interval, w.drain)
}

func (w *Deadlines) drain(ctx context.Context) {
	rounds(ctx, w.fails, w.RunOnce, func(st service.FireStats) bool {
		if st.Claimed > 0 {
			w.log.DebugContext(ctx, "deadlines fired", "claimed", st.Claimed, "fired", st.Fired, "cancelled", st.Cancelled, "skipped", st.Skipped, "failed", st.Failed)
		}
		return st.Claimed >= w.cfg.BatchSize && st.Fired+st.Cancelled > 0
	})
}

// RunOnce fires one batch and returns its counts.
func (w *Deadlines) RunOnce(ctx context.Context) (service.FireStats, error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.RunTimeout)
	defer cancel()
	return w.svc.FireDue(ctx, w.cfg.BatchSize)
}

// IdemPurgeConfig configures the idempotency-key purge.
type IdemPurgeConfig struct {
	Interval time.Duration // default 1h
	Retain   time.Duration // default 48h (keys are kept at least 24h)
}

// StartIdemPurge deletes idempotency records older than Retain, every Interval.
func StartIdemPurge(ctx context.Context, svc *service.Service, log *slog.Logger, cfg IdemPurgeConfig) {
	cfg.Interval = cmp.Or(cfg.Interval, time.Hour)
	cfg.Retain = cmp.Or(cfg.Retain, 48*time.Hour)
	fails := &failLog{what: "idempotency purge", log: log}
	clock.Every(ctx, cfg.Interval, func() {
		n, err := svc.PurgeIdem(ctx, svc.Now().Add(-cfg.Retain))
		if err != nil {
			fails.fail(ctx, err)
			return
		}
		fails.ok(ctx)
		if n > 0 {
			log.InfoContext(ctx, "idempotency keys purged", "count", n)
		}
	})
}

// RetentionConfig configures the retention job.
type RetentionConfig struct {
	Interval time.Duration // default 1h
	Batch    int           // users and blobs per run (default 500)
}

// StartRetention erases personal data and evidence blobs past their
// retention periods (rule book retention.pii, retention.evidence; PIPL art.
// 19, 47), every Interval, draining full batches back to back.
func StartRetention(ctx context.Context, svc *service.Service, log *slog.Logger, cfg RetentionConfig) {
	cfg.Interval = cmp.Or(cfg.Interval, time.Hour)
	cfg.Batch = cmp.Or(cfg.Batch, 500)
	fails := &failLog{what: "retention", log: log}
	round := func(ctx context.Context) (service.RetentionStats, error) { return svc.EnforceRetention(ctx, cfg.Batch) }
	clock.Every(ctx, cfg.Interval, func() {
		rounds(ctx, fails, round, func(st service.RetentionStats) bool { return st.Redacted >= cfg.Batch || st.Blobs >= cfg.Batch })
	})
}
