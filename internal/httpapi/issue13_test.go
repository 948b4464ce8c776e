package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/service"
)

// ledgerTx reads one ledger transaction by id.
func (c *cx) ledgerTx(id string) ledger.Transaction {
	c.t.Helper()
	rec, err := c.e.Store.LedgerTransaction(context.Background(), id)
	if err != nil {
		c.t.Fatalf("ledger transaction %s: %v", id, err)
	}
	lt, err := rec.Transaction()
	if err != nil {
		c.t.Fatal(err)
	}
	return lt
}

// postings renders a transaction's lines as account → amount.
func postings(lt ledger.Transaction) map[string]money.Fen {
	out := map[string]money.Fen{}
	for _, p := range lt.Postings {
		out[p.Account.String()] = p.Amount
	}
	return out
}

func samePostings(t *testing.T, lt ledger.Transaction, want map[string]money.Fen) {
	t.Helper()
	got := postings(lt)
	if len(got) != len(want) {
		t.Fatalf("%s postings %v, want %v", lt.ID, got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s postings %v, want %v", lt.ID, got, want)
		}
	}
}

func hasRules(t *testing.T, lt ledger.Transaction, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if !slices.Contains(lt.RuleIDs, id) {
			t.Fatalf("%s (%s) rule_ids %v lack %s", lt.ID, lt.Kind, lt.RuleIDs, id)
		}
	}
}

// TestLateShipmentCompensatedOnce (issue 13 item 1): one late shipment is
// compensated once per order. A withdrawn complaint paid nothing and does
// not block a new one; once a complaint for the cause is upheld a second one
// is refused naming the rule, and the upheld complaint's second complaint
// (二次投诉) upheld again pays nothing more. The rate applies to the goods
// without the postage (complaint.late_shipment_postage off).
func TestLateShipmentCompensatedOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		now := e.Clock.Now()
		c.deposit("S1", 100000)
		e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/OL1", Key: e.Integration, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1",
			"category": "女装", "amount": 50000, "postage": 1000, "items": []map[string]any{{"title": "外套", "quantity": 1, "price": 49000}}}})
		for _, f := range []map[string]any{fact("paid", now.Add(-72*time.Hour)), fact("shipped", now.Add(-30*time.Hour), "carrier", "SF", "tracking_no", "SF-OL1"),
			fact("first_scan", now.Add(-30*time.Hour))} {
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/OL1/events", Key: e.Integration, Body: f})
		}
		buyer, seller := c.key("buyer", "B1"), c.key("seller", "S1")
		first := c.file(buyer, map[string]any{"type": "late_shipment", "order_id": "OL1"})
		if first.Status != 201 {
			t.Fatalf("file: %d %s", first.Status, first.Body)
		}
		if r := c.file(buyer, map[string]any{"type": "late_shipment", "order_id": "OL1"}); r.Status != 409 || r.JSON()["rule_id"] != "ours-compensation-once-per-cause" {
			t.Fatalf("duplicate while open: %d %s", r.Status, r.Body)
		}
		c.mustAct(first.Str("id"), "withdraw", buyer, map[string]any{"reason": "先撤回"})
		r := c.file(buyer, map[string]any{"type": "late_shipment", "order_id": "OL1"})
		if r.Status != 201 {
			t.Fatalf("file after withdrawal: %d %s", r.Status, r.Body)
		}
		id := r.Str("id")
		f := r.JSON()["findings"].([]any)[0].(map[string]any)
		if num(f["base"]) != 49000 || num(f["compensation"]) != 2450 {
			t.Fatalf("finding %v", f)
		}
		c.mustAct(id, "respond", seller, map[string]any{"statement": "仓库延误"})
		dec := map[string]any{"verdict": "upheld", "reason": "以首条揽收记录为准", "rule_ids": []string{"seed-complaint-late-shipment"}}
		v := c.mustAct(id, "decide", c.agent, dec)
		o := outcomes(v, "decision")["compensation"]
		if num(o["amount"]) != 2450 || num(o["paid"]) != 2450 {
			t.Fatalf("compensation %v", o)
		}
		lt := c.ledgerTx(o["ledger_transaction"].(string))
		samePostings(t, lt, map[string]money.Fen{"seller_deposit:S1": -2450, "buyer_payout:B1": 2450})
		hasRules(t, lt, "seed-complaint-late-shipment", "seed-late-shipment-5pct", "taobao-dispute-86")
		c.ledgerBalances()

		// A duplicate after the decision is refused, naming the rule and the complaint.
		r = c.file(buyer, map[string]any{"type": "late_shipment", "order_id": "OL1"})
		if r.Status != 409 || r.JSON()["rule_id"] != "ours-compensation-once-per-cause" || problemField(r) != "type" {
			t.Fatalf("duplicate after decision: %d %s", r.Status, r.Body)
		}
		// The second complaint, upheld again, pays nothing more.
		c.mustAct(id, "second-complaint", buyer, map[string]any{"reason": "赔付太少", "claim": map[string]any{"text": "要求更多", "amount": 5000}})
		v = c.mustAct(id, "decide", c.senior, dec)
		o = outcomes(v, "final_decision")["compensation"]
		if num(o["already_paid"]) != 2450 || num(o["paid"]) != 0 || o["ledger_transaction"] != nil {
			t.Fatalf("second decision compensation %v", o)
		}
		if got := c.balance(ledger.BuyerPayout("B1")); got != 2450 {
			t.Fatalf("buyer received %s in all", got)
		}
		if got := c.balance(ledger.SellerDeposit("S1")); got != 100000-2450 {
			t.Fatalf("deposit %s", got)
		}
		c.ledgerBalances()
	})
}

