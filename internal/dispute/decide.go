package dispute

import (
	"fmt"
	"github.com/weiquan/weiquan/internal/actor"
	"regexp"
	"slices"
	"strings"
	"time"

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
	EvJudged, EvAppealed, EvAppealDecided, EvFinal, EvWithdrawn, EvAdvanced, EvAdvanceClosed, EvSuspendAsked, EvSuspended, EvResumed, EvLegalAccepted}

// Event is one fact in a case's history.
type Event struct {
	Seq           int64     `json:"seq"`
	Type          EventType `json:"type"`
	Actor         Actor     `json:"actor"`
	At            time.Time `json:"at"`
	Reason        string    `json:"reason,omitempty"`
	RuleIDs       []string  `json:"rule_ids"`
	PolicyVersion string    `json:"policy_version"`
	Data          Data      `json:"data"`
}

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
}

var ruleID = regexp.MustCompile(`^(seed|taobao-dispute|adlaw|ours|public|jd|cn-7day-return|cn-law)-[a-z0-9-]+$`)

// Checklist builds each party's evidence checklist from the reason and the
// state of the goods (SPEC §4 table; 淘宝规则 art. 38, 65, 66, 75).
func Checklist(reason string, f OrderFacts) []Item {
	it := func(key string, p Party, zh, en, rule string) Item {
		return Item{Key: key, Party: p, TitleZH: zh, TitleEN: en, RuleID: rule}
	}
	switch {
	case f.ReturnShipped:
		return []Item{
			it("return_tracking", Buyer, "退货物流凭证（运单号、签收记录）", "return shipping voucher (tracking, signature)", "taobao-dispute-38"),
			it("return_condition", Seller, "收到退货时的商品照片或拒收理由凭证", "photos of the returned goods or proof for refusing them", "taobao-dispute-38"),
		}
	case reason == "not_received" && !f.Shipped:
		return []Item{it("ship_or_refund", Seller, "联系买家：发货凭证或同意退款", "contact the buyer: ship (with proof) or refund", "taobao-dispute-38")}
	case reason == "not_received":
		return []Item{it("delivery_proof", Seller, "发货凭证、物流单号及签收证明", "shipping voucher, tracking number and proof of signature", "taobao-dispute-38")}
	case reason == "counterfeit":
		return []Item{
			it("initial_proof", Buyer, "商品照片等初步凭证", "photos or other initial proof", "taobao-dispute-65"),
			it("source_vouchers", Seller, "进货凭证：经销凭证、合格证、发票等", "source vouchers: distribution proof, certificate, invoice", "taobao-dispute-66"),
		}
	case reason == "quality_problem":
		return []Item{
			it("defect_photos", Buyer, "质量问题照片或检测报告（肉眼可识别时）", "photos or an inspection report of the defect (if visible)", "taobao-dispute-65"),
			it("source_vouchers", Seller, "进货凭证、合格证（肉眼不可识别时）", "source vouchers and certificate (if not visible)", "taobao-dispute-66"),
		}
	case reason == "damaged_in_transit" || reason == "not_as_described" || reason == "missing_parts":
		return []Item{
			it("surface_photos", Buyer, "签收时商品及包装照片", "photos of goods and packaging at delivery", "taobao-dispute-65"),
			it("signing_proof", Seller, "收件人按签收规范签收的证明", "proof the recipient signed per the signing rules", "taobao-dispute-75"),
		}
	}
	return []Item{
		it("statement_buyer", Buyer, "情况说明及凭证", "a statement with supporting proof", "taobao-dispute-8"),
		it("statement_seller", Seller, "情况说明及凭证", "a statement with supporting proof", "taobao-dispute-8"),
	}
}

// Missing returns the checklist items nobody satisfied.
func Missing(s State) []Item {
	var out []Item
	for _, it := range s.Checklist {
		if !it.Satisfied {
			out = append(out, it)
		}
	}
	return out
}

