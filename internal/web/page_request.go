package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"net/http"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/order"
)

// requestPage is one after-sales request: its facts, live deadline with
// what happens at expiry, the actions the user may take now, the evidence
// and the full timeline from the event log.
type requestPage struct {
	Base
	Req      aftersale.State
	Order    order.Order
	Deadline *deadlineVM
	Actions  []string
	Evidence []evidenceVM
	Timeline []eventVM
	CaseID   string
	Party    bool
	// Thread is the negotiation record (协商记录); CanMessage: the caller
	// is a party of the open request and may post.
	Thread     []threadRow
	CanMessage bool
	// Types and Reasons are offered by the buyer's 修改申请 form.
	Types   []aftersale.Type
	Reasons []aftersale.Reason
}

// Can reports whether the user may take the action now.
func (p *requestPage) Can(action string) bool { return contains(p.Actions, action) }

func (a *App) requestView(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c := r.Context(), s.Caller()
	q, err := a.svc.GetAftersale(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	o, err := a.svc.GetOrder(ctx, c, q.OrderID)
	if err != nil {
		return err
	}
	v := requestPage{Base: a.base(r, s, "title.request"), Req: q, Order: o, Party: c.Role == actor.Buyer || c.Role == actor.Seller,
		Types: aftersale.Types, Reasons: aftersale.Reasons}
	v.Thread, v.CanMessage = a.negotiationOf(r, s, q.ID), v.Party && q.Status.Open()
	v.Deadline = requestDeadline(q, v.Now)
	if v.Party {
		for _, act := range aftersale.Allowed(q, aftersale.Role(c.Role)) {
			v.Actions = append(v.Actions, string(act))
		}
	}
	if v.Evidence, err = a.loadEvidence(ctx, c, q.ID); err != nil {
		return err
	}
	recs, err := a.svc.AftersaleEvents(ctx, c, q.ID, 0, 500)
	if err != nil {
		return err
	}
	var names staffNames
	if !v.Party {
		names = a.staffNames(ctx)
	}
	v.Timeline = eventsVM(recs, names)
	if id, ok, err := a.svc.DisputeIDForAftersale(ctx, c, q.ID); err != nil {
		return err
	} else if ok {
		v.CaseID = id
	}
	a.render(w, r, http.StatusOK, "request", &v)
	return nil
}
