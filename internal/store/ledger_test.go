package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // raw connections for append-only checks

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/store"
)

// ledgerSetup opens a fresh migrated store on the engine and returns it with
// its URL.
func ledgerSetup(t *testing.T, eng apitest.Engine) (*store.Store, string) {
	t.Helper()
	u := eng.URL(t)
	return apitest.OpenStore(t, u), u
}

var lt0 = time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC)

func meta(id, order string, i int) ledger.Meta {
	return ledger.Meta{ID: id, OrderID: order, Ref: "A-" + order, RuleIDs: []string{"ours-refund-cap"}, At: lt0.Add(time.Duration(i) * time.Second)}
}

func post(t *testing.T, s *store.Store, txs ...ledger.Transaction) {
	t.Helper()
	if err := s.InTx(context.Background(), func(tx *store.Tx) error {
		for _, lt := range txs {
			if err := tx.PostTransaction(context.Background(), lt); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// one returns a built transaction; a builder refusing test input is a bug
// in the test.
func one(lt ledger.Transaction, err error) ledger.Transaction {
	if err != nil {
		panic(err)
	}
	return lt
}

// plan builds a plan from the balances in the transaction and posts it.
func plan(ctx context.Context, s *store.Store, accounts []ledger.Account, build func(ledger.Balances) (ledger.Plan, error)) (ledger.Plan, error) {
	var p ledger.Plan
	err := s.InTx(ctx, func(tx *store.Tx) error {
		b, err := tx.LedgerBalances(ctx, accounts...)
		if err != nil {
			return err
		}
		if p, err = build(b); err != nil {
			return err
		}
		return tx.PostPlan(ctx, p)
	})
	return p, err
}

func balance(t *testing.T, s *store.Store, a ledger.Account) money.Fen {
	t.Helper()
	v, err := s.AccountBalance(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLedgerContract(t *testing.T) {
	ctx := context.Background()
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		t.Run("PostReadReconcile", func(t *testing.T) {
			s, _ := ledgerSetup(t, eng)
			post(t, s, one(ledger.Pay(meta("pay:T1", "T1", 1), 30_000)))
			_, err := plan(ctx, s, []ledger.Account{ledger.Escrow("T1"), ledger.SellerAvailable("S1")}, func(b ledger.Balances) (ledger.Plan, error) {
				return ledger.Refund(meta("refund:A1", "T1", 2), "B1", "S1", 5_000, b)
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = plan(ctx, s, []ledger.Account{ledger.Escrow("T1")}, func(b ledger.Balances) (ledger.Plan, error) {
				return ledger.Release(meta("release:T1", "T1", 3), "S1", b)
			})
			if err != nil {
				t.Fatal(err)
			}
			for a, want := range map[ledger.Account]money.Fen{ledger.Escrow("T1"): 0, ledger.BuyerPayout("B1"): 5_000,
				ledger.SellerAvailable("S1"): 25_000, ledger.External(ledger.SourcePayin): -30_000, ledger.GuaranteeFund(): 0} {
				if got := balance(t, s, a); got != want {
					t.Errorf("%s = %d, want %d", a, got, want)
				}
			}
			recs, err := s.OrderPostings(ctx, "T1")
			if err != nil || len(recs) != 3 {
				t.Fatalf("order postings: %d %v", len(recs), err)
			}
			var txs []ledger.Transaction
			for i, r := range recs {
				lt, err := r.Transaction()
				if err != nil {
					t.Fatal(err)
				}
				if i > 0 && r.Seq <= recs[i-1].Seq {
					t.Fatalf("seq not increasing: %+v", recs)
				}
				if r.Digest != lt.Digest() {
					t.Fatalf("digest of %s", r.ID)
				}
				txs = append(txs, lt)
			}
			tot, err := ledger.Reconcile("T1", txs)
			if err != nil || !tot.Settled() || tot.Paid != 30_000 || tot.Refunded != 5_000 || tot.Released != 25_000 {
				t.Fatalf("reconcile %+v %v", tot, err)
			}
			got, err := s.LedgerTransaction(ctx, "refund:A1")
			if err != nil {
				t.Fatal(err)
			}
			want, _ := ledger.Refund(meta("refund:A1", "T1", 2), "B1", "S1", 5_000, ledger.Balances{ledger.Escrow("T1"): 30_000})
			back, _ := got.Transaction()
			if !reflect.DeepEqual(back, want.Transactions[0]) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back, want.Transactions[0])
			}
			if _, err := s.LedgerTransaction(ctx, "nope"); !fault.Is(err, fault.NotFound) {
				t.Fatalf("missing transaction: %v", err)
			}
		})

		t.Run("AccountPostingsPages", func(t *testing.T) {
			s, _ := ledgerSetup(t, eng)
			var txs []ledger.Transaction
			for i := range 7 {
				txs = append(txs, one(ledger.TopUpDeposit(meta(fmt.Sprintf("dep-%d", i), "", i), "S1", money.Fen(100*(i+1)))))
			}
			txs = append(txs, one(ledger.Withdraw(meta("wd", "", 9), ledger.SellerDeposit("S1"), 50)))
			post(t, s, txs...)
			var all []store.AccountEntry
			cursor := ""
			for pages := 0; ; pages++ {
				page, next, err := s.AccountPostings(ctx, ledger.SellerDeposit("S1"), cursor, 3)
				if err != nil || pages > 5 {
					t.Fatalf("page %d: %v", pages, err)
				}
				all = append(all, page...)
				if next == "" {
					break
				}
				cursor = next
			}
			if len(all) != 8 {
				t.Fatalf("%d entries", len(all))
			}
			var run money.Fen
			for i, e := range all {
				run += e.Amount
				if e.BalanceAfter == nil || *e.BalanceAfter != run || e.Account != "seller_deposit:S1" {
					t.Fatalf("entry %d: %+v (running %d)", i, e, run)
				}
			}
			if last := all[7]; last.TransactionID != "wd" || last.Amount != -50 || *last.BalanceAfter != 2750 || !last.At.Equal(lt0.Add(9*time.Second)) {
				t.Fatalf("last entry %+v", last)
			}
			// Accounts without a floor keep no running balance.
			ext, _, err := s.AccountPostings(ctx, ledger.External(ledger.SourceDeposit), "", 100)
			if err != nil || len(ext) != 7 || ext[0].BalanceAfter != nil || balance(t, s, ledger.External(ledger.SourceDeposit)) != -2800 {
				t.Fatalf("external postings %+v %v", ext, err)
			}
			if _, _, err := s.AccountPostings(ctx, ledger.SellerDeposit("S1"), "x", 3); !fault.Is(err, fault.Invalid) {
				t.Fatalf("bad cursor: %v", err)
			}
		})

		t.Run("IdempotentByID", func(t *testing.T) {
			s, _ := ledgerSetup(t, eng)
			pay := one(ledger.Pay(meta("pay:T1", "T1", 1), 1_000))
			post(t, s, pay)
			later := pay
			later.At, later.RuleIDs = pay.At.Add(time.Hour), []string{"other"}
			post(t, s, later) // same money, later retry: no-op
			if got := balance(t, s, ledger.Escrow("T1")); got != 1_000 {
				t.Fatalf("escrow %d after a repeated post", got)
			}
			other := one(ledger.Pay(meta("pay:T1", "T1", 1), 999))
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.PostTransaction(ctx, other) })
			if !fault.Is(err, fault.Conflict) {
				t.Fatalf("same id, other amount: %v", err)
			}
			recs, _ := s.OrderPostings(ctx, "T1")
			if len(recs) != 1 || len(recs[0].Postings) != 2 || !recs[0].At.Equal(pay.At) {
				t.Fatalf("%+v", recs)
			}
		})

		t.Run("FloorsRefused", func(t *testing.T) {
			s, _ := ledgerSetup(t, eng)
			post(t, s, one(ledger.Pay(meta("pay:T1", "T1", 1), 1_000)))
			over := ledger.Transaction{ID: "over", Kind: ledger.TxRefund, OrderID: "T1", At: lt0, RuleIDs: []string{},
				Postings: []ledger.Posting{{Account: ledger.Escrow("T1"), Amount: -1_200}, {Account: ledger.BuyerPayout("B1"), Amount: 1_200}}}
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.PostTransaction(ctx, over) })
			var ie *ledger.InsufficientError
			fe, _ := fault.As(err)
			if !fault.Is(err, fault.Conflict) || !errors.As(err, &ie) || ie.Shortfall() != 200 || ie.Account != ledger.Escrow("T1") || fe.Rule != ledger.RuleShortfall {
				t.Fatalf("overdraft: %v", err)
			}
			if _, err := s.LedgerTransaction(ctx, "over"); !fault.Is(err, fault.NotFound) {
				t.Fatalf("refused transaction stored: %v", err)
			}
			bad := over
			bad.Postings = []ledger.Posting{{Account: ledger.Escrow("T1"), Amount: -100}, {Account: ledger.BuyerPayout("B1"), Amount: 90}}
			err = s.InTx(ctx, func(tx *store.Tx) error { return tx.PostTransaction(ctx, bad) })
			var v *ledger.Violation
			if !fault.Is(err, fault.Invalid) || !errors.As(err, &v) || v.Invariant != ledger.InvBalanced {
				t.Fatalf("unbalanced: %v", err)
			}
			if got := balance(t, s, ledger.Escrow("T1")); got != 1_000 {
				t.Fatalf("escrow %d", got)
			}
		})

		t.Run("AppendOnly", func(t *testing.T) {
			s, u := ledgerSetup(t, eng)
			post(t, s, one(ledger.Pay(meta("pay:T1", "T1", 1), 1_000)))
			db := apitest.RawDB(t, u)
			for _, q := range []string{
				`UPDATE ledger_postings SET amount = 1 WHERE transaction_id = 'pay:T1'`,
				`DELETE FROM ledger_postings`,
				`UPDATE ledger_transactions SET kind = 'refund'`,
				`DELETE FROM ledger_transactions`,
			} {
				if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: %v", q, err)
				}
			}
			// A balance below its floor is refused by the database too.
			if _, err := db.Exec(`UPDATE ledger_balances SET balance = -1 WHERE account = 'escrow:T1'`); err == nil {
				t.Error("negative escrow accepted by the balances table")
			}
		})

		t.Run("AdvanceLifecycle", func(t *testing.T) {
			s, _ := ledgerSetup(t, eng)
			post(t, s, one(ledger.TopUpFund(meta("cap", "", 0), 1_000_000)), one(ledger.TopUpDeposit(meta("dep", "", 0), "S", 8_000)),
				one(ledger.Pay(meta("pay:T2", "T2", 1), 20_000)))
			accts := []ledger.Account{ledger.Escrow("T2"), ledger.Frozen("T2"), ledger.GuaranteeFund(), ledger.SellerDeposit("S"), ledger.BuyerPayout("B"), ledger.SellerAvailable("S")}
			steps := []func(ledger.Balances) (ledger.Plan, error){
				func(b ledger.Balances) (ledger.Plan, error) { return ledger.Release(meta("done:T2", "T2", 2), "S", b) },
				func(b ledger.Balances) (ledger.Plan, error) {
					return ledger.Advance(meta("adv:C2", "T2", 3), "B", 20_000, b)
				},
				func(b ledger.Balances) (ledger.Plan, error) {
					return ledger.ResolveAdvance(meta("res:C2", "T2", 4), ledger.Resolution{Outcome: ledger.GoodsReturned, SellerID: "S", Advanced: 20_000}, b)
				},
			}
			var last ledger.Plan
			for _, st := range steps {
				var err error
				if last, err = plan(ctx, s, accts, st); err != nil {
					t.Fatal(err)
				}
			}
			if len(last.Shortfalls) != 1 || last.Shortfalls[0].Missing != 12_000 {
				t.Fatalf("shortfalls %+v", last.Shortfalls)
			}
			for a, want := range map[ledger.Account]money.Fen{ledger.GuaranteeFund(): 988_000, ledger.FundReceivable("S"): 12_000,
				ledger.External(ledger.SourceSellerDebt): -12_000, ledger.SellerDeposit("S"): 0, ledger.BuyerPayout("B"): 20_000} {
				if got := balance(t, s, a); got != want {
					t.Errorf("%s = %d, want %d", a, got, want)
				}
			}
			// Posting the same plan again (a retried command) changes nothing.
			if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.PostPlan(ctx, last) }); err != nil {
				t.Fatal(err)
			}
			if got := balance(t, s, ledger.FundReceivable("S")); got != 12_000 {
				t.Fatalf("receivable %d after a repeated plan", got)
			}
			recs, _ := s.OrderPostings(ctx, "T2")
			var txs []ledger.Transaction
			for _, r := range recs {
				lt, _ := r.Transaction()
				txs = append(txs, lt)
			}
			tot, err := ledger.Reconcile("T2", txs)
			if err != nil || tot.OpenAdvance() != 0 || tot.ReceivableRecorded != 12_000 {
				t.Fatalf("%+v %v", tot, err)
			}
		})

		t.Run("ConcurrentPostsKeepFloorsInSeqOrder", func(t *testing.T) {
			s, _ := ledgerSetup(t, eng)
			dep := ledger.SellerDeposit("S1")
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok, refused := 0, 0
			for i := range 24 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var lt ledger.Transaction
					if i%2 == 0 {
						lt, _ = ledger.TopUpDeposit(meta(fmt.Sprintf("in-%d", i), "", i), "S1", 100)
					} else {
						lt, _ = ledger.Withdraw(meta(fmt.Sprintf("out-%d", i), "", i), dep, 150)
					}
					err := s.InTx(ctx, func(tx *store.Tx) error { return tx.PostTransaction(ctx, lt) })
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case fault.Is(err, fault.Conflict):
						refused++
					default:
						t.Errorf("%s: %v", lt.ID, err)
					}
				}()
			}
			wg.Wait()
			if ok+refused != 24 || ok < 12 {
				t.Fatalf("ok %d refused %d", ok, refused)
			}
			entries, _, err := s.AccountPostings(ctx, dep, "", 1000)
			if err != nil {
				t.Fatal(err)
			}
			var run money.Fen
			for _, e := range entries {
				run += e.Amount
				if run < 0 || *e.BalanceAfter != run {
					t.Fatalf("in seq order %s takes the deposit to %d (stored %d): %+v", e.TransactionID, run, e.BalanceAfter, entries)
				}
			}
			if got := balance(t, s, dep); got != run {
				t.Fatalf("balance %d, postings %d", got, run)
			}
		})

		// Plans whose ids the command minted go out as queued writes:
		// the postings take their transaction's seq and the balances
		// after them from the rows, and the checker agrees.
		t.Run("FreshPlansQueued", func(t *testing.T) {
			s, _ := ledgerSetup(t, eng)
			post(t, s, one(ledger.Pay(meta("pay:T1", "T1", 1), 30_000)), one(ledger.Pay(meta("pay:T2", "T2", 2), 10_000)))
			refund := func(tx *store.Tx, id, order string, amount money.Fen, i int) error {
				b, err := tx.LedgerBalances(ctx, ledger.Escrow(order), ledger.SellerAvailable("S1"))
				if err != nil {
					return err
				}
				p, err := ledger.Refund(meta(id, order, i), "B1", "S1", amount, b)
				if err != nil {
					return err
				}
				return tx.PostFreshPlan(ctx, p)
			}
			if err := s.InTx(ctx, func(tx *store.Tx) error {
				if err := refund(tx, "refund:F1", "T1", 5_000, 3); err != nil {
					return err
				}
				if err := refund(tx, "refund:F2", "T2", 4_000, 4); err != nil {
					return err
				}
				// The escrow as this transaction left it, without asking the database again.
				b, err := tx.LedgerBalances(ctx, ledger.Escrow("T1"))
				if err != nil || b[ledger.Escrow("T1")] != 25_000 {
					return fmt.Errorf("escrow T1 inside the transaction: %v %v", b, err)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			entries, _, err := s.AccountPostings(ctx, ledger.BuyerPayout("B1"), "", 10)
			if err != nil || len(entries) != 2 {
				t.Fatalf("payout postings %d %v", len(entries), err)
			}
			for i, want := range []money.Fen{5_000, 9_000} {
				e := entries[i]
				rec, err := s.LedgerTransaction(ctx, e.TransactionID)
				if err != nil || e.BalanceAfter == nil || *e.BalanceAfter != want || e.Seq != rec.Seq {
					t.Fatalf("posting %d: %+v (transaction seq %d, %v), want balance after %d", i, e, rec.Seq, err, want)
				}
			}
			if got := balance(t, s, ledger.Escrow("T2")); got != 6_000 {
				t.Fatalf("escrow T2 %d", got)
			}
			// A duplicate id is an error, and leaves nothing.
			err = s.InTx(ctx, func(tx *store.Tx) error { return refund(tx, "refund:F1", "T1", 1_000, 5) })
			if err == nil {
				t.Fatal("a fresh plan reusing an id was posted")
			}
			if got := balance(t, s, ledger.Escrow("T1")); got != 25_000 {
				t.Fatalf("escrow T1 %d after a refused duplicate", got)
			}
			// More than the escrow holds: refused before anything is written.
			over := ledger.Transaction{ID: "over:1", Kind: ledger.TxRefund, OrderID: "T2", At: lt0, RuleIDs: []string{},
				Postings: []ledger.Posting{{Account: ledger.Escrow("T2"), Amount: -6_001}, {Account: ledger.BuyerPayout("B1"), Amount: 6_001}}}
			err = s.InTx(ctx, func(tx *store.Tx) error {
				return tx.PostFreshPlan(ctx, ledger.Plan{Transactions: []ledger.Transaction{over}})
			})
			if !fault.Is(err, fault.Conflict) {
				t.Fatalf("overdraft: %v", err)
			}
			rep, err := ledgercheck.Check(ctx, s)
			if err != nil || !rep.OK() {
				t.Fatalf("ledger check: %+v %v", rep.First(), err)
			}
		})

		t.Run("ConcurrentSameIDPostsOnce", func(t *testing.T) {
			s, _ := ledgerSetup(t, eng)
			pay := one(ledger.Pay(meta("pay:T1", "T1", 1), 700))
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.InTx(ctx, func(tx *store.Tx) error { return tx.PostTransaction(ctx, pay) })
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := balance(t, s, ledger.Escrow("T1")); got != 700 {
				t.Fatalf("escrow %d", got)
			}
			if got := balance(t, s, ledger.External(ledger.SourcePayin)); got != -700 {
				t.Fatalf("payin %d", got)
			}
		})

		t.Run("AllTransactionsInPages", func(t *testing.T) {
			s, _ := ledgerSetup(t, eng)
			var txs []ledger.Transaction
			for i := range 1_100 {
				txs = append(txs, one(ledger.Pay(meta(fmt.Sprintf("pay:%04d", i), fmt.Sprintf("T%04d", i), i), money.Fen(i+1))))
			}
			post(t, s, txs...)
			n := 0
			var prev int64
			err := s.ReadLedger(ctx, func(v *store.LedgerView) error {
				for r, err := range v.AllTransactions(ctx) {
					if err != nil {
						return err
					}
					if r.Seq <= prev || len(r.Postings) != 2 || r.ID != fmt.Sprintf("pay:%04d", n) {
						return fmt.Errorf("record %d: %+v", n, r)
					}
					prev = r.Seq
					n++
				}
				bals, err := v.StoredBalances(ctx)
				if err != nil {
					return err
				}
				if _, ok := bals["external:payin"]; len(bals) != 1_100 || ok || bals["escrow:T1099"] != 1_100 {
					return fmt.Errorf("%d balances: %v", len(bals), bals["external:payin"])
				}
				return nil
			})
			if err != nil || n != 1_100 {
				t.Fatalf("%d transactions: %v", n, err)
			}
			if got := balance(t, s, ledger.External(ledger.SourcePayin)); got != -1_100*1_101/2 {
				t.Fatalf("payin %d", got)
			}
			// Stopping early is fine.
			for range s.AllTransactions(ctx) {
				break
			}
		})
	})
}
