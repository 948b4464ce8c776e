package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
)

// returnShipped opens a return on a delivered order, has the seller agree
// and the buyer ship it, and returns the request and the shipped view.
func returnShipped(t *testing.T, e *apitest.Env, orderID, buyer string, amount int64) (string, map[string]any) {
	t.Helper()
	e.NewOrder(orderID, buyer, "S1", amount, apitest.Delivered)
	as := e.Aftersale(orderID, buyer, map[string]any{"type": "return_and_refund", "reason": "quality_problem", "amount": amount})
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/agree", Key: e.Key("seller", "S1"), Body: agreeReturn})
	v := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/ship-return", Key: e.Key("buyer", buyer),
		Body: map[string]any{"carrier": "YTO", "tracking_no": "YT" + orderID}}).JSON()
	return as, v
}

// receiptRefusedCase ships B1's return (returnShipped) and has S1 refuse
// the returned goods with refusal, which opens a case; it takes the case to
// review and returns the request and the case.
func receiptRefusedCase(t *testing.T, e *apitest.Env, orderID string, amount int64, refusal map[string]any) (string, string) {
	t.Helper()
	seller := e.Key("seller", "S1")
	as, _ := returnShipped(t, e, orderID, "B1", amount)
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/refuse-receipt", Key: seller, Body: refusal})
	id := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as, Key: seller}).Str("dispute_id")
	if id == "" {
		t.Fatal("no case opened")
	}
	toReview(e, id)
	return as, id
}

// topUpFund has the admin top up the guarantee fund by amount (fen).
func topUpFund(e *apitest.Env, amount int64) {
	e.T.Helper()
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/guarantee_fund/top-up", Key: e.Admin, Body: map[string]any{"amount": amount}})
}

