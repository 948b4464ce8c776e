package store

import "context"

// LastEventSeq is the sequence of an aggregate's last event (0: none), for
// event streams without a state row of their own (a request's negotiation
// thread); a race on the next sequence is a Conflict at Apply.
func (t *Tx) LastEventSeq(ctx context.Context, aggType, aggID string) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events WHERE aggregate_type = ? AND aggregate_id = ?`, aggType, aggID).Scan(&n)
	return n, err
}
