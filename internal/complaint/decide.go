package complaint

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
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
	// AddEvidence: a party's upload to the complaint's evidence chain joins
	// the complaint while it is open (the service issues it on upload).
	AddEvidence Action = "add-evidence"
)

// Actions lists the actions the API exposes on an existing complaint.
var Actions = []Action{Respond, Settle, AcceptSettlement, Withdraw, DecideIt, SecondComplaint}

// Role of whoever acts.
type Role = actor.Role

// RoleSystem is the role of the deadline worker; the other roles are
// actor's (actor.Buyer, actor.Agent, …).
const RoleSystem = actor.System

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
	// Siblings are the order's other complaints (complaint.compensation_once).
	Siblings []Sibling
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
	EvEvidenceAdded     = "evidence_added"
)

// EventTypes lists the event types.
var EventTypes = []string{EvFiled, EvResponded, EvSettlementOffered, EvSettled, EvWithdrawn, EvResponseExpired, EvDecided, EvSecondFiled, EvFinalDecided, EvEvidenceAdded}

// Event is one fact in a complaint's history.
type Event = actor.Event[string, Data]

// Head is an event's envelope without its payload.
type Head = actor.Head[string]

// Data is an event's payload.
type Data struct {
	Filed      *State         `json:"filed,omitempty"`
	Response   *Response      `json:"response,omitempty"`
	Settlement *Settlement    `json:"settlement,omitempty"`
	Decision   *Decision      `json:"decision,omitempty"`
	Second     *Second        `json:"second_complaint,omitempty"`
	SecondDue  *time.Time     `json:"second_complaint_due_at,omitempty"`
	Evidence   *EvidenceAdded `json:"evidence,omitempty"`
}

// EvidenceAdded is evidence a party uploaded after filing that joined the
// complaint.
type EvidenceAdded struct {
	IDs []string `json:"evidence_ids"`
	By  Party    `json:"by"`
}

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

func allowedStrings(s State) []string { return actor.Strings(Allowed(s)) }

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
// Each action is decided by its own function.
func Decide(s State, c Command, b *policy.Book, now time.Time) ([]Event, error) {
	d := decision{s: s, c: c, b: b, now: now}
	d.t, _ = b.ComplaintType(s.Type)
	switch c.Action {
	case File:
		if s.Status != "" {
			return nil, d.notNow()
		}
		return file(s, c, b, now)
	case Respond:
		return decideRespond(d)
	case Settle:
		return decideSettle(d)
	case AcceptSettlement:
		return decideAcceptSettlement(d)
	case Withdraw:
		return decideWithdraw(d)
	case ExpireResponse:
		return decideExpireResponse(d)
	case DecideIt:
		return decideDecide(d)
	case SecondComplaint:
		return decideSecondComplaint(d)
	case AddEvidence:
		return decideAddEvidence(d)
	}
	return nil, fault.Field("action", "未知操作 %q / unknown action %q", c.Action, c.Action)
}

// decision is one command being decided against a complaint: what every
// decide function reads (t: the complaint's type in the rule book), and
// the refusals they share.
type decision struct {
	s   State
	c   Command
	b   *policy.Book
	now time.Time
	t   policy.ComplaintType
}

// event starts an event of the command: who acted, when, under which book,
// citing the complaint type's rule.
func (d decision) event(typ string) Event {
	return Event{Head: Head{Type: typ, Actor: d.c.Actor, At: d.now, PolicyVersion: d.b.Version, RuleIDs: []string{d.t.ID}}}
}

// notNow refuses (Conflict) the action in the complaint's status.
func (d decision) notNow() error {
	return &fault.Error{Code: fault.Conflict, Status: string(d.s.Status), Allowed: allowedStrings(d.s),
		Message: fmt.Sprintf("投诉处于 %s，不能 %s / the complaint is %s: %s is not possible", d.s.Status, d.c.Action, d.s.Status, d.c.Action)}
}

