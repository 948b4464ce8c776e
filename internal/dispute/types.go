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
	// Suspended (中止, taobao-dispute-82): both parties asked to negotiate
	// between themselves; the case resumes when either asks, or by itself
	// when the rule-book period passes (taobao-dispute-83).
	Suspended Status = "SUSPENDED"
)

// Statuses lists every status.
var Statuses = []Status{Evidence, Review, Judged, Appealed, Final, Withdrawn, Suspended}

// Open reports whether the case still moves.
func (s Status) Open() bool {
	return s == Evidence || s == Review || s == Judged || s == Appealed || s == Suspended
}

// TOP-style advance_status codes (taobao.refund.get): 0 no advance, 1
// applied for, 2 advance paid, 3 the seller refused the returned goods, 4
// advance closed, 5 advance settled (分账成功). Cases here produce 0, 2, 4
// and 5: the agent pays the advance at once (no application stage), and a
// seller refusing the returned goods is an after-sales matter.
const (
	AdvanceNone          = 0
	AdvanceApplied       = 1
	AdvancePaid          = 2
	AdvanceSellerRefused = 3
	AdvanceClosed        = 4
	AdvanceSettled       = 5
)

// How an advance ends (SPEC §5.2).
const (
	AdvanceReturned = "returned" // 2a: the goods came back; the seller's money repays the fund
	AdvanceKept     = "kept"     // 2b: the buyer keeps the goods (confirmed); the trade stands (调帐)
)

// RuleAdvance is the rule behind advance payment (先行垫付, SPEC §5).
const RuleAdvance = "seed-advance-payment"

// AdvanceInfo is the guarantee fund's advance to the buyer (先行垫付).
type AdvanceInfo struct {
	Status     int        `json:"status"` // the TOP advance_status code
	Amount     money.Fen  `json:"amount"`
	AgentID    string     `json:"agent_id"`
	Reason     string     `json:"reason"`
	At         time.Time  `json:"at"`
	Outcome    string     `json:"outcome,omitempty"` // returned or kept, once resolved
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	// Shortfall: what the seller's frozen escrow and deposit lacked to repay
	// the fund (booked as the seller's debt to the fund), or in 2b what the
	// buyer no longer held (taobao-dispute-87).
	Shortfall money.Fen `json:"shortfall,omitempty"`
	// ManualInterventionRefund: the advance counts against the seller as a
	// manual-intervention refund (人工介入退款, SPEC §5; RuleManualRefund),
	// whatever its outcome.
	ManualInterventionRefund bool `json:"manual_intervention_refund"`
}

// RuleManualRefund: an advance counts against the seller as a
// manual-intervention refund (人工介入退款, SPEC §5).
const RuleManualRefund = "seed-manual-intervention-refund"

// Suspension is a negotiation suspension (art. 82–83): the parties who
// asked, and once both did, since when and until when.
type Suspension struct {
	Requested []Party    `json:"requested"`
	From      Status     `json:"from,omitempty"` // the stage to resume
	At        *time.Time `json:"at,omitempty"`
	ResumeAt  *time.Time `json:"resume_at,omitempty"`
	RuleID    string     `json:"rule_id,omitempty"`
	// Ground: GroundNegotiation (art. 82(1)) or GroundLegal (art. 82(2)).
	Ground string `json:"ground,omitempty"`
	// Legal proceedings (art. 82(2)): the party that told the platform it
	// went to a court, the police or arbitration, which forum, and once
	// given the case acceptance voucher (受理凭证) and when it was recorded.
	NotifiedBy         Party      `json:"notified_by,omitempty"`
	Forum              string     `json:"forum,omitempty"`
	AcceptanceEvidence string     `json:"acceptance_evidence_id,omitempty"`
	AcceptedAt         *time.Time `json:"accepted_at,omitempty"`
}

// Suspension grounds (art. 82).
const (
	GroundNegotiation = "negotiation"       // 82(1): both parties negotiate
	GroundLegal       = "legal_proceedings" // 82(2): a party goes to court, the police or arbitration
)

// Forums of legal proceedings (art. 82(2)).
var Forums = []string{"court", "police", "arbitration"}

// LegalVoucherWorkingDays: the party must give the platform the case
// acceptance voucher within 7 working days of its notice, or the case
// resumes (art. 83(2)).
const LegalVoucherWorkingDays = 7

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
	// Compensation is paid from the seller's deposit on top of the trade
	// money (taobao-dispute-86); Shortfall is what the deposit lacked,
	// recorded and shown, not papered over (taobao-dispute-87).
	Compensation money.Fen `json:"compensation,omitempty"`
	Shortfall    money.Fen `json:"shortfall,omitempty"`
	// Revision: on appeal, how this judgment changed the executed first
	// one and what moved to carry out the difference (ours-appeal-overturn).
	Revision *Revision `json:"revision,omitempty"`
	// Pledge: what the seller's counterfeit pledge (假一赔十) paid the buyer
	// on top of the refund, written by the service when it executes.
	Pledge *PledgePayout `json:"pledge,omitempty"`
}

// PledgePayout is the compensation of a counterfeit pledge (假一赔十): the
// pledged multiple of the goods' price, from the seller's deposit, the
// guarantee fund advancing what the deposit lacked (booked as the seller's
// receivable, recovered from its next money).
type PledgePayout struct {
	Multiple    int64     `json:"multiple"`
	Price       money.Fen `json:"price"`
	Amount      money.Fen `json:"amount"`
	FromDeposit money.Fen `json:"from_deposit"`
	Advanced    money.Fen `json:"advanced_by_fund"`
	Shortfall   money.Fen `json:"shortfall,omitempty"`
	RuleID      string    `json:"rule_id"`
}

