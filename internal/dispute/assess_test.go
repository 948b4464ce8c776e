package dispute_test

import (
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

// TestAssessEvidence: only the agent holding the case in review marks its
// evidence, only pieces of the case, accepted or rejected (a rejection with
// its reason, art. 9 cited); marking again replaces the verdict, and the
// state replays.
func TestAssessEvidence(t *testing.T) {
	h := &history{t: t, b: policy.Default(), s: dispute.State{ID: "K1"}}
	h.do(dispute.Command{Action: dispute.Open, Actor: dispute.Actor{Role: dispute.RoleSystem}, AftersaleID: "A1", OrderID: "T1",
		BuyerID: "B1", SellerID: "S1", Reason: "quality_problem", Claim: 10000, OpenedBy: dispute.Buyer,
		Facts: dispute.OrderFacts{Shipped: true, Received: true, Refundable: 10000}}, t0)
	h.do(dispute.Command{Action: dispute.AddEvidence, Actor: buyer, EvidenceID: "E1"}, t0)
	h.do(dispute.Command{Action: dispute.AddEvidence, Actor: seller, EvidenceID: "E2"}, t0)
	assess := func(who dispute.Actor, id, verdict, reason string) dispute.Command {
		return dispute.Command{Action: dispute.AssessEvidence, Actor: who, EvidenceID: id, Verdict: verdict, Reason: reason}
	}
	// not while the parties still give evidence
	h.refuse(fault.Conflict, assess(agent, "E1", dispute.VerdictAccepted, ""), t0)
	h.do(dispute.Command{Action: dispute.DoneEvidence, Actor: buyer}, t0)
	h.do(dispute.Command{Action: dispute.DoneEvidence, Actor: seller, SLADueAt: t0.Add(72 * time.Hour)}, t0)
	h.refuse(fault.Conflict, assess(agent, "E1", dispute.VerdictAccepted, ""), t0) // not claimed yet
	h.do(dispute.Command{Action: dispute.Claim, Actor: agent}, t0)

	h.refuse(fault.Forbidden, assess(buyer, "E1", dispute.VerdictAccepted, ""), t0)
	h.refuse(fault.Conflict, assess(other, "E1", dispute.VerdictAccepted, ""), t0) // not the holder
	for field, c := range map[string]dispute.Command{
		"evidence_id": assess(agent, "E9", dispute.VerdictAccepted, ""),
		"verdict":     assess(agent, "E1", "maybe", ""),
		"reason":      assess(agent, "E2", dispute.VerdictRejected, "  "),
	} {
		if fe := h.refuse(fault.Invalid, c, t0); fe.Field != field {
			t.Errorf("%+v refused naming %q, want %q", c, fe.Field, field)
		}
	}
	evs := h.do(assess(agent, "E1", dispute.VerdictAccepted, ""), t0)
	if len(evs) != 1 || evs[0].Type != dispute.EvEvidenceAssessed || len(evs[0].RuleIDs) != 1 || evs[0].RuleIDs[0] != dispute.RuleEvidenceWeighed {
		t.Fatalf("events %+v", evs)
	}
	h.do(assess(agent, "E2", dispute.VerdictRejected, "聊天截图无法核实来源"), t0.Add(time.Minute))
	h.do(assess(agent, "E2", dispute.VerdictAccepted, ""), t0.Add(2*time.Minute)) // changed its mind
	if len(h.s.Assessments) != 2 {
		t.Fatalf("assessments %+v", h.s.Assessments)
	}
	if a, ok := h.s.AssessmentOf("E2"); !ok || a.Verdict != dispute.VerdictAccepted || a.Reason != "" || a.By != agent.ID || !a.At.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("E2 %+v", a)
	}
	if _, ok := h.s.AssessmentOf("E9"); ok {
		t.Error("an assessment of a piece never assessed")
	}
	// A piece of the negotiation (the request's chain, not the case's) is
	// assessed when the caller found it there.
	neg := assess(agent, "N1", dispute.VerdictRejected, "照片拍摄时间晚于发货")
	h.refuse(fault.Invalid, neg, t0)
	neg.InChain = true
	h.do(neg, t0.Add(3*time.Minute))
	if a, ok := h.s.AssessmentOf("N1"); !ok || a.Verdict != dispute.VerdictRejected || len(h.s.EvidenceIDs) != 2 {
		t.Errorf("negotiation piece %+v, case chain %v", a, h.s.EvidenceIDs)
	}
}
