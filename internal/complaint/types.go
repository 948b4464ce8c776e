package complaint

import (
	"time"

	"github.com/weiquan/weiquan/internal/money"
)

// Status is where a complaint is.
type Status string

// Complaint statuses.
const (
	WaitResponse Status = "WAIT_RESPONSE" // 待被投诉方回应: the respondent is notified and has a deadline
	InReview     Status = "IN_REVIEW"     // 客服处理中: answered or the deadline passed
	Decided      Status = "DECIDED"       // 已处理并执行: a second complaint is possible
	SecondReview Status = "SECOND_REVIEW" // 二次投诉，高级专员处理中
	Final        Status = "FINAL"         // 终局
	Settled      Status = "SETTLED"       // 协商撤销: the parties settled before the decision
	Withdrawn    Status = "WITHDRAWN"     // 投诉人撤诉
)

// Statuses lists the statuses.
var Statuses = []Status{WaitResponse, InReview, Decided, SecondReview, Final, Settled, Withdrawn}

// Open reports whether the complaint still awaits a decision.
func (s Status) Open() bool { return s == WaitResponse || s == InReview || s == SecondReview }

// Party is a side of a complaint.
type Party string

// Parties.
const (
	Buyer  Party = "buyer"
	Seller Party = "seller"
)

// Verdict is what an agent decides.
type Verdict string

// Verdicts.
const (
	Upheld    Verdict = "upheld"    // 投诉成立
	Rejected  Verdict = "rejected"  // 投诉不成立
	Malicious Verdict = "malicious" // 恶意/无理投诉: rejected, and it counts against the complainant
)

// Verdicts lists the verdicts.
var Verdicts = []Verdict{Upheld, Rejected, Malicious}

// Claim is what the complainant asks for.
type Claim struct {
	Text   string    `json:"text"`
	Amount money.Fen `json:"amount"`
}

// Response is the respondent's answer.
type Response struct {
	Statement   string    `json:"statement"`
	EvidenceIDs []string  `json:"evidence_ids"`
	At          time.Time `json:"at"`
}

