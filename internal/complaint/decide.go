package complaint

import (
	"fmt"
	"github.com/weiquan/weiquan/internal/actor"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/policy"
)

// Action names a command.
type Action string

// Actions.
const (
	File             Action = "file"
	Respond          Action = "respond"
	Settle           Action = "settle"
	AcceptSettlement Action = "accept-settlement"
	Withdraw         Action = "withdraw"
	DecideIt         Action = "decide"
	SecondComplaint  Action = "second-complaint"
	ExpireResponse   Action = "expire-response"
)

// Actions lists the actions the API exposes on an existing complaint.
var Actions = []Action{Respond, Settle, AcceptSettlement, Withdraw, DecideIt, SecondComplaint}

// Role of whoever acts.
type Role = actor.Role

// Roles.
const (
	RoleBuyer  = actor.Buyer
	RoleSeller = actor.Seller
	RoleAgent  = actor.Agent
	RoleSenior = actor.Senior
	RoleAdmin  = actor.Admin
	RoleSystem = actor.System
)

// Actor is who acts.
type Actor = actor.Actor

// Command is an action with its input.
type Command struct {
	Action Action
	Actor  Actor
	// file
	Type        string
	OrderID     string
	BuyerID     string
	SellerID    string
	OrderPaid   bool
	OccurredAt  time.Time
	Description string
	Loss        money.Fen
	Claim       Claim
	ReviewID    string
	EvidenceIDs []string
	Findings    []Finding
	Flag        *Flag
	// respond / settle
	Statement string
	Terms     string
	Amount    money.Fen
	// decide
	Verdict         Verdict
	Reason          string
	RuleIDs         []string
	Severe          bool
	Compensation    money.Fen
	PriorViolations int // the respondent's recorded violations (warnings included) before this one
	// second-complaint
	NewClaim *Claim
}

// Event types.
const (
	EvFiled             = "filed"
	EvResponded         = "responded"
	EvSettlementOffered = "settlement_offered"
	EvSettled           = "settled"
	EvWithdrawn         = "withdrawn"
	EvResponseExpired   = "response_expired"
	EvDecided           = "decided"
	EvSecondFiled       = "second_complaint_filed"
	EvFinalDecided      = "final_decided"
)

// EventTypes lists the event types.
var EventTypes = []string{EvFiled, EvResponded, EvSettlementOffered, EvSettled, EvWithdrawn, EvResponseExpired, EvDecided, EvSecondFiled, EvFinalDecided}

// Event is one fact in a complaint's history.
type Event struct {
	Seq           int64     `json:"seq"`
	Type          string    `json:"type"`
	Actor         Actor     `json:"actor"`
	At            time.Time `json:"at"`
	Reason        string    `json:"reason,omitempty"`
	RuleIDs       []string  `json:"rule_ids"`
	PolicyVersion string    `json:"policy_version"`
	Data          Data      `json:"data"`
}

// Data is an event's payload.
type Data struct {
	Filed      *State      `json:"filed,omitempty"`
	Response   *Response   `json:"response,omitempty"`
	Settlement *Settlement `json:"settlement,omitempty"`
	Decision   *Decision   `json:"decision,omitempty"`
	Second     *Second     `json:"second_complaint,omitempty"`
	SecondDue  *time.Time  `json:"second_complaint_due_at,omitempty"`
}

var ruleIDPattern = regexp.MustCompile(`^(seed|taobao-dispute|adlaw|ours|public|jd|cn-7day-return|cn-law)-[a-z0-9-]+$`)
var evidenceIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)

// Allowed lists the actions possible in the complaint's status.
func Allowed(s State) []Action {
	switch s.Status {
	case WaitResponse, InReview:
		out := []Action{}
		if s.Response == nil {
			out = append(out, Respond)
		}
		out = append(out, Settle)
		if s.Settlement != nil && s.Settlement.AcceptedAt == nil {
			out = append(out, AcceptSettlement)
		}
		out = append(out, Withdraw)
		if s.Status == InReview {
			out = append(out, DecideIt)
		}
		return out
	case Decided:
		return []Action{SecondComplaint}
	case SecondReview:
		return []Action{DecideIt}
	}
	return []Action{}
}

