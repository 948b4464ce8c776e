package httpapi

import (
	"net/http"

	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/service"
)

// issue13Routes are the buyer's and agents' actions added with issue 13:
// 延长收货 and the direct recording of a violation.
func (a *API) issue13Routes(mux *http.ServeMux) {
	a.route(mux, "POST /v1/orders/{id}/extend-receipt", byID(a.svc.ExtendReceipt), idemInTx)
	a.route(mux, "POST /v1/violations", withBody(a.recordViolation), idemInTx, created)
	a.route(mux, "GET /v1/violations/{id}", byID(a.svc.GetViolation))
	a.route(mux, "POST /v1/violations/{id}/{action}", appealAct(penalty.ViolationActions, a.svc.ActViolation), idemInTx)
}

// recordViolation is an agent recording a violation directly (class B
// included): the rule book's class and points, evidence and a reason.
func (a *API) recordViolation(r *http.Request, c service.Caller, in penalty.DirectInput) (int, any, error) {
	v, err := a.svc.RecordViolation(r.Context(), c, in)
	return http.StatusCreated, v, err
}