// Settlement is a settlement the respondent offered and, once accepted,
// the agreement that withdrew the complaint.
type Settlement struct {
	Terms      string     `json:"terms"`
	Amount     money.Fen  `json:"amount"`
	At         time.Time  `json:"at"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
}

// Finding is what a detector read from the order facts.
type Finding struct {
	Kind         string     `json:"kind"` // late_shipment, fake_shipment
	Detected     bool       `json:"detected"`
	Summary      string     `json:"summary"`
	PaidAt       *time.Time `json:"paid_at,omitempty"`
	ShipBy       *time.Time `json:"ship_by,omitempty"`
	ShippedAt    *time.Time `json:"shipped_at,omitempty"`
	FirstScanAt  *time.Time `json:"first_scan_at,omitempty"`
	Base         money.Fen  `json:"base,omitempty"`         // the order amount not refunded, that the rate applies to
	Compensation money.Fen  `json:"compensation,omitempty"` // late shipment: what the rule book pays when upheld
	TrackingNo   string     `json:"tracking_no,omitempty"`
	OtherOrders  []string   `json:"other_orders,omitempty"` // fake shipment: other orders with the same tracking number
	RuleIDs      []string   `json:"rule_ids"`
}

// Flag marks a complainant whose complaints are often rejected (SPEC §7).
type Flag struct {
	Reason   string    `json:"reason"`
	Decided  int       `json:"decided"`
	Rejected int       `json:"rejected"`
	RateBP   int64     `json:"rate_bp"`
	Since    time.Time `json:"since"`
	RuleIDs  []string  `json:"rule_ids"`
}

// Outcome is one consequence of an upheld complaint, as executed.
type Outcome struct {
	Kind      string    `json:"kind"` // compensation, violation, warning, hide_review, purchase_restriction
	Amount    money.Fen `json:"amount,omitempty"`
	Paid      money.Fen `json:"paid,omitempty"`      // compensation actually paid from the deposit
	Shortfall money.Fen `json:"shortfall,omitempty"` // what the deposit lacked (taobao-dispute-87)
	// AlreadyPaid: compensation for the same cause already paid on the order
	// (complaint.compensation_once), deducted from Amount.
	AlreadyPaid money.Fen `json:"already_paid,omitempty"`
	LedgerTx    string    `json:"ledger_transaction,omitempty"`
	Violation   string    `json:"violation,omitempty"` // violation type
	Class       string    `json:"class,omitempty"`
	Points      int64     `json:"points,omitempty"`
	ViolationID string    `json:"violation_id,omitempty"`
	ReviewID    string    `json:"review_id,omitempty"`
	Days        int       `json:"days,omitempty"`
	SanctionID  string    `json:"sanction_id,omitempty"`
	SanctionIDs []string  `json:"sanction_ids,omitempty"` // sanctions the violation's points triggered
	RuleID      string    `json:"rule_id"`
	TitleZH     string    `json:"title_zh"`
	TitleEN     string    `json:"title_en"`
}

// CitedRule is a rule a decision applied, with the value it had then.
type CitedRule struct {
	ID    string `json:"id"`
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
}

// Decision is an agent's decision.
type Decision struct {
	Verdict       Verdict     `json:"verdict"`
	Reason        string      `json:"reason"`
	RuleIDs       []string    `json:"rule_ids"`
	Cited         []CitedRule `json:"cited_rules"`
	Severe        bool        `json:"severe,omitempty"`
	Outcomes      []Outcome   `json:"outcomes"`
	AgentID       string      `json:"agent_id"`
	Senior        bool        `json:"senior"`
	PolicyVersion string      `json:"policy_version"`
	At            time.Time   `json:"at"`
}

// Second is a second complaint (二次投诉).
type Second struct {
	Reason      string    `json:"reason"`
	EvidenceIDs []string  `json:"evidence_ids,omitempty"`
	Claim       *Claim    `json:"claim,omitempty"` // the changed claim
	At          time.Time `json:"at"`
}

// State is a complaint as stored.
type State struct {
	ID              string    `json:"id"`
	Type            string    `json:"type"`
	Group           string    `json:"group"`
	OrderID         string    `json:"order_id"`
	ComplainantRole Party     `json:"complainant_role"`
	ComplainantID   string    `json:"complainant_id"`
	RespondentRole  Party     `json:"respondent_role"`
	RespondentID    string    `json:"respondent_id"`
	BuyerID         string    `json:"buyer_id"`
	SellerID        string    `json:"seller_id"`
	Status          Status    `json:"status"`
	OccurredAt      time.Time `json:"occurred_at"`
	Description     string    `json:"description"`
	Loss            money.Fen `json:"loss"`
	Claim           Claim     `json:"claim"`
	ReviewID        string    `json:"review_id,omitempty"`
	EvidenceIDs     []string  `json:"evidence_ids"`
	// RespondentEvidenceIDs: the respondent's evidence uploaded to the
	// complaint's chain while it was open (its answer's are in Response).
	RespondentEvidenceIDs []string    `json:"respondent_evidence_ids,omitempty"`
	RespondDueAt          *time.Time  `json:"respond_due_at,omitempty"`
	RespondRule           string      `json:"respond_rule_id,omitempty"`
	Response              *Response   `json:"response,omitempty"`
	Settlement            *Settlement `json:"settlement,omitempty"`
	Findings              []Finding   `json:"findings"`
	Flag                  *Flag       `json:"flag,omitempty"`
	Priority              int         `json:"priority"` // higher first; a flagged complainant's complaints are lower
	Senior                bool        `json:"senior"`
	Decision              *Decision   `json:"decision,omitempty"`
	Second                *Second     `json:"second_complaint,omitempty"`
	SecondDueAt           *time.Time  `json:"second_complaint_due_at,omitempty"`
	FinalDecision         *Decision   `json:"final_decision,omitempty"`
	PolicyVersion         string      `json:"policy_version"` // the book it was filed under
	Version               int64       `json:"version"`
	CreatedAt             time.Time   `json:"created_at"`
	UpdatedAt             time.Time   `json:"updated_at"`
}

// Deadline is the complaint's live automatic deadline.
type Deadline struct {
	Kind     string    `json:"kind"`
	DueAt    time.Time `json:"due_at"`
	OnExpiry string    `json:"on_expiry"`
	RuleID   string    `json:"rule_id"`
}

// Deadline returns the live deadline: the respondent's while awaiting an answer.
func (s State) Deadline() *Deadline {
	if s.Status == WaitResponse && s.RespondDueAt != nil {
		return &Deadline{Kind: "respond_window", DueAt: *s.RespondDueAt, OnExpiry: "to_review", RuleID: s.RespondRule}
	}
	return nil
}
