package dispute_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

var (
	buyer  = dispute.Actor{Role: dispute.RoleBuyer, ID: "B1"}
	seller = dispute.Actor{Role: dispute.RoleSeller, ID: "S1"}
	agent  = dispute.Actor{Role: dispute.RoleAgent, ID: "key:agent-1"}
	other  = dispute.Actor{Role: dispute.RoleAgent, ID: "key:agent-2"}
	system = dispute.Actor{Role: dispute.RoleSystem, Via: "deadline:x"}
)

// history keeps a case and its events, checking each step replays.
type history struct {
	t      *testing.T
	b      *policy.Book
	s      dispute.State
	events []dispute.Event
}

func (h *history) do(c dispute.Command, at time.Time) []dispute.Event {
	h.t.Helper()
	evs, err := dispute.Decide(h.s, c, h.b, at)
	if err != nil {
		h.t.Fatalf("%s by %s: %v", c.Action, c.Actor.Role, err)
	}
	for i := range evs {
		evs[i].Seq = h.s.Version + 1
		h.s = dispute.Evolve(h.s, evs[i])
		h.events = append(h.events, evs[i])
	}
	if r := dispute.Replay(h.s.ID, h.events); !reflect.DeepEqual(r, h.s) {
		h.t.Fatalf("replay differs after %s:\n%+v\n%+v", c.Action, r, h.s)
	}
	return evs
}

func (h *history) refuse(code fault.Code, c dispute.Command, at time.Time) *fault.Error {
	h.t.Helper()
	_, err := dispute.Decide(h.s, c, h.b, at)
	if !fault.Is(err, code) {
		h.t.Fatalf("%s by %s: %v, want %s", c.Action, c.Actor.Role, err, code)
	}
	fe, _ := err.(*fault.Error)
	return fe
}

// inReview opens a quality case of 10000 fen and takes it to review,
// claimed by agent.
func inReview(t *testing.T) *history {
	h := &history{t: t, b: policy.Default(), s: dispute.State{ID: "K1"}}
	h.do(dispute.Command{Action: dispute.Open, Actor: dispute.Actor{Role: dispute.RoleSystem}, AftersaleID: "A1", OrderID: "T1",
		BuyerID: "B1", SellerID: "S1", Reason: "quality_problem", Claim: 10000, OpenedBy: dispute.Buyer,
		Facts: dispute.OrderFacts{Shipped: true, Received: true, Refundable: 10000}}, t0)
	h.do(dispute.Command{Action: dispute.DoneEvidence, Actor: buyer}, t0)
	h.do(dispute.Command{Action: dispute.DoneEvidence, Actor: seller, SLADueAt: t0.Add(72 * time.Hour)}, t0)
	h.do(dispute.Command{Action: dispute.Claim, Actor: agent}, t0)
	return h
}

func actions(as []dispute.Action) []string {
	var out []string
	for _, a := range as {
		out = append(out, string(a))
	}
	return out
}