// TestInstantRefund (issue 13, 极速退款): a return by a buyer in good
// standing for at most aftersale.instant_refund_limit is refunded when the
// buyer ships it, paid by the guarantee fund with the order's escrow frozen
// as its guarantee; the seller's confirmation repays the fund from the
// frozen escrow. Over the limit, or for a flagged buyer, the normal flow:
// the refund waits for the seller. The ledger checks clean after each step.
func TestInstantRefund(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		seller := e.Key("seller", "S1")
		topUpFund(e, 100000)
		rules := []string{"ours-instant-refund-limit", "ours-refund-cap", ledger.RuleAdvance}

		// Eligible: refunded when shipped.
		as, v := returnShipped(t, e, "IR1", "B1", 20000)
		ir, _ := v["instant_refund"].(map[string]any)
		if v["status"] != "WAIT_SELLER_CONFIRM_GOODS" || v["refunded"] != 20000.0 || ir == nil || ir["amount"] != 20000.0 ||
			ir["rule_id"] != "ours-instant-refund-limit" || ir["ledger_transaction"] != "instant:"+as || ir["outcome"] != nil {
			t.Fatalf("shipped: %v", v)
		}
		pay := c.ledgerTx("instant:" + as)
		samePostings(t, pay, map[string]money.Fen{"guarantee_fund": -20000, "buyer_payout:B1": 20000})
		hasRules(t, pay, rules...)
		freeze := c.ledgerTx("instant:" + as + "/freeze")
		samePostings(t, freeze, map[string]money.Fen{"escrow:IR1": -20000, "frozen:IR1": 20000})
		hasRules(t, freeze, rules...)
		if o := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/IR1", Key: e.Integration}).JSON(); o["refunded"] != 20000.0 {
			t.Fatalf("order refunded %v", o["refunded"])
		}
		ev := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as + "/events", Key: seller}).JSON()["items"].([]any)
		if last := ev[len(ev)-1].(map[string]any); last["type"] != "return_shipped" || !hasAll(anyStrings(last["rule_ids"]), "ours-instant-refund-limit", "public-seller-confirm-10d") {
			t.Fatalf("shipped event: %v", last)
		}
		// The buyer cannot withdraw a request the fund has paid.
		if r := e.Act(as, "cancel", e.Key("buyer", "B1"), map[string]any{"reason": "不要了"}); r.Status != 409 {
			t.Fatalf("cancel after an instant refund: %d %s", r.Status, r.Body)
		}
		c.ledgerBalances()

		// The seller confirms: the guarantee settles, nothing is refunded twice.
		v = e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/confirm-return", Key: seller}).JSON()
		if ir, _ := v["instant_refund"].(map[string]any); v["status"] != "SUCCESS" || v["refunded"] != 20000.0 || ir["outcome"] != "returned" {
			t.Fatalf("confirmed: %v", v)
		}
		repay := c.ledgerTx("instant:" + as + "/settle/repay")
		samePostings(t, repay, map[string]money.Fen{"frozen:IR1": -20000, "guarantee_fund": 20000})
		hasRules(t, repay, "ours-instant-refund-limit", "ours-refund-cap", ledger.RuleAdvance)
		for a, want := range map[ledger.Account]money.Fen{ledger.GuaranteeFund(): 100000, ledger.BuyerPayout("B1"): 20000, ledger.Escrow("IR1"): 0, ledger.Frozen("IR1"): 0} {
			if got := c.balance(a); got != want {
				t.Fatalf("%s = %d, want %d", a, got, want)
			}
		}
		if _, err := e.Store.LedgerTransaction(context.Background(), "refund:"+as); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a second refund transaction: %v", err)
		}
		c.ledgerBalances()

		// Over the limit (50000 fen): the normal flow.
		as2, v := returnShipped(t, e, "IR2", "B1", 60000)
		if v["refunded"] != 0.0 || v["instant_refund"] != nil {
			t.Fatalf("over the limit, shipped: %v", v)
		}
		notInstant(t, e, as2)
		v = e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as2 + "/confirm-return", Key: seller}).JSON()
		if v["status"] != "SUCCESS" || v["refunded"] != 60000.0 || c.balance(ledger.BuyerPayout("B1")) != 80000 || c.balance(ledger.GuaranteeFund()) != 100000 {
			t.Fatalf("over the limit, confirmed: %v", v)
		}
		c.ledgerBalances()

		// A flagged buyer (three rejected complaints in the window): the normal flow.
		for i := 0; i < 3; i++ {
			oid := fmt.Sprintf("IRC%d", i)
			c.orderFor("late_shipment", oid, "B2", "S1")
			r := c.file(c.key("buyer", "B2"), map[string]any{"type": "late_shipment", "order_id": oid})
			if r.Status != 201 {
				t.Fatalf("file: %d %s", r.Status, r.Body)
			}
			c.mustAct(r.Str("id"), "respond", seller, map[string]any{"statement": "按时发货"})
			c.mustAct(r.Str("id"), "decide", c.agent, map[string]any{"verdict": "rejected", "reason": "按时揽收", "rule_ids": []string{"seed-ship-within-24h"}})
		}
		if st := c.standing("buyer", "B2"); st["complainant_flag"] == nil {
			t.Fatalf("B2 not flagged: %v", st)
		}
		as3, v := returnShipped(t, e, "IR3", "B2", 10000)
		if v["refunded"] != 0.0 || v["instant_refund"] != nil {
			t.Fatalf("flagged buyer, shipped: %v", v)
		}
		notInstant(t, e, as3)
		c.ledgerBalances()
	})
}

// TestInstantRefundReceiptRefusalUpheld: the seller refuses the returned
// goods of an instantly refunded request and the platform upholds the
// refusal: the frozen escrow repays the fund and the buyer's refund is paid
// over to the seller (调帐); the request closes with nothing refunded.
func TestInstantRefundReceiptRefusalUpheld(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		seller := e.Key("seller", "S1")
		topUpFund(e, 100000)
		as, id := receiptRefusedCase(t, e, "IK1", 15000, map[string]any{"reason": "退回商品已损坏", "evidence": []string{"签收照片"}})
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/judge", Key: e.Agent, Body: map[string]any{"outcome": "release_to_seller", "fault": "buyer",
			"reason": "退回商品损坏，卖家拒收成立 / the returned goods were damaged: the refusal stands", "rule_ids": []string{"taobao-dispute-38"}}})
		v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as, Key: seller}).JSON()
		if ir, _ := v["instant_refund"].(map[string]any); v["status"] != "CLOSED" || v["refunded"] != 0.0 || ir["outcome"] != "kept" {
			t.Fatalf("judged: %v", v)
		}
		// 调帐 on the order too: the refund is no longer counted and the
		// trade the refund had closed is finished, its money the seller's.
		if o := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/IK1", Key: seller}).JSON(); o["refunded"] != 0.0 || o["status"] != "TRADE_FINISHED" {
			t.Errorf("after the adjustment the order is %v, refunded %v", o["status"], o["refunded"])
		}
		if evs := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/IK1/events", Key: seller}).Body; !strings.Contains(string(evs), `"refund_reversed"`) {
			t.Errorf("no refund_reversed event on the order: %s", evs)
		}
		samePostings(t, c.ledgerTx("instant:"+as+"/settle/repay"), map[string]money.Fen{"frozen:IK1": -15000, "guarantee_fund": 15000})
		adj := c.ledgerTx("instant:" + as + "/settle/adjust")
		samePostings(t, adj, map[string]money.Fen{"buyer_payout:B1": -15000, "seller_available:S1": 15000})
		hasRules(t, adj, "ours-instant-refund-limit", ledger.RuleAdvance)
		if c.balance(ledger.GuaranteeFund()) != 100000 || c.balance(ledger.BuyerPayout("B1")) != 0 {
			t.Fatalf("fund %d, buyer %d", c.balance(ledger.GuaranteeFund()), c.balance(ledger.BuyerPayout("B1")))
		}
		c.ledgerBalances()
	})
}

