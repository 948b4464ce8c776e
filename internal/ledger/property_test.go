package ledger_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
)

type propOrder struct {
	id, buyer, seller string
	amount            money.Fen
	completed         bool
	advance           money.Fen // open advance, 0 when none
	n                 int       // events on the order, for ids
}

// world is a marketplace whose money moves only through the builders.
type world struct {
	t       *rapid.T
	now     time.Time
	b       ledger.Balances
	txs     []ledger.Transaction
	rec     *ledger.Reconciler
	orders  []*propOrder
	sellers []string
	buyers  []string
	seq     int
	frozen  map[string][]money.Fen // per seller: what each open case froze (保证金), oldest first
	insured map[string]bool        // orders whose 运费险 premium was booked
}

func (w *world) meta(prefix, order string) ledger.Meta {
	w.seq++
	w.now = w.now.Add(time.Minute)
	return ledger.Meta{ID: fmt.Sprintf("%s-%d", prefix, w.seq), OrderID: order, Ref: "ref-" + order, RuleIDs: []string{"ours-test"}, At: w.now}
}

// post applies transactions; a builder's output must never be refused.
func (w *world) post(txs ...ledger.Transaction) {
	for _, tx := range txs {
		if err := ledger.Validate(tx); err != nil {
			w.t.Fatalf("builder produced an invalid transaction: %v", err)
		}
		nb, err := ledger.Apply(w.b, tx)
		if err != nil {
			w.t.Fatalf("builder produced a transaction below a floor: %v", err)
		}
		if v := w.rec.Add(tx); v != nil {
			w.t.Fatalf("reconciliation: %v", v)
		}
		w.b, w.txs = nb, append(w.txs, tx)
	}
}

func (w *world) plan(p ledger.Plan, err error) ledger.Plan {
	if err != nil {
		w.t.Fatalf("builder: %v", err)
	}
	for _, s := range p.Shortfalls {
		if s.Missing <= 0 || s.Paid+s.Missing != s.Requested || s.Rule != ledger.RuleShortfall {
			w.t.Fatalf("bad shortfall %+v", s)
		}
	}
	w.post(p.Transactions...)
	return p
}

func (w *world) refundable(o *propOrder) money.Fen {
	t := w.rec.Order(o.id)
	return t.Paid - t.BuyerRefunded()
}

func (w *world) pickOrder(t *rapid.T, ok func(*propOrder) bool) *propOrder {
	var c []*propOrder
	for _, o := range w.orders {
		if ok(o) {
			c = append(c, o)
		}
	}
	if len(c) == 0 {
		t.Skip("no order fits")
	}
	return rapid.SampledFrom(c).Draw(t, "order")
}

func amount(t *rapid.T, max money.Fen, label string) money.Fen {
	return money.Fen(rapid.Int64Range(1, int64(max)).Draw(t, label))
}