func TestAdvanceReturnedJudgesForTheBuyer(t *testing.T) {
	h := inReview(t)
	adv := dispute.Command{Action: dispute.Advance, Actor: agent, Reason: "卖家失联，买家无责", Facts: dispute.OrderFacts{Refundable: 10000}}
	h.refuse(fault.Forbidden, dispute.Command{Action: dispute.Advance, Actor: buyer, Reason: "x", Facts: adv.Facts}, t0)
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.Advance, Actor: other, Reason: "x", Facts: adv.Facts}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.Advance, Actor: agent, Facts: adv.Facts}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.Advance, Actor: agent, Reason: "x", Amount: 10001, Facts: adv.Facts}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.Advance, Actor: agent, Reason: "x", Facts: dispute.OrderFacts{Refundable: 9000}}, t0)
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.ResolveAdvance, Actor: agent, Reason: "x", AdvanceOutcome: dispute.AdvanceReturned}, t0)
	if h.s.AdvanceStatus() != dispute.AdvanceNone {
		t.Fatalf("advance_status before: %d", h.s.AdvanceStatus())
	}
	evs := h.do(adv, t0.Add(time.Hour))
	if evs[0].Type != dispute.EvAdvanced || !slices.Contains(evs[0].RuleIDs, dispute.RuleAdvance) {
		t.Fatalf("advance event %+v", evs[0])
	}
	if h.s.AdvanceStatus() != dispute.AdvancePaid || h.s.Advance.Amount != 10000 || h.s.Status != dispute.Review {
		t.Fatalf("after the advance: %+v", h.s.Advance)
	}
	if got := actions(dispute.Allowed(h.s)); !slices.Equal(got, []string{"add-evidence", "assess-evidence", "release", "reassign", "extend", "resolve-advance"}) {
		t.Fatalf("allowed with an open advance: %v", got)
	}
	// Neither a judgment, a second advance, a withdrawal nor a suspension while it is open.
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.Judge, Actor: agent, Outcome: dispute.RefundFull, Fault: dispute.SellerFault, Reason: "x", RuleIDs: []string{"taobao-dispute-65"}}, t0)
	h.refuse(fault.Conflict, adv, t0)
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.Withdraw, Actor: buyer}, t0)
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.Suspend, Actor: buyer}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.ResolveAdvance, Actor: agent, Reason: "x", AdvanceOutcome: "lost"}, t0)
	h.refuse(fault.Invalid, dispute.Command{Action: dispute.ResolveAdvance, Actor: agent, AdvanceOutcome: dispute.AdvanceReturned}, t0)

	at := t0.Add(48 * time.Hour)
	evs = h.do(dispute.Command{Action: dispute.ResolveAdvance, Actor: agent, Reason: "卖家已签收退货", AdvanceOutcome: dispute.AdvanceReturned,
		RuleIDs: []string{"taobao-dispute-81"}}, at)
	if len(evs) != 2 || evs[0].Type != dispute.EvAdvanceClosed || evs[1].Type != dispute.EvJudged {
		t.Fatalf("resolution events %v", evs)
	}
	j := h.s.Judgment
	if h.s.Status != dispute.Judged || h.s.AdvanceStatus() != dispute.AdvanceSettled || h.s.Advance.Outcome != "returned" ||
		j.Outcome != dispute.RefundFull || j.Amount != 10000 || j.FreightPayer != dispute.Seller ||
		!slices.Contains(j.RuleIDs, "taobao-dispute-81") || !slices.Contains(j.RuleIDs, "taobao-dispute-86") {
		t.Fatalf("after the return: %+v %+v", h.s.Advance, j)
	}
	if k, d := h.s.Deadline(); k != "appeal_window" || !d.DueAt.Equal(at.Add(7*24*time.Hour)) {
		t.Fatalf("deadline %s %+v", k, d)
	}
}

func TestAdvanceKeptReleasesToTheSeller(t *testing.T) {
	h := inReview(t)
	h.do(dispute.Command{Action: dispute.Advance, Actor: agent, Amount: 6000, Reason: "卖家不配合", Facts: dispute.OrderFacts{Refundable: 10000}}, t0)
	h.do(dispute.Command{Action: dispute.ResolveAdvance, Actor: agent, Reason: "买家确认不退货", AdvanceOutcome: dispute.AdvanceKept}, t0)
	if h.s.AdvanceStatus() != dispute.AdvanceClosed || h.s.Judgment.Outcome != dispute.ReleaseToSeller || h.s.Judgment.Amount != 0 || h.s.Judgment.Fault != dispute.BuyerFault {
		t.Fatalf("after the buyer kept the goods: %+v %+v", h.s.Advance, h.s.Judgment)
	}
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.ResolveAdvance, Actor: agent, Reason: "x", AdvanceOutcome: dispute.AdvanceKept}, t0)
}