// TestReceivableRecovery (issue 13 item 2, arts. 86–87): an advance the
// seller's frozen escrow and deposit cannot repay is booked as the seller's
// receivable; its next deposit top-up and its next escrow release pay it
// first, each as a repay_receivable transaction citing the rule, until
// nothing is owed; the seller's standing shows what is owed; the ledger
// check (fund + receivables + open advances = capital) is clean after each
// step.
func TestReceivableRecovery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		b1, s1 := e.Key("buyer", "B1"), e.Key("seller", "S1")
		topUpFund(e, 100000)
		// A completed order: its escrow is already the seller's.
		as := refundOnly(e, "RC1", 30000, apitest.Completed, "quality_problem")
		id := escalateCase(e, as, b1, s1, map[string]any{"reason": "不同意", "evidence": []string{"说明"}})
		toReview(e, id)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/advance", Key: e.Agent, Body: map[string]any{"reason": "卖家不配合"}})
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/resolve-advance", Key: e.Agent, Body: map[string]any{"outcome": "returned", "reason": "退货已签收"}})
		recv := c.ledgerTx("dispute:" + id + "/advance-resolved/receivable")
		samePostings(t, recv, map[string]money.Fen{"external:seller_debt": -30000, "fund_receivable:S1": 30000})
		if c.balance(ledger.FundReceivable("S1")) != 30000 || c.balance(ledger.GuaranteeFund()) != 70000 {
			t.Fatalf("receivable %s fund %s", c.balance(ledger.FundReceivable("S1")), c.balance(ledger.GuaranteeFund()))
		}
		st := c.standing("seller", "S1")["money"].(map[string]any)
		if num(st["fund_receivable"]) != 30000 || st["recovery_rule_id"] != "ours-receivable-recovery" {
			t.Fatalf("standing money %v", st)
		}
		c.ledgerBalances()

		// A deposit top-up of 10 000 goes to the fund first.
		top := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: e.Admin, Body: map[string]any{"amount": 10000}}).JSON()
		r := c.ledgerTx(top["id"].(string) + "/recover")
		samePostings(t, r, map[string]money.Fen{"seller_deposit:S1": -10000, "guarantee_fund": 10000, "fund_receivable:S1": -10000, "external:seller_debt": 10000})
		hasRules(t, r, "ours-receivable-recovery", "taobao-dispute-86", "taobao-dispute-87")
		if r.Kind != ledger.TxRepayReceivable || c.balance(ledger.SellerDeposit("S1")) != 0 || c.balance(ledger.FundReceivable("S1")) != 20000 {
			t.Fatalf("after the top-up: %+v deposit %s receivable %s", r, c.balance(ledger.SellerDeposit("S1")), c.balance(ledger.FundReceivable("S1")))
		}
		c.ledgerBalances()

		// The next release of 25 000 repays the remaining 20 000.
		e.NewOrder("RC2", "B2", "S1", 25000, apitest.Completed)
		r = c.ledgerTx("release:RC2/recover")
		samePostings(t, r, map[string]money.Fen{"seller_available:S1": -20000, "guarantee_fund": 20000, "fund_receivable:S1": -20000, "external:seller_debt": 20000})
		hasRules(t, r, "ours-receivable-recovery", "taobao-dispute-86", "taobao-dispute-87")
		if c.balance(ledger.FundReceivable("S1")) != 0 || c.balance(ledger.GuaranteeFund()) != 100000 || c.balance(ledger.SellerAvailable("S1")) != 30000+5000 {
			t.Fatalf("after the release: receivable %s fund %s available %s", c.balance(ledger.FundReceivable("S1")), c.balance(ledger.GuaranteeFund()), c.balance(ledger.SellerAvailable("S1")))
		}
		c.ledgerBalances()

		// Nothing owed: a top-up stays in the deposit, nothing is recovered twice.
		top = e.Must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: e.Admin, Body: map[string]any{"amount": 5000}}).JSON()
		if _, err := e.Store.LedgerTransaction(context.Background(), top["id"].(string)+"/recover"); err == nil {
			t.Fatalf("recovered from a seller that owes nothing")
		}
		if c.balance(ledger.SellerDeposit("S1")) != 5000 || num(c.standing("seller", "S1")["money"].(map[string]any)["fund_receivable"]) != 0 {
			t.Fatalf("deposit %s", c.balance(ledger.SellerDeposit("S1")))
		}
		c.ledgerBalances()
	})
}

func timeOf(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %v: %v", v, err)
	}
	return at
}

