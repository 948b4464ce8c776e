package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/store"
)

// judgeThenAppeal judges a case in review, has party appeal with new
// evidence and the senior tier claim it.
func judgeThenAppeal(t *testing.T, e *apitest.Env, id, party string, judgment map[string]any) {
	t.Helper()
	if r := disputeAct(e, id, "judge", e.Agent, judgment); r.Status != 200 {
		t.Fatalf("judge: %d %s", r.Status, r.Body)
	}
	key := e.Key(actor.Role(party), map[string]string{"buyer": "B1", "seller": "S1"}[party])
	if r := disputeAct(e, id, "appeal", key, map[string]any{"reason": "补充新证据", "evidence_ids": []string{"new-" + id}}); r.Status != 200 {
		t.Fatalf("appeal: %d %s", r.Status, r.Body)
	}
	if r := disputeAct(e, id, "claim", e.Key("senior_agent", ""), nil); r.Status != 200 {
		t.Fatalf("senior claim: %d %s", r.Status, r.Body)
	}
}

func decide(t *testing.T, e *apitest.Env, id string, body map[string]any) map[string]any {
	t.Helper()
	r := disputeAct(e, id, "decide-appeal", e.Key("senior_agent", ""), body)
	if r.Status != 200 || r.Str("status") != "FINAL" {
		t.Fatalf("decide-appeal: %d %s", r.Status, r.Body)
	}
	return r.JSON()
}

func revisionOf(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	f, _ := v["final_judgment"].(map[string]any)
	rev, _ := f["revision"].(map[string]any)
	if rev == nil {
		t.Fatalf("no revision on the final judgment: %v", v["final_judgment"])
	}
	return rev
}

func aftersaleOf(e *apitest.Env, as string) map[string]any {
	e.T.Helper()
	return e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as, Key: e.Integration}).JSON()
}

func aftersaleEventTypes(e *apitest.Env, as string) []string {
	e.T.Helper()
	var out []string
	for _, x := range e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as + "/events", Key: e.Integration}).JSON()["items"].([]any) {
		out = append(out, x.(map[string]any)["type"].(string))
	}
	return out
}

// withdrawSeller simulates the seller paying out part of its released money
// (there is no API for it: the marketplace's payment provider does it).
func withdrawSeller(t *testing.T, e *apitest.Env, seller string, amount money.Fen) {
	t.Helper()
	tx, err := ledger.Withdraw(ledger.Meta{ID: "test-withdraw:" + seller + fmt.Sprint(amount), At: e.Clock.Now()}, ledger.SellerAvailable(seller), amount)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.InTx(context.Background(), func(x *store.Tx) error { return x.PostTransaction(context.Background(), tx) }); err != nil {
		t.Fatal(err)
	}
}

var (
	forSeller = map[string]any{"outcome": "release_to_seller", "fault": "buyer", "reason": "买家未举证", "rule_ids": []string{"taobao-dispute-65"}}
	forBuyer  = map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "卖家未提供进货凭证", "rule_ids": []string{"taobao-dispute-66"}}
)

// SPEC §6 with art. 85–87: an appeal that overturns an executed judgment
// for the seller refunds the buyer — from the escrow while the order is
// not completed; after completion from the seller's available balance,
// then its deposit (art. 86), the rest a recorded shortfall (art. 87).
func TestAppealOverturnRefundsTheBuyer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		// Not completed: the escrow still holds the money.
		as, id := caseOf(e, "OV1", 9000, "quality_problem", true)
		judgeThenAppeal(t, e, id, "buyer", forSeller)
		if a := aftersaleOf(e, as); a["status"] != "CLOSED" || balanceOf(e, "escrow:OV1") != 9000 {
			t.Fatalf("after the first judgment: %v escrow %v", a["status"], balanceOf(e, "escrow:OV1"))
		}
		v := decide(t, e, id, forBuyer)
		rev := revisionOf(t, v)
		if rev["previous_outcome"] != "release_to_seller" || rev["refund"] != float64(9000) || rev["shortfall"] != float64(0) || rev["restitution"] != float64(0) {
			t.Fatalf("revision %v", rev)
		}
		if !strings.Contains(fmt.Sprint(v["final_judgment"].(map[string]any)["rule_ids"]), "ours-appeal-overturn") {
			t.Fatalf("rules %v", v["final_judgment"])
		}
		if p, esc := balanceOf(e, "buyer_payout:B1"), balanceOf(e, "escrow:OV1"); p != 9000 || esc != 0 {
			t.Fatalf("payout %v escrow %v", p, esc)
		}
		a := aftersaleOf(e, as)
		if a["status"] != "SUCCESS" || a["refunded"] != float64(9000) || !slices.Contains(aftersaleEventTypes(e, as), "judgment_revised") {
			t.Fatalf("request after the overturn: %v %v", a["status"], a["refunded"])
		}
		if o := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/OV1", Key: e.Integration}).JSON(); o["refunded"] != float64(9000) {
			t.Fatalf("order refunded %v", o["refunded"])
		}
		// The event states the rule applied.
		evs := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id + "/events", Key: e.Agent}).JSON()["items"].([]any)
		last := evs[len(evs)-1].(map[string]any)
		if last["type"] != "appeal_decided" || !strings.Contains(last["reason"].(string), "第八十六条") {
			t.Fatalf("last event %v", last)
		}
		checkLedger(t, e)

		// Completed and mostly paid out: available 4000, deposit 3000, short 2000.
		as2, id2 := caseOf(e, "OV2", 9000, "quality_problem", true)
		judgeThenAppeal(t, e, id2, "buyer", forSeller)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/OV2/events", Key: e.Integration, Body: map[string]any{"type": "completed", "at": e.Clock.Now()}})
		withdrawSeller(t, e, "S1", 5000)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: e.Integration, Body: map[string]any{"amount": 3000}})
		before := balanceOf(e, "buyer_payout:B1")
		rev = revisionOf(t, decide(t, e, id2, forBuyer))
		if rev["refund"] != float64(9000) || rev["shortfall"] != float64(2000) {
			t.Fatalf("revision %v", rev)
		}
		if p, avail, dep := balanceOf(e, "buyer_payout:B1")-before, balanceOf(e, "seller_available:S1"), balanceOf(e, "seller_deposit:S1"); p != 7000 || avail != 0 || dep != 0 {
			t.Fatalf("paid %v available %v deposit %v", p, avail, dep)
		}
		if a := aftersaleOf(e, as2); a["status"] != "SUCCESS" || a["refunded"] != float64(9000) {
			t.Fatalf("request %v %v", a["status"], a["refunded"])
		}
		checkLedger(t, e)
	})
}

