package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// CanSeeAftersale reports whether the caller may read the request: its own
// buyer and seller, the integration, agents and admins.
func CanSeeAftersale(c Caller, s aftersale.State) bool {
	switch c.Role {
	case RoleBuyer:
		return s.BuyerID == c.PartyID
	case RoleSeller:
		return s.SellerID == c.PartyID
	}
	return true
}

func actorFor(c Caller) (aftersale.Actor, error) {
	switch c.Role {
	case RoleBuyer:
		return aftersale.Actor{Role: aftersale.Buyer, ID: c.PartyID, Via: c.Via}, nil
	case RoleSeller:
		return aftersale.Actor{Role: aftersale.Seller, ID: c.PartyID, Via: c.Via}, nil
	case RoleIntegration:
		return aftersale.Actor{}, forbidden("集成方须通过 X-Act-As 头代表买家或卖家操作 / an integration key acts for a party with the X-Act-As header")
	}
	return aftersale.Actor{}, forbidden("只有买家或卖家可以操作售后申请 / only the buyer or the seller act on a request")
}

func orderView(o order.Order) aftersale.OrderView {
	return aftersale.OrderView{ID: o.ID, BuyerID: o.BuyerID, SellerID: o.SellerID, Closed: o.Status == order.TradeClosed,
		PaidAt: o.PaidAt, ShippedAt: o.ShippedAt, DeliveredAt: o.DeliveredAt, CompletedAt: o.CompletedAt, Refundable: o.Refundable()}
}

// CreateAftersale opens a request on an order for its buyer.
func (s *Service) CreateAftersale(ctx context.Context, c Caller, orderID string, cmd aftersale.Command) (aftersale.State, error) {
	actor, err := actorFor(c)
	if err != nil {
		return aftersale.State{}, err
	}
	cmd.Action, cmd.Actor = aftersale.Create, actor
	id := newID()
	var out aftersale.State
	var evs []aftersale.Event
	err = retryStale(func() error {
		return s.st.InTx(ctx, func(tx *store.Tx) error {
			o, err := tx.GetOrder(ctx, orderID)
			if err != nil || !CanSeeOrder(c, o) {
				if err == nil || fault.Is(err, fault.NotFound) {
					return &fault.Error{Code: fault.NotFound, Field: "order_id", Message: fmt.Sprintf("订单 %s 不存在 / order %s not found", orderID, orderID)}
				}
				return err
			}
			now := s.clock.Now()
			evs, err = aftersale.Decide(aftersale.State{ID: id}, orderView(o), cmd, s.Policy(), now)
			if err != nil {
				return err
			}
			if openID, ok, err := tx.OpenAftersaleForOrder(ctx, orderID); err != nil {
				return err
			} else if ok {
				return &fault.Error{Code: fault.Conflict, Field: "order_id", Message: fmt.Sprintf("该订单已有进行中的售后申请 %s / the order already has an open request %s", openID, openID)}
			}
			out, err = s.persistAftersale(ctx, tx, aftersale.State{ID: id}, o, evs, now, nil)
			if err != nil {
				return err
			}
			return s.storeIdem(ctx, tx, out)
		})
	})
	if err == nil {
		s.observe(evs)
	}
	return out, err
}

// Act applies a party's action to a request. A request the caller may not
// see is NotFound; a role that never takes the action is Forbidden; an
// action not allowed now is a Conflict naming the status and allowed actions.
func (s *Service) Act(ctx context.Context, c Caller, id string, cmd aftersale.Command) (aftersale.State, error) {
	var out aftersale.State
	var evs []aftersale.Event
	err := retryStale(func() error {
		return s.st.InTx(ctx, func(tx *store.Tx) error {
			cur, o, err := tx.GetAftersaleWithOrderForUpdate(ctx, id)
			if err != nil {
				return err
			}
			if !CanSeeAftersale(c, cur) {
				return notFoundAftersale(id)
			}
			actor, err := actorFor(c)
			if err != nil {
				return err
			}
			cmd.Actor = actor
			now := s.clock.Now()
			evs, err = aftersale.Decide(cur, orderView(o), cmd, s.Policy(), now)
			if err != nil {
				return err
			}
			out, err = s.persistAftersale(ctx, tx, cur, o, evs, now, nil)
			if err != nil {
				return err
			}
			return s.storeIdem(ctx, tx, out)
		})
	})
	if fe, ok := fault.As(err); ok && fe.Code == fault.Conflict && fe.Status == "" {
		// Lost every race: say where the request is now.
		if cur, gerr := s.st.GetAftersale(ctx, id); gerr == nil {
			fe.Status = string(cur.Status)
			fe.Allowed = actionStrings(aftersale.AllowedAll(cur))
		}
	}
	if err == nil {
		s.observe(evs)
	}
	return out, err
}