// Decide checks a command against the case and returns its events.
// Errors: Forbidden (wrong role), Conflict (not now; names the status),
// Invalid (bad input, naming the field).
func Decide(s State, c Command, b *policy.Book, now time.Time) ([]Event, error) {
	ev := Event{Actor: c.Actor, At: now, PolicyVersion: b.Version}
	need := func(roles ...Role) error {
		if !slices.Contains(roles, c.Actor.Role) {
			return &fault.Error{Code: fault.Forbidden, Status: string(s.Status), Message: fmt.Sprintf("%s 不能执行 %s / %s may not %s", c.Actor.Role, c.Action, c.Actor.Role, c.Action)}
		}
		return nil
	}
	notNow := func() error {
		return &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s),
			Message: fmt.Sprintf("案件处于 %s，不能 %s / the case is %s: %s is not possible", s.Status, c.Action, s.Status, c.Action)}
	}
	party := Party(c.Actor.Role)
	switch c.Action {
	case Open:
		if s.Status != "" {
			return nil, notNow()
		}
		win, id := b.Duration("dispute.evidence_window")
		st := State{ID: s.ID, AftersaleID: c.AftersaleID, OrderID: c.OrderID, BuyerID: c.BuyerID, SellerID: c.SellerID,
			Reason: c.Reason, Claim: c.Claim, Premium: c.Facts.Premium, Status: Evidence, OpenedBy: c.OpenedBy,
			Checklist: Checklist(c.Reason, c.Facts), CreatedAt: now, Senior: c.Senior}
		st.Windows = []Window{{Party: Buyer, DueAt: now.Add(win), RuleID: id}, {Party: Seller, DueAt: now.Add(win), RuleID: id}}
		ev.Type, ev.Data.Opened = EvOpened, &st
		ev.Reason = "平台介入，双方举证 / the platform intervenes: both parties are asked for evidence"
		ev.RuleIDs = []string{"taobao-dispute-2", id}
		if c.Senior {
			ev.RuleIDs = append(ev.RuleIDs, b.ID("dispute.senior_threshold"))
		}
		for _, it := range st.Checklist {
			ev.RuleIDs = appendUnique(ev.RuleIDs, it.RuleID)
		}
		return []Event{ev}, nil
	case AddEvidence:
		if err := need(RoleBuyer, RoleSeller); err != nil {
			return nil, err
		}
		if s.Status != Evidence && s.Status != Review {
			return nil, notNow()
		}
		if w := window(s, party); s.Status == Evidence && (w == nil || w.Closed) {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Message: "你的举证期已结束 / your evidence window has closed"}
		}
		if c.EvidenceID == "" {
			return nil, fault.Field("evidence_id", "须指定证据 / evidence_id is required")
		}
		if slices.Contains(s.EvidenceIDs, c.EvidenceID) {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Field: "evidence_id", Message: "该证据已在案件中 / this evidence is already in the case"}
		}
		for _, k := range c.Satisfies {
			if !hasItem(s, k, party) {
				return nil, fault.Field("satisfies", "清单中没有属于你的条目 %q / %q is not on your checklist", k, k)
			}
		}
		ev.Type, ev.Data.EvidenceID, ev.Data.Party, ev.Data.Satisfies = EvEvidenceAdded, c.EvidenceID, party, c.Satisfies
		return []Event{ev}, nil
	case DoneEvidence, ExpireWindow:
		if c.Action == DoneEvidence {
			if err := need(RoleBuyer, RoleSeller); err != nil {
				return nil, err
			}
		} else if c.Actor.Role != RoleSystem {
			return nil, need(RoleSystem)
		}
		if s.Status != Evidence {
			return nil, notNow()
		}
		var parties []Party
		if c.Action == DoneEvidence {
			if w := window(s, party); w == nil || w.Closed {
				return nil, notNow()
			}
			parties = []Party{party}
		} else {
			for _, w := range s.Windows {
				if !w.Closed && !now.Before(w.DueAt) {
					parties = append(parties, w.Party)
				}
			}
			if len(parties) == 0 {
				return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Message: "举证期未到期 / no evidence window is due"}
			}
		}
		var out []Event
		for _, p := range parties {
			e := ev
			e.Type, e.Data.Party = EvEvidenceClosed, p
			e.RuleIDs = []string{s.Windows[0].RuleID}
			if c.Action == ExpireWindow {
				e.Reason = "举证期届满 / the evidence window expired"
			}
			out = append(out, e)
		}
		open := 0
		for _, w := range s.Windows {
			if !w.Closed && !slices.Contains(parties, w.Party) {
				open++
			}
		}
		if open == 0 {
			e := ev
			e.Type = EvToReview
			due := c.SLADueAt
			e.Data.SLADueAt = &due
			e.RuleIDs = []string{b.ID("dispute.review_sla")}
			for _, it := range Missing(s) {
				e.RuleIDs = appendUnique(e.RuleIDs, it.RuleID)
			}
			out = append(out, e)
		}
		return out, nil
	case Claim:
		if err := need(RoleAgent, RoleSenior); err != nil {
			return nil, err
		}
		if !(s.Status == Review || s.Status == Appealed) || s.Assignee != "" {
			return nil, notNow()
		}
		if s.Senior && c.Actor.Role != RoleSenior {
			return nil, &fault.Error{Code: fault.Forbidden, Status: string(s.Status), Message: "此案件由高级专员处理 / this case belongs to the senior tier"}
		}
		ev.Type, ev.Data.Assignee = EvClaimed, c.Actor.ID
		return []Event{ev}, nil
	case Release:
		if err := need(RoleAgent, RoleSenior); err != nil {
			return nil, err
		}
		if s.Assignee != c.Actor.ID || s.Assignee == "" {
			return nil, notNow()
		}
		ev.Type = EvReleased
		return []Event{ev}, nil
	case Reassign:
		if err := need(RoleSenior, RoleAdmin); err != nil {
			return nil, err
		}
		if !(s.Status == Review || s.Status == Appealed) {
			return nil, notNow()
		}
		if strings.TrimSpace(c.AssignTo) == "" {
			return nil, fault.Field("assignee", "须指定处理人 / assignee is required")
		}
		ev.Type, ev.Data.Assignee = EvReassigned, c.AssignTo
		return []Event{ev}, nil
	case Extend:
		if err := need(RoleAgent, RoleSenior); err != nil {
			return nil, err
		}
		if s.Status != Review || s.Assignee != c.Actor.ID {
			return nil, notNow()
		}
		if strings.TrimSpace(c.Reason) == "" {
			return nil, fault.Field("reason", "延期须说明理由 / an extension needs a reason")
		}
		if s.SLADueAt == nil || !c.SLADueAt.After(*s.SLADueAt) {
			return nil, fault.Field("sla_due_at", "延期后的时限须晚于原时限 / the new due time must be later")
		}
		due := c.SLADueAt
		ev.Type, ev.Reason, ev.Data.SLADueAt = EvExtended, c.Reason, &due
		ev.RuleIDs = []string{b.ID("dispute.review_sla")}
		return []Event{ev}, nil
	case Judge, DecideAppeal:
		if c.Action == Judge {
			if err := need(RoleAgent, RoleSenior); err != nil {
				return nil, err
			}
			if s.Status != Review {
				return nil, notNow()
			}
		} else {
			if err := need(RoleSenior); err != nil {
				return nil, err
			}
			if s.Status != Appealed {
				return nil, notNow()
			}
		}
		if s.Senior && c.Actor.Role != RoleSenior {
			return nil, &fault.Error{Code: fault.Forbidden, Status: string(s.Status), Message: "此案件由高级专员处理 / this case belongs to the senior tier"}
		}
		if s.Assignee != c.Actor.ID {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Message: "须先认领案件 / claim the case first"}
		}
		if s.advanceOpen() {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Rule: RuleAdvance,
				Message: "已先行垫付：请以 resolve-advance 结案 / an advance is open: resolve it (resolve-advance), which judges the case"}
		}
		var j Judgment
		if c.Action == DecideAppeal && c.Uphold {
			j = *s.Judgment
			j.Reason = strings.TrimSpace(c.Reason)
			if j.Reason == "" {
				return nil, fault.Field("reason", "维持原判须说明理由 / upholding needs a written reason")
			}
		} else {
			var err error
			if j, err = judgment(s, c); err != nil {
				return nil, err
			}
		}
		j.AgentID, j.Senior, j.At = c.Actor.ID, c.Actor.Role == RoleSenior, now
		if j.EvidenceIDs == nil {
			j.EvidenceIDs = []string{}
		}
		j.Missing = nil
		for _, it := range Missing(s) {
			j.Missing = append(j.Missing, it.Key)
		}
		if c.Action == Judge || !c.Uphold {
			if c.Compensation < 0 {
				return nil, fault.Field("compensation", "赔偿金额不能为负 / compensation cannot be negative")
			}
			if c.Compensation > 0 {
				if j.Fault == BuyerFault {
					return nil, fault.Field("compensation", "买家责任时卖家不承担赔偿 / no compensation from the seller when the buyer is at fault")
				}
				j.Compensation = c.Compensation
				j.RuleIDs = appendUnique(j.RuleIDs, "taobao-dispute-86")
			}
		}
		if c.Action == Judge {
			return []Event{judged(ev, j, b, now)}, nil
		}
		ev.Type, ev.Reason, ev.Data.Judgment = EvAppealDecided, j.Reason, &j
		ev.RuleIDs = append(slices.Clone(j.RuleIDs), b.ID("appeal.max_count"))
		if prev := s.Judgment; !c.Uphold && !SameRuling(prev, &j) {
			// An overturn: the difference is executed (the service fills in
			// the money) by the rule stated in OverturnRule.
			refunded := prev.Outcome == RefundFull || prev.Outcome == RefundPartial
			if j.Outcome == ReturnThenRefund && refunded {
				return nil, fault.Field("outcome", "原判已退款，不能改判为退货后退款：请改判退款金额 / the first judgment was refunded: judge a refund amount instead of return_then_refund")
			}
			j.Revision = &Revision{PreviousOutcome: prev.Outcome, PreviousAmount: prev.Amount, PreviousCompensation: prev.Compensation, Rule: OverturnRule}
			j.RuleIDs = appendUnique(j.RuleIDs, RuleOverturn)
			ev.RuleIDs = appendUnique(ev.RuleIDs, RuleOverturn)
			ev.RuleIDs = appendUnique(ev.RuleIDs, "taobao-dispute-85")
			ev.Reason = j.Reason + "（" + OverturnRule + "）"
		}
		return []Event{ev}, nil
	case AppealCase:
		if err := need(RoleBuyer, RoleSeller); err != nil {
			return nil, err
		}
		maxAppeals, id := b.Int("appeal.max_count")
		if s.Appeal != nil || maxAppeals == 0 {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Rule: id, Message: "每个案件只能申诉一次 / a case can be appealed once"}
		}
		if s.Status != Judged {
			return nil, notNow()
		}
		if s.AppealDueAt != nil && now.After(*s.AppealDueAt) {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Rule: b.ID("appeal.window"), Message: "已超过申诉期 / the appeal window has passed"}
		}
		var fresh []string
		for _, e := range c.EvidenceIDs {
			if !slices.Contains(s.EvidenceIDs, e) {
				fresh = append(fresh, e)
			}
		}
		if len(fresh) == 0 && strings.TrimSpace(c.Procedural) == "" {
			return nil, &fault.Error{Code: fault.Invalid, Field: "evidence_ids", Rule: b.ID("appeal.window"),
				Message: "申诉须提供新证据或指出程序错误，仅表示不同意不予受理 / an appeal needs new evidence or a named procedural error: a bare disagreement is not accepted"}
		}
		if strings.TrimSpace(c.Reason) == "" {
			return nil, fault.Field("reason", "须说明申诉理由 / an appeal needs a reason")
		}
		ev.Type, ev.Reason = EvAppealed, c.Reason
		ev.Data.Appeal = &Appeal{Party: party, Reason: c.Reason, EvidenceIDs: fresh, ProceduralError: c.Procedural, At: now}
		ev.RuleIDs = []string{b.ID("appeal.window"), id}
		return []Event{ev}, nil
	case ExpireAppeals:
		if c.Actor.Role != RoleSystem {
			return nil, need(RoleSystem)
		}
		if s.Status != Judged || s.AppealDueAt == nil || now.Before(*s.AppealDueAt) {
			return nil, notNow()
		}
		ev.Type, ev.Reason = EvFinal, "申诉期届满，判定生效 / the appeal window passed: the judgment is final"
		ev.RuleIDs = []string{b.ID("appeal.window")}
		return []Event{ev}, nil
	case Withdraw:
		// The buyer withdraws; the system withdraws the case when the parties
		// settle the request themselves (the seller agrees, the buyer cancels).
		// A suspended case may be withdrawn: the negotiation succeeded.
		if err := need(RoleBuyer, RoleSystem); err != nil {
			return nil, err
		}
		if s.Status != Evidence && s.Status != Review && s.Status != Suspended {
			return nil, notNow()
		}
		if s.advanceOpen() {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Rule: RuleAdvance,
				Message: "已先行垫付，不能撤销：须先结清垫付 / an advance was paid: the case cannot be withdrawn before the advance is resolved"}
		}
		ev.Type, ev.Reason = EvWithdrawn, c.Reason
		return []Event{ev}, nil
	case Advance, ResolveAdvance:
		return decideAdvance(s, c, b, now, ev, need, notNow)
	case Suspend, Resume, ExpireSuspension:
		return decideSuspension(s, c, b, now, ev, need, notNow)
	}
	return nil, fault.Field("action", "未知操作 %q / unknown action %q", c.Action, c.Action)
}

