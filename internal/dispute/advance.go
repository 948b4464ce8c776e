package dispute

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

// judged completes a judgment event: the appeal window opens (seed: 7 days
// from the judgment notice).
func judged(ev Event, j Judgment, b *policy.Book, now time.Time) Event {
	win, id := b.Duration("appeal.window")
	due := now.Add(win)
	ev.Type, ev.Reason, ev.Data.Judgment, ev.Data.AppealDue, ev.Data.AppealRule = EvJudged, j.Reason, &j, &due, id
	ev.RuleIDs = append(slices.Clone(j.RuleIDs), id)
	return ev
}

// decideAdvance: advance and resolve-advance, by the agent who holds the
// case in review (the senior tier's cases by a senior agent).
//
// advance (SPEC §5.1): the buyer is not at fault and the seller does not
// cooperate, so the guarantee fund pays the buyer at once (amount: the
// claim unless given, at most the claim and what the order can still
// refund) and the disputed escrow is frozen. advance_status becomes 2.
//
// resolve-advance (SPEC §5.2) ends it and judges the case in the same step:
// returned (2a: the buyer returned the goods and the seller received them)
// → the seller's frozen escrow and deposit repay the fund, the judgment is
// a refund of the advanced amount, already paid (advance_status 5);
// kept (2b: the buyer keeps the goods, confirmed with the buyer) → the
// frozen money returns to the fund and the trade money goes to the seller
// (调帐), the judgment releases to the seller (advance_status 4).
func decideAdvance(s State, c Command, b *policy.Book, now time.Time, ev Event, need func(...Role) error, notNow func() error) ([]Event, error) {
	if err := need(RoleAgent, RoleSenior); err != nil {
		return nil, err
	}
	if s.Status != Review {
		return nil, notNow()
	}
	if s.Senior && c.Actor.Role != RoleSenior {
		return nil, &fault.Error{Code: fault.Forbidden, Status: string(s.Status), Message: "此案件由高级专员处理 / this case belongs to the senior tier"}
	}
	if s.Assignee != c.Actor.ID {
		return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Message: "须先认领案件 / claim the case first"}
	}
	reason := strings.TrimSpace(c.Reason)
	if c.Action == Advance {
		if s.Advance != nil {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Rule: RuleAdvance,
				Message: "本案已先行垫付 / this case already had an advance"}
		}
		amount := c.Amount
		if amount == 0 {
			amount = s.Claim
		}
		if amount <= 0 || amount > s.Claim {
			return nil, fault.Field("amount", "垫付金额须大于0且不超过申请金额 %s / the advance is above 0 and at most the claimed %s", s.Claim, s.Claim)
		}
		if amount > c.Facts.Refundable {
			return nil, fault.Field("amount", "垫付金额超过订单可退金额 %s / the advance exceeds the order's refundable %s", c.Facts.Refundable, c.Facts.Refundable)
		}
		if reason == "" {
			return nil, fault.Field("reason", "先行垫付须说明理由（买家无责、卖家不配合） / an advance needs a reason (the buyer is not at fault, the seller does not cooperate)")
		}
		ev.Type, ev.Reason = EvAdvanced, reason
		ev.Data.Advance = &AdvanceInfo{Status: AdvancePaid, Amount: amount, AgentID: c.Actor.ID, Reason: reason, At: now, ManualInterventionRefund: true}
		ev.RuleIDs = []string{RuleAdvance, "taobao-dispute-85", RuleManualRefund}
		return []Event{ev}, nil
	}
	if !s.advanceOpen() {
		return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Rule: RuleAdvance,
			Message: "本案没有未结的先行垫付 / this case has no open advance"}
	}
	if reason == "" {
		return nil, fault.Field("reason", "须说明垫付结果的依据 / resolving an advance needs a written reason")
	}
	adv := *s.Advance
	adv.ResolvedAt = &now
	j := Judgment{Reason: reason, AgentID: c.Actor.ID, Senior: c.Actor.Role == RoleSenior, At: now, EvidenceIDs: []string{}}
	switch c.AdvanceOutcome {
	case AdvanceReturned:
		adv.Status, adv.Outcome = AdvanceSettled, AdvanceReturned
		j.Outcome, j.Amount, j.Fault, j.FreightPayer = RefundFull, adv.Amount, SellerFault, Seller
		if adv.Amount < s.Claim {
			j.Outcome = RefundPartial
		}
		j.RuleIDs = []string{RuleAdvance, "taobao-dispute-85", "taobao-dispute-86"}
	case AdvanceKept:
		adv.Status, adv.Outcome = AdvanceClosed, AdvanceKept
		j.Outcome, j.Fault, j.FreightPayer = ReleaseToSeller, BuyerFault, Buyer
		j.RuleIDs = []string{RuleAdvance, "taobao-dispute-85"}
	default:
		return nil, fault.Field("outcome", "须为 returned（已退货）或 kept（买家保留商品） / outcome must be returned or kept")
	}
	for i, r := range c.RuleIDs {
		if !ruleID.MatchString(r) {
			return nil, fault.Field(fmt.Sprintf("rule_ids[%d]", i), "%q 不是规则编号 / %q is not a rule ID", r, r)
		}
		j.RuleIDs = appendUnique(j.RuleIDs, r)
	}
	j.RuleIDs = appendUnique(j.RuleIDs, "taobao-dispute-49")
	for i, e := range c.EvidenceIDs {
		if !slices.Contains(s.EvidenceIDs, e) {
			return nil, fault.Field(fmt.Sprintf("evidence_ids[%d]", i), "证据 %s 不在本案证据链中 / evidence %s is not in this case", e, e)
		}
		j.EvidenceIDs = append(j.EvidenceIDs, e)
	}
	for _, it := range Missing(s) {
		j.Missing = append(j.Missing, it.Key)
	}
	closed := ev
	closed.Type, closed.Reason, closed.Data.Advance = EvAdvanceClosed, reason, &adv
	closed.RuleIDs = slices.Clone(j.RuleIDs)
	return []Event{closed, judged(ev, j, b, now)}, nil
}