// TestAutoConfirmReceipt (issue 13 item 3, 自动确认收货): a shipped order
// confirms receipt by itself 10 days after shipment (order.auto_confirm_receipt),
// shown on the order; the buyer extends it once by 3 days
// (order.extend_receipt); an open after-sales request pauses it and the
// paused time is added back when the request ends; at expiry the deadline
// worker completes the order and releases the escrow to the seller.
func TestAutoConfirmReceipt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		ctx := context.Background()
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		shipped := e.Clock.Now()
		c.order("AC1", "B1", "S1", 20000, nil, fact("paid", shipped.Add(-time.Hour)), fact("shipped", shipped, "carrier", "SF", "tracking_no", "SF-AC1"))
		get := func() map[string]any {
			return e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/AC1", Key: buyer}).JSON()
		}
		o := get()
		due := shipped.Add(10 * 24 * time.Hour)
		if !timeOf(t, o["auto_confirm_at"]).Equal(due) || o["auto_confirm_rule_id"] != "ours-auto-confirm-10d" {
			t.Fatalf("order %v", o)
		}
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/orders/AC1/extend-receipt", Key: seller}); r.Status != 403 {
			t.Fatalf("seller extended: %d", r.Status)
		}
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/orders/AC1/extend-receipt", Key: e.Key("buyer", "B2")}); r.Status != 404 {
			t.Fatalf("another buyer extended: %d", r.Status)
		}
		o = e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/AC1/extend-receipt", Key: buyer}).JSON()
		due = due.Add(3 * 24 * time.Hour)
		if !timeOf(t, o["auto_confirm_at"]).Equal(due) || o["receipt_extended"] != true {
			t.Fatalf("extended %v", o)
		}
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/orders/AC1/extend-receipt", Key: buyer}); r.Status != 409 || r.Str("rule_id") != "public-extend-receipt-once" {
			t.Fatalf("second extension: %d %s", r.Status, r.Body)
		}
		// A request open for a day pauses the clock; the day is added back.
		e.Clock.Advance(5 * 24 * time.Hour)
		as := e.Aftersale("AC1", "B1", map[string]any{"type": "refund_only", "reason": "not_received", "amount": 20000})
		if o = get(); o["auto_confirm_paused_at"] == nil {
			t.Fatalf("not paused: %v", o)
		}
		e.Clock.Advance(24 * time.Hour)
		if st, err := e.Svc.FireDue(ctx, 50); err != nil || st.Fired != 0 {
			t.Fatalf("fired while paused: %+v %v", st, err)
		}
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/cancel", Key: buyer, Body: map[string]any{"reason": "收到了"}})
		o = get()
		due = due.Add(24 * time.Hour)
		if o["auto_confirm_paused_at"] != nil || !timeOf(t, o["auto_confirm_at"]).Equal(due) {
			t.Fatalf("resumed %v, want due %s", o, due)
		}
		// Not yet due: nothing happens; past the due time the escrow is released.
		e.Clock.Set(due.Add(-time.Minute))
		if st, err := e.Svc.FireDue(ctx, 50); err != nil || st.Fired != 0 {
			t.Fatalf("fired early: %+v %v", st, err)
		}
		e.Clock.Set(due.Add(time.Minute))
		if st, err := e.Svc.FireDue(ctx, 50); err != nil || st.Fired != 1 {
			t.Fatalf("fire: %+v %v", st, err)
		}
		if o = get(); o["status"] != "TRADE_FINISHED" || !timeOf(t, o["completed_at"]).Equal(due) {
			t.Fatalf("after expiry %v", o)
		}
		rel := c.ledgerTx("release:AC1")
		samePostings(t, rel, map[string]money.Fen{"escrow:AC1": -20000, "seller_available:S1": 20000})
		var completed map[string]any
		for _, ev := range e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/AC1/events", Key: buyer}).JSON()["items"].([]any) {
			if m := ev.(map[string]any); m["type"] == "completed" {
				completed = m
			}
		}
		if completed == nil || completed["actor"].(map[string]any)["role"] != "system" ||
			!slices.Equal(anyStrings(completed["rule_ids"]), []string{"ours-auto-confirm-10d", "public-extend-receipt-once"}) {
			t.Fatalf("completed event %v", completed)
		}
		// Fired once: the row is settled.
		if st, err := e.Svc.FireDue(ctx, 50); err != nil || st.Claimed != 0 {
			t.Fatalf("fired again: %+v %v", st, err)
		}
		c.ledgerBalances()
	})
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// runIssue13Conformance exercises the operations added with issue 13
// against the OpenAPI document.
func runIssue13Conformance(t *testing.T, e *apitest.Env, o *oasRun) {
	b1, s1 := e.Key("buyer", "B1"), e.Key("seller", "S1")
	e.NewOrder("OC13", "B1", "S1", 10000, apitest.Shipped)
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/orders/OC13/extend-receipt", Key: b1})
	o.fail(409, apitest.Req{Method: "POST", Path: "/v1/orders/OC13/extend-receipt", Key: b1})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/orders/OC13/extend-receipt", Key: s1})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/orders/no-such-order/extend-receipt", Key: b1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/OC13/events", Key: b1})
	// A stale If-Match is 412 on every request action (RFC 9110).
	e.NewOrder("OC14", "B1", "S1", 10000, apitest.Delivered)
	as := e.Aftersale("OC14", "B1", map[string]any{"type": "return_and_refund", "reason": "quality_problem", "amount": 10000})
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/refuse", Key: s1, Body: map[string]any{"reason_code": "goods_intact", "reason": "无问题", "evidence": []string{"e1"}}})
	for _, a := range aftersale.Actions {
		key := b1
		if sellerAction(string(a)) {
			key = s1
		}
		r := o.fail(412, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/" + string(a), Key: key, Body: actionBody(string(a), "z"), Header: map[string]string{"If-Match": `"1"`}})
		if r.Str("code") != "precondition_failed" || r.Str("current_status") != "SELLER_REFUSE_BUYER" {
			t.Errorf("%s with a stale If-Match: %s", a, r.Body)
		}
	}
	runViolationConformance(t, e, o)
	runProtectionConformance(t, e, o)
}

// TestNoReasonReturnExclusions (issue 13 item 4): an order's items say
// whether 7-day no-reason return applies; the rule book's category defaults
// (aftersale.no_reason_excluded, art. 6) and the marketplace's marks (art.
// 7) refuse a no-reason request naming the article; other reasons stay
// open, and a seller may allow what the law excludes.
func TestNoReasonReturnExclusions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		now := e.Clock.Now()
		put := func(id, category string, item map[string]any) {
			item["title"], item["quantity"], item["price"] = "商品 "+id, 1, 10000
			e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + id, Key: e.Integration, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1",
				"category": category, "amount": 10000, "postage": 0, "items": []map[string]any{item}}})
			for _, f := range []map[string]any{fact("paid", now.Add(-48*time.Hour)), fact("shipped", now.Add(-40*time.Hour), "carrier", "SF", "tracking_no", "SF-"+id),
				fact("delivered", now.Add(-24*time.Hour), "signed_by", "本人")} {
				e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/events", Key: e.Integration, Body: f})
			}
		}
		put("NR1", "生鲜", map[string]any{})
		put("NR2", "女装", map[string]any{"no_reason_return": false})
		put("NR3", "女装", map[string]any{"category": "定制"})
		put("NR4", "生鲜", map[string]any{"no_reason_return": true})
		put("NR5", "女装", map[string]any{})
		noReason := func(id string) apitest.Resp {
			return e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: e.Key("buyer", "B1"),
				Body: map[string]any{"order_id": id, "type": "return_and_refund", "reason": "no_reason_7day", "amount": 10000}})
		}
		for _, tc := range []struct{ id, rule string }{{"NR1", "cn-7day-return-6"}, {"NR2", "cn-7day-return-7"}, {"NR3", "cn-7day-return-6"}} {
			r := noReason(tc.id)
			if r.Status != 400 || r.Str("rule_id") != tc.rule || problemField(r) != "reason" {
				t.Fatalf("%s: %d %s", tc.id, r.Status, r.Body)
			}
		}
		if r := noReason("NR1"); !strings.Contains(r.Str("detail"), "第6条") || !strings.Contains(r.Str("detail"), "art. 6") {
			t.Fatalf("the refusal does not name the article: %s", r.Body)
		}
		for _, id := range []string{"NR4", "NR5"} {
			if r := noReason(id); r.Status != 201 {
				t.Fatalf("%s: %d %s", id, r.Status, r.Body)
			}
		}
		// Another reason is not affected.
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: e.Key("buyer", "B1"),
			Body: map[string]any{"order_id": "NR1", "type": "return_and_refund", "reason": "quality_problem", "amount": 10000}}); r.Status != 201 {
			t.Fatalf("quality problem on fresh goods: %d %s", r.Status, r.Body)
		}
		// Refused requests moved no money: each order holds its payment in escrow.
		for _, id := range []string{"NR1", "NR2", "NR3"} {
			if c.balance(ledger.Escrow(id)) != 10000 {
				t.Fatalf("%s escrow %s", id, c.balance(ledger.Escrow(id)))
			}
		}
		if o := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/NR2", Key: e.Key("buyer", "B1")}).JSON(); o["items"].([]any)[0].(map[string]any)["no_reason_return"] != false {
			t.Fatalf("order item %v", o["items"])
		}
		c.ledgerBalances()
	})
}

