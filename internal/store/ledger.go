package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
)

// ---- ledger (migration 00002) ----
//
// ledger_transactions (seq, id, kind, order_id, ref, rule_ids, at, digest)
// and ledger_postings (transaction_id, line, seq, account, amount,
// balance_after) are append-only; ledger_balances (account, balance,
// min_balance) is the running sum of postings per account that has a floor,
// kept in the same database transaction with the floor as a CHECK.
// Accounts without a floor (external:*) have no balance row, so that the
// hot external:payin is never locked; their balance is the sum of their
// postings and their postings carry no balance_after. Postings are
// authoritative: `weiquan ledger check` recomputes everything from them.

// LedgerTxRecord is a stored ledger transaction exactly as stored (the
// checker reads it without trusting it).
type LedgerTxRecord struct {
	Seq      int64           `json:"seq"`
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	OrderID  string          `json:"order_id,omitempty"`
	Ref      string          `json:"ref,omitempty"`
	RuleIDs  []string        `json:"rule_ids"`
	At       time.Time       `json:"at"`
	Digest   string          `json:"digest"`
	Postings []LedgerPosting `json:"postings"`
}

// LedgerPosting is one stored posting line.
type LedgerPosting struct {
	TransactionID string     `json:"transaction_id"`
	Line          int        `json:"line"`
	Seq           int64      `json:"seq"`
	Account       string     `json:"account"`
	Amount        money.Fen  `json:"amount"`
	BalanceAfter  *money.Fen `json:"balance_after,omitempty"` // the account's balance after this line; nil for accounts without a floor
}

// Transaction converts the record to a ledger.Transaction (postings in
// line order). Errors when an account does not parse.
func (r LedgerTxRecord) Transaction() (ledger.Transaction, error) {
	tx := ledger.Transaction{ID: r.ID, Kind: ledger.TxKind(r.Kind), OrderID: r.OrderID, Ref: r.Ref, RuleIDs: r.RuleIDs, At: r.At,
		Postings: make([]ledger.Posting, len(r.Postings))}
	for i, p := range r.Postings {
		a, err := ledger.ParseAccount(p.Account)
		if err != nil {
			return tx, fmt.Errorf("transaction %s line %d: %w", r.ID, p.Line, err)
		}
		tx.Postings[i] = ledger.Posting{Account: a, Amount: p.Amount}
	}
	return tx, nil
}

// AccountEntry is one line of an account's statement.
type AccountEntry struct {
	Seq           int64      `json:"seq"`
	TransactionID string     `json:"transaction_id"`
	Kind          string     `json:"kind"`
	OrderID       string     `json:"order_id,omitempty"`
	Ref           string     `json:"ref,omitempty"`
	At            time.Time  `json:"at"`
	Line          int        `json:"line"`
	Account       string     `json:"account"`
	Amount        money.Fen  `json:"amount"`
	BalanceAfter  *money.Fen `json:"balance_after,omitempty"` // nil for accounts without a floor
}

// LedgerBalances returns the current balances of accounts (0 for an account
// never posted to). On PostgreSQL it locks the existing balance rows until
// the transaction ends, so that a ledger.Plan built from them (a refund that
// takes what the escrow holds, a deposit that pays what it has) is still
// valid when posted. The transaction remembers the rows it holds (and keeps
// them current as it posts), so asking again costs no statement; a rolled
// back savepoint forgets them all (its locks may be gone).
// Accounts without a floor (external:*) are summed from their postings,
// unlocked: a scan of the account's postings, so ask for them only when
// needed (builders never need them).
func (t *Tx) LedgerBalances(ctx context.Context, accounts ...ledger.Account) (ledger.Balances, error) {
	b := ledger.Balances{}
	var args []any
	for _, a := range accounts {
		if _, seen := b[a]; seen {
			continue // asked twice (a batch's sellers, say): read once
		}
		b[a] = 0
		if _, bounded := a.Floor(); !bounded {
			v, err := sumPostings(ctx, t.queryRow, a)
			if err != nil {
				return nil, err
			}
			b[a] = v
			continue
		}
		if v, held := t.bal[a]; held {
			b[a] = v
			continue
		}
		args = append(args, a.String())
	}
	if len(args) == 0 {
		return b, nil
	}
	q := `SELECT account, balance FROM ledger_balances WHERE account IN (` + marks(len(args)) + `) ORDER BY account`
	if t.d == Postgres {
		q += " FOR UPDATE"
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: ledger balances: %w", err)
	}
	defer rows.Close()
	if t.bal == nil {
		t.bal = map[ledger.Account]money.Fen{}
	}
	for rows.Next() {
		var name string
		var bal int64
		if err := rows.Scan(&name, &bal); err != nil {
			return nil, err
		}
		a, err := ledger.ParseAccount(name)
		if err != nil {
			return nil, fmt.Errorf("store: ledger balances: %w", err)
		}
		b[a] = money.Fen(bal)
		t.bal[a] = money.Fen(bal)
	}
	return b, rows.Err()
}