// An appeal that overturns an executed refund for the seller: the
// guarantee fund pays the seller back what the judgment took (the refund
// and the compensation from its deposit), the buyer is not debited, and the
// recovery from the buyer is recorded as a claim; when the fund is empty
// the seller's loss is a recorded shortfall (art. 87).
func TestAppealOverturnForTheSeller(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: e.Integration, Body: map[string]any{"amount": 5000}})
		topUpFund(e, 100000)
		as, id := caseOf(e, "OS1", 9000, "counterfeit", true)
		j := map[string]any{"compensation": 1000}
		for k, v := range forBuyer {
			j[k] = v
		}
		judgeThenAppeal(t, e, id, "seller", j)
		if p, dep := balanceOf(e, "buyer_payout:B1"), balanceOf(e, "seller_deposit:S1"); p != 10000 || dep != 4000 {
			t.Fatalf("after the first judgment: payout %v deposit %v", p, dep)
		}
		v := decide(t, e, id, forSeller)
		rev := revisionOf(t, v)
		if rev["previous_outcome"] != "refund_full" || rev["restitution"] != float64(10000) || rev["recovery_claim"] != float64(10000) || rev["refund"] != float64(0) || rev["shortfall"] != float64(0) {
			t.Fatalf("revision %v", rev)
		}
		if !strings.Contains(rev["rule"].(string), "不强制") {
			t.Fatalf("rule text %v", rev["rule"])
		}
		// The seller is whole: 9000 available (the escrow the refund took), the deposit back to 5000;
		// the buyer keeps what it was paid; the fund bears the 10000.
		if avail, dep, p, fund := balanceOf(e, "seller_available:S1"), balanceOf(e, "seller_deposit:S1"), balanceOf(e, "buyer_payout:B1"), balanceOf(e, "guarantee_fund"); avail != 9000 || dep != 5000 || p != 10000 || fund != 90000 {
			t.Fatalf("available %v deposit %v payout %v fund %v", avail, dep, p, fund)
		}
		// The request follows the money: the buyer was refunded 9000 and keeps it.
		if a := aftersaleOf(e, as); a["status"] != "SUCCESS" || a["refunded"] != float64(9000) || !slices.Contains(aftersaleEventTypes(e, as), "judgment_revised") {
			t.Fatalf("request %v %v", a["status"], a["refunded"])
		}
		checkLedger(t, e)

		// A larger overturn empties the fund; then the restitution is a shortfall, recorded.
		_, id2 := caseOf(e, "OS2", 95000, "quality_problem", true)
		judgeThenAppeal(t, e, id2, "seller", forBuyer)
		rev = revisionOf(t, decide(t, e, id2, map[string]any{"outcome": "refund_partial", "amount": 5000, "fault": "both", "reason": "双方均有责任", "rule_ids": []string{"taobao-dispute-49"}}))
		if rev["restitution"] != float64(90000) || rev["recovery_claim"] != float64(90000) || rev["shortfall"] != float64(0) {
			t.Fatalf("revision %v", rev)
		}
		_, id3 := caseOf(e, "OS3", 4000, "quality_problem", true)
		judgeThenAppeal(t, e, id3, "seller", forBuyer)
		v = decide(t, e, id3, forSeller)
		if rev := revisionOf(t, v); rev["restitution"] != float64(0) || rev["shortfall"] != float64(4000) || rev["recovery_claim"] != float64(4000) ||
			!strings.Contains(fmt.Sprint(v["final_judgment"].(map[string]any)["rule_ids"]), "taobao-dispute-87") {
			t.Fatalf("revision with an empty fund %v", v["final_judgment"])
		}
		checkLedger(t, e)
	})
}

