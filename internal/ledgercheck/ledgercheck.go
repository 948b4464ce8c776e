// Package ledgercheck audits the stored ledger (`weiquan ledger check`): it
// re-reads every transaction in posting order from one snapshot and
// verifies, from the postings alone, that every transaction is valid and
// balances (ledger.Validate), that its stored content matches the digest
// taken when it was posted, that each posting's stored running balance
// follows from the amounts (which pinpoints a tampered line), that no
// account is below its floor at any point, that the balances table equals
// the sum of postings, that all balances sum to zero and receivables match
// their mirror, and per order that paid = released + refunded + recovered
// (+ what is still in escrow or frozen), that the buyer never got back more
// than was paid and the fund never recovered more than it advanced; and
// globally that the guarantee fund's cash + receivables + open advances
// equals its capital. The first violation names the transaction, line,
// account, amount and invariant.
package ledgercheck

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/store"
)

// MaxViolations bounds the violations a report keeps (all are counted).
const MaxViolations = 100

// Report is the outcome of a check.
type Report struct {
	Engine         string              `json:"engine"`
	Transactions   int64               `json:"transactions"`
	Postings       int64               `json:"postings"`
	Accounts       int                 `json:"accounts"`
	Orders         int                 `json:"orders"`
	SettledOrders  int                 `json:"settled_orders"`
	InEscrow       money.Fen           `json:"in_escrow"`
	Frozen         money.Fen           `json:"frozen"`
	Fund           money.Fen           `json:"guarantee_fund"`
	FundCapital    money.Fen           `json:"fund_capital"`
	Receivables    money.Fen           `json:"receivables"`
	OpenAdvances   money.Fen           `json:"open_advances"`
	Restitutions   money.Fen           `json:"restitutions"`
	Sum            money.Fen           `json:"sum"` // of all balances recomputed from postings
	ViolationCount int                 `json:"violation_count"`
	Violations     []*ledger.Violation `json:"violations"` // in posting order, then the global checks; at most MaxViolations
}

// OK reports a clean ledger.
func (r Report) OK() bool { return r.ViolationCount == 0 }

// First returns the first violation, or nil.
func (r Report) First() *ledger.Violation {
	if len(r.Violations) == 0 {
		return nil
	}
	return r.Violations[0]
}

func (r *Report) add(v *ledger.Violation) {
	r.ViolationCount++
	if len(r.Violations) < MaxViolations {
		r.Violations = append(r.Violations, v)
	}
}

// Check audits the ledger of s from one snapshot. The error is the first
// violation (a *ledger.Violation) when the ledger is inconsistent, or the
// read error; the report is filled either way.
func Check(ctx context.Context, s *store.Store) (Report, error) {
	rep := Report{Engine: string(s.Dialect()), Violations: []*ledger.Violation{}}
	err := s.ReadLedger(ctx, func(v *store.LedgerView) error {
		c := &checker{rep: &rep, sum: map[string]money.Fen{}, stored: map[string]money.Fen{}, rec: ledger.NewReconciler()}
		for r, err := range v.AllTransactions(ctx) {
			if err != nil {
				return err
			}
			c.transaction(r)
		}
		table, err := v.StoredBalances(ctx)
		if err != nil {
			return err
		}
		c.finish(table)
		return nil
	})
	if err != nil {
		if msg := err.Error(); strings.Contains(msg, "no such table") || strings.Contains(msg, "does not exist") {
			return rep, fmt.Errorf("ledger check: %w (is the database migrated? run weiquan migrate)", err)
		}
		return rep, fmt.Errorf("ledger check: %w", err)
	}
	if first := rep.First(); first != nil {
		return rep, first
	}
	return rep, nil
}

type checker struct {
	rep     *Report
	sum     map[string]money.Fen // balance per account, recomputed from amounts
	stored  map[string]money.Fen // last stored balance_after per account
	rec     *ledger.Reconciler
	prevSeq int64
}

// priority orders the invariants one transaction can break: the most
// fundamental is reported, the others listed in Also.
var priority = []ledger.Invariant{
	ledger.InvBalanced, ledger.InvAccount, ledger.InvNonZero, ledger.InvAmountRange, ledger.InvDistinct, ledger.InvLines,
	ledger.InvHeader, ledger.InvShape, ledger.InvOrderScope, ledger.InvFloor, ledger.InvRefundCap, ledger.InvFundRecovery,
	ledger.InvDigest, ledger.InvRunningBalance, ledger.InvSequence,
}

