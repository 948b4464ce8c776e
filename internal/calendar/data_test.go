package calendar

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, s, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const good2027 = `{"years": [{"year": 2027, "source": "测试通知", "published": true,
  "holidays": [{"date": "2027-01-01", "name": "元旦"}, {"date": "2027-02-08", "name": "春节"}],
  "makeup_workdays": [{"date": "2027-02-20", "name": "春节"}]}]}`

func TestParseFileRefusesNamingTheField(t *testing.T) {
	for _, tc := range []struct{ name, body, field string }{
		{"not json", `{"years": [`, "body"},
		{"unknown field", `{"years": [], "yeers": 1}`, "yeers"},
		{"wrong type", `{"years": [{"year": "2027"}]}`, "years.year"},
		{"no years", `{"years": []}`, "years"},
		{"bad year", `{"years": [{"year": 1900, "source": "x", "holidays": [{"date": "1900-01-01", "name": "元旦"}]}]}`, "years[0].year"},
		{"no source", `{"years": [{"year": 2027, "holidays": [{"date": "2027-01-01", "name": "元旦"}]}]}`, "years[0].source"},
		{"no holidays", `{"years": [{"year": 2027, "source": "x"}]}`, "years[0].holidays"},
		{"bad date", `{"years": [{"year": 2027, "source": "x", "holidays": [{"date": "2027-02-30", "name": "春节"}]}]}`, "years[0].holidays[0].date"},
		{"outside year", `{"years": [{"year": 2027, "source": "x", "holidays": [{"date": "2028-01-01", "name": "元旦"}]}]}`, "years[0].holidays[0].date"},
		{"no name", `{"years": [{"year": 2027, "source": "x", "holidays": [{"date": "2027-01-01", "name": " "}]}]}`, "years[0].holidays[0].name"},
		{"twice", `{"years": [{"year": 2027, "source": "x", "holidays": [{"date": "2027-01-01", "name": "元旦"}], "makeup_workdays": [{"date": "2027-01-01", "name": "元旦"}]}]}`, "years[0].makeup_workdays[0].date"},
		// 2027-02-22 is a Monday.
		{"weekday make-up", `{"years": [{"year": 2027, "source": "x", "holidays": [{"date": "2027-01-01", "name": "元旦"}], "makeup_workdays": [{"date": "2027-02-22", "name": "春节"}]}]}`, "years[0].makeup_workdays[0].date"},
		{"year twice", `{"years": [{"year": 2027, "source": "x", "holidays": [{"date": "2027-01-01", "name": "元旦"}]}, {"year": 2027, "source": "x", "holidays": [{"date": "2027-01-01", "name": "元旦"}]}]}`, "years[1].year"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile([]byte(tc.body))
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("ParseFile = %v, want a FieldError naming %s", err, tc.field)
			}
		})
	}
	ys, err := ParseFile([]byte(good2027))
	if err != nil || len(ys) != 1 || ys[0].Year != 2027 || !ys[0].Published {
		t.Fatalf("ParseFile(good) = %+v, %v", ys, err)
	}
}

// The embedded CSV round-trips through the import format.
func TestExportRoundTrips(t *testing.T) {
	b, err := json.Marshal(File{Years: Default().Export()})
	if err != nil {
		t.Fatal(err)
	}
	ys, err := ParseFile(b)
	if err != nil {
		t.Fatalf("exported file refused: %v", err)
	}
	c := (&Calendar{}).Merge(ys)
	for d := day(t, "2025-01-01"); d.Year() < 2027; d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d) != Default().IsWorkingDay(d) {
			t.Fatalf("%s differs after the round trip", d.Format(time.DateOnly))
		}
	}
	if !c.Published(2026) || c.Published(2027) {
		t.Error("published years differ after the round trip")
	}
}

func TestStatutoryHolidays2027(t *testing.T) {
	// Lunar New Year 2027 is 6 February (除夕 5 February), 端午 9 June, 中秋 15 September; the
	// Qingming term falls on 5 April 2027.
	want := map[string]string{
		"2027-01-01": "元旦", "2027-02-05": "春节", "2027-02-06": "春节", "2027-02-07": "春节", "2027-02-08": "春节",
		"2027-04-05": "清明节", "2027-05-01": "劳动节", "2027-05-02": "劳动节", "2027-06-09": "端午节",
		"2027-09-15": "中秋节", "2027-10-01": "国庆节", "2027-10-02": "国庆节", "2027-10-03": "国庆节",
	}
	got := StatutoryHolidays(2027)
	if len(got) != 13 {
		t.Fatalf("%d statutory days in 2027, want 13: %v", len(got), got)
	}
	for _, e := range got {
		if w := want[e.Date.Format(time.DateOnly)]; w != e.Name || e.Kind != Holiday {
			t.Errorf("%s %s %s, want %q", e.Date.Format(time.DateOnly), e.Kind, e.Name, w)
		}
	}
	// 2028: 中秋 falls on 3 October, a day of 国庆 — listed once, under both names.
	n := 0
	for _, e := range StatutoryHolidays(2028) {
		if e.Date.Format(time.DateOnly) == "2028-10-03" {
			n++
			if e.Name != "国庆节、中秋节" {
				t.Errorf("2028-10-03 named %q", e.Name)
			}
		}
	}
	if n != 1 {
		t.Errorf("2028-10-03 listed %d times", n)
	}
}