func TestPropertyLedger(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := &world{t: t, now: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), b: ledger.Balances{}, rec: ledger.NewReconciler(),
			sellers: []string{"S1", "S2", "S3"}, buyers: []string{"B1", "B2", "B3"}, frozen: map[string][]money.Fen{}, insured: map[string]bool{}}
		if c := money.Fen(rapid.Int64Range(0, 300_000).Draw(t, "capital")); c > 0 {
			w.post(w.tx(ledger.TopUpFund(w.meta("capital", ""), c)))
		}
		t.Repeat(map[string]func(*rapid.T){
			"pay": func(t *rapid.T) {
				if len(w.orders) >= 12 {
					t.Skip("enough orders")
				}
				o := &propOrder{id: fmt.Sprintf("T%d", len(w.orders)+1), buyer: rapid.SampledFrom(w.buyers).Draw(t, "buyer"),
					seller: rapid.SampledFrom(w.sellers).Draw(t, "seller"), amount: amount(t, 100_000, "amount")}
				w.orders = append(w.orders, o)
				w.post(w.tx(ledger.Pay(w.meta("pay", o.id), o.amount)))
			},
			"refund": func(t *rapid.T) {
				o := w.pickOrder(t, func(o *propOrder) bool { return w.refundable(o) > 0 })
				a := amount(t, w.refundable(o), "refund")
				p := w.plan(ledger.Refund(w.meta("refund", o.id), o.buyer, o.seller, a, w.b))
				// Before completion and without an advance (whose 2b outcome pays
				// the escrow to the seller), the escrow holds every refundable fen.
				if !o.completed && w.rec.Order(o.id).Advanced == 0 && len(p.Shortfalls) > 0 {
					t.Fatalf("a refund before completion must come from escrow: %+v", p.Shortfalls)
				}
			},
			"complete": func(t *rapid.T) {
				o := w.pickOrder(t, func(o *propOrder) bool { return !o.completed })
				o.completed = true
				w.plan(ledger.Release(w.meta("release", o.id), o.seller, w.b))
				if w.b[ledger.Escrow(o.id)] != 0 {
					t.Fatalf("escrow left after release: %d", w.b[ledger.Escrow(o.id)])
				}
			},
			"compensate": func(t *rapid.T) {
				o := w.pickOrder(t, func(*propOrder) bool { return true })
				before := w.b[ledger.SellerDeposit(o.seller)]
				a := amount(t, 20_000, "compensation")
				p := w.plan(ledger.CompensateFromDeposit(w.meta("comp", o.id), o.seller, o.buyer, a, w.b))
				paid, short := ledger.Cover(a, before)
				if got := before - w.b[ledger.SellerDeposit(o.seller)]; got != paid || (short > 0) != (len(p.Shortfalls) == 1) {
					t.Fatalf("compensation paid %d, want %d (shortfalls %+v)", got, paid, p.Shortfalls)
				}
			},
			"advance": func(t *rapid.T) {
				o := w.pickOrder(t, func(o *propOrder) bool { return o.advance == 0 && w.refundable(o) > 0 })
				a := amount(t, w.refundable(o), "advance")
				p, err := ledger.Advance(w.meta("advance", o.id), o.buyer, a, w.b)
				if w.b[ledger.GuaranteeFund()] < a {
					var ie *ledger.InsufficientError
					if !fault.Is(err, fault.Conflict) || !errors.As(err, &ie) || ie.Shortfall() != a-w.b[ledger.GuaranteeFund()] {
						t.Fatalf("advance beyond the fund: %v", err)
					}
					return
				}
				escrow := w.b[ledger.Escrow(o.id)]
				w.plan(p, err)
				o.advance = a
				if got := w.b[ledger.Frozen(o.id)]; got != min(a, escrow) {
					t.Fatalf("froze %d, want min(%d, %d)", got, a, escrow)
				}
			},
			"resolve": func(t *rapid.T) {
				o := w.pickOrder(t, func(o *propOrder) bool { return o.advance > 0 })
				outcome := rapid.SampledFrom([]ledger.Outcome{ledger.GoodsReturned, ledger.BuyerKeepsGoods}).Draw(t, "outcome")
				fund, recv := w.b[ledger.GuaranteeFund()], w.receivables()
				w.plan(ledger.ResolveAdvance(w.meta("resolve", o.id), ledger.Resolution{Outcome: outcome, SellerID: o.seller, BuyerID: o.buyer, Advanced: o.advance}, w.b))
				// The fund is whole again for this advance: cash + receivables rose by exactly the advance.
				if got := w.b[ledger.GuaranteeFund()] + w.receivables() - fund - recv; got != o.advance {
					t.Fatalf("fund recovered %d of an advance of %d", got, o.advance)
				}
				if tot := w.rec.Order(o.id); tot.OpenAdvance() != 0 || tot.Frozen != 0 {
					t.Fatalf("advance still open after resolution: %+v", tot)
				}
				o.advance = 0
			},
			"repay_receivable": func(t *rapid.T) {
				s := rapid.SampledFrom(w.sellers).Draw(t, "seller")
				owed := w.b[ledger.FundReceivable(s)]
				if owed == 0 {
					t.Skip("nothing owed")
				}
				from := rapid.SampledFrom([]ledger.Account{ledger.SellerAvailable(s), ledger.SellerDeposit(s), ledger.External(ledger.SourcePayin)}).Draw(t, "from")
				a := amount(t, owed+1000, "repay")
				p, err := ledger.RepayReceivable(w.meta("repay", ""), s, from, a, w.b)
				if w.b.Headroom(from) < min(a, owed) {
					if !fault.Is(err, fault.Conflict) {
						t.Fatalf("repay beyond %s's balance: %v", from, err)
					}
					return
				}
				w.plan(p, err)
				if got := owed - w.b[ledger.FundReceivable(s)]; got != min(a, owed) {
					t.Fatalf("repaid %d, want %d", got, min(a, owed))
				}
			},
			"withdraw": func(t *rapid.T) {
				var accts []ledger.Account
				for _, a := range w.b.Accounts() {
					switch a.Kind() {
					case ledger.KindSellerAvailable, ledger.KindBuyerPayout, ledger.KindSellerDeposit:
						if w.b[a] > 0 {
							accts = append(accts, a)
						}
					}
				}
				if len(accts) == 0 {
					t.Skip("nothing to withdraw")
				}
				a := rapid.SampledFrom(accts).Draw(t, "account")
				w.post(w.tx(ledger.Withdraw(w.meta("withdraw", ""), a, amount(t, w.b[a], "withdrawal"))))
			},
			"top_up_deposit": func(t *rapid.T) {
				s := rapid.SampledFrom(w.sellers).Draw(t, "seller")
				w.post(w.tx(ledger.TopUpDeposit(w.meta("deposit", ""), s, amount(t, 30_000, "deposit"))))
			},
			"freeze_deposit": func(t *rapid.T) {
				// A case opens: the amount in dispute is frozen in the deposit, as much as it holds.
				s := rapid.SampledFrom(w.sellers).Draw(t, "seller")
				a := amount(t, 40_000, "claim")
				dep, fr := w.b[ledger.SellerDeposit(s)], w.b[ledger.DepositFrozen(s)]
				w.plan(ledger.FreezeDeposit(w.meta("freeze", ""), s, a, w.b))
				got := w.b[ledger.DepositFrozen(s)] - fr
				if got != min(a, dep) || w.b[ledger.SellerDeposit(s)]+w.b[ledger.DepositFrozen(s)] != dep+fr {
					t.Fatalf("froze %d of a deposit of %d for a claim of %d", got, dep, a)
				}
				if got > 0 {
					w.frozen[s] = append(w.frozen[s], got)
				}
			},
			"release_deposit": func(t *rapid.T) {
				// A case closes: exactly what it froze goes back.
				s := rapid.SampledFrom(w.sellers).Draw(t, "seller")
				if len(w.frozen[s]) == 0 {
					t.Skip("nothing frozen")
				}
				a := w.frozen[s][0]
				dep := w.b[ledger.SellerDeposit(s)]
				w.plan(ledger.ReleaseDeposit(w.meta("release-deposit", ""), s, a, w.b))
				if w.b[ledger.SellerDeposit(s)]-dep != a {
					t.Fatalf("released %d, want %d", w.b[ledger.SellerDeposit(s)]-dep, a)
				}
				w.frozen[s] = w.frozen[s][1:]
			},
			"pledge": func(t *rapid.T) {
				// 假一赔十: the deposit pays first, the fund advances the rest and
				// books it as the seller's receivable at once.
				o := w.pickOrder(t, func(*propOrder) bool { return true })
				a := amount(t, 200_000, "pledge")
				dep, fund, recv := w.b[ledger.SellerDeposit(o.seller)], w.b[ledger.GuaranteeFund()], w.b[ledger.FundReceivable(o.seller)]
				frozen := w.b[ledger.DepositFrozen(o.seller)]
				p := w.plan(ledger.PledgeCompensation(w.meta("pledge", o.id), o.seller, o.buyer, a, w.b))
				fromDep, rest := ledger.Cover(a, dep)
				fromFund, short := ledger.Cover(rest, fund)
				if dep-w.b[ledger.SellerDeposit(o.seller)] != fromDep || fund-w.b[ledger.GuaranteeFund()] != fromFund ||
					w.b[ledger.FundReceivable(o.seller)]-recv != fromFund || p.Missing() != short || w.b[ledger.DepositFrozen(o.seller)] != frozen {
					t.Fatalf("pledge of %d: deposit %d→%d, fund %d→%d, receivable %d→%d, missing %d", a, dep, w.b[ledger.SellerDeposit(o.seller)],
						fund, w.b[ledger.GuaranteeFund()], recv, w.b[ledger.FundReceivable(o.seller)], p.Missing())
				}
			},
			"write_off": func(t *rapid.T) {
				// An overturned judgment's receivable is written off: the fund bears it.
				s := rapid.SampledFrom(w.sellers).Draw(t, "seller")
				owed := w.b[ledger.FundReceivable(s)]
				if owed == 0 {
					t.Skip("nothing owed")
				}
				o := w.pickOrder(t, func(*propOrder) bool { return true })
				a := amount(t, owed, "write-off")
				w.plan(ledger.WriteOffReceivable(w.meta("write-off", o.id), s, a, w.b))
				if owed-w.b[ledger.FundReceivable(s)] != a {
					t.Fatalf("wrote off %d of %d", owed-w.b[ledger.FundReceivable(s)], a)
				}
			},
			"insure": func(t *rapid.T) {
				o := w.pickOrder(t, func(o *propOrder) bool { return !w.insured[o.id] })
				w.insured[o.id] = true
				w.post(w.tx(ledger.InsurancePremium(w.meta("premium", o.id), ledger.InsurerShipping, 150)))
			},
			"insurance_claim": func(t *rapid.T) {
				o := w.pickOrder(t, func(o *propOrder) bool { return w.insured[o.id] })
				before := w.refundable(o)
				w.post(w.tx(ledger.InsuranceClaim(w.meta("claim", o.id), ledger.InsurerShipping, o.buyer, amount(t, 2500, "postage"))))
				if w.refundable(o) != before {
					t.Fatalf("a postage claim counted as a refund")
				}
			},
			"overdraw": func(t *rapid.T) {
				// A hand-made transaction beyond a balance is refused and changes nothing.
				o := w.pickOrder(t, func(*propOrder) bool { return true })
				have := w.b[ledger.Escrow(o.id)]
				tx := ledger.Transaction{ID: "over", Kind: ledger.TxRefund, OrderID: o.id, At: w.now,
					Postings: []ledger.Posting{{Account: ledger.Escrow(o.id), Amount: -(have + 1)}, {Account: ledger.BuyerPayout(o.buyer), Amount: have + 1}}}
				var ie *ledger.InsufficientError
				if _, err := ledger.Apply(w.b, tx); !errors.As(err, &ie) || ie.Shortfall() != 1 || ie.Account != ledger.Escrow(o.id) {
					t.Fatalf("overdraft: %v", err)
				}
			},
			"": func(t *rapid.T) { w.invariants() },
		})
		// Resolve what is still open: the fund must end whole.
		for _, o := range w.orders {
			if o.advance > 0 {
				w.plan(ledger.ResolveAdvance(w.meta("resolve", o.id), ledger.Resolution{Outcome: ledger.GoodsReturned, SellerID: o.seller, Advanced: o.advance}, w.b))
				o.advance = 0
			}
		}
		w.invariants()
		if got := w.b[ledger.GuaranteeFund()] + w.receivables() + w.rec.FundBorne; got != w.rec.FundCapital {
			t.Fatalf("fund %d + receivables %d ≠ capital %d after every advance resolved", w.b[ledger.GuaranteeFund()], w.receivables(), w.rec.FundCapital)
		}
	})
}

