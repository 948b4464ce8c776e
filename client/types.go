package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// OrderItem is one line of an order (子订单).
type OrderItem struct {
	ID       string `json:"id,omitempty"`
	Title    string `json:"title"`
	Quantity int    `json:"quantity"`
	Price    int64  `json:"price"` // fen
	Category string `json:"category,omitempty"`
}

// OrderInput is what the marketplace pushes for an order (PUT).
type OrderInput struct {
	BuyerID  string      `json:"buyer_id"`
	SellerID string      `json:"seller_id"`
	Category string      `json:"category,omitempty"`
	Items    []OrderItem `json:"items"`
	Amount   int64       `json:"amount"`  // fen
	Postage  int64       `json:"postage"` // fen
	// The parties' names as the marketplace shows them (TOP buyer_nick,
	// seller_nick): pages name a party without a web user by them.
	BuyerNick  string `json:"buyer_nick,omitempty"`
	SellerNick string `json:"seller_nick,omitempty"`
}

// Order is an order as weiquan holds it.
type Order struct {
	ID         string      `json:"id"`
	BuyerID    string      `json:"buyer_id"`
	SellerID   string      `json:"seller_id"`
	BuyerNick  string      `json:"buyer_nick,omitempty"`
	SellerNick string      `json:"seller_nick,omitempty"`
	Status     string      `json:"status"`
	Amount     int64       `json:"amount"`
	Postage    int64       `json:"postage"`
	Refunded   int64       `json:"refunded"`
	Items      []OrderItem `json:"items"`
	Version    int64       `json:"version"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// OrderEvent is an order fact the marketplace reports (paid, shipped,
// delivered, completed …).
type OrderEvent struct {
	Type       string    `json:"type"`
	At         time.Time `json:"at"`
	Carrier    string    `json:"carrier,omitempty"`
	TrackingNo string    `json:"tracking_no,omitempty"`
	SignedBy   string    `json:"signed_by,omitempty"`
}

// CreateAftersale opens an after-sales request.
type CreateAftersale struct {
	OrderID     string   `json:"order_id"`
	Type        string   `json:"type"`   // refund_only, return_and_refund, exchange
	Reason      string   `json:"reason"` // e.g. quality_problem
	Amount      int64    `json:"amount"` // fen
	Description string   `json:"description,omitempty"`
	Items       []string `json:"items,omitempty"`
	EvidenceIDs []string `json:"evidence_ids,omitempty"`
}

// ReturnAddress is where the buyer sends goods back; a seller agreeing to
// a return must give one (it is shown to the buyer).
type ReturnAddress struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

// Agreement is the body of the agree action.
type Agreement struct {
	Note          string         `json:"note,omitempty"`
	ReasonCode    string         `json:"reason_code,omitempty"`
	ReturnAddress *ReturnAddress `json:"return_address,omitempty"`
}

// Refusal is the body of the refuse action: a refusal needs one of the
// rule book's reason codes (e.g. goods_intact) and usually evidence.
type Refusal struct {
	ReasonCode string   `json:"reason_code"`
	Reason     string   `json:"reason,omitempty"`
	Evidence   []string `json:"evidence,omitempty"` // evidence ids
}

// Deadline is what a request waits for.
type Deadline struct {
	Kind     string    `json:"kind"`
	Actor    string    `json:"actor"`
	DueAt    time.Time `json:"due_at"`
	OnExpiry string    `json:"on_expiry"`
	RuleID   string    `json:"rule_id"`
}

// Aftersale is an after-sales request (售后申请).
type Aftersale struct {
	ID             string              `json:"id"`
	OrderID        string              `json:"order_id"`
	BuyerID        string              `json:"buyer_id"`
	SellerID       string              `json:"seller_id"`
	Type           string              `json:"type"`
	Reason         string              `json:"reason"`
	Amount         int64               `json:"amount"`
	Status         string              `json:"status"`
	Refunded       int64               `json:"refunded"`
	Deadline       *Deadline           `json:"deadline"`
	AllowedActions map[string][]string `json:"allowed_actions"`
	DisputeID      string              `json:"dispute_id,omitempty"`
	CSStatus       int                 `json:"cs_status"`
	AdvanceStatus  int                 `json:"advance_status"`
	Version        int64               `json:"version"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
}

// Actor is who caused an event.
type Actor struct {
	Role string `json:"role"`
	ID   string `json:"id,omitempty"`
	Via  string `json:"via,omitempty"`
}

