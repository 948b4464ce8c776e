package service_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// TestPropertyCaseMoney drives random interleavings of case actions
// through the service — judgments (with compensation), advances and their
// resolution, appeals, suspensions, completion of the order, clock advances
// with the deadline worker — and checks after every step that the ledger
// check passes (every transaction balances, no account below its floor,
// per order paid = released + refunded + recovered + escrow + frozen), that
// the buyer never gets back more than it paid (compensation aside), that a
// refused action changes nothing, and that the stored case replays from its
// events.
func TestPropertyCaseMoney(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		svc, clk := open(t, eng.URL(t))
		ctx := context.Background()
		admin := service.Caller{Role: actor.Admin, Via: "key:admin"}
		if _, err := svc.TopUp(ctx, admin, ledger.GuaranteeFund(), 300_000, "capital"); err != nil {
			t.Fatal(err)
		}
		agent := service.Caller{Role: actor.Agent, Via: "key:agent"}
		senior := service.Caller{Role: actor.Senior, Via: "key:senior"}
		n := 0
		done := map[dispute.Action]int{}
		overturns := 0
		rapid.Check(t, func(rt *rapid.T) {
			n++
			oid := fmt.Sprintf("P%d", n)
			seller := fmt.Sprintf("S%d", n%3)
			buyer := service.Caller{Role: actor.Buyer, PartyID: "B" + oid}
			sell := service.Caller{Role: actor.Seller, PartyID: seller}
			paid := money.Fen(rapid.Int64Range(100, 100000).Draw(rt, "paid"))
			if dep := rapid.Int64Range(0, 20000).Draw(rt, "deposit"); dep > 0 {
				if _, err := svc.TopUp(ctx, admin, ledger.SellerDeposit(seller), money.Fen(dep), ""); err != nil {
					rt.Fatal(err)
				}
			}
			if _, err := svc.PutOrder(ctx, integ, oid, order.Facts{BuyerID: buyer.PartyID, SellerID: seller, Amount: paid}); err != nil {
				rt.Fatal(err)
			}
			now := clk.Now()
			for _, f := range []order.Fact{{Type: "paid", At: now.Add(-3 * time.Hour)}, {Type: "shipped", At: now.Add(-2 * time.Hour), Carrier: "SF", TrackingNo: "1"}, {Type: "delivered", At: now.Add(-time.Hour)}} {
				if _, err := svc.RecordOrderFact(ctx, integ, oid, f); err != nil {
					rt.Fatal(err)
				}
			}
			claim := money.Fen(rapid.Int64Range(1, int64(paid)).Draw(rt, "claim"))
			req, err := svc.CreateAftersale(ctx, buyer, oid, aftersale.Command{Type: aftersale.RefundOnly, Reason: rapid.SampledFrom([]aftersale.Reason{
				aftersale.QualityProblem, aftersale.NotReceived, aftersale.Counterfeit, aftersale.NotAsDescribed}).Draw(rt, "reason"), Amount: claim})
			if err != nil {
				rt.Fatal(err)
			}
			if _, err := svc.Act(ctx, sell, req.ID, aftersale.Command{Action: aftersale.Refuse, ReasonCode: "goods_intact", Note: "不同意", Evidence: []string{"ev"}}); err != nil {
				rt.Fatal(err)
			}
			if _, err := svc.Act(ctx, buyer, req.ID, aftersale.Command{Action: aftersale.Escalate}); err != nil {
				rt.Fatal(err)
			}
			var id string
			cases, err := svc.ListDisputes(ctx, buyer, store.DisputeFilter{Limit: 10})
			for _, c := range cases {
				if c.AftersaleID == req.ID {
					id = c.ID
				}
			}
			if err != nil || id == "" {
				rt.Fatalf("no case: %v", err)
			}
			staff := agent
			if cur, _ := storeOf(svc).GetDispute(ctx, id); cur.Senior {
				staff = senior
			}
			steps := rapid.IntRange(1, 25).Draw(rt, "steps")
			for step := 0; step < steps; step++ {
				before, err := storeOf(svc).GetDispute(ctx, id)
				if err != nil {
					rt.Fatal(err)
				}
				var cmd dispute.Command
				who := staff
				op := rapid.IntRange(0, 9).Draw(rt, "op")
				// Lean towards what the case waits for, so that resolutions
				// and appeals happen often enough to matter.
				if before.AdvanceStatus() == dispute.AdvancePaid && rapid.Bool().Draw(rt, "resolve_now") {
					op = 4
				}
				if before.Status == dispute.Judged && rapid.Bool().Draw(rt, "appeal_now") {
					op = 5
				}
				if before.Status == dispute.Evidence && rapid.Bool().Draw(rt, "evidence_now") {
					op = 0
				}
				if before.Status == dispute.Appealed && rapid.Bool().Draw(rt, "decide_now") {
					op = 6
				}
				if before.Status == dispute.Review && before.AdvanceStatus() != dispute.AdvancePaid && rapid.IntRange(0, 2).Draw(rt, "judge_now") == 0 {
					op = 2
					if before.Assignee == "" {
						op = 1
					}
				}
				switch op {
				case 0:
					who, cmd = rapid.SampledFrom([]service.Caller{buyer, sell}).Draw(rt, "party"), dispute.Command{Action: dispute.DoneEvidence}
				case 1:
					cmd = dispute.Command{Action: dispute.Claim}
				case 2:
					cmd = drawJudgment(rt, dispute.Judge, claim, "", "判定", "taobao-dispute-65")
				case 3:
					cmd = dispute.Command{Action: dispute.Advance, Reason: "卖家不配合", Amount: money.Fen(rapid.Int64Range(0, int64(claim)).Draw(rt, "advance"))}
				case 4:
					cmd = dispute.Command{Action: dispute.ResolveAdvance, Reason: "结清", AdvanceOutcome: rapid.SampledFrom([]string{dispute.AdvanceReturned, dispute.AdvanceKept}).Draw(rt, "how")}
				case 5:
					who, cmd = rapid.SampledFrom([]service.Caller{buyer, sell}).Draw(rt, "appellant"), dispute.Command{Action: dispute.AppealCase, Reason: "新证据", EvidenceIDs: []string{"new-" + oid}}
				case 6:
					who, cmd = senior, dispute.Command{Action: dispute.DecideAppeal, Uphold: true, Reason: "维持"}
					if before.Assignee == "" {
						cmd.Action = dispute.Claim
					}
					if cmd.Action == dispute.DecideAppeal && rapid.IntRange(0, 2).Draw(rt, "overturn") > 0 {
						// Overturn: any outcome, amount and compensation; the
						// difference is executed (ours-appeal-overturn).
						cmd = drawJudgment(rt, dispute.DecideAppeal, claim, "new_", "改判", "taobao-dispute-66")
					}
				case 7:
					who, cmd = rapid.SampledFrom([]service.Caller{buyer, sell}).Draw(rt, "negotiator"), dispute.Command{Action: rapid.SampledFrom([]dispute.Action{dispute.Suspend, dispute.Resume}).Draw(rt, "sus")}
				case 8:
					if _, err := svc.RecordOrderFact(ctx, integ, oid, order.Fact{Type: "completed", At: clk.Now()}); err != nil && !fault.Is(err, fault.Conflict) && !fault.Is(err, fault.Invalid) {
						rt.Fatalf("complete: %v", err)
					}
				default:
					clk.Advance(time.Duration(rapid.Int64Range(1, 40*24).Draw(rt, "hours")) * time.Hour)
					if _, err := svc.FireDue(ctx, 100); err != nil {
						rt.Fatal(err)
					}
				}
				if cmd.Action != "" {
					if got, err := svc.ActDispute(ctx, who, id, service.DisputeCommand{Command: cmd}); err == nil {
						done[cmd.Action]++
						if cmd.Action == dispute.DecideAppeal && got.Final != nil && got.Final.Revision != nil {
							overturns++
						}
					} else {
						after, _ := storeOf(svc).GetDispute(ctx, id)
						a, _ := json.Marshal(after)
						b, _ := json.Marshal(before)
						if string(a) != string(b) {
							rt.Fatalf("refused %s changed the case: %v", cmd.Action, err)
						}
					}
				}
				checkCase(rt, svc, id, oid, paid)
			}
		})
		// The run is not vacuous: money moved by judgments and advances
		// (each happens several times in a run of 100 cases).
		if done[dispute.Advance] == 0 || done[dispute.Judge]+done[dispute.ResolveAdvance] == 0 || done[dispute.Suspend] == 0 || overturns == 0 {
			t.Errorf("too few actions succeeded in %d cases: %v, %d overturns", n, done, overturns)
		}
		t.Logf("%d cases, actions that succeeded: %v, %d overturns", n, done, overturns)
	})
}

