package dispute

import (
	"fmt"
	"slices"
	"strings"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

// The review and judgment stages: claim, release, reassign, extend, judge,
// appeal, decide-appeal, expire-appeal, and withdraw.

// decideClaim: an agent takes an unassigned case in review or on appeal
// from the queue (the senior tier's cases only a senior agent).
func decideClaim(d decision) ([]Event, error) {
	if err := d.need(RoleAgent, RoleSenior); err != nil {
		return nil, err
	}
	if !(d.s.Status == Review || d.s.Status == Appealed) || d.s.Assignee != "" {
		return nil, d.notNow()
	}
	if err := d.seniorTier(); err != nil {
		return nil, err
	}
	ev := d.event()
	ev.Type, ev.Data.Assignee, ev.Reason = EvClaimed, d.c.Actor.ID, strings.TrimSpace(d.c.Reason)
	return []Event{ev}, nil
}

// decideRelease: the agent holding a case puts it back in the queue.
func decideRelease(d decision) ([]Event, error) {
	if err := d.need(RoleAgent, RoleSenior); err != nil {
		return nil, err
	}
	if d.s.Assignee != d.c.Actor.ID || d.s.Assignee == "" {
		return nil, d.notNow()
	}
	ev := d.event()
	ev.Type, ev.Reason = EvReleased, strings.TrimSpace(d.c.Reason)
	return []Event{ev}, nil
}

// decideReassign: a senior agent or an admin hands a case in review or on
// appeal to another agent.
func decideReassign(d decision) ([]Event, error) {
	if err := d.needIn([]Role{RoleSenior, RoleAdmin}, Review, Appealed); err != nil {
		return nil, err
	}
	if strings.TrimSpace(d.c.AssignTo) == "" {
		return nil, fault.Field("assignee", "须指定处理人 / assignee is required")
	}
	ev := d.event()
	ev.Type, ev.Data.Assignee, ev.Reason = EvReassigned, d.c.AssignTo, strings.TrimSpace(d.c.Reason)
	return []Event{ev}, nil
}

// decideExtend: the agent holding a case in review moves its SLA later,
// with a reason (dispute.review_sla).
func decideExtend(d decision) ([]Event, error) {
	s, c := d.s, d.c
	if err := d.need(RoleAgent, RoleSenior); err != nil {
		return nil, err
	}
	if s.Status != Review || s.Assignee != c.Actor.ID {
		return nil, d.notNow()
	}
	if strings.TrimSpace(c.Reason) == "" {
		return nil, fault.Field("reason", "延期须说明理由 / an extension needs a reason")
	}
	if s.SLADueAt == nil || !c.SLADueAt.After(*s.SLADueAt) {
		return nil, fault.Field("sla_due_at", "延期后的时限须晚于原时限 / the new due time must be later")
	}
	due := c.SLADueAt
	ev := d.event()
	ev.Type, ev.Reason, ev.Data.SLADueAt = EvExtended, c.Reason, &due
	ev.RuleIDs = []string{d.b.ID("dispute.review_sla")}
	return []Event{ev}, nil
}

// decideJudge: the agent holding a case in review judges it (judgment:
// outcome, fault, reason, rules cited, evidence of the case; compensation
// from the deposit, taobao-dispute-86); the appeal window opens.
func decideJudge(d decision) ([]Event, error) {
	if err := d.needIn([]Role{RoleAgent, RoleSenior}, Review); err != nil {
		return nil, err
	}
	if err := d.mayJudge(); err != nil {
		return nil, err
	}
	j, err := d.newJudgment()
	if err != nil {
		return nil, err
	}
	return []Event{judged(d.event(), j, d.b, d.now)}, nil
}

// decideAppealDecision: the senior agent holding an appealed case upholds
// the judgment (with a reason) or judges again; the decision is final
// (appeal.max_count). A new judgment that moves other money is an
// overturn (RuleOverturn, see doc.go).
func decideAppealDecision(d decision) ([]Event, error) {
	s, c := d.s, d.c
	if err := d.needIn([]Role{RoleSenior}, Appealed); err != nil {
		return nil, err
	}
	if err := d.mayJudge(); err != nil {
		return nil, err
	}
	var j Judgment
	if c.Uphold {
		j = *s.Judgment
		j.Reason = strings.TrimSpace(c.Reason)
		if j.Reason == "" {
			return nil, fault.Field("reason", "维持原判须说明理由 / upholding needs a written reason")
		}
		d.sign(&j)
	} else {
		var err error
		if j, err = d.newJudgment(); err != nil {
			return nil, err
		}
	}
	ev := d.event()
	ev.Type, ev.Reason, ev.Data.Judgment = EvAppealDecided, j.Reason, &j
	ev.RuleIDs = append(slices.Clone(j.RuleIDs), d.b.ID("appeal.max_count"))
	if prev := s.Judgment; !c.Uphold && !SameRuling(prev, &j) {
		if err := overturn(&ev, &j, prev); err != nil {
			return nil, err
		}
	}
	return []Event{ev}, nil
}

// overturn marks an appeal decision that changes the executed judgment
// prev: the difference is executed (the service fills in the money) by the
// rule stated in OverturnRule. A refunded judgment cannot become
// return_then_refund.
func overturn(ev *Event, j, prev *Judgment) error {
	refunded := prev.Outcome == RefundFull || prev.Outcome == RefundPartial
	if j.Outcome == ReturnThenRefund && refunded {
		return fault.Field("outcome", "原判已退款，不能改判为退货后退款：请改判退款金额 / the first judgment was refunded: judge a refund amount instead of return_then_refund")
	}
	j.Revision = &Revision{PreviousOutcome: prev.Outcome, PreviousAmount: prev.Amount, PreviousCompensation: prev.Compensation, Rule: OverturnRule}
	j.RuleIDs = policy.Cite(j.RuleIDs, RuleOverturn)
	ev.RuleIDs = policy.Cite(ev.RuleIDs, RuleOverturn)
	ev.RuleIDs = policy.Cite(ev.RuleIDs, "taobao-dispute-85")
	ev.Reason = j.Reason + "（" + OverturnRule + "）"
	return nil
}

// mayJudge checks that the actor holds the case and that no advance is
// open (that one is judged by resolve-advance).
func (d decision) mayJudge() error {
	if err := d.holder(); err != nil {
		return err
	}
	if d.s.advanceOpen() {
		return d.conflict(RuleAdvance, "已先行垫付：请以 resolve-advance 结案 / an advance is open: resolve it (resolve-advance), which judges the case")
	}
	return nil
}

// sign stamps a judgment with the agent, its tier and the time, and lists
// the checklist items missing at the end of the evidence phase.
// newJudgment is the command's judgment of the case (judgment), signed by
// the agent, with its compensation from the deposit checked.
func (d decision) newJudgment() (Judgment, error) {
	j, err := judgment(d.s, d.c)
	if err != nil {
		return Judgment{}, err
	}
	d.sign(&j)
	if err := d.compensation(&j); err != nil {
		return Judgment{}, err
	}
	return j, nil
}

func (d decision) sign(j *Judgment) {
	j.AgentID, j.Senior, j.At = d.c.Actor.ID, d.c.Actor.Role == RoleSenior, d.now
	if j.EvidenceIDs == nil {
		j.EvidenceIDs = []string{}
	}
	j.Missing = missingKeys(d.s)
}

// compensation adds the command's compensation from the seller's deposit
// to a judgment (taobao-dispute-86): never negative, never from the seller
// when the buyer is at fault.
func (d decision) compensation(j *Judgment) error {
	if d.c.Compensation < 0 {
		return fault.Field("compensation", "赔偿金额不能为负 / compensation cannot be negative")
	}
	if d.c.Compensation > 0 {
		if j.Fault == BuyerFault {
			return fault.Field("compensation", "买家责任时卖家不承担赔偿 / no compensation from the seller when the buyer is at fault")
		}
		j.Compensation = d.c.Compensation
		j.RuleIDs = policy.Cite(j.RuleIDs, "taobao-dispute-86")
	}
	return nil
}

// decideAppeal: a party appeals a judgment once (appeal.max_count), within
// the appeal window, with new evidence or a named procedural error.
func decideAppeal(d decision) ([]Event, error) {
	s, c, b := d.s, d.c, d.b
	if err := d.need(RoleBuyer, RoleSeller); err != nil {
		return nil, err
	}
	maxAppeals, id := b.Int("appeal.max_count")
	if s.Appeal != nil || maxAppeals == 0 {
		return nil, d.conflict(id, "每个案件只能申诉一次 / a case can be appealed once")
	}
	if s.Status != Judged {
		return nil, d.notNow()
	}
	if s.AppealDueAt != nil && d.now.After(*s.AppealDueAt) {
		return nil, d.conflict(b.ID("appeal.window"), "已超过申诉期 / the appeal window has passed")
	}
	var fresh []string
	for _, e := range c.EvidenceIDs {
		if !slices.Contains(s.EvidenceIDs, e) {
			fresh = append(fresh, e)
		}
	}
	if err := b.CheckAppealGrounds(fresh, c.Procedural, c.Reason); err != nil {
		return nil, err
	}
	ev := d.event()
	ev.Type, ev.Reason = EvAppealed, c.Reason
	ev.Data.Appeal = &Appeal{Party: d.party(), Reason: c.Reason, EvidenceIDs: fresh, ProceduralError: c.Procedural, At: d.now}
	ev.RuleIDs = []string{b.ID("appeal.window"), id}
	return []Event{ev}, nil
}

// decideExpireAppeals: the deadline worker makes the judgment final once
// the appeal window passed.
func decideExpireAppeals(d decision) ([]Event, error) {
	if err := d.need(RoleSystem); err != nil {
		return nil, err
	}
	if d.s.Status != Judged || d.s.AppealDueAt == nil || d.now.Before(*d.s.AppealDueAt) {
		return nil, d.notNow()
	}
	ev := d.event()
	ev.Type, ev.Reason = EvFinal, "申诉期届满，判定生效 / the appeal window passed: the judgment is final"
	ev.RuleIDs = []string{d.b.ID("appeal.window")}
	return []Event{ev}, nil
}

// decideWithdraw: the buyer withdraws; the system withdraws the case when
// the parties settle the request themselves (the seller agrees, the buyer
// cancels). A suspended case may be withdrawn: the negotiation succeeded.
// Not while an advance is open.
func decideWithdraw(d decision) ([]Event, error) {
	s := d.s
	if err := d.needIn([]Role{RoleBuyer, RoleSystem}, Evidence, Review, Suspended); err != nil {
		return nil, err
	}
	if s.advanceOpen() {
		return nil, d.conflict(RuleAdvance, "已先行垫付，不能撤销：须先结清垫付 / an advance was paid: the case cannot be withdrawn before the advance is resolved")
	}
	ev := d.event()
	ev.Type, ev.Reason = EvWithdrawn, d.c.Reason
	return []Event{ev}, nil
}

// judgment validates an agent's judgment: the amount for the outcome, the
// fault (which decides who bears the freight, taobao-dispute-49), a written
// reason, the rules cited and evidence of this case.
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
	if err := policy.CheckStated("判定", "a judgment", j.Reason, j.RuleIDs); err != nil {
		return j, err
	}
	if err := inCase(s, j.EvidenceIDs); err != nil {
		return j, err
	}
	j.RuleIDs = policy.Cite(slices.Clone(j.RuleIDs), "taobao-dispute-49")
	return j, nil
}

// inCase refuses (Invalid, naming evidence_ids[i]) evidence that is not in
// the case's evidence chain.
func inCase(s State, ids []string) error {
	for i, e := range ids {
		if !slices.Contains(s.EvidenceIDs, e) {
			return fault.Field(fmt.Sprintf("evidence_ids[%d]", i), "证据 %s 不在本案证据链中 / evidence %s is not in this case", e, e)
		}
	}
	return nil
}

// missingKeys lists the keys of the checklist items nobody satisfied (nil:
// none).
func missingKeys(s State) []string {
	var out []string
	for _, it := range Missing(s) {
		out = append(out, it.Key)
	}
	return out
}

// SameRuling reports two judgments that move the same money: the same
// outcome, refund and compensation.
func SameRuling(a, b *Judgment) bool {
	return a != nil && b != nil && a.Outcome == b.Outcome && a.Amount == b.Amount && a.Compensation == b.Compensation
}
