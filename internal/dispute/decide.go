package dispute

import (
	"fmt"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/policy"
)

// Action names a command.
type Action string

// Actions.
const (
	Open          Action = "open"
	AddEvidence   Action = "add-evidence"
	DoneEvidence  Action = "done-evidence"
	Claim         Action = "claim"
	Release       Action = "release"
	Reassign      Action = "reassign"
	Extend        Action = "extend"
	Judge         Action = "judge"
	AppealCase    Action = "appeal"
	DecideAppeal  Action = "decide-appeal"
	Withdraw      Action = "withdraw"
	ExpireWindow  Action = "expire-evidence"
	ExpireAppeals Action = "expire-appeal"
	// Advance pays the buyer from the guarantee fund at once and freezes the
	// disputed escrow (先行垫付, SPEC §5.1); ResolveAdvance ends it when the
	// goods came back or the buyer keeps them (SPEC §5.2), which judges the case.
	Advance        Action = "advance"
	ResolveAdvance Action = "resolve-advance"
	// Suspend: a party asks to suspend the case to negotiate (art. 82);
	// once both asked the case is SUSPENDED. Resume (either party or the
	// platform) or ExpireSuspension (the deadline worker, art. 83) resumes it.
	Suspend          Action = "suspend"
	Resume           Action = "resume"
	ExpireSuspension Action = "expire-suspension"
)

// Role of whoever acts on a case.
type Role = actor.Role

// Roles.
const (
	RoleBuyer  = actor.Buyer
	RoleSeller = actor.Seller
	RoleAgent  = actor.Agent
	RoleSenior = actor.Senior
	RoleAdmin  = actor.Admin
	RoleSystem = actor.System
)

// Actor is who acts.
type Actor = actor.Actor

// OrderFacts is what the case needs of the order and request at opening.
type OrderFacts struct {
	Shipped       bool
	Received      bool
	ReturnShipped bool // the buyer shipped goods back (seller refused receipt)
	Refundable    money.Fen
	Premium       bool
}

// Command is an action with its input.
type Command struct {
	Action      Action
	Actor       Actor
	AftersaleID string
	OrderID     string
	BuyerID     string
	SellerID    string
	Reason      string // open: the after-sales reason code; extend / appeal / withdraw: free text
	Claim       money.Fen
	OpenedBy    Party
	Facts       OrderFacts
	EvidenceID  string
	Verdict     string // assess-evidence: VerdictAccepted or VerdictRejected (Reason: why)
	// InChain: assess-evidence: the caller found the piece in the request's
	// evidence chain (uploaded during the negotiation, before the case),
	// which the agent weighs like the case's own (art. 9).
	InChain     bool     `json:"-"`
	Satisfies   []string // checklist keys the evidence addresses
	AssignTo    string
	SLADueAt    time.Time // review SLA due (computed by the caller on the working-day calendar)
	Outcome     Outcome
	Amount      money.Fen
	Fault       Fault
	RuleIDs     []string
	EvidenceIDs []string
	Procedural  string
	Uphold      bool // decide-appeal: keep the first judgment
	Senior      bool // open: the case goes to the senior tier from the start (large amount)
	// AdvanceOutcome: resolve-advance: AdvanceReturned or AdvanceKept.
	AdvanceOutcome string
	// Compensation: judge: paid from the seller's deposit on top of the
	// trade money (art. 86).
	Compensation money.Fen
	// Suspend on legal proceedings (art. 82(2)), by an agent: Ground
	// GroundLegal, the Party that went, the Forum; ResumeAt is the voucher
	// deadline the caller computed on the working-day calendar (art. 83(2)).
	// On a case so suspended, EvidenceID records the acceptance voucher.
	Ground   string
	Party    Party
	Forum    string
	ResumeAt time.Time
}

// EventType names an event.
type EventType string

