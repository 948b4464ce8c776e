package httpapi

import (
	"github.com/weiquan/weiquan/internal/actor"

	"net/http"
	"strconv"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// DisputeView is a case as the API shows it: its stage, its live deadline,
// what each side must do next, the evidence still missing and the SLA.
type DisputeView struct {
	dispute.State
	Deadline    *DisputeDeadline    `json:"deadline"`
	NextSteps   map[string][]string `json:"next_steps"`
	Missing     []dispute.Item      `json:"missing"`
	SLABreached bool                `json:"sla_breached"`
	// SLAProvisional: the review SLA's due date (sla_due_at) reaches a year
	// without a published holiday notice, so it was counted on the
	// provisional calendar (statutory holidays, no make-up working days)
	// and may move when the official schedule is imported.
	SLAProvisional bool     `json:"sla_due_provisional"`
	AllowedActions []string `json:"allowed_actions"`
	// AdvanceStatus is the TOP-style advance_status (先行垫付): 0 none, 2
	// paid, 4 closed (the buyer kept the goods), 5 settled (goods returned,
	// the fund repaid).
	AdvanceStatus int `json:"advance_status"`
	// Negotiation is the request's negotiation record (协商记录), for staff
	// only (negotiation.go).
	Negotiation []aftersale.Message `json:"negotiation,omitempty"`
}

// DisputeDeadline is a case's live automatic deadline.
type DisputeDeadline struct {
	Kind     string    `json:"kind"`
	DueAt    time.Time `json:"due_at"`
	OnExpiry string    `json:"on_expiry"`
	RuleID   string    `json:"rule_id,omitempty"`
	// Provisional: a working-day due date counted on the provisional
	// calendar (see DisputeView.SLAProvisional).
	Provisional bool `json:"provisional"`
}

// NewDisputeView builds the view at now; provisional reports whether a
// working-day due date computed from a start was counted on the
// provisional calendar (service.DeadlineProvisional).
func NewDisputeView(s dispute.State, now time.Time, provisional func(from, due time.Time) bool) DisputeView {
	v := DisputeView{State: s, NextSteps: map[string][]string{"buyer": {}, "seller": {}, "platform": {}}, Missing: dispute.Missing(s),
		AdvanceStatus: s.AdvanceStatus()}
	if v.Missing == nil {
		v.Missing = []dispute.Item{}
	}
	if k, d := s.Deadline(); d != nil {
		v.Deadline = &DisputeDeadline{Kind: k, DueAt: d.DueAt, OnExpiry: d.OnExpiry, RuleID: d.RuleID}
		// The working-day deadlines: the review SLA and a legal suspension's resume date.
		workingDays := s.SLADueAt != nil && d.DueAt.Equal(*s.SLADueAt) ||
			s.Suspension != nil && s.Suspension.ResumeAt != nil && d.DueAt.Equal(*s.Suspension.ResumeAt)
		v.Deadline.Provisional = workingDays && provisional(now, d.DueAt)
	}
	v.SLABreached = s.Status == dispute.Review && s.SLADueAt != nil && now.After(*s.SLADueAt)
	v.SLAProvisional = s.SLADueAt != nil && provisional(now, *s.SLADueAt)
	for _, a := range dispute.Allowed(s) {
		v.AllowedActions = append(v.AllowedActions, string(a))
	}
	if v.AllowedActions == nil {
		v.AllowedActions = []string{}
	}
	switch s.Status {
	case dispute.Evidence:
		for _, w := range s.Windows {
			if w.Closed {
				continue
			}
			for _, it := range v.Missing {
				if it.Party == w.Party {
					v.NextSteps[string(w.Party)] = append(v.NextSteps[string(w.Party)], "提交证据："+it.TitleZH+" / upload evidence: "+it.TitleEN)
				}
			}
			v.NextSteps[string(w.Party)] = append(v.NextSteps[string(w.Party)], "完成举证 / finish your evidence (done-evidence)")
		}
	case dispute.Review, dispute.Appealed:
		v.NextSteps["platform"] = []string{"审核并判定 / review and judge"}
		if s.AdvanceStatus() == dispute.AdvancePaid {
			v.NextSteps["platform"] = []string{"确认退货已签收或买家保留商品后结清垫付 / resolve the advance once the return is received or the buyer keeps the goods (resolve-advance)"}
			v.NextSteps["buyer"] = []string{"退回商品，或告知客服保留商品 / return the goods, or tell the agent you keep them"}
		}
	case dispute.Final:
		ext := []string{"平台处理已终结；如仍有异议，可向消费者协会、市场监督管理部门（12315）投诉或依法起诉 / the platform's decision is final: the consumer association, the market regulator (12315) or the courts remain"}
		v.NextSteps["buyer"], v.NextSteps["seller"] = ext, ext
	case dispute.Suspended:
		if sus := s.Suspension; sus != nil && sus.Ground == dispute.GroundLegal {
			p := string(sus.NotifiedBy)
			if sus.AcceptanceEvidence == "" {
				v.NextSteps[p] = []string{"在期限内向平台提供司法机关或公安机关的案件受理凭证，否则恢复处理（第八十三条） / give the platform the case acceptance voucher before the deadline, or the case resumes (art. 83)"}
				v.NextSteps["platform"] = []string{"收到受理凭证后记录（suspend 带 evidence_id）；逾期自动恢复 / record the acceptance voucher (suspend with evidence_id); the case resumes by itself when the deadline passes"}
			} else {
				v.NextSteps["platform"] = []string{"撤诉、判决生效或公安机关六个月未结论时恢复处理（第八十三条） / resume when the suit is withdrawn, the judgment takes effect or the police reach no conclusion in six months (art. 83)"}
			}
			break
		}
		v.NextSteps["buyer"] = []string{"自行协商；达成一致可撤销介入，协商不成可恢复处理 / negotiate: withdraw when you agree, resume when you do not"}
		v.NextSteps["seller"] = []string{"自行协商；协商不成可恢复处理 / negotiate: resume when you do not agree"}
		v.NextSteps["platform"] = []string{"中止期满自动恢复处理 / the case resumes by itself when the suspension ends"}
	case dispute.Judged:
		v.NextSteps["buyer"] = []string{"如有新证据可在申诉期内申诉 / appeal with new evidence within the window"}
		v.NextSteps["seller"] = v.NextSteps["buyer"]
	}
	return v
}

func (a *API) listDisputes(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	q, after, limit, err := listParams(r, dispute.Statuses)
	if err != nil {
		return 0, nil, err
	}
	if err := checkListOrder(q); err != nil {
		return 0, nil, err
	}
	f := store.DisputeFilter{Status: q.Get("status"), After: after, Limit: limit}
	staff := c.Role != actor.Buyer && c.Role != actor.Seller
	if q.Get("order") == "queue" && staff {
		// The queue is ordered by priority, so its cursor is an offset.
		f.Queue, f.After = true, ""
		if f.Offset, err = offsetCursor(after); err != nil {
			return 0, nil, err
		}
	}
	list, err := a.svc.ListDisputes(r.Context(), c, f)
	if err != nil {
		return 0, nil, err
	}
	now := a.svc.Now()
	views := mapViews(list, func(s dispute.State) DisputeView { return NewDisputeView(s, now, a.svc.DeadlineProvisional) })
	p := page(views, limit, func(v DisputeView) string { return v.ID })
	if f.Queue && p.NextCursor != "" {
		p.NextCursor = cursor(strconv.Itoa(f.Offset + len(views)))
	}
	return http.StatusOK, p, nil
}

// disputeView is a case's view now.
func (a *API) disputeView(s dispute.State) DisputeView {
	return NewDisputeView(s, a.svc.Now(), a.svc.DeadlineProvisional)
}

func (a *API) disputeEvents(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	return a.eventLog(r, c, a.svc.DisputeEvents)
}

// disputeBody holds every field a case action may carry; each action uses its own.
type disputeBody struct {
	EvidenceID      string    `json:"evidence_id"`
	Verdict         string    `json:"verdict"`
	Satisfies       []string  `json:"satisfies"`
	Assignee        string    `json:"assignee"`
	WorkingDays     int       `json:"working_days"`
	Reason          string    `json:"reason"`
	Outcome         string    `json:"outcome"`
	Amount          money.Fen `json:"amount"`
	Fault           string    `json:"fault"`
	RuleIDs         []string  `json:"rule_ids"`
	EvidenceIDs     []string  `json:"evidence_ids"`
	ProceduralError string    `json:"procedural_error"`
	Uphold          bool      `json:"uphold"`
	Compensation    money.Fen `json:"compensation"`
	Ground          string    `json:"ground"`
	Party           string    `json:"party"`
	Forum           string    `json:"forum"`
}

// disputeActions are the case actions POST /v1/disputes/{id}/{action} takes.
var disputeActions = []dispute.Action{dispute.AddEvidence, dispute.DoneEvidence, dispute.Claim, dispute.Release, dispute.Reassign, dispute.Extend,
	dispute.Judge, dispute.AppealCase, dispute.DecideAppeal, dispute.Withdraw,
	dispute.Advance, dispute.ResolveAdvance, dispute.Suspend, dispute.Resume, dispute.AssessEvidence}

func (a *API) actDispute(r *http.Request, c service.Caller, body []byte) (int, any, error) {
	act, b, err := actionBody[disputeBody](r, body, disputeActions)
	if err != nil {
		return 0, nil, err
	}
	cmd := service.DisputeCommand{ExtendWorkingDays: b.WorkingDays, Command: dispute.Command{Action: act, EvidenceID: b.EvidenceID, Verdict: b.Verdict,
		Satisfies: b.Satisfies, AssignTo: b.Assignee, Reason: b.Reason, Outcome: dispute.Outcome(b.Outcome), Amount: b.Amount,
		Fault: dispute.Fault(b.Fault), RuleIDs: b.RuleIDs, EvidenceIDs: b.EvidenceIDs, Procedural: b.ProceduralError, Uphold: b.Uphold,
		Compensation: b.Compensation, Ground: b.Ground, Party: dispute.Party(b.Party), Forum: b.Forum}}
	if act == dispute.ResolveAdvance {
		cmd.Outcome, cmd.AdvanceOutcome = "", b.Outcome
	}
	s, err := a.svc.ActDispute(r.Context(), c, r.PathValue("id"), cmd)
	return http.StatusOK, NewDisputeView(s, a.svc.NowAt(r.Context()), a.svc.DeadlineProvisional), err
}

// interventionRoutes registers the intervention feature's routes beyond
// the case table of api.go.
func (a *API) interventionRoutes(mux *http.ServeMux) {
	a.route(mux, "POST /v1/disputes", withBody(a.createDispute), idemInTx, created)
	a.route(mux, "POST /v1/ledger/accounts/{id}/top-up", a.topUp, idemInTx)
}

func (a *API) createDispute(r *http.Request, c service.Caller, b openBody) (int, any, error) {
	if err := b.check(); err != nil {
		return 0, nil, err
	}
	s, err := a.svc.OpenDirectDispute(r.Context(), c, service.DirectDispute{OrderID: b.OrderID, Type: b.Type, Reason: aftersale.Reason(b.Reason),
		Amount: b.Amount, Description: b.Description})
	return http.StatusCreated, NewDisputeView(s, a.svc.NowAt(r.Context()), a.svc.DeadlineProvisional), err
}
