package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/ledgercheck"
)

func TestInterventionCaseEndToEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		agent, senior := e.Key("agent", ""), e.Key("senior_agent", "")
		as := refundOnly(e, "T1", 19900, apitest.Delivered, "quality_problem")
		// Evidence in the request's chain before the case opens: the
		// buyer's own photo, the seller's voucher, and the buyer's photo
		// on another request of theirs.
		photo := upload(e, buyer, as, "开线", "p.png", pngBytes(t, 3, 3), "").Str("id")
		voucher := upload(e, seller, as, "进货凭证", "v.png", pngBytes(t, 4, 3), "").Str("id")
		as2 := refundOnly(e, "T2", 5000, apitest.Delivered, "quality_problem")
		other := upload(e, buyer, as2, "别的", "o.png", pngBytes(t, 3, 4), "").Str("id")
		e.Act(as2, "cancel", buyer, nil) // its deadline goes: the clock moves below
		if photo == "" || voucher == "" || other == "" {
			t.Fatal("uploads failed")
		}
		e.Act(as, "refuse", seller, map[string]any{"reason_code": "goods_intact", "reason": "商品无问题", "evidence": []string{"质检单"}})
		if r := e.Act(as, "escalate", buyer, map[string]any{"reason": "开线严重"}); r.Status != 200 {
			t.Fatalf("escalate: %d %s", r.Status, r.Body)
		}
		list := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes", Key: buyer}).JSON()["items"].([]any)
		if len(list) != 1 {
			t.Fatalf("buyer sees %d cases", len(list))
		}
		c := list[0].(map[string]any)
		id := c["id"].(string)
		path := "/v1/disputes/" + id
		if c["status"] != "EVIDENCE" || c["deadline"].(map[string]any)["kind"] != "evidence_window" || len(c["missing"].([]any)) != 2 {
			t.Fatalf("opened case %v", c)
		}
		// Burden of proof (art. 65): the buyer shows the visible defect first.
		first := c["checklist"].([]any)[0].(map[string]any)
		if first["party"] != "buyer" || first["rule_id"] != "taobao-dispute-65" {
			t.Fatalf("checklist %v", c["checklist"])
		}
		if r := e.Do(apitest.Req{Method: "GET", Path: path, Key: e.Key("buyer", "B2")}); r.Status != 404 {
			t.Fatalf("another buyer sees the case: %d", r.Status)
		}
		act := func(key, action string, body any) apitest.Resp {
			return e.Do(apitest.Req{Method: "POST", Path: path + "/" + action, Key: key, Body: body})
		}
		// An id that names no evidence, the other party's, or another
		// case's is refused (422 naming evidence_id) and ticks nothing.
		for _, id := range []string{"ev-photo-1", voucher, other} {
			r := act(buyer, "add-evidence", map[string]any{"evidence_id": id, "satisfies": []string{"defect_photos"}})
			if r.Status != 422 || problemField(r) != "evidence_id" {
				t.Fatalf("add-evidence %s: %d %s", id, r.Status, r.Body)
			}
		}
		if v := e.Must(200, apitest.Req{Method: "GET", Path: path, Key: buyer}).JSON(); len(v["missing"].([]any)) != 2 || len(v["evidence_ids"].([]any)) != 0 {
			t.Fatalf("refused evidence changed the case: missing %v evidence %v", v["missing"], v["evidence_ids"])
		}
		if r := act(buyer, "add-evidence", map[string]any{"evidence_id": photo, "satisfies": []string{"defect_photos"}}); r.Status != 200 {
			t.Fatalf("add evidence: %d %s", r.Status, r.Body)
		}
		if r := act(buyer, "add-evidence", map[string]any{"evidence_id": "ev-x", "satisfies": []string{"source_vouchers"}}); r.Status != 400 {
			t.Fatalf("claiming the other side's item: %d", r.Status)
		}
		if r := act(agent, "judge", map[string]any{}); r.Status != 409 {
			t.Fatalf("judging during evidence: %d", r.Status)
		}
		act(buyer, "done-evidence", nil)
		// The seller stays silent: its window expires and the case moves on by itself.
		e.Clock.Advance(3*24*time.Hour + time.Minute)
		if st, err := e.Svc.FireDue(ctx, 50); err != nil || st.Fired != 1 {
			t.Fatalf("fire: %+v %v", st, err)
		}
		v := e.Must(200, apitest.Req{Method: "GET", Path: path, Key: agent}).JSON()
		if v["status"] != "REVIEW" || v["sla_due_at"] == nil || len(v["missing"].([]any)) != 1 || v["missing"].([]any)[0].(map[string]any)["party"] != "seller" {
			t.Fatalf("after the window: %v", v)
		}
		if r := act(agent, "judge", map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "x", "rule_ids": []string{"taobao-dispute-66"}}); r.Status != 409 {
			t.Fatalf("judging without claiming: %d", r.Status)
		}
		if r := act(agent, "claim", nil); r.Status != 200 || r.JSON()["assignee"] == "" {
			t.Fatalf("claim: %d %s", r.Status, r.Body)
		}
		if r := act(senior, "claim", nil); r.Status != 409 {
			t.Fatalf("second claim: %d", r.Status)
		}
		if r := act(agent, "judge", map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "卖家未提供进货凭证", "rule_ids": []string{}}); r.Status != 400 {
			t.Fatalf("judgment without rules: %d", r.Status)
		}
		r := act(agent, "judge", map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "买家提供了开线照片，卖家未在举证期内提供进货凭证",
			"rule_ids": []string{"taobao-dispute-65", "taobao-dispute-66"}, "evidence_ids": []string{photo}})
		if r.Status != 200 || r.Str("status") != "JUDGED" {
			t.Fatalf("judge: %d %s", r.Status, r.Body)
		}
		j := r.JSON()["judgment"].(map[string]any)
		if j["freight_payer"] != "seller" || j["amount"].(float64) != 19900 || len(j["missing"].([]any)) != 1 {
			t.Fatalf("judgment %v", j)
		}
		// Executed at once: the request is refunded and the order's refund total moved.
		a := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as, Key: buyer}).JSON()
		if a["status"] != "SUCCESS" || a["refunded"].(float64) != 19900 {
			t.Fatalf("request after judgment: %v", a["status"])
		}
		if o := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T1", Key: e.Integration}).JSON(); o["refunded"].(float64) != 19900 {
			t.Fatalf("order refunded %v", o["refunded"])
		}
		// Appeals: a bare disagreement is refused; new evidence or a procedural error is heard by the senior tier.
		if r := act(seller, "appeal", map[string]any{"reason": "我不同意"}); r.Status != 400 {
			t.Fatalf("bare appeal: %d %s", r.Status, r.Body)
		}
		if r := act(seller, "appeal", map[string]any{"reason": "补充进货凭证", "evidence_ids": []string{"ev-invoice"}}); r.Status != 200 || r.Str("status") != "APPEALED" {
			t.Fatalf("appeal: %d %s", r.Status, r.Body)
		}
		if r := act(buyer, "appeal", map[string]any{"reason": "再申诉", "procedural_error": "x"}); r.Status != 409 {
			t.Fatalf("second appeal: %d", r.Status)
		}
		if r := act(agent, "claim", nil); r.Status != 403 {
			t.Fatalf("an agent claiming an appeal: %d", r.Status)
		}
		act(senior, "claim", nil)
		if r := act(senior, "decide-appeal", map[string]any{"uphold": true, "reason": "进货凭证与商品批次不符，维持原判"}); r.Status != 200 || r.Str("status") != "FINAL" {
			t.Fatalf("decide appeal: %d %s", r.Status, r.Body)
		}
		ev := e.Must(200, apitest.Req{Method: "GET", Path: path + "/events", Key: seller}).JSON()["items"].([]any)
		types := []string{}
		for _, x := range ev {
			types = append(types, x.(map[string]any)["type"].(string))
		}
		want := []string{"opened", "evidence_added", "evidence_closed", "evidence_closed", "moved_to_review", "claimed", "judged", "appealed", "claimed", "appeal_decided"}
		if len(types) != len(want) {
			t.Fatalf("events %v", types)
		}
		for i := range want {
			if types[i] != want[i] {
				t.Fatalf("events %v, want %v", types, want)
			}
		}
	})
}

