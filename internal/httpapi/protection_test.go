package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
)

// Tests of the protection services (issue 13, "What to add"): 保证金 frozen
// per case, 假一赔十, 运费险. Each asserts the exact postings and rule IDs
// and runs ledger check after each step.

// noLedgerTx fails when transaction id was posted.
func (c *cx) noLedgerTx(id string) {
	c.t.Helper()
	if _, err := c.e.Store.LedgerTransaction(context.Background(), id); err == nil {
		c.t.Fatalf("transaction %s was posted", id)
	}
}

// TestDepositFrozenPerCase: a case freezes the amount in dispute in the
// seller's deposit (as much as it holds); the judgment releases it before
// drawing its compensation, a withdrawal releases it; a seller below the
// rule book's required deposit is flagged in its standing.
func TestDepositFrozenPerCase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		c.deposit("S1", 50000)
		_, id1 := caseOf(e, "DF1", 20000, "quality_problem", true)
		fr := c.ledgerTx("dispute:" + id1 + "/deposit-freeze")
		samePostings(t, fr, map[string]money.Fen{"seller_deposit:S1": -20000, "deposit_frozen:S1": 20000})
		hasRules(t, fr, "seed-deposit-freeze-per-case")
		if fr.Kind != ledger.TxDepositFreeze || c.balance(ledger.SellerDeposit("S1")) != 30000 {
			t.Fatalf("freeze %+v deposit %s", fr, c.balance(ledger.SellerDeposit("S1")))
		}
		st := c.standing("seller", "S1")["money"].(map[string]any)
		if num(st["deposit"]) != 30000 || num(st["deposit_frozen"]) != 20000 || num(st["deposit_required"]) != 100000 ||
			st["deposit_short"] != true || st["deposit_rule_id"] != "cn-law-ecommerce-58" {
			t.Fatalf("standing money %v", st)
		}
		c.ledgerBalances()

		// A second case claims 40 000: the deposit holds 30 000, all frozen.
		_, id2 := caseOf(e, "DF2", 40000, "quality_problem", false)
		samePostings(t, c.ledgerTx("dispute:"+id2+"/deposit-freeze"), map[string]money.Fen{"seller_deposit:S1": -30000, "deposit_frozen:S1": 30000})
		c.ledgerBalances()

		// The first is judged with 5 000 compensation: its 20 000 is released,
		// then the compensation is drawn from the released deposit.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id1 + "/judge", Key: e.Agent, Body: map[string]any{"outcome": "refund_full", "fault": "seller",
			"reason": "质量问题属实", "rule_ids": []string{"taobao-dispute-66"}, "compensation": 5000}})
		rel := c.ledgerTx("dispute:" + id1 + "/deposit-release")
		samePostings(t, rel, map[string]money.Fen{"deposit_frozen:S1": -20000, "seller_deposit:S1": 20000})
		hasRules(t, rel, "seed-deposit-freeze-per-case")
		samePostings(t, c.ledgerTx("dispute:"+id1+"/compensation"), map[string]money.Fen{"seller_deposit:S1": -5000, "buyer_payout:B1": 5000})
		if c.balance(ledger.SellerDeposit("S1")) != 15000 || c.balance(ledger.DepositFrozen("S1")) != 30000 {
			t.Fatalf("after the judgment: deposit %s frozen %s", c.balance(ledger.SellerDeposit("S1")), c.balance(ledger.DepositFrozen("S1")))
		}
		c.ledgerBalances()

		// The buyer withdraws the second: its 30 000 is released.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/withdraw", Key: e.Key("buyer", "B1"), Body: map[string]any{"reason": "已协商"}})
		samePostings(t, c.ledgerTx("dispute:"+id2+"/deposit-release"), map[string]money.Fen{"deposit_frozen:S1": -30000, "seller_deposit:S1": 30000})
		if c.balance(ledger.SellerDeposit("S1")) != 45000 || c.balance(ledger.DepositFrozen("S1")) != 0 {
			t.Fatalf("after the withdrawal: deposit %s frozen %s", c.balance(ledger.SellerDeposit("S1")), c.balance(ledger.DepositFrozen("S1")))
		}
		c.ledgerBalances()

		// The seller settles a third case by agreeing to the request: the
		// case is withdrawn and its freeze released.
		as3, id3 := caseOf(e, "DF3", 6000, "quality_problem", false)
		samePostings(t, c.ledgerTx("dispute:"+id3+"/deposit-freeze"), map[string]money.Fen{"seller_deposit:S1": -6000, "deposit_frozen:S1": 6000})
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as3 + "/agree", Key: e.Key("seller", "S1")})
		samePostings(t, c.ledgerTx("dispute:"+id3+"/deposit-release"), map[string]money.Fen{"deposit_frozen:S1": -6000, "seller_deposit:S1": 6000})
		if c.balance(ledger.SellerDeposit("S1")) != 45000 || c.balance(ledger.DepositFrozen("S1")) != 0 {
			t.Fatalf("after the settlement: deposit %s frozen %s", c.balance(ledger.SellerDeposit("S1")), c.balance(ledger.DepositFrozen("S1")))
		}
		c.ledgerBalances()

		// Topped up to the required deposit: no longer flagged.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: e.Admin, Body: map[string]any{"amount": 55000}})
		if st := c.standing("seller", "S1")["money"].(map[string]any); st["deposit_short"] != false || num(st["deposit"]) != 100000 {
			t.Fatalf("standing money after the top-up %v", st)
		}
		c.ledgerBalances()
	})
}

