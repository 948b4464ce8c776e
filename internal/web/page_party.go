package web

import (
	"net/http"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
)

// partyPage is a buyer's or seller's standing as staff see it: points per
// class and the next threshold, sanctions in force, complaint record and,
// for a seller, the service quality report (factors with their counts,
// rates, scores and weights; score, rank and percentile in the category).
type partyPage struct {
	Base
	Role     string
	PartyID  string
	Standing *service.Standing
	Quality  *service.SellerQuality
}

func (a *App) partyStanding(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c := r.Context(), s.Caller()
	role, id := r.PathValue("role"), r.PathValue("id")
	if actor.Role(role) != actor.Buyer && actor.Role(role) != actor.Seller {
		return fault.New(fault.NotFound, "页面不存在 / page not found")
	}
	v := partyPage{Base: a.base(r, s, "title.party"), Role: role, PartyID: id}
	st, err := a.svc.PartyStanding(ctx, c, role, id)
	switch {
	case err == nil:
		v.Standing = &st
	case !fault.Is(err, fault.NotFound):
		return err
	}
	if actor.Role(role) == actor.Seller {
		q, err := a.svc.GetSellerQuality(ctx, c, id)
		switch {
		case err == nil:
			v.Quality = &q
		case !fault.Is(err, fault.NotFound):
			return err
		}
	}
	if v.Standing == nil && v.Quality == nil {
		return fault.New(fault.NotFound, "没有该当事方的记录 / no record of this party")
	}
	a.render(w, r, http.StatusOK, "party", &v)
	return nil
}
