package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/order"
)

// ---- orders ----

// GetOrder loads an order in the transaction. Errors: NotFound.
func (t *Tx) GetOrder(ctx context.Context, id string) (order.Order, error) {
	if o, ok := take(t.preOrders, id); ok {
		return o, nil
	}
	return scanOrder(t.queryRow(ctx, `SELECT body FROM orders WHERE id = ?`, id), id)
}

// GetOrder loads an order. Errors: NotFound.
func (s *Store) GetOrder(ctx context.Context, id string) (order.Order, error) {
	return scanOrder(s.queryRow(ctx, `SELECT body FROM orders WHERE id = ?`, id), id)
}

func scanOrder(row rowScanner, id string) (order.Order, error) {
	return scanBody[order.Order](row, "订单 order", "order", id)
}

// Lock is how a transaction's read of a state row locks it.
type Lock int

// ForUpdate locks the row read until the transaction ends (PostgreSQL;
// SQLite's single writer already serialises).
const ForUpdate Lock = 1

func (t *Tx) lockClause(lock []Lock) string {
	if len(lock) > 0 && lock[0] == ForUpdate {
		return t.d.forUpdate()
	}
	return ""
}

// stateTable is a table of JSON state bodies keyed by id (orders, requests,
// cases, complaints, sanctions), how a missing row is named, and the columns
// kept beside the body: fixed ones written once, at insert, and moving ones
// written at insert and on every update.
type stateTable[T any] struct {
	name, label, kind string
	fixed, moving     []string
	cols              func(T) stateCols
	changed           string            // the conflict message of a stale update
	taken             func(error) error // the outcome of an insert's error (a taken key); nil: plainErr
}

// stateCols are a state value's row: its identity and the values of the
// table's fixed and moving columns, in their order.
type stateCols struct {
	id               string
	version          int64
	created, updated time.Time
	fixed, moving    []any
}

// save inserts (prevVersion 0) or updates v, whose stored version is
// prevVersion. Errors: Conflict (the changed message, with ErrStale) when
// another write got there first; an insert's error as taken says.
func (tb stateTable[T]) save(ctx context.Context, t *Tx, v T, prevVersion int64) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c := tb.cols(v)
	if prevVersion == 0 {
		names := slices.Concat([]string{"id"}, tb.fixed, tb.moving, []string{"body", "version", "created_at", "updated_at"})
		args := slices.Concat([]any{c.id}, c.fixed, c.moving, []any{string(body), c.version, micros(c.created), micros(c.updated)})
		check := plainErr
		if tb.taken != nil {
			check = func(_ int64, err error) error { return tb.taken(err) }
		}
		return t.execLater(ctx, `INSERT INTO `+tb.name+` (`+strings.Join(names, ", ")+`) VALUES (`+marks(len(names))+`)`, check, args...)
	}
	set := slices.Concat(tb.moving, []string{"body", "version", "updated_at"})
	args := slices.Concat(c.moving, []any{string(body), c.version, micros(c.updated), c.id, prevVersion})
	return t.execOne(ctx, `UPDATE `+tb.name+` SET `+strings.Join(set, " = ?, ")+` = ? WHERE id = ? AND version = ?`, expectOneCheck(tb.changed), args...)
}

// staleTaken is the taken check of a table whose insert collides only with
// a concurrent insert of the same id.
func staleTaken(msg string) func(error) error {
	return func(err error) error {
		if isUnique(err) {
			return &fault.Error{Code: fault.Conflict, Message: msg, Cause: ErrStale}
		}
		return err
	}
}

// get reads a row's body by id with row (a transaction's or the store's
// queryRow), lock appended to the query (a dialect's row lock, or "").
func (tb stateTable[T]) get(ctx context.Context, row func(context.Context, string, ...any) rowScanner, id, lock string) (T, error) {
	return scanBody[T](row(ctx, `SELECT body FROM `+tb.name+` WHERE id = ?`+lock, id), tb.label, tb.kind, id)
}

// orNotFound passes on what a get scanned from its one row: the value, or,
// when the scan failed, NotFound naming what and id (no row) or the error.
// Use: return orNotFound(scanX(t.queryRow(ctx, q, id)))("label", id).
func orNotFound[T any](v T, err error) func(what, id string) (T, error) {
	return func(what, id string) (T, error) {
		if err != nil {
			var zero T
			return zero, mapNoRows(err, what, id)
		}
		return v, nil
	}
}