func TestInterventionSettledOrWithdrawn(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		open := func(oid string) (string, string) {
			e.NewOrder(oid, "B1", "S1", 5000, apitest.Shipped)
			as := e.Aftersale(oid, "B1", map[string]any{"type": "refund_only", "reason": "not_received", "amount": 5000})
			e.Act(as, "refuse", seller, map[string]any{"reason_code": "goods_intact", "reason": "已发货", "evidence": []string{"e"}})
			e.Act(as, "escalate", buyer, nil)
			items := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes?status=EVIDENCE", Key: buyer}).JSON()["items"].([]any)
			for _, it := range items {
				if it.(map[string]any)["aftersale_id"] == as {
					return as, it.(map[string]any)["id"].(string)
				}
			}
			t.Fatal("no case opened")
			return "", ""
		}
		// Not received (art. 38): the seller proves delivery.
		as, id := open("A")
		c := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: buyer}).JSON()
		if it := c["checklist"].([]any)[0].(map[string]any); it["party"] != "seller" || it["rule_id"] != "taobao-dispute-38" {
			t.Fatalf("checklist %v", c["checklist"])
		}
		// The seller gives in: the case is withdrawn as settled.
		e.Act(as, "agree", seller, agreeReturn)
		if s := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: buyer}).Str("status"); s != "WITHDRAWN" {
			t.Fatalf("case after settlement: %s", s)
		}
		// The buyer withdraws the intervention: the request closes.
		as2, id2 := open("B")
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/withdraw", Key: buyer, Body: map[string]any{"reason": "已收到货"}}); r.Status != 200 {
			t.Fatalf("withdraw: %d %s", r.Status, r.Body)
		}
		if s := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as2, Key: buyer}).JSON(); s["status"] != "CLOSED" || s["cs_status"].(float64) != 7 {
			t.Fatalf("request after withdrawal: %v %v", s["status"], s["cs_status"])
		}
		// Judged for the seller, nobody appeals: final after the window.
		as3, id3 := open("C")
		agent := e.Key("agent", "")
		e.Clock.Advance(4 * 24 * time.Hour)
		e.Svc.FireDue(ctx, 50)
		e.Do(apitest.Req{Method: "POST", Path: "/v1/disputes/" + id3 + "/claim", Key: agent})
		r := e.Do(apitest.Req{Method: "POST", Path: "/v1/disputes/" + id3 + "/judge", Key: agent, Body: map[string]any{"outcome": "release_to_seller", "fault": "buyer",
			"reason": "物流显示本人签收", "rule_ids": []string{"taobao-dispute-38"}}})
		if r.Status != 200 {
			t.Fatalf("judge: %d %s", r.Status, r.Body)
		}
		if s := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as3, Key: buyer}).JSON(); s["status"] != "CLOSED" || s["closed_reason"] != "judged_for_seller" {
			t.Fatalf("request after judgment for the seller: %v", s)
		}
		e.Clock.Advance(7*24*time.Hour + time.Minute)
		e.Svc.FireDue(ctx, 50)
		if s := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id3, Key: buyer}).Str("status"); s != "FINAL" {
			t.Fatalf("after the appeal window: %s", s)
		}
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/disputes/" + id3 + "/appeal", Key: buyer, Body: map[string]any{"reason": "晚了", "evidence_ids": []string{"new"}}}); r.Status != 409 {
			t.Fatalf("appeal after final: %d", r.Status)
		}
	})
}