// TestDirectClassBViolation (issue 13 item 5): an agent records a severe
// (class B) violation directly with the rule book's class and points,
// evidence and a reason; its 12 points reach the first class B threshold
// and impose the ladder's sanction; the seller is notified and appeals
// once; the senior tier revokes it, and its points and sanction go with it.
func TestDirectClassBViolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		ctx := context.Background()
		e.NewOrder("VB1", "B1", "S1", 10000, apitest.Delivered)
		body := func(m map[string]any) map[string]any {
			out := map[string]any{"party_role": "seller", "party_id": "S1", "violation": "personal_data_leak", "class": "B", "points": 12,
				"rule_ids": []string{"seed-violation-personal-data"}, "evidence_ids": []string{"ev-leak-1"}, "reason": "卖家在商品评价回复中公开买家手机号", "order_id": "VB1"}
			for k, v := range m {
				out[k] = v
			}
			return out
		}
		post := func(key string, b map[string]any) apitest.Resp {
			return e.Do(apitest.Req{Method: "POST", Path: "/v1/violations", Key: key, Body: b})
		}
		for _, tc := range []struct {
			name, key string
			body      map[string]any
			status    int
			field     string
		}{
			{"a buyer", e.Key("buyer", "B1"), body(nil), 403, ""},
			{"the seller itself", e.Key("seller", "S1"), body(nil), 403, ""},
			{"class A for a class B type", c.agent, body(map[string]any{"class": "A"}), 400, "class"},
			{"points other than the book's", c.agent, body(map[string]any{"points": 6}), 400, "points"},
			{"no evidence", c.agent, body(map[string]any{"evidence_ids": []string{}}), 400, "evidence_ids"},
			{"no reason", c.agent, body(map[string]any{"reason": " "}), 400, "reason"},
			{"unknown type", c.agent, body(map[string]any{"violation": "nope"}), 400, "violation"},
			{"a buyer's violation on a seller", c.agent, body(map[string]any{"violation": "buyer_harassment", "class": "A", "points": 4}), 400, "party_role"},
			{"unknown party", c.agent, body(map[string]any{"party_id": "S404"}), 404, "party_id"},
		} {
			if r := post(tc.key, tc.body); r.Status != tc.status || (tc.field != "" && problemField(r) != tc.field) {
				t.Fatalf("%s: %d %s", tc.name, r.Status, r.Body)
			}
		}
		r := post(c.agent, body(nil))
		if r.Status != 201 {
			t.Fatalf("record: %d %s", r.Status, r.Body)
		}
		v := r.JSON()
		id := v["id"].(string)
		if v["class"] != "B" || num(v["points"]) != 12 || v["status"] != "recorded" || v["direct"] != true || len(v["sanction_ids"].([]any)) != 1 ||
			!slices.Contains(anyStrings(v["rule_ids"]), "seed-violation-personal-data") || !slices.Equal(anyStrings(v["allowed_actions"]), []string{"appeal"}) {
			t.Fatalf("violation %v", v)
		}
		san := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/sanctions/" + v["sanction_ids"].([]any)[0].(string), Key: c.agent}).JSON()
		if san["kind"] != "listing_restriction" || san["class"] != "B" || num(san["threshold"]) != 12 || san["status"] != "IMPOSED" {
			t.Fatalf("sanction %v", san)
		}
		st := c.standing("seller", "S1")
		if num(st["points"].(map[string]any)["B"]) != 12 || len(st["active_sanctions"].([]any)) != 1 {
			t.Fatalf("standing %v", st)
		}
		// The seller is notified: the recorded event's message names it.
		recs, err := e.Store.Events(ctx, service.AggViolation, id, 0, 0)
		if err != nil || len(recs) != 1 || recs[0].Type != "recorded" {
			t.Fatalf("events %v %v", recs, err)
		}
		if n := outboxFor(t, e, id, "violation.recorded", `"seller_id":"S1"`); n != 1 {
			t.Fatalf("%d notifications to the seller", n)
		}
		// Another seller does not see it; the seller does.
		if r := e.Do(apitest.Req{Method: "GET", Path: "/v1/violations/" + id, Key: e.Key("seller", "S2")}); r.Status != 404 {
			t.Fatalf("another seller sees the violation: %d", r.Status)
		}
		e.Must(200, apitest.Req{Method: "GET", Path: "/v1/violations/" + id, Key: e.Key("seller", "S1")})
		act := func(action, key string, b any) apitest.Resp {
			return e.Do(apitest.Req{Method: "POST", Path: "/v1/violations/" + id + "/" + action, Key: key, Body: b})
		}
		if r := act("appeal", e.Key("seller", "S1"), map[string]any{"reason": "不同意"}); r.Status != 400 {
			t.Fatalf("appeal without grounds: %d %s", r.Status, r.Body)
		}
		if r := act("decide-appeal", c.senior, map[string]any{"revoke": true, "reason": "x", "rule_ids": []string{"seed-appeal-once"}}); r.Status != 409 {
			t.Fatalf("decision before an appeal: %d %s", r.Status, r.Body)
		}
		if r := act("appeal", e.Key("seller", "S1"), map[string]any{"reason": "手机号为买家本人要求公开的售后联系方式", "evidence_ids": []string{"ev-chat-9"}}); r.Status != 200 || r.Str("status") != "appealed" {
			t.Fatalf("appeal: %d %s", r.Status, r.Body)
		}
		if r := act("appeal", e.Key("seller", "S1"), map[string]any{"reason": "again", "evidence_ids": []string{"ev-chat-10"}}); r.Status != 409 {
			t.Fatalf("second appeal: %d %s", r.Status, r.Body)
		}
		if r := act("decide-appeal", c.agent, map[string]any{"revoke": true, "reason": "x", "rule_ids": []string{"seed-appeal-once"}}); r.Status != 403 {
			t.Fatalf("an agent decided the appeal: %d", r.Status)
		}
		r = act("decide-appeal", c.senior, map[string]any{"revoke": true, "reason": "聊天记录显示买家要求公开联系方式", "rule_ids": []string{"seed-appeal-once", "seed-violation-personal-data"}})
		if r.Status != 200 || r.Str("status") != "revoked" {
			t.Fatalf("decide: %d %s", r.Status, r.Body)
		}
		san = e.Must(200, apitest.Req{Method: "GET", Path: "/v1/sanctions/" + san["id"].(string), Key: c.agent}).JSON()
		if san["status"] != "REVOKED" {
			t.Fatalf("sanction after the revocation: %v", san)
		}
		st = c.standing("seller", "S1")
		if num(st["points"].(map[string]any)["B"]) != 0 || len(st["active_sanctions"].([]any)) != 0 {
			t.Fatalf("standing after the revocation %v", st)
		}
		// No money moved.
		if c.balance(ledger.SellerDeposit("S1")) != 0 || c.balance(ledger.Escrow("VB1")) != 10000 {
			t.Fatalf("money moved")
		}
		c.ledgerBalances()
	})
}

