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
	a.route(mux, "POST /v1/violations/{id}/{action}", a.actViolation, idemInTx)
}

// recordViolation is an agent recording a violation directly (class B
// included): the rule book's class and points, evidence and a reason.
func (a *API) recordViolation(r *http.Request, c service.Caller, in penalty.DirectInput) (int, any, error) {
	v, err := a.svc.RecordViolation(r.Context(), c, in)
	return http.StatusCreated, v, err
}

// actViolation: the party's appeal, the senior tier's decision on it.
func (a *API) actViolation(r *http.Request, c service.Caller, body []byte) (int, any, error) {
	act, b, err := actionBody[sanctionActionBody](r, body, penalty.ViolationActions)
	if err != nil {
		return 0, nil, err
	}
	v, err := a.svc.ActViolation(r.Context(), c, r.PathValue("id"), service.ViolationCommand{Action: act, Reason: b.Reason,
		EvidenceIDs: b.EvidenceIDs, Procedural: b.ProceduralError, Revoke: b.Revoke, RuleIDs: b.RuleIDs})
	return http.StatusOK, v, err
}