// forbid refuses (Forbidden) anyone but who (投诉人, 被投诉方 or 客服).
func (d decision) forbid(who string) error {
	return &fault.Error{Code: fault.Forbidden, Status: string(d.s.Status), Message: fmt.Sprintf("只有%s可以执行 %s / only %s may %s", who, d.c.Action, whoEN[who], d.c.Action)}
}

var whoEN = map[string]string{"被投诉方": "the respondent", "投诉人": "the complainant", "客服": "an agent"}

// asComplainant refuses anyone but the complainant.
func (d decision) asComplainant() error {
	if Party(d.c.Actor.Role) != d.s.ComplainantRole || d.c.Actor.ID != d.s.ComplainantID {
		return d.forbid("投诉人")
	}
	return nil
}

// asRespondent refuses anyone but the respondent.
func (d decision) asRespondent() error {
	if Party(d.c.Actor.Role) != d.s.RespondentRole || d.c.Actor.ID != d.s.RespondentID {
		return d.forbid("被投诉方")
	}
	return nil
}

// undecided reports a complaint before the first decision, when the parties
// may still answer, settle or withdraw.
func (s State) undecided() bool { return s.Status == WaitResponse || s.Status == InReview }

// decideRespond: the respondent answers once, with a statement and evidence.
func decideRespond(d decision) ([]Event, error) {
	if err := d.asRespondent(); err != nil {
		return nil, err
	}
	if !d.s.undecided() || d.s.Response != nil {
		return nil, d.notNow()
	}
	if strings.TrimSpace(d.c.Statement) == "" {
		return nil, fault.Field("statement", "须说明情况 / a statement is required")
	}
	if err := checkEvidence("evidence_ids", d.c.EvidenceIDs); err != nil {
		return nil, err
	}
	ev := d.event(EvResponded)
	ev.Data.Response = &Response{Statement: strings.TrimSpace(d.c.Statement), EvidenceIDs: nonNil(d.c.EvidenceIDs), At: d.now}
	return []Event{ev}, nil
}

// decideAddEvidence: a party's evidence uploaded after filing joins the
// complaint while it awaits a decision; after the decision it stays in the
// chain (dated) for a second complaint to cite.
func decideAddEvidence(d decision) ([]Event, error) {
	by := Party(d.c.Actor.Role)
	if (by != d.s.ComplainantRole || d.c.Actor.ID != d.s.ComplainantID) && (by != d.s.RespondentRole || d.c.Actor.ID != d.s.RespondentID) {
		return nil, d.forbid("投诉人")
	}
	if !d.s.Status.Open() {
		return nil, d.notNow()
	}
	if len(d.c.EvidenceIDs) == 0 {
		return nil, fault.Field("evidence_ids", "须指明证据 / evidence_ids is required")
	}
	if err := checkEvidence("evidence_ids", d.c.EvidenceIDs); err != nil {
		return nil, err
	}
	ev := d.event(EvEvidenceAdded)
	ev.Data.Evidence = &EvidenceAdded{IDs: slices.Clone(d.c.EvidenceIDs), By: by}
	ev.Reason = fmt.Sprintf("%s补充证据 / the %s added evidence", partyZH[by], by)
	return []Event{ev}, nil
}

// decideSettle: the respondent offers a settlement (terms, an amount).
func decideSettle(d decision) ([]Event, error) {
	if err := d.asRespondent(); err != nil {
		return nil, err
	}
	if !d.s.undecided() {
		return nil, d.notNow()
	}
	if strings.TrimSpace(d.c.Terms) == "" {
		return nil, fault.Field("terms", "须写明和解条件 / the settlement terms are required")
	}
	if d.c.Amount < 0 {
		return nil, fault.Field("amount", "金额不能为负 / the amount must not be negative")
	}
	ev := d.event(EvSettlementOffered)
	ev.Data.Settlement = &Settlement{Terms: strings.TrimSpace(d.c.Terms), Amount: d.c.Amount, At: d.now}
	return []Event{ev}, nil
}

