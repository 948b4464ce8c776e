package dispute

import (
	"time"

	"github.com/weiquan/weiquan/internal/money"
)

// Status is the stage a case is in.
type Status string

// Case statuses. The five stages of SPEC §4 are apply (the opening event),
// evidence, review, judgment and execution; execution happens in the same
// transaction as the judgment, after which the appeal window is open.
const (
	Evidence  Status = "EVIDENCE"  // 举证中: both parties are asked for evidence
	Review    Status = "REVIEW"    // 审核中: in the agents' queue
	Judged    Status = "JUDGED"    // 已判定并执行: the appeal window is open
	Appealed  Status = "APPEALED"  // 申诉复核中: with the senior tier
	Final     Status = "FINAL"     // 终局: no further appeal on the platform
	Withdrawn Status = "WITHDRAWN" // 已撤销: the buyer withdrew or the parties settled
)

// Statuses lists every status.
var Statuses = []Status{Evidence, Review, Judged, Appealed, Final, Withdrawn}

// Open reports whether the case still moves.
func (s Status) Open() bool { return s == Evidence || s == Review || s == Judged || s == Appealed }

// Party is a side of the case.
type Party string

// Parties.
const (
	Buyer  Party = "buyer"
	Seller Party = "seller"
)

// Outcome is what a judgment decides.
type Outcome string

// Outcomes (SPEC §4 judgment).
const (
	RefundFull       Outcome = "refund_full"        // 支持买家：全额退款
	RefundPartial    Outcome = "refund_partial"     // 部分退款
	ReleaseToSeller  Outcome = "release_to_seller"  // 支持卖家：打款卖家
	ReturnThenRefund Outcome = "return_then_refund" // 退货后退款
)

// Outcomes lists the outcomes.
var Outcomes = []Outcome{RefundFull, RefundPartial, ReleaseToSeller, ReturnThenRefund}

// Fault is who is responsible (买责 / 卖责 / 双方), which also decides who
// bears the freight (谁过错、谁承担, taobao-dispute-49).
type Fault string

// Fault values.
const (
	BuyerFault  Fault = "buyer"
	SellerFault Fault = "seller"
	BothFault   Fault = "both"
)

// Item is one entry of a party's evidence checklist.
type Item struct {
	Key       string `json:"key"`
	Party     Party  `json:"party"`
	TitleZH   string `json:"title_zh"`
	TitleEN   string `json:"title_en"`
	RuleID    string `json:"rule_id"`
	Satisfied bool   `json:"satisfied"`
}

// Window is a party's evidence deadline.
type Window struct {
	Party  Party     `json:"party"`
	DueAt  time.Time `json:"due_at"`
	Closed bool      `json:"closed"` // the party said it is done, or the window expired
	RuleID string    `json:"rule_id"`
}

// Judgment is an agent's decision.
type Judgment struct {
	Outcome      Outcome   `json:"outcome"`
	Amount       money.Fen `json:"amount"`
	Fault        Fault     `json:"fault"`
	FreightPayer Party     `json:"freight_payer"`
	Reason       string    `json:"reason"`
	RuleIDs      []string  `json:"rule_ids"`
	EvidenceIDs  []string  `json:"evidence_ids"`
	AgentID      string    `json:"agent_id"`
	Senior       bool      `json:"senior"`
	At           time.Time `json:"at"`
	Missing      []string  `json:"missing,omitempty"` // checklist items missing at the end of the evidence phase
}

// Appeal is a party's appeal of a judgment.
type Appeal struct {
	Party           Party     `json:"party"`
	Reason          string    `json:"reason"`
	EvidenceIDs     []string  `json:"evidence_ids,omitempty"`
	ProceduralError string    `json:"procedural_error,omitempty"`
	At              time.Time `json:"at"`
}

// State is a case as stored.
type State struct {
	ID          string     `json:"id"`
	AftersaleID string     `json:"aftersale_id"`
	OrderID     string     `json:"order_id"`
	BuyerID     string     `json:"buyer_id"`
	SellerID    string     `json:"seller_id"`
	Reason      string     `json:"reason"`
	Claim       money.Fen  `json:"claim"`
	Premium     bool       `json:"premium"`
	Status      Status     `json:"status"`
	OpenedBy    Party      `json:"opened_by"`
	Checklist   []Item     `json:"checklist"`
	Windows     []Window   `json:"windows"`
	EvidenceIDs []string   `json:"evidence_ids"`
	SLADueAt    *time.Time `json:"sla_due_at,omitempty"`
	SLAExtended string     `json:"sla_extended,omitempty"`
	Assignee    string     `json:"assignee,omitempty"`
	Senior      bool       `json:"senior"` // handled by the senior tier
	Judgment    *Judgment  `json:"judgment,omitempty"`
	AppealDueAt *time.Time `json:"appeal_due_at,omitempty"`
	AppealRule  string     `json:"appeal_rule_id,omitempty"`
	Appeal      *Appeal    `json:"appeal,omitempty"`
	Final       *Judgment  `json:"final_judgment,omitempty"`
	Version     int64      `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// DeadlineAt is when a case deadline falls and what happens then.
type DeadlineAt struct {
	DueAt    time.Time `json:"due_at"`
	RuleID   string    `json:"rule_id,omitempty"`
	OnExpiry string    `json:"on_expiry"`
}
