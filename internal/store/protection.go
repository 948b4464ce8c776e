package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
)

// PostedAmount returns the line of account a in the ledger transaction
// txID and whether the transaction was posted (a posted transaction
// without a line on a gives 0, true). The protection services read what a
// case froze with it, to release exactly that.
func (t *Tx) PostedAmount(ctx context.Context, txID string, a ledger.Account) (money.Fen, bool, error) {
	var amt, n int64
	err := t.queryRow(ctx, `SELECT CAST(COALESCE(SUM(CASE WHEN account = ? THEN amount ELSE 0 END), 0) AS BIGINT), COUNT(*) FROM ledger_postings WHERE transaction_id = ?`,
		a.String(), txID).Scan(&amt, &n)
	if err != nil {
		return 0, false, fmt.Errorf("store: postings of %s: %w", txID, err)
	}
	return money.Fen(amt), n > 0, nil
}

// LastEvent returns an aggregate's latest event and whether it has one
// (aggregates kept only as their event log, like a shop's pledge).
func (t *Tx) LastEvent(ctx context.Context, aggType, aggID string) (EventRecord, bool, error) {
	r := EventRecord{AggregateType: aggType, AggregateID: aggID}
	var actor, rules, data string
	var at int64
	err := t.queryRow(ctx, `SELECT seq, event_id, type, actor, at, reason, rule_ids, policy_version, data FROM events WHERE aggregate_type = ? AND aggregate_id = ? ORDER BY seq DESC LIMIT 1`,
		aggType, aggID).Scan(&r.Seq, &r.ID, &r.Type, &actor, &at, &r.Reason, &rules, &r.PolicyVersion, &data)
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("store: last event of %s %s: %w", aggType, aggID, err)
	}
	r.Actor, r.Data, r.At = json.RawMessage(actor), json.RawMessage(data), fromMicros(at)
	return r, true, json.Unmarshal([]byte(rules), &r.RuleIDs)
}
