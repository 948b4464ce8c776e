package dispute

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

// The suspension of a case (taobao-dispute-82, -83; see doc.go): suspend,
// resume and expire-suspension, on the ground of a negotiation or of legal
// proceedings.

// decideSuspension dispatches suspend, resume and expire-suspension by
// their ground: legal proceedings (the command's ground, or resuming a case
// so suspended) belong to an agent; otherwise the ground is a negotiation.
func decideSuspension(d decision) ([]Event, error) {
	legal := d.s.Suspension != nil && d.s.Suspension.Ground == GroundLegal
	switch {
	case d.c.Ground == GroundLegal || (d.c.Action == Resume && legal):
		if err := d.need(RoleAgent, RoleSenior); err != nil {
			return nil, err
		}
		switch d.c.Action {
		case Suspend:
			return decideLegalSuspend(d)
		case Resume:
			return decideLegalResume(d, legal)
		}
		return nil, d.notNow()
	case d.c.Ground != "" && d.c.Ground != GroundNegotiation:
		return nil, fault.Field("ground", "中止理由须为 negotiation 或 legal_proceedings / ground must be negotiation or legal_proceedings")
	}
	switch d.c.Action {
	case Suspend:
		return decideNegotiationSuspend(d)
	case Resume:
		return decideNegotiationResume(d)
	}
	return decideExpireSuspension(d)
}

// decideNegotiationSuspend: a party asks to suspend the case and negotiate
// (art. 82(1)); the case is SUSPENDED for dispute.negotiation_suspension
// once the second party asks.
func decideNegotiationSuspend(d decision) ([]Event, error) {
	s, party := d.s, d.party()
	if err := d.need(RoleBuyer, RoleSeller); err != nil {
		return nil, err
	}
	if err := d.maySuspend(); err != nil {
		return nil, err
	}
	var asked []Party
	if s.Suspension != nil {
		asked = s.Suspension.Requested
	}
	if slices.Contains(asked, party) {
		return nil, d.conflict("taobao-dispute-82", "你已申请中止，等待对方同意 / you already asked to suspend: waiting for the other party")
	}
	ev := d.event()
	ev.Type, ev.Reason, ev.Data.Party = EvSuspendAsked, strings.TrimSpace(d.c.Reason), party
	ev.RuleIDs = []string{"taobao-dispute-82"}
	if len(asked) == 0 {
		return []Event{ev}, nil
	}
	period, id := d.b.Duration("dispute.negotiation_suspension")
	resume := d.now.Add(period)
	at := d.now
	sus := ev
	sus.Type, sus.Reason = EvSuspended, "双方一致要求中止并自行协商 / both parties asked to suspend the case and negotiate"
	sus.Data.Party = ""
	sus.Data.Suspension = &Suspension{Requested: append(slices.Clone(asked), party), From: s.Status, At: &at, ResumeAt: &resume, RuleID: id, Ground: GroundNegotiation}
	sus.RuleIDs = []string{"taobao-dispute-82", id}
	return []Event{ev, sus}, nil
}

// maySuspend checks that the case can be suspended: in evidence or review,
// and no advance open.
func (d decision) maySuspend() error {
	if d.s.Status != Evidence && d.s.Status != Review {
		return d.notNow()
	}
	if d.s.advanceOpen() {
		return d.conflict(RuleAdvance, "已先行垫付，不能中止 / an advance is open: the case cannot be suspended")
	}
	return nil
}

// decideNegotiationResume: either party resumes the case, the negotiation
// failed.
func decideNegotiationResume(d decision) ([]Event, error) {
	if err := d.needIn([]Role{RoleBuyer, RoleSeller}, Suspended); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(d.c.Reason)
	if reason == "" {
		reason = "协商未果，恢复处理 / the negotiation failed: the case resumes"
	}
	return d.resume(reason), nil
}

// decideExpireSuspension: the deadline worker resumes the case at the end of
// the period: a negotiation that neither settled nor reported (art.
// 83(1)), a legal notice without the acceptance voucher (83(2)), a police
// case without a conclusion after six months (83(5)).
func decideExpireSuspension(d decision) ([]Event, error) {
	s := d.s
	if err := d.need(RoleSystem); err != nil {
		return nil, err
	}
	if s.Status != Suspended || s.Suspension == nil || s.Suspension.ResumeAt == nil || d.now.Before(*s.Suspension.ResumeAt) {
		return nil, d.notNow()
	}
	reason := "中止期满，双方未告知协商结果，恢复处理 / the suspension period passed without a settlement: the case resumes"
	if sus := s.Suspension; sus.Ground == GroundLegal && sus.AcceptanceEvidence == "" {
		reason = fmt.Sprintf("%s未在通知后%d个工作日内提供案件受理凭证，恢复处理（第八十三条第二项） / the %s gave no case acceptance voucher within %d working days of its notice: the case resumes (art. 83(2))",
			partyZH(sus.NotifiedBy), LegalVoucherWorkingDays, sus.NotifiedBy, LegalVoucherWorkingDays)
	} else if sus.Ground == GroundLegal {
		reason = "公安机关受理案件六个月后仍未给出调查结论或处理建议，恢复处理（第八十三条第五项） / six months after the police accepted the case there is no conclusion: the case resumes (art. 83(5))"
	}
	return d.resume(reason), nil
}

