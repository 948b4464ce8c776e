package simulate

import (
	"context"
	"time"

	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/worker"
)

// Time is the simulation's clock: it tells the marketplace's time and moves
// it forward, firing, in due order, every deadline that comes due on the
// way. The in-process implementation (manualTime) moves the service's
// Manual clock and fires with the deadline worker's own batch (RunOnce);
// a sandbox test clock (POST /v1/test-clocks/{id}/advance) can take its
// place without changing the actors.
type Time interface {
	Now() time.Time
	// AdvanceTo moves the clock to t (never back) and returns how many
	// deadlines fired on the way.
	AdvanceTo(ctx context.Context, t time.Time) (fired int, err error)
}

// manualTime drives a service on a clock.Manual.
type manualTime struct {
	svc *service.Service
	clk *clock.Manual
	w   *worker.Deadlines
}

func newManualTime(svc *service.Service, clk *clock.Manual) *manualTime {
	return &manualTime{svc: svc, clk: clk, w: worker.NewDeadlines(svc, nil, worker.DeadlineConfig{BatchSize: 500})}
}

func (m *manualTime) Now() time.Time { return m.clk.Now() }

func (m *manualTime) AdvanceTo(ctx context.Context, t time.Time) (int, error) {
	fired := 0
	for {
		at, ok, err := m.svc.NextDeadline(ctx)
		if err != nil {
			return fired, err
		}
		if !ok || at.After(t) {
			break
		}
		if at.After(m.clk.Now()) {
			m.clk.Set(at)
		}
		st, err := m.w.RunOnce(ctx)
		if err != nil {
			return fired, err
		}
		fired += st.Fired
		if st.Claimed == 0 {
			break // nothing claimable now: the next step tries again
		}
	}
	if t.After(m.clk.Now()) {
		m.clk.Set(t)
	}
	return fired, nil
}
