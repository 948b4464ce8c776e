package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/quality"
)

// Seller service quality (SPEC §9): read-only window queries over orders,
// intervention cases, complaints and the integration's service facts, and
// the service facts themselves (migration 00040).

// Service fact kinds.
const (
	// FactChatResponse is a buyer's chat and the seller's first answer.
	FactChatResponse = "chat_response"
)

// ServiceFact is a fact about a seller's service that the integration
// pushes (POST /v1/sellers/{id}/service-facts): a buyer's chat (asked_at)
// and the seller's first answer (answered_at; nil while unanswered).
type ServiceFact struct {
	ID         string     `json:"id"`
	SellerID   string     `json:"seller_id"`
	Kind       string     `json:"kind"`
	Ref        string     `json:"ref"`
	OrderID    string     `json:"order_id,omitempty"`
	BuyerID    string     `json:"buyer_id,omitempty"`
	AskedAt    time.Time  `json:"asked_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	Status     string     `json:"status"` // answered or unanswered
	Version    int64      `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// GetServiceFactForUpdate loads a seller's fact by kind and reference and
// locks it; ok is false when there is none.
func (t *Tx) GetServiceFactForUpdate(ctx context.Context, sellerID, kind, ref string) (ServiceFact, bool, error) {
	var f ServiceFact
	var asked, created, updated int64
	var answered sql.NullInt64
	err := t.queryRow(ctx, `SELECT id, seller_id, kind, ref, order_id, buyer_id, asked_at, answered_at, status, version, created_at, updated_at FROM seller_service_facts WHERE seller_id = ? AND kind = ? AND ref = ?`+t.d.forUpdate(),
		sellerID, kind, ref).Scan(&f.ID, &f.SellerID, &f.Kind, &f.Ref, &f.OrderID, &f.BuyerID, &asked, &answered, &f.Status, &f.Version, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("store: get service fact: %w", err)
	}
	f.AskedAt, f.CreatedAt, f.UpdatedAt = fromMicros(asked), fromMicros(created), fromMicros(updated)
	if answered.Valid {
		a := fromMicros(answered.Int64)
		f.AnsweredAt = &a
	}
	return f, true, nil
}

// saveServiceFact inserts (prevVersion 0) or updates a fact whose stored
// version is prevVersion. Errors: Conflict with ErrStale on a concurrent write.
func (t *Tx) saveServiceFact(ctx context.Context, f ServiceFact, prevVersion int64) error {
	var answered any
	if f.AnsweredAt != nil {
		answered = micros(*f.AnsweredAt)
	}
	if prevVersion == 0 {
		_, err := t.exec(ctx, `INSERT INTO seller_service_facts (id, seller_id, kind, ref, order_id, buyer_id, asked_at, answered_at, status, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ID, f.SellerID, f.Kind, f.Ref, f.OrderID, f.BuyerID, micros(f.AskedAt), answered, f.Status, f.Version, micros(f.CreatedAt), micros(f.UpdatedAt))
		if isUnique(err) {
			return &fault.Error{Code: fault.Conflict, Field: "ref", Message: "该服务事实已被并发记录 / the fact was recorded concurrently", Cause: ErrStale}
		}
		return err
	}
	return t.execOne(ctx, `UPDATE seller_service_facts SET answered_at = ?, status = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`,
		expectOneCheck("服务事实已被并发修改 / the fact changed concurrently"),
		answered, f.Status, f.Version, micros(f.UpdatedAt), f.ID, prevVersion)
}

// SellerKnown reports whether a seller has any order or service fact.
func (s *Store) SellerKnown(ctx context.Context, sellerID string) (bool, error) {
	if ok, err := s.PartyHasOrders(ctx, "seller", sellerID); ok || err != nil {
		return ok, err
	}
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM seller_service_facts WHERE seller_id = ? LIMIT 1`, sellerID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// jsonText is the dialect's expression for a top-level text field of a
// JSON body column (the expression the 00040 indexes are built on).
func (d Dialect) jsonText(col, field string) string {
	if d == Postgres {
		return "(" + col + "->>'" + field + "')"
	}
	return "json_extract(" + col + ", '$." + field + "')"
}

// QualityFacts reads, in one snapshot, the facts of every seller that the
// service-quality factors of the window [since, until] need (see
// internal/quality): orders paid or due to ship in the window, refunds the
// platform decided, complaints upheld against sellers, buyers' chats. It
// may return facts just outside the window (the order prefilter compares
// RFC 3339 text to the second); quality.Evaluate counts only those inside.
func (s *Store) QualityFacts(ctx context.Context, since, until time.Time) (quality.Facts, error) {
	var f quality.Facts
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	} else {
		opts = nil
	}
	tx, err := s.r.BeginTx(ctx, opts)
	if err != nil {
		return f, fmt.Errorf("store: quality snapshot: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	q := func(query string, args ...any) (*sql.Rows, error) {
		return tx.QueryContext(ctx, s.dialect.rebind(query), args...)
	}
	d := s.dialect
	lower := since.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05")

	// Orders paid, or whose ship-by falls, at or after the window start.
	paid, shipBy := d.jsonText("body", "paid_at"), d.jsonText("body", "ship_by")
	rows, err := q(`SELECT id, seller_id, `+d.jsonText("body", "category")+`, `+paid+`, `+shipBy+`, `+d.jsonText("body", "first_scan_at")+`, `+d.jsonText("body", "cancelled_at")+
		` FROM orders WHERE `+paid+` >= ? OR `+shipBy+` >= ?`, lower, lower)
	if err != nil {
		return f, fmt.Errorf("store: quality orders: %w", err)
	}
	for rows.Next() {
		var o quality.OrderFact
		var cat, p, sb, scan, cancel sql.NullString
		if err := rows.Scan(&o.ID, &o.SellerID, &cat, &p, &sb, &scan, &cancel); err != nil {
			rows.Close()
			return f, err
		}
		o.Category = cat.String
		for _, x := range []struct {
			src sql.NullString
			dst **time.Time
		}{{p, &o.PaidAt}, {sb, &o.ShipBy}, {scan, &o.FirstScanAt}, {cancel, &o.CancelledAt}} {
			if t, ok := parseJSONTime(x.src); ok {
				*x.dst = &t
			}
		}
		f.Orders = append(f.Orders, o)
	}
	if err := closeRows(rows); err != nil {
		return f, err
	}

	// Orders whose seller's malicious-refund complaint was upheld.
	malicious := map[string]bool{}
	rows, err = q(`SELECT DISTINCT order_id FROM complaints WHERE type = ? AND complainant_role = 'seller' AND outcome = 'upheld'`, quality.MaliciousRefundType)
	if err != nil {
		return f, fmt.Errorf("store: quality malicious refunds: %w", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return f, err
		}
		malicious[id] = true
	}
	if err := closeRows(rows); err != nil {
		return f, err
	}

	// Intervention cases that changed in the window, or whose request did
	// (a "return then refund" judgment refunds when the return arrives).
	rows, err = q(`SELECT d.body, a.body FROM disputes d JOIN aftersales a ON a.id = d.aftersale_id WHERE d.updated_at >= ? OR a.updated_at >= ?`,
		micros(since), micros(since))
	if err != nil {
		return f, fmt.Errorf("store: quality refunds: %w", err)
	}
	for rows.Next() {
		var db, ab string
		if err := rows.Scan(&db, &ab); err != nil {
			rows.Close()
			return f, err
		}
		var ds dispute.State
		var req aftersale.State
		if err := json.Unmarshal([]byte(db), &ds); err != nil {
			rows.Close()
			return f, fmt.Errorf("store: decode dispute: %w", err)
		}
		if err := json.Unmarshal([]byte(ab), &req); err != nil {
			rows.Close()
			return f, fmt.Errorf("store: decode aftersale: %w", err)
		}
		if r, ok := quality.PlatformRefund(ds, req); ok {
			r.Malicious = malicious[r.OrderID]
			f.Refunds = append(f.Refunds, r)
		}
	}
	if err := closeRows(rows); err != nil {
		return f, err
	}

	// Complaints upheld against sellers in the window.
	rows, err = q(`SELECT id, order_id, respondent_id, decided_at FROM complaints WHERE respondent_role = 'seller' AND outcome = 'upheld' AND decided_at >= ? AND decided_at <= ?`,
		micros(since), micros(until))
	if err != nil {
		return f, fmt.Errorf("store: quality complaints: %w", err)
	}
	for rows.Next() {
		var c quality.ComplaintFact
		var at int64
		if err := rows.Scan(&c.ID, &c.OrderID, &c.SellerID, &at); err != nil {
			rows.Close()
			return f, err
		}
		c.DecidedAt = fromMicros(at)
		f.Complaints = append(f.Complaints, c)
	}
	if err := closeRows(rows); err != nil {
		return f, err
	}

	// Buyers' chats asked in the window.
	rows, err = q(`SELECT id, seller_id, asked_at, answered_at FROM seller_service_facts WHERE kind = ? AND asked_at >= ? AND asked_at <= ?`,
		FactChatResponse, micros(since), micros(until))
	if err != nil {
		return f, fmt.Errorf("store: quality chats: %w", err)
	}
	for rows.Next() {
		var c quality.ChatFact
		var asked int64
		var answered sql.NullInt64
		if err := rows.Scan(&c.ID, &c.SellerID, &asked, &answered); err != nil {
			rows.Close()
			return f, err
		}
		c.AskedAt = fromMicros(asked)
		if answered.Valid {
			a := fromMicros(answered.Int64)
			c.AnsweredAt = &a
		}
		f.Chats = append(f.Chats, c)
	}
	return f, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// parseJSONTime parses a time as encoding/json writes it (RFC 3339).
func parseJSONTime(s sql.NullString) (time.Time, bool) {
	if !s.Valid || s.String == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
