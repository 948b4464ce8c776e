package penalty

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

// Action names a sanction command.
type Action string

// Sanction actions.
const (
	Impose       Action = "impose" // the system, when a threshold is reached or a complaint restricts a buyer
	AppealIt     Action = "appeal"
	DecideAppeal Action = "decide-appeal"
)

// Actions are the actions the API exposes.
var Actions = []Action{AppealIt, DecideAppeal}

// Actor is who acts on a sanction (buyer, seller, senior_agent, system):
// the one vocabulary of internal/actor.
type Actor = actor.Actor

// Command is a sanction action with its input.
type Command struct {
	Action      Action
	Actor       Actor
	Sanction    Sanction // impose: the sanction to impose
	Reason      string
	EvidenceIDs []string
	Procedural  string
	Revoke      bool
	RuleIDs     []string
	Known       []string // evidence already on record behind the sanction (a fresh appeal must add other evidence)
}

// Event types of a sanction.
const (
	EvImposed      = "imposed"
	EvAppealed     = "appealed"
	EvAppealUpheld = "appeal_rejected" // the sanction stands
	EvRevoked      = "revoked"
)

// Head is the envelope a sanction's and a violation's events share (the
// same as every aggregate's, actor.Head); their payloads stand beside it
// at the top level.
type Head = actor.Head[string]

// Event is one fact in a sanction's history.
type Event struct {
	Head
	Sanction *Sanction       `json:"sanction,omitempty"`
	Appeal   *Appeal         `json:"appeal,omitempty"`
	Decision *AppealDecision `json:"decision,omitempty"`
}

// Allowed lists the actions possible on a sanction now.
func Allowed(s Sanction) []Action {
	switch s.Status {
	case Imposed:
		if s.Appeal == nil {
			return []Action{AppealIt}
		}
	case Appealed:
		return []Action{DecideAppeal}
	}
	return []Action{}
}

func allowedStrings(s Sanction) []string { return actor.Strings(Allowed(s)) }

// Decide checks a sanction command and returns its events. Errors:
// Forbidden (wrong role), Conflict (not now), Invalid (naming the field).
func Decide(s Sanction, c Command, b *policy.Book, now time.Time) ([]Event, error) {
	ev := Event{Head: Head{Actor: c.Actor, At: now, PolicyVersion: b.Version}}
	notNow := func(msg string) error {
		return &fault.Error{Code: fault.Conflict, Status: s.Status, Allowed: allowedStrings(s),
			Message: fmt.Sprintf("处罚处于 %s，%s / the sanction is %s: %s", s.Status, msg, s.Status, c.Action)}
	}
	switch c.Action {
	case Impose:
		if c.Actor.Role != actor.System {
			return nil, fault.New(fault.Forbidden, "只有系统可以执行处罚 / only the system imposes sanctions")
		}
		if s.Status != "" {
			return nil, notNow("不能重复处罚 / cannot impose twice")
		}
		st := c.Sanction
		ev.Type, ev.Sanction, ev.RuleIDs = EvImposed, &st, slices.Clone(st.RuleIDs)
		ev.Reason = fmt.Sprintf("%s / %s", st.TitleZH, st.TitleEN)
		return []Event{ev}, nil
	case AppealIt:
		if string(c.Actor.Role) != s.PartyRole || c.Actor.ID != s.PartyID {
			return nil, fault.New(fault.Forbidden, "只有被处罚方可以申诉 / only the sanctioned party may appeal")
		}
		maxAppeals, mid := b.Int("appeal.max_count")
		if s.Appeal != nil || maxAppeals == 0 {
			return nil, &fault.Error{Code: fault.Conflict, Status: s.Status, Allowed: allowedStrings(s), Rule: mid, Message: "每项处罚只能申诉一次 / a sanction can be appealed once"}
		}
		if s.Status != Imposed {
			return nil, notNow("不能申诉 / cannot appeal")
		}
		if now.After(s.AppealDueAt) {
			return nil, windowPassed(s.Status, b)
		}
		var fresh []string
		for _, e := range c.EvidenceIDs {
			if !slices.Contains(c.Known, e) && !slices.Contains(fresh, e) {
				fresh = append(fresh, e)
			}
		}
		ap, err := newAppeal(fresh, c.Procedural, c.Reason, b, now)
		if err != nil {
			return nil, err
		}
		ev.Type, ev.Reason, ev.Appeal = EvAppealed, ap.Reason, ap
		ev.RuleIDs = []string{b.ID("appeal.window"), mid}
		return []Event{ev}, nil
	case DecideAppeal:
		if c.Actor.Role != actor.Senior {
			return nil, fault.New(fault.Forbidden, "处罚申诉由高级专员处理 / the senior tier decides appeals")
		}
		if s.Status != Appealed {
			return nil, notNow("不能裁决申诉 / no appeal to decide")
		}
		d, rules, err := newAppealDecision(c.Actor, c.Reason, c.Revoke, c.RuleIDs, b, now)
		if err != nil {
			return nil, err
		}
		ev.Type, ev.Reason, ev.Decision, ev.RuleIDs = EvAppealUpheld, d.Reason, d, rules
		if c.Revoke {
			ev.Type = EvRevoked
		}
		return []Event{ev}, nil
	}
	return nil, fault.Field("action", "未知操作 %q / unknown action %q", c.Action, c.Action)
}

// windowPassed refuses (Conflict) an appeal after its window (appeal.window).
func windowPassed(status string, b *policy.Book) error {
	return &fault.Error{Code: fault.Conflict, Status: status, Rule: b.ID("appeal.window"), Message: "已超过申诉期 / the appeal window has passed"}
}

// newAppeal is a party's appeal with the fresh evidence it brings, once
// the rule book's grounds for an appeal hold (CheckAppealGrounds).
func newAppeal(fresh []string, procedural, reason string, b *policy.Book, now time.Time) (*Appeal, error) {
	if err := b.CheckAppealGrounds(fresh, procedural, reason); err != nil {
		return nil, err
	}
	return &Appeal{Reason: strings.TrimSpace(reason), EvidenceIDs: fresh, ProceduralError: strings.TrimSpace(procedural), At: now}, nil
}

// newAppealDecision is the senior tier's decision on an appeal, once it
// states its reason and rules, with the rules its event cites.
func newAppealDecision(a Actor, reason string, revoke bool, rules []string, b *policy.Book, now time.Time) (*AppealDecision, []string, error) {
	if err := policy.CheckStated("裁决", "a decision", reason, rules); err != nil {
		return nil, nil, err
	}
	d := &AppealDecision{Revoke: revoke, Reason: strings.TrimSpace(reason), RuleIDs: slices.Clone(rules), AgentID: a.ID, At: now}
	return d, append(slices.Clone(rules), b.ID("appeal.max_count")), nil
}

// Evolve applies an event; it never fails.
func Evolve(s Sanction, e Event) Sanction {
	switch e.Type {
	case EvImposed:
		id := s.ID
		s = *e.Sanction
		if id != "" {
			s.ID = id
		}
		s.Status, s.CreatedAt = Imposed, e.At
	case EvAppealed:
		s.Status, s.Appeal = Appealed, e.Appeal
	case EvAppealUpheld:
		s.Status, s.Decision = Upheld, e.Decision
	case EvRevoked:
		s.Status, s.Decision = Revoked, e.Decision
	}
	s.Version = e.Seq
	s.UpdatedAt = e.At
	return s
}