// outboxFor counts the outbox messages of a topic of violation id whose
// payload contains s.
func outboxFor(t *testing.T, e *apitest.Env, id, topic, s string) int {
	t.Helper()
	n := 0
	msgs, err := e.Store.ListOutbox(context.Background(), service.AggViolation, id, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Topic == topic && strings.Contains(string(m.Payload), s) {
			n++
		}
	}
	return n
}

// runViolationConformance exercises the violation operations.
func runViolationConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	s1 := e.Key("seller", "S1")
	in := map[string]any{"party_role": "seller", "party_id": "S1", "violation": "personal_data_leak", "class": "B",
		"rule_ids": []string{"seed-violation-personal-data"}, "evidence_ids": []string{"ev-leak-c"}, "reason": "泄露买家信息"}
	v := o.must(201, apitest.Req{Method: "POST", Path: "/v1/violations", Key: e.Agent, Body: in})
	id := v.Str("id")
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/violations", Key: s1, Body: in})
	bad := map[string]any{}
	for k, x := range in {
		bad[k] = x
	}
	bad["class"] = "A"
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/violations", Key: e.Agent, Body: bad})
	bad["class"], bad["party_id"] = "B", "S404"
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/violations", Key: e.Agent, Body: bad})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/violations/" + id, Key: s1})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/violations/no-such", Key: e.Agent})
	for _, a := range []string{"appeal", "decide-appeal"} {
		o.fail(404, apitest.Req{Method: "POST", Path: "/v1/violations/no-such/" + a, Key: e.Key("senior_agent", ""), Body: map[string]any{"reason": "r", "rule_ids": []string{"seed-appeal-once"}}})
	}
	o.fail(409, apitest.Req{Method: "POST", Path: "/v1/violations/" + id + "/decide-appeal", Key: e.Key("senior_agent", ""), Body: map[string]any{"revoke": false, "reason": "r", "rule_ids": []string{"seed-appeal-once"}}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/violations/" + id + "/appeal", Key: s1, Body: map[string]any{"reason": "不同意"}})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/violations/" + id + "/appeal", Key: e.Agent, Body: map[string]any{"reason": "x", "evidence_ids": []string{"ev-n"}}})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/violations/" + id + "/appeal", Key: s1, Body: map[string]any{"reason": "有新证据", "evidence_ids": []string{"ev-new-c"}}})
	o.fail(409, apitest.Req{Method: "POST", Path: "/v1/violations/" + id + "/appeal", Key: s1, Body: map[string]any{"reason": "again", "evidence_ids": []string{"ev-new-d"}}})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/violations/" + id + "/decide-appeal", Key: e.Agent, Body: map[string]any{"revoke": true, "reason": "r", "rule_ids": []string{"seed-appeal-once"}}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/violations/" + id + "/decide-appeal", Key: e.Key("senior_agent", ""), Body: map[string]any{"revoke": true, "reason": " ", "rule_ids": []string{"seed-appeal-once"}}})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/violations/" + id + "/decide-appeal", Key: e.Key("senior_agent", ""), Body: map[string]any{"revoke": true, "reason": "证据成立", "rule_ids": []string{"seed-appeal-once"}}})
}