func (s *Service) observe(evs []aftersale.Event) {
	for _, e := range evs {
		s.obs.Transition(AggAftersale, string(e.Type))
	}
}

func notFoundAftersale(id string) error {
	return &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("售后申请 %s 不存在 / after-sales request %s not found", id, id)}
}

func actionStrings(as []aftersale.Action) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, string(a))
	}
	return out
}

// persistAftersale writes, in tx: the events, the new state (version-checked
// against cur), the order's refund total, the deadline row the new state
// wants (cancelling the old one), and intervention requests. fired is the
// deadline row being fired, if any.
func (s *Service) persistAftersale(ctx context.Context, tx *store.Tx, cur aftersale.State, o order.Order, evs []aftersale.Event, now time.Time, fired *store.Deadline) (aftersale.State, error) {
	next := cur
	recs := make([]store.EventRecord, 0, len(evs))
	outbox := make([]store.OutboxMessage, 0, len(evs)+1)
	var refund money.Fen
	var deadlineSeq int64
	for i := range evs {
		evs[i].Seq = next.Version + 1
		next = aftersale.Evolve(next, evs[i])
		refund += evs[i].Data.Refund
		if evs[i].Data.Deadline != nil {
			deadlineSeq = evs[i].Seq
		}
		actor, _ := json.Marshal(evs[i].Actor)
		data, _ := json.Marshal(evs[i].Data)
		recs = append(recs, store.EventRecord{AggregateType: AggAftersale, AggregateID: cur.ID, Seq: evs[i].Seq, ID: newID(),
			Type: string(evs[i].Type), Actor: actor, At: evs[i].At, Reason: evs[i].Reason, RuleIDs: evs[i].RuleIDs,
			PolicyVersion: evs[i].PolicyVersion, Data: data})
		outbox = append(outbox, store.OutboxMessage{Topic: AggAftersale + "." + string(evs[i].Type), AggregateType: AggAftersale,
			AggregateID: cur.ID, AggregateSeq: evs[i].Seq, CreatedAt: now, Payload: aftersalePayload(next, recs[len(recs)-1])})
	}
	// The request's events (and a refund's order event) go in as one
	// insert, after the state rows. The request's row is written after the
	// refund's balance read, so that on PostgreSQL all the command's writes
	// leave in one pipeline (the row is locked: its version cannot move).
	if refund > 0 {
		no, err := order.RecordRefund(o, refund, now)
		if err != nil {
			return next, err
		}
		no.Version, no.UpdatedAt = o.Version+1, now
		// The money: from escrow, or after completion from the seller's
		// released funds; what neither covers is a shortfall (art. 87),
		// recorded on the event and surfaced to the parties.
		refundEventID := newID()
		ledgerTx := "refund:" + refundEventID
		var shortfall money.Fen
		if paid, ok := paidByAdvance(ctx); ok {
			ledgerTx = paid // the guarantee fund paid it in advance (SPEC §5; see advance.go)
		} else {
			// Every balance row the refund may move, locked in one read in
			// account order (as the deadline worker locks its batches'), so
			// that a refund never waits for a row while holding one that
			// another refund, locking in the same order, waits for.
			b, err := tx.LedgerBalances(ctx, ledger.Escrow(o.ID), ledger.SellerAvailable(o.SellerID), ledger.BuyerPayout(o.BuyerID))
			if err != nil {
				return next, err
			}
			plan, err := ledger.Refund(ledger.Meta{ID: ledgerTx, OrderID: o.ID, Ref: cur.ID, At: now}, o.BuyerID, o.SellerID, refund, b)
			if err != nil {
				return next, err
			}
			if err := tx.PostFreshPlan(ctx, plan); err != nil { // ledgerTx was minted above
				return next, err
			}
			for _, sf := range plan.Shortfalls {
				shortfall += sf.Missing
			}
		}
		data, _ := json.Marshal(map[string]any{"aftersale_id": cur.ID, "amount": refund, "refunded_total": no.Refunded, "ledger_transaction": ledgerTx, "shortfall": shortfall})
		actor, _ := json.Marshal(evs[len(evs)-1].Actor)
		recs = append(recs, store.EventRecord{AggregateType: AggOrder, AggregateID: o.ID, Seq: no.Version, ID: refundEventID,
			Type: "refunded", Actor: actor, At: now, RuleIDs: []string{s.Policy().ID("aftersale.refund_cap")}, PolicyVersion: s.Policy().Version, Data: data})
		if err := tx.SaveOrder(ctx, no, o.Version); err != nil {
			return next, err
		}
		payload, _ := json.Marshal(map[string]any{"order_id": o.ID, "aftersale_id": cur.ID, "buyer_id": o.BuyerID, "seller_id": o.SellerID,
			"amount": refund, "refunded_total": no.Refunded})
		outbox = append(outbox, store.OutboxMessage{Topic: "order.refunded", AggregateType: AggOrder, AggregateID: o.ID,
			AggregateSeq: no.Version, CreatedAt: now, Payload: payload})
	}
	if err := tx.SaveAftersale(ctx, next, cur.Version); err != nil {
		return next, err
	}
	if err := tx.AppendEvents(ctx, recs); err != nil {
		return next, err
	}
	if err := tx.EnqueueOutbox(ctx, outbox...); err != nil {
		return next, err
	}
	if err := settleFired(ctx, tx, fired, now); err != nil {
		return next, err
	}
	// A fired deadline was the pending row and is settled above: with no new
	// deadline there is nothing left to cancel.
	if !sameDeadline(cur.Deadline, next.Deadline) && (fired == nil || next.Deadline != nil) {
		var row *store.Deadline
		if d := next.Deadline; d != nil {
			row = &store.Deadline{ID: fmt.Sprintf("%s/%d", cur.ID, deadlineSeq), Kind: string(d.Kind), Actor: string(d.Actor),
				DueAt: d.DueAt, OnExpiry: d.OnExpiry, RuleID: d.RuleID}
		}
		replace := tx.ReplaceDeadline
		if cur.Deadline == nil {
			replace = tx.InsertDeadline // the state wanted none: no pending row to cancel
		}
		if err := replace(ctx, AggAftersale, cur.ID, row, now); err != nil {
			return next, err
		}
	}
	if cur.Intervention != nil && next.Intervention == nil || cur.Intervention != nil && !next.Status.Open() {
		status := "settled_by_parties"
		switch {
		case evs[len(evs)-1].Actor.Role == aftersale.Platform:
			status = "judged"
		case next.Status == aftersale.Closed:
			status = "withdrawn"
		}
		if err := tx.CloseInterventions(ctx, cur.ID, status); err != nil {
			return next, err
		}
		if status != "judged" {
			if err := s.withdrawDispute(ctx, tx, cur.ID, status, now); err != nil {
				return next, err
			}
		}
	}
	for _, e := range evs {
		if e.Data.Intervention != nil {
			if err := tx.InsertIntervention(ctx, store.Intervention{ID: newID(), AftersaleID: cur.ID, OrderID: cur.OrderID,
				RequestedBy: string(e.Data.Intervention.RequestedBy), Reason: e.Data.Intervention.Reason, Status: "requested", CreatedAt: now}); err != nil {
				return next, err
			}
			if err := s.openDispute(ctx, tx, next, o, e.Data.Intervention.RequestedBy, now); err != nil {
				return next, err
			}
		}
	}
	return next, nil
}