// Event types.
const (
	EvOpened         EventType = "opened"
	EvEvidenceAdded  EventType = "evidence_added"
	EvEvidenceClosed EventType = "evidence_closed" // one party's window closed
	EvToReview       EventType = "moved_to_review"
	EvClaimed        EventType = "claimed"
	EvReleased       EventType = "released"
	EvReassigned     EventType = "reassigned"
	EvExtended       EventType = "sla_extended"
	EvJudged         EventType = "judged"
	EvAppealed       EventType = "appealed"
	EvAppealDecided  EventType = "appeal_decided"
	EvFinal          EventType = "final"
	EvWithdrawn      EventType = "withdrawn"
	EvAdvanced       EventType = "advanced"
	EvAdvanceClosed  EventType = "advance_resolved"
	EvSuspendAsked   EventType = "suspension_requested"
	EvSuspended      EventType = "suspended"
	EvResumed        EventType = "resumed"
	// EvLegalAccepted: the acceptance voucher of the legal proceedings was
	// given within the period (art. 83(2)); the case stays suspended.
	EvLegalAccepted EventType = "legal_acceptance_recorded"
)

// EventTypes lists every event type.
var EventTypes = []EventType{EvOpened, EvEvidenceAdded, EvEvidenceClosed, EvToReview, EvClaimed, EvReleased, EvReassigned, EvExtended,
	EvJudged, EvAppealed, EvAppealDecided, EvFinal, EvWithdrawn, EvAdvanced, EvAdvanceClosed, EvSuspendAsked, EvSuspended, EvResumed, EvLegalAccepted,
	EvEvidenceAssessed}

// Event is one fact in a case's history.
type Event = actor.Event[EventType, Data]

// Head is an event's envelope without its payload.
type Head = actor.Head[EventType]

// Data is an event's payload.
type Data struct {
	Opened     *State       `json:"opened,omitempty"`
	EvidenceID string       `json:"evidence_id,omitempty"`
	Party      Party        `json:"party,omitempty"`
	Satisfies  []string     `json:"satisfies,omitempty"`
	Assignee   string       `json:"assignee,omitempty"`
	SLADueAt   *time.Time   `json:"sla_due_at,omitempty"`
	Judgment   *Judgment    `json:"judgment,omitempty"`
	Appeal     *Appeal      `json:"appeal,omitempty"`
	AppealDue  *time.Time   `json:"appeal_due_at,omitempty"`
	AppealRule string       `json:"appeal_rule_id,omitempty"`
	Advance    *AdvanceInfo `json:"advance,omitempty"`
	Suspension *Suspension  `json:"suspension,omitempty"`
	Windows    []Window     `json:"windows,omitempty"` // resumed: the evidence windows moved by the time suspended
	Assessment *Assessment  `json:"assessment,omitempty"`
}

// Decide checks a command against the case and returns its events.
// Errors: Forbidden (wrong role), Conflict (not now; names the status),
// Invalid (bad input, naming the field). Each action is decided by its own
// function (see doc.go for the stages and their rules).
func Decide(s State, c Command, b *policy.Book, now time.Time) ([]Event, error) {
	d := decision{s: s, c: c, b: b, now: now}
	switch c.Action {
	case Open:
		return decideOpen(d)
	case AddEvidence:
		return decideAddEvidence(d)
	case DoneEvidence:
		return decideDoneEvidence(d)
	case ExpireWindow:
		return decideExpireWindow(d)
	case Claim:
		return decideClaim(d)
	case Release:
		return decideRelease(d)
	case Reassign:
		return decideReassign(d)
	case Extend:
		return decideExtend(d)
	case Judge:
		return decideJudge(d)
	case DecideAppeal:
		return decideAppealDecision(d)
	case AppealCase:
		return decideAppeal(d)
	case ExpireAppeals:
		return decideExpireAppeals(d)
	case Withdraw:
		return decideWithdraw(d)
	case Advance:
		return decideAdvance(d)
	case ResolveAdvance:
		return decideResolveAdvance(d)
	case Suspend, Resume, ExpireSuspension:
		return decideSuspension(d)
	case AssessEvidence:
		return decideAssess(d)
	}
	return nil, fault.Field("action", "未知操作 %q / unknown action %q", c.Action, c.Action)
}

