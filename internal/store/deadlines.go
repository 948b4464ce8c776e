package store

import (
	"context"
	"database/sql"
	"time"
)

// Deadline states.
const (
	DeadlinePending   = "pending"
	DeadlineFired     = "fired"
	DeadlineCancelled = "cancelled"
	DeadlineFailed    = "failed"
)

// Deadline is a durable deadline row.
type Deadline struct {
	ID            string
	AggregateType string
	AggregateID   string
	Kind          string
	Actor         string
	DueAt         time.Time
	OnExpiry      string
	RuleID        string
	State         string
	CreatedAt     time.Time
	SettledAt     *time.Time
	Note          string
	Attempts      int
}

// replaceDeadline cancels the aggregate's pending deadline (if any) and, when
// d is not nil, inserts d as the new pending one: at most one pending
// deadline per aggregate, enforced by a unique index.
func (t *Tx) replaceDeadline(ctx context.Context, aggType, aggID string, d *Deadline, now time.Time, clockID string) error {
	if err := t.execLater(ctx, `UPDATE deadlines SET state = ?, settled_at = ? WHERE aggregate_type = ? AND aggregate_id = ? AND state = ?`,
		plainErr, DeadlineCancelled, micros(now), aggType, aggID, DeadlinePending); err != nil {
		return err
	}
	if d == nil {
		return nil
	}
	return t.insertDeadline(ctx, aggType, aggID, d, now, clockID)
}

// insertDeadline inserts d as the aggregate's pending deadline when the
// caller knows it has none (its state wanted none): one statement instead
// of ReplaceDeadline's two. Should a pending row exist after all, the unique
// index refuses the insert (the command fails; nothing is lost).
func (t *Tx) insertDeadline(ctx context.Context, aggType, aggID string, d *Deadline, now time.Time, clockID string) error {
	if d == nil {
		return nil
	}
	return t.execLater(ctx, `INSERT INTO deadlines (id, aggregate_type, aggregate_id, kind, actor, due_at, on_expiry, rule_id, state, created_at, test_clock_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		plainErr, d.ID, aggType, aggID, d.Kind, d.Actor, micros(d.DueAt), d.OnExpiry, d.RuleID, DeadlinePending, micros(now), clockID)
}

// settleFired marks the pending deadline id fired, as part of the command
// that applied it. Errors: Conflict (ErrStale) when it was no longer
// pending (another run settled it first), possibly only when the
// transaction's queued writes are sent.
func (t *Tx) settleFired(ctx context.Context, id string, now time.Time) error {
	return t.execOne(ctx, `UPDATE deadlines SET state = ?, settled_at = ?, note = ? WHERE id = ? AND state = ?`,
		expectOneCheck("期限已被处理 / deadline already settled"), DeadlineFired, micros(now), "", id, DeadlinePending)
}

// SettleDeadline marks a pending deadline fired, cancelled or failed. It
// returns false when the row was no longer pending (already settled).
func (t *Tx) SettleDeadline(ctx context.Context, id, state, note string, now time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE deadlines SET state = ?, settled_at = ?, note = ? WHERE id = ? AND state = ?`, state, micros(now), note, id, DeadlinePending)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ClaimDue returns up to limit pending deadlines on wall time (none of a
// sandbox test clock's: its advance fires those) due at or before now, oldest
// first, locking them on PostgreSQL (SKIP LOCKED lets several workers share
// the load; SQLite has one writer).
func (t *Tx) ClaimDue(ctx context.Context, now time.Time, limit int) ([]Deadline, error) {
	rows, err := t.query(ctx, `SELECT id, aggregate_type, aggregate_id, kind, actor, due_at, on_expiry, rule_id, state, created_at, attempts FROM deadlines WHERE state = 'pending' AND due_at <= ? AND retry_at <= ? AND test_clock_id = '' ORDER BY due_at LIMIT ?`+t.d.forUpdateSkipLocked(), micros(now), micros(now), limit)
	return collect(rows, err, func(rows *sql.Rows, d *Deadline) error {
		return scanDeadline(rows, d, &d.Attempts)
	})
}

// DeferDeadline records a failed attempt to fire a pending deadline and
// retries it at retryAt, so it does not block the deadlines behind it.
func (t *Tx) DeferDeadline(ctx context.Context, id string, retryAt time.Time, note string) error {
	_, err := t.exec(ctx, `UPDATE deadlines SET attempts = attempts + 1, retry_at = ?, note = ? WHERE id = ? AND state = 'pending'`, micros(retryAt), note, id)
	return err
}

// scanDeadline reads a deadline row (its columns in the order the queries
// select them, then extra).
func scanDeadline(rows *sql.Rows, d *Deadline, extra ...any) error {
	var due, created int64
	err := rows.Scan(append([]any{&d.ID, &d.AggregateType, &d.AggregateID, &d.Kind, &d.Actor, &due, &d.OnExpiry, &d.RuleID, &d.State, &created}, extra...)...)
	d.DueAt, d.CreatedAt = fromMicros(due), fromMicros(created)
	return err
}

// PendingDeadlines lists an aggregate's pending deadlines (there should be at most one).
func (s *Store) PendingDeadlines(ctx context.Context, aggType, aggID string) ([]Deadline, error) {
	rows, err := s.query(ctx, `SELECT id, aggregate_type, aggregate_id, kind, actor, due_at, on_expiry, rule_id, state, created_at FROM deadlines WHERE aggregate_type = ? AND aggregate_id = ? AND state = 'pending'`, aggType, aggID)
	return collect(rows, err, func(rows *sql.Rows, d *Deadline) error { return scanDeadline(rows, d) })
}

// DeadlineStats counts pending deadlines and those already overdue at now.
// Both counts use the partial index on pending rows, so they stay cheap as
// the settled history grows (settled totals are process counters in metrics).
type DeadlineStats struct {
	Pending int64
	Overdue int64
}

// DeadlineStats reads the counts.
func (s *Store) DeadlineStats(ctx context.Context, now time.Time) (DeadlineStats, error) {
	var st DeadlineStats
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM deadlines WHERE state = 'pending'`).Scan(&st.Pending); err != nil {
		return st, err
	}
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM deadlines WHERE state = 'pending' AND due_at <= ?`, micros(now)).Scan(&st.Overdue)
	return st, err
}

// DeadlineStatsOf counts the pending and overdue deadlines of one aggregate type.
func (s *Store) DeadlineStatsOf(ctx context.Context, aggType string, now time.Time) (DeadlineStats, error) {
	var st DeadlineStats
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM deadlines WHERE state = 'pending' AND aggregate_type = ?`, aggType).Scan(&st.Pending); err != nil {
		return st, err
	}
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM deadlines WHERE state = 'pending' AND aggregate_type = ? AND due_at <= ?`, aggType, micros(now)).Scan(&st.Overdue)
	return st, err
}

// CountDeadlinesOf counts one aggregate type's deadline rows in a state.
func (s *Store) CountDeadlinesOf(ctx context.Context, aggType, state string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM deadlines WHERE aggregate_type = ? AND state = ?`, aggType, state).Scan(&n)
	return n, err
}

// CountDeadlines counts deadline rows in a state (tests and reports; scans the table).
func (s *Store) CountDeadlines(ctx context.Context, state string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM deadlines WHERE state = ?`, state).Scan(&n)
	return n, err
}
