package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// bj is Beijing time, written out independently of the package's own zone.
var bj = time.FixedZone("UTC+8", 8*3600)

// at parses "2006-01-02 15:04" in Beijing time.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, bj)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// official is the expected content of the notices, written out independently of
// cn_holidays.csv: holiday spans (inclusive) and make-up working days.
var official = []struct {
	name     string
	from, to string
	work     []string
}{
	{"2025 元旦", "2025-01-01", "2025-01-01", nil},
	{"2025 春节", "2025-01-28", "2025-02-04", []string{"2025-01-26", "2025-02-08"}},
	{"2025 清明节", "2025-04-04", "2025-04-06", nil},
	{"2025 劳动节", "2025-05-01", "2025-05-05", []string{"2025-04-27"}},
	{"2025 端午节", "2025-05-31", "2025-06-02", nil},
	{"2025 国庆节、中秋节", "2025-10-01", "2025-10-08", []string{"2025-09-28", "2025-10-11"}},
	{"2026 元旦", "2026-01-01", "2026-01-03", []string{"2026-01-04"}},
	{"2026 春节", "2026-02-15", "2026-02-23", []string{"2026-02-14", "2026-02-28"}},
	{"2026 清明节", "2026-04-04", "2026-04-06", nil},
	{"2026 劳动节", "2026-05-01", "2026-05-05", []string{"2026-05-09"}},
	{"2026 端午节", "2026-06-19", "2026-06-21", nil},
	{"2026 中秋节", "2026-09-25", "2026-09-27", nil},
	{"2026 国庆节", "2026-10-01", "2026-10-07", []string{"2026-09-20", "2026-10-10"}},
}

// TestEveryDayOfCoveredYears compares every date of 2025 and 2026 with the official list.
func TestEveryDayOfCoveredYears(t *testing.T) {
	c := Default()
	off, work := map[string]string{}, map[string]string{}
	for _, h := range official {
		for d := at(t, h.from+" 00:00"); !d.After(at(t, h.to+" 00:00")); d = d.AddDate(0, 0, 1) {
			off[d.Format(time.DateOnly)] = h.name
		}
		for _, w := range h.work {
			if wd := at(t, w+" 00:00").Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Fatalf("test table: make-up day %s is a %s", w, wd)
			}
			work[w] = h.name
		}
	}
	perYear := map[int]int{}
	for d := at(t, "2025-01-01 12:00"); d.Year() < 2027; d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		want := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
		if _, ok := off[key]; ok {
			want = false
		}
		if _, ok := work[key]; ok {
			want = true
		}
		if got := c.IsWorkingDay(d); got != want {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v (%s%s)", key, d.Weekday(), got, want, off[key], work[key])
		}
		e, ok := c.Lookup(d)
		if wantEntry := off[key] != "" || work[key] != ""; ok != wantEntry {
			t.Errorf("Lookup(%s) ok = %v, want %v", key, ok, wantEntry)
		}
		if ok {
			if name := off[key] + work[key]; !strings.HasSuffix(name, " "+e.Name) {
				t.Errorf("Lookup(%s).Name = %q, want the name in %q", key, e.Name, name)
			}
			if e.Date.Format(time.DateOnly) != key || !e.Date.Equal(at(t, key+" 00:00")) {
				t.Errorf("Lookup(%s).Date = %v", key, e.Date)
			}
		}
		if want {
			perYear[d.Year()]++
		}
	}
	// 365 days − 104 weekend days − 13 statutory holiday days (全国年节及纪念日放假办法, 2024).
	for _, y := range []int{2025, 2026} {
		if perYear[y] != 248 {
			t.Errorf("%d has %d working days, want 248", y, perYear[y])
		}
		// From 10:00 on the last day of the year before to the end of the year's last day.
		start, end := time.Date(y-1, 12, 31, 10, 0, 0, 0, bj), time.Date(y, 12, 31, 23, 59, 0, 0, bj)
		if got := c.WorkingDaysBetween(start, end); got != 248 {
			t.Errorf("WorkingDaysBetween over %d = %d, want 248", y, got)
		}
	}
}