func TestLargeCasesGoToTheSeniorTier(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		as := refundOnly(e, "BIG", 800000, apitest.Delivered, "counterfeit") // ¥8,000 ≥ the ¥5,000 threshold
		e.Act(as, "refuse", seller, map[string]any{"reason_code": "goods_intact", "reason": "正品", "evidence": []string{"授权书"}})
		e.Act(as, "escalate", buyer, nil)
		c := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes", Key: buyer}).JSON()["items"].([]any)[0].(map[string]any)
		if c["senior"] != true {
			t.Fatalf("large case not senior: %v", c["senior"])
		}
		path := "/v1/disputes/" + c["id"].(string)
		e.Do(apitest.Req{Method: "POST", Path: path + "/done-evidence", Key: buyer})
		e.Do(apitest.Req{Method: "POST", Path: path + "/done-evidence", Key: seller})
		if r := e.Do(apitest.Req{Method: "POST", Path: path + "/claim", Key: e.Agent}); r.Status != 403 {
			t.Fatalf("an agent claiming a senior case: %d", r.Status)
		}
		if r := e.Do(apitest.Req{Method: "POST", Path: path + "/claim", Key: e.Key("senior_agent", "")}); r.Status != 200 {
			t.Fatalf("senior claim: %d %s", r.Status, r.Body)
		}
	})
}