func allowedStrings(s State) []string {
	out := []string{}
	for _, a := range Allowed(s) {
		out = append(out, string(a))
	}
	return out
}

// Respondent returns the party that answers complaints of a type's filer.
func Respondent(filer Party) Party {
	if filer == Buyer {
		return Seller
	}
	return Buyer
}

// Decide checks a command against a complaint and returns its events.
// Errors: Forbidden (wrong party or role), Conflict (not now; names the
// status and the allowed actions), Invalid (bad input, naming the field).
func Decide(s State, c Command, b *policy.Book, now time.Time) ([]Event, error) {
	ev := Event{Actor: c.Actor, At: now, PolicyVersion: b.Version}
	notNow := func() error {
		return &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s),
			Message: fmt.Sprintf("投诉处于 %s，不能 %s / the complaint is %s: %s is not possible", s.Status, c.Action, s.Status, c.Action)}
	}
	isComplainant := Party(c.Actor.Role) == s.ComplainantRole && c.Actor.ID == s.ComplainantID
	isRespondent := Party(c.Actor.Role) == s.RespondentRole && c.Actor.ID == s.RespondentID
	forbid := func(who string) error {
		return &fault.Error{Code: fault.Forbidden, Status: string(s.Status), Message: fmt.Sprintf("只有%s可以执行 %s / only %s may %s", who, c.Action, whoEN[who], c.Action)}
	}
	t, _ := b.ComplaintType(s.Type)
	switch c.Action {
	case File:
		if s.Status != "" {
			return nil, notNow()
		}
		return file(s, c, b, now)
	case Respond:
		if !isRespondent {
			return nil, forbid("被投诉方")
		}
		if (s.Status != WaitResponse && s.Status != InReview) || s.Response != nil {
			return nil, notNow()
		}
		if strings.TrimSpace(c.Statement) == "" {
			return nil, fault.Field("statement", "须说明情况 / a statement is required")
		}
		if err := checkEvidence("evidence_ids", c.EvidenceIDs); err != nil {
			return nil, err
		}
		ev.Type, ev.Data.Response = EvResponded, &Response{Statement: strings.TrimSpace(c.Statement), EvidenceIDs: nonNil(c.EvidenceIDs), At: now}
		ev.RuleIDs = []string{t.ID}
		return []Event{ev}, nil
	case Settle:
		if !isRespondent {
			return nil, forbid("被投诉方")
		}
		if s.Status != WaitResponse && s.Status != InReview {
			return nil, notNow()
		}
		if strings.TrimSpace(c.Terms) == "" {
			return nil, fault.Field("terms", "须写明和解条件 / the settlement terms are required")
		}
		if c.Amount < 0 {
			return nil, fault.Field("amount", "金额不能为负 / the amount must not be negative")
		}
		ev.Type, ev.Data.Settlement = EvSettlementOffered, &Settlement{Terms: strings.TrimSpace(c.Terms), Amount: c.Amount, At: now}
		ev.RuleIDs = []string{t.ID}
		return []Event{ev}, nil
	case AcceptSettlement:
		if !isComplainant {
			return nil, forbid("投诉人")
		}
		if (s.Status != WaitResponse && s.Status != InReview) || s.Settlement == nil || s.Settlement.AcceptedAt != nil {
			return nil, notNow()
		}
		st := *s.Settlement
		at := now
		st.AcceptedAt = &at
		ev.Type, ev.Data.Settlement = EvSettled, &st
		ev.Reason = "双方协商一致，投诉撤销 / settled by agreement: the complaint is withdrawn"
		ev.RuleIDs = []string{t.ID}
		return []Event{ev}, nil
	case Withdraw:
		if !isComplainant {
			return nil, forbid("投诉人")
		}
		if s.Status != WaitResponse && s.Status != InReview {
			return nil, notNow()
		}
		ev.Type, ev.Reason, ev.RuleIDs = EvWithdrawn, strings.TrimSpace(c.Reason), []string{t.ID}
		return []Event{ev}, nil
	case ExpireResponse:
		if c.Actor.Role != RoleSystem {
			return nil, fault.New(fault.Forbidden, "只有系统可以执行 / only the system may do this")
		}
		if s.Status != WaitResponse || s.RespondDueAt == nil || now.Before(*s.RespondDueAt) {
			return nil, notNow()
		}
		ev.Type, ev.Reason, ev.RuleIDs = EvResponseExpired, "被投诉方未在时限内回应，转客服处理 / the respondent did not answer in time: the complaint goes to an agent", []string{s.RespondRule}
		return []Event{ev}, nil
	case DecideIt:
		switch s.Status {
		case InReview:
			if c.Actor.Role != RoleAgent && c.Actor.Role != RoleSenior {
				return nil, forbid("客服")
			}
		case SecondReview:
			if c.Actor.Role != RoleSenior {
				return nil, &fault.Error{Code: fault.Forbidden, Status: string(s.Status), Message: "二次投诉由高级专员处理 / second complaints belong to the senior tier"}
			}
		default:
			return nil, notNow()
		}
		d, err := decision(s, t, c, b, now)
		if err != nil {
			return nil, err
		}
		ev.Reason, ev.Data.Decision, ev.RuleIDs = d.Reason, d, slices.Clone(d.RuleIDs)
		if s.Status == InReview {
			win, wid := b.ComplaintDuration("second_complaint_window")
			due := now.Add(win)
			ev.Type, ev.Data.SecondDue = EvDecided, &due
			ev.RuleIDs = appendUnique(ev.RuleIDs, wid)
		} else {
			ev.Type = EvFinalDecided
		}
		return []Event{ev}, nil
	case SecondComplaint:
		if !isComplainant {
			return nil, forbid("投诉人")
		}
		if s.Status != Decided {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s),
				Message: "二次投诉只能在首次投诉处理完毕后提出 / a second complaint is possible only after the first is decided"}
		}
		_, wid := b.ComplaintDuration("second_complaint_window")
		if s.SecondDueAt != nil && now.After(*s.SecondDueAt) {
			return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Rule: wid, Message: "已超过二次投诉期限 / the window for a second complaint has passed"}
		}
		if err := checkEvidence("evidence_ids", c.EvidenceIDs); err != nil {
			return nil, err
		}
		known := slices.Clone(s.EvidenceIDs)
		if s.Response != nil {
			known = append(known, s.Response.EvidenceIDs...)
		}
		var fresh []string
		for _, e := range c.EvidenceIDs {
			if !slices.Contains(known, e) && !slices.Contains(fresh, e) {
				fresh = append(fresh, e)
			}
		}
		changed := c.NewClaim != nil && (c.NewClaim.Amount != s.Claim.Amount || strings.TrimSpace(c.NewClaim.Text) != s.Claim.Text)
		if c.NewClaim != nil {
			if strings.TrimSpace(c.NewClaim.Text) == "" {
				return nil, fault.Field("claim.text", "变更诉求须写明诉求 / a changed claim needs its text")
			}
			if c.NewClaim.Amount < 0 {
				return nil, fault.Field("claim.amount", "金额不能为负 / the amount must not be negative")
			}
		}
		if len(fresh) == 0 && !changed {
			return nil, &fault.Error{Code: fault.Invalid, Field: "evidence_ids", Rule: wid,
				Message: "二次投诉须提供新证据或变更诉求（含金额与理由） / a second complaint needs new evidence or a changed claim with an amount and a reason"}
		}
		if strings.TrimSpace(c.Reason) == "" {
			return nil, fault.Field("reason", "须说明二次投诉理由 / a second complaint needs a reason")
		}
		sc := &Second{Reason: strings.TrimSpace(c.Reason), EvidenceIDs: fresh, At: now}
		if changed {
			cl := Claim{Text: strings.TrimSpace(c.NewClaim.Text), Amount: c.NewClaim.Amount}
			sc.Claim = &cl
		}
		ev.Type, ev.Reason, ev.Data.Second = EvSecondFiled, sc.Reason, sc
		ev.RuleIDs = []string{t.ID, wid}
		return []Event{ev}, nil
	}
	return nil, fault.Field("action", "未知操作 %q / unknown action %q", c.Action, c.Action)
}

