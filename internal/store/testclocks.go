package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// TestClock is a sandbox clock frozen at FrozenTime (migration 00130): the
// time of every command on an order created on it, and on what hangs off
// that order; it moves only when advanced.
type TestClock struct {
	ID         string
	Name       string
	FrozenTime time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CreateTestClock inserts a clock.
func (s *Store) CreateTestClock(ctx context.Context, c TestClock) error {
	_, err := s.exec(ctx, `INSERT INTO test_clocks (id, name, frozen_time, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		c.ID, c.Name, micros(c.FrozenTime), micros(c.CreatedAt), micros(c.UpdatedAt))
	return err
}

// GetTestClock reads a clock. Errors: NotFound.
func (s *Store) GetTestClock(ctx context.Context, id string) (TestClock, error) {
	var c TestClock
	var frozen, created, updated int64
	err := s.queryRow(ctx, `SELECT id, name, frozen_time, created_at, updated_at FROM test_clocks WHERE id = ?`, id).
		Scan(&c.ID, &c.Name, &frozen, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("测试时钟 test clock", id)
	}
	c.FrozenTime, c.CreatedAt, c.UpdatedAt = fromMicros(frozen), fromMicros(created), fromMicros(updated)
	return c, err
}

// SetTestClockTime moves a clock to t (never backwards: a clock already
// past t is left as it is and false is returned).
func (s *Store) SetTestClockTime(ctx context.Context, id string, t, now time.Time) (bool, error) {
	res, err := s.exec(ctx, `UPDATE test_clocks SET frozen_time = ?, updated_at = ? WHERE id = ? AND frozen_time <= ?`, micros(t), micros(now), id, micros(t))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Kinds of object whose test clock TestClockOf finds.
const (
	ClockOfOrder     = "order"
	ClockOfAftersale = "aftersale"
	ClockOfDispute   = "dispute"
	ClockOfComplaint = "complaint"
	ClockOfSanction  = "sanction"  // through the complaint it came from
	ClockOfViolation = "violation" // through the complaint it came from
)

var clockOfQuery = map[string]string{
	ClockOfOrder:     `SELECT c.id, c.name, c.frozen_time, c.created_at, c.updated_at FROM orders o JOIN test_clocks c ON c.id = o.test_clock_id WHERE o.id = ?`,
	ClockOfAftersale: `SELECT c.id, c.name, c.frozen_time, c.created_at, c.updated_at FROM aftersales a JOIN orders o ON o.id = a.order_id JOIN test_clocks c ON c.id = o.test_clock_id WHERE a.id = ?`,
	ClockOfDispute:   `SELECT c.id, c.name, c.frozen_time, c.created_at, c.updated_at FROM disputes d JOIN orders o ON o.id = d.order_id JOIN test_clocks c ON c.id = o.test_clock_id WHERE d.id = ?`,
	ClockOfComplaint: `SELECT c.id, c.name, c.frozen_time, c.created_at, c.updated_at FROM complaints p JOIN orders o ON o.id = p.order_id JOIN test_clocks c ON c.id = o.test_clock_id WHERE p.id = ?`,
	ClockOfSanction:  `SELECT c.id, c.name, c.frozen_time, c.created_at, c.updated_at FROM sanctions x JOIN complaints p ON p.id = x.complaint_id JOIN orders o ON o.id = p.order_id JOIN test_clocks c ON c.id = o.test_clock_id WHERE x.id = ?`,
	ClockOfViolation: `SELECT c.id, c.name, c.frozen_time, c.created_at, c.updated_at FROM violations x JOIN complaints p ON p.id = x.complaint_id JOIN orders o ON o.id = p.order_id JOIN test_clocks c ON c.id = o.test_clock_id WHERE x.id = ?`,
}

// TestClockOf returns the clock of an object (an order, or a request, case
// or complaint through its order, a sanction or violation through its
// complaint's order); ok is false when the object is on wall
// time or does not exist.
func (s *Store) TestClockOf(ctx context.Context, kind, id string) (c TestClock, ok bool, err error) {
	q, known := clockOfQuery[kind]
	if !known {
		return c, false, nil
	}
	var frozen, created, updated int64
	err = s.queryRow(ctx, q, id).Scan(&c.ID, &c.Name, &frozen, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	c.FrozenTime, c.CreatedAt, c.UpdatedAt = fromMicros(frozen), fromMicros(created), fromMicros(updated)
	return c, true, nil
}

// NextClockDeadline returns the due time of the earliest pending deadline
// of a clock ("": of wall time) due at or before upto (ok false: none).
func (s *Store) NextClockDeadline(ctx context.Context, clockID string, upto time.Time) (time.Time, bool, error) {
	var due sql.NullInt64
	err := s.queryRow(ctx, `SELECT MIN(due_at) FROM deadlines WHERE state = 'pending' AND test_clock_id = ? AND due_at <= ?`, clockID, micros(upto)).Scan(&due)
	if err != nil || !due.Valid {
		return time.Time{}, false, err
	}
	return fromMicros(due.Int64), true, nil
}

// ClaimDueOnClock is ClaimDue for the deadlines of one test clock (clockID
// not empty).
func (t *Tx) ClaimDueOnClock(ctx context.Context, clockID string, now time.Time, limit int) ([]Deadline, error) {
	rows, err := t.query(ctx, `SELECT id, aggregate_type, aggregate_id, kind, actor, due_at, on_expiry, rule_id, state, created_at, attempts FROM deadlines WHERE state = 'pending' AND test_clock_id = ? AND test_clock_id <> '' AND due_at <= ? ORDER BY due_at, created_at, id LIMIT ?`+t.d.forUpdateSkipLocked(), clockID, micros(now), limit)
	return collect(rows, err, func(rows *sql.Rows, d *Deadline) error {
		return scanDeadline(rows, d, &d.Attempts)
	})
}

// setOrderClock puts a new order on a test clock (Commit.TestClock).
func (t *Tx) setOrderClock(ctx context.Context, orderID, clockID string) error {
	return t.execLater(ctx, `UPDATE orders SET test_clock_id = ? WHERE id = ?`, plainErr, clockID, orderID)
}