// decideAcceptSettlement: the complainant accepts the offered settlement,
// which withdraws the complaint (SETTLED).
func decideAcceptSettlement(d decision) ([]Event, error) {
	if err := d.asComplainant(); err != nil {
		return nil, err
	}
	if !d.s.undecided() || d.s.Settlement == nil || d.s.Settlement.AcceptedAt != nil {
		return nil, d.notNow()
	}
	st := *d.s.Settlement
	at := d.now
	st.AcceptedAt = &at
	ev := d.event(EvSettled)
	ev.Data.Settlement = &st
	ev.Reason = "双方协商一致，投诉撤销 / settled by agreement: the complaint is withdrawn"
	return []Event{ev}, nil
}

// decideWithdraw: the complainant withdraws before the decision.
func decideWithdraw(d decision) ([]Event, error) {
	if err := d.asComplainant(); err != nil {
		return nil, err
	}
	if !d.s.undecided() {
		return nil, d.notNow()
	}
	ev := d.event(EvWithdrawn)
	ev.Reason = strings.TrimSpace(d.c.Reason)
	return []Event{ev}, nil
}

// decideExpireResponse: the deadline worker sends an unanswered complaint
// to an agent (the type's respond_window).
func decideExpireResponse(d decision) ([]Event, error) {
	if d.c.Actor.Role != RoleSystem {
		return nil, fault.New(fault.Forbidden, "只有系统可以执行 / only the system may do this")
	}
	if d.s.Status != WaitResponse || d.s.RespondDueAt == nil || d.now.Before(*d.s.RespondDueAt) {
		return nil, d.notNow()
	}
	ev := d.event(EvResponseExpired)
	ev.Reason, ev.RuleIDs = "被投诉方未在时限内回应，转客服处理 / the respondent did not answer in time: the complaint goes to an agent", []string{d.s.RespondRule}
	return []Event{ev}, nil
}

// decideDecide: an agent decides a complaint in review, opening the window
// for a second complaint (second_complaint_window); the senior tier decides
// a second complaint, finally.
func decideDecide(d decision) ([]Event, error) {
	s, c, b := d.s, d.c, d.b
	switch s.Status {
	case InReview:
		if c.Actor.Role != actor.Agent && c.Actor.Role != actor.Senior {
			return nil, d.forbid("客服")
		}
	case SecondReview:
		if c.Actor.Role != actor.Senior {
			return nil, &fault.Error{Code: fault.Forbidden, Status: string(s.Status), Message: "二次投诉由高级专员处理 / second complaints belong to the senior tier"}
		}
	default:
		return nil, d.notNow()
	}
	dec, err := newDecision(s, d.t, c, b, d.now)
	if err != nil {
		return nil, err
	}
	ev := d.event(EvFinalDecided)
	ev.Reason, ev.Data.Decision, ev.RuleIDs = dec.Reason, dec, slices.Clone(dec.RuleIDs)
	if s.Status == InReview {
		win, wid := b.ComplaintDuration("second_complaint_window")
		due := d.now.Add(win)
		ev.Type, ev.Data.SecondDue = EvDecided, &due
		ev.RuleIDs = policy.Cite(ev.RuleIDs, wid)
	}
	return []Event{ev}, nil
}