// decideSuspension: suspend (art. 82(1): both parties ask to suspend and
// negotiate; the case is SUSPENDED once the second asks), resume (either
// party, when the negotiation failed) and expire-suspension (the
// deadline worker, art. 83(1): the parties neither settled nor reported
// within the period). Resuming moves the evidence windows and the review
// SLA by the time the case was suspended, so nobody loses time.
func decideSuspension(s State, c Command, b *policy.Book, now time.Time, ev Event, need func(...Role) error, notNow func() error) ([]Event, error) {
	party := Party(c.Actor.Role)
	if c.Ground == GroundLegal || (c.Action == Resume && s.Suspension != nil && s.Suspension.Ground == GroundLegal) {
		if evs, err, done := decideLegal(s, c, now, ev, need, notNow); done {
			return evs, err
		}
	} else if c.Ground != "" && c.Ground != GroundNegotiation {
		return nil, fault.Field("ground", "中止理由须为 negotiation 或 legal_proceedings / ground must be negotiation or legal_proceedings")
	}
	switch c.Action {
	case Suspend:
		if err := need(RoleBuyer, RoleSeller); err != nil {
			return nil, err
		}
		if s.Status != Evidence && s.Status != Review {
			return nil, notNow()
		}
		if s.advanceOpen() {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Rule: RuleAdvance,
				Message: "已先行垫付，不能中止 / an advance is open: the case cannot be suspended"}
		}
		var asked []Party
		if s.Suspension != nil {
			asked = s.Suspension.Requested
		}
		if slices.Contains(asked, party) {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Rule: "taobao-dispute-82",
				Message: "你已申请中止，等待对方同意 / you already asked to suspend: waiting for the other party"}
		}
		ev.Type, ev.Reason, ev.Data.Party = EvSuspendAsked, strings.TrimSpace(c.Reason), party
		ev.RuleIDs = []string{"taobao-dispute-82"}
		if len(asked) == 0 {
			return []Event{ev}, nil
		}
		period, id := b.Duration("dispute.negotiation_suspension")
		resume := now.Add(period)
		at := now
		sus := ev
		sus.Type, sus.Reason = EvSuspended, "双方一致要求中止并自行协商 / both parties asked to suspend the case and negotiate"
		sus.Data.Party = ""
		sus.Data.Suspension = &Suspension{Requested: append(slices.Clone(asked), party), From: s.Status, At: &at, ResumeAt: &resume, RuleID: id, Ground: GroundNegotiation}
		sus.RuleIDs = []string{"taobao-dispute-82", id}
		return []Event{ev, sus}, nil
	case Resume:
		if s.Suspension == nil || s.Suspension.Ground != GroundLegal { // legal: decideLegal checked the agent
			if err := need(RoleBuyer, RoleSeller); err != nil {
				return nil, err
			}
		}
		if s.Status != Suspended {
			return nil, notNow()
		}
		ev.Reason = strings.TrimSpace(c.Reason)
		if ev.Reason == "" {
			ev.Reason = "协商未果，恢复处理 / the negotiation failed: the case resumes"
		}
	default: // ExpireSuspension
		if c.Actor.Role != RoleSystem {
			return nil, need(RoleSystem)
		}
		if s.Status != Suspended || s.Suspension == nil || s.Suspension.ResumeAt == nil || now.Before(*s.Suspension.ResumeAt) {
			return nil, notNow()
		}
		ev.Reason = "中止期满，双方未告知协商结果，恢复处理 / the suspension period passed without a settlement: the case resumes"
		if sus := s.Suspension; sus.Ground == GroundLegal && sus.AcceptanceEvidence == "" {
			ev.Reason = fmt.Sprintf("%s未在通知后%d个工作日内提供案件受理凭证，恢复处理（第八十三条第二项） / the %s gave no case acceptance voucher within %d working days of its notice: the case resumes (art. 83(2))",
				partyZH(sus.NotifiedBy), LegalVoucherWorkingDays, sus.NotifiedBy, LegalVoucherWorkingDays)
		} else if sus.Ground == GroundLegal {
			ev.Reason = "公安机关受理案件六个月后仍未给出调查结论或处理建议，恢复处理（第八十三条第五项） / six months after the police accepted the case there is no conclusion: the case resumes (art. 83(5))"
		}
	}
	ev.Type = EvResumed
	ev.RuleIDs = []string{"taobao-dispute-83"}
	if s.Suspension != nil && s.Suspension.RuleID != "" {
		ev.RuleIDs = appendUnique(ev.RuleIDs, s.Suspension.RuleID)
	}
	// The time held: until now, or for the deadline worker until the end
	// of the period (a late worker does not lengthen anyone's window).
	var held time.Duration
	if s.Suspension != nil && s.Suspension.At != nil {
		end := now
		if c.Action == ExpireSuspension {
			end = *s.Suspension.ResumeAt
		}
		held = end.Sub(*s.Suspension.At)
	}
	ev.Data.Windows = slices.Clone(s.Windows)
	for i := range ev.Data.Windows {
		if !ev.Data.Windows[i].Closed {
			ev.Data.Windows[i].DueAt = ev.Data.Windows[i].DueAt.Add(held)
		}
	}
	if s.SLADueAt != nil {
		due := s.SLADueAt.Add(held)
		ev.Data.SLADueAt = &due
	}
	return []Event{ev}, nil
}

