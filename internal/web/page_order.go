package web

import (
	"net/http"

	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
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
	v.CanRequest = c.Role == service.RoleBuyer && !open && o.PaidAt != nil && o.Status != order.TradeClosed && o.Refundable() > 0
	v.CanComplain = o.PaidAt != nil || c.Role == service.RoleSeller
	if v.Ledger, err = a.svc.Store().OrderPostings(ctx, o.ID); err != nil {
		return err
	}
	recs, err := a.svc.Store().Events(ctx, service.AggOrder, o.ID, 0, 200)
	if err != nil {
		return err
	}
	v.Timeline = eventsVM(recs, false)
	v.Counter = a.counterparty(r, s, o.BuyerID, o.SellerID)
	a.render(w, r, http.StatusOK, "order", &v)
	return nil
}

// counterparty is the other side of an order as a party may see it: a
// seller sees the buyer's masked name only; a buyer sees the shop's name.
func (a *App) counterparty(r *http.Request, s *session, buyerID, sellerID string) string {
	if s.role() == service.RoleBuyer {
		if u, err := a.svc.Store().WebUserByParty(r.Context(), string(service.RoleSeller), sellerID); err == nil {
			return u.DisplayName
		}
		return sellerID
	}
	if u, err := a.svc.Store().WebUserByParty(r.Context(), string(service.RoleBuyer), buyerID); err == nil {
		return maskName(u.DisplayName)
	}
	return maskName(buyerID)
}
