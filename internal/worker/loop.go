package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/weiquan/weiquan/internal/clock"
)

// loop is the run loop the periodic services share. start runs drain in
// goroutines, once at once and then on every tick of the interval or after a
// Kick, until the context ends or Stop is called. A service embeds it, so its
// Kick and Stop are the service's.
type loop struct {
	kick chan struct{} // buffered (1): made by newLoop
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// newLoop returns a loop that has not started.
func newLoop() *loop { return &loop{kick: make(chan struct{}, 1)} }

// start runs drain in the given number of goroutines (at least one).
func (l *loop) start(ctx context.Context, goroutines int, interval time.Duration, drain func(context.Context)) {
	ctx, l.stop = context.WithCancel(ctx)
	for range max(goroutines, 1) {
		l.wg.Go(func() {
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				drain(ctx)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				case <-l.kick:
				}
			}
		})
	}
}

// Kick asks for a run now; a run already asked for absorbs it.
func (l *loop) Kick() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Stop stops the loop and waits for the runs in progress to finish.
func (l *loop) Stop() {
	if l.stop != nil {
		l.stop()
	}
	l.wg.Wait()
}

// rounds runs round back to back while ctx lasts, as a drain does: a
// failed round is logged (unless ctx ended meanwhile) and ends the drain;
// after one that succeeded, again says whether to go on.
func rounds[S any](ctx context.Context, fails *failLog, round func(context.Context) (S, error), again func(S) bool) {
	for ctx.Err() == nil {
		st, err := round(ctx)
		if err != nil {
			if ctx.Err() == nil {
				fails.fail(ctx, err)
			}
			return
		}
		fails.ok(ctx)
		if !again(st) {
			return
		}
	}
}

// failLog logs a worker's failed rounds with exponential back-off (1 s,
// 2 s, … up to 5 min between lines, with the count held back): while the
// database is away every round fails, and one line per round (every
// 200 ms) would bury the log. The round that succeeds again says so.
type failLog struct {
	what string
	log  *slog.Logger
	b    clock.Backoff
}

func (f *failLog) fail(ctx context.Context, err error) {
	if ok, held := f.b.Allow(time.Now()); ok {
		f.log.ErrorContext(ctx, f.what+" failed", "err", err, "suppressed", held)
	}
}

func (f *failLog) ok(ctx context.Context) {
	if was, held := f.b.Reset(); was {
		f.log.InfoContext(ctx, f.what+" recovered", "suppressed", held)
	}
}
