package clock

import (
	"testing"
	"time"
)

func TestBackoffSpacesRepeatedEvents(t *testing.T) {
	b := &Backoff{First: time.Second, Max: 4 * time.Second}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var let []int // seconds ×5 (events every 200 ms) at which an event is let through
	held := 0
	for i := range 100 { // 20 s of an event every 200 ms
		ok, n := b.Allow(t0.Add(time.Duration(i) * 200 * time.Millisecond))
		if ok {
			let = append(let, i)
			held += n
		}
	}
	// 0, then after 1 s, 2 s, 4 s, 4 s, 4 s, 4 s: i = 0, 5, 15, 35, 55, 75, 95.
	want := []int{0, 5, 15, 35, 55, 75, 95}
	if len(let) != len(want) {
		t.Fatalf("let through at %v, want %v", let, want)
	}
	for i := range want {
		if let[i] != want[i] {
			t.Fatalf("let through at %v, want %v", let, want)
		}
	}
	if was, n := b.Reset(); !was || held+n != 100-len(want) {
		t.Fatalf("reset: was %v, held %d+%d, want %d", was, held, n, 100-len(want))
	}
	if ok, _ := b.Allow(t0.Add(20 * time.Second)); !ok {
		t.Fatal("after a reset the first event is let through")
	}
	if was, _ := (&Backoff{}).Reset(); was {
		t.Fatal("a fresh back-off had no failures")
	}
}
