package ledger_test

import (
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/ledger"
)

// Appeal overturns: ledger.RecoverRefund takes escrow, then the seller's available
// balance, then the deposit, the rest a shortfall; ledger.Restitute pays the seller
// from the fund (short when the fund is), and fund_whole counts it.
func TestOverturnBuilders(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	m := func(id string) ledger.Meta { return ledger.Meta{ID: id, OrderID: "O1", Ref: "dispute/C1", At: at} }
	b := ledger.Balances{}
	apply := func(p ledger.Plan) {
		t.Helper()
		for _, tx := range p.Transactions {
			var err error
			if b, err = ledger.Apply(b, tx); err != nil {
				t.Fatal(err)
			}
		}
	}
	var txs []ledger.Transaction
	add := func(p ledger.Plan) { apply(p); txs = append(txs, p.Transactions...) }
	capital, _ := ledger.TopUpFund(ledger.Meta{ID: "cap", At: at}, 5000)
	pay, _ := ledger.Pay(m("pay"), 10000)
	dep, _ := ledger.TopUpDeposit(ledger.Meta{ID: "dep", At: at}, "S", 3000)
	add(ledger.Plan{Transactions: []ledger.Transaction{capital, pay, dep}})
	rel, _ := ledger.Release(m("rel"), "S", b)
	add(rel)
	wd, _ := ledger.Withdraw(ledger.Meta{ID: "wd", At: at}, ledger.SellerAvailable("S"), 6000)
	add(ledger.Plan{Transactions: []ledger.Transaction{wd}})
	p, err := ledger.RecoverRefund(m("appeal-refund"), "B", "S", 9000, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Transactions) != 1 || len(p.Shortfalls) != 1 || p.Shortfalls[0].Missing != 2000 {
		t.Fatalf("recover plan %+v", p)
	}
	add(p)
	if b[ledger.BuyerPayout("B")] != 7000 || b[ledger.SellerAvailable("S")] != 0 || b[ledger.SellerDeposit("S")] != 0 {
		t.Fatalf("balances %v", b)
	}
	r, err := ledger.Restitute(m("restitution"), "S", 4000, 2000, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Shortfalls) != 1 || r.Shortfalls[0].Missing != 1000 || r.Shortfalls[0].To != ledger.SellerDeposit("S") {
		t.Fatalf("restitution plan %+v", r)
	}
	add(r)
	if b[ledger.GuaranteeFund()] != 0 || b[ledger.SellerAvailable("S")] != 4000 || b[ledger.SellerDeposit("S")] != 1000 {
		t.Fatalf("after restitution %v", b)
	}
	rec := ledger.NewReconciler()
	for _, tx := range txs {
		if v := rec.Add(tx); v != nil {
			t.Fatal(v)
		}
	}
	if err := rec.FundWhole(b); err != nil || rec.FundBorne != 5000 {
		t.Fatalf("fund whole: %v, borne %d", err, rec.FundBorne)
	}
	o := rec.Order("O1")
	if o.RefundedFromDeposit != 3000 || o.RefundedAfterRelease != 4000 || o.Restituted != 5000 || o.BuyerRefunded() != 7000 || o.Identity() != nil {
		t.Fatalf("order totals %+v", o)
	}
	// A restitution may not go to the buyer, and a refund may not come from the fund.
	bad := r.Transactions[0]
	bad.ID, bad.Postings = "bad", []ledger.Posting{{ledger.GuaranteeFund(), -1}, {ledger.BuyerPayout("B"), 1}}
	if err := ledger.Validate(bad); err == nil {
		t.Fatal("fund_restitution to a buyer validated")
	}
}