// scanBody reads the JSON body column of one row into a T: NotFound
// (naming label and id) when there is no row.
func scanBody[T any](row rowScanner, label, name, id string) (T, error) {
	var v T
	var body string
	if err := row.Scan(&body); err != nil {
		return v, mapNoRows(err, label, id)
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return v, fmt.Errorf("store: decode %s %s: %w", name, id, err)
	}
	return v, nil
}

var orderRows = stateTable[order.Order]{name: "orders", label: "订单 order", kind: "order",
	moving: []string{"buyer_id", "seller_id", "status"},
	cols: func(o order.Order) stateCols {
		return stateCols{id: o.ID, version: o.Version, created: o.CreatedAt, updated: o.UpdatedAt,
			moving: []any{o.BuyerID, o.SellerID, string(o.Status)}}
	},
	changed: "订单已被并发修改 / the order changed concurrently",
	taken:   staleTaken("订单已被并发创建 / the order was created concurrently"),
}

// saveOrder inserts (prevVersion 0) or updates an order whose stored version
// is prevVersion. Errors: Conflict when another write got there first.
func (t *Tx) saveOrder(ctx context.Context, o order.Order, prevVersion int64) error {
	delete(t.preOrders, o.ID)
	return orderRows.save(ctx, t, o, prevVersion)
}

// ListOrders lists orders by id, optionally for one buyer or seller.
func (s *Store) ListOrders(ctx context.Context, f ListFilter) ([]order.Order, error) {
	q, args := f.where(`SELECT body FROM orders`, "", "")
	return bodies[order.Order](s.query(ctx, q, args...))
}

// ListFilter selects a page of a list, keyset-paginated by id.
type ListFilter struct {
	BuyerID  string
	SellerID string
	OrderID  string
	Status   string
	After    string // cursor: the last id of the previous page
	Limit    int
}

func (f ListFilter) where(base, orderCol, statusCol string) (string, []any) {
	var conds []string
	var args []any
	if f.BuyerID != "" {
		conds, args = append(conds, "buyer_id = ?"), append(args, f.BuyerID)
	}
	if f.SellerID != "" {
		conds, args = append(conds, "seller_id = ?"), append(args, f.SellerID)
	}
	if f.OrderID != "" && orderCol != "" {
		conds, args = append(conds, orderCol+" = ?"), append(args, f.OrderID)
	}
	if f.Status != "" && statusCol != "" {
		conds, args = append(conds, statusCol+" = ?"), append(args, f.Status)
	}
	if f.After != "" {
		conds, args = append(conds, "id > ?"), append(args, f.After)
	}
	q := base
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, limit)
	return q, args
}

// where is a query narrowed by optional conditions: its text so far and
// the conditions' arguments.
type where struct {
	q    string
	args []any
}

// and adds a condition with its arguments.
func (w *where) and(cond string, args ...any) {
	w.q += " AND " + cond
	w.args = append(w.args, args...)
}

// eq adds col = v unless v is empty (a filter left unset selects all).
func (w *where) eq(col, v string) {
	if v != "" {
		w.and(col+" = ?", v)
	}
}

