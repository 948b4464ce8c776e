package clock

import (
	"sync"
	"time"
)

// Backoff thins out a repeated event — a worker whose every round fails
// while the database is away, a request failing for the same reason — to
// exponentially spaced occurrences: the first is let through, then one
// after First, 2×First, 4×First … up to Max, counting the ones held back.
// A success (Reset) starts over. Safe for concurrent use; the zero value
// uses 1 s and 5 min.
type Backoff struct {
	First, Max time.Duration

	mu         sync.Mutex
	next       time.Time
	gap        time.Duration
	suppressed int
	failing    bool
}

// Allow reports whether the event at now is to be reported, and how many
// were held back since the last one reported.
func (b *Backoff) Allow(now time.Time) (ok bool, suppressed int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	first, most := b.First, b.Max
	if first <= 0 {
		first = time.Second
	}
	if most <= 0 {
		most = 5 * time.Minute
	}
	b.failing = true
	if now.Before(b.next) {
		b.suppressed++
		return false, 0
	}
	switch {
	case b.gap == 0:
		b.gap = first
	default:
		b.gap = min(2*b.gap, most)
	}
	b.next = now.Add(b.gap)
	n := b.suppressed
	b.suppressed = 0
	return true, n
}

// Reset ends a run of failures; it reports whether there was one and how
// many of its events were held back since the last reported.
func (b *Backoff) Reset() (was bool, suppressed int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	was, suppressed = b.failing, b.suppressed
	b.failing, b.suppressed, b.gap, b.next = false, 0, 0, time.Time{}
	return was, suppressed
}