// aftersalePayload is the notification body of an after-sales event: the
// request's headline facts (the SMS and site channels address the parties
// with them) and the event as logged.
func aftersalePayload(st aftersale.State, r store.EventRecord) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"aftersale_id": st.ID, "order_id": st.OrderID, "buyer_id": st.BuyerID, "seller_id": st.SellerID,
		"type": st.Type, "status": st.Status, "amount": st.Amount, "refunded": st.Refunded, "deadline": st.Deadline,
		"event": eventPayload(r)})
	return b
}

func sameDeadline(a, b *aftersale.Deadline) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Kind == b.Kind && a.DueAt.Equal(b.DueAt)
}

// GetAftersale reads a request the caller may see. Errors: NotFound.
func (s *Service) GetAftersale(ctx context.Context, c Caller, id string) (aftersale.State, error) {
	st, err := s.st.GetAftersale(ctx, id)
	if err != nil {
		return st, err
	}
	if !CanSeeAftersale(c, st) {
		return aftersale.State{}, notFoundAftersale(id)
	}
	return st, nil
}

// ListAftersales lists the requests the caller may see.
func (s *Service) ListAftersales(ctx context.Context, c Caller, f store.ListFilter) ([]aftersale.State, error) {
	scope(c, &f)
	return s.st.ListAftersales(ctx, f)
}

// AftersaleEvents returns a visible request's history.
func (s *Service) AftersaleEvents(ctx context.Context, c Caller, id string, afterSeq int64, limit int) ([]store.EventRecord, error) {
	if _, err := s.GetAftersale(ctx, c, id); err != nil {
		return nil, err
	}
	return s.st.Events(ctx, AggAftersale, id, afterSeq, limit)
}

// DecodeAftersaleEvents turns stored records back into domain events (for replay).
func DecodeAftersaleEvents(recs []store.EventRecord) ([]aftersale.Event, error) {
	out := make([]aftersale.Event, 0, len(recs))
	for _, r := range recs {
		e := aftersale.Event{Seq: r.Seq, Type: aftersale.EventType(r.Type), At: r.At, Reason: r.Reason, RuleIDs: r.RuleIDs, PolicyVersion: r.PolicyVersion}
		if err := json.Unmarshal(r.Actor, &e.Actor); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r.Data, &e.Data); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
