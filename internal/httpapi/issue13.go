package httpapi

import (
	"net/http"

	"github.com/weiquan/weiquan/internal/service"
)

// issue13Routes are the buyer's and agents' actions added with issue 13:
// 延长收货 and the direct recording of a violation.
func (a *API) issue13Routes(mux *http.ServeMux) {
	a.route(mux, "POST /v1/orders/{id}/extend-receipt", a.extendReceipt, idemInTx)
}

// extendReceipt is the buyer's 延长收货 (once per order, order.extend_receipt).
func (a *API) extendReceipt(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	o, err := a.svc.ExtendReceipt(r.Context(), c, r.PathValue("id"))
	return http.StatusOK, o, err
}