// decideSecondComplaint: the complainant complains again (二次投诉) after the
// decision, within second_complaint_window, with new evidence or a changed
// claim and a reason; it goes to the senior tier.
func decideSecondComplaint(d decision) ([]Event, error) {
	s, c, b := d.s, d.c, d.b
	if err := d.asComplainant(); err != nil {
		return nil, err
	}
	if s.Status != Decided {
		return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Allowed: allowedStrings(s),
			Message: "二次投诉只能在首次投诉处理完毕后提出 / a second complaint is possible only after the first is decided"}
	}
	_, wid := b.ComplaintDuration("second_complaint_window")
	if s.SecondDueAt != nil && d.now.After(*s.SecondDueAt) {
		return nil, &fault.Error{Code: fault.Conflict, Status: string(s.Status), Rule: wid, Message: "已超过二次投诉期限 / the window for a second complaint has passed"}
	}
	if err := checkEvidence("evidence_ids", c.EvidenceIDs); err != nil {
		return nil, err
	}
	known := append(slices.Clone(s.EvidenceIDs), s.RespondentEvidenceIDs...)
	if s.Response != nil {
		known = append(known, s.Response.EvidenceIDs...)
	}
	fresh := newEvidence(c.EvidenceIDs, known)
	changed := c.NewClaim != nil && (c.NewClaim.Amount != s.Claim.Amount || strings.TrimSpace(c.NewClaim.Text) != s.Claim.Text)
	if c.NewClaim != nil {
		if err := checkClaim(*c.NewClaim, "变更诉求须写明诉求 / a changed claim needs its text"); err != nil {
			return nil, err
		}
	}
	if len(fresh) == 0 && !changed {
		return nil, &fault.Error{Code: fault.Invalid, Field: "evidence_ids", Rule: wid,
			Message: "二次投诉须提供新证据或变更诉求（含金额与理由） / a second complaint needs new evidence or a changed claim with an amount and a reason"}
	}
	if strings.TrimSpace(c.Reason) == "" {
		return nil, fault.Field("reason", "须说明二次投诉理由 / a second complaint needs a reason")
	}
	sc := &Second{Reason: strings.TrimSpace(c.Reason), EvidenceIDs: fresh, At: d.now}
	if changed {
		cl := Claim{Text: strings.TrimSpace(c.NewClaim.Text), Amount: c.NewClaim.Amount}
		sc.Claim = &cl
	}
	ev := d.event(EvSecondFiled)
	ev.Reason, ev.Data.Second = sc.Reason, sc
	ev.RuleIDs = []string{d.t.ID, wid}
	return []Event{ev}, nil
}

// checkClaim checks a claim: its text (missing: the message zh/en) and an
// amount that is not negative.
func checkClaim(cl Claim, missing string) error {
	if strings.TrimSpace(cl.Text) == "" {
		return fault.Field("claim.text", "%s", missing)
	}
	if cl.Amount < 0 {
		return fault.Field("claim.amount", "金额不能为负 / the amount must not be negative")
	}
	return nil
}

