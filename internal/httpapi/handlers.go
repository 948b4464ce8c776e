package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// AftersaleView is an after-sales request as the API shows it: the state,
// the actions each party may take now, and TOP-compatible fields.
type AftersaleView struct {
	aftersale.State
	AllowedActions map[string][]string `json:"allowed_actions"`
	CSStatus       int                 `json:"cs_status"`
	DisputeType    string              `json:"dispute_type"`
	AdvanceStatus  int                 `json:"advance_status"`
	// DisputeStatus is the status of the request's intervention case
	// (dispute_id), when it has one.
	DisputeStatus string `json:"dispute_status,omitempty"`
}

// NewAftersaleView builds the view of a request without its case (see
// NewAftersaleViewWith).
func NewAftersaleView(s aftersale.State) AftersaleView { return NewAftersaleViewWith(s, nil) }

// NewAftersaleViewWith builds the view of a request and its intervention
// case c (nil: none): the TOP cs_status and advance_status follow the case
// through its lifecycle (dispute.TOP), and the view names the case.
func NewAftersaleViewWith(s aftersale.State, c *dispute.State) AftersaleView {
	cs, adv := dispute.TOP(s, c)
	v := AftersaleView{State: s, CSStatus: cs, DisputeType: s.DisputeType(), AdvanceStatus: adv,
		AllowedActions: map[string][]string{
			"buyer":  actor.Strings(aftersale.Allowed(s, aftersale.Buyer)),
			"seller": actor.Strings(aftersale.Allowed(s, aftersale.Seller)),
		}}
	if c != nil {
		v.DisputeStatus = string(c.Status)
	}
	return v
}

// aftersaleView is the view of a request with its case, read from the store.
func (a *API) aftersaleView(s aftersale.State) AftersaleView {
	return NewAftersaleViewWith(s, a.svc.CaseOfRequest(context.Background(), s))
}

// view turns service results into their API representation.
func (a *API) view(v any) any {
	switch x := v.(type) {
	case aftersale.State:
		return a.aftersaleView(x)
	case []aftersale.State:
		return mapViews(x, a.aftersaleView)
	case dispute.State:
		return NewDisputeView(x, a.svc.Now(), a.svc.DeadlineProvisional)
	case store.Evidence:
		return newEvidenceView(x)
	}
	return v
}

func (a *API) getPolicy(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	return http.StatusOK, a.svc.Policy(), nil
}

func (a *API) putOrder(r *http.Request, c service.Caller, body []byte) (int, any, error) {
	// test_clock (sandbox) was read by onClock; the rest is the facts.
	body, err := withoutTestClock(body)
	if err != nil {
		return 0, nil, err
	}
	var f order.Facts
	if err := decode(body, &f); err != nil {
		return 0, nil, err
	}
	o, err := a.svc.PutOrder(r.Context(), c, r.PathValue("id"), f)
	return http.StatusOK, o, err
}

