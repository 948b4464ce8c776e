package calendar

import (
	"slices"
	"time"
)

// StartOfDay is the time of day from which a submission made on a non-working day is counted:
// 09:00 Asia/Shanghai of the next working day.
const StartOfDay = 9 * time.Hour

// MaxShift bounds n in AddWorkingDays: larger magnitudes (about 38,000 years) are clamped.
const MaxShift = 10_000_000

// IsWorkingDay reports whether t's Asia/Shanghai date is a working day: Monday to Friday unless
// the official notice makes it a day off, plus the Saturdays and Sundays it makes make-up working
// days. Outside covered years it is plain Monday–Friday (see Check).
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	return c.working(dayNumber(t.In(c.loc)))
}

// AddWorkingDays returns the deadline n working days after t: the same Asia/Shanghai time of day
// as t on the n-th working day after t's date. When t's date is not a working day, t is first
// moved to 09:00 (StartOfDay) of the next working day, so a Saturday 10:00 submission with n = 3
// is due on the third working day after Monday, at 09:00. n = 0 returns that normalised start (t
// itself on a working day). A negative n counts back from the normalised start, so
// AddWorkingDays(AddWorkingDays(t, n), -n) == AddWorkingDays(t, 0). n is clamped to ±MaxShift.
// The result is the instant in t's location.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	n = max(-MaxShift, min(n, MaxShift))
	day, tod := c.start(t)
	switch {
	case n > 0:
		day = c.nthAfter(day, int64(n))
	case n < 0:
		day = c.nthBefore(day, int64(-n))
	}
	return c.at(day, tod).In(t.Location())
}

// WorkingDaysBetween returns how many whole working days, on the clock AddWorkingDays uses, have
// run from a to b: the largest k ≥ 0 with AddWorkingDays(a, k) ≤ b, or 0 when b comes before
// AddWorkingDays(a, 0) (for example a Saturday a and a Sunday b). So
// WorkingDaysBetween(a, AddWorkingDays(a, n)) == n for n ≥ 0, and a deadline of n ≥ 1 working
// days from a has been reached at b exactly when WorkingDaysBetween(a, b) ≥ n. When b is before
// a the result is -WorkingDaysBetween(b, a).
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	if b.Before(a) {
		return -c.WorkingDaysBetween(b, a)
	}
	s, tod := c.start(a)
	lb := b.In(c.loc)
	bd := dayNumber(lb)
	if bd <= s {
		return 0
	}
	k := c.count(s+1, bd)
	if k > 0 && c.working(bd) && timeOfDay(lb) < tod {
		k-- // the k-th working day is b's date, but its deadline time has not come yet
	}
	return int(k)
}

// start returns the day and time of day from which AddWorkingDays counts t.
func (c *Calendar) start(t time.Time) (day int64, tod time.Duration) {
	lt := t.In(c.loc)
	day, tod = dayNumber(lt), timeOfDay(lt)
	if !c.working(day) {
		for day++; !c.working(day); day++ {
		}
		tod = StartOfDay
	}
	return day, tod
}

// working reports whether day (a day number) is a working day.
func (c *Calendar) working(day int64) bool {
	if e, ok := c.entries[day]; ok {
		return e.Kind == MakeUp
	}
	wd := weekday(day)
	return wd != time.Saturday && wd != time.Sunday
}

// count returns the number of working days in the day range [a, b] (0 when b < a).
func (c *Calendar) count(a, b int64) int64 {
	if b < a {
		return 0
	}
	return weekdaysBefore(b+1) - weekdaysBefore(a) -
		inRange(c.offWeekdays, a, b) + inRange(c.workWeekends, a, b)
}

// nthAfter returns the n-th (n ≥ 1) working day after day.
func (c *Calendar) nthAfter(day, n int64) int64 {
	hi := day + n
	for c.count(day+1, hi) < n {
		hi += hi - day
	}
	lo := day + 1 // smallest d in [lo, hi] with count(day+1, d) ≥ n; it is a working day
	for lo < hi {
		mid := lo + (hi-lo)/2
		if c.count(day+1, mid) >= n {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// nthBefore returns the n-th (n ≥ 1) working day before day.
func (c *Calendar) nthBefore(day, n int64) int64 {
	lo := day - n
	for c.count(lo, day-1) < n {
		lo -= day - lo
	}
	hi := day - 1 // largest d in [lo, hi] with count(d, day-1) ≥ n; it is a working day
	for lo < hi {
		mid := hi - (hi-lo)/2
		if c.count(mid, day-1) >= n {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// at returns the instant at time of day tod on day, in the calendar's zone.
func (c *Calendar) at(day int64, tod time.Duration) time.Time {
	y, m, d := time.Unix(day*secondsPerDay, 0).UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.loc).Add(tod)
}

const secondsPerDay = 24 * 60 * 60

// dayNumber returns the days from 1970-01-01 to the wall-clock date of t (in t's own location).
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
}

// timeOfDay returns the wall-clock time elapsed since midnight of t's date (in t's location).
func timeOfDay(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// mondayOffset is the day number of Monday 1970-01-05, the anchor of weekday arithmetic.
const mondayOffset = 4

// weekday returns the day of the week of a day number.
func weekday(day int64) time.Weekday {
	// 0 = Monday … 6 = Sunday, then shifted to time.Weekday's Sunday = 0.
	return time.Weekday((floorMod(day-mondayOffset, 7) + 1) % 7)
}

// weekdaysBefore returns the number of Mondays to Fridays in [mondayOffset, day), negative for a
// day before the anchor, so that weekdaysBefore(b+1) - weekdaysBefore(a) counts them in [a, b].
func weekdaysBefore(day int64) int64 {
	m := day - mondayOffset
	return floorDiv(m, 7)*5 + min(floorMod(m, 7), 5)
}

// inRange returns how many of the sorted days lie in [a, b].
func inRange(days []int64, a, b int64) int64 {
	i, _ := slices.BinarySearch(days, a)
	j, _ := slices.BinarySearch(days, b+1)
	return int64(j - i)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
