package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"net/http"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// portalPage is a buyer's or seller's start page: their orders, their
// after-sales requests (open ones with the live deadline) and their cases.
type portalPage struct {
	Base
	Orders     []order.Order
	Requests   []requestRow
	Cases      []caseRow
	Complaints []complaintRow
	Standing   *service.Standing
	Quality    *service.SellerQuality
}

// requestRow is one request in a list.
type requestRow struct {
	aftersale.State
	Deadline *deadlineVM
}

// caseRow is one intervention case in a list.
type caseRow struct {
	dispute.State
	Deadline *deadlineVM
}

func (a *App) portal(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c := r.Context(), s.Caller()
	v := portalPage{Base: a.base(r, s, "title.portal")}
	orders, err := a.svc.ListOrders(ctx, c, store.ListFilter{Limit: 100})
	if err != nil {
		return err
	}
	v.Orders = orders
	reqs, err := a.svc.ListAftersales(ctx, c, store.ListFilter{Limit: 100})
	if err != nil {
		return err
	}
	for _, q := range reqs {
		v.Requests = append(v.Requests, requestRow{State: q, Deadline: requestDeadline(q, v.Now)})
	}
	cases, err := a.svc.ListDisputes(ctx, c, store.DisputeFilter{Limit: 100})
	if err != nil {
		return err
	}
	for _, d := range cases {
		v.Cases = append(v.Cases, caseRow{State: d, Deadline: caseDeadline(d, v.Now)})
	}
	if v.Complaints, err = a.listComplaints(r, s, ""); err != nil {
		return err
	}
	if st, err := a.svc.PartyStanding(ctx, c, s.User.Role, s.User.PartyID); err == nil {
		v.Standing = &st
	} else {
		a.log.Warn("web: standing", "party", s.User.PartyID, "err", err)
	}
	if s.role() == actor.Seller {
		if q, err := a.svc.GetSellerQuality(ctx, c, s.User.PartyID); err == nil {
			v.Quality = &q
		} else {
			a.log.Warn("web: service quality", "seller", s.User.PartyID, "err", err)
		}
	}
	a.render(w, r, http.StatusOK, "portal", &v)
	return nil
}

func requestDeadline(q aftersale.State, now time.Time) *deadlineVM {
	if q.Deadline == nil || !q.Status.Open() {
		return nil
	}
	d := q.Deadline
	return &deadlineVM{Kind: string(d.Kind), Actor: string(d.Actor), DueAt: d.DueAt, OnExpiry: d.OnExpiry, RuleID: d.RuleID, Now: now}
}

func caseDeadline(s dispute.State, now time.Time) *deadlineVM {
	k, d := s.Deadline()
	if d == nil {
		return nil
	}
	return &deadlineVM{Kind: k, Actor: deadlineActor(s, k), DueAt: d.DueAt, OnExpiry: d.OnExpiry, RuleID: d.RuleID, Now: now}
}

// deadlineActor is who must act before a case deadline: the parties whose
// evidence window is open, either party in the appeal window, else the
// platform.
func deadlineActor(s dispute.State, kind string) string {
	switch kind {
	case "evidence_window":
		var open []string
		for _, w := range s.Windows {
			if !w.Closed {
				open = append(open, string(w.Party))
			}
		}
		if len(open) == 1 {
			return open[0]
		}
		return "parties"
	case "appeal_window":
		return "either_party"
	}
	return "platform"
}