// resume resumes a suspended case (taobao-dispute-83 and the suspension's
// rule), moving the open evidence windows and the review SLA by the time
// held: until now, or for the deadline worker until the end of the period
// (a late worker does not lengthen anyone's window).
func (d decision) resume(reason string) []Event {
	s := d.s
	ev := d.event()
	ev.Type, ev.Reason = EvResumed, reason
	ev.RuleIDs = []string{"taobao-dispute-83"}
	if s.Suspension != nil {
		ev.RuleIDs = policy.Cite(ev.RuleIDs, s.Suspension.RuleID)
	}
	var held time.Duration
	if s.Suspension != nil && s.Suspension.At != nil {
		end := d.now
		if d.c.Action == ExpireSuspension {
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
	return []Event{ev}
}

func partyZH(p Party) string {
	if p == Seller {
		return "卖家"
	}
	return "买家"
}

// decideLegalSuspend: suspension on legal proceedings (art. 82(2)), by an
// agent on a party's notice that it took the dispute to a court, the police
// or arbitration. The case is suspended at once; the party must give the
// case acceptance voucher (受理凭证) within 7 working days of the notice
// (ResumeAt, computed by the caller), or the case resumes by itself (art.
// 83(2), the deadline worker). On a case so suspended, an agent records the
// voucher with suspend again (decideLegalVoucher).
func decideLegalSuspend(d decision) ([]Event, error) {
	s, c, now := d.s, d.c, d.now
	reason := strings.TrimSpace(c.Reason)
	if s.Status == Suspended {
		return decideLegalVoucher(d, reason)
	}
	if err := d.maySuspend(); err != nil {
		return nil, err
	}
	if c.Party != Buyer && c.Party != Seller {
		return nil, fault.Field("party", "须指明提交司法机关的一方 buyer / seller / party must be buyer or seller")
	}
	if !slices.Contains(Forums, c.Forum) {
		return nil, fault.Field("forum", "须为 court（法院）、police（公安机关）或 arbitration（仲裁） / forum must be court, police or arbitration")
	}
	if reason == "" {
		return nil, fault.Field("reason", "须说明通知内容 / say what the party notified")
	}
	if !c.ResumeAt.After(now) {
		return nil, fault.Field("resume_at", "受理凭证期限须晚于现在 / the voucher deadline must be in the future")
	}
	at, resume := now, c.ResumeAt
	ev := d.event()
	ev.Type, ev.Reason = EvSuspended, reason
	ev.Data.Suspension = &Suspension{Requested: []Party{c.Party}, From: s.Status, At: &at, ResumeAt: &resume, RuleID: "taobao-dispute-83",
		Ground: GroundLegal, NotifiedBy: c.Party, Forum: c.Forum}
	ev.RuleIDs = []string{"taobao-dispute-82", "taobao-dispute-83"}
	return []Event{ev}, nil
}

// decideLegalVoucher records the case acceptance voucher (evidence_id) on a
// case suspended on legal proceedings: a court or arbitration case then
// stays suspended until an agent resumes it on the withdrawal of the suit
// or an effective judgment (art. 83(3)(4)), a police case at most six
// months from the acceptance (art. 83(5)).
func decideLegalVoucher(d decision, reason string) ([]Event, error) {
	sus := d.s.Suspension
	if sus == nil || sus.Ground != GroundLegal || sus.AcceptanceEvidence != "" {
		return nil, d.notNow()
	}
	if strings.TrimSpace(d.c.EvidenceID) == "" {
		return nil, fault.Field("evidence_id", "须提供司法机关或公安机关的案件受理凭证 / the case acceptance voucher is required")
	}
	next := *sus
	at := d.now
	next.AcceptanceEvidence, next.AcceptedAt, next.ResumeAt = d.c.EvidenceID, &at, nil
	if next.Forum == "police" {
		r := d.now.AddDate(0, 6, 0)
		next.ResumeAt = &r
	}
	ev := d.event()
	ev.Type, ev.Data.Suspension, ev.Data.EvidenceID = EvLegalAccepted, &next, d.c.EvidenceID
	ev.Reason = reason
	if ev.Reason == "" {
		ev.Reason = "已提供案件受理凭证，继续中止 / the case acceptance voucher was given: the case stays suspended"
	}
	ev.RuleIDs = []string{"taobao-dispute-82", "taobao-dispute-83"}
	return []Event{ev}, nil
}

// decideLegalResume: an agent resumes a case suspended on legal proceedings,
// with a reason (the suit was withdrawn or the judgment took effect, art.
// 83). legal: the case is so suspended; an agent cannot resume a
// negotiation.
func decideLegalResume(d decision, legal bool) ([]Event, error) {
	if d.s.Status != Suspended {
		return nil, d.notNow()
	}
	reason := strings.TrimSpace(d.c.Reason)
	if reason == "" {
		return nil, fault.Field("reason", "恢复须说明理由（撤诉或判决生效，第八十三条） / resuming needs a reason (the suit was withdrawn or the judgment took effect, art. 83)")
	}
	if !legal {
		return nil, d.need(RoleBuyer, RoleSeller)
	}
	return d.resume(reason), nil
}