// PostPlan posts a plan's transactions in order (see PostTransaction).
func (t *Tx) PostPlan(ctx context.Context, p ledger.Plan) error {
	for _, lt := range p.Transactions {
		if err := t.PostTransaction(ctx, lt); err != nil {
			return err
		}
	}
	return nil
}

// PostFreshPlan posts a plan whose transaction ids the calling command
// minted itself (from a UUIDv7), so that none can have been posted before:
// it skips the posted-before checks, and the whole posting is queued writes
// (no round trip of its own on PostgreSQL). A duplicate id is an error.
func (t *Tx) PostFreshPlan(ctx context.Context, p ledger.Plan) error {
	for _, lt := range p.Transactions {
		if err := t.postTransaction(ctx, lt, true); err != nil {
			return err
		}
	}
	return nil
}

// PostTransaction validates a ledger transaction, checks every account
// stays at or above its floor against the current balances, and appends it:
// the transaction row, its postings with the running balance, and the
// balances. Posting is idempotent by id: the same id with the same money
// content (ledger.Transaction.Digest: kind, order, ref, postings — not the
// time or rule ids) is a no-op, also when a concurrent transaction posts it
// first. Errors: Invalid (cause *ledger.Violation); Conflict when an account
// would go below its floor (cause *ledger.InsufficientError; rule
// taobao-dispute-87) or when the id was posted with other content.
//
// Statements: the debited accounts' balances are read (and locked) unless
// the transaction already holds them; the balance changes and the postings
// are queued writes; only the transaction row is a round trip of its own
// (its seq goes into the postings). A credited account's balance after the
// posting is the one the balance row holds when the posting is written
// (its upsert holds the row's lock from then on).
func (t *Tx) PostTransaction(ctx context.Context, lt ledger.Transaction) error {
	return t.postTransaction(ctx, lt, false)
}