func TestLedgerFollowsTheMoney(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		e.NewOrder("L1", "B1", "S1", 10000, apitest.Delivered)
		as := e.Aftersale("L1", "B1", map[string]any{"type": "refund_only", "reason": "not_as_described", "amount": 3000})
		e.Act(as, "agree", seller, agreeReturn)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/L1/events", Key: e.Integration, Body: map[string]any{"type": "completed", "at": e.Clock.Now()}})
		l := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/L1/ledger", Key: buyer}).JSON()
		tot := l["totals"].(map[string]any)
		if l["balanced"] != true || tot["paid"].(float64) != 10000 || tot["refunded"].(float64) != 3000 || tot["released"].(float64) != 7000 {
			t.Fatalf("order ledger %v", l)
		}
		acct := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/seller_available:S1", Key: seller}).JSON()
		if acct["balance"].(float64) != 7000 {
			t.Fatalf("seller account %v", acct)
		}
		if r := e.Do(apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/seller_available:S1", Key: buyer}); r.Status != 404 {
			t.Fatalf("a buyer reading the seller's account: %d", r.Status)
		}
		if b := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/buyer_payout:B1", Key: buyer}).JSON(); b["balance"].(float64) != 3000 {
			t.Fatalf("buyer payouts %v", b["balance"])
		}
	})
}

func TestReviewSLABreachIsFlaggedAndCounted(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		id := notReceivedCase(e, "S1", 5000)
		v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: e.Agent}).JSON()
		due, _ := time.Parse(time.RFC3339Nano, v["sla_due_at"].(string))
		// 3 working days from Monday 2026-03-02 09:00 (Beijing 17:00): Thursday the 5th.
		if want := time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC); !due.Equal(want) || v["sla_breached"] != false {
			t.Fatalf("SLA due %v (want %v), breached %v", due, want, v["sla_breached"])
		}
		metric := func() string {
			body := string(e.Must(200, apitest.Req{Method: "GET", Path: "/metrics", Key: e.Admin}).Body)
			for _, l := range strings.Split(body, "\n") {
				if strings.HasPrefix(l, "weiquan_disputes_sla_breached ") {
					return strings.TrimPrefix(l, "weiquan_disputes_sla_breached ")
				}
			}
			return "missing"
		}
		if m := metric(); m != "0" {
			t.Fatalf("breached before due: %s", m)
		}
		e.Clock.Advance(4 * 24 * time.Hour)
		if v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: e.Agent}).JSON(); v["sla_breached"] != true {
			t.Fatal("breach not flagged on the case")
		}
		if m := metric(); m != "1" {
			t.Fatalf("breach metric %s", m)
		}
	})
}

// caseOf opens a case of B1 against S1 on a delivered order and takes it
// to review, claimed by the agent (when review).
func caseOf(e *apitest.Env, orderID string, amount int64, reason string, review bool) (string, string) {
	e.T.Helper()
	as, id := openCaseAt(e, orderID, amount, reason)
	if review {
		toReview(e, id)
	}
	return as, id
}

