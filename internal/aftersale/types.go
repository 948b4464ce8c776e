package aftersale

import (
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/money"
)

// Status is the request status, named as in the Taobao Open Platform.
type Status string

// Statuses (TOP refund.status).
const (
	WaitSellerAgree        Status = "WAIT_SELLER_AGREE"
	SellerRefuseBuyer      Status = "SELLER_REFUSE_BUYER"
	WaitBuyerReturnGoods   Status = "WAIT_BUYER_RETURN_GOODS"
	WaitSellerConfirmGoods Status = "WAIT_SELLER_CONFIRM_GOODS"
	Success                Status = "SUCCESS"
	Closed                 Status = "CLOSED"
)

// Statuses lists every status.
var Statuses = []Status{WaitSellerAgree, SellerRefuseBuyer, WaitBuyerReturnGoods, WaitSellerConfirmGoods, Success, Closed}

// Open reports whether a request in this status can still move.
func (s Status) Open() bool { return s != Success && s != Closed && s != "" }

// Type is the kind of request.
type Type string

// Request types.
const (
	RefundOnly      Type = "refund_only"       // 仅退款
	ReturnAndRefund Type = "return_and_refund" // 退货退款
	Exchange        Type = "exchange"          // 换货
)

// Types lists the request types.
var Types = []Type{RefundOnly, ReturnAndRefund, Exchange}

// Reason is why the buyer asks.
type Reason string

// Reasons (SPEC §3).
const (
	NotReceived      Reason = "not_received"       // 未收到货
	NotAsDescribed   Reason = "not_as_described"   // 描述不符
	QualityProblem   Reason = "quality_problem"    // 质量问题
	DamagedInTransit Reason = "damaged_in_transit" // 运输损坏
	Counterfeit      Reason = "counterfeit"        // 假冒品牌
	MissingParts     Reason = "missing_parts"      // 少件/漏发
	NoReason7Day     Reason = "no_reason_7day"     // 七天无理由
	SellerAgreed     Reason = "seller_agreed"      // 与卖家协商一致
	OtherReason      Reason = "other"              // 其他
)

// Reasons lists the reasons.
var Reasons = []Reason{NotReceived, NotAsDescribed, QualityProblem, DamagedInTransit, Counterfeit, MissingParts, NoReason7Day, SellerAgreed, OtherReason}

// Role is who acts (the one vocabulary of internal/actor).
type Role = actor.Role

// Roles that act on a request.
const (
	Buyer  = actor.Buyer
	Seller = actor.Seller
	System = actor.System
	// Platform is the intervention executing a judgment (客服介入判定执行).
	Platform = actor.Platform
)

// Actor is who caused an event: a role, the party's ID, and through which
// principal it came (an integration key acting for the party, an agent, the
// deadline worker).
type Actor = actor.Actor

// Action names the commands, as in POST /v1/aftersales/{id}/{action}.
type Action string

// Actions.
const (
	Create        Action = "create"
	Agree         Action = "agree"
	Refuse        Action = "refuse"
	CounterOffer  Action = "counter-offer"
	AcceptOffer   Action = "accept-offer"
	Modify        Action = "modify"
	ShipReturn    Action = "ship-return"
	Cancel        Action = "cancel"
	Escalate      Action = "escalate"
	ConfirmReturn Action = "confirm-return"
	RefuseReceipt Action = "refuse-receipt"
	Expire        Action = "expire" // a deadline fired; actor System
	// Execute carries out a platform judgment on a request under
	// intervention; actor Platform. Command.Ruling says how.
	Execute Action = "execute"
	// Revise carries out an appeal decision that changed an executed
	// judgment (the request is no longer under intervention); actor
	// Platform. Command.Ruling says how: RulingRefund pays Command.Amount
	// more (SUCCESS), RulingClose closes a request that refunded nothing,
	// RulingReturn asks a request that refunded nothing for the goods back
	// first, RulingKeep leaves the request as executed and records the
	// decision in its history (the money moved on the ledger only).
	Revise Action = "revise"
)