func checkCase(t *rapid.T, svc *service.Service, id, oid string, paid money.Fen) {
	ctx := context.Background()
	rep, err := ledgercheck.Check(ctx, storeOf(svc))
	if err != nil || !rep.OK() {
		t.Fatalf("ledger check: %v %+v", err, rep.First())
	}
	cur, err := storeOf(svc).GetDispute(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	checkReplay(t, svc, service.AggDispute, id, cur, service.DecodeDisputeEvents, dispute.Replay)
	o, err := storeOf(svc).GetOrder(ctx, oid)
	if err != nil {
		t.Fatal(err)
	}
	if o.Refunded > paid {
		t.Fatalf("order %s refunded %s of %s", oid, o.Refunded, paid)
	}
	txs, err := storeOf(svc).OrderPostings(ctx, oid)
	if err != nil {
		t.Fatal(err)
	}
	lts := make([]ledger.Transaction, 0, len(txs))
	for _, r := range txs {
		lt, err := r.Transaction()
		if err != nil {
			t.Fatal(err)
		}
		lts = append(lts, lt)
	}
	tot, err := ledger.Reconcile(oid, lts)
	if err != nil {
		t.Fatalf("reconcile %s: %v", oid, err)
	}
	if got := tot.BuyerRefunded(); got > paid {
		t.Fatalf("order %s: the buyer got back %s of %s (%+v)", oid, got, paid, tot)
	}
	// The request follows the money: a final refund judgment is at most
	// what the request refunded (more only when an overturn for the seller
	// left the buyer its refund, the fund making the seller whole), exactly
	// it when the overturn added a refund.
	req, err := storeOf(svc).GetAftersale(ctx, cur.AftersaleID)
	if err != nil {
		t.Fatal(err)
	}
	if f := cur.Final; f != nil && cur.Status == dispute.Final {
		if (f.Outcome == dispute.RefundFull || f.Outcome == dispute.RefundPartial) && req.Refunded < f.Amount {
			t.Fatalf("case %s final %s %s but the request refunded %s", id, f.Outcome, f.Amount, req.Refunded)
		}
		if rev := f.Revision; rev != nil && rev.Refund > 0 && (req.Refunded != f.Amount || req.Status != aftersale.Success) {
			t.Fatalf("case %s overturned to %s %s: request %s refunded %s", id, f.Outcome, f.Amount, req.Status, req.Refunded)
		}
		if f.Outcome == dispute.ReleaseToSeller && req.Refunded == 0 && req.Status.Open() {
			t.Fatalf("case %s final for the seller, the request still %s", id, req.Status)
		}
		if rev := f.Revision; rev != nil && (rev.Restitution+rev.Shortfall < rev.RecoveryClaim || rev.Restitution < 0) {
			t.Fatalf("case %s revision %+v", id, rev)
		}
	}
	if req.Refunded > paid {
		t.Fatalf("request %s refunded %s of %s", req.ID, req.Refunded, paid)
	}
	// An open advance leaves the order's escrow frozen; a resolved one none.
	if cur.AdvanceStatus() != dispute.AdvancePaid && tot.Frozen != 0 {
		t.Fatalf("order %s: %s frozen with advance_status %d", oid, tot.Frozen, cur.AdvanceStatus())
	}
}

// drawJudgment draws a judgment (or an overturn) of a case claiming claim:
// any outcome and fault, a part of the claim for a partial refund, and
// compensation unless the buyer is at fault.
func drawJudgment(rt *rapid.T, action dispute.Action, claim money.Fen, label, reason, rule string) dispute.Command {
	cmd := dispute.Command{Action: action, Outcome: rapid.SampledFrom(dispute.Outcomes).Draw(rt, label+"outcome"),
		Fault:  rapid.SampledFrom([]dispute.Fault{dispute.BuyerFault, dispute.SellerFault, dispute.BothFault}).Draw(rt, label+"fault"),
		Reason: reason, RuleIDs: []string{rule}}
	if cmd.Outcome == dispute.RefundPartial {
		cmd.Amount = money.Fen(rapid.Int64Range(1, max(1, int64(claim)-1)).Draw(rt, label+"part"))
	}
	if cmd.Fault != dispute.BuyerFault {
		cmd.Compensation = money.Fen(rapid.Int64Range(0, 5000).Draw(rt, label+"compensation"))
	}
	return cmd
}