func (c *checker) transaction(r store.LedgerTxRecord) {
	c.rep.Transactions++
	c.rep.Postings += int64(len(r.Postings))
	var vs []*ledger.Violation
	at := func(line int, inv ledger.Invariant, format string, args ...any) {
		v := &ledger.Violation{TxID: r.ID, Seq: r.Seq, Line: line, OrderID: r.OrderID, Invariant: inv, Detail: fmt.Sprintf(format, args...)}
		if line > 0 && line <= len(r.Postings) {
			v.Account, v.Amount = r.Postings[line-1].Account, r.Postings[line-1].Amount
		}
		vs = append(vs, v)
	}
	if r.Seq <= c.prevSeq {
		at(0, ledger.InvSequence, "seq %d after %d", r.Seq, c.prevSeq)
	}
	c.prevSeq = r.Seq
	parsed := true
	var unvouched []int // lines without a running balance (accounts without a floor)
	for i, p := range r.Postings {
		line := i + 1
		if p.Line != line || p.Seq != r.Seq || p.TransactionID != r.ID {
			at(line, ledger.InvSequence, "stored as line %d of %s at seq %d", p.Line, p.TransactionID, p.Seq)
		}
		a, err := ledger.ParseAccount(p.Account)
		if err != nil {
			parsed = false
			at(line, ledger.InvAccount, "%v", err)
		}
		floor, bounded := a.Floor()
		switch {
		case p.BalanceAfter != nil:
			if want := c.stored[p.Account] + p.Amount; *p.BalanceAfter != want {
				at(line, ledger.InvRunningBalance, "stored balance after is %d but the previous stored balance %d %+d gives %d: the line was posted as %+d",
					int64(*p.BalanceAfter), int64(c.stored[p.Account]), int64(p.Amount), int64(want), int64(*p.BalanceAfter-c.stored[p.Account]))
			}
			c.stored[p.Account] = *p.BalanceAfter
		case err == nil && bounded:
			at(line, ledger.InvRunningBalance, "no stored balance after the line of an account with a floor")
		default:
			unvouched = append(unvouched, line)
		}
		c.sum[p.Account] += p.Amount
		if err == nil && bounded && c.sum[p.Account] < floor {
			at(line, ledger.InvFloor, "%s falls to %d, below its floor %d", p.Account, int64(c.sum[p.Account]), int64(floor))
		}
	}
	if parsed {
		lt, _ := r.Transaction()
		err := ledger.Validate(lt)
		var v *ledger.Violation
		if errors.As(err, &v) {
			v.Seq = r.Seq
			vs = append(vs, v)
		}
		// Fold it in even when invalid, so that one bad transaction does not
		// make every later one of its order look wrong.
		if rv := c.rec.Add(lt); rv != nil && v == nil {
			rv.Seq = r.Seq
			vs = append(vs, rv)
		}
		if lt.Digest() != r.Digest {
			at(0, ledger.InvDigest, "the stored kind, order, ref or postings differ from what was posted")
		}
	}
	if len(vs) > 0 {
		c.rep.add(merge(vs, r, unvouched))
	}
}

// merge reduces one transaction's violations to one: the most fundamental
// invariant, placed on the line the line-level evidence points to — or, for
// an unbalanced transaction whose every running balance checks out, on the
// one line no running balance vouches for (an external account's).
func merge(vs []*ledger.Violation, r store.LedgerTxRecord, unvouched []int) *ledger.Violation {
	rank := func(v *ledger.Violation) int {
		if i := slices.Index(priority, v.Invariant); i >= 0 {
			return i
		}
		return len(priority)
	}
	primary := slices.MinFunc(vs, func(a, b *ledger.Violation) int { return rank(a) - rank(b) })
	out := *primary
	details := []string{primary.Detail}
	if out.Line == 0 {
		for _, v := range vs {
			if v.Line > 0 {
				out.Line, out.Account, out.Amount = v.Line, v.Account, v.Amount
				break
			}
		}
	}
	if out.Line == 0 && out.Invariant == ledger.InvBalanced && len(unvouched) == 1 {
		p := r.Postings[unvouched[0]-1]
		out.Line, out.Account, out.Amount = unvouched[0], p.Account, p.Amount
		details = append(details, fmt.Sprintf("every other line's running balance checks out, so line %d is the one that changed", out.Line))
	}
	for _, v := range vs {
		if v == primary {
			continue
		}
		if !slices.Contains(out.Also, v.Invariant) && v.Invariant != out.Invariant {
			out.Also = append(out.Also, v.Invariant)
		}
		d := string(v.Invariant) + ": " + v.Detail
		if v.Line > 0 {
			d = fmt.Sprintf("line %d %s", v.Line, d)
		}
		details = append(details, d)
	}
	out.Detail = strings.Join(details, "; ")
	return &out
}