func init() { routeActions["/v1/violations/{id}/{action}"] = strsOf(penalty.ViolationActions) }

// TestTOPFieldsThroughTheLifecycle (issue 13 items 6 and 8): a request
// keeps its link to its intervention case (dispute_id) through the whole
// lifecycle, cs_status follows the case (1 → 10 → 3 → 11 → 4 → 8) and
// advance_status the advance (0 → 2 → 5); the judged refund's ledger
// transaction carries the judgment's rule_ids.
func TestTOPFieldsThroughTheLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		as := refundOnly(e, "TP1", 19900, apitest.Delivered, "quality_problem")
		get := func() map[string]any {
			return e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as, Key: buyer}).JSON()
		}
		want := func(step string, cs, adv int, caseStatus string) map[string]any {
			t.Helper()
			v := get()
			if num(v["cs_status"]) != int64(cs) || num(v["advance_status"]) != int64(adv) || (caseStatus != "" && v["dispute_status"] != caseStatus) {
				t.Fatalf("%s: cs_status %v advance_status %v dispute_status %v, want %d %d %s", step, v["cs_status"], v["advance_status"], v["dispute_status"], cs, adv, caseStatus)
			}
			return v
		}
		if v := want("requested", 1, 0, ""); v["dispute_id"] != nil {
			t.Fatalf("a request without a case links to %v", v["dispute_id"])
		}
		id := escalateCase(e, as, buyer, seller, map[string]any{"reason": "不同意", "evidence": []string{"说明"}})
		if v := want("evidence", 10, 0, "EVIDENCE"); v["dispute_id"] != id {
			t.Fatalf("dispute_id %v, want %s", v["dispute_id"], id)
		}
		toReview(e, id)
		want("review", 3, 0, "REVIEW")
		judgment := []string{"taobao-dispute-65", "taobao-dispute-66"}
		r := disputeAct(e, id, "judge", e.Agent, map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "卖家未提供进货凭证", "rule_ids": judgment})
		if r.Status != 200 {
			t.Fatalf("judge: %d %s", r.Status, r.Body)
		}
		if v := want("judged", 11, 0, "JUDGED"); v["dispute_id"] != id || v["status"] != "SUCCESS" {
			t.Fatalf("after the judgment %v", v)
		}
		// The judged refund's transaction cites the judgment's rules.
		var refundTx string
		for _, ev := range e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/TP1/events", Key: buyer}).JSON()["items"].([]any) {
			if m := ev.(map[string]any); m["type"] == "refunded" {
				refundTx = m["data"].(map[string]any)["ledger_transaction"].(string)
			}
		}
		lt := c.ledgerTx(refundTx)
		samePostings(t, lt, map[string]money.Fen{"escrow:TP1": -19900, "buyer_payout:B1": 19900})
		hasRules(t, lt, judgment...)
		if r := disputeAct(e, id, "appeal", seller, map[string]any{"reason": "补充进货凭证", "evidence_ids": []string{"ev-invoice"}}); r.Status != 200 {
			t.Fatalf("appeal: %d %s", r.Status, r.Body)
		}
		want("appealed", 4, 0, "APPEALED")
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/claim", Key: c.senior})
		if r := disputeAct(e, id, "decide-appeal", c.senior, map[string]any{"uphold": true, "reason": "进货凭证与商品批次不符，维持原判"}); r.Status != 200 {
			t.Fatalf("decide-appeal: %d %s", r.Status, r.Body)
		}
		want("final", 8, 0, "FINAL")
		// The list shows the same.
		items := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales?order_id=TP1", Key: buyer}).JSON()["items"].([]any)
		if len(items) != 1 || num(items[0].(map[string]any)["cs_status"]) != 8 || items[0].(map[string]any)["dispute_id"] != id {
			t.Fatalf("list %v", items)
		}
		c.ledgerBalances()

		// An advance: advance_status 2, then 5 once the goods are back.
		topUpFund(e, 100000)
		as2, id2 := caseOf(e, "TP2", 30000, "quality_problem", true)
		as = as2
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/advance", Key: e.Agent, Body: map[string]any{"reason": "卖家不配合"}})
		want("advanced", 3, 2, "REVIEW")
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/resolve-advance", Key: e.Agent, Body: map[string]any{"outcome": "returned", "reason": "退货已签收"}})
		if v := want("advance settled", 11, 5, "JUDGED"); v["dispute_id"] != id2 {
			t.Fatalf("dispute_id %v", v["dispute_id"])
		}
		c.ledgerBalances()
	})
}