func (t *Tx) postTransaction(ctx context.Context, lt ledger.Transaction, fresh bool) error {
	if err := ledger.Validate(lt); err != nil {
		return &fault.Error{Code: fault.Invalid, Field: "postings", Message: "无效的账务分录 / invalid ledger transaction: " + err.Error(), Cause: err}
	}
	digest := lt.Digest()
	var debits, credits []ledger.Account // the accounts with a floor, sorted
	for _, a := range lt.Accounts() {
		if _, bounded := a.Floor(); !bounded {
			continue
		}
		if amt, _ := lt.Line(a); amt < 0 {
			debits = append(debits, a)
		} else {
			credits = append(credits, a)
		}
	}
	cur, err := t.LedgerBalances(ctx, debits...)
	if err != nil {
		return err
	}
	if err := ledger.CheckFloors(cur, lt); err != nil {
		// Posted before (a retry)? Then it is a no-op, or a conflict.
		if !fresh {
			if done, perr := t.postedBefore(ctx, lt.ID, digest); done || perr != nil {
				return perr
			}
		}
		return insufficient(err)
	}
	// Balances first (every row locked: debits above, credits by their
	// upsert), then the sequence number, so that seq order agrees with the
	// order of commits on each account.
	if t.bal == nil {
		t.bal = map[ledger.Account]money.Fen{}
	}
	after := make(map[ledger.Account]money.Fen, len(debits)+len(credits))
	for _, a := range append(debits, credits...) {
		amt, line := lt.Line(a)
		f, _ := a.Floor()
		held, ok := t.bal[a]
		if !ok {
			// A credit to a row we do not hold (perhaps none yet): an
			// upsert. (An upsert would check the floor on the candidate
			// row before the conflict, and refuse every debit: debits
			// always update a row read above.)
			if err := t.execLater(ctx, `INSERT INTO ledger_balances (account, balance, min_balance) VALUES (?, ?, ?)
ON CONFLICT (account) DO UPDATE SET balance = ledger_balances.balance + excluded.balance`, plainErr, a.String(), int64(amt), int64(f)); err != nil {
				return fmt.Errorf("store: ledger balance %s: %w", a, err)
			}
			continue
		}
		short := &ledger.InsufficientError{TxID: lt.ID, Line: line, Account: a, Balance: cur[a], Amount: amt, Floor: f}
		if err := t.execOne(ctx, `UPDATE ledger_balances SET balance = balance + ? WHERE account = ?`, func(n int64, err error) error {
			if isCheckViolation(err) || (err == nil && n != 1) {
				return insufficient(short)
			}
			if err != nil {
				return fmt.Errorf("store: ledger balance %s: %w", a, err)
			}
			return nil
		}, int64(amt), a.String()); err != nil {
			return err
		}
		after[a] = held + amt
		t.bal[a] = held + amt
	}
	rules, _ := json.Marshal(nonNil(lt.RuleIDs))
	if fresh {
		// Queued: the postings take the seq the row gets.
		if err := t.execLater(ctx, `INSERT INTO ledger_transactions (id, kind, order_id, ref, rule_ids, at, digest) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			func(_ int64, err error) error {
				if err != nil {
					return fmt.Errorf("store: ledger transaction %s: %w", lt.ID, err)
				}
				return nil
			}, lt.ID, string(lt.Kind), lt.OrderID, lt.Ref, string(rules), micros(lt.At), digest); err != nil {
			return err
		}
		return t.insertPostings(ctx, lt, nil, after)
	}
	var seq int64
	t.writes++ // a write that reads its seq back
	err = t.queryRow(ctx, `INSERT INTO ledger_transactions (id, kind, order_id, ref, rule_ids, at, digest) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING RETURNING seq`,
		lt.ID, string(lt.Kind), lt.OrderID, lt.Ref, string(rules), micros(lt.At), digest).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		// Posted already (a concurrent transaction first, or a retry):
		// undo our balance changes (we hold their rows) and compare.
		for _, a := range append(debits, credits...) {
			amt, _ := lt.Line(a)
			delete(t.bal, a)
			if _, err := t.exec(ctx, `UPDATE ledger_balances SET balance = balance - ? WHERE account = ?`, int64(amt), a.String()); err != nil {
				return fmt.Errorf("store: ledger undo %s: %w", a, err)
			}
		}
		_, err := t.postedBefore(ctx, lt.ID, digest)
		return err
	}
	if err != nil {
		return t.cause(fmt.Errorf("store: ledger transaction %s: %w", lt.ID, err))
	}
	return t.insertPostings(ctx, lt, &seq, after)
}

// insertPostings queues the postings of lt: seq is the transaction's
// (nil: read from its row, queued before); after holds the balances after
// the posting that are known (the others are read from the balance row,
// which the transaction holds).
func (t *Tx) insertPostings(ctx context.Context, lt ledger.Transaction, seq *int64, after map[ledger.Account]money.Fen) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO ledger_postings (transaction_id, line, seq, account, amount, balance_after) VALUES `)
	args := make([]any, 0, 6*len(lt.Postings))
	for i, p := range lt.Postings {
		if i > 0 {
			q.WriteString(", ")
		}
		args = append(args, lt.ID, i+1)
		if seq != nil {
			q.WriteString("(?, ?, ?, ?, ?, ")
			args = append(args, *seq)
		} else {
			q.WriteString("(?, ?, (SELECT seq FROM ledger_transactions WHERE id = ?), ?, ?, ")
			args = append(args, lt.ID)
		}
		args = append(args, p.Account.String(), int64(p.Amount))
		_, bounded := p.Account.Floor()
		v, known := after[p.Account]
		switch {
		case !bounded:
			q.WriteString("NULL)")
		case known:
			q.WriteString("?)")
			args = append(args, int64(v))
		default:
			q.WriteString("(SELECT balance FROM ledger_balances WHERE account = ?))")
			args = append(args, p.Account.String())
		}
	}
	if err := t.execLater(ctx, q.String(), func(_ int64, err error) error {
		if err != nil {
			return fmt.Errorf("store: ledger postings %s: %w", lt.ID, err)
		}
		return nil
	}, args...); err != nil {
		return err
	}
	return nil
}

// postedBefore reports whether id is already posted: with the same digest
// (done, nil) or another (done, Conflict).
func (t *Tx) postedBefore(ctx context.Context, id, digest string) (bool, error) {
	var prev string
	err := t.queryRow(ctx, `SELECT digest FROM ledger_transactions WHERE id = ?`, id).Scan(&prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("store: ledger transaction %s: %w", id, err)
	case prev != digest:
		return true, &fault.Error{Code: fault.Conflict, Field: "id",
			Message: fmt.Sprintf("账务流水 %s 已以不同内容记账 / ledger transaction %s was already posted with other amounts", id, id)}
	}
	return true, nil
}

func insufficient(err error) error {
	var ie *ledger.InsufficientError
	if !errors.As(err, &ie) {
		return &fault.Error{Code: fault.Invalid, Field: "postings", Message: "无效的账务分录 / invalid ledger transaction: " + err.Error(), Cause: err}
	}
	return &fault.Error{Code: fault.Conflict, Field: "amount", Rule: ledger.RuleShortfall, Cause: ie,
		Message: fmt.Sprintf("余额不足：%s 差 %s / insufficient balance: %s is short by %s", ie.Account, ie.Shortfall(), ie.Account, ie.Shortfall())}
}

// SumBalances sums the balance rows of every account of a kind (e.g.
// "escrow"): a scan, for reports and benchmarks.
func (s *Store) SumBalances(ctx context.Context, kind string) (money.Fen, error) {
	var v int64
	err := s.queryRow(ctx, `SELECT COALESCE(SUM(balance), 0) FROM ledger_balances WHERE account LIKE ?`, kind+":%").Scan(&v)
	return money.Fen(v), err
}

// AccountBalance returns an account's balance (0 if never posted to).
func (s *Store) AccountBalance(ctx context.Context, a ledger.Account) (money.Fen, error) {
	if _, bounded := a.Floor(); !bounded {
		return sumPostings(ctx, s.queryRow, a)
	}
	var bal int64
	err := s.queryRow(ctx, `SELECT balance FROM ledger_balances WHERE account = ?`, a.String()).Scan(&bal)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: balance %s: %w", a, err)
	}
	return money.Fen(bal), nil
}