func TestIsWorkingDayTimeZone(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		utc  string
		want bool
		why  string
	}{
		{"2025-09-30T15:59:59Z", true, "23:59:59 on Tuesday 30 Sep in Beijing"},
		{"2025-09-30T16:00:00Z", false, "already 1 Oct (国庆节) in Beijing"},
		{"2026-01-03T15:59:59Z", false, "Saturday 3 Jan (元旦) in Beijing"},
		{"2026-01-03T16:00:00Z", true, "Sunday 4 Jan in Beijing, a make-up working day"},
		{"2025-10-10T20:00:00Z", true, "Saturday 11 Oct 04:00 in Beijing, a make-up working day"},
		{"2025-10-12T16:30:00Z", true, "Monday 13 Oct in Beijing though Sunday in UTC"},
	} {
		t.Run(tc.utc, func(t *testing.T) {
			u, err := time.Parse(time.RFC3339, tc.utc)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.IsWorkingDay(u); got != tc.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v: %s", tc.utc, got, tc.want, tc.why)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name  string
		from  string
		n     int
		want  string
		check bool // Check(from, result) reports missing data
	}{
		// 2025 元旦 (1 Jan; 2024 is not covered, but 31 Dec 2024 is an ordinary Tuesday).
		{"2025 元旦 from 31 Dec", "2024-12-31 10:00", 1, "2025-01-02 10:00", true},
		{"2025 元旦 on the day", "2025-01-01 10:00", 0, "2025-01-02 09:00", false},
		// 2025 春节: 28 Jan–4 Feb off, Sun 26 Jan and Sat 8 Feb worked.
		{"2025 春节 Fri to make-up Sun", "2025-01-24 14:00", 1, "2025-01-26 14:00", false},
		{"2025 春节 Fri +2", "2025-01-24 14:00", 2, "2025-01-27 14:00", false},
		{"2025 春节 Fri +3 jumps the holiday", "2025-01-24 14:00", 3, "2025-02-05 14:00", false},
		{"2025 春节 Fri +6 to make-up Sat", "2025-01-24 14:00", 6, "2025-02-08 14:00", false},
		{"2025 春节 Fri +7", "2025-01-24 14:00", 7, "2025-02-10 14:00", false},
		{"2025 春节 submitted on 除夕", "2025-01-28 20:00", 1, "2025-02-06 09:00", false},
		{"2025 春节 submitted Sat 25 Jan", "2025-01-25 11:00", 1, "2025-01-27 09:00", false},
		// 2025 清明节: 4–6 Apr.
		{"2025 清明节", "2025-04-03 10:00", 1, "2025-04-07 10:00", false},
		// 2025 劳动节: 1–5 May off, Sun 27 Apr worked.
		{"2025 劳动节 make-up Sun", "2025-04-25 10:00", 1, "2025-04-27 10:00", false},
		{"2025 劳动节 from the make-up Sun", "2025-04-27 10:00", 1, "2025-04-28 10:00", false},
		{"2025 劳动节", "2025-04-30 10:00", 1, "2025-05-06 10:00", false},
		// 2025 端午节: 31 May–2 Jun.
		{"2025 端午节", "2025-05-30 10:00", 1, "2025-06-03 10:00", false},
		// 2025 国庆节、中秋节: 1–8 Oct off, Sun 28 Sep and Sat 11 Oct worked.
		{"2025 国庆 Sat before the make-up Sun", "2025-09-27 10:00", 1, "2025-09-29 09:00", false},
		{"2025 国庆 make-up Sun", "2025-09-28 15:00", 1, "2025-09-29 15:00", false},
		{"2025 国庆 +1", "2025-09-30 10:00", 1, "2025-10-09 10:00", false},
		{"2025 国庆 +3 lands on make-up Sat", "2025-09-30 10:00", 3, "2025-10-11 10:00", false},
		{"2025 国庆 +4", "2025-09-30 10:00", 4, "2025-10-13 10:00", false},
		{"2025 国庆 submitted in the holiday", "2025-10-01 10:00", 0, "2025-10-09 09:00", false},
		{"2025 国庆 submitted in the holiday +3", "2025-10-01 10:00", 3, "2025-10-13 09:00", false},
		{"2025 国庆 submitted Sun 12 Oct", "2025-10-12 10:00", 1, "2025-10-14 09:00", false},
		// The year boundary 2025 → 2026: 1–3 Jan 2026 off, Sun 4 Jan worked.
		{"2026 元旦 +1 to make-up Sun", "2025-12-31 18:00", 1, "2026-01-04 18:00", false},
		{"2026 元旦 +2", "2025-12-31 18:00", 2, "2026-01-05 18:00", false},
		{"2026 元旦 submitted 2 Jan", "2026-01-02 10:00", 1, "2026-01-05 09:00", false},
		// 2026 春节: 15–23 Feb off, Sat 14 and Sat 28 Feb worked.
		{"2026 春节 make-up Sat 14 Feb", "2026-02-13 10:00", 1, "2026-02-14 10:00", false},
		{"2026 春节 +2", "2026-02-13 10:00", 2, "2026-02-24 10:00", false},
		{"2026 春节 make-up Sat 28 Feb", "2026-02-27 10:00", 1, "2026-02-28 10:00", false},
		{"2026 春节 after 28 Feb", "2026-02-27 10:00", 2, "2026-03-02 10:00", false},
		{"2026 春节 submitted 初一", "2026-02-17 10:00", 3, "2026-02-27 09:00", false},
		// 2026 清明节: 4–6 Apr.
		{"2026 清明节", "2026-04-03 10:00", 1, "2026-04-07 10:00", false},
		// 2026 劳动节: 1–5 May off, Sat 9 May worked.
		{"2026 劳动节", "2026-04-30 10:00", 1, "2026-05-06 10:00", false},
		{"2026 劳动节 make-up Sat", "2026-05-08 10:00", 1, "2026-05-09 10:00", false},
		// 2026 端午节: 19–21 Jun.
		{"2026 端午节", "2026-06-18 10:00", 1, "2026-06-22 10:00", false},
		// 2026 中秋节 25–27 Sep and 国庆节 1–7 Oct, Sun 20 Sep and Sat 10 Oct worked.
		{"2026 国庆 make-up Sun 20 Sep", "2026-09-18 10:00", 1, "2026-09-20 10:00", false},
		{"2026 中秋节", "2026-09-24 10:00", 1, "2026-09-28 10:00", false},
		{"2026 国庆节", "2026-09-30 10:00", 1, "2026-10-08 10:00", false},
		{"2026 国庆 make-up Sat 10 Oct", "2026-10-09 10:00", 1, "2026-10-10 10:00", false},
		{"2026 国庆 after 10 Oct", "2026-10-09 10:00", 2, "2026-10-12 10:00", false},
		// Leaving the covered years: plain Monday–Friday, reported by Check.
		{"2027 fallback", "2026-12-31 10:00", 1, "2027-01-01 10:00", true},
		{"2024 fallback", "2024-10-01 10:00", 1, "2024-10-02 10:00", true},
		// The convention on ordinary days.
		{"Saturday 10:00 with 3 working days", "2025-03-15 10:00", 3, "2025-03-20 09:00", false},
		{"Saturday 10:00, n = 0", "2025-03-15 10:00", 0, "2025-03-17 09:00", false},
		{"working day, n = 0", "2025-03-18 16:20", 0, "2025-03-18 16:20", false},
		{"before 09:00 on a working day keeps its time", "2025-03-17 08:00", 1, "2025-03-18 08:00", false},
		{"late on a working day keeps its time", "2025-03-14 23:30", 1, "2025-03-17 23:30", false},
		{"negative", "2025-10-09 10:00", -1, "2025-09-30 10:00", false},
		{"negative over 春节 2026", "2026-02-24 10:00", -2, "2026-02-13 10:00", false},
		{"negative from a holiday", "2025-10-05 10:00", -1, "2025-09-30 09:00", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := at(t, tc.from)
			got := c.AddWorkingDays(from, tc.n)
			if want := at(t, tc.want); !got.Equal(want) {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got.In(bj).Format("2006-01-02 15:04 Mon"), tc.want)
			}
			if got.Location() != from.Location() {
				t.Errorf("result in %v, want the input's location %v", got.Location(), from.Location())
			}
			err := c.Check(from, got)
			if (err != nil) != tc.check {
				t.Errorf("Check = %v, want missing data: %v", err, tc.check)
			}
			if tc.n >= 0 {
				if k := c.WorkingDaysBetween(from, got); k != tc.n {
					t.Errorf("WorkingDaysBetween(from, result) = %d, want %d", k, tc.n)
				}
			}
		})
	}
}