var whoEN = map[string]string{"被投诉方": "the respondent", "投诉人": "the complainant", "客服": "an agent"}

func file(s State, c Command, b *policy.Book, now time.Time) ([]Event, error) {
	t, ok := b.ComplaintType(c.Type)
	if !ok {
		return nil, fault.Field("type", "未知投诉类型 %q（见 GET /v1/complaints/types） / unknown complaint type %q (see GET /v1/complaints/types)", c.Type, c.Type)
	}
	filer := Party(t.Filer)
	if Party(c.Actor.Role) != filer {
		return nil, &fault.Error{Code: fault.Forbidden, Field: "type", Rule: t.ID,
			Message: fmt.Sprintf("投诉类型 %s 只能由%s提出 / complaint type %s is filed by the %s", c.Type, partyZH[filer], c.Type, filer)}
	}
	complainant, respondent := c.BuyerID, c.SellerID
	if filer == Seller {
		complainant, respondent = c.SellerID, c.BuyerID
	}
	if c.Actor.ID != complainant {
		return nil, &fault.Error{Code: fault.Forbidden, Field: "order_id", Message: "只能就自己的订单投诉 / you can only complain about your own orders"}
	}
	if c.OccurredAt.IsZero() {
		return nil, fault.Field("occurred_at", "须填写发生时间 / occurred_at is required")
	}
	if c.OccurredAt.After(now) {
		return nil, fault.Field("occurred_at", "发生时间不能晚于现在 / occurred_at cannot be in the future")
	}
	if strings.TrimSpace(c.Description) == "" {
		return nil, fault.Field("description", "须描述发生了什么 / describe what happened")
	}
	if c.Loss < 0 {
		return nil, fault.Field("loss", "损失金额不能为负 / the loss must not be negative")
	}
	if strings.TrimSpace(c.Claim.Text) == "" {
		return nil, fault.Field("claim.text", "须写明诉求 / the claim is required")
	}
	if c.Claim.Amount < 0 {
		return nil, fault.Field("claim.amount", "金额不能为负 / the amount must not be negative")
	}
	if err := checkEvidence("evidence_ids", c.EvidenceIDs); err != nil {
		return nil, err
	}
	if t.RequireEvidence && len(c.EvidenceIDs) == 0 {
		return nil, &fault.Error{Code: fault.Invalid, Field: "evidence_ids", Rule: t.ID,
			Message: fmt.Sprintf("此类投诉须提供证据：%s / this complaint needs evidence: %s", t.Evidence[0].TitleZH, t.Evidence[0].TitleEN)}
	}
	if slices.Contains(t.Outcomes, policy.OutcomeHideReview) && strings.TrimSpace(c.ReviewID) == "" {
		return nil, &fault.Error{Code: fault.Invalid, Field: "review_id", Rule: t.ID, Message: "须指明被投诉的评价 / name the review complained about"}
	}
	if c.ReviewID != "" && !evidenceIDPattern.MatchString(c.ReviewID) {
		return nil, fault.Field("review_id", "评价ID无效 / invalid review id")
	}
	switch {
	case t.Group == "not_shipped_on_time" && !c.OrderPaid:
		return nil, &fault.Error{Code: fault.Conflict, Field: "order_id", Rule: t.ID, Message: "订单未付款，不能投诉发货问题 / the order is not paid: there is no shipment to complain about"}
	case t.Group == "unpaid_order" && c.OrderPaid:
		return nil, &fault.Error{Code: fault.Conflict, Field: "order_id", Rule: t.ID, Message: "订单已付款，不能投诉拍下不付款 / the order is paid: it was not left unpaid"}
	}
	win, rid := b.RespondWindow(c.Type)
	due := now.Add(win)
	st := State{ID: s.ID, Type: c.Type, Group: t.Group, OrderID: c.OrderID, ComplainantRole: filer, ComplainantID: complainant,
		RespondentRole: Respondent(filer), RespondentID: respondent, BuyerID: c.BuyerID, SellerID: c.SellerID, Status: WaitResponse,
		OccurredAt: c.OccurredAt.UTC(), Description: strings.TrimSpace(c.Description), Loss: c.Loss,
		Claim: Claim{Text: strings.TrimSpace(c.Claim.Text), Amount: c.Claim.Amount}, ReviewID: c.ReviewID, EvidenceIDs: nonNil(c.EvidenceIDs),
		RespondDueAt: &due, RespondRule: rid, Findings: slices.Clone(c.Findings), Flag: c.Flag, PolicyVersion: b.Version, CreatedAt: now}
	if st.Findings == nil {
		st.Findings = []Finding{}
	}
	if c.Flag != nil {
		st.Priority = -1
	}
	ev := Event{Type: EvFiled, Actor: c.Actor, At: now, PolicyVersion: b.Version, Data: Data{Filed: &st}, RuleIDs: []string{t.ID}}
	ev.Reason = fmt.Sprintf("%s：已通知被投诉方回应 / %s: the respondent is notified", t.TitleZH, t.TitleEN)
	for _, f := range st.Findings {
		for _, r := range f.RuleIDs {
			ev.RuleIDs = appendUnique(ev.RuleIDs, r)
		}
	}
	if c.Flag != nil {
		for _, r := range c.Flag.RuleIDs {
			ev.RuleIDs = appendUnique(ev.RuleIDs, r)
		}
	}
	return []Event{ev}, nil
}

