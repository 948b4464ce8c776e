package calendar

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// instant draws a time from mid-2024 to mid-2027 (both covered years and fallback years on each
// side), in UTC, Beijing time or UTC−5, with whole-minute times most of the time so that equal
// times of day are common.
func instant(t *rapid.T, label string) time.Time {
	lo := time.Date(2024, 6, 1, 0, 0, 0, 0, bj).Unix()
	hi := time.Date(2027, 6, 1, 0, 0, 0, 0, bj).Unix()
	sec := rapid.Int64Range(lo, hi).Draw(t, label+".sec")
	if rapid.Bool().Draw(t, label+".whole") {
		sec -= sec % 60
	}
	v := time.Unix(sec, rapid.Int64Range(0, 999_999_999).Draw(t, label+".ns"))
	loc := rapid.SampledFrom([]*time.Location{time.UTC, bj, time.FixedZone("UTC-5", -5*3600)}).Draw(t, label+".loc")
	return v.In(loc)
}

// naiveAdd is the model: walk one Beijing day at a time with IsWorkingDay.
func naiveAdd(c *Calendar, v time.Time, n int) time.Time {
	l := v.In(bj)
	if !c.IsWorkingDay(l) {
		l = time.Date(l.Year(), l.Month(), l.Day(), 9, 0, 0, 0, bj)
		for l = l.AddDate(0, 0, 1); !c.IsWorkingDay(l); l = l.AddDate(0, 0, 1) {
		}
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for ; n > 0; n-- {
		for l = l.AddDate(0, 0, step); !c.IsWorkingDay(l); l = l.AddDate(0, 0, step) {
		}
	}
	return l
}

// naiveWorking is the model of IsWorkingDay: the weekday default overridden by the entries.
func naiveWorking(c *Calendar, v time.Time) bool {
	l := v.In(bj)
	key := l.Format(time.DateOnly)
	for _, e := range c.entries {
		if e.Date.Format(time.DateOnly) == key {
			return e.Kind == MakeUp
		}
	}
	return l.Weekday() != time.Saturday && l.Weekday() != time.Sunday
}

func TestPropertyAddWorkingDays(t *testing.T) {
	c := Default()
	rapid.Check(t, func(t *rapid.T) {
		v := instant(t, "t")
		n := rapid.IntRange(-300, 300).Draw(t, "n")
		got := c.AddWorkingDays(v, n)

		if want := naiveAdd(c, v, n); !got.Equal(want) {
			t.Fatalf("AddWorkingDays(%v, %d) = %v, model says %v", v, n, got, want)
		}
		if got.Location() != v.Location() {
			t.Fatalf("result in %v, input in %v", got.Location(), v.Location())
		}
		if !c.IsWorkingDay(got) || c.IsWorkingDay(got) != naiveWorking(c, got) {
			t.Fatalf("deadline %v is not a working day", got)
		}
		// The time of day is kept, or is 09:00 for a start on a non-working day.
		lg, lv := got.In(bj), v.In(bj)
		if c.IsWorkingDay(v) {
			if timeOfDay(lg) != timeOfDay(lv) {
				t.Fatalf("time of day %v changed to %v", lv, lg)
			}
		} else if timeOfDay(lg) != StartOfDay {
			t.Fatalf("start on a non-working day %v: deadline %v is not at 09:00", lv, lg)
		}
		// Counting back undoes counting forward.
		if back, start := c.AddWorkingDays(got, -n), c.AddWorkingDays(v, 0); !back.Equal(start) {
			t.Fatalf("AddWorkingDays(AddWorkingDays(t, %d), %d) = %v, want %v", n, -n, back, start)
		}
		// Monotone in n.
		if next := c.AddWorkingDays(v, n+1); !next.After(got) {
			t.Fatalf("AddWorkingDays(t, %d) = %v is not after AddWorkingDays(t, %d) = %v", n+1, next, n, got)
		}
		if n >= 0 {
			if k := c.WorkingDaysBetween(v, got); k != n {
				t.Fatalf("WorkingDaysBetween(t, AddWorkingDays(t, %d)) = %d", n, k)
			}
		}
		if n >= 1 {
			if k := c.WorkingDaysBetween(v, got.Add(-time.Nanosecond)); k != n-1 {
				t.Fatalf("one nanosecond before the deadline: WorkingDaysBetween = %d, want %d", k, n-1)
			}
		}
	})
}

func TestPropertyWorkingDaysBetween(t *testing.T) {
	c := Default()
	rapid.Check(t, func(t *rapid.T) {
		a, b := instant(t, "a"), instant(t, "b")
		k := c.WorkingDaysBetween(a, b)
		if r := c.WorkingDaysBetween(b, a); r != -k && !(k == 0 && r == 0) {
			t.Fatalf("WorkingDaysBetween not antisymmetric: %d and %d", k, r)
		}
		if b.Before(a) {
			a, b, k = b, a, -k
		}
		if k < 0 {
			t.Fatalf("WorkingDaysBetween(%v, %v) = %d < 0", a, b, k)
		}
		// k is the largest count whose deadline has been reached at b.
		if k > 0 && c.AddWorkingDays(a, k).After(b) {
			t.Fatalf("AddWorkingDays(a, %d) = %v is after b = %v", k, c.AddWorkingDays(a, k), b)
		}
		if next := c.AddWorkingDays(a, k+1); !next.After(b) {
			t.Fatalf("AddWorkingDays(a, %d) = %v is not after b = %v", k+1, next, b)
		}
	})
}