// realEvidence uploads, once per environment, party and name, the evidence
// a test names ("ev-answer-1") to chain (a complaint, or "draft:<order>"
// before filing), and returns the ids the API gave them: complaint evidence
// ids are checked (they must exist and be the citing party's).
var (
	evidenceMu    sync.Mutex
	evidenceNamed = map[string]string{}
)

func realEvidence(e *apitest.Env, key, chain string, names []string) []string {
	e.T.Helper()
	evidenceMu.Lock()
	defer evidenceMu.Unlock()
	out := make([]string, 0, len(names))
	order := strings.TrimPrefix(chain, "draft:")
	if order == chain {
		if k, err := e.Store.GetComplaint(context.Background(), chain); err == nil {
			order = k.OrderID
		}
	}
	for i, n := range names {
		if _, err := e.Store.EvidenceByID(context.Background(), n); err == nil {
			out = append(out, n) // already a real id
			continue
		}
		k := fmt.Sprintf("%p|%s|%s|%s", e, key, order, n)
		id, ok := evidenceNamed[k]
		if !ok {
			r := upload(e, key, chain, "证据 "+n, n+".png", pngBytes(e.T, 8+len(evidenceNamed)%50, 8+i), "")
			if r.Status != 201 {
				e.T.Fatalf("upload %s to %s: %d %s", n, chain, r.Status, r.Body)
			}
			id = r.Str("id")
			evidenceNamed[k] = id
		}
		out = append(out, id)
	}
	return out
}

// withEvidence returns body with its evidence_ids replaced by real uploads
// (see realEvidence).
func withEvidence(e *apitest.Env, key, chain string, body any) any {
	m, ok := body.(map[string]any)
	if !ok {
		return body
	}
	names, ok := m["evidence_ids"].([]string)
	if !ok || len(names) == 0 {
		return body
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	out["evidence_ids"] = realEvidence(e, key, chain, names)
	return out
}

// TestComplaintEvidenceChecked (issue 13 item 7): the evidence a complaint
// cites must exist and be the citing party's; evidence uploaded before
// filing is a draft (case_id draft:<order>) only its uploader sees, which
// joins the complaint when it is filed; evidence uploaded to the complaint
// while it is open joins it; after the decision an upload stays in the
// chain for a second complaint to cite.
func TestComplaintEvidenceChecked(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		b1, s1 := e.Key("buyer", "B1"), e.Key("seller", "S1")
		c.orderFor("seller_harassment", "EV1", "B1", "S1")
		c.orderFor("seller_harassment", "EV2", "B1", "S1")
		file := func(order string, ids []string) apitest.Resp {
			return e.Do(apitest.Req{Method: "POST", Path: "/v1/complaints", Key: b1, Body: map[string]any{"type": "seller_harassment", "order_id": order,
				"occurred_at": e.Clock.Now().Add(-time.Hour).Format(time.RFC3339), "description": "卖家辱骂", "claim": map[string]any{"text": "处理"}, "evidence_ids": ids}})
		}
		if r := file("EV1", []string{"ev-made-up"}); r.Status != 400 || problemField(r) != "evidence_ids[0]" {
			t.Fatalf("made-up evidence: %d %s", r.Status, r.Body)
		}
		d := upload(e, b1, "draft:EV1", "聊天记录", "chat.png", pngBytes(t, 20, 10), "")
		if d.Status != 201 || d.Str("case_id") != "draft:EV1:buyer:B1" {
			t.Fatalf("draft upload: %d %s", d.Status, d.Body)
		}
		draft := d.Str("id")
		if items := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=draft:EV1", Key: s1}).JSON()["items"].([]any); len(items) != 0 {
			t.Fatalf("the seller sees the buyer's drafts: %v", items)
		}
		e.Must(404, apitest.Req{Method: "GET", Path: d.Str("content_url"), Key: s1})
		sd := upload(e, s1, "draft:EV1", "卖家的", "s.png", pngBytes(t, 11, 11), "")
		if r := file("EV1", []string{sd.Str("id")}); r.Status != 400 || problemField(r) != "evidence_ids[0]" {
			t.Fatalf("the seller's evidence cited by the buyer: %d %s", r.Status, r.Body)
		}
		r := file("EV1", []string{draft})
		if r.Status != 201 {
			t.Fatalf("file: %d %s", r.Status, r.Body)
		}
		id := r.Str("id")
		// The draft joined the complaint's chain: both parties see it now.
		items := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + id, Key: s1}).JSON()["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["id"] != draft {
			t.Fatalf("complaint chain %v", items)
		}
		e.Must(200, apitest.Req{Method: "GET", Path: d.Str("content_url"), Key: s1})
		if r := file("EV2", []string{draft}); r.Status != 400 || problemField(r) != "evidence_ids[0]" {
			t.Fatalf("evidence of another complaint: %d %s", r.Status, r.Body)
		}
		// Uploads while the complaint is open join it.
		sv := upload(e, s1, id, "卖家回应截图", "answer.png", pngBytes(t, 13, 9), "").Str("id")
		bv := upload(e, b1, id, "补充录音", "more.png", pngBytes(t, 9, 13), "").Str("id")
		v := c.get(id)
		if !slices.Equal(anyStrings(v["evidence_ids"]), []string{draft, bv}) || !slices.Equal(anyStrings(v["respondent_evidence_ids"]), []string{sv}) {
			t.Fatalf("complaint evidence %v / %v", v["evidence_ids"], v["respondent_evidence_ids"])
		}
		c.mustAct(id, "respond", s1, map[string]any{"statement": "没有辱骂", "evidence_ids": []string{sv}})
		c.mustAct(id, "decide", c.agent, map[string]any{"verdict": "rejected", "reason": "证据不足", "rule_ids": []string{"seed-complaint-seller-harassment"}})
		// After the decision an upload stays in the chain; the second complaint cites it as new.
		late := upload(e, b1, id, "完整聊天记录", "full.png", pngBytes(t, 17, 17), "").Str("id")
		if v := c.get(id); len(v["evidence_ids"].([]any)) != 2 {
			t.Fatalf("a late upload joined a decided complaint: %v", v["evidence_ids"])
		}
		if r := c.act(id, "second-complaint", b1, map[string]any{"reason": "补充证据", "evidence_ids": []string{late}}); r.Status != 200 || r.Str("status") != "SECOND_REVIEW" {
			t.Fatalf("second complaint: %d %s", r.Status, r.Body)
		}
		recs, err := e.Store.Events(context.Background(), service.AggComplaint, id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, r := range recs {
			types = append(types, r.Type)
		}
		if !slices.Equal(types, []string{"filed", "evidence_added", "evidence_added", "responded", "decided", "second_complaint_filed"}) {
			t.Fatalf("events %v", types)
		}
		c.replays(id)
		c.ledgerBalances()
	})
}

