package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/order"
)

// Pipelined writes (PostgreSQL). A command's writes whose only outcome is
// an error or a row count (state rows with their version check, events,
// outbox messages, deadlines, the idempotency record) are queued instead of
// sent one by one, and go to the server as one pipeline (a pgx batch: one
// round trip) together with the statement that needs an answer next: a
// read, a savepoint, or COMMIT. BEGIN is not sent on its own either: it
// leads the transaction's first pipeline. So a command that loads, decides
// and applies one Commit costs two round trips: BEGIN with its load, then
// its writes with COMMIT. Every statement keeps its own result check, so a
// version conflict or a unique violation maps to the same error as before,
// only reported with the pipeline; reads always see the transaction's own
// writes, because they travel behind them. On SQLite (in-process, one
// writer) the statements simply run at once.

// txQuerier is what a transaction's statements run on: a *sql.Tx (SQLite)
// or the transaction's *sql.Conn (PostgreSQL, which begins and commits in
// its pipelines).
type txQuerier interface {
	querier
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// laterExec is one queued statement and the check of its outcome.
type laterExec struct {
	q     string // already rebound
	args  []any
	check func(n int64, err error) error
	one   bool // the statement must change exactly one row (execOne)
}

// execLater runs q now (SQLite) or queues it for the next pipeline
// (PostgreSQL); check turns the error into the statement's outcome. A
// check that depends on the row count (a version check) must use execOne:
// on PostgreSQL the COMMIT travels in the same pipeline, so only an error
// raised by the server can stop it.
func (t *Tx) execLater(ctx context.Context, q string, check func(n int64, err error) error, args ...any) error {
	if t.conn == nil {
		res, err := t.exec(ctx, q, args...)
		return checkResult(res, err, check)
	}
	t.later = append(t.later, laterExec{q: t.d.rebind(q), args: args, check: check})
	return nil
}

// execOne is execLater for a write that must change exactly one row (an
// update under its version check, say), check seeing 0 rows otherwise. On
// PostgreSQL the count is asserted by the server: a statement that changes
// no row fails there and aborts the transaction, so that the COMMIT sent
// in the same pipeline cannot keep the writes queued before it.
func (t *Tx) execOne(ctx context.Context, q string, check func(n int64, err error) error, args ...any) error {
	if t.conn == nil {
		return t.execLater(ctx, q, check, args...)
	}
	t.later = append(t.later, laterExec{q: t.d.rebind(q), args: args, check: check, one: true})
	return nil
}

// oneRowSQL wraps a write so that changing any number of rows but one is
// an error of the statement (SQLSTATE 22012, division by zero).
func oneRowSQL(q string) string {
	return `WITH w AS (` + q + ` RETURNING 1) SELECT 1 / ((SELECT count(*) FROM w) = 1)::int`
}

// outcome is what a queued write's check sees from its result.
func (op laterExec) outcome(ct pgconn.CommandTag, err error) error {
	if !op.one {
		return op.check(ct.RowsAffected(), err)
	}
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return op.check(1, nil)
	case errors.As(err, &pe) && pe.Code == "22012":
		return op.check(0, nil)
	default:
		return op.check(0, err)
	}
}

// checkResult applies check to a statement run at once.
func checkResult(res sql.Result, err error, check func(int64, error) error) error {
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	return check(n, err)
}

// rowCount is the sql.Result of a pipelined statement.
type rowCount int64

func (n rowCount) LastInsertId() (int64, error) { return 0, errors.New("store: no insert id") }
func (n rowCount) RowsAffected() (int64, error) { return int64(n), nil }

// plainErr is the check of a statement whose only outcome is its error.
func plainErr(_ int64, err error) error { return err }

// staleOnUnique is the check of an append whose unique key, when taken,
// means another command got there first (a Conflict the caller may retry);
// other errors are wrapped as "store: <what>".
func staleOnUnique(what string) func(int64, error) error {
	return func(_ int64, err error) error {
		if isUnique(err) {
			return &fault.Error{Code: fault.Conflict, Message: "并发操作冲突 / a concurrent action changed this object first", Cause: ErrStale}
		}
		if err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
		return nil
	}
}

// Flush sends the queued writes, in order, and returns the first failing
// statement's error (the transaction is then unusable on PostgreSQL and
// must roll back, as after any failed statement).
func (t *Tx) Flush(ctx context.Context) error {
	if len(t.later) == 0 {
		return nil
	}
	if t.conn == nil {
		return errors.New("store: queued writes without a pipeline") // execLater runs at once on SQLite
	}
	return t.pipe(ctx, nil)
}

// pipedRow is a read sent behind the transaction's BEGIN and queued
// writes, in their pipeline, when it is scanned.
type pipedRow struct {
	t    *Tx
	ctx  context.Context
	q    string
	args []any
}

func (r *pipedRow) Scan(dest ...any) error {
	var scanErr error
	err := r.t.send(r.ctx, func(b *pgx.Batch) func(pgx.BatchResults) error {
		b.Queue(r.q, r.args...)
		return func(br pgx.BatchResults) error {
			scanErr = br.QueryRow().Scan(dest...)
			return nil
		}
	})
	if err != nil {
		return err
	}
	return scanErr
}