func TestAddWorkingDaysTimeZone(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name, from string
		n          int
		want       string
	}{
		// 17:00 UTC on 30 Sep is 01:00 on 1 Oct in Beijing, a holiday: counted from 09:00 on
		// 9 Oct Beijing; one working day later is 09:00 on 10 Oct Beijing = 01:00 UTC.
		{"UTC already the next day in Beijing", "2025-09-30T17:00:00Z", 1, "2025-10-10T01:00:00Z"},
		// 15:59:59 UTC is still Tuesday 30 Sep 23:59:59 in Beijing, a working day.
		{"UTC still the same day in Beijing", "2025-09-30T15:59:59Z", 1, "2025-10-09T15:59:59Z"},
		// 20:00 UTC on Saturday 3 Jan 2026 is Sunday 4 Jan 04:00 in Beijing, a make-up day.
		{"UTC Saturday, Beijing make-up Sunday", "2026-01-03T20:00:00Z", 1, "2026-01-04T20:00:00Z"},
		// An offset far from Beijing: 20:00 on Friday 30 Jan 2026 at UTC−5 is 09:00 Saturday.
		{"UTC-5 Friday evening", "2026-01-30T20:00:00-05:00", 1, "2026-02-03T09:00:00+08:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, err := time.Parse(time.RFC3339, tc.from)
			if err != nil {
				t.Fatal(err)
			}
			want, err := time.Parse(time.RFC3339, tc.want)
			if err != nil {
				t.Fatal(err)
			}
			got := c.AddWorkingDays(from, tc.n)
			if !got.Equal(want) {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", tc.from, tc.n, got.Format(time.RFC3339), tc.want)
			}
			_, gotOff := got.Zone()
			if _, fromOff := from.Zone(); gotOff != fromOff {
				t.Errorf("result %s not in the input's zone", got.Format(time.RFC3339))
			}
		})
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name, a, b string
		want       int
	}{
		{"same instant", "2025-03-18 10:00", "2025-03-18 10:00", 0},
		{"国庆 deadline reached", "2025-09-30 10:00", "2025-10-11 10:00", 3},
		{"国庆 one minute short", "2025-09-30 10:00", "2025-10-11 09:59", 2},
		{"across the whole holiday", "2025-09-30 10:00", "2025-10-08 23:00", 0},
		{"into the first working day, before the hour", "2025-09-30 10:00", "2025-10-09 09:00", 0},
		{"into the first working day, at the hour", "2025-09-30 10:00", "2025-10-09 10:00", 1},
		{"weekend to weekend", "2025-03-15 10:00", "2025-03-16 10:00", 0},
		{"Saturday to Thursday 09:00", "2025-03-15 10:00", "2025-03-20 09:00", 3},
		{"Saturday to Thursday 08:59", "2025-03-15 10:00", "2025-03-20 08:59", 2},
		{"reversed", "2025-03-20 09:00", "2025-03-15 10:00", -3},
		{"Friday to Monday before the hour", "2025-03-14 10:00", "2025-03-17 09:00", 0},
		{"Friday to Monday after the hour", "2025-03-14 10:00", "2025-03-17 10:00", 1},
		{"Friday to Sunday", "2025-03-14 10:00", "2025-03-16 23:00", 0},
		{"across 春节 2026", "2026-02-13 10:00", "2026-03-02 10:00", 7},
		{"2025 to 2026", "2025-12-31 10:00", "2026-01-05 10:00", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.WorkingDaysBetween(at(t, tc.a), at(t, tc.b)); got != tc.want {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestCoverage(t *testing.T) {
	c := Default()
	for y, want := range map[int]bool{2024: false, 2025: true, 2026: true, 2027: false} {
		if got := c.Covers(y); got != want {
			t.Errorf("Covers(%d) = %v, want %v", y, got, want)
		}
	}
	if ys := c.Years(); len(ys) != 2 || ys[0] != 2025 || ys[1] != 2026 {
		t.Errorf("Years() = %v, want [2025 2026]", ys)
	}
	n, ok := c.Notice(2025)
	if !ok || n.Title != "国务院办公厅关于2025年部分节假日安排的通知" || n.Number != "国办发明电〔2024〕12号" {
		t.Errorf("Notice(2025) = %+v, %v", n, ok)
	}
	if n, ok := c.Notice(2026); !ok || !strings.Contains(n.Title, "2026年部分节假日安排") {
		t.Errorf("Notice(2026) = %+v, %v", n, ok)
	}
	if _, ok := c.Notice(2027); ok {
		t.Error("Notice(2027) found")
	}

	if err := c.Check(at(t, "2025-01-01 00:00"), at(t, "2026-12-31 23:59")); err != nil {
		t.Errorf("Check over 2025–2026 = %v", err)
	}
	// 16:00 UTC on 31 Dec 2026 is already 2027 in Beijing.
	err := c.Check(at(t, "2026-12-01 00:00"), time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC))
	var missing *MissingDataError
	if !errors.As(err, &missing) || len(missing.Years) != 1 || missing.Years[0] != 2027 {
		t.Fatalf("Check into 2027 = %v, want a MissingDataError for 2027", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "缺少2027年") || !strings.Contains(msg, "calendar data missing for 2027") {
		t.Errorf("message %q", msg)
	}
	if ys := c.Missing(at(t, "2028-06-01 00:00"), at(t, "2023-06-01 00:00")); len(ys) != 4 ||
		ys[0] != 2023 || ys[1] != 2024 || ys[2] != 2027 || ys[3] != 2028 {
		t.Errorf("Missing(2028, 2023) = %v", ys)
	}
	if ys := c.Missing(at(t, "2000-01-01 00:00"), at(t, "2500-01-01 00:00")); len(ys) != maxMissingYears {
		t.Errorf("Missing over 500 years lists %d years, want the cap %d", len(ys), maxMissingYears)
	}
	// Outside the data, plain Monday–Friday: Friday 1 Oct 2027 counts as a working day.
	if !c.IsWorkingDay(at(t, "2027-10-01 10:00")) || c.IsWorkingDay(at(t, "2027-10-02 10:00")) {
		t.Error("2027 should fall back to Monday–Friday")
	}
	if c.Location().String() == "" || at(t, "2025-01-01 00:00").In(c.Location()).Hour() != 0 {
		t.Error("Location is not UTC+8")
	}
	if !strings.Contains(string(Embedded()), "国办发明电〔2024〕12号") {
		t.Error("Embedded() does not hold the data file")
	}
}

func TestExtremeShifts(t *testing.T) {
	c := Default()
	from := at(t, "2025-03-18 10:00")
	far := c.AddWorkingDays(from, 1<<62)
	if far.Year() < 30000 || !c.IsWorkingDay(far) {
		t.Errorf("AddWorkingDays(+huge) = %v", far)
	}
	if got := c.WorkingDaysBetween(from, far); got != MaxShift {
		t.Errorf("WorkingDaysBetween(from, clamped) = %d, want %d", got, MaxShift)
	}
	back := c.AddWorkingDays(from, -1<<62)
	if back.Year() > -30000 || !c.AddWorkingDays(back, MaxShift).Equal(from) {
		t.Errorf("AddWorkingDays(-huge) = %v", back)
	}
}