func (a *API) listOrders(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	after, limit, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	os, err := a.svc.ListOrders(r.Context(), c, store.ListFilter{BuyerID: q.Get("buyer_id"), SellerID: q.Get("seller_id"), After: after, Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page(os, limit, func(o order.Order) string { return o.ID }), nil
}

func (a *API) postOrderEvent(r *http.Request, c service.Caller, f order.Fact) (int, any, error) {
	o, err := a.svc.RecordOrderFact(r.Context(), c, r.PathValue("id"), f)
	return http.StatusOK, o, err
}

// EventView is one entry of an event log.
type EventView struct {
	Seq           int64           `json:"seq"`
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	Actor         json.RawMessage `json:"actor"`
	At            time.Time       `json:"at"`
	Reason        string          `json:"reason"`
	RuleIDs       []string        `json:"rule_ids"`
	PolicyVersion string          `json:"policy_version"`
	Data          json.RawMessage `json:"data"`
}

func eventPage(recs []store.EventRecord, limit int) Page[EventView] {
	out := make([]EventView, len(recs))
	for i, e := range recs {
		out[i] = EventView{Seq: e.Seq, ID: e.ID, Type: e.Type, Actor: e.Actor, At: e.At, Reason: e.Reason, RuleIDs: e.RuleIDs, PolicyVersion: e.PolicyVersion, Data: e.Data}
		if out[i].RuleIDs == nil {
			out[i].RuleIDs = []string{}
		}
	}
	return page(out, limit, func(e EventView) string { return strconv.FormatInt(e.Seq, 10) })
}

func eventParams(r *http.Request) (int64, int, error) {
	after, limit, err := pageParams(r)
	if err != nil {
		return 0, 0, err
	}
	var seq int64
	if after != "" {
		if seq, err = strconv.ParseInt(after, 10, 64); err != nil {
			return 0, 0, errBadCursor()
		}
	}
	if r.URL.Query().Get("limit") == "" {
		limit = 200
	}
	return seq, limit, nil
}

func (a *API) orderEvents(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	// An order the caller may not see is refused before its parameters.
	if _, err := a.svc.GetOrder(r.Context(), c, r.PathValue("id")); err != nil {
		return 0, nil, err
	}
	return a.eventLog(r, c, a.svc.OrderEvents)
}

func (a *API) aftersaleEvents(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	return a.eventLog(r, c, a.svc.AftersaleEvents)
}

// eventLog is an aggregate's event log (GET …/{id}/events): the events
// after ?after_seq, at most ?limit.
func (a *API) eventLog(r *http.Request, c service.Caller,
	list func(ctx context.Context, c service.Caller, id string, afterSeq int64, limit int) ([]store.EventRecord, error)) (int, any, error) {
	seq, limit, err := eventParams(r)
	if err != nil {
		return 0, nil, err
	}
	recs, err := list(r.Context(), c, r.PathValue("id"), seq, limit)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, eventPage(recs, limit), nil
}

// openBody is POST /v1/aftersales, and POST /v1/disputes opening a case
// directly (dispute.DirectReasons): the request and its order.
type openBody struct {
	OrderID     string         `json:"order_id"`
	Items       []string       `json:"items"`
	Type        aftersale.Type `json:"type"`
	Reason      string         `json:"reason"`
	Amount      money.Fen      `json:"amount"`
	Description string         `json:"description"`
}

// check refuses a body that names no order.
func (b openBody) check() error {
	if b.OrderID == "" {
		return fault.Field("order_id", "须指定订单 / order_id is required")
	}
	return nil
}

func (a *API) createAftersale(r *http.Request, c service.Caller, b openBody) (int, any, error) {
	if err := b.check(); err != nil {
		return 0, nil, err
	}
	s, err := a.svc.CreateAftersale(r.Context(), c, b.OrderID, aftersale.Command{Type: b.Type, Reason: aftersale.Reason(b.Reason), Amount: b.Amount, Description: b.Description, Items: b.Items})
	return http.StatusCreated, a.aftersaleView(s), err
}

func (a *API) listAftersales(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	q, after, limit, err := listParams(r, aftersale.Statuses)
	if err != nil {
		return 0, nil, err
	}
	ss, err := a.svc.ListAftersales(r.Context(), c, store.ListFilter{BuyerID: q.Get("buyer_id"), SellerID: q.Get("seller_id"),
		OrderID: q.Get("order_id"), Status: q.Get("status"), After: after, Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	views := a.view(ss).([]AftersaleView)
	return http.StatusOK, page(views, limit, func(v AftersaleView) string { return v.ID }), nil
}

// Action bodies: each action accepts only its own fields.
type (
	noteBody struct {
		Note string `json:"note"`
	}
	refuseBody struct {
		Reason   string   `json:"reason"`
		Evidence []string `json:"evidence"`
	}
	// agreeBody: the seller's agreement, with its reason code and, on a
	// return, the return address (negotiation.go).
	agreeBody struct {
		Note          string                   `json:"note"`
		ReasonCode    string                   `json:"reason_code"`
		ReturnAddress *aftersale.ReturnAddress `json:"return_address"`
	}
	refuseCodeBody struct {
		Reason     string   `json:"reason"`
		ReasonCode string   `json:"reason_code"`
		Evidence   []string `json:"evidence"`
	}
	offerBody struct {
		Amount   money.Fen `json:"amount"`
		Reason   string    `json:"reason"`
		Evidence []string  `json:"evidence"`
	}
	modifyBody struct {
		Type        aftersale.Type `json:"type"`
		Reason      string         `json:"reason"`
		Amount      money.Fen      `json:"amount"`
		Description string         `json:"description"`
		Note        string         `json:"note"`
	}
	shipBody struct {
		Carrier    string    `json:"carrier"`
		TrackingNo string    `json:"tracking_no"`
		Postage    money.Fen `json:"postage"`
	}
	reasonBody struct {
		Reason string `json:"reason"`
	}
)

func (a *API) actAftersale(r *http.Request, c service.Caller, body []byte) (int, any, error) {
	act := aftersale.Action(r.PathValue("action"))
	cmd := aftersale.Command{Action: act}
	var err error
	switch act {
	case aftersale.Agree:
		err = decodeTo(body, func(b agreeBody) { cmd.Note, cmd.ReasonCode, cmd.ReturnAddress = b.Note, b.ReasonCode, b.ReturnAddress })
	case aftersale.Refuse:
		err = decodeTo(body, func(b refuseCodeBody) { cmd.Note, cmd.ReasonCode, cmd.Evidence = b.Reason, b.ReasonCode, b.Evidence })
	case aftersale.AcceptOffer, aftersale.ConfirmReturn:
		err = decodeTo(body, func(b noteBody) { cmd.Note = b.Note })
	case aftersale.RefuseReceipt:
		err = decodeTo(body, func(b refuseBody) { cmd.Note, cmd.Evidence = b.Reason, b.Evidence })
	case aftersale.CounterOffer:
		err = decodeTo(body, func(b offerBody) { cmd.Amount, cmd.Note, cmd.Evidence = b.Amount, b.Reason, b.Evidence })
	case aftersale.Modify:
		err = decodeTo(body, func(b modifyBody) {
			cmd.Type, cmd.Reason, cmd.Amount, cmd.Description, cmd.Note = b.Type, aftersale.Reason(b.Reason), b.Amount, b.Description, b.Note
		})
	case aftersale.ShipReturn:
		err = decodeTo(body, func(b shipBody) { cmd.Carrier, cmd.TrackingNo, cmd.Postage = b.Carrier, b.TrackingNo, b.Postage })
	case aftersale.Cancel, aftersale.Escalate:
		err = decodeTo(body, func(b reasonBody) { cmd.Note = b.Reason })
	default:
		return 0, nil, unknownAction(act)
	}
	if err != nil {
		return 0, nil, err
	}
	if cmd.ExpectVersion, err = ifMatch(r); err != nil {
		return 0, nil, err
	}
	s, err := a.svc.Act(r.Context(), c, r.PathValue("id"), cmd)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a.aftersaleView(s), nil
}

// ifMatch reads an optional If-Match header holding the version the client
// saw ("3", 3 or W/"3"); 0 when absent.
func ifMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, nil
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	v, err := strconv.ParseInt(h, 10, 64)
	if err != nil || v < 1 {
		return 0, fault.Field("If-Match", "须为对象的 version（如 \"3\"） / want the object's version, e.g. \"3\"")
	}
	return v, nil
}

// unknownAction refuses an {action} path segment that names no action (404).
func unknownAction[A ~string](act A) error {
	return fault.New(fault.NotFound, "未知操作 %q / unknown action %q", act, act)
}
