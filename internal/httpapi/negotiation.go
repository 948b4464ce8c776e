package httpapi

import (
	"net/http"

	"github.com/weiquan/weiquan/internal/service"
)

// negotiationRoutes are the negotiation record (协商记录) of a request:
// the parties' messages before (and during) intervention.
func (a *API) negotiationRoutes(mux *http.ServeMux) {
	a.route(mux, "POST /v1/aftersales/{id}/messages", withBody(a.postNegotiation), idemInTx, created)
	a.route(mux, "GET /v1/aftersales/{id}/messages", a.listNegotiation)
}

// messageBody is POST /v1/aftersales/{id}/messages.
type messageBody struct {
	Text        string   `json:"text"`
	Attachments []string `json:"attachments"`
}

func (a *API) postNegotiation(r *http.Request, c service.Caller, b messageBody) (int, any, error) {
	m, err := a.svc.PostMessage(r.Context(), c, r.PathValue("id"), b.Text, b.Attachments)
	return http.StatusCreated, m, err
}

func (a *API) listNegotiation(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	ms, err := a.svc.Messages(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"items": ms}, nil
}

// getDispute is GET /v1/disputes/{id}: the case, and for staff the
// negotiation record of its request.
func (a *API) getDispute(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	d, err := a.svc.GetDispute(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	v := NewDisputeView(d, a.svc.NowAt(r.Context()), a.svc.DeadlineProvisional)
	if v.Negotiation, err = a.svc.CaseNegotiation(r.Context(), c, d.AftersaleID); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}
