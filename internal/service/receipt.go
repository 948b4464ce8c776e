package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// 自动确认收货: a shipped order confirms receipt by itself the rule book's
// time after shipment (order.auto_confirm_receipt), which releases its
// escrow to the seller as the marketplace's completed fact does. The buyer
// may extend it once (延长收货, order.extend_receipt); an open after-sales
// request (and the intervention case it leads to) pauses it, and the time
// it was paused is added back when the request ends. The due time is a
// durable deadline row of the order, like every other.

// Order deadline kinds.
const (
	DeadlineAutoConfirm = "auto_confirm_receipt"
)

// orderDeadline is the deadline an order's state wants: its
// auto-confirmation while the clock runs.
func orderDeadline(o order.Order) *store.Deadline {
	due := o.AutoConfirmDue()
	if due == nil {
		return nil
	}
	return &store.Deadline{Kind: DeadlineAutoConfirm, Actor: string(actor.Buyer), DueAt: *due, OnExpiry: "auto_confirm", RuleID: o.AutoConfirmRule}
}

// orderDeadlineChange adds to cm the change of the order's pending deadline
// from what before wanted to what after wants (fired: the deadline being
// fired, settled by the caller).
func orderDeadlineChange(cm *store.Commit, before, after order.Order, now time.Time, fired *store.Deadline) {
	d0, d1 := orderDeadline(before), orderDeadline(after)
	if before.AutoConfirmAt == nil && after.AutoConfirmAt == nil {
		return
	}
	if sameDeadlineRow(d0, d1) || (fired != nil && d1 == nil) {
		return
	}
	if d1 != nil {
		d1.ID = fmt.Sprintf("%s/%d", after.ID, after.Version)
	}
	cm.Deadlines = append(cm.Deadlines, store.DeadlineChange{AggregateType: AggOrder, AggregateID: after.ID, Row: d1, Insert: d0 == nil && fired == nil, At: now})
}

// orderEvent adds an order event at the order's new version (next.Version)
// and its outbox message.
func (s *Service) orderEvent(cm *store.Commit, next order.Order, typ string, who any, reason string, rules []string, data any, now time.Time) {
	r := logFields(typ, who, now, reason, rules, s.Policy().Version, data)
	r.AggregateType, r.AggregateID, r.Seq, r.ID = AggOrder, next.ID, next.Version, newID()
	cm.Events = append(cm.Events, r)
	payload, _ := json.Marshal(map[string]any{"order_id": next.ID, "buyer_id": next.BuyerID, "seller_id": next.SellerID, "status": next.Status,
		"auto_confirm_at": next.AutoConfirmAt, "event": eventPayload(r)})
	cm.Outbox = append(cm.Outbox, store.OutboxMessage{Topic: AggOrder + "." + typ, AggregateType: AggOrder, AggregateID: next.ID,
		AggregateSeq: next.Version, CreatedAt: now, Payload: payload})
}

// receiptPause pauses (open) or resumes the auto-confirmation of o as an
// after-sales request opens or ends, in cm: on the order row the command
// already writes, or on a new version with its own event.
func (s *Service) receiptPause(cm *store.Commit, o order.Order, open bool, requestID string, now time.Time) {
	change := func(x order.Order) order.Order {
		if open {
			return order.PauseReceipt(x, now)
		}
		return order.ResumeReceipt(x, now)
	}
	for i := range cm.Orders {
		if r := &cm.Orders[i]; r.Value.ID == o.ID {
			before := r.Value
			r.Value = change(r.Value)
			if before.AutoConfirmAt != nil {
				s.replaceOrderDeadline(cm, o, r.Value, now)
			}
			return
		}
	}
	next := change(o)
	if next.AutoConfirmPausedAt == o.AutoConfirmPausedAt && (next.AutoConfirmAt == o.AutoConfirmAt) {
		return // nothing runs: not shipped, or already paused / running
	}
	next.Version, next.UpdatedAt = o.Version+1, now
	typ, reason := "receipt_paused", "售后处理中，自动确认收货暂停 / an after-sales request is open: auto-confirmation is paused"
	if !open {
		typ, reason = "receipt_resumed", "售后结束，自动确认收货恢复计时 / the after-sales request ended: auto-confirmation resumes"
	}
	s.orderEvent(cm, next, typ, actor.Actor{Role: actor.System}, reason, []string{s.Policy().ID("order.auto_confirm_receipt")},
		map[string]any{"aftersale_id": requestID, "auto_confirm_at": next.AutoConfirmAt, "paused_at": next.AutoConfirmPausedAt}, now)
	cm.Orders = append(cm.Orders, store.Row[order.Order]{Value: next, Prev: o.Version})
	orderDeadlineChange(cm, o, next, now, nil)
}