func (c *checker) finish(table map[string]money.Fen) {
	rep := c.rep
	names := slices.Sorted(maps.Keys(c.sum))
	for n := range table {
		if _, ok := c.sum[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	rep.Accounts = len(names)
	bal := ledger.Balances{}
	var sum, debt money.Fen
	for _, n := range names {
		want := c.sum[n]
		sum += want
		a, err := ledger.ParseAccount(n)
		if err != nil {
			continue
		}
		// Only accounts with a floor keep a row in the balances table.
		if _, bounded := a.Floor(); bounded && table[n] != want {
			rep.add(&ledger.Violation{Account: n, Invariant: ledger.InvBalanceTable,
				Detail: fmt.Sprintf("the balances table says %d, the postings sum to %d", int64(table[n]), int64(want))})
		}
		bal[a] = want
		switch a.Kind() {
		case ledger.KindEscrow:
			rep.InEscrow += want
		case ledger.KindFrozen:
			rep.Frozen += want
		case ledger.KindFundReceivable:
			rep.Receivables += want
		}
		if a == ledger.External(ledger.SourceSellerDebt) {
			debt = want
		}
	}
	rep.Sum = sum
	if sum != 0 {
		rep.add(&ledger.Violation{Invariant: ledger.InvSumZero, Detail: fmt.Sprintf("all balances sum to %d fen", int64(sum))})
	}
	if debt != -rep.Receivables {
		rep.add(&ledger.Violation{Account: ledger.External(ledger.SourceSellerDebt).String(), Invariant: ledger.InvReceivableMirror,
			Detail: fmt.Sprintf("the mirror holds %d, receivables sum to %d", int64(debt), int64(rep.Receivables))})
	}
	for _, v := range c.rec.Check() {
		rep.add(v)
	}
	orders := c.rec.Orders()
	rep.Orders = len(orders)
	for _, o := range orders {
		if o.Settled() {
			rep.SettledOrders++
		}
	}
	rep.Fund, rep.FundCapital, rep.OpenAdvances, rep.Restitutions = bal[ledger.GuaranteeFund()], c.rec.FundCapital, c.rec.OpenAdvances(), c.rec.FundBorne
	if err := c.rec.FundWhole(bal); err != nil {
		rep.add(err.(*ledger.Violation))
	}
}

// Print writes a human summary.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "ledger check (%s): %d transactions, %d postings, %d accounts\n", r.Engine, r.Transactions, r.Postings, r.Accounts)
	fmt.Fprintf(w, "  orders: %d (%d settled); in escrow %s, frozen %s\n", r.Orders, r.SettledOrders, r.InEscrow, r.Frozen)
	fmt.Fprintf(w, "  guarantee fund: %s + receivables %s + open advances %s + restitutions %s (capital %s)\n", r.Fund, r.Receivables, r.OpenAdvances, r.Restitutions, r.FundCapital)
	fmt.Fprintf(w, "  sum of all balances: %s\n", r.Sum)
	if r.OK() {
		fmt.Fprintln(w, "OK: every invariant holds")
		return
	}
	fmt.Fprintf(w, "FAILED: %d violation(s)\n", r.ViolationCount)
	for i, v := range r.Violations {
		if i == 10 {
			fmt.Fprintf(w, "  … %d more\n", r.ViolationCount-10)
			break
		}
		fmt.Fprintf(w, "  %s\n", v.Error())
	}
}

const usage = `usage: weiquan ledger check [--db URL] [--json]

Re-reads the whole ledger from one snapshot and verifies every posting;
exits non-zero naming the first bad posting (transaction, line, account,
amount, invariant).
`

// Main runs `weiquan ledger check [--db URL] [--json]`; args are what
// follows "ledger" ("check" and its flags; a bare flag list means check).
// It prints a summary (or the report as JSON) on stdout and returns an error
// naming the first bad posting when the ledger is inconsistent. It never
// writes to the database and does not migrate it.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "check" {
		args = args[1:]
	} else if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("ledger: unknown command %q", args[0])
	}
	fs := flag.NewFlagSet("ledger check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	asJSON := fs.Bool("json", false, "print the report as JSON")
	cfg, err := config.Load(fs, args) // --db and the rest of the shared configuration
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("ledger check: unexpected argument %q", fs.Arg(0))
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := Check(ctx, st)
	var v *ledger.Violation
	if err != nil && !errors.As(err, &v) {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.Print(stdout)
	}
	if v != nil {
		return fmt.Errorf("ledger check failed (%d violation(s)); first bad posting: %w", rep.ViolationCount, v)
	}
	return nil
}