// decision is one command being decided against a case: what every decide
// function reads, and the refusals they share.
type decision struct {
	s   State
	c   Command
	b   *policy.Book
	now time.Time
}

// event starts an event of the command: who acted, when, under which book.
func (d decision) event() Event {
	return Event{Head: Head{Actor: d.c.Actor, At: d.now, PolicyVersion: d.b.Version}}
}

// party is the side the actor is on (meaningful for a buyer or a seller).
func (d decision) party() Party { return Party(d.c.Actor.Role) }

// need refuses (Forbidden) an actor whose role is not one of roles.
func (d decision) need(roles ...Role) error {
	if !slices.Contains(roles, d.c.Actor.Role) {
		return &fault.Error{Code: fault.Forbidden, Status: string(d.s.Status), Message: fmt.Sprintf("%s 不能执行 %s / %s may not %s", d.c.Actor.Role, d.c.Action, d.c.Actor.Role, d.c.Action)}
	}
	return nil
}

// needIn refuses an actor whose role is not one of roles (Forbidden, as
// need), then a case in none of statuses (Conflict, as notNow): the check
// most actions open with.
func (d decision) needIn(roles []Role, statuses ...Status) error {
	if err := d.need(roles...); err != nil {
		return err
	}
	if !slices.Contains(statuses, d.s.Status) {
		return d.notNow()
	}
	return nil
}

// notNow refuses (Conflict) the action in the case's status.
func (d decision) notNow() error {
	return d.conflict("", fmt.Sprintf("案件处于 %s，不能 %s / the case is %s: %s is not possible", d.s.Status, d.c.Action, d.s.Status, d.c.Action))
}

// conflict refuses (Conflict) with a message and the rule behind it, naming
// the status and the actions allowed in it.
func (d decision) conflict(rule, msg string) *fault.Error {
	return &fault.Error{Code: fault.Conflict, Status: string(d.s.Status), Allowed: allowedStrings(d.s), Rule: rule, Message: msg}
}

// seniorTier refuses (Forbidden) anyone but a senior agent on a case of the
// senior tier.
func (d decision) seniorTier() error {
	if d.s.Senior && d.c.Actor.Role != RoleSenior {
		return &fault.Error{Code: fault.Forbidden, Status: string(d.s.Status), Message: "此案件由高级专员处理 / this case belongs to the senior tier"}
	}
	return nil
}

// holder checks that the actor holds the case: of the right tier, and the
// agent who claimed it.
func (d decision) holder() error {
	if err := d.seniorTier(); err != nil {
		return err
	}
	if d.s.Assignee != d.c.Actor.ID {
		return d.conflict("", "须先认领案件 / claim the case first")
	}
	return nil
}

// Allowed lists the actions possible now, for the 409 body.
func Allowed(s State) []Action {
	switch s.Status {
	case Evidence:
		return []Action{AddEvidence, DoneEvidence, Suspend, Withdraw}
	case Review:
		switch {
		case s.advanceOpen() && s.Assignee == "":
			return []Action{AddEvidence, Claim, Reassign}
		case s.advanceOpen():
			return []Action{AddEvidence, AssessEvidence, Release, Reassign, Extend, ResolveAdvance}
		case s.Assignee == "":
			return []Action{AddEvidence, Claim, Reassign, Suspend, Withdraw}
		}
		return []Action{AddEvidence, AssessEvidence, Release, Reassign, Extend, Judge, Advance, Suspend, Withdraw}
	case Suspended:
		if s.Suspension != nil && s.Suspension.Ground == GroundLegal && s.Suspension.AcceptanceEvidence == "" {
			return []Action{Suspend, Resume, Withdraw}
		}
		return []Action{Resume, Withdraw}
	case Judged:
		return []Action{AppealCase}
	case Appealed:
		if s.Assignee == "" {
			return []Action{Claim, Reassign}
		}
		return []Action{AssessEvidence, Release, Reassign, DecideAppeal}
	}
	return []Action{}
}

func allowedStrings(s State) []string { return actor.Strings(Allowed(s)) }
