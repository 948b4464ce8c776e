package penalty

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

// Violations an agent records directly (issue 13): a severe violation such
// as leaking buyers' personal information (class B, seed-violation-personal-data)
// comes from the platform's own findings, not from a complaint. The agent
// names the rule book's violation type, its class and points as the book
// has them, the evidence and a written reason; the party is notified, its
// points count toward the sanction thresholds like any other violation
// (penalty.thresholds), and it may appeal once within appeal.window with
// new evidence or a procedural error, decided by the senior tier. A revoked
// violation's points no longer count, and the sanctions its points imposed
// are revoked with it.

// Violation statuses.
const (
	ViolationRecorded = "recorded"
	ViolationAppealed = "appealed"
	ViolationUpheld   = "upheld"  // the appeal was rejected: the violation stands
	ViolationRevoked  = "revoked" // the appeal succeeded: its points no longer count
)

// Violation event types.
const (
	EvViolationRecorded       = "recorded"
	EvViolationAppealed       = "appealed"
	EvViolationAppealRejected = "appeal_rejected"
	EvViolationRevoked        = "revoked"
)

// Violation actions on the API.
const (
	ViolationAppeal       Action = "appeal"
	ViolationDecideAppeal Action = "decide-appeal"
)

// ViolationActions are the actions the API exposes on a violation.
var ViolationActions = []Action{ViolationAppeal, ViolationDecideAppeal}

// DirectInput is what an agent records.
type DirectInput struct {
	PartyRole   string   `json:"party_role"`
	PartyID     string   `json:"party_id"`
	Violation   string   `json:"violation"` // a key of complaints.violations
	Class       string   `json:"class"`
	Points      int64    `json:"points"` // 0: the book's points
	RuleIDs     []string `json:"rule_ids"`
	EvidenceIDs []string `json:"evidence_ids"`
	Reason      string   `json:"reason"`
	OrderID     string   `json:"order_id,omitempty"`
}

// ViolationEvent is one fact in a violation's history.
type ViolationEvent struct {
	Head
	Violation *Violation      `json:"violation,omitempty"`
	Appeal    *Appeal         `json:"appeal,omitempty"`
	Decision  *AppealDecision `json:"decision,omitempty"`
}

var evidencePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)

// RecordDirect checks an agent's direct violation against the rule book and
// returns it with its recorded event. Errors: Forbidden (not an agent),
// Invalid naming the field (unknown type, a class or points other than the
// book's, no evidence, no reason or rules).
func RecordDirect(id string, in DirectInput, a Actor, b *policy.Book, now time.Time) (Violation, ViolationEvent, error) {
	var v Violation
	if a.Role != actor.Agent && a.Role != actor.Senior {
		return v, ViolationEvent{}, fault.New(fault.Forbidden, "只有客服可以直接记录违规 / only agents record a violation directly")
	}
	vt, ok := b.Violation(in.Violation)
	if !ok {
		return v, ViolationEvent{}, fault.Field("violation", "规则书中没有违规类型 %q / the rule book has no violation type %q", in.Violation, in.Violation)
	}
	if in.PartyRole != vt.Party {
		return v, ViolationEvent{}, &fault.Error{Code: fault.Invalid, Field: "party_role", Rule: vt.ID,
			Message: fmt.Sprintf("违规类型 %s 只适用于%s / violation type %s applies to a %s", in.Violation, vt.Party, in.Violation, vt.Party)}
	}
	if in.PartyID == "" {
		return v, ViolationEvent{}, fault.Field("party_id", "须指明当事方 / party_id is required")
	}
	if in.Class != vt.Class {
		return v, ViolationEvent{}, &fault.Error{Code: fault.Invalid, Field: "class", Rule: vt.ID,
			Message: fmt.Sprintf("规则书将 %s 定为%s类 / the rule book classes %s as %s", in.Violation, vt.Class, in.Violation, vt.Class)}
	}
	points := in.Points
	if points == 0 {
		points = vt.Points
	}
	if points != vt.Points {
		return v, ViolationEvent{}, &fault.Error{Code: fault.Invalid, Field: "points", Rule: vt.ID,
			Message: fmt.Sprintf("规则书规定 %s 扣%d分 / the rule book gives %s %d points", in.Violation, vt.Points, in.Violation, vt.Points)}
	}
	if len(in.EvidenceIDs) == 0 {
		return v, ViolationEvent{}, fault.Field("evidence_ids", "直接记录违规须附证据 / a violation recorded directly needs evidence")
	}
	for i, e := range in.EvidenceIDs {
		if !evidencePattern.MatchString(e) {
			return v, ViolationEvent{}, fault.Field(fmt.Sprintf("evidence_ids[%d]", i), "证据ID无效 / invalid evidence id")
		}
	}
	if err := policy.CheckStated("记录违规", "a violation", in.Reason, in.RuleIDs); err != nil {
		return v, ViolationEvent{}, err
	}
	reset := b.Rules["penalty.reset"].Value
	win, _ := b.Duration("appeal.window")
	due := now.Add(win)
	rules := policy.Cite(slices.Clone(in.RuleIDs), vt.ID)
	v = Violation{ID: id, PartyRole: in.PartyRole, PartyID: in.PartyID, Type: in.Violation, Class: vt.Class, Points: points,
		Year: Year(now, reset), At: now, RuleIDs: rules, PolicyVersion: b.Version, TitleZH: vt.TitleZH, TitleEN: vt.TitleEN,
		Status: ViolationRecorded, Version: 1, CreatedAt: now, UpdatedAt: now, Direct: true, OrderID: in.OrderID,
		EvidenceIDs: slices.Clone(in.EvidenceIDs), Reason: strings.TrimSpace(in.Reason), RecordedBy: a.ID, AppealDueAt: &due}
	ev := ViolationEvent{Head: Head{Seq: 1, Type: EvViolationRecorded, Actor: a, At: now, Reason: v.Reason, RuleIDs: rules, PolicyVersion: b.Version}, Violation: &v}
	return v, ev, nil
}