func partyZH(p Party) string {
	if p == Seller {
		return "卖家"
	}
	return "买家"
}

// decideLegal: suspension on legal proceedings (art. 82(2)), by an agent
// on a party's notice that it took the dispute to a court, the police or
// arbitration. The case is suspended at once; the party must give the case
// acceptance voucher (受理凭证) within 7 working days of the notice, or the
// case resumes by itself (art. 83(2), the deadline worker). An agent
// records the voucher with suspend again (evidence_id): then a court or
// arbitration case stays suspended until an agent resumes it on the
// withdrawal of the suit or an effective judgment (art. 83(3)(4)), a police
// case at most six months from the acceptance (art. 83(5)). done=false
// hands back to the common resume path.
func decideLegal(s State, c Command, now time.Time, ev Event, need func(...Role) error, notNow func() error) ([]Event, error, bool) {
	if err := need(RoleAgent, RoleSenior); err != nil {
		return nil, err, true
	}
	if c.Action == Resume {
		if s.Status != Suspended {
			return nil, notNow(), true
		}
		ev.Reason = strings.TrimSpace(c.Reason)
		if ev.Reason == "" {
			return nil, fault.Field("reason", "恢复须说明理由（撤诉或判决生效，第八十三条） / resuming needs a reason (the suit was withdrawn or the judgment took effect, art. 83)"), true
		}
		return nil, nil, false
	}
	if c.Action != Suspend {
		return nil, notNow(), true
	}
	reason := strings.TrimSpace(c.Reason)
	if s.Status == Suspended {
		sus := s.Suspension
		if sus == nil || sus.Ground != GroundLegal || sus.AcceptanceEvidence != "" {
			return nil, notNow(), true
		}
		if strings.TrimSpace(c.EvidenceID) == "" {
			return nil, fault.Field("evidence_id", "须提供司法机关或公安机关的案件受理凭证 / the case acceptance voucher is required"), true
		}
		next := *sus
		at := now
		next.AcceptanceEvidence, next.AcceptedAt, next.ResumeAt = c.EvidenceID, &at, nil
		if next.Forum == "police" {
			r := now.AddDate(0, 6, 0)
			next.ResumeAt = &r
		}
		ev.Type, ev.Data.Suspension, ev.Data.EvidenceID = EvLegalAccepted, &next, c.EvidenceID
		ev.Reason = reason
		if ev.Reason == "" {
			ev.Reason = "已提供案件受理凭证，继续中止 / the case acceptance voucher was given: the case stays suspended"
		}
		ev.RuleIDs = []string{"taobao-dispute-82", "taobao-dispute-83"}
		return []Event{ev}, nil, true
	}
	if s.Status != Evidence && s.Status != Review {
		return nil, notNow(), true
	}
	if s.advanceOpen() {
		return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s), Rule: RuleAdvance,
			Message: "已先行垫付，不能中止 / an advance is open: the case cannot be suspended"}, true
	}
	if c.Party != Buyer && c.Party != Seller {
		return nil, fault.Field("party", "须指明提交司法机关的一方 buyer / seller / party must be buyer or seller"), true
	}
	if !slices.Contains(Forums, c.Forum) {
		return nil, fault.Field("forum", "须为 court（法院）、police（公安机关）或 arbitration（仲裁） / forum must be court, police or arbitration"), true
	}
	if reason == "" {
		return nil, fault.Field("reason", "须说明通知内容 / say what the party notified"), true
	}
	if !c.ResumeAt.After(now) {
		return nil, fault.Field("resume_at", "受理凭证期限须晚于现在 / the voucher deadline must be in the future"), true
	}
	at, resume := now, c.ResumeAt
	ev.Type, ev.Reason = EvSuspended, reason
	ev.Data.Suspension = &Suspension{Requested: []Party{c.Party}, From: s.Status, At: &at, ResumeAt: &resume, RuleID: "taobao-dispute-83",
		Ground: GroundLegal, NotifiedBy: c.Party, Forum: c.Forum}
	ev.RuleIDs = []string{"taobao-dispute-82", "taobao-dispute-83"}
	return []Event{ev}, nil, true
}