// TestCounterfeitPledge (假一赔十): the marketplace sets a shop's pledge;
// a counterfeit judgment against it pays the buyer the refund plus 10 ×
// the goods' price, from the deposit, the fund advancing the rest as the
// seller's receivable, which the next top-up and release recover (arts.
// 86–87). Without the pledge nothing more is paid.
func TestCounterfeitPledge(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		topUpFund(e, 100000)
		c.deposit("S1", 30000)
		if r := e.Do(apitest.Req{Method: "PUT", Path: "/v1/sellers/S1/pledge", Key: e.Key("seller", "S1"), Body: map[string]any{}}); r.Status != 403 {
			t.Fatalf("a seller setting its own pledge: %d", r.Status)
		}
		if r := e.Do(apitest.Req{Method: "PUT", Path: "/v1/sellers/S1/pledge", Key: e.Integration, Body: map[string]any{"multiple": 1000}}); r.Status/100 != 4 || problemField(r) != "multiple" {
			t.Fatalf("multiple 1000: %d %s", r.Status, r.Body)
		}
		p := e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/sellers/S1/pledge", Key: e.Integration, Body: map[string]any{"reason": "店铺加入假一赔十"}}).JSON()
		if p["active"] != true || num(p["multiple"]) != 10 || p["rule_id"] != "seed-counterfeit-pledge" {
			t.Fatalf("pledge %v", p)
		}
		if g := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/sellers/S1/pledge", Key: e.Key("buyer", "B1")}).JSON(); g["active"] != true || num(g["version"]) != 1 {
			t.Fatalf("pledge read by a buyer %v", g)
		}

		_, id := caseOf(e, "CF1", 5000, "counterfeit", true)
		v := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/judge", Key: e.Agent, Body: map[string]any{"outcome": "refund_full", "fault": "seller",
			"reason": "售假属实", "rule_ids": []string{"taobao-dispute-66"}}}).JSON()
		j := v["judgment"].(map[string]any)
		pl, _ := j["pledge"].(map[string]any)
		if pl == nil || num(pl["multiple"]) != 10 || num(pl["price"]) != 5000 || num(pl["amount"]) != 50000 || num(pl["from_deposit"]) != 30000 ||
			num(pl["advanced_by_fund"]) != 20000 || !containsStr(anyStrings(j["rule_ids"]), "seed-counterfeit-pledge") {
			t.Fatalf("judgment %v", j)
		}
		// The freeze of 5 000 was released first, so the deposit pays 30 000.
		samePostings(t, c.ledgerTx("dispute:"+id+"/deposit-release"), map[string]money.Fen{"deposit_frozen:S1": -5000, "seller_deposit:S1": 5000})
		dep := c.ledgerTx("dispute:" + id + "/pledge")
		samePostings(t, dep, map[string]money.Fen{"seller_deposit:S1": -30000, "buyer_payout:B1": 30000})
		hasRules(t, dep, "seed-counterfeit-pledge", "taobao-dispute-66", "taobao-dispute-86")
		fund := c.ledgerTx("dispute:" + id + "/pledge/fund")
		samePostings(t, fund, map[string]money.Fen{"guarantee_fund": -20000, "buyer_payout:B1": 20000})
		hasRules(t, fund, "seed-counterfeit-pledge", "seed-advance-payment", "taobao-dispute-87")
		recv := c.ledgerTx("dispute:" + id + "/pledge/receivable")
		samePostings(t, recv, map[string]money.Fen{"external:seller_debt": -20000, "fund_receivable:S1": 20000})
		if dep.Kind != ledger.TxCompensationFromDeposit || fund.Kind != ledger.TxFundCompensation || recv.Kind != ledger.TxRecordReceivable {
			t.Fatalf("kinds %s %s %s", dep.Kind, fund.Kind, recv.Kind)
		}
		if c.balance(ledger.BuyerPayout("B1")) != 5000+50000 || c.balance(ledger.FundReceivable("S1")) != 20000 || c.balance(ledger.GuaranteeFund()) != 80000 {
			t.Fatalf("payout %s receivable %s fund %s", c.balance(ledger.BuyerPayout("B1")), c.balance(ledger.FundReceivable("S1")), c.balance(ledger.GuaranteeFund()))
		}
		c.ledgerBalances()

		// Recovered like every receivable: a top-up of 8 000, then a release of 15 000.
		top := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: e.Admin, Body: map[string]any{"amount": 8000}}).JSON()
		r := c.ledgerTx(top["id"].(string) + "/recover")
		samePostings(t, r, map[string]money.Fen{"seller_deposit:S1": -8000, "guarantee_fund": 8000, "fund_receivable:S1": -8000, "external:seller_debt": 8000})
		hasRules(t, r, "ours-receivable-recovery", "taobao-dispute-86", "taobao-dispute-87")
		c.ledgerBalances()
		e.NewOrder("CF2", "B2", "S1", 15000, apitest.Completed)
		samePostings(t, c.ledgerTx("release:CF2/recover"), map[string]money.Fen{"seller_available:S1": -12000, "guarantee_fund": 12000, "fund_receivable:S1": -12000, "external:seller_debt": 12000})
		if c.balance(ledger.FundReceivable("S1")) != 0 || c.balance(ledger.GuaranteeFund()) != 100000 {
			t.Fatalf("after recovery: receivable %s fund %s", c.balance(ledger.FundReceivable("S1")), c.balance(ledger.GuaranteeFund()))
		}
		c.ledgerBalances()

		// The pledge withdrawn: a counterfeit judgment pays the refund only.
		w := e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/sellers/S1/pledge", Key: e.Admin, Body: map[string]any{"active": false, "reason": "退出"}}).JSON()
		if w["active"] != false || num(w["version"]) != 2 {
			t.Fatalf("withdrawn pledge %v", w)
		}
		_, id2 := caseOf(e, "CF3", 4000, "counterfeit", true)
		v = e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/judge", Key: e.Agent, Body: map[string]any{"outcome": "refund_full", "fault": "seller",
			"reason": "售假属实", "rule_ids": []string{"taobao-dispute-66"}}}).JSON()
		if v["judgment"].(map[string]any)["pledge"] != nil {
			t.Fatalf("an unpledged seller paid a pledge: %v", v["judgment"])
		}
		c.noLedgerTx("dispute:" + id2 + "/pledge")
		c.ledgerBalances()
	})
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestShippingInsurance (运费险): an insured order books its premium to
// the insurer at payment; its refunded return has the postage paid by the
// insurer in the same command (capped by the rule book); an uninsured
// order gets nothing.
func TestShippingInsurance(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		now := e.Clock.Now()
		b1, s1 := e.Key("buyer", "B1"), e.Key("seller", "S1")
		ret := func(orderID string, insured bool, postage int64) string {
			t.Helper()
			e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + orderID, Key: e.Integration, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1",
				"category": "女装", "amount": 10000, "postage": 0, "shipping_insurance": insured, "items": []map[string]any{{"title": "连衣裙", "quantity": 1, "price": 10000}}}})
			for _, f := range []map[string]any{fact("paid", now.Add(-72*time.Hour)), fact("shipped", now.Add(-48*time.Hour), "carrier", "SF", "tracking_no", "SF-"+orderID),
				fact("delivered", now.Add(-24*time.Hour))} {
				e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/events", Key: e.Integration, Body: f})
			}
			as := e.Aftersale(orderID, "B1", map[string]any{"type": "return_and_refund", "reason": "no_reason_7day", "amount": 10000})
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/agree", Key: s1, Body: map[string]any{"return_address": returnAddress}})
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/ship-return", Key: b1, Body: map[string]any{"carrier": "YTO", "tracking_no": "YT-" + orderID, "postage": postage}})
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/confirm-return", Key: s1, Body: map[string]any{}})
			return as
		}
		as1 := ret("IN1", true, 1800)
		prem := c.ledgerTx("premium:IN1")
		samePostings(t, prem, map[string]money.Fen{"external:insurance_premium": -150, "insurer:return_shipping": 150})
		hasRules(t, prem, "seed-shipping-insurance-premium")
		claim := c.ledgerTx("insurance:" + as1)
		samePostings(t, claim, map[string]money.Fen{"insurer:return_shipping": -1800, "buyer_payout:B1": 1800})
		hasRules(t, claim, "seed-shipping-insurance-claim")
		if prem.Kind != ledger.TxInsurancePremium || claim.Kind != ledger.TxInsuranceClaim || claim.OrderID != "IN1" || c.balance(ledger.BuyerPayout("B1")) != 10000+1800 {
			t.Fatalf("premium %+v claim %+v payout %s", prem, claim, c.balance(ledger.BuyerPayout("B1")))
		}
		c.ledgerBalances()

		// Postage above the cap: the insurer pays the cap (2 500).
		as2 := ret("IN2", true, 4000)
		samePostings(t, c.ledgerTx("insurance:"+as2), map[string]money.Fen{"insurer:return_shipping": -2500, "buyer_payout:B1": 2500})
		c.ledgerBalances()

		// Not insured: no premium, no claim.
		as3 := ret("IN3", false, 1800)
		c.noLedgerTx("premium:IN3")
		c.noLedgerTx("insurance:" + as3)
		if c.balance(ledger.BuyerPayout("B1")) != 3*10000+1800+2500 {
			t.Fatalf("payout %s", c.balance(ledger.BuyerPayout("B1")))
		}
		c.ledgerBalances()

		// The seller never confirms the insured return: the deadline refunds
		// (public-seller-confirm-10d) and the insurer pays with it.
		e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/IN4", Key: e.Integration, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1",
			"category": "女装", "amount": 10000, "postage": 0, "shipping_insurance": true, "items": []map[string]any{{"title": "连衣裙", "quantity": 1, "price": 10000}}}})
		for _, f := range []map[string]any{fact("paid", now.Add(-72*time.Hour)), fact("shipped", now.Add(-48*time.Hour), "carrier", "SF", "tracking_no", "SF-IN4"),
			fact("delivered", now.Add(-24*time.Hour))} {
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/IN4/events", Key: e.Integration, Body: f})
		}
		as4 := e.Aftersale("IN4", "B1", map[string]any{"type": "return_and_refund", "reason": "no_reason_7day", "amount": 10000})
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as4 + "/agree", Key: s1, Body: map[string]any{"return_address": returnAddress}})
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as4 + "/ship-return", Key: b1, Body: map[string]any{"carrier": "YTO", "tracking_no": "YT-IN4", "postage": 900}})
		c.noLedgerTx("insurance:" + as4)
		e.Clock.Advance(10*24*time.Hour + time.Minute)
		if _, err := e.Svc.FireDue(context.Background(), 100); err != nil {
			t.Fatalf("fire: %v", err)
		}
		if a := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as4, Key: b1}).JSON(); a["status"] != "SUCCESS" {
			t.Fatalf("after the seller's deadline: %v", a["status"])
		}
		samePostings(t, c.ledgerTx("insurance:"+as4), map[string]money.Fen{"insurer:return_shipping": -900, "buyer_payout:B1": 900})
		c.ledgerBalances()
	})
}