// refundOnly puts an order of B1 from S1 for amount in state st and has B1
// ask for a refund of the whole amount for reason; it returns the request.
func refundOnly(e *apitest.Env, orderID string, amount int64, st apitest.OrderState, reason string) string {
	e.T.Helper()
	e.NewOrder(orderID, "B1", "S1", amount, st)
	return e.Aftersale(orderID, "B1", map[string]any{"type": "refund_only", "reason": reason, "amount": amount})
}

// notReceivedCase opens a not-received case of B1 against S1 on a shipped
// order (the seller refuses: shipped, with the waybill) and has both parties
// say they are done with evidence; it returns the case.
func notReceivedCase(e *apitest.Env, orderID string, amount int64) string {
	e.T.Helper()
	buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
	as := refundOnly(e, orderID, amount, apitest.Shipped, "not_received")
	id := e.Escalate(as, buyer, seller, map[string]any{"reason": "已发货", "evidence": []string{"运单"}})
	for _, k := range []string{buyer, seller} {
		e.Do(apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/done-evidence", Key: k})
	}
	return id
}

func disputeAct(e *apitest.Env, id, action, key string, body any) apitest.Resp {
	e.T.Helper()
	return e.Do(apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/" + action, Key: key, Body: body})
}

func checkLedger(t *testing.T, e *apitest.Env) {
	t.Helper()
	rep, err := ledgercheck.Check(context.Background(), e.Store)
	if err != nil || !rep.OK() {
		t.Fatalf("ledger check: %v %+v", err, rep.First())
	}
}

// SPEC §5: the fund pays at once and the escrow is frozen; then the goods
// come back (the seller's money repays the fund) or the buyer keeps them
// (调帐). An empty fund refuses the advance, naming art. 87.
func TestAdvancePayment(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		buyer := e.Key("buyer", "B1")
		as, id := caseOf(e, "AD1", 30000, "quality_problem", true)
		r := disputeAct(e, id, "advance", e.Agent, map[string]any{"reason": "卖家不配合"})
		if r.Status != 409 || r.Str("rule_id") != "taobao-dispute-87" {
			t.Fatalf("advance from an empty fund: %d %s", r.Status, r.Body)
		}
		topUpFund(e, 100000)
		if r := disputeAct(e, id, "advance", e.Key("senior_agent", ""), map[string]any{"reason": "x"}); r.Status != 409 {
			t.Fatalf("advance by an agent who does not hold the case: %d", r.Status)
		}
		v := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/advance", Key: e.Agent, Body: map[string]any{"reason": "卖家不配合，买家无责"}}).JSON()
		if v["advance_status"] != float64(2) || balanceOf(e, "buyer_payout:B1") != 30000 || balanceOf(e, "frozen:AD1") != 30000 || balanceOf(e, "escrow:AD1") != 0 {
			t.Fatalf("after the advance: %v", v)
		}
		// The seller agreeing now would refund again: refused until the advance is resolved.
		if r := e.Act(as, "agree", e.Key("seller", "S1"), agreeReturn); r.Status != 409 {
			t.Fatalf("seller agreeing during an open advance: %d %s", r.Status, r.Body)
		}
		v = e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/resolve-advance", Key: e.Agent,
			Body: map[string]any{"outcome": "returned", "reason": "退货已签收"}}).JSON()
		if v["advance_status"] != float64(5) || v["status"] != "JUDGED" {
			t.Fatalf("after the return: %v", v)
		}
		if balanceOf(e, "guarantee_fund") != 100000 || balanceOf(e, "buyer_payout:B1") != 30000 || balanceOf(e, "frozen:AD1") != 0 {
			t.Fatalf("money after the return: fund %v payout %v", balanceOf(e, "guarantee_fund"), balanceOf(e, "buyer_payout:B1"))
		}
		a := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as, Key: buyer}).JSON()
		o := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/AD1", Key: buyer}).JSON()
		if a["status"] != "SUCCESS" || a["refunded"] != float64(30000) || o["refunded"] != float64(30000) {
			t.Fatalf("request %v order %v", a, o)
		}
		// The refund on the order's history names the advance, not a second payment.
		found := false
		for _, ev := range e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/AD1/events", Key: buyer}).JSON()["items"].([]any) {
			m := ev.(map[string]any)
			if m["type"] == "refunded" {
				found = m["data"].(map[string]any)["ledger_transaction"] == "dispute:"+id+"/advance"
			}
		}
		if !found {
			t.Fatalf("the order's refund does not name the advance")
		}

		// 2b on a second order: the buyer keeps the goods; the seller is paid.
		as2, id2 := caseOf(e, "AD2", 12000, "not_as_described", true)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/advance", Key: e.Agent, Body: map[string]any{"amount": 12000, "reason": "卖家失联"}})
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/resolve-advance", Key: e.Agent, Body: map[string]any{"outcome": "kept", "reason": "买家确认保留商品"}})
		if a := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as2, Key: buyer}).JSON(); a["status"] != "CLOSED" {
			t.Fatalf("request after 2b: %v", a)
		}
		if balanceOf(e, "guarantee_fund") != 100000 || balanceOf(e, "buyer_payout:B1") != 30000 || balanceOf(e, "seller_available:S1") != 12000 {
			t.Fatalf("money after 2b: fund %v payout %v seller %v", balanceOf(e, "guarantee_fund"), balanceOf(e, "buyer_payout:B1"), balanceOf(e, "seller_available:S1"))
		}
		checkLedger(t, e)
	})
}