func TestSuspensionNeedsBothPartiesAndResumesByItself(t *testing.T) {
	h := &history{t: t, b: policy.Default(), s: dispute.State{ID: "K2"}}
	h.do(dispute.Command{Action: dispute.Open, Actor: dispute.Actor{Role: dispute.RoleSystem}, AftersaleID: "A2", OrderID: "T2",
		BuyerID: "B1", SellerID: "S1", Reason: "not_received", Claim: 5000, OpenedBy: dispute.Buyer, Facts: dispute.OrderFacts{Shipped: true}}, t0)
	due := h.s.Windows[0].DueAt
	h.refuse(fault.Forbidden, dispute.Command{Action: dispute.Suspend, Actor: agent}, t0)
	h.do(dispute.Command{Action: dispute.Suspend, Actor: buyer, Reason: "双方协商中"}, t0.Add(time.Hour))
	if h.s.Status != dispute.Evidence || parties(h.s.Suspension.Requested) != "buyer" {
		t.Fatalf("one party asked: %s %+v", h.s.Status, h.s.Suspension)
	}
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.Suspend, Actor: buyer}, t0)
	at := t0.Add(2 * time.Hour)
	evs := h.do(dispute.Command{Action: dispute.Suspend, Actor: seller}, at)
	if len(evs) != 2 || evs[1].Type != dispute.EvSuspended || !slices.Contains(evs[1].RuleIDs, "taobao-dispute-82") {
		t.Fatalf("suspension events %+v", evs)
	}
	k, d := h.s.Deadline()
	if h.s.Status != dispute.Suspended || k != "suspension" || d.OnExpiry != "resume" || !d.DueAt.Equal(at.Add(30*24*time.Hour)) || d.RuleID != "taobao-dispute-83" {
		t.Fatalf("suspended: %s %s %+v", h.s.Status, k, d)
	}
	if got := actions(dispute.Allowed(h.s)); !slices.Equal(got, []string{"resume", "withdraw"}) {
		t.Fatalf("allowed while suspended: %v", got)
	}
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.AddEvidence, Actor: buyer, EvidenceID: "ev-1"}, at)
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.ExpireWindow, Actor: system}, due.Add(time.Hour))
	h.refuse(fault.Conflict, dispute.Command{Action: dispute.ExpireSuspension, Actor: system}, d.DueAt.Add(-time.Second))
	h.refuse(fault.Forbidden, dispute.Command{Action: dispute.ExpireSuspension, Actor: agent}, d.DueAt)
	evs = h.do(dispute.Command{Action: dispute.ExpireSuspension, Actor: system}, d.DueAt)
	if evs[0].Type != dispute.EvResumed || !slices.Contains(evs[0].RuleIDs, "taobao-dispute-83") {
		t.Fatalf("resume event %+v", evs[0])
	}
	// Back to evidence, the windows moved by the 30 days held.
	if h.s.Status != dispute.Evidence || h.s.Suspension != nil || !h.s.Windows[0].DueAt.Equal(due.Add(30*24*time.Hour)) {
		t.Fatalf("resumed: %s %+v", h.s.Status, h.s.Windows)
	}
	// Suspended again, then the parties settle: the buyer withdraws.
	h.do(dispute.Command{Action: dispute.Suspend, Actor: seller}, d.DueAt)
	h.do(dispute.Command{Action: dispute.Suspend, Actor: buyer}, d.DueAt)
	h.refuse(fault.Forbidden, dispute.Command{Action: dispute.Resume, Actor: agent}, d.DueAt)
	h.do(dispute.Command{Action: dispute.Resume, Actor: seller, Reason: "协商失败"}, d.DueAt.Add(time.Hour))
	if h.s.Status != dispute.Evidence {
		t.Fatalf("resumed by the seller: %s", h.s.Status)
	}
	h.do(dispute.Command{Action: dispute.Suspend, Actor: seller}, d.DueAt)
	h.do(dispute.Command{Action: dispute.Suspend, Actor: buyer}, d.DueAt)
	h.do(dispute.Command{Action: dispute.Withdraw, Actor: buyer, Reason: "已协商解决"}, d.DueAt)
	if h.s.Status != dispute.Withdrawn || h.s.Suspension != nil {
		t.Fatalf("withdrawn: %s %+v", h.s.Status, h.s.Suspension)
	}
}

func TestSuspensionInReviewPausesTheSLA(t *testing.T) {
	h := inReview(t)
	sla := *h.s.SLADueAt
	h.do(dispute.Command{Action: dispute.Suspend, Actor: seller}, t0)
	h.do(dispute.Command{Action: dispute.Suspend, Actor: buyer}, t0)
	h.do(dispute.Command{Action: dispute.Resume, Actor: buyer}, t0.Add(5*24*time.Hour))
	if h.s.Status != dispute.Review || !h.s.SLADueAt.Equal(sla.Add(5*24*time.Hour)) || h.s.Assignee != agent.ID {
		t.Fatalf("resumed review: %s %v %q", h.s.Status, h.s.SLADueAt, h.s.Assignee)
	}
}

func TestCompensationFromTheDeposit(t *testing.T) {
	h := inReview(t)
	judge := dispute.Command{Action: dispute.Judge, Actor: agent, Outcome: dispute.RefundFull, Fault: dispute.BuyerFault, Reason: "x",
		RuleIDs: []string{"taobao-dispute-65"}, Compensation: 500}
	h.refuse(fault.Invalid, judge, t0)
	judge.Fault, judge.Compensation = dispute.SellerFault, -1
	h.refuse(fault.Invalid, judge, t0)
	judge.Compensation = 500
	h.do(judge, t0)
	if j := h.s.Judgment; j.Compensation != 500 || !slices.Contains(j.RuleIDs, "taobao-dispute-86") {
		t.Fatalf("judgment %+v", j)
	}
}

func TestEveryEventTypeIsListed(t *testing.T) {
	for _, e := range []dispute.EventType{dispute.EvAdvanced, dispute.EvAdvanceClosed, dispute.EvSuspendAsked, dispute.EvSuspended, dispute.EvResumed, dispute.EvOpened} {
		if !slices.Contains(dispute.EventTypes, e) {
			t.Errorf("EventTypes lacks %s", e)
		}
	}
}

func parties(ps []dispute.Party) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}
