package ledger_test

import (
	"fmt"
	"maps"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
)

// recoveryWorld is one seller's money moved by advances it cannot repay,
// releases of its orders' escrow, deposit top-ups and withdrawals; every
// movement that pays the seller is followed by ledger.Recover, as the
// service does.
type recoveryWorld struct {
	t        *rapid.T
	b        ledger.Balances
	rec      *ledger.Reconciler
	now      time.Time
	n        int
	capital  money.Fen
	booked   money.Fen // receivables booked
	repaid   money.Fen // receivables recovered
	ids      map[string]bool
	escrowed []string // orders with money in escrow
}

func (w *recoveryWorld) meta(prefix, order string) ledger.Meta {
	w.n++
	w.now = w.now.Add(time.Minute)
	return ledger.Meta{ID: fmt.Sprintf("%s-%d", prefix, w.n), OrderID: order, At: w.now}
}

func (w *recoveryWorld) apply(txs ...ledger.Transaction) {
	for _, tx := range txs {
		if err := ledger.Validate(tx); err != nil {
			w.t.Fatalf("invalid transaction: %v", err)
		}
		if w.ids[tx.ID] {
			w.t.Fatalf("transaction id %s used twice", tx.ID)
		}
		w.ids[tx.ID] = true
		nb, err := ledger.Apply(w.b, tx)
		if err != nil {
			w.t.Fatalf("below a floor: %v", err)
		}
		if v := w.rec.Add(tx); v != nil {
			w.t.Fatalf("reconciliation: %v", v)
		}
		w.b = nb
		for _, p := range tx.Postings {
			if p.Account.Kind() == ledger.KindFundReceivable && tx.Kind == ledger.TxRecordReceivable {
				w.booked += p.Amount
			}
			if p.Account.Kind() == ledger.KindFundReceivable && tx.Kind == ledger.TxRepayReceivable {
				w.repaid -= p.Amount
			}
		}
	}
}

// post applies a plan and then the recoveries it triggers; it returns
// what the recoveries repaid.
func (w *recoveryWorld) post(p ledger.Plan) money.Fen {
	w.apply(p.Transactions...)
	before := maps.Clone(w.b)
	// The service reads the balances before the plan.
	pre := ledger.Balances{}
	for _, a := range ledger.RecoveryAccounts(p.Transactions) {
		pre[a] = w.unapplied(a, p)
	}
	r := ledger.Recover(p.Transactions, pre, []string{"ours-receivable-recovery"})
	if again := ledger.Recover(p.Transactions, pre, []string{"ours-receivable-recovery"}); !reflect.DeepEqual(r, again) {
		w.t.Fatalf("recovery is not deterministic")
	}
	w.apply(r.Transactions...)
	return w.b[ledger.GuaranteeFund()] - before[ledger.GuaranteeFund()]
}

// unapplied is a's balance before plan p was applied.
func (w *recoveryWorld) unapplied(a ledger.Account, p ledger.Plan) money.Fen {
	v := w.b[a]
	for _, t := range p.Transactions {
		for _, po := range t.Postings {
			if po.Account == a {
				v -= po.Amount
			}
		}
	}
	return v
}

func (w *recoveryWorld) check() {
	recv := w.b[ledger.FundReceivable("S")]
	if recv < 0 {
		w.t.Fatalf("receivable negative: %d", recv)
	}
	if recv != w.booked-w.repaid {
		w.t.Fatalf("receivable %d, booked %d − recovered %d", recv, w.booked, w.repaid)
	}
	if got := w.b[ledger.GuaranteeFund()] + recv + w.rec.OpenAdvances(); got != w.capital {
		w.t.Fatalf("fund %d + receivable %d + open advances ≠ capital %d", w.b[ledger.GuaranteeFund()], recv, w.capital)
	}
	if w.b[ledger.External(ledger.SourceSellerDebt)] != -recv {
		w.t.Fatalf("receivable mirror %d, receivable %d", w.b[ledger.External(ledger.SourceSellerDebt)], recv)
	}
}