func notInstant(t *testing.T, e *apitest.Env, as string) {
	t.Helper()
	if _, err := e.Store.LedgerTransaction(context.Background(), "instant:"+as); !fault.Is(err, fault.NotFound) {
		t.Fatalf("%s: an instant-refund transaction: %v", as, err)
	}
}

func hasAll(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// TestInstantRefundSettledByDeadlineOrJudgment: the seller's confirmation
// deadline settles the guarantee like a confirmation (public-seller-confirm-10d),
// and a judgment for the buyer after a refusal of receipt settles it
// without refunding twice.
func TestInstantRefundSettledByDeadlineOrJudgment(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		seller := e.Key("seller", "S1")
		topUpFund(e, 100000)
		// The buyer-favouring judgment first (the deadline below moves the clock).
		as2, id := receiptRefusedCase(t, e, "IJ1", 12000, map[string]any{"reason": "未收到退货", "evidence": []string{"物流截图"}})
		r := e.Do(apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/judge", Key: e.Agent, Body: map[string]any{"outcome": "refund_full", "fault": "seller",
			"reason": "物流显示已签收退货 / the return was delivered", "rule_ids": []string{"taobao-dispute-38"}}})
		if r.Status != 200 {
			t.Fatalf("judge: %d %s", r.Status, r.Body)
		}
		if j, _ := r.JSON()["judgment"].(map[string]any); j == nil || j["shortfall"] != nil && j["shortfall"] != 0.0 {
			t.Fatalf("judgment %v", r.JSON()["judgment"])
		}
		v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as2, Key: seller}).JSON()
		if ir, _ := v["instant_refund"].(map[string]any); v["status"] != "SUCCESS" || v["refunded"] != 12000.0 || ir["outcome"] != "returned" {
			t.Fatalf("judged for the buyer: %v", v)
		}
		samePostings(t, c.ledgerTx("instant:"+as2+"/settle/repay"), map[string]money.Fen{"frozen:IJ1": -12000, "guarantee_fund": 12000})
		if c.balance(ledger.BuyerPayout("B1")) != 12000 || c.balance(ledger.GuaranteeFund()) != 100000 {
			t.Fatalf("buyer %d fund %d", c.balance(ledger.BuyerPayout("B1")), c.balance(ledger.GuaranteeFund()))
		}
		c.ledgerBalances()

		// The seller never answers: the deadline settles the guarantee.
		as, _ := returnShipped(t, e, "ID1", "B1", 8000)
		e.Clock.Advance(10*24*time.Hour + time.Second)
		if _, err := e.Svc.FireDue(context.Background(), 100); err != nil {
			t.Fatal(err)
		}
		v = e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as, Key: seller}).JSON()
		if ir, _ := v["instant_refund"].(map[string]any); v["status"] != "SUCCESS" || v["refunded"] != 8000.0 || ir["outcome"] != "returned" {
			t.Fatalf("after the deadline: %v", v)
		}
		repay := c.ledgerTx("instant:" + as + "/settle/repay")
		samePostings(t, repay, map[string]money.Fen{"frozen:ID1": -8000, "guarantee_fund": 8000})
		hasRules(t, repay, "public-seller-confirm-10d", "ours-instant-refund-limit")
		if c.balance(ledger.BuyerPayout("B1")) != 20000 || c.balance(ledger.GuaranteeFund()) != 100000 {
			t.Fatalf("buyer %d fund %d", c.balance(ledger.BuyerPayout("B1")), c.balance(ledger.GuaranteeFund()))
		}
		c.ledgerBalances()
	})
}