// file checks a complaint of one of the rule book's types by its filer on
// its own order and opens it (WAIT_RESPONSE, the type's respond_window).
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
	if err := checkClaim(c.Claim, "须写明诉求 / the claim is required"); err != nil {
		return nil, err
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
	if err := once(t, c.Siblings, b); err != nil {
		return nil, err
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
	ev := Event{Head: Head{Type: EvFiled, Actor: c.Actor, At: now, PolicyVersion: b.Version, RuleIDs: []string{t.ID}}, Data: Data{Filed: &st}}
	ev.Reason = fmt.Sprintf("%s：已通知被投诉方回应 / %s: the respondent is notified", t.TitleZH, t.TitleEN)
	for _, f := range st.Findings {
		for _, r := range f.RuleIDs {
			ev.RuleIDs = policy.Cite(ev.RuleIDs, r)
		}
	}
	if c.Flag != nil {
		for _, r := range c.Flag.RuleIDs {
			ev.RuleIDs = policy.Cite(ev.RuleIDs, r)
		}
	}
	return []Event{ev}, nil
}

var partyZH = map[Party]string{Buyer: "买家", Seller: "卖家"}

// Sibling is another complaint on the same order, as filing sees it.
type Sibling struct {
	ID      string
	Type    string
	Status  Status
	Outcome string // "", upheld or rejected
}

// once refuses a complaint whose cause is compensated once per order
// (complaint.compensation_once) when another complaint on the order has the
// same cause that is open, upheld or settled (a withdrawn or rejected one
// paid nothing): one still open is where to add
// evidence; one decided is re-examined through its second complaint (二次投诉),
// never by a new complaint that would pay again. Errors: Conflict naming
// the rule and the other complaint.
func once(t policy.ComplaintType, siblings []Sibling, b *policy.Book) error {
	cause := CompensationCause(t)
	if cause == "" {
		return nil
	}
	on, rid := b.Switch("complaint.compensation_once")
	if !on {
		return nil
	}
	for _, o := range siblings {
		ot, _ := b.ComplaintType(o.Type)
		if CompensationCause(ot) != cause || o.Status == Withdrawn || (!o.Status.Open() && o.Outcome == "rejected") {
			continue // nothing was paid or is pending for it
		}
		e := &fault.Error{Code: fault.Conflict, Field: "type", Rule: rid, Status: string(o.Status)}
		if o.Status.Open() {
			e.Message = fmt.Sprintf("该订单已有同一原因的投诉 %s 正在处理，请在该投诉中补充证据 / complaint %s on this order for the same cause is still open: add evidence to it", o.ID, o.ID)
		} else {
			e.Message = fmt.Sprintf("该订单同一原因的投诉 %s 已处理（%s），同一原因只赔付一次；如有新证据请对其提起二次投诉 / complaint %s on this order for the same cause was decided (%s): a cause is compensated once per order; with new evidence file a second complaint on it",
				o.ID, o.Status, o.ID, o.Status)
		}
		return e
	}
	return nil
}

// newDecision validates an agent's decision and computes its outcomes from
// the rule book in force: compensation, a hidden review, a violation (or a
// warning for a first minor offence) and a purchase restriction.
func newDecision(s State, t policy.ComplaintType, c Command, b *policy.Book, now time.Time) (*Decision, error) {
	if !slices.Contains(Verdicts, c.Verdict) {
		return nil, fault.Field("verdict", "须为 upheld / rejected / malicious / verdict must be upheld, rejected or malicious")
	}
	d := &Decision{Verdict: c.Verdict, Reason: strings.TrimSpace(c.Reason), AgentID: c.Actor.ID, Senior: c.Actor.Role == actor.Senior,
		PolicyVersion: b.Version, At: now, Outcomes: []Outcome{}, Cited: []CitedRule{}}
	if err := policy.CheckStated("处理", "a decision", d.Reason, c.RuleIDs); err != nil {
		return nil, err
	}
	d.RuleIDs = policy.Cite(slices.Clone(c.RuleIDs), t.ID)
	d.cite(t.ID, "complaints.types."+s.Type, "")
	if c.Verdict != Upheld {
		if c.Compensation != 0 || c.Severe {
			return nil, fault.Field("compensation", "投诉不成立时不能判赔或认定严重 / a rejected complaint awards nothing")
		}
		return d, nil
	}
	if err := d.compensate(s, t, c, b); err != nil {
		return nil, err
	}
	// Hidden review.
	if slices.Contains(t.Outcomes, policy.OutcomeHideReview) && s.ReviewID != "" {
		d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomeHideReview, ReviewID: s.ReviewID, RuleID: t.ID,
			TitleZH: "隐藏该评价并附处理结果", TitleEN: "the review is hidden, with this decision attached"})
	}
	warned, err := d.violation(t, c, b)
	if err != nil {
		return nil, err
	}
	if t.RestrictDays > 0 && !warned {
		d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomePurchaseRestriction, Days: t.RestrictDays, RuleID: t.ID,
			TitleZH: fmt.Sprintf("限制购买%d天", t.RestrictDays), TitleEN: fmt.Sprintf("purchase restriction for %d days", t.RestrictDays)})
	}
	return d, nil
}

// cite records a rule the decision applied, with the value it had, once.
func (d *Decision) cite(id, key, value string) {
	if slices.ContainsFunc(d.Cited, func(x CitedRule) bool { return x.ID == id }) {
		return
	}
	d.Cited = append(d.Cited, CitedRule{ID: id, Key: key, Value: value})
	d.RuleIDs = policy.Cite(d.RuleIDs, id)
}