// RuleOverturn is this project's rule for executing an appeal decision that
// changes an executed judgment; OverturnRule states it (see doc.go).
const RuleOverturn = "ours-appeal-overturn"

// OverturnRule is the rule text written into the appeal decision's event.
const OverturnRule = "改判执行：买家应得更多的，差额先从担保款、再从卖家可用余额（第八十五条）、再从保证金（第八十六条）退给买家，仍不足的记录为缺口（第八十七条）；" +
	"买家已得多于改判的，平台为自己的错误判定承担责任：由先行赔付基金向卖家补足其被多扣的款项（保证金赔付退回保证金），不强制从买家扣回，" +
	"对买家的追偿记为平台的追偿主张，由双方协商或通过其他途径解决（第八十五条协助、第八十七条、第九十三条）；商品已退回卖家的，交易已还原，不予补足。" +
	" / Executing an overturn: when the buyer is owed more, the difference is refunded from the escrow, then the seller's available balance (art. 85), then the deposit (art. 86), and what is still missing is recorded as a shortfall (art. 87); " +
	"when the buyer got more than the new judgment, the platform bears its own error: the guarantee fund pays the seller what was taken from it (compensation back into the deposit), nothing is forced back from the buyer, " +
	"and the recovery from the buyer is recorded as the platform's claim, for the parties to settle or pursue elsewhere (art. 85 assistance, art. 87, art. 93); when the goods went back to the seller the trade is unwound and nothing is paid."

// Revision is how an appeal decision changed the executed judgment, with
// the money the service found and moved (filled in when executed).
type Revision struct {
	PreviousOutcome      Outcome   `json:"previous_outcome"`
	PreviousAmount       money.Fen `json:"previous_amount"`
	PreviousCompensation money.Fen `json:"previous_compensation"`
	// Refund: trade money refunded to the buyer on top of what was.
	Refund money.Fen `json:"refund"`
	// Compensation: compensation paid from the deposit on top of what was.
	Compensation money.Fen `json:"compensation"`
	// Restitution: what the guarantee fund paid the seller back.
	Restitution money.Fen `json:"restitution"`
	// RecoveryClaim: the platform's claim against the buyer for what the
	// buyer got beyond the new judgment; recorded, not forced.
	RecoveryClaim money.Fen `json:"recovery_claim"`
	// Shortfall: what could not be paid (art. 87).
	Shortfall money.Fen `json:"shortfall"`
	// PledgeReturned: a counterfeit pledge (假一赔十) the first judgment
	// paid and the decision no longer supports: given back to the seller by
	// the fund (its deposit part and what it repaid of the fund's advance)
	// and the rest of the advance written off; the buyer keeps it (the
	// platform's error; part of RecoveryClaim).
	PledgeReturned money.Fen `json:"pledge_returned,omitempty"`
	// GoodsReturned: the goods went back to the seller, so nothing was owed back to it.
	GoodsReturned bool   `json:"goods_returned"`
	Rule          string `json:"rule"`
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
	ID          string    `json:"id"`
	AftersaleID string    `json:"aftersale_id"`
	OrderID     string    `json:"order_id"`
	BuyerID     string    `json:"buyer_id"`
	SellerID    string    `json:"seller_id"`
	Reason      string    `json:"reason"`
	Claim       money.Fen `json:"claim"`
	Premium     bool      `json:"premium"`
	Status      Status    `json:"status"`
	OpenedBy    Party     `json:"opened_by"`
	Checklist   []Item    `json:"checklist"`
	Windows     []Window  `json:"windows"`
	EvidenceIDs []string  `json:"evidence_ids"`
	// Assessments are the agents' verdicts on the evidence (assess.go),
	// one per piece, the latest.
	Assessments []Assessment `json:"assessments,omitempty"`
	SLADueAt    *time.Time   `json:"sla_due_at,omitempty"`
	SLAExtended string       `json:"sla_extended,omitempty"`
	Assignee    string       `json:"assignee,omitempty"`
	Senior      bool         `json:"senior"` // handled by the senior tier
	Judgment    *Judgment    `json:"judgment,omitempty"`
	AppealDueAt *time.Time   `json:"appeal_due_at,omitempty"`
	AppealRule  string       `json:"appeal_rule_id,omitempty"`
	Appeal      *Appeal      `json:"appeal,omitempty"`
	Final       *Judgment    `json:"final_judgment,omitempty"`
	Advance     *AdvanceInfo `json:"advance,omitempty"`
	Suspension  *Suspension  `json:"suspension,omitempty"`
	Version     int64        `json:"version"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// AdvanceStatus is the TOP-style advance_status of the case.
func (s State) AdvanceStatus() int {
	if s.Advance == nil {
		return AdvanceNone
	}
	return s.Advance.Status
}

// advanceOpen reports an advance paid and not yet resolved.
func (s State) advanceOpen() bool { return s.Advance != nil && s.Advance.Status == AdvancePaid }

// DeadlineAt is when a case deadline falls and what happens then.
type DeadlineAt struct {
	DueAt    time.Time `json:"due_at"`
	RuleID   string    `json:"rule_id,omitempty"`
	OnExpiry string    `json:"on_expiry"`
}