// TestPropertyReceivableRecovery (issue 13): over random sequences of
// advances the seller cannot repay, counterfeit-pledge compensation the
// fund advances (假一赔十), escrow releases, deposit top-ups and
// withdrawals, the receivable never goes negative, every fen booked is
// recovered once and only once — each arrival of money repays exactly
// min(money, owed) — and the fund is whole (cash + receivable + open
// advances = capital) after every step.
func TestPropertyReceivableRecovery(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := &recoveryWorld{t: t, b: ledger.Balances{}, rec: ledger.NewReconciler(), now: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), ids: map[string]bool{}}
		w.capital = money.Fen(rapid.Int64Range(100_000, 1_000_000).Draw(t, "capital"))
		fund, _ := ledger.TopUpFund(w.meta("capital", ""), w.capital)
		w.apply(fund)
		t.Repeat(map[string]func(*rapid.T){
			"advance": func(t *rapid.T) {
				// A completed order whose money the seller withdrew: the fund
				// advances, the deposit repays what it can, the rest is owed.
				n := w.n
				o := fmt.Sprintf("A%d", n)
				amt := money.Fen(rapid.Int64Range(1, 50_000).Draw(t, "amount"))
				if w.b[ledger.GuaranteeFund()] < amt {
					t.Skip("fund too small")
				}
				pay, _ := ledger.Pay(w.meta("pay", o), amt)
				w.apply(pay)
				w.post(must(t)(ledger.Release(w.meta("release", o), "S", w.b)))
				if a := w.b[ledger.SellerAvailable("S")]; a > 0 {
					wd, _ := ledger.Withdraw(w.meta("withdraw", ""), ledger.SellerAvailable("S"), a)
					w.apply(wd)
				}
				w.post(must(t)(ledger.Advance(w.meta("advance", o), "B", amt, w.b)))
				w.post(must(t)(ledger.ResolveAdvance(w.meta("resolve", o), ledger.Resolution{Outcome: ledger.GoodsReturned, SellerID: "S", Advanced: amt}, w.b)))
			},
			"pledge": func(t *rapid.T) {
				// 假一赔十: the deposit pays first, the fund advances the rest as
				// the seller's receivable at once; recovered like any other.
				o := fmt.Sprintf("C%d", w.n)
				amt := money.Fen(rapid.Int64Range(1, 80_000).Draw(t, "pledge"))
				dep, fund, owed := w.b[ledger.SellerDeposit("S")], w.b[ledger.GuaranteeFund()], w.b[ledger.FundReceivable("S")]
				p := must(t)(ledger.PledgeCompensation(w.meta("pledge", o), "S", "B", amt, w.b))
				w.post(p)
				_, rest := ledger.Cover(amt, dep)
				advanced, _ := ledger.Cover(rest, fund)
				if got := w.b[ledger.FundReceivable("S")] - owed; got != advanced {
					t.Fatalf("a pledge of %d with a deposit of %d booked %d, want %d", amt, dep, got, advanced)
				}
			},
			"pay": func(t *rapid.T) {
				o := fmt.Sprintf("P%d", w.n)
				pay, _ := ledger.Pay(w.meta("pay", o), money.Fen(rapid.Int64Range(1, 80_000).Draw(t, "amount")))
				w.apply(pay)
				w.escrowed = append(w.escrowed, o)
			},
			"release": func(t *rapid.T) {
				if len(w.escrowed) == 0 {
					t.Skip("nothing in escrow")
				}
				o := w.escrowed[0]
				w.escrowed = w.escrowed[1:]
				arrived, owed := w.b[ledger.Escrow(o)], w.b[ledger.FundReceivable("S")]
				if got := w.post(must(t)(ledger.Release(w.meta("release", o), "S", w.b))); got != min(arrived, owed) {
					t.Fatalf("a release of %d with %d owed recovered %d", arrived, owed, got)
				}
			},
			"top_up": func(t *rapid.T) {
				amt, owed := money.Fen(rapid.Int64Range(1, 60_000).Draw(t, "amount")), w.b[ledger.FundReceivable("S")]
				tx, _ := ledger.TopUpDeposit(w.meta("deposit", ""), "S", amt)
				if got := w.post(ledger.Plan{Transactions: []ledger.Transaction{tx}}); got != min(amt, owed) {
					t.Fatalf("a top-up of %d with %d owed recovered %d", amt, owed, got)
				}
			},
			"withdraw": func(t *rapid.T) {
				a := rapid.SampledFrom([]ledger.Account{ledger.SellerAvailable("S"), ledger.SellerDeposit("S")}).Draw(t, "from")
				if w.b[a] == 0 {
					t.Skip("empty")
				}
				wd, _ := ledger.Withdraw(w.meta("withdraw", ""), a, money.Fen(rapid.Int64Range(1, int64(w.b[a])).Draw(t, "amount")))
				w.apply(wd)
			},
			"": func(t *rapid.T) { w.check() },
		})
		// Money enough to repay everything: the receivable goes to 0, once.
		owed := w.b[ledger.FundReceivable("S")]
		tx, _ := ledger.TopUpDeposit(w.meta("deposit", ""), "S", owed+1)
		if got := w.post(ledger.Plan{Transactions: []ledger.Transaction{tx}}); got != owed || w.b[ledger.FundReceivable("S")] != 0 {
			t.Fatalf("final top-up recovered %d of %d", got, owed)
		}
		if w.repaid != w.booked {
			t.Fatalf("recovered %d of %d booked", w.repaid, w.booked)
		}
		w.check()
	})
}