func (w *world) receivables() money.Fen {
	var s money.Fen
	for a, v := range w.b {
		if a.Kind() == ledger.KindFundReceivable {
			s += v
		}
	}
	return s
}

func (w *world) invariants() {
	t := w.t
	if s := w.b.Sum(); s != 0 {
		t.Fatalf("balances sum to %d", s)
	}
	for a, v := range w.b {
		if floor, ok := a.Floor(); ok && v < floor {
			t.Fatalf("%s at %d, below its floor", a, v)
		}
	}
	if w.b[ledger.External(ledger.SourceSellerDebt)] != -w.receivables() {
		t.Fatalf("receivable mirror %d vs receivables %d", w.b[ledger.External(ledger.SourceSellerDebt)], w.receivables())
	}
	for _, o := range w.orders {
		tot, err := ledger.Reconcile(o.id, w.txs)
		if err != nil {
			t.Fatalf("order %s: %v", o.id, err)
		}
		if tot.Paid != o.amount || tot.Escrow != w.b[ledger.Escrow(o.id)] || tot.Frozen != w.b[ledger.Frozen(o.id)] {
			t.Fatalf("order %s totals %+v vs balances", o.id, tot)
		}
		if tot.Settled() && tot.Paid != tot.Released+tot.Refunded+tot.Recovered {
			t.Fatalf("settled order %s: paid ≠ released + refunded + recovered: %+v", o.id, tot)
		}
		if o.advance == 0 && tot.OpenAdvance() != 0 {
			t.Fatalf("order %s: advance left open: %+v", o.id, tot)
		}
	}
	if err := w.rec.FundWhole(w.b); err != nil {
		t.Fatal(err)
	}
	for _, sl := range w.sellers {
		var sum money.Fen
		for _, a := range w.frozen[sl] {
			sum += a
		}
		if w.b[ledger.DepositFrozen(sl)] != sum {
			t.Fatalf("%s: frozen %d, the open cases froze %d", sl, w.b[ledger.DepositFrozen(sl)], sum)
		}
	}
	replayed, err := ledger.Replay(w.txs)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	for a, v := range w.b {
		if replayed[a] != v {
			t.Fatalf("replay: %s %d ≠ %d", a, replayed[a], v)
		}
	}
}

func (w *world) tx(tx ledger.Transaction, err error) ledger.Transaction {
	if err != nil {
		w.t.Fatal(err)
	}
	return tx
}
