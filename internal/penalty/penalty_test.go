package penalty

import (
	"fmt"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/policy"
)

func TestYearIsTheNaturalYearInChina(t *testing.T) {
	cases := []struct {
		at    time.Time
		reset string
		want  int
	}{
		{time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC), "01-01", 2026}, // 23:59:59 in China
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "01-01", 2027},   // midnight in China
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "01-01", 2027},
		{time.Date(2027, 3, 31, 15, 59, 0, 0, time.UTC), "04-01", 2026}, // a book that resets on 1 April
		{time.Date(2027, 3, 31, 16, 0, 0, 0, time.UTC), "04-01", 2027},
	}
	for _, c := range cases {
		if got := Year(c.at, c.reset); got != c.want {
			t.Errorf("Year(%s, %s) = %d, want %d", c.at, c.reset, got, c.want)
		}
	}
	if got := YearStart(2027, "01-01"); !got.Equal(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("YearStart = %s", got)
	}
}

func vio(id string, at time.Time, class string, points int64) Violation {
	return Violation{ID: id, PartyRole: "seller", PartyID: "S1", Class: class, Points: points, At: at}
}

// Points are computed from the violations' dates at the time asked: there
// is no stored counter that a job must reset.
func TestPointsAcrossTheYearBoundary(t *testing.T) {
	dec := time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC)
	jan := time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC) // 1 January 01:00 in China
	vs := []Violation{vio("a", dec, "A", 6), vio("b", dec.Add(time.Hour), "A", 3), vio("c", jan, "A", 2), vio("d", dec, "B", 12)}
	if got := Points(vs, "A", dec.Add(2*time.Hour), "01-01"); got != 9 {
		t.Errorf("A points on 31 Dec = %d, want 9", got)
	}
	if got := Points(vs, "A", jan, "01-01"); got != 2 {
		t.Errorf("A points on 1 Jan = %d, want 2", got)
	}
	if got := Points(vs, "B", jan, "01-01"); got != 0 {
		t.Errorf("B points on 1 Jan = %d, want 0", got)
	}
	// Asked a year later without anything happening in between: still from dates.
	if got := Points(vs, "A", jan.AddDate(1, 0, 0), "01-01"); got != 0 {
		t.Errorf("points a year later = %d", got)
	}
	st := StandingAt(vs, jan, policy.Default())
	if st.Year != 2027 || st.Points["A"] != 2 || st.NextThreshold["A"] != 12 || st.Points["B"] != 0 {
		t.Errorf("standing %+v", st)
	}
}

func TestDueListsEachThresholdOnceWithItsViolations(t *testing.T) {
	b := policy.Default()
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var vs []Violation
	for i := 0; i < 9; i++ {
		vs = append(vs, vio(fmt.Sprintf("v%d", i), t0.Add(time.Duration(i)*time.Hour), "A", 3))
	}
	plans := Due(vs, "A", 2026, "01-01", b)
	if len(plans) != 2 {
		t.Fatalf("plans %+v", plans)
	}
	if plans[0].Threshold != 12 || len(plans[0].Violations) != 4 || plans[0].Step.Kind != "public_warning" {
		t.Errorf("first plan %+v", plans[0])
	}
	if plans[1].Threshold != 24 || len(plans[1].Violations) != 8 || plans[1].Step.Kind != "listing_restriction" {
		t.Errorf("second plan %+v", plans[1])
	}
	// Another year, another class: nothing.
	if p := Due(vs, "A", 2027, "01-01", b); len(p) != 0 {
		t.Errorf("2027 plans %+v", p)
	}
	if p := Due(vs, "B", 2026, "01-01", b); len(p) != 0 {
		t.Errorf("class B plans %+v", p)
	}
	s := NewSanction("s1", "seller", "S1", plans[0], t0, b)
	if s.EndAt == nil || !s.EndAt.Equal(t0.Add(7*24*time.Hour)) || !s.Active(t0) || s.Active(t0.Add(8*24*time.Hour)) {
		t.Errorf("sanction window %+v", s)
	}
}

func TestSanctionAppealRules(t *testing.T) {
	b := policy.Default()
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	s := Restriction("s1", "B1", "c1", "", 30, "seed-complaint-review-extortion", t0, b)
	evs, err := Decide(Sanction{}, Command{Action: Impose, Actor: Actor{Role: "system"}, Sanction: s}, b, t0)
	if err != nil {
		t.Fatal(err)
	}
	evs[0].Seq = 1
	s = Evolve(Sanction{ID: "s1"}, evs[0])
	buyer := Actor{Role: "buyer", ID: "B1"}
	cases := []struct {
		name string
		c    Command
		at   time.Time
		ok   bool
	}{
		{"another party", Command{Action: AppealIt, Actor: Actor{Role: "buyer", ID: "B2"}, Reason: "r", EvidenceIDs: []string{"n"}}, t0, false},
		{"bare disagreement", Command{Action: AppealIt, Actor: buyer, Reason: "不同意"}, t0, false},
		{"known evidence only", Command{Action: AppealIt, Actor: buyer, Reason: "r", EvidenceIDs: []string{"k"}, Known: []string{"k"}}, t0, false},
		{"after the window", Command{Action: AppealIt, Actor: buyer, Reason: "r", EvidenceIDs: []string{"n"}}, t0.Add(8 * 24 * time.Hour), false},
		{"procedural error", Command{Action: AppealIt, Actor: buyer, Reason: "r", Procedural: "未通知我回应"}, t0.Add(time.Hour), true},
		{"decided by an agent", Command{Action: DecideAppeal, Actor: Actor{Role: "agent"}, Reason: "r", RuleIDs: []string{"seed-appeal-once"}}, t0, false},
	}
	for _, c := range cases {
		_, err := Decide(s, c.c, b, c.at)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v", c.name, err)
		}
	}
}
