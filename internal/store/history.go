package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// OrderHistory returns, in the order they happened, the events of the
// orders created in [from, to) and of the after-sales requests on them
// (policy replay reads it; service.OrderHistory). Events of one instant
// keep the order's before its requests' and each aggregate's sequence.
func (s *Store) OrderHistory(ctx context.Context, from, to time.Time) ([]EventRecord, error) {
	const orders = `SELECT aggregate_id FROM events WHERE aggregate_type = 'order' AND type = 'created' AND at >= ? AND at < ?`
	rows, err := s.query(ctx, `SELECT aggregate_type, aggregate_id, seq, event_id, type, actor, at, reason, rule_ids, policy_version, data FROM events
		WHERE (aggregate_type = 'order' AND aggregate_id IN (`+orders+`))
		   OR (aggregate_type = 'aftersale' AND aggregate_id IN (SELECT id FROM aftersales WHERE order_id IN (`+orders+`)))
		ORDER BY at, CASE aggregate_type WHEN 'order' THEN 0 ELSE 1 END, aggregate_id, seq`,
		micros(from), micros(to), micros(from), micros(to))
	return collect(rows, err, func(rows *sql.Rows, r *EventRecord) error {
		var actor, rules, data string
		var at int64
		if err := rows.Scan(&r.AggregateType, &r.AggregateID, &r.Seq, &r.ID, &r.Type, &actor, &at, &r.Reason, &rules, &r.PolicyVersion, &data); err != nil {
			return err
		}
		r.Actor, r.Data, r.At = json.RawMessage(actor), json.RawMessage(data), fromMicros(at)
		return json.Unmarshal([]byte(rules), &r.RuleIDs)
	})
}

// NextDue is when the earliest pending deadline can next fire (its due
// time, or its retry time when later); ok false: none is pending.
func (s *Store) NextDue(ctx context.Context) (at time.Time, ok bool, err error) {
	var v sql.NullInt64
	err = s.queryRow(ctx, `SELECT MIN(CASE WHEN retry_at > due_at THEN retry_at ELSE due_at END) FROM deadlines WHERE state = 'pending'`).Scan(&v)
	if err != nil || !v.Valid {
		return time.Time{}, false, err
	}
	return fromMicros(v.Int64), true, nil
}

// Outcome is what a database's history came to, in numbers (policy
// replay compares two of them; see service.Outcome).
type Outcome struct {
	RequestsByStatus map[string]int64 // after-sales requests by status
	Events           map[string]int64 // "aggregate.type" → count
	Rules            map[string]int64 // rule ID → events citing it
	PaidToBuyers     map[string]int64 // ledger transaction kind → fen paid to buyers
	Violations       int64
	Points           int64
	Sanctions        int64
}

// Outcome counts the whole database (meant for a sandbox: it reads every
// event's rule IDs).
func (s *Store) Outcome(ctx context.Context) (Outcome, error) {
	o := Outcome{Events: map[string]int64{}, Rules: map[string]int64{}, PaidToBuyers: map[string]int64{}}
	var err error
	if o.RequestsByStatus, err = s.CountAftersalesByStatus(ctx); err != nil {
		return o, err
	}
	type kv struct {
		k string
		n int64
	}
	scanKV := func(q string, into map[string]int64) error {
		rows, err := s.query(ctx, q)
		kvs, err := collect(rows, err, func(rows *sql.Rows, r *kv) error { return rows.Scan(&r.k, &r.n) })
		for _, r := range kvs {
			into[r.k] += r.n
		}
		return err
	}
	if err := scanKV(`SELECT aggregate_type || '.' || type, COUNT(*) FROM events GROUP BY aggregate_type, type`, o.Events); err != nil {
		return o, err
	}
	if err := scanKV(`SELECT t.kind, SUM(p.amount) FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
		WHERE p.account LIKE 'buyer_payout%' AND p.amount > 0 GROUP BY t.kind`, o.PaidToBuyers); err != nil {
		return o, err
	}
	rows, err := s.query(ctx, `SELECT rule_ids FROM events`)
	lists, err := collect(rows, err, func(rows *sql.Rows, r *string) error { return rows.Scan(r) })
	if err != nil {
		return o, err
	}
	for _, l := range lists {
		var ids []string
		if json.Unmarshal([]byte(l), &ids) == nil {
			for _, id := range ids {
				o.Rules[id]++
			}
		}
	}
	if err := s.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(points), 0) FROM violations`).Scan(&o.Violations, &o.Points); err != nil {
		return o, err
	}
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM sanctions`).Scan(&o.Sanctions)
	return o, err
}
