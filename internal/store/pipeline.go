package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/order"
)

// Pipelined writes (PostgreSQL). A command's writes whose only outcome is
// an error or a row count (state rows with their version check, events,
// outbox messages, deadlines, the idempotency record) are queued instead of
// sent one by one, and go to the server as one pipeline (a pgx batch: one
// round trip) when the transaction next reads, opens a savepoint or
// commits. Every statement keeps its own result check, so a version
// conflict or a unique violation maps to the same error as before, only
// reported at the flush; reads always see the transaction's own writes,
// because any statement that is not queued flushes the queue first. On
// SQLite (in-process, one writer) the statements simply run at once.

// laterExec is one queued statement and the check of its outcome.
type laterExec struct {
	q     string // already rebound
	args  []any
	check func(n int64, err error) error
}

// execLater runs q now (SQLite, or a transaction without its connection at
// hand) or queues it for the next flush (PostgreSQL); check turns the row
// count or the error into the statement's outcome.
func (t *Tx) execLater(ctx context.Context, q string, check func(n int64, err error) error, args ...any) error {
	if t.conn == nil {
		res, err := t.exec(ctx, q, args...)
		return checkResult(res, err, check)
	}
	t.later = append(t.later, laterExec{q: t.d.rebind(q), args: args, check: check})
	return nil
}

// checkResult applies check to a statement run at once.
func checkResult(res sql.Result, err error, check func(int64, error) error) error {
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	return check(n, err)
}

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
	ops := t.later
	t.later = nil
	if len(ops) == 1 {
		res, err := t.tx.ExecContext(ctx, ops[0].q, ops[0].args...)
		return checkResult(res, err, ops[0].check)
	}
	return t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: pipeline: unexpected driver connection %T", dc)
		}
		b := &pgx.Batch{}
		for _, op := range ops {
			b.Queue(op.q, op.args...)
		}
		br := sc.Conn().SendBatch(ctx, b)
		var first error
		for _, op := range ops {
			ct, err := br.Exec()
			if first == nil {
				first = op.check(ct.RowsAffected(), err)
			}
		}
		return errors.Join(first, br.Close())
	})
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
		q := `SELECT a.id, a.body, o.body FROM aftersales a JOIN orders o ON o.id = a.order_id WHERE a.id IN (?` +
			strings.Repeat(", ?", len(chunk)-1) + `)` + t.d.forUpdateOfSkipLocked("a")
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

// beginConn starts a transaction on a connection of its own, kept at hand
// for pipelined flushes (PostgreSQL).
func (s *Store) beginConn(ctx context.Context) (*sql.Conn, *sql.Tx, error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, tx, nil
}