// TestPerItemRefunds (issue 13, per-item refunds): a request targets one or
// more items (子订单) of an order, its amount capped by what they can still
// refund; requests for different items are open together, one for an item
// already held is refused, and a whole-order request waits for them; each
// refund moves exactly its amount out of escrow and is recorded on its
// items; the order's auto-confirmation resumes only when the last request
// ends.
func TestPerItemRefunds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		now := e.Clock.Now()
		e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/PI1", Key: e.Integration, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1",
			"category": "女装", "amount": 30000, "postage": 0, "items": []map[string]any{
				{"id": "oid-1", "title": "外套", "quantity": 1, "price": 20000}, {"id": "oid-2", "title": "围巾", "quantity": 2, "price": 5000}}}})
		for _, f := range []map[string]any{fact("paid", now.Add(-48*time.Hour)), fact("shipped", now.Add(-40*time.Hour), "carrier", "SF", "tracking_no", "SF-PI1"),
			fact("delivered", now.Add(-24*time.Hour), "signed_by", "本人")} {
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/PI1/events", Key: e.Integration, Body: f})
		}
		open := func(items []string, amount int) apitest.Resp {
			return e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: buyer,
				Body: map[string]any{"order_id": "PI1", "type": "refund_only", "reason": "quality_problem", "amount": amount, "items": items}})
		}
		if r := open([]string{"oid-1"}, 20001); r.Status != 400 || problemField(r) != "amount" {
			t.Fatalf("above the item's price: %d %s", r.Status, r.Body)
		}
		if r := open([]string{"oid-9"}, 100); r.Status != 400 || problemField(r) != "items[0]" {
			t.Fatalf("unknown item: %d %s", r.Status, r.Body)
		}
		a1 := open([]string{"oid-1"}, 20000)
		if a1.Status != 201 || !slices.Equal(anyStrings(a1.JSON()["items"]), []string{"oid-1"}) {
			t.Fatalf("item request: %d %s", a1.Status, a1.Body)
		}
		a2 := open([]string{"oid-2"}, 6000)
		if a2.Status != 201 {
			t.Fatalf("a second item's request: %d %s", a2.Status, a2.Body)
		}
		if r := open([]string{"oid-1"}, 100); r.Status != 409 || !strings.Contains(r.Str("detail"), a1.Str("id")) {
			t.Fatalf("an item held by an open request: %d %s", r.Status, r.Body)
		}
		if r := open(nil, 100); r.Status != 409 {
			t.Fatalf("a whole-order request while items are open: %d %s", r.Status, r.Body)
		}
		paused := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/PI1", Key: buyer}).JSON()["auto_confirm_paused_at"]
		if paused == nil {
			t.Fatalf("auto-confirmation not paused")
		}
		// The first is agreed: 20 000 leave escrow for item oid-1.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a1.Str("id") + "/agree", Key: seller, Body: agreeReturn})
		o := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/PI1", Key: buyer}).JSON()
		if num(o["refunded"]) != 20000 || num(o["item_refunded"].(map[string]any)["oid-1"]) != 20000 || o["auto_confirm_paused_at"] == nil {
			t.Fatalf("after the first refund %v", o)
		}
		var refundTx string
		for _, ev := range e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/PI1/events", Key: buyer}).JSON()["items"].([]any) {
			if m := ev.(map[string]any); m["type"] == "refunded" {
				refundTx = m["data"].(map[string]any)["ledger_transaction"].(string)
			}
		}
		samePostings(t, c.ledgerTx(refundTx), map[string]money.Fen{"escrow:PI1": -20000, "buyer_payout:B1": 20000})
		// oid-1 is fully refunded: a new request on it has nothing to refund.
		if r := open([]string{"oid-1"}, 1); r.Status != 400 || problemField(r) != "amount" {
			t.Fatalf("a refunded item: %d %s", r.Status, r.Body)
		}
		// The second ends: the clock resumes.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a2.Str("id") + "/cancel", Key: buyer, Body: map[string]any{"reason": "不退了"}})
		if o := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/PI1", Key: buyer}).JSON(); o["auto_confirm_paused_at"] != nil {
			t.Fatalf("still paused after the last request ended: %v", o)
		}
		if c.balance(ledger.Escrow("PI1")) != 10000 {
			t.Fatalf("escrow %s", c.balance(ledger.Escrow("PI1")))
		}
		c.ledgerBalances()
	})
}
