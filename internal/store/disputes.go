package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
)

var disputeRows = stateTable[dispute.State]{name: "disputes", label: "介入案件 dispute", kind: "dispute",
	fixed:  []string{"aftersale_id", "order_id", "buyer_id", "seller_id", "premium", "claim"},
	moving: []string{"status", "senior", "sla_due_at", "assignee"},
	cols: func(st dispute.State) stateCols {
		var sla any
		if st.SLADueAt != nil {
			sla = micros(*st.SLADueAt)
		}
		return stateCols{id: st.ID, version: st.Version, created: st.CreatedAt, updated: st.UpdatedAt,
			fixed:  []any{st.AftersaleID, st.OrderID, st.BuyerID, st.SellerID, boolInt(st.Premium), int64(st.Claim)},
			moving: []any{string(st.Status), boolInt(st.Senior), sla, st.Assignee}}
	},
	changed: "案件已被并发修改 / the case changed concurrently",
}

// GetDispute loads a case in the transaction, with ForUpdate also
// locks its row until the transaction ends; the Store's reads outside one.
// Errors: NotFound.
func (t *Tx) GetDispute(ctx context.Context, id string, lock ...Lock) (dispute.State, error) {
	return disputeRows.get(ctx, t.queryRow, id, t.lockClause(lock))
}

// saveDispute inserts (prevVersion 0) or updates a case whose stored version
// is prevVersion. Errors: Conflict with ErrStale on a concurrent write.
func (t *Tx) saveDispute(ctx context.Context, st dispute.State, prevVersion int64) error {
	return disputeRows.save(ctx, t, st, prevVersion)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DisputeFilter selects cases.
type DisputeFilter struct {
	BuyerID  string
	SellerID string
	Status   string
	Queue    bool // agents' queue order: premium first, then SLA due, then amount
	After    string
	Offset   int
	Limit    int
}

// GetDispute loads one outside a transaction (see Tx.GetDispute).
func (s *Store) GetDispute(ctx context.Context, id string) (dispute.State, error) {
	return disputeRows.get(ctx, s.queryRow, id, "")
}

// ListDisputes lists cases by id, or in queue order.
func (s *Store) ListDisputes(ctx context.Context, f DisputeFilter) ([]dispute.State, error) {
	w := where{q: `SELECT body FROM disputes WHERE 1 = 1`}
	w.eq("buyer_id", f.BuyerID)
	w.eq("seller_id", f.SellerID)
	w.eq("status", f.Status)
	q, args := w.queuePage(f.Queue, `premium DESC, CASE WHEN sla_due_at IS NULL THEN 1 ELSE 0 END, sla_due_at, claim DESC, id`, f.After, f.Offset, f.Limit)
	return bodies[dispute.State](s.query(ctx, q, args...))
}

// DisputeForAftersale returns the open case of an after-sales request, if any.
func (t *Tx) DisputeForAftersale(ctx context.Context, aftersaleID string) (string, bool, error) {
	var id string
	err := t.queryRow(ctx, `SELECT id FROM disputes WHERE aftersale_id = ? AND status IN ('EVIDENCE', 'REVIEW', 'JUDGED', 'APPEALED') ORDER BY id DESC LIMIT 1`, aftersaleID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fault.New(fault.Internal, "dispute lookup: %v", err)
	}
	return id, true, nil
}

// DisputeSLAStats counts cases in review and those past their review SLA.
func (s *Store) DisputeSLAStats(ctx context.Context, now time.Time) (inReview, breached int64, err error) {
	if err = s.queryRow(ctx, `SELECT COUNT(*) FROM disputes WHERE status = 'REVIEW'`).Scan(&inReview); err != nil {
		return
	}
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM disputes WHERE status = 'REVIEW' AND sla_due_at < ?`, micros(now)).Scan(&breached)
	return
}

// OrderLedgerTransactions returns an order's ledger transactions with their
// postings, in posting order, read in the transaction.
func (t *Tx) OrderLedgerTransactions(ctx context.Context, orderID string) ([]LedgerTxRecord, error) {
	return (&LedgerView{q: t.q, d: t.d}).ledgerTxs(ctx, `WHERE t.order_id = ?`, orderID)
}

// ManualInterventionRefund is one refund that counts against a seller as a
// manual-intervention refund (人工介入退款, SPEC §5): an advance payment.
type ManualInterventionRefund struct {
	ID        string
	SellerID  string
	DisputeID string
	OrderID   string
	Amount    money.Fen
	RuleID    string
	At        time.Time
}

// recordManualInterventionRefund records one in the transaction; recording
// the same id again is a no-op.
func (t *Tx) recordManualInterventionRefund(ctx context.Context, r ManualInterventionRefund) error {
	return t.execLater(ctx, `INSERT INTO manual_intervention_refunds (id, seller_id, dispute_id, order_id, amount, rule_id, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		plainErr, r.ID, r.SellerID, r.DisputeID, r.OrderID, int64(r.Amount), r.RuleID, micros(r.At))
}

// ManualInterventionCount is a seller's manual-intervention refunds in a window.
type ManualInterventionCount struct {
	Count  int64     `json:"count"`
	Amount money.Fen `json:"amount"`
}

// ManualInterventionRefunds counts a seller's manual-intervention refunds
// at or after since (a service-quality computation's window).
func (s *Store) ManualInterventionRefunds(ctx context.Context, sellerID string, since time.Time) (ManualInterventionCount, error) {
	var c ManualInterventionCount
	var amt int64
	err := s.queryRow(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM manual_intervention_refunds WHERE seller_id = ? AND at >= ?`, sellerID, micros(since)).Scan(&c.Count, &amt)
	c.Amount = money.Fen(amt)
	return c, err
}