// pipe sends BEGIN (if not yet sent), the queued writes and then last, if
// any, as one pipeline.
func (t *Tx) pipe(ctx context.Context, last *laterExec) error {
	if last == nil {
		return t.send(ctx, nil)
	}
	return t.send(ctx, func(b *pgx.Batch) func(pgx.BatchResults) error {
		b.Queue(last.q, last.args...)
		return func(br pgx.BatchResults) error {
			ct, err := br.Exec()
			return last.check(ct.RowsAffected(), err)
		}
	})
}

// send is one pipeline: BEGIN unless the transaction has begun, the queued
// writes, then what tail queues, whose outcome tail's returned function
// reads. It returns the first failure: a queued write's check, or tail's.
// A failed queued write is also kept for cause (a later statement only
// hears that the transaction is aborted).
func (t *Tx) send(ctx context.Context, tail func(*pgx.Batch) func(pgx.BatchResults) error) error {
	ops := t.later
	t.later = nil
	b := &pgx.Batch{}
	begin := !t.begun
	if begin {
		b.Queue("BEGIN")
	}
	for _, op := range ops {
		if op.one {
			b.Queue(oneRowSQL(op.q), op.args...)
		} else {
			b.Queue(op.q, op.args...)
		}
	}
	var read func(pgx.BatchResults) error
	if tail != nil {
		read = tail(b)
	}
	if len(b.QueuedQueries) == 0 {
		return nil
	}
	t.begun = true
	err := t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: pipeline: unexpected driver connection %T", dc)
		}
		br := sc.Conn().SendBatch(ctx, b)
		var first error
		if begin {
			if _, err := br.Exec(); err != nil {
				first = fmt.Errorf("store: begin: %w", err)
			}
		}
		for _, op := range ops {
			ct, err := br.Exec()
			if first == nil {
				if first = op.outcome(ct, err); first != nil && t.flushErr == nil {
					t.flushErr = first
				}
			}
		}
		if read != nil {
			if err := read(br); first == nil {
				first = err
			}
		}
		return errors.Join(first, br.Close())
	})
	return err
}

// inPipelinedTx runs fn in one transaction on a connection of its own
// (PostgreSQL): BEGIN goes out with fn's first statement and COMMIT with
// its last writes, so a load-decide-apply command is two round trips.
func (s *Store) inPipelinedTx(ctx context.Context, fn func(*Tx) error) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer conn.Close() // a connection left inside a transaction is discarded by the driver, not reused
	t := &Tx{q: conn, conn: conn, d: s.dialect}
	rollback := func() {
		if t.begun {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}
	if err := fn(t); err != nil {
		rollback()
		return t.cause(err)
	}
	if !t.begun && len(t.later) == 0 {
		return nil // nothing was read or written
	}
	var tag string
	err = t.send(ctx, func(b *pgx.Batch) func(pgx.BatchResults) error {
		b.Queue("COMMIT")
		return func(br pgx.BatchResults) error {
			ct, err := br.Exec()
			tag = ct.String()
			return err
		}
	})
	if err != nil {
		rollback()
		if t.flushErr != nil {
			return t.cause(err)
		}
		return fmt.Errorf("store: commit: %w", err)
	}
	if tag != "COMMIT" {
		return fmt.Errorf("store: commit: the server answered %q", tag)
	}
	return nil
}

// ---- prefetch for the deadline worker ----

// PrefetchAftersales locks the requests ids (skipping rows another
// transaction holds) and reads them with their orders in one query, so
// that the LoadAftersale calls of a deadline batch that follow
// cost no statement each. A request not returned (locked elsewhere, or
// gone) takes the usual path. Each prefetched row is handed out once; a
// write to a prefetched order drops it. It returns the orders it read.
func (t *Tx) PrefetchAftersales(ctx context.Context, ids []string) ([]order.Order, error) {
	var orders []order.Order
	if len(ids) == 0 {
		return nil, nil
	}
	for rest := ids; len(rest) > 0; {
		chunk := rest[:min(len(rest), 500)]
		rest = rest[len(chunk):]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := `SELECT a.id, a.body, o.body FROM aftersales a JOIN orders o ON o.id = a.order_id WHERE a.id IN (` +
			marks(len(chunk)) + `)` + t.d.forUpdateOfSkipLocked("a")
		rows, err := t.query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		if t.pre == nil {
			t.pre, t.preOrders = make(map[string]aftersale.State, len(ids)), make(map[string]order.Order, len(ids))
		}
		for rows.Next() {
			var id, ab, ob string
			var st aftersale.State
			var o order.Order
			if err := rows.Scan(&id, &ab, &ob); err != nil {
				rows.Close()
				return nil, err
			}
			if err := json.Unmarshal([]byte(ab), &st); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: decode aftersale %s: %w", id, err)
			}
			if err := json.Unmarshal([]byte(ob), &o); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: decode order of aftersale %s: %w", id, err)
			}
			t.pre[id], t.preOrders[o.ID] = st, o
			orders = append(orders, o)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, err
		}
	}
	return orders, nil
}

// take hands out a prefetched row once.
func take[T any](m map[string]T, id string) (T, bool) {
	v, ok := m[id]
	if ok {
		delete(m, id)
	}
	return v, ok
}