// replaceOrderDeadline sets the deadline an order row changed in cm wants,
// replacing any change queued for it before.
func (s *Service) replaceOrderDeadline(cm *store.Commit, loaded, final order.Order, now time.Time) {
	out := cm.Deadlines[:0]
	for _, d := range cm.Deadlines {
		if d.AggregateType != AggOrder || d.AggregateID != final.ID {
			out = append(out, d)
		}
	}
	cm.Deadlines = out
	orderDeadlineChange(cm, loaded, final, now, nil)
}

// ExtendReceipt is the buyer's 延长收货: once per order, the
// auto-confirmation moves by order.extend_receipt. Errors: NotFound (not
// the caller's order), Forbidden (not the buyer), Conflict (not awaiting
// receipt, or already extended; naming the rule).
func (s *Service) ExtendReceipt(ctx context.Context, c Caller, id string) (order.Order, error) {
	if c.Role != actor.Buyer {
		return order.Order{}, forbidden("只有买家可以延长收货 / only the buyer extends the receipt period")
	}
	who, err := actorOf(c)
	if err != nil {
		return order.Order{}, err
	}
	out, err := command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (order.Order, error) {
		now := s.now(ctx)
		o, err := tx.GetOrder(ctx, id)
		if err != nil || !CanSeeOrder(c, o) {
			if err == nil || fault.Is(err, fault.NotFound) {
				return order.Order{}, fault.New(fault.NotFound, "订单 %s 不存在 / order %s not found", id, id)
			}
			return order.Order{}, err
		}
		d, rule := s.Policy().Duration("order.extend_receipt")
		next, err := order.ExtendReceipt(o, d, rule)
		if err != nil {
			return order.Order{}, err
		}
		next.Version, next.UpdatedAt = o.Version+1, now
		s.orderEvent(cm, next, "receipt_extended", who, "买家延长收货 / the buyer extended the receipt period", []string{rule, s.Policy().ID("order.auto_confirm_receipt")},
			map[string]any{"auto_confirm_at": next.AutoConfirmAt, "extended_by": d.String()}, now)
		cm.Orders = append(cm.Orders, store.Row[order.Order]{Value: next, Prev: o.Version})
		orderDeadlineChange(cm, o, next, now, nil)
		return next, nil
	})
	if err == nil {
		s.obs.Transition(AggOrder, "receipt_extended")
	}
	return out, err
}

// fireOrder applies a due order deadline: the auto-confirmation confirms
// receipt (the completed fact, by the system) and releases the escrow to
// the seller. A stale row (the order moved on) is cancelled.
func (s *Service) fireOrder(ctx context.Context, tx *store.Tx, cm *store.Commit, d *store.Deadline, now time.Time) (bool, error) {
	o, err := tx.GetOrder(ctx, d.AggregateID)
	if err != nil {
		return false, err
	}
	if w := orderDeadline(o); w == nil || w.Kind != d.Kind || !w.DueAt.Equal(d.DueAt) {
		settle(cm, d, store.DeadlineCancelled, "stale: 期限已失效 / the deadline is no longer live", now)
		return false, nil
	}
	next, f, err := order.AutoConfirm(o, now)
	if fault.Is(err, fault.Conflict) {
		settle(cm, d, store.DeadlineCancelled, err.Error(), now)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	next.Version, next.UpdatedAt = o.Version+1, now
	rules := []string{o.AutoConfirmRule}
	if o.ReceiptExtended {
		rules = append(rules, s.Policy().ID("order.extend_receipt"))
	}
	s.orderEvent(cm, next, order.FactCompleted, actor.Actor{Role: actor.System, Via: "deadline:" + d.ID},
		"超时自动确认收货 / receipt confirmed automatically", rules, f, now)
	cm.Orders = append(cm.Orders, store.Row[order.Order]{Value: next, Prev: o.Version})
	cm.Settled = append(cm.Settled, store.DeadlineSettle{ID: d.ID, State: store.DeadlineFired, At: now})
	if err := s.postOrderMoney(ctx, tx, cm, next, order.FactCompleted, now); err != nil {
		return false, err
	}
	s.obs.Transition(AggOrder, "auto_confirmed")
	return true, nil
}
