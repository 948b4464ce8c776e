package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"net/http"
	"strings"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
)

// requestNewPage is the form that opens an after-sales request on an order.
type requestNewPage struct {
	Base
	Order   order.Order
	Types   []aftersale.Type
	Reasons []aftersale.Reason
}

func (a *App) requestForm(w http.ResponseWriter, r *http.Request, s *session) error {
	o, err := a.svc.GetOrder(r.Context(), s.Caller(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := requestNewPage{Base: a.base(r, s, "title.request_new"), Order: o, Types: aftersale.Types, Reasons: aftersale.Reasons}
	a.render(w, r, http.StatusOK, "request_new", &v)
	return nil
}

func (a *App) requestCreate(w http.ResponseWriter, r *http.Request, s *session) error {
	if s.role() != actor.Buyer {
		return forbiddenErr()
	}
	amount, err := parseYuan(r.FormValue("amount"), "amount")
	if err != nil {
		return err
	}
	st, err := a.svc.CreateAftersale(r.Context(), s.Caller(), r.PathValue("id"), aftersale.Command{
		Type: aftersale.Type(r.FormValue("type")), Reason: aftersale.Reason(r.FormValue("reason")),
		Description: strings.TrimSpace(r.FormValue("description")), Amount: amount})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/requests/"+st.ID, http.StatusSeeOther)
	return nil
}

// parseYuan reads an amount typed in yuan ("12.5", "¥12.50") as fen.
func parseYuan(v, field string) (money.Fen, error) {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "¥"))
	if v == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 || whole == "" && frac == "" {
		return 0, badAmount(field)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	var n int64
	for _, ch := range whole + frac {
		if ch < '0' || ch > '9' || n > 1e15 {
			return 0, badAmount(field)
		}
		n = n*10 + int64(ch-'0')
	}
	return money.Fen(n), nil
}
