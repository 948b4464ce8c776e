package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"reflect"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// canWriteOrders: only the marketplace (and admins) push order facts.
func canWriteOrders(c Caller) bool { return c.Role == actor.Integration || c.Role == actor.Admin }

// CanSeeOrder reports whether the caller may read the order.
func CanSeeOrder(c Caller, o order.Order) bool { return seesParties(c, o.BuyerID, o.SellerID) }

// seesParties is the visibility rule of everything between a buyer and a
// seller: each party sees its own, the platform's staff and the
// integration see all.
func seesParties(c Caller, buyerID, sellerID string) bool {
	switch c.Role {
	case actor.Buyer:
		return buyerID == c.PartyID
	case actor.Seller:
		return sellerID == c.PartyID
	}
	return true
}

// visible hands out v, read with err, when the caller may see it (may);
// otherwise the same NotFound as for an object that does not exist.
func visible[T any](v T, err error, may bool, notFound error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if !may {
		return zero, notFound
	}
	return v, nil
}

// PutOrder creates or updates an order's descriptive facts. Updating with
// identical facts changes nothing (no event, same version).
func (s *Service) PutOrder(ctx context.Context, c Caller, id string, f order.Facts) (order.Order, error) {
	if !canWriteOrders(c) {
		return order.Order{}, forbidden("只有平台集成方可以写入订单 / only the integration writes orders")
	}
	if !ValidID(id) {
		return order.Order{}, fault.Field("id", "订单ID须为1–64位字母、数字或 _.:- / the order id must be 1–64 letters, digits or _.:-")
	}
	for _, p := range []struct{ field, v string }{{"buyer_id", f.BuyerID}, {"seller_id", f.SellerID}} {
		if p.v != "" && !ValidID(p.v) {
			return order.Order{}, fault.Field(p.field, "ID须为1–64位字母、数字或 _.:- / ids are 1–64 letters, digits or _.:-")
		}
	}
	var out order.Order
	err := s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		now := s.now(ctx)
		cur, err := tx.GetOrder(ctx, id)
		exists := err == nil
		if err != nil && !fault.Is(err, fault.NotFound) {
			return err
		}
		var existing *order.Order
		if exists {
			existing = &cur
		}
		if err := order.ValidateFacts(f, existing); err != nil {
			return err
		}
		if f.Items == nil {
			f.Items = []order.Item{}
		}
		evType := "created"
		next := order.Order{ID: id, Facts: f, Status: order.WaitBuyerPay, CreatedAt: now}
		if exists {
			if reflect.DeepEqual(normFacts(cur.Facts), normFacts(f)) {
				out = cur
				return s.respond(c, cm, out)
			}
			next = cur
			next.Facts = f
			evType = "updated"
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = now
		data, _ := json.Marshal(f)
		cm.Events = append(cm.Events, store.EventRecord{AggregateType: AggOrder, AggregateID: id, Seq: next.Version, ID: newID(),
			Type: evType, Actor: c.actorJSON(), At: now, PolicyVersion: s.Policy().Version, Data: data})
		cm.Orders = append(cm.Orders, store.Row[order.Order]{Value: next, Prev: cur.Version})
		out = next
		return s.respond(c, cm, out)
	})
	if err == nil {
		s.obs.Transition(AggOrder, "upserted")
	}
	return out, err
}

func normFacts(f order.Facts) order.Facts {
	if len(f.Items) == 0 {
		f.Items = nil
	}
	if len(f.Services) == 0 {
		f.Services = nil
	}
	if f.PresaleShipBy != nil {
		t := f.PresaleShipBy.UTC()
		f.PresaleShipBy = &t
	}
	return f
}

