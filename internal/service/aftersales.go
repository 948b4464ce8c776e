package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/store"
)

// CanSeeAftersale reports whether the caller may read the request: its own
// buyer and seller, the integration, agents and admins.
func CanSeeAftersale(c Caller, s aftersale.State) bool { return seesParties(c, s.BuyerID, s.SellerID) }

// actorFor is the caller acting on an after-sales request: its buyer or
// seller only.
func actorFor(c Caller) (aftersale.Actor, error) {
	switch c.Role {
	case actor.Buyer, actor.Seller:
		return actorOf(c)
	case actor.Integration:
		return aftersale.Actor{}, forbidden("集成方须通过 X-Act-As 头代表买家或卖家操作 / an integration key acts for a party with the X-Act-As header")
	}
	return aftersale.Actor{}, forbidden("只有买家或卖家可以操作售后申请 / only the buyer or the seller act on a request")
}

// actorOf is who the caller is in an event: a party by its id, staff by
// its key. The integration acts only for a party (X-Act-As).
func actorOf(c Caller) (actor.Actor, error) {
	switch c.Role {
	case actor.Buyer, actor.Seller:
		return actor.Actor{Role: c.Role, ID: c.PartyID, Via: c.Via}, nil
	case actor.Agent, actor.Senior, actor.Admin:
		return actor.Actor{Role: c.Role, ID: keyOf(c), Via: c.Via}, nil
	}
	return actor.Actor{}, forbidden("集成方须通过 X-Act-As 代表买家或卖家 / an integration key acts for a party with X-Act-As")
}

func orderView(o order.Order, b *policy.Book) aftersale.OrderView {
	v := aftersale.OrderView{ID: o.ID, BuyerID: o.BuyerID, SellerID: o.SellerID, Closed: o.Status == order.TradeClosed,
		PaidAt: o.PaidAt, ShippedAt: o.ShippedAt, DeliveredAt: o.DeliveredAt, CompletedAt: o.CompletedAt, Refundable: o.Refundable()}
	excluded, r6 := b.Words("aftersale.no_reason_excluded")
	confirmed, r7 := b.Switch("aftersale.no_reason_confirmed")
	if x := order.NoReasonExcluded(o, excluded, r6, confirmed, r7); x != nil {
		v.NoReasonExcluded = &aftersale.NoReasonExclusion{Item: x.Title, Rule: x.Rule, Why: x.Why}
	}
	v.Items = make(map[string]money.Fen, len(o.Items))
	for _, k := range o.ItemKeys() {
		v.Items[k], _ = o.ItemRefundable(k)
	}
	return v
}

// busyItems maps the item keys the open requests hold to them ("*": a
// request on the whole order).
func busyItems(open []aftersale.State) map[string]string {
	busy := map[string]string{}
	for _, r := range open {
		if len(r.Items) == 0 {
			busy["*"] = r.ID
		}
		for _, k := range r.Items {
			busy[k] = r.ID
		}
	}
	return busy
}

// CreateAftersale opens a request on an order for its buyer.
func (s *Service) CreateAftersale(ctx context.Context, c Caller, orderID string, cmd aftersale.Command) (aftersale.State, error) {
	actor, err := actorFor(c)
	if err != nil {
		return aftersale.State{}, err
	}
	cmd.Action, cmd.Actor = aftersale.Create, actor
	id := newID()
	var evs []aftersale.Event
	out, err := command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (aftersale.State, error) {
		o, openID, err := tx.LoadOrderForRequest(ctx, orderID)
		if err != nil || !CanSeeOrder(c, o) {
			if err == nil || fault.Is(err, fault.NotFound) {
				return aftersale.State{}, &fault.Error{Code: fault.NotFound, Field: "order_id", Message: fmt.Sprintf("订单 %s 不存在 / order %s not found", orderID, orderID)}
			}
			return aftersale.State{}, err
		}
		now := s.now(ctx)
		// Several requests may be open on one order for different items
		// (read only when the load saw one).
		var open []aftersale.State
		if openID != "" {
			if open, err = tx.OpenAftersalesForOrder(ctx, orderID); err != nil {
				return aftersale.State{}, err
			}
		}
		view := orderView(o, s.Policy())
		view.Busy = busyItems(open)
		if evs, err = aftersale.Decide(aftersale.State{ID: id}, view, cmd, s.Policy(), now); err != nil {
			return aftersale.State{}, err
		}
		return s.recordAftersale(ctx, tx, cm, aftersaleStep{cur: aftersale.State{ID: id}, order: o, evs: evs}, now)
	})
	if err == nil {
		s.observe(evs)
	}
	return out, err
}