var partyZH = map[Party]string{Buyer: "买家", Seller: "卖家"}

// decision validates an agent's decision and computes its outcomes from
// the rule book in force.
func decision(s State, t policy.ComplaintType, c Command, b *policy.Book, now time.Time) (*Decision, error) {
	if !slices.Contains(Verdicts, c.Verdict) {
		return nil, fault.Field("verdict", "须为 upheld / rejected / malicious / verdict must be upheld, rejected or malicious")
	}
	d := &Decision{Verdict: c.Verdict, Reason: strings.TrimSpace(c.Reason), AgentID: c.Actor.ID, Senior: c.Actor.Role == RoleSenior,
		PolicyVersion: b.Version, At: now, Outcomes: []Outcome{}, Cited: []CitedRule{}}
	if d.Reason == "" {
		return nil, fault.Field("reason", "处理须附书面理由 / a decision needs a written reason")
	}
	if len(c.RuleIDs) == 0 {
		return nil, fault.Field("rule_ids", "处理须引用规则 / a decision must cite the rules applied")
	}
	for i, r := range c.RuleIDs {
		if !ruleIDPattern.MatchString(r) {
			return nil, fault.Field(fmt.Sprintf("rule_ids[%d]", i), "%q 不是规则编号 / %q is not a rule ID", r, r)
		}
	}
	d.RuleIDs = appendUnique(slices.Clone(c.RuleIDs), t.ID)
	cite := func(id, key, value string) {
		for _, x := range d.Cited {
			if x.ID == id {
				return
			}
		}
		d.Cited = append(d.Cited, CitedRule{ID: id, Key: key, Value: value})
		d.RuleIDs = appendUnique(d.RuleIDs, id)
	}
	cite(t.ID, "complaints.types."+s.Type, "")
	if c.Verdict != Upheld {
		if c.Compensation != 0 || c.Severe {
			return nil, fault.Field("compensation", "投诉不成立时不能判赔或认定严重 / a rejected complaint awards nothing")
		}
		return d, nil
	}
	claim := s.Claim
	if s.Second != nil && s.Second.Claim != nil {
		claim = *s.Second.Claim
	}
	// Compensation.
	if c.Compensation < 0 {
		return nil, fault.Field("compensation", "金额不能为负 / the amount must not be negative")
	}
	if slices.Contains(t.Outcomes, policy.OutcomeCompensation) {
		var amt money.Fen
		if t.Detect == "late_shipment" {
			f := finding(s, "late_shipment")
			if f == nil || !f.Detected {
				return nil, &fault.Error{Code: fault.Invalid, Field: "verdict", Rule: b.ID("order.ship_by"),
					Message: "以第一条物流揽收记录为准未发现延迟发货，投诉不能成立 / judged on the first carrier scan the order was not shipped late: the complaint cannot be upheld"}
			}
			// Recomputed from the book in force, so the decision cites the values it used.
			amt = LateCompensation(f.Base, b)
			if c.Compensation != 0 && c.Compensation != amt {
				return nil, fault.Field("compensation", "延迟发货赔付按规则计算为 %s / late-shipment compensation is %s by the rule book", amt, amt)
			}
			for _, k := range []string{"complaint.late_shipment_rate", "complaint.late_shipment_min", "complaint.late_shipment_max", "order.ship_by"} {
				cite(b.ID(k), "rules."+k, b.Rules[k].Value)
			}
		} else {
			amt = c.Compensation
			if claim.Amount > 0 && amt > claim.Amount {
				return nil, fault.Field("compensation", "赔付不能超过诉求金额 %s / compensation cannot exceed the claimed %s", claim.Amount, claim.Amount)
			}
		}
		if amt > 0 {
			d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomeCompensation, Amount: amt, RuleID: t.ID,
				TitleZH: "从卖家保证金赔付买家 " + amt.String(), TitleEN: "compensation of " + amt.String() + " from the seller's deposit to the buyer"})
		}
	} else if c.Compensation != 0 {
		return nil, fault.Field("compensation", "此类投诉不判赔付 / this complaint type awards no compensation")
	}
	// Hidden review.
	if slices.Contains(t.Outcomes, policy.OutcomeHideReview) && s.ReviewID != "" {
		d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomeHideReview, ReviewID: s.ReviewID, RuleID: t.ID,
			TitleZH: "隐藏该评价并附处理结果", TitleEN: "the review is hidden, with this decision attached"})
	}
	// Violation, or a warning for a first minor offence.
	if c.Severe && t.SevereViolation == "" {
		return nil, fault.Field("severe", "此类投诉没有严重情节 / this complaint type has no severe variant")
	}
	warned := false
	if t.Violation != "" {
		key := t.Violation
		if c.Severe {
			key = t.SevereViolation
		}
		vt, _ := b.Violation(key)
		on, fid := b.ComplaintSwitch("first_offence_warning")
		if t.Minor && on && c.PriorViolations == 0 && !c.Severe {
			warned = true
			cite(fid, "complaints.rules.first_offence_warning", "on")
			d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomeWarning, Violation: key, Class: vt.Class, RuleID: fid,
				TitleZH: "初次轻微违规，警告教育（不扣分）", TitleEN: "first minor offence: a warning, no points"})
		} else {
			cite(vt.ID, "complaints.violations."+key, fmt.Sprintf("%s:%d", vt.Class, vt.Points))
			d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomeViolation, Violation: key, Class: vt.Class, Points: vt.Points, RuleID: vt.ID,
				TitleZH: fmt.Sprintf("%s，扣%d分", vt.TitleZH, vt.Points), TitleEN: fmt.Sprintf("%s: %d points", vt.TitleEN, vt.Points)})
		}
		d.Severe = c.Severe
	}
	if t.RestrictDays > 0 && !warned {
		d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomePurchaseRestriction, Days: t.RestrictDays, RuleID: t.ID,
			TitleZH: fmt.Sprintf("限制购买%d天", t.RestrictDays), TitleEN: fmt.Sprintf("purchase restriction for %d days", t.RestrictDays)})
	}
	return d, nil
}

func finding(s State, kind string) *Finding {
	for i := range s.Findings {
		if s.Findings[i].Kind == kind {
			return &s.Findings[i]
		}
	}
	return nil
}

func checkEvidence(field string, ids []string) error {
	if len(ids) > 20 {
		return fault.Field(field, "最多20项证据 / at most 20 items of evidence")
	}
	for i, e := range ids {
		if !evidenceIDPattern.MatchString(e) {
			return fault.Field(fmt.Sprintf("%s[%d]", field, i), "证据ID无效 / invalid evidence id")
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

func appendUnique(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
