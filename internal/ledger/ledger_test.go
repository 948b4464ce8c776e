package ledger_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func p(a ledger.Account, amt money.Fen) ledger.Posting {
	return ledger.Posting{Account: a, Amount: amt}
}

func refundTx() ledger.Transaction {
	return ledger.Transaction{ID: "tx1", Kind: ledger.TxRefund, OrderID: "T1", Ref: "A1", RuleIDs: []string{"ours-refund-cap"}, At: t0,
		Postings: []ledger.Posting{p(ledger.Escrow("T1"), -100), p(ledger.BuyerPayout("B1"), 100)}}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*ledger.Transaction)
		inv  ledger.Invariant
		line int
	}{
		{"ok", func(*ledger.Transaction) {}, "", 0},
		{"no id", func(tx *ledger.Transaction) { tx.ID = "" }, ledger.InvHeader, 0},
		{"unknown kind", func(tx *ledger.Transaction) { tx.Kind = "gift" }, ledger.InvHeader, 0},
		{"no time", func(tx *ledger.Transaction) { tx.At = time.Time{} }, ledger.InvHeader, 0},
		{"no order", func(tx *ledger.Transaction) { tx.OrderID = "" }, ledger.InvHeader, 0},
		{"empty rule id", func(tx *ledger.Transaction) { tx.RuleIDs = []string{""} }, ledger.InvHeader, 0},
		{"one line", func(tx *ledger.Transaction) { tx.Postings = tx.Postings[:1] }, ledger.InvLines, 0},
		{"zero account", func(tx *ledger.Transaction) { tx.Postings[1].Account = ledger.Account{} }, ledger.InvAccount, 2},
		{"owner with a space", func(tx *ledger.Transaction) { tx.Postings[1].Account = ledger.BuyerPayout("B 1") }, ledger.InvAccount, 2},
		{"zero line", func(tx *ledger.Transaction) {
			tx.Postings = append(tx.Postings, p(ledger.SellerAvailable("S1"), 0))
		}, ledger.InvNonZero, 3},
		{"too big", func(tx *ledger.Transaction) {
			tx.Postings[0].Amount, tx.Postings[1].Amount = -ledger.MaxAmount-1, ledger.MaxAmount+1
		}, ledger.InvAmountRange, 1},
		{"duplicate account", func(tx *ledger.Transaction) {
			tx.Postings = []ledger.Posting{p(ledger.Escrow("T1"), -100), p(ledger.BuyerPayout("B1"), 60), p(ledger.BuyerPayout("B1"), 40)}
		}, ledger.InvDistinct, 3},
		{"unbalanced", func(tx *ledger.Transaction) { tx.Postings[1].Amount = 90 }, ledger.InvBalanced, 0},
		{"refund to the seller", func(tx *ledger.Transaction) { tx.Postings[1].Account = ledger.SellerAvailable("S1") }, ledger.InvShape, 2},
		{"refund from the fund", func(tx *ledger.Transaction) { tx.Postings[0].Account = ledger.GuaranteeFund() }, ledger.InvShape, 1},
		{"another order's escrow", func(tx *ledger.Transaction) { tx.Postings[0].Account = ledger.Escrow("T2") }, ledger.InvOrderScope, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := refundTx()
			tc.edit(&tx)
			err := ledger.Validate(tx)
			if tc.inv == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var v *ledger.Violation
			if !errors.As(err, &v) || v.Invariant != tc.inv || v.Line != tc.line {
				t.Fatalf("got %v, want %s at line %d", err, tc.inv, tc.line)
			}
		})
	}
}

