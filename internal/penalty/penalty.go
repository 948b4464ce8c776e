// Package penalty holds violation points and sanctions (SPEC §8, 行为管理规则).
//
// A violation carries a class (A 一般违规, B 严重违规) and points from the rule
// book (policy "complaints.violations"). Points accumulate per party and class
// within a natural year, computed from the violations' dates on the China
// Standard Time calendar and the reset day (rule "penalty.reset", 1 January,
// seed-points-reset-jan1): no job resets anything, so a missed job cannot
// break the reset. Reaching a threshold of "penalty.thresholds" (12 / 24 / 36
// / 48, ours-thresholds-12-24-36-48) imposes the step of the party's and
// class's sanction ladder, with a start and an end, naming the violations
// behind it. Each threshold of a year imposes at most one sanction: Due lists
// every threshold reached, and the store keeps one row per (party, class,
// year, threshold) by a unique index, so concurrent violations crossing a
// threshold create exactly one sanction. A sanction can be appealed like a
// judgment (within appeal.window, once, with new evidence or a procedural
// error; decided by the senior tier).
package penalty

import (
	"fmt"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/policy"
)

// CST is China Standard Time, the calendar of the natural year.
var CST = time.FixedZone("CST", 8*3600)

// Violation is one recorded violation of a party.
type Violation struct {
	ID            string    `json:"id"`
	PartyRole     string    `json:"party_role"` // buyer or seller
	PartyID       string    `json:"party_id"`
	Type          string    `json:"type"`
	Class         string    `json:"class"`
	Points        int64     `json:"points"`
	Warning       bool      `json:"warning"` // a first minor offence: educated, no points (教育为主, 处罚为辅)
	Year          int       `json:"year"`
	At            time.Time `json:"at"`
	ComplaintID   string    `json:"complaint_id,omitempty"`
	RuleIDs       []string  `json:"rule_ids"`
	PolicyVersion string    `json:"policy_version"`
	TitleZH       string    `json:"title_zh"`
	TitleEN       string    `json:"title_en"`
	Status        string    `json:"status"` // recorded, appealed, upheld, revoked
	// Recorded directly by an agent (not from a complaint), with the
	// agent's evidence and reason, appealable until AppealDueAt.
	Direct      bool            `json:"direct,omitempty"`
	OrderID     string          `json:"order_id,omitempty"`
	EvidenceIDs []string        `json:"evidence_ids,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	RecordedBy  string          `json:"recorded_by,omitempty"`
	AppealDueAt *time.Time      `json:"appeal_due_at,omitempty"`
	Appeal      *Appeal         `json:"appeal,omitempty"`
	Decision    *AppealDecision `json:"appeal_decision,omitempty"`
	Version     int64           `json:"version"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// Counts reports whether the violation's points count (not revoked on appeal).
func (v Violation) Counts() bool { return v.Status != ViolationRevoked }

// Year returns the natural year a time falls in: the year of the last reset
// day (MM-DD, China Standard Time) on or before t. With the default reset
// "01-01" this is the calendar year in China.
func Year(t time.Time, reset string) int {
	m, d := 1, 1
	if r, err := time.Parse("01-02", reset); err == nil {
		m, d = int(r.Month()), r.Day()
	}
	lt := t.In(CST)
	start := time.Date(lt.Year(), time.Month(m), d, 0, 0, 0, 0, CST)
	if lt.Before(start) {
		return lt.Year() - 1
	}
	return lt.Year()
}

// YearStart returns when a natural year begins.
func YearStart(year int, reset string) time.Time {
	m, d := 1, 1
	if r, err := time.Parse("01-02", reset); err == nil {
		m, d = int(r.Month()), r.Day()
	}
	return time.Date(year, time.Month(m), d, 0, 0, 0, 0, CST).UTC()
}

// Points sums a party's points of one class in the natural year of now.
func Points(vs []Violation, class string, now time.Time, reset string) int64 {
	y := Year(now, reset)
	var n int64
	for _, v := range vs {
		if v.Class == class && Year(v.At, reset) == y && v.Counts() {
			n += v.Points
		}
	}
	return n
}

// Plan is a sanction a party's points call for.
type Plan struct {
	Threshold  int64
	Class      string
	Year       int
	Step       policy.SanctionStep
	Violations []string // the violations whose points reached the threshold, oldest first
	At         time.Time
}

// Due lists the sanctions a party's violations of one class call for in
// year: one per threshold reached, in threshold order, each naming the
// violations that reached it. The caller creates those not yet created
// (the store's unique index makes that idempotent).
func Due(vs []Violation, class string, year int, reset string, b *policy.Book) []Plan {
	party := ""
	var mine []Violation
	for _, v := range vs {
		if v.Class == class && Year(v.At, reset) == year && v.Points > 0 && v.Counts() {
			mine = append(mine, v)
			party = v.PartyRole
		}
	}
	if len(mine) == 0 {
		return nil
	}
	slices.SortStableFunc(mine, func(a, b Violation) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmpStr(a.ID, b.ID)
	})
	thresholds, _ := b.List("penalty.thresholds")
	ladder := b.SanctionLadder(party, class)
	var out []Plan
	var sum int64
	var ids []string
	ti := 0
	for _, v := range mine {
		sum += v.Points
		ids = append(ids, v.ID)
		for ti < len(thresholds) && sum >= thresholds[ti] {
			p := Plan{Threshold: thresholds[ti], Class: class, Year: year, Violations: slices.Clone(ids), At: v.At}
			if ti < len(ladder) {
				p.Step = ladder[ti]
			}
			out = append(out, p)
			ti++
		}
	}
	return out
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Standing summarises a party's points per class in a year.
type Standing struct {
	Year          int              `json:"year"`
	YearStart     time.Time        `json:"year_start"`
	YearEnd       time.Time        `json:"year_end"`
	Points        map[string]int64 `json:"points"`
	NextThreshold map[string]int64 `json:"next_threshold"` // 0: past the last threshold
	ResetRule     string           `json:"reset_rule_id"`
	ThresholdRule string           `json:"threshold_rule_id"`
}

// StandingAt computes the points of the natural year of now.
func StandingAt(vs []Violation, now time.Time, b *policy.Book) Standing {
	reset := b.Rules["penalty.reset"].Value
	y := Year(now, reset)
	thresholds, tid := b.List("penalty.thresholds")
	st := Standing{Year: y, YearStart: YearStart(y, reset), YearEnd: YearStart(y+1, reset), Points: map[string]int64{}, NextThreshold: map[string]int64{},
		ResetRule: b.ID("penalty.reset"), ThresholdRule: tid}
	for _, c := range []string{"A", "B"} {
		p := Points(vs, c, now, reset)
		st.Points[c] = p
		st.NextThreshold[c] = 0
		for _, t := range thresholds {
			if p < t {
				st.NextThreshold[c] = t
				break
			}
		}
	}
	return st
}

// Sanction statuses.
const (
	Imposed  = "IMPOSED"  // 已处罚
	Appealed = "APPEALED" // 申诉复核中
	Upheld   = "UPHELD"   // 申诉驳回，维持处罚
	Revoked  = "REVOKED"  // 申诉成立，撤销处罚
)

// Statuses lists the sanction statuses.
var Statuses = []string{Imposed, Appealed, Upheld, Revoked}

// Sanction sources.
const (
	SourcePoints    = "points"    // a points threshold was reached
	SourceComplaint = "complaint" // an upheld complaint restricts the buyer directly
)

// Appeal is a party's appeal of a sanction.
type Appeal struct {
	Reason          string    `json:"reason"`
	EvidenceIDs     []string  `json:"evidence_ids,omitempty"`
	ProceduralError string    `json:"procedural_error,omitempty"`
	At              time.Time `json:"at"`
}

// AppealDecision is the senior tier's decision on an appeal.
type AppealDecision struct {
	Revoke  bool      `json:"revoke"`
	Reason  string    `json:"reason"`
	RuleIDs []string  `json:"rule_ids"`
	AgentID string    `json:"agent_id"`
	At      time.Time `json:"at"`
}

// Sanction is a penalty imposed on a party.
type Sanction struct {
	ID            string          `json:"id"`
	PartyRole     string          `json:"party_role"`
	PartyID       string          `json:"party_id"`
	Kind          string          `json:"kind"`
	Class         string          `json:"class,omitempty"`
	Threshold     int64           `json:"threshold,omitempty"`
	Year          int             `json:"year,omitempty"`
	Source        string          `json:"source"`
	ComplaintID   string          `json:"complaint_id,omitempty"`
	StartAt       time.Time       `json:"start_at"`
	EndAt         *time.Time      `json:"end_at"` // nil: no end (closure)
	Violations    []string        `json:"violations"`
	RuleIDs       []string        `json:"rule_ids"`
	PolicyVersion string          `json:"policy_version"`
	TitleZH       string          `json:"title_zh"`
	TitleEN       string          `json:"title_en"`
	Status        string          `json:"status"`
	AppealDueAt   time.Time       `json:"appeal_due_at"`
	Appeal        *Appeal         `json:"appeal,omitempty"`
	Decision      *AppealDecision `json:"appeal_decision,omitempty"`
	Version       int64           `json:"version"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// Active reports whether the sanction is in force at now.
func (s Sanction) Active(now time.Time) bool {
	if s.Status == Revoked || now.Before(s.StartAt) {
		return false
	}
	return s.EndAt == nil || now.Before(*s.EndAt)
}

// NewSanction builds the sanction of a plan, starting at start.
func NewSanction(id, partyRole, partyID string, p Plan, start time.Time, b *policy.Book) Sanction {
	s := Sanction{ID: id, PartyRole: partyRole, PartyID: partyID, Kind: p.Step.Kind, Class: p.Class, Threshold: p.Threshold, Year: p.Year,
		Source: SourcePoints, StartAt: start, Violations: slices.Clone(p.Violations), TitleZH: p.Step.TitleZH, TitleEN: p.Step.TitleEN,
		RuleIDs: []string{p.Step.ID, b.ID("penalty.thresholds"), b.ID("penalty.reset")}, PolicyVersion: b.Version, Status: Imposed}
	if p.Step.Days > 0 {
		end := start.Add(time.Duration(p.Step.Days) * 24 * time.Hour)
		s.EndAt = &end
	}
	win, _ := b.Duration("appeal.window")
	s.AppealDueAt = start.Add(win)
	return s
}

// Restriction builds the purchase restriction an upheld complaint imposes on a buyer.
func Restriction(id, buyerID, complaintID, violationID string, days int, ruleID string, start time.Time, b *policy.Book) Sanction {
	end := start.Add(time.Duration(days) * 24 * time.Hour)
	win, _ := b.Duration("appeal.window")
	vs := []string{}
	if violationID != "" {
		vs = append(vs, violationID)
	}
	return Sanction{ID: id, PartyRole: "buyer", PartyID: buyerID, Kind: "purchase_restriction", Source: SourceComplaint, ComplaintID: complaintID,
		StartAt: start, EndAt: &end, Violations: vs, RuleIDs: []string{ruleID}, PolicyVersion: b.Version,
		TitleZH: fmt.Sprintf("限制购买%d天", days), TitleEN: fmt.Sprintf("Purchase restriction for %d days", days), Status: Imposed, AppealDueAt: start.Add(win)}
}