// RecordOrderFact records paid / shipped / first_scan / delivered /
// completed / cancelled, refusing impossible facts.
func (s *Service) RecordOrderFact(ctx context.Context, c Caller, id string, f order.Fact) (order.Order, error) {
	if !canWriteOrders(c) {
		return order.Order{}, forbidden("只有平台集成方可以写入订单事实 / only the integration records order facts")
	}
	var out order.Order
	err := s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		now := s.now(ctx)
		// The order with the id of an open request, in one read (a
		// shipment pauses auto-confirmation at once when one is open).
		cur, openID, err := tx.LoadOrderForRequest(ctx, id)
		if err != nil {
			return err
		}
		shipBy, shipRule := s.Policy().Duration("order.ship_by")
		next, err := order.Apply(cur, f, shipBy)
		if err != nil {
			return err
		}
		var rules []string
		if f.Type == order.FactPaid {
			rules = []string{shipRule}
		}
		if f.Type == order.FactShipped {
			// 自动确认收货 starts at shipment, paused at once if a request is open.
			d, rule := s.Policy().Duration("order.auto_confirm_receipt")
			next = order.StartReceipt(next, d, rule)
			rules = append(rules, rule)
			if openID != "" {
				next = order.PauseReceipt(next, now)
			}
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = now
		data, _ := json.Marshal(f)
		cm.Events = append(cm.Events, store.EventRecord{AggregateType: AggOrder, AggregateID: id, Seq: next.Version, ID: newID(),
			Type: f.Type, Actor: c.actorJSON(), At: now, RuleIDs: rules, PolicyVersion: s.Policy().Version, Data: data})
		cm.Orders = append(cm.Orders, store.Row[order.Order]{Value: next, Prev: cur.Version})
		orderDeadlineChange(cm, cur, next, now, nil)
		if err := s.postOrderMoney(ctx, tx, cm, next, f.Type, now); err != nil {
			return err
		}
		out = next
		return s.respond(c, cm, out)
	})
	if err == nil {
		s.obs.Transition(AggOrder, f.Type)
	}
	return out, err
}

// postOrderMoney moves the order's money in the ledger, in the fact's
// transaction: payment into escrow (担保交易), and at completion the escrow
// left after refunds is released to the seller.
func (s *Service) postOrderMoney(ctx context.Context, tx *store.Tx, cm *store.Commit, o order.Order, fact string, now time.Time) error {
	m := ledger.Meta{OrderID: o.ID, At: now}
	switch fact {
	case order.FactPaid:
		m.ID = "pay:" + o.ID
		t, err := ledger.Pay(m, o.Amount)
		if err != nil {
			return err
		}
		// 运费险: an insured order books its premium to the insurer.
		premium, err := s.insurancePremium(o, now)
		if err != nil {
			return err
		}
		cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: ledger.Plan{Transactions: append([]ledger.Transaction{t}, premium...)}})
		return nil
	case order.FactCompleted:
		b, err := tx.LedgerBalances(ctx, ledger.Escrow(o.ID), ledger.SellerAvailable(o.SellerID))
		if err != nil {
			return err
		}
		if b[ledger.Escrow(o.ID)] <= 0 {
			return nil
		}
		m.ID = "release:" + o.ID
		p, err := ledger.Release(m, o.SellerID, b)
		if err != nil {
			return err
		}
		cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
		return nil
	}
	return nil
}

// GetOrder reads an order the caller may see. Errors: NotFound.
func (s *Service) GetOrder(ctx context.Context, c Caller, id string) (order.Order, error) {
	o, err := s.st.GetOrder(ctx, id)
	return visible(o, err, CanSeeOrder(c, o), fault.New(fault.NotFound, "订单 order %s 不存在 / order %s not found", id, id))
}

// ListOrders lists the orders the caller may see.
func (s *Service) ListOrders(ctx context.Context, c Caller, f store.ListFilter) ([]order.Order, error) {
	scope(c, &f)
	return s.st.ListOrders(ctx, f)
}

// scope restricts a list to the caller's own objects.
func scope(c Caller, f *store.ListFilter) {
	switch c.Role {
	case actor.Buyer:
		f.BuyerID = c.PartyID
	case actor.Seller:
		f.SellerID = c.PartyID
	}
}
