package ledgercheck_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // raw connections to corrupt a copy

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/store"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t   *testing.T
	s   *store.Store
	url string
	n   int
}

// setup fills a fresh database with a small marketplace's money: fund
// capital, a deposit, paid orders, a refund, a completion, an advance
// resolved each way, a receivable and its repayment, withdrawals.
func setup(t *testing.T, eng apitest.Engine) *fixture {
	t.Helper()
	u := eng.URL(t)
	f := &fixture{t: t, s: apitest.OpenStore(t, u), url: u}
	f.tx(ledger.TopUpFund(f.meta("cap", ""), 1_000_000))
	f.tx(ledger.TopUpDeposit(f.meta("dep:S1", ""), "S1", 8_000))
	for _, o := range []struct {
		id     string
		amount money.Fen
	}{{"T1", 30_000}, {"T2", 20_000}, {"T3", 15_000}, {"T4", 9_900}} {
		f.tx(ledger.Pay(f.meta("pay:"+o.id, o.id), o.amount))
	}
	// T1: agreed partial refund, then an advance; the buyer keeps the goods (2b).
	f.plan("T1", func(b ledger.Balances) (ledger.Plan, error) {
		return ledger.Refund(f.meta("refund:A1", "T1"), "B1", "S1", 5_000, b)
	})
	f.plan("T1", func(b ledger.Balances) (ledger.Plan, error) {
		return ledger.Advance(f.meta("adv:C1", "T1"), "B1", 25_000, b)
	})
	f.plan("T1", func(b ledger.Balances) (ledger.Plan, error) {
		return ledger.ResolveAdvance(f.meta("res:C1", "T1"), ledger.Resolution{Outcome: ledger.BuyerKeepsGoods, SellerID: "S1", BuyerID: "B1", Advanced: 25_000}, b)
	})
	// T2: completed and withdrawn, then an advance; goods returned (2a), deposit short.
	f.plan("T2", func(b ledger.Balances) (ledger.Plan, error) { return ledger.Release(f.meta("done:T2", "T2"), "S1", b) })
	f.tx(ledger.Withdraw(f.meta("wd:S1", ""), ledger.SellerAvailable("S1"), 20_000))
	f.plan("T2", func(b ledger.Balances) (ledger.Plan, error) {
		return ledger.Advance(f.meta("adv:C2", "T2"), "B2", 20_000, b)
	})
	f.plan("T2", func(b ledger.Balances) (ledger.Plan, error) {
		return ledger.ResolveAdvance(f.meta("res:C2", "T2"), ledger.Resolution{Outcome: ledger.GoodsReturned, SellerID: "S1", Advanced: 20_000}, b)
	})
	// T3 completes; the seller repays the fund from it.
	f.plan("T3", func(b ledger.Balances) (ledger.Plan, error) { return ledger.Release(f.meta("done:T3", "T3"), "S1", b) })
	f.plan("", func(b ledger.Balances) (ledger.Plan, error) {
		return ledger.RepayReceivable(f.meta("repay:S1", ""), "S1", ledger.SellerAvailable("S1"), 12_000, b)
	})
	// T4: late-shipment compensation from the deposit (now empty: a shortfall), still in escrow.
	f.plan("T4", func(b ledger.Balances) (ledger.Plan, error) {
		return ledger.CompensateFromDeposit(f.meta("comp:T4", "T4"), "S1", "B4", 500, b)
	})
	f.tx(ledger.Withdraw(f.meta("wd:B2", ""), ledger.BuyerPayout("B2"), 20_000))
	return f
}

func (f *fixture) meta(id, order string) ledger.Meta {
	f.n++
	return ledger.Meta{ID: id, OrderID: order, Ref: "ref-" + id, RuleIDs: []string{"ours-test"}, At: t0.Add(time.Duration(f.n) * time.Minute)}
}

func (f *fixture) tx(lt ledger.Transaction, err error) {
	f.t.Helper()
	if err == nil {
		err = f.s.InTx(context.Background(), func(tx *store.Tx) error { return tx.PostTransaction(context.Background(), lt) })
	}
	if err != nil {
		f.t.Fatal(err)
	}
}

