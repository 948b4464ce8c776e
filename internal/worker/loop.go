package worker

import (
	"context"
	"sync"
	"time"
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