func judgment(s State, c Command) (Judgment, error) {
	j := Judgment{Outcome: c.Outcome, Amount: c.Amount, Fault: c.Fault, Reason: strings.TrimSpace(c.Reason), RuleIDs: c.RuleIDs, EvidenceIDs: c.EvidenceIDs}
	switch c.Outcome {
	case RefundFull, ReturnThenRefund:
		if c.Amount == 0 {
			j.Amount = s.Claim
		}
		if j.Amount != s.Claim {
			return j, fault.Field("amount", "全额退款金额须等于申请金额 %s / a full refund is the claimed %s", s.Claim, s.Claim)
		}
	case RefundPartial:
		if c.Amount <= 0 || c.Amount >= s.Claim {
			return j, fault.Field("amount", "部分退款须大于0且小于申请金额 %s / a partial refund is above 0 and below the claimed %s", s.Claim, s.Claim)
		}
	case ReleaseToSeller:
		if c.Amount != 0 {
			return j, fault.Field("amount", "打款卖家时退款金额须为0 / releasing to the seller refunds nothing")
		}
	default:
		return j, fault.Field("outcome", "判定结果须为 refund_full / refund_partial / release_to_seller / return_then_refund / outcome must be one of refund_full, refund_partial, release_to_seller, return_then_refund")
	}
	switch c.Fault {
	case BuyerFault:
		j.FreightPayer = Buyer
	case SellerFault:
		j.FreightPayer = Seller
	case BothFault:
		// 双方各有过错的，由先有过错的一方承担 (art. 49): the seller erred first
		// when the goods were at issue; the agent names the fault otherwise.
		j.FreightPayer = Seller
	default:
		return j, fault.Field("fault", "须认定责任方 buyer / seller / both / fault must be buyer, seller or both")
	}
	if j.Reason == "" {
		return j, fault.Field("reason", "判定须附书面理由 / a judgment needs a written reason")
	}
	if len(j.RuleIDs) == 0 {
		return j, fault.Field("rule_ids", "判定须引用规则 / a judgment must cite the rules applied")
	}
	for i, r := range j.RuleIDs {
		if !ruleID.MatchString(r) {
			return j, fault.Field(fmt.Sprintf("rule_ids[%d]", i), "%q 不是规则编号 / %q is not a rule ID", r, r)
		}
	}
	for i, e := range j.EvidenceIDs {
		if !slices.Contains(s.EvidenceIDs, e) {
			return j, fault.Field(fmt.Sprintf("evidence_ids[%d]", i), "证据 %s 不在本案证据链中 / evidence %s is not in this case", e, e)
		}
	}
	j.RuleIDs = appendUnique(slices.Clone(j.RuleIDs), "taobao-dispute-49")
	return j, nil
}

// SameRuling reports two judgments that move the same money: the same
// outcome, refund and compensation.
func SameRuling(a, b *Judgment) bool {
	return a != nil && b != nil && a.Outcome == b.Outcome && a.Amount == b.Amount && a.Compensation == b.Compensation
}

func window(s State, p Party) *Window {
	for i := range s.Windows {
		if s.Windows[i].Party == p {
			return &s.Windows[i]
		}
	}
	return nil
}

func hasItem(s State, key string, p Party) bool {
	for _, it := range s.Checklist {
		if it.Key == key && it.Party == p {
			return true
		}
	}
	return false
}

func appendUnique(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
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
			return []Action{AddEvidence, Release, Reassign, Extend, ResolveAdvance}
		case s.Assignee == "":
			return []Action{AddEvidence, Claim, Reassign, Suspend, Withdraw}
		}
		return []Action{AddEvidence, Release, Reassign, Extend, Judge, Advance, Suspend, Withdraw}
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
		return []Action{Release, Reassign, DecideAppeal}
	}
	return []Action{}
}

func allowedStrings(s State) []string {
	out := []string{}
	for _, a := range Allowed(s) {
		out = append(out, string(a))
	}
	return out
}
