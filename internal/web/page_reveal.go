package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// revealVM is a revealed personal datum (htmx swap into the party card).
type revealVM struct {
	Field string
	Value string
	base  Base
}

// T translates for the partial.
func (v revealVM) T(key string, args ...any) (string, error) { return v.base.T(key, args...) }

// reveal shows a party's phone number or address to staff working the
// case, and logs who saw what, when (PIPL: access to personal information
// is recorded).
func (a *App) reveal(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx := r.Context()
	d, err := a.svc.GetDispute(ctx, s.Caller(), r.PathValue("id"))
	if err != nil {
		return err
	}
	side, field := r.FormValue("party"), r.FormValue("field")
	pid := d.BuyerID
	switch actor.Role(side) {
	case service.RoleBuyer:
	case service.RoleSeller:
		pid = d.SellerID
	default:
		return fault.Field("party", "须为 buyer 或 seller / party is buyer or seller")
	}
	if field != "phone" && field != "address" {
		return fault.Field("field", "须为 phone 或 address / field is phone or address")
	}
	u, err := a.svc.Store().WebUserByParty(ctx, side, pid)
	if err != nil {
		return err
	}
	if err := a.svc.Store().InsertPIIReveal(ctx, store.PIIReveal{ID: uuid.Must(uuid.NewV7()).String(), ViewerID: s.User.ID, ViewerRole: s.User.Role,
		SubjectID: u.ID, Field: field, CaseID: d.ID, At: a.svc.Now()}); err != nil {
		return err
	}
	a.log.Info("web: personal data revealed", "viewer", s.User.Login, "subject", u.Login, "field", field, "case", d.ID)
	v := revealVM{Field: field, Value: u.Phone, base: a.base(r, s, "")}
	if field == "address" {
		v.Value = u.Address
	}
	a.renderPartial(w, "reveal", v)
	return nil
}
