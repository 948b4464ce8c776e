package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/order"
)

// ErrLocked: LoadAftersale with SkipLocked found the request held by another
// transaction (the deadline worker leaves it for its next run).
var ErrLocked = errors.New("store: row locked by another transaction")

// AftersaleLoad is what an after-sales command decides on: the request
// (locked), its order and the ledger balances a refund of it would move.
type AftersaleLoad struct {
	Request  aftersale.State
	Order    order.Order
	Balances ledger.Balances // the accounts LoadOptions.Accounts named, locked; nil when none
}

// LoadOptions tune LoadAftersale.
type LoadOptions struct {
	// SkipLocked: a request another transaction holds is ErrLocked instead
	// of a wait (PostgreSQL; SQLite has one writer).
	SkipLocked bool
	// Accounts names, from the loaded request and order, the balances the
	// command moves (a refund's escrow, seller and buyer accounts), read and
	// locked in account order after the request; nil or empty: none. It is
	// called exactly once on every successful load (a command may decide in
	// it).
	Accounts func(aftersale.State, order.Order) []ledger.Account
}

// LoadAftersale is the load of an after-sales command: the request, locked
// until the transaction ends, with its order in one query, then the
// balances o.Accounts names. Rows the deadline batch prefetched cost no
// statement. Errors: NotFound (of the request); ErrLocked.
func (t *Tx) LoadAftersale(ctx context.Context, id string, o LoadOptions) (AftersaleLoad, error) {
	var ld AftersaleLoad
	var err error
	if st, ok := take(t.pre, id); ok {
		ld.Request = st
		if ld.Order, ok = take(t.preOrders, st.OrderID); !ok {
			ld.Order, err = t.GetOrder(ctx, st.OrderID)
		}
	} else {
		ld.Request, ld.Order, err = t.aftersaleWithOrder(ctx, id, o.SkipLocked)
	}
	if err != nil {
		return ld, err
	}
	if o.Accounts != nil {
		if accs := o.Accounts(ld.Request, ld.Order); len(accs) > 0 {
			if ld.Balances, err = t.LedgerBalances(ctx, accs...); err != nil {
				return ld, err
			}
		}
	}
	return ld, nil
}

// aftersaleWithOrder reads a request (locking its row) and its order in one
// query.
func (t *Tx) aftersaleWithOrder(ctx context.Context, id string, skipLocked bool) (aftersale.State, order.Order, error) {
	var ab, ob string
	var st aftersale.State
	var o order.Order
	lock := t.d.forUpdateOf("a")
	if skipLocked {
		lock = t.d.forUpdateOfSkipLocked("a")
	}
	err := t.queryRow(ctx, `SELECT a.body, o.body FROM aftersales a JOIN orders o ON o.id = a.order_id WHERE a.id = ?`+lock, id).Scan(&ab, &ob)
	if errors.Is(err, sql.ErrNoRows) && skipLocked && t.d == Postgres {
		var one int
		if t.queryRow(ctx, `SELECT 1 FROM aftersales WHERE id = ?`, id).Scan(&one) == nil {
			return st, o, ErrLocked
		}
	}
	if err != nil {
		return st, o, t.cause(mapNoRows(err, "售后申请 after-sales request", id))
	}
	if err := json.Unmarshal([]byte(ab), &st); err != nil {
		return st, o, fmt.Errorf("store: decode aftersale %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(ob), &o); err != nil {
		return st, o, fmt.Errorf("store: decode order %s: %w", st.OrderID, err)
	}
	return st, o, nil
}

// LoadOrderForRequest is the load of a new after-sales request: the order
// and the id of its open request, if any, in one query. Errors: NotFound.
func (t *Tx) LoadOrderForRequest(ctx context.Context, orderID string) (order.Order, string, error) {
	var body string
	var open sql.NullString
	var o order.Order
	err := t.queryRow(ctx, `SELECT o.body, (SELECT a.id FROM aftersales a WHERE a.order_id = o.id AND a.is_open = 1 LIMIT 1) FROM orders o WHERE o.id = ?`, orderID).Scan(&body, &open)
	if err != nil {
		return o, "", t.cause(mapNoRows(err, "订单 order", orderID))
	}
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		return o, "", fmt.Errorf("store: decode order %s: %w", orderID, err)
	}
	return o, open.String, nil
}