// Overturns that move the request without money: a pending return judged
// away (the request closes), a release turned into return-then-refund (the
// request waits for the goods), and a refund cannot become a return.
func TestAppealOverturnMovesTheRequest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ret := map[string]any{"outcome": "return_then_refund", "fault": "seller", "reason": "退货后退款", "rule_ids": []string{"taobao-dispute-77"}}
		as, id := caseOf(e, "OR1", 6000, "not_as_described", true)
		judgeThenAppeal(t, e, id, "seller", ret)
		if a := aftersaleOf(e, as); a["status"] != "WAIT_BUYER_RETURN_GOODS" || a["deadline"] == nil {
			t.Fatalf("after return_then_refund: %v", a)
		}
		decide(t, e, id, forSeller)
		if a := aftersaleOf(e, as); a["status"] != "CLOSED" || a["deadline"] != nil || a["refunded"] != float64(0) {
			t.Fatalf("return judged away: %v", a)
		}

		as2, id2 := caseOf(e, "OR2", 6000, "not_as_described", true)
		judgeThenAppeal(t, e, id2, "buyer", forSeller)
		decide(t, e, id2, ret)
		if a := aftersaleOf(e, as2); a["status"] != "WAIT_BUYER_RETURN_GOODS" || a["deadline"] == nil || a["type"] != "return_and_refund" {
			t.Fatalf("release turned into a return: %v", a)
		}
		// The buyer returns the goods and the seller confirms: refunded through the request.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as2 + "/ship-return", Key: e.Key("buyer", "B1"), Body: map[string]any{"carrier": "SF", "tracking_no": "SF1"}})
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as2 + "/confirm-return", Key: e.Key("seller", "S1")})
		if a := aftersaleOf(e, as2); a["status"] != "SUCCESS" || a["refunded"] != float64(6000) || balanceOf(e, "escrow:OR2") != 0 {
			t.Fatalf("after the return: %v", a)
		}

		_, id3 := caseOf(e, "OR3", 6000, "not_as_described", true)
		judgeThenAppeal(t, e, id3, "seller", forBuyer)
		if r := disputeAct(e, id3, "decide-appeal", e.Key("senior_agent", ""), ret); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"outcome"`) {
			t.Fatalf("refund turned into a return: %d %s", r.Status, r.Body)
		}
		checkLedger(t, e)
	})
}

func init() { conformanceParts["overturn"] = runOverturnConformance }

// runOverturnConformance: an appeal overturn with compensation in the
// request, the revised request's history, the order's reconciliation with
// the new totals, and a suspension on legal proceedings with its voucher.
func runOverturnConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	senior := e.Key("senior_agent", "")
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/guarantee_fund/top-up", Key: e.Admin, Body: map[string]any{"amount": 50000}})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: e.Integration, Body: map[string]any{"amount": 5000}})
	as, id := caseOf(e, "CF-OV1", 6000, "quality_problem", true)
	judgeThenAppeal(t, e, id, "buyer", forSeller)
	v := o.must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/decide-appeal", Key: senior, Body: map[string]any{"outcome": "refund_full", "fault": "seller",
		"reason": "新证据证明质量问题", "rule_ids": []string{"taobao-dispute-65"}, "compensation": 500}}).JSON()
	if rev := revisionOf(t, v); rev["refund"] != float64(6000) || rev["compensation"] != float64(500) {
		t.Errorf("overturn revision %v", rev)
	}
	evs := o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as + "/events", Key: e.Integration}).JSON()["items"].([]any)
	if last := evs[len(evs)-1].(map[string]any); last["type"] != "judgment_revised" {
		t.Errorf("request history ends with %v", last["type"])
	}
	led := o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/CF-OV1/ledger", Key: e.Admin}).JSON()
	if !strings.Contains(fmt.Sprint(led), "refunded_from_deposit") {
		t.Errorf("order ledger %v", led)
	}

	_, id2 := caseOf(e, "CF-LP1", 6000, "quality_problem", true)
	v = o.must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/suspend", Key: e.Agent,
		Body: map[string]any{"ground": "legal_proceedings", "party": "seller", "forum": "arbitration", "reason": "卖家称已申请仲裁"}}).JSON()
	if v["status"] != "SUSPENDED" || fmt.Sprint(v["allowed_actions"]) != "[suspend resume withdraw]" {
		t.Errorf("legal suspension %v", v)
	}
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/suspend", Key: e.Agent, Body: map[string]any{"ground": "legal_proceedings", "evidence_id": "ev-arb", "reason": "仲裁受理通知"}})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/resume", Key: e.Agent, Body: map[string]any{"reason": "仲裁裁决已生效"}})
	checkLedger(t, e)
}
