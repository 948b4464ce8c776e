package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"net/http"

	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// orderPage is one order for its buyer or seller: the facts, its requests,
// its timeline and its ledger entries (payment, refunds, release).
type orderPage struct {
	Base
	Order       order.Order
	Requests    []requestRow
	CanRequest  bool
	CanComplain bool
	Ledger      []store.LedgerTxRecord
	Timeline    []eventVM
	Counter     string // the other party as this user may see them
}

func (a *App) orderView(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c := r.Context(), s.Caller()
	o, err := a.svc.GetOrder(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := orderPage{Base: a.base(r, s, "title.order"), Order: o}
	reqs, err := a.svc.ListAftersales(ctx, c, store.ListFilter{OrderID: o.ID, Limit: 50})
	if err != nil {
		return err
	}
	open := false
	for _, q := range reqs {
		v.Requests = append(v.Requests, requestRow{State: q, Deadline: requestDeadline(q, v.Now)})
		open = open || q.Status.Open()
	}
	v.CanRequest = c.Role == actor.Buyer && !open && o.PaidAt != nil && o.Status != order.TradeClosed && o.Refundable() > 0
	if o.CompletedAt != nil {
		// 申请售后 is not offered once the window after completion closed.
		if win, _ := a.svc.Policy().Duration("aftersale.window_after_completion"); win > 0 && v.Now.After(o.CompletedAt.Add(win)) {
			v.CanRequest = false
		}
	}
	v.CanComplain = o.PaidAt != nil || c.Role == actor.Seller
	if v.Ledger, err = a.svc.OrderPostings(ctx, c, o.ID); err != nil {
		return err
	}
	recs, err := a.svc.OrderEvents(ctx, c, o.ID, 0, 200)
	if err != nil {
		return err
	}
	v.Timeline = eventsVM(recs, nil)
	if v.Counter, err = a.svc.Counterparty(ctx, c, o); err != nil {
		return err
	}
	a.render(w, r, http.StatusOK, "order", &v)
	return nil
}