var everyAccount = []ledger.Account{ledger.GuaranteeFund(), ledger.SellerDeposit("S1"), ledger.SellerAvailable("S1"), ledger.FundReceivable("S1"),
	ledger.BuyerPayout("B1"), ledger.BuyerPayout("B2"), ledger.BuyerPayout("B4")}

func (f *fixture) plan(order string, build func(ledger.Balances) (ledger.Plan, error)) {
	f.t.Helper()
	ctx := context.Background()
	accts := everyAccount
	if order != "" {
		accts = append([]ledger.Account{ledger.Escrow(order), ledger.Frozen(order)}, accts...)
	}
	err := f.s.InTx(ctx, func(tx *store.Tx) error {
		b, err := tx.LedgerBalances(ctx, accts...)
		if err != nil {
			return err
		}
		p, err := build(b)
		if err != nil {
			return err
		}
		return tx.PostPlan(ctx, p)
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// corrupt runs statements on a raw connection with the append-only triggers
// out of the way, as someone bypassing the application would.
func (f *fixture) corrupt(stmts ...string) {
	f.t.Helper()
	var db *sql.DB
	var err error
	var disable []string
	if path, ok := strings.CutPrefix(f.url, "sqlite:"); ok {
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		disable = []string{`DROP TRIGGER ledger_postings_no_update`, `DROP TRIGGER ledger_transactions_no_update`}
	} else {
		db, err = sql.Open("pgx", f.url)
		disable = []string{`ALTER TABLE ledger_postings DISABLE TRIGGER ledger_postings_append_only`,
			`ALTER TABLE ledger_transactions DISABLE TRIGGER ledger_transactions_append_only`}
	}
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	// The guard holds until it is removed.
	if _, err := db.Exec(stmts[0]); err == nil {
		f.t.Fatalf("%s: the append-only guard let it through", stmts[0])
	}
	for _, q := range append(disable, stmts...) {
		res, err := db.Exec(q)
		if err != nil {
			f.t.Fatalf("%s: %v", q, err)
		}
		if n, _ := res.RowsAffected(); strings.HasPrefix(q, "UPDATE") && n != 1 {
			f.t.Fatalf("%s: %d rows", q, n)
		}
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	for _, eng := range apitest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Run("Clean", func(t *testing.T) {
				f := setup(t, eng)
				rep, err := ledgercheck.Check(ctx, f.s)
				if err != nil || !rep.OK() {
					t.Fatalf("%v\n%+v", err, rep.Violations)
				}
				if rep.Transactions != 19 || rep.Postings != 40 || rep.Orders != 4 || rep.SettledOrders != 3 || rep.InEscrow != 9_900 || rep.Sum != 0 ||
					rep.Fund != 1_000_000 || rep.Receivables != 0 || rep.FundCapital != 1_000_000 || rep.OpenAdvances != 0 {
					t.Fatalf("report %+v", rep)
				}
				var out, errOut bytes.Buffer
				if err := ledgercheck.Main(ctx, []string{"check", "--db", f.url}, &out, &errOut); err != nil {
					t.Fatalf("%v\n%s%s", err, out.String(), errOut.String())
				}
				if !strings.Contains(out.String(), "19 transactions") || !strings.Contains(out.String(), "OK") {
					t.Fatalf("summary:\n%s", out.String())
				}
				out.Reset()
				if err := ledgercheck.Main(ctx, []string{"--db", f.url, "--json"}, &out, &errOut); err != nil || !strings.Contains(out.String(), `"violation_count": 0`) {
					t.Fatalf("%v\n%s", err, out.String())
				}
			})

			corruptions := []struct {
				name    string
				stmts   []string
				tx      string
				line    int
				account string
				amount  money.Fen
				inv     ledger.Invariant
			}{
				{"AmountChanged", []string{`UPDATE ledger_postings SET amount = 4990 WHERE transaction_id = 'refund:A1' AND line = 2`},
					"refund:A1", 2, "buyer_payout:B1", 4990, ledger.InvBalanced},
				{"ExternalAmountChanged", []string{`UPDATE ledger_postings SET amount = -29990 WHERE transaction_id = 'pay:T1' AND line = 1`},
					"pay:T1", 1, "external:payin", -29990, ledger.InvBalanced},
				{"BothLinesRaisedPastTheFloor", []string{
					`UPDATE ledger_postings SET amount = -50000 WHERE transaction_id = 'wd:S1' AND line = 1`,
					`UPDATE ledger_postings SET amount = 50000 WHERE transaction_id = 'wd:S1' AND line = 2`},
					"wd:S1", 1, "seller_available:S1", -50000, ledger.InvFloor},
				{"AccountSwapped", []string{`UPDATE ledger_postings SET account = 'seller_available:S1' WHERE transaction_id = 'refund:A1' AND line = 2`},
					"refund:A1", 2, "seller_available:S1", 5000, ledger.InvShape},
				{"KindRelabelled", []string{`UPDATE ledger_transactions SET kind = 'release_to_seller' WHERE id = 'refund:A1'`},
					"refund:A1", 2, "buyer_payout:B1", 5000, ledger.InvShape},
			}
			for _, c := range corruptions {
				t.Run(c.name, func(t *testing.T) {
					f := setup(t, eng)
					f.corrupt(c.stmts...)
					rep, err := ledgercheck.Check(ctx, f.s)
					var v *ledger.Violation
					if !errors.As(err, &v) || rep.OK() {
						t.Fatalf("corruption not found: %v", err)
					}
					if v.TxID != c.tx || v.Line != c.line || v.Account != c.account || v.Amount != c.amount || v.Invariant != c.inv {
						t.Fatalf("first violation %+v\nwant %s line %d %s %d %s", v, c.tx, c.line, c.account, c.amount, c.inv)
					}
					var out, errOut bytes.Buffer
					err = ledgercheck.Main(ctx, []string{"check", "--db", f.url}, &out, &errOut)
					if err == nil {
						t.Fatalf("Main passed a corrupted ledger:\n%s", out.String())
					}
					t.Logf("weiquan ledger check:\n%s%v", out.String(), err)
					for _, want := range []string{c.tx, "line " + itoa(c.line), c.account, "amount " + itoa(int(c.amount)), string(c.inv)} {
						if !strings.Contains(err.Error(), want) {
							t.Errorf("error %q does not name %q", err, want)
						}
					}
					if !strings.Contains(out.String(), "FAILED") {
						t.Errorf("summary:\n%s", out.String())
					}
				})
			}

			t.Run("BalanceTableDrift", func(t *testing.T) {
				f := setup(t, eng)
				raw := apitest.RawDB(t, f.url)
				if _, err := raw.Exec(`UPDATE ledger_balances SET balance = balance + 1 WHERE account = 'escrow:T4'`); err != nil {
					t.Fatal(err)
				}
				rep, err := ledgercheck.Check(ctx, f.s)
				var v *ledger.Violation
				if !errors.As(err, &v) || v.Invariant != ledger.InvBalanceTable || v.Account != "escrow:T4" || rep.ViolationCount != 1 {
					t.Fatalf("%v %+v", err, rep.Violations)
				}
			})
		})
	}
}

func TestMainUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := ledgercheck.Main(context.Background(), []string{"fix"}, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "usage") {
		t.Fatalf("%v %s", err, errOut.String())
	}
	if err := ledgercheck.Main(context.Background(), []string{"check", "--db", "mysql://x"}, &out, &errOut); err == nil {
		t.Fatal("accepted a mysql URL")
	}
	// An unmigrated database is not migrated by the check.
	err := ledgercheck.Main(context.Background(), []string{"check", "--db", apitest.SQLiteURL(t)}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "weiquan migrate") {
		t.Fatalf("unmigrated: %v", err)
	}
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
