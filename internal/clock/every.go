package clock

import (
	"context"
	"time"
)

// Every runs fn every interval of wall-clock time, in a goroutine of its
// own, until ctx ends (leases renewed while a request runs, periodic
// purges).
func Every(ctx context.Context, interval time.Duration, fn func()) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn()
			}
		}
	}()
}
