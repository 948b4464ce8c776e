package httpapi

import (
	"net/http"

	"github.com/weiquan/weiquan/internal/service"
)

// protectionRoutes registers the protection services' own routes: a
// shop's counterfeit pledge (假一赔十). 运费险 rides on the order
// (shipping_insurance) and the return (postage); 保证金 freezes show in the
// ledger and the seller's standing.
func (a *API) protectionRoutes(mux *http.ServeMux) {
	a.route(mux, "GET /v1/sellers/{id}/pledge", byID(a.svc.GetPledge))
	a.route(mux, "PUT /v1/sellers/{id}/pledge", a.putPledge, idemInTx)
}

// pledgeBody is PUT /v1/sellers/{id}/pledge.
type pledgeBody struct {
	Active   *bool  `json:"active"`
	Multiple int64  `json:"multiple"`
	Reason   string `json:"reason"`
}

func (a *API) putPledge(r *http.Request, c service.Caller, body []byte) (int, any, error) {
	var b pledgeBody
	if err := decode(body, &b); err != nil {
		return 0, nil, err
	}
	active := b.Active == nil || *b.Active
	p, err := a.svc.SetPledge(r.Context(), c, r.PathValue("id"), active, b.Multiple, b.Reason)
	return http.StatusOK, p, err
}