// runProtectionConformance exercises the pledge routes in the OpenAPI
// conformance run.
func runProtectionConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	e.NewOrder("OCP1", "B1", "S9", 1000, apitest.Paid)
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/sellers/no-such-seller/pledge", Key: e.Key("buyer", "B1")})
	if p := o.must(200, apitest.Req{Method: "GET", Path: "/v1/sellers/S9/pledge", Key: e.Key("buyer", "B1")}).JSON(); p["active"] != false || num(p["version"]) != 0 {
		t.Errorf("a pledge never set: %v", p)
	}
	o.fail(403, apitest.Req{Method: "PUT", Path: "/v1/sellers/S9/pledge", Key: e.Key("seller", "S9"), Body: map[string]any{"multiple": 10}})
	o.fail(400, apitest.Req{Method: "PUT", Path: "/v1/sellers/S9/pledge", Key: e.Integration, Body: map[string]any{"multiple": 101}})
	if p := o.must(200, apitest.Req{Method: "PUT", Path: "/v1/sellers/S9/pledge", Key: e.Integration, Body: map[string]any{"multiple": 3, "reason": "加入"}}).JSON(); p["active"] != true || num(p["multiple"]) != 3 {
		t.Errorf("pledge set: %v", p)
	}
}

// TestCounterfeitPledgeOverturned: the seller's appeal overturns a
// counterfeit judgment that paid its pledge: the fund gives back what the
// seller paid (the deposit part and what its top-up repaid of the advance)
// with the refund, writes off the rest of the receivable, and the buyer
// keeps the money as the platform's recovery claim (ours-appeal-overturn).
func TestCounterfeitPledgeOverturned(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		topUpFund(e, 100000)
		c.deposit("S1", 30000)
		e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/sellers/S1/pledge", Key: e.Integration, Body: map[string]any{}})
		_, id := caseOf(e, "CO1", 5000, "counterfeit", true)
		judgeThenAppeal(t, e, id, "seller", map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "售假", "rule_ids": []string{"taobao-dispute-66"}})
		if c.balance(ledger.FundReceivable("S1")) != 20000 {
			t.Fatalf("receivable after the pledge %s", c.balance(ledger.FundReceivable("S1")))
		}
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: e.Admin, Body: map[string]any{"amount": 8000}})
		c.ledgerBalances()

		v := decide(t, e, id, map[string]any{"outcome": "release_to_seller", "fault": "buyer", "reason": "鉴定为正品", "rule_ids": []string{"taobao-dispute-66"}})
		rev := revisionOf(t, v)
		if num(rev["pledge_returned"]) != 50000 || num(rev["restitution"]) != 43000 || num(rev["recovery_claim"]) != 55000 {
			t.Fatalf("revision %v", rev)
		}
		wo := c.ledgerTx("dispute:" + id + "/appeal-pledge-write-off")
		samePostings(t, wo, map[string]money.Fen{"fund_receivable:S1": -12000, "external:seller_debt": 12000})
		hasRules(t, wo, "ours-appeal-overturn")
		if wo.Kind != ledger.TxWriteOffReceivable {
			t.Fatalf("write-off kind %s", wo.Kind)
		}
		samePostings(t, c.ledgerTx("dispute:"+id+"/appeal-restitution"), map[string]money.Fen{"guarantee_fund": -43000, "seller_available:S1": 5000, "seller_deposit:S1": 38000})
		if c.balance(ledger.FundReceivable("S1")) != 0 || c.balance(ledger.SellerDeposit("S1")) != 38000 || c.balance(ledger.GuaranteeFund()) != 45000 ||
			c.balance(ledger.BuyerPayout("B1")) != 55000 {
			t.Fatalf("receivable %s deposit %s fund %s payout %s", c.balance(ledger.FundReceivable("S1")), c.balance(ledger.SellerDeposit("S1")),
				c.balance(ledger.GuaranteeFund()), c.balance(ledger.BuyerPayout("B1")))
		}
		c.ledgerBalances()
	})
}

// returnAddress is the seller's return address given on agreeing to a
// return (required since the negotiation record).
var returnAddress = map[string]any{"name": "售后部", "phone": "13912345678", "address": "浙江省杭州市西湖区文三路100号"}