func must(t *rapid.T) func(ledger.Plan, error) ledger.Plan {
	return func(p ledger.Plan, err error) ledger.Plan {
		if err != nil {
			t.Fatalf("builder: %v", err)
		}
		return p
	}
}

// TestRecoverExample: the worked example of the package documentation.
func TestRecoverExample(t *testing.T) {
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	rel := ledger.Transaction{ID: "release:T3", Kind: ledger.TxReleaseToSeller, OrderID: "T3", At: at,
		Postings: []ledger.Posting{{Account: ledger.Escrow("T3"), Amount: -15000}, {Account: ledger.SellerAvailable("S"), Amount: 15000}}}
	b := ledger.Balances{ledger.SellerAvailable("S"): 0, ledger.FundReceivable("S"): 12000}
	p := ledger.Recover([]ledger.Transaction{rel}, b, []string{"ours-receivable-recovery"})
	if len(p.Transactions) != 1 {
		t.Fatalf("plan %+v", p)
	}
	r := p.Transactions[0]
	want := map[string]money.Fen{"seller_available:S": -12000, "guarantee_fund": 12000, "fund_receivable:S": -12000, "external:seller_debt": 12000}
	for _, po := range r.Postings {
		if want[po.Account.String()] != po.Amount {
			t.Fatalf("postings %+v", r.Postings)
		}
	}
	if r.ID != "release:T3/recover" || r.Kind != ledger.TxRepayReceivable || !reflect.DeepEqual(r.RuleIDs, []string{"ours-receivable-recovery", "taobao-dispute-86", "taobao-dispute-87"}) {
		t.Fatalf("recovery %+v", r)
	}
	if err := ledger.Validate(r); err != nil {
		t.Fatal(err)
	}
	// Nothing owed: nothing recovered.
	if p := ledger.Recover([]ledger.Transaction{rel}, ledger.Balances{ledger.SellerAvailable("S"): 0, ledger.FundReceivable("S"): 0}, nil); len(p.Transactions) != 0 {
		t.Fatalf("recovered from a seller that owes nothing: %+v", p)
	}
}