// Act applies a party's action to a request. A request the caller may not
// see is NotFound; a role that never takes the action is Forbidden; an
// action not allowed now is a Conflict naming the status and allowed actions.
//
// The command path is two store calls: LoadAftersale (the request locked,
// its order, and — when the decision refunds — the balances the refund
// moves) and Apply.
func (s *Service) Act(ctx context.Context, c Caller, id string, cmd aftersale.Command) (aftersale.State, error) {
	var evs []aftersale.Event
	out, err := command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (aftersale.State, error) {
		now := s.now(ctx)
		// A return shipped may be refunded at once (极速退款, instant.go).
		var flagged bool
		var headroom money.Fen
		if cmd.Action == aftersale.ShipReturn {
			var err error
			if flagged, headroom, err = s.instantView(ctx, tx, c, now); err != nil {
				return aftersale.State{}, err
			}
		}
		decide := func(cur aftersale.State, o order.Order) ([]aftersale.Event, error) {
			if !CanSeeAftersale(c, cur) {
				return nil, notFoundAftersale(id)
			}
			actor, err := actorFor(c)
			if err != nil {
				return nil, err
			}
			cmd.Actor = actor
			v := orderView(o, s.Policy())
			v.BuyerFlagged, v.FundHeadroom = flagged, headroom
			return aftersale.Decide(cur, v, cmd, s.Policy(), now)
		}
		dl := &loadDecision{decide: decide}
		ld, err := tx.LoadAftersale(ctx, id, store.LoadOptions{Accounts: dl.accounts})
		if err != nil {
			return aftersale.State{}, err
		}
		if evs, err = dl.evs, dl.err; err != nil {
			return aftersale.State{}, err
		}
		return s.recordAftersale(ctx, tx, cm, aftersaleStep{cur: ld.Request, order: ld.Order, evs: evs, balances: ld.Balances}, now)
	})
	if fe, ok := fault.As(err); ok && fe.Code == fault.Conflict && fe.Status == "" {
		// Lost every race: say where the request is now.
		if cur, gerr := s.st.GetAftersale(ctx, id); gerr == nil {
			fe.Status = string(cur.Status)
			fe.Allowed = actor.Strings(aftersale.AllowedAll(cur))
		}
	}
	if err == nil {
		s.observe(evs)
	}
	return out, err
}

// loadDecision decides a command once, during its load (LoadOptions.Accounts
// is called with what was loaded), and names the balances the decision
// moves — a refund's escrow, seller's released funds and buyer's payout —
// so that the same store call reads them; evs and err are the decision.
type loadDecision struct {
	decide func(aftersale.State, order.Order) ([]aftersale.Event, error)
	evs    []aftersale.Event
	err    error
}

func (d *loadDecision) accounts(cur aftersale.State, o order.Order) []ledger.Account {
	d.evs, d.err = d.decide(cur, o)
	if d.err != nil || refundOf(d.evs) == 0 {
		return nil
	}
	return []ledger.Account{ledger.Escrow(o.ID), ledger.SellerAvailable(o.SellerID), ledger.BuyerPayout(o.BuyerID)}
}

func refundOf(evs []aftersale.Event) money.Fen {
	var n money.Fen
	for _, e := range evs {
		n += e.Data.Refund
	}
	return n
}

func (s *Service) observe(evs []aftersale.Event) {
	for _, e := range evs {
		s.obs.Transition(AggAftersale, string(e.Type))
	}
}

func notFoundAftersale(id string) error {
	return &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("售后申请 %s 不存在 / after-sales request %s not found", id, id)}
}

