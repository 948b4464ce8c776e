package dispute

import (
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

// Advance and resolve-advance are taken by the agent who holds the case in
// review (the senior tier's cases by a senior agent): mayAdvance.
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

// mayAdvance checks that an agent holds the case in review.
func (d decision) mayAdvance() error {
	if err := d.needIn([]Role{RoleAgent, RoleSenior}, Review); err != nil {
		return err
	}
	return d.holder()
}

// decideAdvance pays the advance (SPEC §5.1; RuleAdvance, taobao-dispute-85,
// RuleManualRefund), once per case.
func decideAdvance(d decision) ([]Event, error) {
	s, c := d.s, d.c
	if err := d.mayAdvance(); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(c.Reason)
	if s.Advance != nil {
		return nil, d.conflict(RuleAdvance, "本案已先行垫付 / this case already had an advance")
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
	ev := d.event()
	ev.Type, ev.Reason = EvAdvanced, reason
	ev.Data.Advance = &AdvanceInfo{Status: AdvancePaid, Amount: amount, AgentID: c.Actor.ID, Reason: reason, At: d.now, ManualInterventionRefund: true}
	ev.RuleIDs = []string{RuleAdvance, "taobao-dispute-85", RuleManualRefund}
	return []Event{ev}, nil
}

// decideResolveAdvance ends the open advance (SPEC §5.2) and judges the
// case: advance_resolved, then judged.
func decideResolveAdvance(d decision) ([]Event, error) {
	s, c, now := d.s, d.c, d.now
	if err := d.mayAdvance(); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(c.Reason)
	if !s.advanceOpen() {
		return nil, d.conflict(RuleAdvance, "本案没有未结的先行垫付 / this case has no open advance")
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
	if err := policy.CheckCited(c.RuleIDs); err != nil {
		return nil, err
	}
	for _, r := range c.RuleIDs {
		j.RuleIDs = policy.Cite(j.RuleIDs, r)
	}
	j.RuleIDs = policy.Cite(j.RuleIDs, "taobao-dispute-49")
	if err := inCase(s, c.EvidenceIDs); err != nil {
		return nil, err
	}
	j.EvidenceIDs = append(j.EvidenceIDs, c.EvidenceIDs...)
	j.Missing = missingKeys(s)
	closed := d.event()
	closed.Type, closed.Reason, closed.Data.Advance = EvAdvanceClosed, reason, &adv
	closed.RuleIDs = slices.Clone(j.RuleIDs)
	return []Event{closed, judged(d.event(), j, d.b, now)}, nil
}
