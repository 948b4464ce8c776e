package dispute_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
)

var senior = dispute.Actor{Role: dispute.RoleSenior, ID: "key:senior-1"}

// appealed judges the case in review with j and has the buyer appeal; the
// senior tier holds it.
func appealed(t *testing.T, j dispute.Command) *history {
	h := inReview(t)
	j.Action, j.Actor = dispute.Judge, agent
	h.do(j, t0)
	h.do(dispute.Command{Action: dispute.AppealCase, Actor: buyer, Reason: "新证据", EvidenceIDs: []string{"ev-new"}}, t0.Add(time.Hour))
	h.do(dispute.Command{Action: dispute.Claim, Actor: senior}, t0.Add(time.Hour))
	return h
}

var refundAll = dispute.Command{Outcome: dispute.RefundFull, Fault: dispute.SellerFault, Reason: "卖家责任", RuleIDs: []string{"taobao-dispute-66"}}

func TestOverturnCarriesARevision(t *testing.T) {
	// Upheld, or a new judgment that moves the same money: no revision.
	h := appealed(t, refundAll)
	evs := h.do(dispute.Command{Action: dispute.DecideAppeal, Actor: senior, Outcome: dispute.RefundFull, Fault: dispute.BothFault, Reason: "责任改为双方", RuleIDs: []string{"taobao-dispute-49"}}, t0.Add(2*time.Hour))
	if evs[0].Data.Judgment.Revision != nil || h.s.Status != dispute.Final {
		t.Fatalf("same money: %+v", evs[0].Data.Judgment)
	}
	// An overturn names the previous ruling and states the rule in the event reason.
	h = appealed(t, refundAll)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.DecideAppeal, Actor: senior, Outcome: dispute.ReturnThenRefund, Fault: dispute.SellerFault, Reason: "x", RuleIDs: []string{"taobao-dispute-77"}}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.DecideAppeal, Actor: senior, Outcome: dispute.ReleaseToSeller, Fault: dispute.BuyerFault, Reason: "x", RuleIDs: []string{"taobao-dispute-65"}, Compensation: 100}, t0)
	evs = h.do(dispute.Command{Action: dispute.DecideAppeal, Actor: senior, Outcome: dispute.ReleaseToSeller, Fault: dispute.BuyerFault, Reason: "进货凭证成立", RuleIDs: []string{"taobao-dispute-66"}}, t0.Add(2*time.Hour))
	rev := h.s.Final.Revision
	if rev == nil || rev.PreviousOutcome != dispute.RefundFull || rev.PreviousAmount != 10000 || rev.Rule != dispute.OverturnRule {
		t.Fatalf("revision %+v", rev)
	}
	if !slices.Contains(evs[0].RuleIDs, dispute.RuleOverturn) || !strings.Contains(evs[0].Reason, "不强制从买家扣回") {
		t.Fatalf("event %+v", evs[0])
	}
	// Compensation alone changes the money too.
	h = appealed(t, refundAll)
	h.do(dispute.Command{Action: dispute.DecideAppeal, Actor: senior, Outcome: dispute.RefundFull, Fault: dispute.SellerFault, Reason: "另赔", RuleIDs: []string{"taobao-dispute-86"}, Compensation: 500}, t0.Add(2*time.Hour))
	if rev := h.s.Final.Revision; rev == nil || h.s.Final.Compensation != 500 || rev.PreviousCompensation != 0 {
		t.Fatalf("compensation overturn %+v", h.s.Final)
	}
}