// aftersaleAgg describes after-sales requests to the generic record.
var aftersaleAgg = aggregate[aftersale.State, aftersale.Event]{
	typ:     AggAftersale,
	id:      func(s aftersale.State) string { return s.ID },
	version: func(s aftersale.State) int64 { return s.Version },
	evolve:  aftersale.Evolve,
	event:   logged[aftersale.EventType, aftersale.Data],
	payload: aftersalePayload,
	deadline: func(s aftersale.State) *store.Deadline {
		if d := s.Deadline; d != nil {
			return &store.Deadline{Kind: string(d.Kind), Actor: string(d.Actor), DueAt: d.DueAt, OnExpiry: d.OnExpiry, RuleID: d.RuleID}
		}
		return nil
	},
	// The row is named by the event that set the deadline.
	deadlineSeq: func(_ aftersale.State, evs []aftersale.Event) int64 {
		var seq int64
		for _, e := range evs {
			if e.Data.Deadline != nil {
				seq = e.Seq
			}
		}
		return seq
	},
	save: func(c *store.Commit, next aftersale.State, prev int64) {
		c.Aftersales = append(c.Aftersales, store.Row[aftersale.State]{Value: next, Prev: prev})
	},
}

// aftersaleStep is one decided step of a request, to record.
type aftersaleStep struct {
	cur   aftersale.State
	order order.Order
	evs   []aftersale.Event
	// balances holds the accounts a refund moves when the load read them;
	// nil: recordAftersale reads them.
	balances ledger.Balances
	fired    *store.Deadline // the deadline being fired, if any
	// paidBy names the ledger transaction that already paid the refund (the
	// guarantee fund's advance, SPEC §5; see advance.go): no money moves.
	paidBy string
	// next is the request after the step's events (set before the refund
	// is recorded): a return shipped in this very step (极速退款) is on it.
	next aftersale.State
}