// Event is one entry of an object's history.
type Event struct {
	Seq           int64          `json:"seq"`
	ID            string         `json:"id"`
	Type          string         `json:"type"`
	Actor         Actor          `json:"actor"`
	At            time.Time      `json:"at"`
	Reason        string         `json:"reason"`
	RuleIDs       []string       `json:"rule_ids"`
	PolicyVersion string         `json:"policy_version"`
	Data          map[string]any `json:"data"`
}

// LedgerLine is one posting of a transaction: an account and an amount in
// fen (the lines of a transaction sum to zero).
type LedgerLine struct {
	Account string `json:"account"`
	Amount  int64  `json:"amount"`
}

// LedgerTransaction is one balanced ledger transaction.
type LedgerTransaction struct {
	Seq      int64        `json:"seq"`
	ID       string       `json:"id"`
	Kind     string       `json:"kind"`
	OrderID  string       `json:"order_id,omitempty"`
	Ref      string       `json:"ref,omitempty"`
	RuleIDs  []string     `json:"rule_ids"`
	At       time.Time    `json:"at"`
	Digest   string       `json:"digest"`
	Postings []LedgerLine `json:"postings"`
}

// LedgerTotals sums an order's money by movement (fen).
type LedgerTotals struct {
	Paid                int64 `json:"paid"`
	Released            int64 `json:"released"`
	Refunded            int64 `json:"refunded"`
	Escrow              int64 `json:"escrow"`
	Frozen              int64 `json:"frozen"`
	Advanced            int64 `json:"advanced"`
	Compensated         int64 `json:"compensated"`
	RefundedFromDeposit int64 `json:"refunded_from_deposit"`
	Transactions        int   `json:"transactions"`
}

// OrderLedger is an order's ledger: its transactions and totals (fen).
type OrderLedger struct {
	OrderID      string              `json:"order_id"`
	Transactions []LedgerTransaction `json:"transactions"`
	Totals       LedgerTotals        `json:"totals"`
	Balanced     bool                `json:"balanced"`
}

// PutOrder creates or updates an order.
func (c *Client) PutOrder(ctx context.Context, id string, in OrderInput, opts ...Option) (*Order, error) {
	return call[Order](ctx, c, http.MethodPut, "/v1/orders/"+url.PathEscape(id), in, opts)
}

// GetOrder reads an order.
func (c *Client) GetOrder(ctx context.Context, id string, opts ...Option) (*Order, error) {
	return call[Order](ctx, c, http.MethodGet, "/v1/orders/"+url.PathEscape(id), nil, opts)
}

// OrderEvent reports an order fact.
func (c *Client) OrderEvent(ctx context.Context, id string, ev OrderEvent, opts ...Option) (*Order, error) {
	return call[Order](ctx, c, http.MethodPost, "/v1/orders/"+url.PathEscape(id)+"/events", ev, opts)
}

// OrderLedger reads an order's ledger postings.
func (c *Client) OrderLedger(ctx context.Context, id string, opts ...Option) (*OrderLedger, error) {
	return call[OrderLedger](ctx, c, http.MethodGet, "/v1/orders/"+url.PathEscape(id)+"/ledger", nil, opts)
}

// CreateAftersale opens an after-sales request (as the buyer: ActAs with an
// integration key).
func (c *Client) CreateAftersale(ctx context.Context, in CreateAftersale, opts ...Option) (*Aftersale, error) {
	return call[Aftersale](ctx, c, http.MethodPost, "/v1/aftersales", in, opts)
}

// GetAftersale reads a request.
func (c *Client) GetAftersale(ctx context.Context, id string, opts ...Option) (*Aftersale, error) {
	return call[Aftersale](ctx, c, http.MethodGet, "/v1/aftersales/"+url.PathEscape(id), nil, opts)
}

// Act performs an action on a request (agree, refuse, ship-return,
// confirm-return, cancel, escalate …); body may be nil.
func (c *Client) Act(ctx context.Context, id, action string, body any, opts ...Option) (*Aftersale, error) {
	return act[Aftersale](ctx, c, "aftersales", id, action, body, opts)
}

// AftersaleEvents lists a request's history.
func (c *Client) AftersaleEvents(ctx context.Context, id string, opts ...Option) ([]Event, error) {
	var out []Event
	for e, err := range List[Event](ctx, c, "/v1/aftersales/"+url.PathEscape(id)+"/events", opts...) {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}