// Rulings a platform judgment can impose on the request.
const (
	RulingRefund = "refund" // refund Command.Amount now: SUCCESS
	RulingClose  = "close"  // judged for the seller: CLOSED
	RulingReturn = "return" // the buyer returns the goods first: WAIT_BUYER_RETURN_GOODS
	RulingKeep   = "keep"   // Revise only: the request stays as executed
)

// Actions lists the actions a party can take (not create, not expire).
var Actions = []Action{Agree, Refuse, CounterOffer, AcceptOffer, Modify, ShipReturn, Cancel, Escalate, ConfirmReturn, RefuseReceipt}

// actorOf says which role may take each action.
var actorOf = map[Action]Role{
	Create: Buyer, Agree: Seller, Refuse: Seller, CounterOffer: Seller, AcceptOffer: Buyer,
	Modify: Buyer, ShipReturn: Buyer, Cancel: Buyer, Escalate: Buyer, ConfirmReturn: Seller,
	RefuseReceipt: Seller, Expire: System, Execute: Platform, Revise: Platform,
}

// ActorOf returns the role that may take the action.
func ActorOf(a Action) (Role, bool) { r, ok := actorOf[a]; return r, ok }

// DeadlineKind names a deadline.
type DeadlineKind string

// Deadline kinds (rule book keys in brackets).
const (
	SellerRespond       DeadlineKind = "seller_respond"        // aftersale.seller_respond → auto_agree
	BuyerAnswerRefusal  DeadlineKind = "buyer_answer_refusal"  // aftersale.buyer_answer_refusal → close
	BuyerShipReturn     DeadlineKind = "buyer_ship_return"     // aftersale.buyer_ship_return → close
	SellerConfirmReturn DeadlineKind = "seller_confirm_return" // aftersale.seller_confirm_return → auto_refund
)

// PolicyKey returns the rule book key of a deadline kind.
func (k DeadlineKind) PolicyKey() string { return "aftersale." + string(k) }

// Deadline is the live deadline of an open request.
type Deadline struct {
	Kind     DeadlineKind `json:"kind"`
	Actor    Role         `json:"actor"`
	DueAt    time.Time    `json:"due_at"`
	OnExpiry string       `json:"on_expiry"`
	RuleID   string       `json:"rule_id"`
}

// Refusal is a seller's refusal (of the request, or of the returned goods).
type Refusal struct {
	// Code is the rule book's refusal reason code (aftersale.refuse_reason_codes).
	Code     string   `json:"code,omitempty"`
	Reason   string   `json:"reason"`
	Evidence []string `json:"evidence,omitempty"`
}

// Offer is a seller's counter-offer: a partial refund, the buyer keeps the goods.
type Offer struct {
	Amount money.Fen `json:"amount"`
	Note   string    `json:"note,omitempty"`
}

// Return is the buyer's return shipment.
type Return struct {
	Carrier    string    `json:"carrier"`
	TrackingNo string    `json:"tracking_no"`
	ShippedAt  time.Time `json:"shipped_at"`
	// Postage is the return postage the buyer paid, as stated when shipping
	// (运费险 pays it on an insured order, capped by the rule book).
	Postage money.Fen `json:"postage,omitempty"`
}

// ReturnAddress is where the buyer sends a return: the seller gives it
// when agreeing to a return (aftersale.return_address).
type ReturnAddress struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

// InstantRefund is a 极速退款 (aftersale.instant_refund_limit): the refund
// of a return paid by the guarantee fund when the buyer shipped the goods
// back, the order's escrow frozen as the fund's guarantee until the seller
// confirms receipt. Outcome: "" open; InstantReturned the seller confirmed
// (or the receipt deadline refunded, or a judgment for the buyer): the
// frozen escrow repaid the fund; InstantKept the seller's refusal of
// receipt was upheld: the frozen escrow repaid the fund and the buyer's
// refund was paid over to the seller (调帐), what the buyer no longer holds
// a shortfall the buyer owes (art. 87).
type InstantRefund struct {
	Amount  money.Fen `json:"amount"`
	PaidAt  time.Time `json:"paid_at"`
	RuleID  string    `json:"rule_id"`
	Outcome string    `json:"outcome,omitempty"`
	// LedgerTransaction is the fund's payment (advance_from_fund).
	LedgerTransaction string `json:"ledger_transaction,omitempty"`
}