func TestValidateReceivables(t *testing.T) {
	debt := ledger.External(ledger.SourceSellerDebt)
	base := ledger.Transaction{ID: "r", Kind: ledger.TxRecordReceivable, OrderID: "T1", At: t0,
		Postings: []ledger.Posting{p(debt, -50), p(ledger.FundReceivable("S1"), 50)}}
	if err := ledger.Validate(base); err != nil {
		t.Fatal(err)
	}
	// The seller_debt mirror is reserved for receivable transactions.
	pay := ledger.Transaction{ID: "x", Kind: ledger.TxPaymentEscrow, OrderID: "T1", At: t0,
		Postings: []ledger.Posting{p(debt, -50), p(ledger.Escrow("T1"), 50)}}
	if err := ledger.Validate(pay); !isInv(err, ledger.InvShape) {
		t.Fatalf("payment from seller_debt: %v", err)
	}
	// A receivable needs its mirror.
	noMirror := base
	noMirror.Postings = []ledger.Posting{p(ledger.External("payin"), -50), p(ledger.FundReceivable("S1"), 50)}
	if err := ledger.Validate(noMirror); !isInv(err, ledger.InvShape) {
		t.Fatalf("receivable without mirror: %v", err)
	}
	// Repaying a receivable pays the fund the same amount, from the same seller.
	repay := ledger.Transaction{ID: "y", Kind: ledger.TxRepayReceivable, At: t0, Postings: []ledger.Posting{
		p(ledger.SellerAvailable("S1"), -50), p(ledger.GuaranteeFund(), 50), p(ledger.FundReceivable("S1"), -50), p(debt, 50)}}
	if err := ledger.Validate(repay); err != nil {
		t.Fatal(err)
	}
	other := repay
	other.Postings = []ledger.Posting{p(ledger.SellerAvailable("S2"), -50), p(ledger.GuaranteeFund(), 50), p(ledger.FundReceivable("S1"), -50), p(debt, 50)}
	if err := ledger.Validate(other); !isInv(err, ledger.InvShape) {
		t.Fatalf("another seller repays: %v", err)
	}
	short := repay
	short.Postings = []ledger.Posting{p(ledger.SellerAvailable("S1"), -40), p(ledger.GuaranteeFund(), 40), p(ledger.FundReceivable("S1"), -50), p(debt, 50)}
	if err := ledger.Validate(short); !isInv(err, ledger.InvShape) {
		t.Fatalf("fund paid less than the receivable falls: %v", err)
	}
}

func isInv(err error, inv ledger.Invariant) bool {
	var v *ledger.Violation
	return errors.As(err, &v) && v.Invariant == inv
}

func TestApplyFloors(t *testing.T) {
	b := ledger.Balances{ledger.Escrow("T1"): 60}
	_, err := ledger.Apply(b, refundTx())
	var ie *ledger.InsufficientError
	if !errors.As(err, &ie) || ie.Account != ledger.Escrow("T1") || ie.Shortfall() != 40 || ie.Line != 1 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "escrow:T1") || !strings.Contains(err.Error(), "short by 40") {
		t.Fatalf("message %q", err)
	}
	b[ledger.Escrow("T1")] = 100
	after, err := ledger.Apply(b, refundTx())
	if err != nil {
		t.Fatal(err)
	}
	if b[ledger.Escrow("T1")] != 100 || after[ledger.Escrow("T1")] != 0 || after[ledger.BuyerPayout("B1")] != 100 {
		t.Fatalf("before %v after %v", b, after)
	}
	// External may go negative.
	pay, _ := ledger.Pay(ledger.Meta{ID: "pay", OrderID: "T1", At: t0}, 500)
	after, err = ledger.Apply(nil, pay)
	if err != nil || after[ledger.External(ledger.SourcePayin)] != -500 || after.Sum() != 0 {
		t.Fatalf("%v %v", after, err)
	}
}