// compensate adds the compensation of an upheld complaint of a type that
// awards it, from the seller's deposit: for late shipment recomputed from
// the book in force on the first carrier scan, otherwise as the agent
// decided, at most the claim (the second complaint's, if changed).
func (d *Decision) compensate(s State, t policy.ComplaintType, c Command, b *policy.Book) error {
	claim := s.Claim
	if s.Second != nil && s.Second.Claim != nil {
		claim = *s.Second.Claim
	}
	if c.Compensation < 0 {
		return fault.Field("compensation", "金额不能为负 / the amount must not be negative")
	}
	if !slices.Contains(t.Outcomes, policy.OutcomeCompensation) {
		if c.Compensation != 0 {
			return fault.Field("compensation", "此类投诉不判赔付 / this complaint type awards no compensation")
		}
		return nil
	}
	var amt money.Fen
	if t.Detect == "late_shipment" {
		f := finding(s, "late_shipment")
		if f == nil || !f.Detected {
			return &fault.Error{Code: fault.Invalid, Field: "verdict", Rule: b.ID("order.ship_by"),
				Message: "以第一条物流揽收记录为准未发现延迟发货，投诉不能成立 / judged on the first carrier scan the order was not shipped late: the complaint cannot be upheld"}
		}
		// Recomputed from the book in force, so the decision cites the values it used.
		amt = LateCompensation(f.Base, b)
		if c.Compensation != 0 && c.Compensation != amt {
			return fault.Field("compensation", "延迟发货赔付按规则计算为 %s / late-shipment compensation is %s by the rule book", amt, amt)
		}
		for _, k := range []string{"complaint.late_shipment_rate", "complaint.late_shipment_min", "complaint.late_shipment_max", "order.ship_by"} {
			d.cite(b.ID(k), "rules."+k, b.Rules[k].Value)
		}
	} else {
		amt = c.Compensation
		if claim.Amount > 0 && amt > claim.Amount {
			return fault.Field("compensation", "赔付不能超过诉求金额 %s / compensation cannot exceed the claimed %s", claim.Amount, claim.Amount)
		}
	}
	if amt > 0 {
		d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomeCompensation, Amount: amt, RuleID: t.ID,
			TitleZH: "从卖家保证金赔付买家 " + amt.String(), TitleEN: "compensation of " + amt.String() + " from the seller's deposit to the buyer"})
	}
	return nil
}

// violation records the type's violation with its points (the severe one
// if so decided), or a warning without points for a first minor offence
// (first_offence_warning, 教育为主); warned reports the warning.
func (d *Decision) violation(t policy.ComplaintType, c Command, b *policy.Book) (warned bool, err error) {
	if c.Severe && t.SevereViolation == "" {
		return false, fault.Field("severe", "此类投诉没有严重情节 / this complaint type has no severe variant")
	}
	if t.Violation == "" {
		return false, nil
	}
	key := t.Violation
	if c.Severe {
		key = t.SevereViolation
	}
	vt, _ := b.Violation(key)
	on, fid := b.ComplaintSwitch("first_offence_warning")
	if t.Minor && on && c.PriorViolations == 0 && !c.Severe {
		warned = true
		d.cite(fid, "complaints.rules.first_offence_warning", "on")
		d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomeWarning, Violation: key, Class: vt.Class, RuleID: fid,
			TitleZH: "初次轻微违规，警告教育（不扣分）", TitleEN: "first minor offence: a warning, no points"})
	} else {
		d.cite(vt.ID, "complaints.violations."+key, fmt.Sprintf("%s:%d", vt.Class, vt.Points))
		d.Outcomes = append(d.Outcomes, Outcome{Kind: policy.OutcomeViolation, Violation: key, Class: vt.Class, Points: vt.Points, RuleID: vt.ID,
			TitleZH: fmt.Sprintf("%s，扣%d分", vt.TitleZH, vt.Points), TitleEN: fmt.Sprintf("%s: %d points", vt.TitleEN, vt.Points)})
	}
	d.Severe = c.Severe
	return warned, nil
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

// newEvidence returns the evidence of ids not in known, each once.
func newEvidence(ids, known []string) []string {
	var out []string
	for _, e := range ids {
		if !slices.Contains(known, e) && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}