// recordAftersale adds a request's step to cm: the generic record (events,
// state, deadline), then what is specific to requests — a refund's money
// and order event, and the opening or closing of an intervention.
func (s *Service) recordAftersale(ctx context.Context, tx *store.Tx, cm *store.Commit, st aftersaleStep, now time.Time) (aftersale.State, error) {
	cur, o, evs := st.cur, st.order, st.evs
	// A request that asks for intervention names its case in the event, so
	// that the link survives the intervention (TOP: the refund's case).
	caseIDs := map[int]string{}
	for i := range evs {
		if iv := evs[i].Data.Intervention; iv != nil && iv.DisputeID == "" {
			id, open, err := tx.DisputeForAftersale(ctx, cur.ID)
			if err != nil {
				return cur, err
			}
			if !open {
				id = newID()
				caseIDs[i] = id
			}
			x := *iv
			x.DisputeID = id
			evs[i].Data.Intervention = &x
		}
	}
	stampInstant(cur.ID, evs)
	next := record(cm, aftersaleAgg, cur, evs, now, st.fired)
	// 极速退款: the fund pays (or its guarantee settles) before any refund.
	if paid, err := s.instantMoney(ctx, tx, cm, st, now); err != nil {
		return next, err
	} else if paid != "" {
		st.paidBy = paid
	}
	if refund := refundOf(evs); refund > 0 {
		st.next = next
		if err := s.recordRefund(ctx, tx, cm, st, refund, now); err != nil {
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
		cm.CloseInterventions = append(cm.CloseInterventions, store.InterventionClose{AftersaleID: cur.ID, Status: status})
		if status != "judged" {
			if err := s.withdrawDispute(ctx, tx, cm, cur.ID, status, now); err != nil {
				return next, err
			}
		}
	}
	if cur.Status.Open() != next.Status.Open() {
		// Auto-confirmation resumes when the order's last open request ends.
		others := false
		if !next.Status.Open() && o.AutoConfirmPausedAt != nil {
			open, err := tx.OpenAftersalesForOrder(ctx, o.ID)
			if err != nil {
				return next, err
			}
			for _, r := range open {
				others = others || r.ID != cur.ID
			}
		}
		if !others {
			s.receiptPause(cm, o, next.Status.Open(), cur.ID, now)
		}
	}
	for i, e := range evs {
		if e.Data.Intervention != nil {
			cm.Interventions = append(cm.Interventions, store.Intervention{ID: newID(), AftersaleID: cur.ID, OrderID: cur.OrderID,
				RequestedBy: string(e.Data.Intervention.RequestedBy), Reason: e.Data.Intervention.Reason, Status: "requested", CreatedAt: now})
			if id, ok := caseIDs[i]; ok {
				if err := s.openDispute(ctx, tx, cm, next, o, e.Data.Intervention.RequestedBy, id, now); err != nil {
					return next, err
				}
			}
		}
	}
	return next, nil
}

// recordRefund adds a refund's money, the order's new refunded total and
// the order's refunded event to cm. The money comes from escrow, or after
// completion from the seller's released funds; what neither covers is a
// shortfall (art. 87), recorded on the event and surfaced to the parties.
func (s *Service) recordRefund(ctx context.Context, tx *store.Tx, cm *store.Commit, st aftersaleStep, refund money.Fen, now time.Time) error {
	cur, o, evs := st.cur, st.order, st.evs
	no, err := order.RecordItemRefund(o, cur.Items, refund, now)
	if err != nil {
		return err
	}
	no.Version, no.UpdatedAt = o.Version+1, now
	refundEventID := newID()
	ledgerTx := "refund:" + refundEventID
	var shortfall money.Fen
	if st.paidBy != "" {
		ledgerTx = st.paidBy
	} else {
		b := st.balances
		if b == nil {
			// Not read at the load (a judgment executing on the request): read
			// now, as moved by the plans this command made already.
			if b, err = tx.LedgerBalances(ctx, ledger.Escrow(o.ID), ledger.SellerAvailable(o.SellerID), ledger.BuyerPayout(o.BuyerID)); err != nil {
				return err
			}
			b = cm.Pending(b)
		}
		// The transaction cites the rules of the events that refund: a
		// judgment's rule_ids when it executes on the request, the
		// deadline's rule for an automatic refund, and so on.
		var rules []string
		for _, e := range evs {
			if e.Data.Refund > 0 {
				for _, r := range e.RuleIDs {
					rules = appendRule(rules, r)
				}
			}
		}
		plan, err := ledger.Refund(ledger.Meta{ID: ledgerTx, OrderID: o.ID, Ref: cur.ID, RuleIDs: rules, At: now}, o.BuyerID, o.SellerID, refund, b)
		if err != nil {
			return err
		}
		cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: plan, Fresh: true}) // ledgerTx was minted above
		shortfall += plan.Missing()
	}
	// 运费险: the insurer pays the insured return's postage with the refund.
	claimed := cur
	if st.next.Return != nil {
		claimed = st.next
	}
	claim, err := s.insuranceClaim(ctx, tx, cm, claimed, o, now)
	if err != nil {
		return err
	}
	cm.Orders = append(cm.Orders, store.Row[order.Order]{Value: no, Prev: o.Version})
	rules := []string{s.Policy().ID("aftersale.refund_cap")}
	data := map[string]any{"aftersale_id": cur.ID, "amount": refund, "refunded_total": no.Refunded, "ledger_transaction": ledgerTx, "shortfall": shortfall}
	if claim > 0 {
		rules = append(rules, s.Policy().ID("protection.shipping_insurance_cap"))
		data["insurance_claim"], data["insurance_transaction"] = claim, "insurance:"+cur.ID
	}
	r := logFields("refunded", evs[len(evs)-1].Actor, now, "", rules, s.Policy().Version, data)
	r.AggregateType, r.AggregateID, r.Seq, r.ID = AggOrder, o.ID, no.Version, refundEventID
	cm.Events = append(cm.Events, r)
	payload, _ := json.Marshal(map[string]any{"order_id": o.ID, "aftersale_id": cur.ID, "buyer_id": o.BuyerID, "seller_id": o.SellerID,
		"amount": refund, "refunded_total": no.Refunded})
	cm.Outbox = append(cm.Outbox, store.OutboxMessage{Topic: "order.refunded", AggregateType: AggOrder, AggregateID: o.ID,
		AggregateSeq: no.Version, CreatedAt: now, Payload: payload})
	return nil
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

// GetAftersale reads a request the caller may see. Errors: NotFound.
func (s *Service) GetAftersale(ctx context.Context, c Caller, id string) (aftersale.State, error) {
	st, err := s.st.GetAftersale(ctx, id)
	return visible(st, err, CanSeeAftersale(c, st), notFoundAftersale(id))
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
	return decodeEvents(recs, func(r store.EventRecord, e *aftersale.Event) (actor, data any) {
		*e = aftersale.Event{Head: aftersale.Head{Seq: r.Seq, Type: aftersale.EventType(r.Type), At: r.At, Reason: r.Reason, RuleIDs: r.RuleIDs, PolicyVersion: r.PolicyVersion}}
		return &e.Actor, &e.Data
	})
}