// Instant refund outcomes.
const (
	InstantReturned = "returned"
	InstantKept     = "kept"
)

// Open reports whether the fund still guarantees the refund.
func (r *InstantRefund) Open() bool { return r != nil && r.Outcome == "" }

// Intervention records that platform intervention (客服介入) was requested.
type Intervention struct {
	RequestedBy Role      `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	Reason      string    `json:"reason,omitempty"`
	// DisputeID is the intervention case the request opened (set by the
	// service when the case is opened with the request's event).
	DisputeID string `json:"dispute_id,omitempty"`
}

// State is an after-sales request as stored.
type State struct {
	ID          string    `json:"id"`
	OrderID     string    `json:"order_id"`
	BuyerID     string    `json:"buyer_id"`
	SellerID    string    `json:"seller_id"`
	Type        Type      `json:"type"`
	Reason      Reason    `json:"reason"`
	Description string    `json:"description,omitempty"`
	Amount      money.Fen `json:"amount"`
	// Items are the order's items (子订单) the request targets; none: the
	// whole order. Several requests on one order may be open for different
	// items; the amount is capped by what the items can still refund.
	Items        []string      `json:"items,omitempty"`
	Status       Status        `json:"status"`
	GoodStatus   string        `json:"good_status"`
	Offer        *Offer        `json:"offer,omitempty"`
	Refusal      *Refusal      `json:"refusal,omitempty"`
	Return       *Return       `json:"return,omitempty"`
	Refunded     money.Fen     `json:"refunded"`
	Intervention *Intervention `json:"intervention,omitempty"`
	// DisputeID links the request to its intervention case, for good: it
	// stays when the intervention ends (judged, withdrawn).
	DisputeID string    `json:"dispute_id,omitempty"`
	Deadline  *Deadline `json:"deadline"`
	// InstantRefund is the request's 极速退款, when it had one.
	InstantRefund *InstantRefund `json:"instant_refund,omitempty"`
	// ReturnAddress is the seller's return address, given on agreeing to a
	// return (shown to the buyer).
	ReturnAddress *ReturnAddress `json:"return_address,omitempty"`
	// SellerReasonCode is the reason code of the seller's last agreement or
	// refusal (the rule book's aftersale.*_reason_codes).
	SellerReasonCode string    `json:"seller_reason_code,omitempty"`
	ClosedReason     string    `json:"closed_reason,omitempty"`
	Modifications    int       `json:"modifications"`
	Version          int64     `json:"version"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// EventType names an event.
type EventType string

// Event types.
const (
	EvRequested       EventType = "requested"
	EvAgreed          EventType = "agreed"
	EvAutoAgreed      EventType = "auto_agreed"
	EvRefused         EventType = "refused"
	EvCounterOffered  EventType = "counter_offered"
	EvOfferAccepted   EventType = "offer_accepted"
	EvModified        EventType = "modified"
	EvEscalated       EventType = "escalated"
	EvReturnShipped   EventType = "return_shipped"
	EvCancelled       EventType = "cancelled"
	EvReturnConfirmed EventType = "return_confirmed"
	EvReceiptRefused  EventType = "receipt_refused"
	EvAutoRefunded    EventType = "auto_refunded"
	EvClosed          EventType = "closed"
	EvJudgedRefund    EventType = "judged_refund"
	EvJudgedClose     EventType = "judged_close"
	EvJudgedReturn    EventType = "judged_return"
	// EvJudgmentRevised: an appeal changed the executed judgment (Revise).
	EvJudgmentRevised EventType = "judgment_revised"
)

// Event is one fact in a request's history.
type Event = actor.Event[EventType, Data]

// Head is an event's envelope without its payload.
type Head = actor.Head[EventType]

// Data is an event's payload. Deadline is the live deadline after the
// event (nil: none), so replay reproduces it exactly.
type Data struct {
	OrderID      string        `json:"order_id,omitempty"`
	BuyerID      string        `json:"buyer_id,omitempty"`
	SellerID     string        `json:"seller_id,omitempty"`
	Type         Type          `json:"type,omitempty"`
	Reason       Reason        `json:"reason,omitempty"`
	Description  string        `json:"description,omitempty"`
	Amount       money.Fen     `json:"amount,omitempty"`
	Items        []string      `json:"items,omitempty"`
	GoodStatus   string        `json:"good_status,omitempty"`
	Offer        *Offer        `json:"offer,omitempty"`
	Refusal      *Refusal      `json:"refusal,omitempty"`
	Return       *Return       `json:"return,omitempty"`
	Refund       money.Fen     `json:"refund,omitempty"`
	Intervention *Intervention `json:"intervention,omitempty"`
	ClosedReason string        `json:"closed_reason,omitempty"`
	// ReasonCode is the seller's reason code on agreeing (a refusal carries
	// its code in Refusal).
	ReasonCode    string         `json:"reason_code,omitempty"`
	ReturnAddress *ReturnAddress `json:"return_address,omitempty"`
	// InstantRefund: paid on return_shipped (Refund holds its amount), its
	// outcome on the event that ends the guarantee.
	InstantRefund *InstantRefund `json:"instant_refund,omitempty"`
	Deadline      *Deadline      `json:"deadline"`
}

// OrderView is what a decision needs to know of the order.
type OrderView struct {
	ID          string
	BuyerID     string
	SellerID    string
	Closed      bool
	PaidAt      *time.Time
	ShippedAt   *time.Time
	DeliveredAt *time.Time
	CompletedAt *time.Time
	Refundable  money.Fen
	// NoReasonExcluded names an item 7-day no-reason return does not apply
	// to (the article in Rule), or is nil.
	NoReasonExcluded *NoReasonExclusion
	// Items are the order's items (子订单) by key with what each can still
	// refund; Busy names the open requests of the order by the item keys
	// they hold ("*": a request on the whole order).
	Items map[string]money.Fen
	Busy  map[string]string
	// For 极速退款 (read by the service when the buyer ships a return): the
	// buyer carries an abuse flag (complaint.Abuse), and what the guarantee
	// fund can pay now.
	BuyerFlagged bool
	FundHeadroom money.Fen
}

// NoReasonExclusion is why an order's goods are not returnable without
// reason (网络购买商品七日无理由退货暂行办法 arts. 6–7).
type NoReasonExclusion struct {
	Item string // the item's title
	Rule string // cn-7day-return-6 or cn-7day-return-7
	Why  string // zh / en
}

// Command is an action with its input.
type Command struct {
	Action      Action
	Actor       Actor
	Type        Type
	Reason      Reason
	Description string
	Amount      money.Fen
	// Items: the item keys (子订单) a new request targets; none: the whole order.
	Items      []string
	Note       string   // refusal / escalation / cancel reason
	Evidence   []string // evidence references
	Carrier    string
	TrackingNo string
	Postage    money.Fen // ship_return: the return postage paid (运费险)
	// ReasonCode is the seller's reason code (agree, refuse); ReturnAddress
	// the seller's return address (agree on a return).
	ReasonCode    string
	ReturnAddress *ReturnAddress
	// ExpectVersion, when not 0, is the version the actor saw (HTTP If-Match):
	// the command is refused if the request has moved since.
	ExpectVersion int64
	// Ruling is the platform judgment to execute (Execute).
	Ruling string
	// For Expire: the deadline that fired.
	DeadlineKind  DeadlineKind
	DeadlineDueAt time.Time
}