func TestAccountsRoundTrip(t *testing.T) {
	for _, a := range []ledger.Account{ledger.Escrow("T:1"), ledger.Frozen("T1"), ledger.SellerAvailable("S"), ledger.SellerDeposit("S"),
		ledger.BuyerPayout("B"), ledger.GuaranteeFund(), ledger.FundReceivable("S"), ledger.External("payin")} {
		got, err := ledger.ParseAccount(a.String())
		if err != nil || got != a {
			t.Errorf("%s: %v %v", a, got, err)
		}
	}
	for _, s := range []string{"", "escrow", "escrow:", "guarantee_fund:x", "wallet:x", "escrow:a b"} {
		if _, err := ledger.ParseAccount(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
	tx := refundTx()
	j, err := json.Marshal(tx)
	if err != nil {
		t.Fatal(err)
	}
	var back ledger.Transaction
	if err := json.Unmarshal(j, &back); err != nil || !reflect.DeepEqual(back, tx) {
		t.Fatalf("%s → %+v %v", j, back, err)
	}
}

func TestDigest(t *testing.T) {
	a := refundTx()
	b := refundTx()
	b.At, b.RuleIDs = t0.Add(time.Hour), nil
	if a.Digest() != b.Digest() {
		t.Fatal("digest depends on time or rules")
	}
	b.Postings[1].Amount = 99
	if a.Digest() == b.Digest() {
		t.Fatal("digest ignores amounts")
	}
}

func TestCover(t *testing.T) {
	for _, c := range []struct{ req, avail, paid, short money.Fen }{{100, 30, 30, 70}, {100, 300, 100, 0}, {100, -5, 0, 100}, {0, 10, 0, 0}} {
		if paid, short := ledger.Cover(c.req, c.avail); paid != c.paid || short != c.short {
			t.Errorf("Cover(%d, %d) = %d, %d", c.req, c.avail, paid, short)
		}
	}
}

// book applies plans and keeps the transactions, failing on any error.
type book struct {
	t   *testing.T
	b   ledger.Balances
	txs []ledger.Transaction
}

func (k *book) post(txs ...ledger.Transaction) {
	k.t.Helper()
	for _, tx := range txs {
		nb, err := ledger.Apply(k.b, tx)
		if err != nil {
			k.t.Fatalf("%s: %v", tx.ID, err)
		}
		k.b, k.txs = nb, append(k.txs, tx)
	}
}

func (k *book) plan(p ledger.Plan, err error) ledger.Plan {
	k.t.Helper()
	if err != nil {
		k.t.Fatal(err)
	}
	k.post(p.Transactions...)
	return p
}

func (k *book) tx(tx ledger.Transaction, err error) ledger.Transaction {
	k.t.Helper()
	if err != nil {
		k.t.Fatal(err)
	}
	return tx
}

func m(id, order string) ledger.Meta {
	return ledger.Meta{ID: id, OrderID: order, Ref: "case-" + order, At: t0}
}

// TestWorkedExample is the example of the package documentation, fen for fen.
func TestWorkedExample(t *testing.T) {
	for _, outcome := range []ledger.Outcome{ledger.GoodsReturned, ledger.BuyerKeepsGoods} {
		t.Run(string(outcome), func(t *testing.T) {
			k := &book{t: t, b: ledger.Balances{}}
			k.post(k.tx(ledger.TopUpFund(m("cap", ""), 1_000_000)), k.tx(ledger.TopUpDeposit(m("dep", ""), "S", 8_000)))
			k.post(k.tx(ledger.Pay(m("pay:T1", "T1"), 30_000)))
			k.plan(ledger.Refund(m("refund:A1", "T1"), "B", "S", 5_000, k.b))
			adv := k.plan(ledger.Advance(m("adv:C1", "T1"), "B", 25_000, k.b))
			if len(adv.Transactions) != 2 || k.b[ledger.Frozen("T1")] != 25_000 || k.b[ledger.Escrow("T1")] != 0 || k.b[ledger.GuaranteeFund()] != 975_000 {
				t.Fatalf("after advance: %v", k.b)
			}
			res := k.plan(ledger.ResolveAdvance(m("res:C1", "T1"), ledger.Resolution{Outcome: outcome, SellerID: "S", BuyerID: "B", Advanced: 25_000}, k.b))
			if len(res.Shortfalls) != 0 || k.b[ledger.GuaranteeFund()] != 1_000_000 || k.b[ledger.Frozen("T1")] != 0 {
				t.Fatalf("after resolution: %v %+v", k.b, res)
			}
			wantBuyer, wantSeller := money.Fen(30_000), money.Fen(0)
			if outcome == ledger.BuyerKeepsGoods {
				wantBuyer, wantSeller = 5_000, 25_000
			}
			if k.b[ledger.BuyerPayout("B")] != wantBuyer || k.b[ledger.SellerAvailable("S")] != wantSeller {
				t.Fatalf("buyer %d seller %d", k.b[ledger.BuyerPayout("B")], k.b[ledger.SellerAvailable("S")])
			}
			o, err := ledger.Reconcile("T1", k.txs)
			if err != nil || !o.Settled() || o.Paid != 30_000 || o.Refunded != 5_000 || o.Recovered != 25_000 || o.OpenAdvance() != 0 {
				t.Fatalf("%+v %v", o, err)
			}
		})
	}

	t.Run("escrow gone, deposit short", func(t *testing.T) {
		k := &book{t: t, b: ledger.Balances{}}
		k.post(k.tx(ledger.TopUpFund(m("cap", ""), 1_000_000)), k.tx(ledger.TopUpDeposit(m("dep", ""), "S", 8_000)))
		k.post(k.tx(ledger.Pay(m("pay:T2", "T2"), 20_000)))
		k.plan(ledger.Release(m("done:T2", "T2"), "S", k.b))
		k.post(k.tx(ledger.Withdraw(m("wd1", ""), ledger.SellerAvailable("S"), 20_000)))
		adv := k.plan(ledger.Advance(m("adv:C2", "T2"), "B", 20_000, k.b))
		if len(adv.Transactions) != 1 {
			t.Fatalf("froze from an empty escrow: %+v", adv)
		}
		res := k.plan(ledger.ResolveAdvance(m("res:C2", "T2"), ledger.Resolution{Outcome: ledger.GoodsReturned, SellerID: "S", Advanced: 20_000}, k.b))
		want := []ledger.Shortfall{{From: ledger.SellerDeposit("S"), To: ledger.GuaranteeFund(), Requested: 20_000, Paid: 8_000, Missing: 12_000, Rule: ledger.RuleShortfall}}
		if !reflect.DeepEqual(res.Shortfalls, want) {
			t.Fatalf("shortfalls %+v", res.Shortfalls)
		}
		if k.b[ledger.GuaranteeFund()] != 988_000 || k.b[ledger.FundReceivable("S")] != 12_000 || k.b[ledger.External(ledger.SourceSellerDebt)] != -12_000 || k.b[ledger.SellerDeposit("S")] != 0 {
			t.Fatalf("%v", k.b)
		}
		k.post(k.tx(ledger.Pay(m("pay:T3", "T3"), 15_000)))
		k.plan(ledger.Release(m("done:T3", "T3"), "S", k.b))
		k.plan(ledger.RepayReceivable(m("repay:S", ""), "S", ledger.SellerAvailable("S"), 50_000, k.b))
		if k.b[ledger.GuaranteeFund()] != 1_000_000 || k.b[ledger.FundReceivable("S")] != 0 || k.b[ledger.SellerAvailable("S")] != 3_000 {
			t.Fatalf("%v", k.b)
		}
		o, err := ledger.Reconcile("T2", k.txs)
		if err != nil || o.Released != 20_000 || o.FundRecovered != 8_000 || o.ReceivableRecorded != 12_000 || o.OpenAdvance() != 0 {
			t.Fatalf("%+v %v", o, err)
		}
		if k.b.Sum() != 0 {
			t.Fatalf("sum %d", k.b.Sum())
		}
	})
}

func TestCompensationFromDepositShortfall(t *testing.T) {
	b := ledger.Balances{ledger.SellerDeposit("S"): 300}
	p, err := ledger.CompensateFromDeposit(m("comp:1", "T1"), "S", "B", 500, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Transactions) != 1 || p.Transactions[0].Amount() != 300 || len(p.Shortfalls) != 1 || p.Shortfalls[0].Missing != 200 {
		t.Fatalf("%+v", p)
	}
	if rules := p.Transactions[0].RuleIDs; !reflect.DeepEqual(rules, []string{ledger.RuleDeposit, ledger.RuleShortfall}) {
		t.Fatalf("rules %v", rules)
	}
	empty, err := ledger.CompensateFromDeposit(m("comp:2", "T1"), "S", "B", 500, ledger.Balances{})
	if err != nil || len(empty.Transactions) != 0 || empty.Shortfalls[0].Missing != 500 {
		t.Fatalf("%+v %v", empty, err)
	}
}

func TestBuilderRefusals(t *testing.T) {
	b := ledger.Balances{ledger.GuaranteeFund(): 100, ledger.Escrow("T1"): 500}
	_, err := ledger.Advance(m("a", "T1"), "B", 200, b)
	var ie *ledger.InsufficientError
	if !fault.Is(err, fault.Conflict) || !errors.As(err, &ie) || ie.Shortfall() != 100 {
		t.Fatalf("fund short: %v", err)
	}
	b[ledger.Frozen("T1")] = 1
	if _, err := ledger.Advance(m("a", "T1"), "B", 50, b); !fault.Is(err, fault.Conflict) {
		t.Fatalf("second advance: %v", err)
	}
	if _, err := ledger.Pay(m("p", "T1"), 0); !fault.Is(err, fault.Invalid) {
		t.Fatalf("zero payment: %v", err)
	}
	if _, err := ledger.Pay(m("p", ""), 10); !fault.Is(err, fault.Invalid) {
		t.Fatalf("payment without order: %v", err)
	}
	if _, err := ledger.Withdraw(m("w", ""), ledger.GuaranteeFund(), 10); !fault.Is(err, fault.Invalid) {
		t.Fatalf("withdraw from the fund: %v", err)
	}
	if _, err := ledger.RepayReceivable(m("r", ""), "S", ledger.SellerAvailable("S2"), 10, b); !fault.Is(err, fault.Invalid) {
		t.Fatalf("repay from another seller: %v", err)
	}
}

func TestReconcileRefundCap(t *testing.T) {
	pay, _ := ledger.Pay(m("pay", "T1"), 100)
	b, _ := ledger.Replay([]ledger.Transaction{pay})
	b[ledger.GuaranteeFund()] = 1000
	adv, err := ledger.Advance(m("adv", "T1"), "B", 80, b)
	if err != nil {
		t.Fatal(err)
	}
	// A refund of the 20 left in escrow is fine; 21 would exceed what was paid.
	b2, _ := ledger.Replay(append([]ledger.Transaction{pay}, adv.Transactions...))
	b2[ledger.SellerAvailable("S")] = 1000
	ref, _ := ledger.Refund(m("ref", "T1"), "B", "S", 21, b2)
	txs := append(append([]ledger.Transaction{pay}, adv.Transactions...), ref.Transactions...)
	_, err = ledger.Reconcile("T1", txs)
	var v *ledger.Violation
	if !errors.As(err, &v) || v.Invariant != ledger.InvRefundCap || v.TxID != "ref" {
		t.Fatalf("got %v", err)
	}
}