// sumPostings sums an account's postings (accounts without a floor).
func sumPostings(ctx context.Context, queryRow func(context.Context, string, ...any) rowScanner, a ledger.Account) (money.Fen, error) {
	var v int64
	if err := queryRow(ctx, `SELECT COALESCE(SUM(amount), 0) FROM ledger_postings WHERE account = ?`, a.String()).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: balance %s: %w", a, err)
	}
	return money.Fen(v), nil
}

// AccountPostings returns a page of an account's statement in posting
// order, after the cursor ("" for the first page), and the cursor of the
// next page ("" at the end). Errors: Invalid for a malformed cursor.
func (s *Store) AccountPostings(ctx context.Context, a ledger.Account, cursor string, limit int) ([]AccountEntry, string, error) {
	var after int64
	if cursor != "" {
		v, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || v < 0 {
			return nil, "", fault.Field("cursor", "无效的游标 / invalid cursor")
		}
		after = v
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.query(ctx, `SELECT p.seq, p.transaction_id, t.kind, t.order_id, t.ref, t.at, p.line, p.account, p.amount, p.balance_after
FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
WHERE p.account = ? AND p.seq > ? ORDER BY p.seq, p.line LIMIT ?`, a.String(), after, limit+1)
	out, err := collect(rows, err, func(rows *sql.Rows, e *AccountEntry) error {
		var at, amt int64
		var bal sql.NullInt64
		err := rows.Scan(&e.Seq, &e.TransactionID, &e.Kind, &e.OrderID, &e.Ref, &at, &e.Line, &e.Account, &amt, &bal)
		e.At, e.Amount, e.BalanceAfter = fromMicros(at), money.Fen(amt), fenPtr(bal)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: postings of %s: %w", a, err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = strconv.FormatInt(out[limit-1].Seq, 10)
	}
	return out, next, nil
}

// LedgerTransaction loads one transaction. Errors: NotFound.
func (s *Store) LedgerTransaction(ctx context.Context, id string) (LedgerTxRecord, error) {
	recs, err := s.view().ledgerTxs(ctx, `WHERE t.id = ?`, id)
	if err != nil {
		return LedgerTxRecord{}, err
	}
	if len(recs) == 0 {
		return LedgerTxRecord{}, notFound("账务流水 ledger transaction", id)
	}
	return recs[0], nil
}

// OrderPostings returns an order's transactions with their postings, in
// posting order: what ledger.Reconcile needs.
func (s *Store) OrderPostings(ctx context.Context, orderID string) ([]LedgerTxRecord, error) {
	return s.view().ledgerTxs(ctx, `WHERE t.order_id = ?`, orderID)
}

// AllTransactions iterates over every ledger transaction with its postings
// in posting order (see LedgerView.AllTransactions), without a snapshot:
// use ReadLedger to read the ledger and the balances table consistently.
func (s *Store) AllTransactions(ctx context.Context) iter.Seq2[LedgerTxRecord, error] {
	return s.view().AllTransactions(ctx)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// LedgerView reads the ledger; from ReadLedger, as one consistent snapshot.
type LedgerView struct {
	q querier
	d Dialect
}

func (s *Store) view() *LedgerView { return &LedgerView{q: s.r, d: s.dialect} }

// ReadLedger runs fn on a read-only snapshot of the database (REPEATABLE
// READ on PostgreSQL; one read transaction on SQLite), so that postings and
// balances read in it agree even while other transactions post.
func (s *Store) ReadLedger(ctx context.Context, fn func(*LedgerView) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.r.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: ledger snapshot: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(&LedgerView{q: tx, d: s.dialect})
}

func (v *LedgerView) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return v.q.QueryContext(ctx, v.d.rebind(q), args...)
}

func (v *LedgerView) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return v.q.QueryRowContext(ctx, v.d.rebind(q), args...)
}

// AllTransactions iterates over every ledger transaction with its postings
// in posting order, reading pages of a few hundred transactions. The records
// are as stored, unchecked.
func (v *LedgerView) AllTransactions(ctx context.Context) iter.Seq2[LedgerTxRecord, error] {
	return func(yield func(LedgerTxRecord, error) bool) {
		const page = 500
		var after int64
		for {
			var last int64
			err := v.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM (SELECT seq FROM ledger_transactions WHERE seq > ? ORDER BY seq LIMIT ?) x`, after, page).Scan(&last)
			if err != nil {
				yield(LedgerTxRecord{}, fmt.Errorf("store: ledger page: %w", err))
				return
			}
			if last == 0 {
				return
			}
			recs, err := v.ledgerTxs(ctx, `WHERE t.seq > ? AND t.seq <= ?`, after, last)
			if err != nil {
				yield(LedgerTxRecord{}, err)
				return
			}
			for _, r := range recs {
				if !yield(r, nil) {
					return
				}
			}
			after = last
		}
	}
}

// StoredBalances returns the balances table (accounts with a floor), by
// account name.
func (v *LedgerView) StoredBalances(ctx context.Context) (map[string]money.Fen, error) {
	rows, err := v.query(ctx, `SELECT account, balance FROM ledger_balances`)
	if err != nil {
		return nil, fmt.Errorf("store: balances: %w", err)
	}
	defer rows.Close()
	out := map[string]money.Fen{}
	for rows.Next() {
		var a string
		var b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		out[a] = money.Fen(b)
	}
	return out, rows.Err()
}

// ledgerTxs loads the transactions matching where (over alias t) and their
// postings, in seq order.
func (v *LedgerView) ledgerTxs(ctx context.Context, where string, args ...any) ([]LedgerTxRecord, error) {
	rows, err := v.query(ctx, `SELECT t.seq, t.id, t.kind, t.order_id, t.ref, t.rule_ids, t.at, t.digest FROM ledger_transactions t `+where+` ORDER BY t.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: ledger transactions: %w", err)
	}
	var out []LedgerTxRecord
	byID := map[string]int{}
	for rows.Next() {
		var r LedgerTxRecord
		var rules string
		var at int64
		if err := rows.Scan(&r.Seq, &r.ID, &r.Kind, &r.OrderID, &r.Ref, &rules, &at, &r.Digest); err != nil {
			rows.Close()
			return nil, err
		}
		r.At = fromMicros(at)
		if err := json.Unmarshal([]byte(rules), &r.RuleIDs); err != nil {
			r.RuleIDs = []string{"<unreadable: " + rules + ">"}
		}
		byID[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	prows, err := v.query(ctx, `SELECT p.transaction_id, p.line, p.seq, p.account, p.amount, p.balance_after
FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id `+where+` ORDER BY t.seq, p.line`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: ledger postings: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		var p LedgerPosting
		var amt int64
		var bal sql.NullInt64
		if err := prows.Scan(&p.TransactionID, &p.Line, &p.Seq, &p.Account, &amt, &bal); err != nil {
			return nil, err
		}
		p.Amount, p.BalanceAfter = money.Fen(amt), fenPtr(bal)
		if i, ok := byID[p.TransactionID]; ok {
			out[i].Postings = append(out[i].Postings, p)
		}
	}
	return out, prows.Err()
}

func fenPtr(v sql.NullInt64) *money.Fen {
	if !v.Valid {
		return nil
	}
	f := money.Fen(v.Int64)
	return &f
}