// queuePage ends the list query w (its WHERE clause) of an agents'
// queue: in queue order (order, paged by offset) or by id after the cursor,
// 50 rows unless limit says.
func (w where) queuePage(queue bool, order, after string, offset, limit int) (string, []any) {
	if limit <= 0 {
		limit = 50
	}
	if queue {
		return w.q + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`, append(w.args, limit, offset)
	}
	if after != "" {
		w.and(`id > ?`, after)
	}
	return w.q + ` ORDER BY id LIMIT ?`, append(w.args, limit)
}

// ---- after-sales requests ----

var aftersaleRows = stateTable[aftersale.State]{name: "aftersales", label: "售后申请 after-sales request", kind: "aftersale",
	fixed:  []string{"order_id", "buyer_id", "seller_id"},
	moving: []string{"status", "is_open"},
	cols: func(st aftersale.State) stateCols {
		return stateCols{id: st.ID, version: st.Version, created: st.CreatedAt, updated: st.UpdatedAt,
			fixed: []any{st.OrderID, st.BuyerID, st.SellerID}, moving: []any{string(st.Status), boolInt(st.Status.Open())}}
	},
	changed: "售后申请已被并发修改 / the request changed concurrently",
	taken: func(err error) error {
		if isUnique(err) {
			return &fault.Error{Code: fault.Conflict, Field: "order_id", Message: "该订单已有进行中的售后申请 / the order already has an open after-sales request"}
		}
		return err
	},
}

// GetAftersale loads a request in the transaction; with ForUpdate also
// locks its row until the transaction ends (PostgreSQL; SQLite's
// single writer already serialises); the Store's reads outside one.
// Errors: NotFound.
func (t *Tx) GetAftersale(ctx context.Context, id string, lock ...Lock) (aftersale.State, error) {
	return aftersaleRows.get(ctx, t.queryRow, id, t.lockClause(lock))
}

// saveAftersale inserts (prevVersion 0) or updates a request whose stored
// version is prevVersion. Errors: Conflict (a concurrent write, or another
// open request on the same order).
func (t *Tx) saveAftersale(ctx context.Context, st aftersale.State, prevVersion int64) error {
	delete(t.pre, st.ID)
	if err := aftersaleRows.save(ctx, t, st, prevVersion); err != nil {
		return err
	}
	open := st.Status.Open()
	if prevVersion != 0 {
		if !open {
			return t.execLater(ctx, `DELETE FROM aftersale_open_items WHERE aftersale_id = ?`, plainErr, st.ID)
		}
		return nil
	}
	if !open {
		return nil
	}
	// The request holds its items (or the whole order, '*') while open.
	keys := st.Items
	if len(keys) == 0 {
		keys = []string{"*"}
	}
	for _, k := range keys {
		if err := t.execLater(ctx, `INSERT INTO aftersale_open_items (order_id, item_key, aftersale_id) VALUES (?, ?, ?)`,
			func(_ int64, err error) error {
				if isUnique(err) {
					return &fault.Error{Code: fault.Conflict, Field: "order_id", Message: "该订单（或所选商品）已有进行中的售后申请 / the order (or an item of the request) already has an open after-sales request"}
				}
				return err
			}, st.OrderID, k, st.ID); err != nil {
			return err
		}
	}
	return nil
}

// OpenAftersalesForOrder lists the order's open requests in the transaction.
func (t *Tx) OpenAftersalesForOrder(ctx context.Context, orderID string) ([]aftersale.State, error) {
	return bodies[aftersale.State](t.query(ctx, `SELECT body FROM aftersales WHERE order_id = ? AND is_open = 1 ORDER BY id`, orderID))
}

// OpenAftersaleForOrder returns the id of the order's open request, if any.
func (t *Tx) OpenAftersaleForOrder(ctx context.Context, orderID string) (string, bool, error) {
	var id string
	err := t.queryRow(ctx, `SELECT id FROM aftersales WHERE order_id = ? AND is_open = 1`, orderID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}

// GetAftersale loads one outside a transaction (see Tx.GetAftersale).
func (s *Store) GetAftersale(ctx context.Context, id string) (aftersale.State, error) {
	return aftersaleRows.get(ctx, s.queryRow, id, "")
}

// ListAftersales lists requests by id.
func (s *Store) ListAftersales(ctx context.Context, f ListFilter) ([]aftersale.State, error) {
	q, args := f.where(`SELECT body FROM aftersales`, "order_id", "status")
	return bodies[aftersale.State](s.query(ctx, q, args...))
}

// CountAftersalesByStatus counts requests per status.
func (s *Store) CountAftersalesByStatus(ctx context.Context) (map[string]int64, error) {
	rows, err := s.query(ctx, `SELECT status, COUNT(*) FROM aftersales GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// ---- events ----

// EventRecord is one stored event of any aggregate.
type EventRecord struct {
	AggregateType string          `json:"aggregate_type"`
	AggregateID   string          `json:"aggregate_id"`
	Seq           int64           `json:"seq"`
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	Actor         json.RawMessage `json:"actor"`
	At            time.Time       `json:"at"`
	Reason        string          `json:"reason"`
	RuleIDs       []string        `json:"rule_ids"`
	PolicyVersion string          `json:"policy_version"`
	Data          json.RawMessage `json:"data"`
}

// appendEvents appends events; a sequence number already taken is a
// Conflict (another command won the race).
func (t *Tx) appendEvents(ctx context.Context, recs []EventRecord) error {
	// One multi-row INSERT for the command's events, in chunks of 100.
	for rest := recs; len(rest) > 0; {
		chunk := rest[:min(len(rest), 100)]
		rest = rest[len(chunk):]
		q := `INSERT INTO events (aggregate_type, aggregate_id, seq, event_id, type, actor, at, reason, rule_ids, policy_version, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)` +
			strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", len(chunk)-1)
		args := make([]any, 0, 11*len(chunk))
		for _, r := range chunk {
			rules, _ := json.Marshal(nonNil(r.RuleIDs))
			args = append(args, r.AggregateType, r.AggregateID, r.Seq, r.ID, r.Type, string(r.Actor), micros(r.At), r.Reason, string(rules), r.PolicyVersion, string(r.Data))
		}
		if err := t.execLater(ctx, q, staleOnUnique("append event"), args...); err != nil {
			return err
		}
	}
	return nil
}

// Events returns an aggregate's events with seq > afterSeq, in order.
func (s *Store) Events(ctx context.Context, aggType, aggID string, afterSeq int64, limit int) ([]EventRecord, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.query(ctx, `SELECT seq, event_id, type, actor, at, reason, rule_ids, policy_version, data FROM events WHERE aggregate_type = ? AND aggregate_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
		aggType, aggID, afterSeq, limit)
	return collect(rows, err, func(rows *sql.Rows, r *EventRecord) error {
		r.AggregateType, r.AggregateID = aggType, aggID
		var actor, rules, data string
		var at int64
		if err := rows.Scan(&r.Seq, &r.ID, &r.Type, &actor, &at, &r.Reason, &rules, &r.PolicyVersion, &data); err != nil {
			return err
		}
		r.Actor, r.Data, r.At = json.RawMessage(actor), json.RawMessage(data), fromMicros(at)
		return json.Unmarshal([]byte(rules), &r.RuleIDs)
	})
}

// CountEvents counts events by type (for tests and reports).
func (s *Store) CountEvents(ctx context.Context, aggType, eventType string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM events WHERE aggregate_type = ? AND type = ?`, aggType, eventType).Scan(&n)
	return n, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ---- interventions ----

// Intervention is a recorded request for platform intervention.
type Intervention struct {
	ID          string    `json:"id"`
	AftersaleID string    `json:"aftersale_id"`
	OrderID     string    `json:"order_id"`
	RequestedBy string    `json:"requested_by"`
	Reason      string    `json:"reason"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// insertIntervention records an intervention request.
func (t *Tx) insertIntervention(ctx context.Context, iv Intervention) error {
	return t.execLater(ctx, `INSERT INTO interventions (id, aftersale_id, order_id, requested_by, reason, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		plainErr, iv.ID, iv.AftersaleID, iv.OrderID, iv.RequestedBy, iv.Reason, iv.Status, micros(iv.CreatedAt))
}

// closeInterventions marks an after-sales request's open intervention
// requests with a final status (the parties settled it themselves, or the
// buyer withdrew).
func (t *Tx) closeInterventions(ctx context.Context, aftersaleID, status string) error {
	return t.execLater(ctx, `UPDATE interventions SET status = ? WHERE aftersale_id = ? AND status = 'requested'`, plainErr, status, aftersaleID)
}

// Interventions lists the intervention requests of an after-sales request.
func (s *Store) Interventions(ctx context.Context, aftersaleID string) ([]Intervention, error) {
	rows, err := s.query(ctx, `SELECT id, aftersale_id, order_id, requested_by, reason, status, created_at FROM interventions WHERE aftersale_id = ? ORDER BY created_at, id`, aftersaleID)
	return collect(rows, err, func(rows *sql.Rows, iv *Intervention) error {
		var at int64
		err := rows.Scan(&iv.ID, &iv.AftersaleID, &iv.OrderID, &iv.RequestedBy, &iv.Reason, &iv.Status, &at)
		iv.CreatedAt = fromMicros(at)
		return err
	})
}