func TestLegalProceedingsSuspendAndVoucher(t *testing.T) {
	h := inReview(t)
	due := t0.Add(9 * 24 * time.Hour)
	legal := dispute.Command{Action: dispute.Suspend, Actor: agent, Ground: dispute.GroundLegal, Party: dispute.Seller, Forum: "police", Reason: "卖家已报案", ResumeAt: due}
	h.refuse(fault.Forbidden, dispute.Command{Action: dispute.Suspend, Actor: buyer, Ground: dispute.GroundLegal, Party: dispute.Buyer, Forum: "court", Reason: "x", ResumeAt: due}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.Suspend, Actor: agent, Ground: dispute.GroundLegal, Party: "platform", Forum: "court", Reason: "x", ResumeAt: due}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.Suspend, Actor: agent, Ground: dispute.GroundLegal, Party: dispute.Seller, Forum: "court", Reason: "x"}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.Suspend, Actor: agent, Ground: "strike", Reason: "x"}, t0)
	h.do(legal, t0)
	if s := h.s.Suspension; h.s.Status != dispute.Suspended || s.Ground != dispute.GroundLegal || s.NotifiedBy != dispute.Seller || !s.ResumeAt.Equal(due) || s.From != dispute.Review {
		t.Fatalf("suspended %+v", h.s.Suspension)
	}
	if k, d := h.s.Deadline(); k != "suspension" || !d.DueAt.Equal(due) {
		t.Fatalf("deadline %s %+v", k, d)
	}
	if got := actions(dispute.Allowed(h.s)); !slices.Equal(got, []string{"suspend", "resume", "withdraw"}) {
		t.Fatalf("allowed %v", got)
	}
	h.refuse(fault.Forbidden, dispute.Command{Action: dispute.Resume, Actor: seller}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.Resume, Actor: agent}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.Suspend, Actor: agent, Ground: dispute.GroundLegal}, t0)
	// The voucher on day 3: a police case then resumes six months after it.
	at := t0.Add(72 * time.Hour)
	evs := h.do(dispute.Command{Action: dispute.Suspend, Actor: agent, Ground: dispute.GroundLegal, EvidenceID: "ev-receipt"}, at)
	if evs[0].Type != dispute.EvLegalAccepted || h.s.Suspension.AcceptanceEvidence != "ev-receipt" || !h.s.Suspension.ResumeAt.Equal(at.AddDate(0, 6, 0)) {
		t.Fatalf("voucher %+v", h.s.Suspension)
	}
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.Suspend, Actor: agent, Ground: dispute.GroundLegal, EvidenceID: "again"}, at)
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.ExpireSuspension, Actor: system}, at.AddDate(0, 5, 0))
	evs = h.do(dispute.Command{Action: dispute.ExpireSuspension, Actor: system}, at.AddDate(0, 6, 0))
	if h.s.Status != dispute.Review || !strings.Contains(evs[0].Reason, "83(5)") {
		t.Fatalf("resumed: %s %q", h.s.Status, evs[0].Reason)
	}
	// No voucher: the deadline resumes the case (art. 83(2)).
	h = inReview(t)
	h.do(legal, t0)
	evs = h.do(dispute.Command{Action: dispute.ExpireSuspension, Actor: system}, due)
	if h.s.Status != dispute.Review || !strings.Contains(evs[0].Reason, "83(2)") || h.s.SLADueAt.Before(t0.Add(72*time.Hour+9*24*time.Hour)) {
		t.Fatalf("resumed without a voucher: %s %q %v", h.s.Status, evs[0].Reason, h.s.SLADueAt)
	}
	// An agent resumes a court case on an effective judgment.
	h = inReview(t)
	court := legal
	court.Forum = "court"
	h.do(court, t0)
	h.do(dispute.Command{Action: dispute.Suspend, Actor: agent, Ground: dispute.GroundLegal, EvidenceID: "ev-court"}, t0)
	if h.s.Suspension.ResumeAt != nil {
		t.Fatalf("a court case with its voucher has a resume time: %v", h.s.Suspension.ResumeAt)
	}
	h.do(dispute.Command{Action: dispute.Resume, Actor: agent, Reason: "判决已生效"}, t0.Add(40*24*time.Hour))
	if h.s.Status != dispute.Review {
		t.Fatalf("after resume: %s", h.s.Status)
	}
}