// DecideViolation checks a party's appeal or the senior tier's decision on
// it and returns the event. Errors: Forbidden, Conflict (not now, the
// window passed, appealed before), Invalid (no grounds, no reason or rules).
func DecideViolation(v Violation, act Action, a Actor, reason, procedural string, evidence []string, revoke bool, rules []string, b *policy.Book, now time.Time) (ViolationEvent, error) {
	ev := ViolationEvent{Head: Head{Seq: v.Version + 1, Actor: a, At: now, PolicyVersion: b.Version}}
	notNow := func() error {
		return &fault.Error{Code: fault.Conflict, Status: v.Status, Allowed: actor.Strings(AllowedOnViolation(v)),
			Message: fmt.Sprintf("违规记录处于 %s，不能 %s / the violation is %s: %s is not possible", v.Status, act, v.Status, act)}
	}
	switch act {
	case ViolationAppeal:
		if string(a.Role) != v.PartyRole || a.ID != v.PartyID {
			return ev, fault.New(fault.Forbidden, "只有被记录违规的一方可以申诉 / only the party may appeal its violation")
		}
		if v.Appeal != nil {
			return ev, &fault.Error{Code: fault.Conflict, Status: v.Status, Rule: b.ID("appeal.max_count"), Message: "每项违规只能申诉一次 / a violation can be appealed once"}
		}
		if v.Status != ViolationRecorded {
			return ev, notNow()
		}
		if v.AppealDueAt != nil && now.After(*v.AppealDueAt) {
			return ev, windowPassed(v.Status, b)
		}
		var fresh []string
		for _, e := range evidence {
			if !evidencePattern.MatchString(e) {
				return ev, fault.Field("evidence_ids", "证据ID无效 / invalid evidence id")
			}
			if !slices.Contains(v.EvidenceIDs, e) && !slices.Contains(fresh, e) {
				fresh = append(fresh, e)
			}
		}
		ap, err := newAppeal(fresh, procedural, reason, b, now)
		if err != nil {
			return ev, err
		}
		ev.Type, ev.Reason, ev.Appeal = EvViolationAppealed, ap.Reason, ap
		ev.RuleIDs = []string{b.ID("appeal.window"), b.ID("appeal.max_count")}
		return ev, nil
	case ViolationDecideAppeal:
		if a.Role != actor.Senior {
			return ev, fault.New(fault.Forbidden, "违规申诉由高级专员处理 / the senior tier decides appeals")
		}
		if v.Status != ViolationAppealed {
			return ev, notNow()
		}
		d, cited, err := newAppealDecision(a, reason, revoke, rules, b, now)
		if err != nil {
			return ev, err
		}
		ev.Type, ev.Reason, ev.Decision, ev.RuleIDs = EvViolationAppealRejected, d.Reason, d, cited
		if revoke {
			ev.Type = EvViolationRevoked
		}
		return ev, nil
	}
	return ev, fault.Field("action", "未知操作 %q / unknown action %q", act, act)
}

// EvolveViolation applies a violation event; it never fails.
func EvolveViolation(v Violation, e ViolationEvent) Violation {
	switch e.Type {
	case EvViolationRecorded:
		v = *e.Violation
	case EvViolationAppealed:
		v.Status, v.Appeal = ViolationAppealed, e.Appeal
	case EvViolationAppealRejected:
		v.Status, v.Decision = ViolationUpheld, e.Decision
	case EvViolationRevoked:
		v.Status, v.Decision = ViolationRevoked, e.Decision
	}
	v.Version, v.UpdatedAt = e.Seq, e.At
	return v
}

// AllowedOnViolation lists the actions possible on a violation now.
func AllowedOnViolation(v Violation) []Action {
	switch {
	case v.Status == ViolationRecorded && v.Appeal == nil && v.AppealDueAt != nil:
		return []Action{ViolationAppeal}
	case v.Status == ViolationAppealed:
		return []Action{ViolationDecideAppeal}
	}
	return []Action{}
}

// RevokeFor revokes a sanction because a violation behind it was revoked on
// appeal (the system's event, citing the decision). Sanctions already
// revoked, or not resting on the violation, are left alone (nil).
func RevokeFor(s Sanction, violationID string, d AppealDecision, b *policy.Book, now time.Time) []Event {
	if s.Status == Revoked || !slices.Contains(s.Violations, violationID) {
		return nil
	}
	dec := d
	dec.Reason = fmt.Sprintf("所依据的违规 %s 已撤销：%s / the violation %s behind it was revoked: %s", violationID, d.Reason, violationID, d.Reason)
	return []Event{{Head: Head{Seq: s.Version + 1, Type: EvRevoked, Actor: Actor{Role: actor.System, Via: "violation:" + violationID}, At: now,
		Reason: dec.Reason, RuleIDs: slices.Clone(d.RuleIDs), PolicyVersion: b.Version}, Decision: &dec}}
}