// Art. 82–83: both parties ask, the case is suspended; it resumes by itself
// after the rule-book 30 days with the evidence windows moved; a withdrawal
// during the suspension closes the request.
func TestNegotiationSuspension(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		_, id := caseOf(e, "SP1", 5000, "not_received", false)
		before := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: buyer}).JSON()
		due, _ := time.Parse(time.RFC3339, before["windows"].([]any)[0].(map[string]any)["due_at"].(string))
		disputeAct(e, id, "suspend", buyer, map[string]any{"reason": "协商中"})
		if r := disputeAct(e, id, "suspend", e.Agent, nil); r.Status != 403 {
			t.Fatalf("an agent suspending: %d", r.Status)
		}
		v := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/suspend", Key: seller}).JSON()
		if v["status"] != "SUSPENDED" {
			t.Fatalf("suspend: %v", v)
		}
		// The evidence windows do not expire while suspended.
		e.Clock.Advance(4 * 24 * time.Hour)
		if _, err := e.Svc.FireDue(ctx, 50); err != nil {
			t.Fatal(err)
		}
		if v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: buyer}).JSON(); v["status"] != "SUSPENDED" {
			t.Fatalf("after 4 days suspended: %v", v["status"])
		}
		e.Clock.Advance(26*24*time.Hour + time.Minute)
		if st, err := e.Svc.FireDue(ctx, 50); err != nil || st.Fired != 1 {
			t.Fatalf("fire at the end of the suspension: %+v %v", st, err)
		}
		v = e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: buyer}).JSON()
		moved, _ := time.Parse(time.RFC3339, v["windows"].([]any)[0].(map[string]any)["due_at"].(string))
		if v["status"] != "EVIDENCE" || !moved.Equal(due.Add(30*24*time.Hour)) || v["deadline"].(map[string]any)["kind"] != "evidence_window" {
			t.Fatalf("resumed: %v (window %s, was %s)", v, moved, due)
		}
		evs := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id + "/events", Key: seller}).JSON()["items"].([]any)
		last := evs[len(evs)-1].(map[string]any)
		if last["type"] != "resumed" || last["actor"].(map[string]any)["role"] != "system" || !strings.Contains(fmt.Sprint(last["rule_ids"]), "taobao-dispute-83") {
			t.Fatalf("resume event %v", last)
		}
		// Suspended again; the parties settle and the buyer withdraws.
		disputeAct(e, id, "suspend", seller, nil)
		disputeAct(e, id, "suspend", buyer, nil)
		w := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/withdraw", Key: buyer, Body: map[string]any{"reason": "已协商一致"}}).JSON()
		a := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + w["aftersale_id"].(string), Key: buyer}).JSON()
		if w["status"] != "WITHDRAWN" || a["status"] != "CLOSED" || a["cs_status"] != float64(7) {
			t.Fatalf("withdrawn while suspended: case %v request %v", w["status"], a)
		}
	})
}

