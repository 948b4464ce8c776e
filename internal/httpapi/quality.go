package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/weiquan/weiquan/internal/service"
)

// qualityRoutes registers seller service quality (SPEC §9, §11
// sellers/{id}/quality): a seller's factors and category percentile, the
// staff's category rankings, and the service facts the integration pushes.
func (a *API) qualityRoutes(mux *http.ServeMux) {
	a.route(mux, "GET /v1/sellers/{id}/quality", byID(a.svc.GetSellerQuality))
	a.route(mux, "POST /v1/sellers/{id}/service-facts", withBody(a.postServiceFact), idemInTx)
	a.route(mux, "GET /v1/quality/rankings", a.qualityRankings)
}

func (a *API) qualityRankings(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	after, limit, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	offset, err := offsetCursor(after)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.svc.QualityRankings(r.Context(), c, r.URL.Query().Get("category"), offset, limit)
	if err != nil {
		return 0, nil, err
	}
	p := Page[service.SellerQuality]{Items: list}
	if len(list) == limit {
		p.NextCursor = cursor(strconv.Itoa(offset + len(list)))
	}
	return http.StatusOK, p, nil
}

// serviceFactBody is POST /v1/sellers/{id}/service-facts.
type serviceFactBody struct {
	Kind       string     `json:"kind"`
	Ref        string     `json:"ref"`
	OrderID    string     `json:"order_id"`
	BuyerID    string     `json:"buyer_id"`
	AskedAt    time.Time  `json:"asked_at"`
	AnsweredAt *time.Time `json:"answered_at"`
}

func (a *API) postServiceFact(r *http.Request, c service.Caller, b serviceFactBody) (int, any, error) {
	v, err := a.svc.RecordServiceFact(r.Context(), c, r.PathValue("id"), service.NewServiceFact{Kind: b.Kind, Ref: b.Ref,
		OrderID: b.OrderID, BuyerID: b.BuyerID, AskedAt: b.AskedAt, AnsweredAt: b.AnsweredAt})
	return http.StatusOK, v, err
}
