package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// complaintRoutes registers complaints (SPEC §7), standing and sanctions
// (SPEC §8) and rule book administration.
func (a *API) complaintRoutes(mux *http.ServeMux) {
	a.route(mux, "POST /v1/complaints", withBody(a.createComplaint), idemInTx, created)
	a.route(mux, "GET /v1/complaints", a.listComplaints)
	a.route(mux, "GET /v1/complaints/types", a.complaintTypes)
	a.route(mux, "GET /v1/complaints/{id}", byID(a.svc.GetComplaint))
	a.route(mux, "GET /v1/complaints/{id}/events", a.complaintEvents)
	a.route(mux, "POST /v1/complaints/{id}/{action}", a.actComplaint, idemInTx)
	a.route(mux, "GET /v1/sellers/{id}/standing", a.standing(actor.Seller))
	a.route(mux, "GET /v1/buyers/{id}/standing", a.standing(actor.Buyer))
	a.route(mux, "GET /v1/sanctions/{id}", byID(a.svc.GetSanction))
	a.route(mux, "POST /v1/sanctions/{id}/{action}", appealAct(penalty.Actions, a.svc.ActSanction), idemInTx)
	a.route(mux, "PUT /v1/policy", a.putPolicy)
}

// complaintBody is POST /v1/complaints.
type complaintBody struct {
	Type        string          `json:"type"`
	OrderID     string          `json:"order_id"`
	OccurredAt  time.Time       `json:"occurred_at"`
	Description string          `json:"description"`
	Loss        money.Fen       `json:"loss"`
	Claim       complaint.Claim `json:"claim"`
	ReviewID    string          `json:"review_id"`
	EvidenceIDs []string        `json:"evidence_ids"`
}

func (a *API) createComplaint(r *http.Request, c service.Caller, b complaintBody) (int, any, error) {
	v, err := a.svc.FileComplaint(r.Context(), c, service.NewComplaint{Type: b.Type, OrderID: b.OrderID, OccurredAt: b.OccurredAt,
		Description: b.Description, Loss: b.Loss, Claim: b.Claim, ReviewID: b.ReviewID, EvidenceIDs: b.EvidenceIDs})
	return http.StatusCreated, v, err
}

func (a *API) listComplaints(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	q, after, limit, err := listParams(r, complaint.Statuses)
	if err != nil {
		return 0, nil, err
	}
	if t := q.Get("type"); t != "" {
		if _, ok := a.svc.Policy().ComplaintType(t); !ok {
			return 0, nil, fault.Field("type", "未知投诉类型 %q / unknown complaint type %q", t, t)
		}
	}
	if err := checkListOrder(q); err != nil {
		return 0, nil, err
	}
	f := store.ComplaintFilter{Status: q.Get("status"), Type: q.Get("type"), After: after, Limit: limit}
	if q.Get("order") == "queue" {
		f.Queue, f.After = true, ""
		if f.Offset, err = offsetCursor(after); err != nil {
			return 0, nil, err
		}
	}
	list, err := a.svc.ListComplaints(r.Context(), c, f)
	if err != nil {
		return 0, nil, err
	}
	p := page(list, limit, func(v service.ComplaintView) string { return v.ID })
	if f.Queue && c.Role != actor.Buyer && c.Role != actor.Seller && p.NextCursor != "" {
		p.NextCursor = cursor(strconv.Itoa(f.Offset + len(list)))
	}
	return http.StatusOK, p, nil
}

// ComplaintTypeView is one complaint type of the rule book.
type ComplaintTypeView struct {
	Key string `json:"key"`
	policy.ComplaintType
	Respondent    string                `json:"respondent"`
	RespondWithin string                `json:"respond_within"`
	ViolationRule *policy.ViolationType `json:"violation_rule,omitempty"`
	SevereRule    *policy.ViolationType `json:"severe_violation_rule,omitempty"`
	PolicyVersion string                `json:"policy_version"`
	Compensation  *CompensationRuleView `json:"compensation_rule,omitempty"`
}

// CompensationRuleView is the late-shipment compensation rule.
type CompensationRuleView struct {
	RateBP  int64     `json:"rate_bp"`
	Min     money.Fen `json:"min"`
	Max     money.Fen `json:"max"`
	RuleIDs []string  `json:"rule_ids"`
}