// The rule agrees with the published notices: every statutory day of 2025 and 2026 is a day
// off in the official data.
func TestStatutoryHolidaysWithinPublishedNotices(t *testing.T) {
	for _, y := range []int{2025, 2026} {
		for _, e := range StatutoryHolidays(y) {
			if o, ok := Default().Lookup(e.Date); !ok || o.Kind != Holiday {
				t.Errorf("%d: statutory %s %s is not a day off in the notice", y, e.Date.Format(time.DateOnly), e.Name)
			}
		}
	}
}

func TestProvisionalCalendarPastTheLastYear(t *testing.T) {
	c := Default().WithProvisional(2030)
	if !c.Computed(2027) || c.Computed(2026) || c.Published(2027) || !c.Published(2026) {
		t.Fatal("2027 should be computed, 2026 published")
	}
	// Spring Festival 2027 (Thu 4 Feb is the last working day before it): days off Fri 5 Feb
	// to Mon 8 Feb; no make-up Saturday.
	for _, tc := range []struct {
		date    string
		working bool
	}{
		{"2027-02-04", true}, {"2027-02-05", false}, {"2027-02-08", false}, {"2027-02-09", true},
		{"2027-10-01", false}, {"2027-09-15", false}, {"2027-06-09", false},
		{"2027-02-20", false}, // a Saturday: no make-up days in the provisional calendar
		{"2030-10-01", false},
		{"2031-10-01", true}, // past the horizon: Monday–Friday (and reported by Check)
	} {
		if got := c.IsWorkingDay(day(t, tc.date)); got != tc.working {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.date, got, tc.working)
		}
	}
	// A 3-working-day SLA from Wed 3 Feb 2027 10:00: Thu 4, Tue 9, Wed 10 → 10 Feb 10:00.
	from := day(t, "2027-02-03").Add(10 * time.Hour)
	due := c.AddWorkingDays(from, 3)
	if want := day(t, "2027-02-10").Add(10 * time.Hour); !due.Equal(want) {
		t.Errorf("due %v, want %v", due, want)
	}
	if !c.Provisional(from, due) || c.Provisional(day(t, "2026-03-01"), day(t, "2026-03-04")) {
		t.Error("Provisional should hold for 2027 and not for 2026")
	}
	if c.Check(from, due) != nil {
		t.Error("a computed year is not missing data")
	}
	if !strings.Contains(ProvisionalSource, "provisional") {
		t.Error("ProvisionalSource")
	}
	// An imported official 2027 replaces the provisional one, with its make-up day.
	ys, err := ParseFile([]byte(good2027))
	if err != nil {
		t.Fatal(err)
	}
	c2 := Default().Merge(ys).WithProvisional(2030)
	if !c2.Published(2027) || c2.Computed(2027) || !c2.IsWorkingDay(day(t, "2027-02-20")) || !c2.Computed(2028) {
		t.Error("the imported 2027 should replace the provisional one")
	}
}

func TestDaysCovered(t *testing.T) {
	c := Default().WithProvisional(2030)
	for _, tc := range []struct {
		now  time.Time
		want int
	}{
		{day(t, "2026-12-01").Add(12 * time.Hour), 31},
		{day(t, "2026-12-31").Add(23 * time.Hour), 1},
		{day(t, "2025-01-01"), 730},
		{day(t, "2027-01-01"), 0},
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), 0}, // already 2027 in Beijing
	} {
		if got := c.DaysCovered(tc.now); got != tc.want {
			t.Errorf("DaysCovered(%v) = %d, want %d", tc.now, got, tc.want)
		}
	}
	ys, _ := ParseFile([]byte(strings.Replace(good2027, `"published": true`, `"published": false`, 1)))
	draft := Default().Merge(ys)
	if draft.Published(2027) || draft.DaysCovered(day(t, "2026-12-01")) != 31 || !draft.Provisional(day(t, "2027-03-01"), day(t, "2027-03-01")) {
		t.Error("a draft year must not count as covered")
	}
}