// Art. 86–87: compensation from the deposit; what it lacks is recorded on
// the judgment, not paid, and the ledger still balances.
func TestCompensationShortfallIsSurfaced(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		_, id := caseOf(e, "CM1", 9000, "counterfeit", true)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: e.Integration, Body: map[string]any{"amount": 1000}})
		v := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/judge", Key: e.Agent, Body: map[string]any{"outcome": "refund_full", "fault": "seller",
			"reason": "售假", "rule_ids": []string{"taobao-dispute-66"}, "compensation": 27000}}).JSON()
		j := v["judgment"].(map[string]any)
		if j["compensation"] != float64(27000) || j["shortfall"] != float64(26000) || !strings.Contains(fmt.Sprint(j["rule_ids"]), "taobao-dispute-86") {
			t.Fatalf("judgment %v", j)
		}
		if p, d := balanceOf(e, "buyer_payout:B1"), balanceOf(e, "seller_deposit:S1"); p != 9000+1000 || d != 0 {
			t.Fatalf("payout %v deposit %v", p, d)
		}
		if r := disputeAct(e, id, "judge", e.Agent, nil); r.Status != 409 {
			t.Fatalf("second judgment: %d", r.Status)
		}
		checkLedger(t, e)
	})
}

// SPEC §4 for a case opened directly by the integration: counterfeit goods
// may go to the platform at once; other reasons, unshipped orders and an
// order with an open request are refused naming the failed condition.
func TestDirectCaseEligibility(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		open := func(order, reason string) apitest.Resp {
			return e.Do(apitest.Req{Method: "POST", Path: "/v1/disputes", Key: e.Integration, ActAs: "buyer:B1",
				Body: map[string]any{"order_id": order, "reason": reason, "amount": 4000, "description": "疑似假货"}})
		}
		e.NewOrder("DR1", "B1", "S1", 4000, apitest.Shipped)
		e.NewOrder("DR2", "B1", "S1", 4000, apitest.Paid)
		for _, c := range []struct{ order, reason, cond string }{{"DR2", "counterfeit", "paid_and_shipped"}, {"DR1", "quality_problem", "negotiation_first"}} {
			if r := open(c.order, c.reason); r.Status != 409 || !strings.Contains(r.Str("detail"), c.cond) || r.Str("rule_id") != "taobao-dispute-2" {
				t.Fatalf("%s/%s: %d %s", c.order, c.reason, r.Status, r.Body)
			}
		}
		r := open("DR1", "counterfeit")
		if r.Status != 201 || r.Str("status") != "EVIDENCE" || r.Str("opened_by") != "buyer" {
			t.Fatalf("direct case: %d %s", r.Status, r.Body)
		}
		c := r.JSON()
		// The counterfeit checklist: the seller's source vouchers (art. 66).
		if !strings.Contains(fmt.Sprint(c["checklist"]), "source_vouchers") {
			t.Fatalf("checklist %v", c["checklist"])
		}
		a := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + c["aftersale_id"].(string), Key: e.Key("seller", "S1")}).JSON()
		if a["cs_status"] != float64(10) || a["status"] != "WAIT_SELLER_AGREE" || a["deadline"] != nil {
			t.Fatalf("the request behind a direct case: %v", a)
		}
		if r := open("DR1", "counterfeit"); r.Status != 409 {
			t.Fatalf("a second direct case on the order: %d", r.Status)
		}
		// The seller settles by agreeing: the case is withdrawn, the buyer refunded.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + c["aftersale_id"].(string) + "/agree", Key: e.Key("seller", "S1")})
		if v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + c["id"].(string), Key: e.Agent}).JSON(); v["status"] != "WITHDRAWN" {
			t.Fatalf("after the seller agreed: %v", v["status"])
		}
		checkLedger(t, e)
	})
}