func (a *API) complaintTypes(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	b := a.svc.Policy()
	q := r.URL.Query().Get("filer")
	if q != "" && q != "buyer" && q != "seller" {
		return 0, nil, fault.Field("filer", "须为 buyer 或 seller / filer must be buyer or seller")
	}
	out := []ComplaintTypeView{}
	for _, k := range b.ComplaintTypeKeys() {
		t, _ := b.ComplaintType(k)
		if q != "" && t.Filer != q {
			continue
		}
		v := ComplaintTypeView{Key: k, ComplaintType: t, Respondent: string(complaint.Respondent(complaint.Party(t.Filer))), RespondWithin: t.Respond, PolicyVersion: b.Version}
		if vt, ok := b.Violation(t.Violation); ok {
			v.ViolationRule = &vt
		}
		if vt, ok := b.Violation(t.SevereViolation); ok {
			v.SevereRule = &vt
		}
		if t.Detect == "late_shipment" {
			rate, rid := b.Int("complaint.late_shipment_rate")
			lo, lid := b.Int("complaint.late_shipment_min")
			hi, hid := b.Int("complaint.late_shipment_max")
			v.Compensation = &CompensationRuleView{RateBP: rate, Min: money.Fen(lo), Max: money.Fen(hi), RuleIDs: []string{b.ID("order.ship_by"), rid, lid, hid}}
		}
		out = append(out, v)
	}
	return http.StatusOK, map[string]any{"items": out, "policy_version": b.Version}, nil
}

func (a *API) complaintEvents(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	return a.eventLog(r, c, a.svc.ComplaintEvents)
}

// complaintActionBody holds every field a complaint action may carry.
type complaintActionBody struct {
	Statement    string           `json:"statement"`
	EvidenceIDs  []string         `json:"evidence_ids"`
	Terms        string           `json:"terms"`
	Amount       money.Fen        `json:"amount"`
	Reason       string           `json:"reason"`
	Verdict      string           `json:"verdict"`
	RuleIDs      []string         `json:"rule_ids"`
	Severe       bool             `json:"severe"`
	Compensation money.Fen        `json:"compensation"`
	Claim        *complaint.Claim `json:"claim"`
}

func (a *API) actComplaint(r *http.Request, c service.Caller, body []byte) (int, any, error) {
	act, b, err := actionBody[complaintActionBody](r, body, complaint.Actions)
	if err != nil {
		return 0, nil, err
	}
	cmd := service.ComplaintCommand{Command: complaint.Command{Action: act, Statement: b.Statement, EvidenceIDs: b.EvidenceIDs, Terms: b.Terms,
		Amount: b.Amount, Reason: b.Reason, Verdict: complaint.Verdict(b.Verdict), RuleIDs: b.RuleIDs, Severe: b.Severe,
		Compensation: b.Compensation, NewClaim: b.Claim}}
	v, err := a.svc.ActComplaint(r.Context(), c, r.PathValue("id"), cmd)
	return http.StatusOK, v, err
}

func (a *API) standing(role actor.Role) handler {
	return func(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
		st, err := a.svc.PartyStanding(r.Context(), c, string(role), r.PathValue("id"))
		return http.StatusOK, st, err
	}
}

// appealAct is the handler of POST …/{id}/{action} on a sanction or a
// violation: a party's appeal or the senior tier's decision on it, one of
// actions, with the same body for both.
func appealAct[V any](actions []penalty.Action, act func(context.Context, service.Caller, string, service.SanctionCommand) (V, error)) handler {
	return func(r *http.Request, c service.Caller, body []byte) (int, any, error) {
		name, b, err := actionBody[sanctionActionBody](r, body, actions)
		if err != nil {
			return 0, nil, err
		}
		v, err := act(r.Context(), c, r.PathValue("id"), service.SanctionCommand{Action: name, Reason: b.Reason,
			EvidenceIDs: b.EvidenceIDs, Procedural: b.ProceduralError, Revoke: b.Revoke, RuleIDs: b.RuleIDs})
		return http.StatusOK, v, err
	}
}

// sanctionActionBody holds the fields of a sanction appeal and its decision.
type sanctionActionBody struct {
	Reason          string   `json:"reason"`
	EvidenceIDs     []string `json:"evidence_ids"`
	ProceduralError string   `json:"procedural_error"`
	Revoke          bool     `json:"revoke"`
	RuleIDs         []string `json:"rule_ids"`
}

func (a *API) putPolicy(r *http.Request, c service.Caller, body []byte) (int, any, error) {
	ch, err := a.svc.SetPolicy(r.Context(), c, body)
	return http.StatusOK, ch, err
}
