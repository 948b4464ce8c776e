package web

import (
	"net/http"
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
	field := r.FormValue("field")
	value, err := a.svc.RevealContact(ctx, s.Caller(), s.User.ID, r.PathValue("id"), r.FormValue("party"), field, r.FormValue("purpose"))
	if err != nil {
		return err
	}
	v := revealVM{Field: field, Value: value, base: a.base(r, s, "")}
	a.renderPartial(w, "reveal", v)
	return nil
}
