// Package order holds the order facts the marketplace pushes in (SPEC §2) and
// the rules that refuse impossible ones: shipped before paid, negative
// amounts, a completed order paid again, facts dated before the facts they
// follow. Refunds counted against the order cap every after-sales request at
// what was paid and not yet refunded (rule ours-refund-cap), and a request on
// items (子订单) at what those items can still refund (ItemRefundable).
//
// 自动确认收货: a shipped order confirms receipt by itself after
// order.auto_confirm_receipt (StartReceipt, AutoConfirm); the buyer may
// extend it once by order.extend_receipt (ExtendReceipt, 延长收货); an open
// after-sales request pauses it and the paused time is added back
// (PauseReceipt, ResumeReceipt). Items carry whether 7-day no-reason return
// applies (NoReasonExcluded: 网络购买商品七日无理由退货暂行办法 arts. 6–7,
// cn-7day-return-6 / -7).
package order

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
)

// Status mirrors the Taobao trade statuses.
type Status string

// Order statuses.
const (
	WaitBuyerPay          Status = "WAIT_BUYER_PAY"
	WaitSellerSendGoods   Status = "WAIT_SELLER_SEND_GOODS"
	WaitBuyerConfirmGoods Status = "WAIT_BUYER_CONFIRM_GOODS"
	TradeFinished         Status = "TRADE_FINISHED"
	TradeClosed           Status = "TRADE_CLOSED"
)

// Item is one line of an order.
type Item struct {
	// ID is the item's sub-order id (子订单号, TOP oid); a request names
	// items by it, or by position ("0", "1", …) when the marketplace gives
	// none (ItemKey).
	ID       string    `json:"id,omitempty"`
	SKU      string    `json:"sku,omitempty"`
	Title    string    `json:"title"`
	Quantity int       `json:"quantity"`
	Price    money.Fen `json:"price"`
	// Category is the item's category when it differs from the order's.
	Category string `json:"category,omitempty"`
	// NoReasonReturn is whether 7-day no-reason return applies to the item,
	// as the marketplace says: false for goods the law excludes (网络购买商品
	// 七日无理由退货暂行办法 art. 6) or that the buyer confirmed at purchase
	// (art. 7); true when the seller allows it anyway; absent: the rule
	// book's category default (aftersale.no_reason_excluded).
	NoReasonReturn *bool `json:"no_reason_return,omitempty"`
}

// Exclusion is an item 7-day no-reason return does not apply to, and why.
type Exclusion struct {
	Item  int    // index in Items
	Title string // the item's title
	Rule  string // the article: cn-7day-return-6 or cn-7day-return-7
	Why   string // zh / en
}

// NoReasonExcluded returns the first item of o that 7-day no-reason return
// does not apply to, or nil. excluded are the rule book's categories
// (aftersale.no_reason_excluded, art. 6: rule6); confirmed says whether goods
// the marketplace marks as confirmed at purchase are excluded
// (aftersale.no_reason_confirmed, art. 7: rule7). An item the marketplace
// marks true is returnable whatever its category (the seller may allow more
// than the law asks).
func NoReasonExcluded(o Order, excluded []string, rule6 string, confirmed bool, rule7 string) *Exclusion {
	for i, it := range o.Items {
		cat := it.Category
		if cat == "" {
			cat = o.Category
		}
		byCategory := cat != "" && slices.Contains(excluded, cat)
		switch {
		case it.NoReasonReturn != nil && *it.NoReasonReturn:
			continue
		case byCategory:
			return &Exclusion{Item: i, Title: it.Title, Rule: rule6,
				Why: fmt.Sprintf("商品“%s”属于%s类，依法不适用七日无理由退货 / item %q is in category %s, which the law excludes from 7-day no-reason returns", it.Title, cat, it.Title, cat)}
		case it.NoReasonReturn != nil && confirmed:
			return &Exclusion{Item: i, Title: it.Title, Rule: rule7,
				Why: fmt.Sprintf("商品“%s”经买家购买时确认不适用七日无理由退货 / item %q was confirmed at purchase as not returnable without reason", it.Title, it.Title)}
		}
	}
	return nil
}

// Facts are what the marketplace upserts with PUT /v1/orders/{id}.
type Facts struct {
	BuyerID       string     `json:"buyer_id"`
	SellerID      string     `json:"seller_id"`
	Category      string     `json:"category"`
	Items         []Item     `json:"items"`
	Amount        money.Fen  `json:"amount"`
	Postage       money.Fen  `json:"postage"`
	PresaleShipBy *time.Time `json:"presale_ship_by,omitempty"`
	Services      []string   `json:"services,omitempty"`
	PaymentMethod string     `json:"payment_method,omitempty"`
	BuyerPremium  bool       `json:"buyer_premium,omitempty"`
	// BuyerNick and SellerNick are the names the marketplace shows for its
	// parties (TOP trade buyer_nick / seller_nick: the buyer's nickname,
	// the shop's name). Pages name a party without a web user by them, a
	// buyer's masked for the seller and in queues.
	BuyerNick  string `json:"buyer_nick,omitempty"`
	SellerNick string `json:"seller_nick,omitempty"`
	// ShippingInsurance: the order carries return-shipping insurance (运费险,
	// set by the marketplace): its premium is booked to the insurer at
	// payment and an insured return that is refunded has its postage paid
	// by the insurer (protection.shipping_insurance_*).
	ShippingInsurance bool `json:"shipping_insurance,omitempty"`
}

// Order is the stored order.
type Order struct {
	ID string `json:"id"`
	Facts
	Status      Status     `json:"status"`
	PaidAt      *time.Time `json:"paid_at,omitempty"`
	ShipBy      *time.Time `json:"ship_by,omitempty"`
	ShippedAt   *time.Time `json:"shipped_at,omitempty"`
	Carrier     string     `json:"carrier,omitempty"`
	TrackingNo  string     `json:"tracking_no,omitempty"`
	FirstScanAt *time.Time `json:"first_scan_at,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	SignedBy    string     `json:"signed_by,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	Refunded    money.Fen  `json:"refunded"`
	// 自动确认收货 (order.auto_confirm_receipt): when a shipped order's
	// receipt is confirmed by itself, releasing its escrow to the seller.
	// While an after-sales request is open the clock is paused
	// (AutoConfirmPausedAt) and the paused time is added back when it ends.
	AutoConfirmAt       *time.Time `json:"auto_confirm_at,omitempty"`
	AutoConfirmPausedAt *time.Time `json:"auto_confirm_paused_at,omitempty"`
	AutoConfirmRule     string     `json:"auto_confirm_rule_id,omitempty"`
	// ReceiptExtended: the buyer extended the receipt period (延长收货,
	// order.extend_receipt), which it may do once.
	ReceiptExtended bool `json:"receipt_extended,omitempty"`
	// ItemRefunded is what per-item requests refunded, by item key.
	ItemRefunded map[string]money.Fen `json:"item_refunded,omitempty"`
	Version      int64                `json:"version"`
	CreatedAt    time.Time            `json:"created_at"`
	UpdatedAt    time.Time            `json:"updated_at"`
}

// Fact kinds for POST /v1/orders/{id}/events.
const (
	FactPaid      = "paid"
	FactShipped   = "shipped"
	FactFirstScan = "first_scan"
	FactDelivered = "delivered"
	FactCompleted = "completed"
	FactCancelled = "cancelled"
)

// FactKinds lists the accepted fact kinds.
var FactKinds = []string{FactPaid, FactShipped, FactFirstScan, FactDelivered, FactCompleted, FactCancelled}

// Fact is one lifecycle fact.
type Fact struct {
	Type       string    `json:"type"`
	At         time.Time `json:"at"`
	Carrier    string    `json:"carrier,omitempty"`
	TrackingNo string    `json:"tracking_no,omitempty"`
	SignedBy   string    `json:"signed_by,omitempty"`
}

// MaxAmount is the largest order total accepted, in fen (¥100,000,000):
// far above any order, far below where sums of fen could overflow.
const MaxAmount money.Fen = 100_000_000_00

// MaxQuantity is the largest quantity of an order line.
const MaxQuantity = 1_000_000

// MaxNickRunes bounds a party's name on an order.
const MaxNickRunes = 64

// ValidateFacts checks upserted facts; for an existing order it also refuses
// changes that would rewrite money or parties after payment.
func ValidateFacts(f Facts, existing *Order) error {
	if strings.TrimSpace(f.BuyerID) == "" {
		return fault.Field("buyer_id", "买家ID不能为空 / buyer_id is required")
	}
	if strings.TrimSpace(f.SellerID) == "" {
		return fault.Field("seller_id", "卖家ID不能为空 / seller_id is required")
	}
	for _, n := range []struct{ field, v string }{{"buyer_nick", f.BuyerNick}, {"seller_nick", f.SellerNick}} {
		if utf8.RuneCountInString(n.v) > MaxNickRunes {
			return fault.Field(n.field, "名称不能超过 %d 字 / %s is at most %d characters", MaxNickRunes, n.field, MaxNickRunes)
		}
		if strings.TrimSpace(n.v) != n.v || strings.ContainsFunc(n.v, unicode.IsControl) {
			return fault.Field(n.field, "名称不能含首尾空白或控制字符 / %s must not have surrounding spaces or control characters", n.field)
		}
	}
	if f.BuyerID == f.SellerID {
		return fault.Field("seller_id", "买家与卖家不能相同 / buyer and seller must differ")
	}
	if f.Amount <= 0 {
		return fault.Field("amount", "订单金额必须大于0（单位：分） / amount must be positive, in fen")
	}
	if f.Amount > MaxAmount {
		return fault.Field("amount", "订单金额不能超过 %d 分 / amount must not exceed %d fen", MaxAmount, MaxAmount)
	}
	if f.Postage < 0 {
		return fault.Field("postage", "运费不能为负 / postage must not be negative")
	}
	if f.Postage > f.Amount {
		return fault.Field("postage", "运费不能超过订单金额 / postage cannot exceed the amount")
	}
	var sum money.Fen // of the items, bounded by MaxAmount at every step: no overflow
	for i, it := range f.Items {
		if it.Quantity <= 0 {
			return fault.Field(fieldIdx("items", i, "quantity"), "数量必须大于0 / quantity must be positive")
		}
		if it.Quantity > MaxQuantity {
			return fault.Field(fieldIdx("items", i, "quantity"), "数量不能超过 %d / quantity must not exceed %d", MaxQuantity, MaxQuantity)
		}
		if it.Price < 0 {
			return fault.Field(fieldIdx("items", i, "price"), "单价不能为负 / price must not be negative")
		}
		if it.Price > MaxAmount || money.Fen(it.Quantity) > (MaxAmount-sum)/max(it.Price, 1) {
			return fault.Field(fieldIdx("items", i, "price"), "商品金额合计超过 %d 分 / the items add up to more than %d fen", MaxAmount, MaxAmount)
		}
		sum += it.Price * money.Fen(it.Quantity)
		if strings.TrimSpace(it.Title) == "" {
			return fault.Field(fieldIdx("items", i, "title"), "商品标题不能为空 / title is required")
		}
	}
	// The total is what the items and the postage come to, less any
	// discount (coupons): never more.
	if len(f.Items) > 0 && f.Amount > sum+f.Postage {
		return fault.Field("amount", "订单金额 %d 分超过商品合计与运费之和 %d 分 / amount %d exceeds the items plus postage, %d fen", f.Amount, sum+f.Postage, f.Amount, sum+f.Postage)
	}
	if existing != nil && existing.Status != WaitBuyerPay {
		if f.Amount != existing.Amount || f.Postage != existing.Postage {
			return fault.Field("amount", "订单已付款，金额不可修改 / the order is paid: its amount cannot change")
		}
		if f.BuyerID != existing.BuyerID || f.SellerID != existing.SellerID {
			return fault.Field("buyer_id", "订单已付款，买卖双方不可修改 / the order is paid: its parties cannot change")
		}
	}
	return nil
}

func fieldIdx(base string, i int, leaf string) string {
	return base + "[" + itoa(i) + "]." + leaf
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	return string(b)
}

// Apply checks a fact against the order and returns the order with it
// recorded. shipBy is the ship-by window of the rule book.
func Apply(o Order, f Fact, shipBy time.Duration) (Order, error) {
	if f.At.IsZero() {
		return o, fault.Field("at", "必须给出事实发生时间 / at is required")
	}
	at := f.At.UTC()
	notBefore := func(prev *time.Time, what string) error {
		if prev != nil && at.Before(*prev) {
			return fault.Field("at", "时间早于%s（%s） / at is before %s (%s)", what, prev.Format(time.RFC3339), what, prev.Format(time.RFC3339))
		}
		return nil
	}
	switch f.Type {
	case FactPaid:
		switch o.Status {
		case WaitBuyerPay:
		case TradeFinished:
			return o, conflict(o, "交易已成功，不能再次付款 / the order is completed: it cannot be paid again")
		case TradeClosed:
			return o, conflict(o, "交易已关闭，不能付款 / the order is closed: it cannot be paid")
		default:
			return o, conflict(o, "订单已付款 / the order is already paid")
		}
		o.PaidAt = &at
		by := at.Add(shipBy)
		if o.PresaleShipBy != nil {
			by = o.PresaleShipBy.UTC()
		}
		o.ShipBy = &by
		o.Status = WaitSellerSendGoods
	case FactShipped:
		if o.PaidAt == nil {
			return o, conflict(o, "订单未付款，不能发货 / the order is not paid: it cannot ship")
		}
		if o.ShippedAt != nil {
			return o, conflict(o, "订单已发货 / the order has already shipped")
		}
		if o.Status != WaitSellerSendGoods {
			return o, conflict(o, "订单状态不允许发货 / the order cannot ship in this status")
		}
		if strings.TrimSpace(f.Carrier) == "" {
			return o, fault.Field("carrier", "发货须填写物流公司 / carrier is required")
		}
		if strings.TrimSpace(f.TrackingNo) == "" {
			return o, fault.Field("tracking_no", "发货须填写运单号 / tracking_no is required")
		}
		if err := notBefore(o.PaidAt, "付款 / payment"); err != nil {
			return o, err
		}
		o.ShippedAt, o.Carrier, o.TrackingNo = &at, f.Carrier, f.TrackingNo
		o.Status = WaitBuyerConfirmGoods
	case FactFirstScan:
		if o.ShippedAt == nil {
			return o, conflict(o, "订单未发货，不能有揽收记录 / the order has not shipped: no carrier scan yet")
		}
		if o.FirstScanAt != nil {
			return o, conflict(o, "已记录首次揽收 / the first carrier scan is already recorded")
		}
		if err := notBefore(o.PaidAt, "付款 / payment"); err != nil {
			return o, err
		}
		o.FirstScanAt = &at
	case FactDelivered:
		if o.ShippedAt == nil {
			return o, conflict(o, "订单未发货，不能签收 / the order has not shipped: it cannot be delivered")
		}
		if o.DeliveredAt != nil {
			return o, conflict(o, "订单已签收 / the order is already delivered")
		}
		if err := notBefore(o.ShippedAt, "发货 / shipment"); err != nil {
			return o, err
		}
		o.DeliveredAt, o.SignedBy = &at, f.SignedBy
	case FactCompleted:
		if o.Status != WaitBuyerConfirmGoods {
			return o, conflict(o, "只有已发货的订单可以确认收货 / only a shipped order can complete")
		}
		if err := notBefore(o.ShippedAt, "发货 / shipment"); err != nil {
			return o, err
		}
		if err := notBefore(o.DeliveredAt, "签收 / delivery"); err != nil {
			return o, err
		}
		o.CompletedAt = &at
		o.Status = TradeFinished
	case FactCancelled:
		if o.Status != WaitBuyerPay && o.Status != WaitSellerSendGoods {
			return o, conflict(o, "已发货或已结束的订单不能取消 / a shipped or finished order cannot be cancelled")
		}
		if o.Status == WaitSellerSendGoods && o.Refunded < o.Amount {
			return o, conflict(o, "已付款订单须先全额退款才能关闭 / a paid order closes only after a full refund")
		}
		o.CancelledAt = &at
		o.Status = TradeClosed
	default:
		return o, fault.Field("type", "未知的订单事实 %q（可选：%s） / unknown fact type %q (one of %s)", f.Type, strings.Join(FactKinds, ", "), f.Type, strings.Join(FactKinds, ", "))
	}
	return o, nil
}

// Refundable is what can still be refunded: paid and not yet refunded.
func (o Order) Refundable() money.Fen {
	if o.PaidAt == nil {
		return 0
	}
	return o.Amount - o.Refunded
}

// RecordRefund adds a successful refund. A full refund closes the trade
// (Taobao: 交易关闭). It refuses a refund above what is refundable.
func RecordRefund(o Order, amount money.Fen, at time.Time) (Order, error) {
	if amount < 0 || amount > o.Refundable() {
		return o, fault.New(fault.Conflict, "退款金额 %s 超过可退金额 %s / refund %s exceeds the refundable %s", amount, o.Refundable(), amount, o.Refundable())
	}
	o.Refunded += amount
	if o.Refunded == o.Amount {
		o.Status = TradeClosed
		t := at
		o.CancelledAt = &t
	}
	return o, nil
}

// ReverseRefund takes back a refund that was paid over to the seller after
// all (调帐: a 极速退款 whose refusal of receipt was upheld): the refunded
// total and the items' allocations go down by amount (the items' last
// first), and a trade the refund had closed is finished instead, its money
// now the seller's. Errors: Conflict when amount exceeds what was refunded.
func ReverseRefund(o Order, items []string, amount money.Fen, at time.Time) (Order, error) {
	if amount < 0 || amount > o.Refunded {
		return o, fault.New(fault.Conflict, "撤回退款 %s 超过已退金额 %s / reversing %s exceeds the refunded %s", amount, o.Refunded, amount, o.Refunded)
	}
	closedByRefund := o.Status == TradeClosed && o.Refunded == o.Amount && o.ShippedAt != nil
	o.Refunded -= amount
	if len(items) > 0 && len(o.ItemRefunded) > 0 {
		alloc := make(map[string]money.Fen, len(o.ItemRefunded))
		for k, v := range o.ItemRefunded {
			alloc[k] = v
		}
		rest := amount
		for i := len(items) - 1; i >= 0 && rest > 0; i-- {
			n := min(alloc[items[i]], rest)
			alloc[items[i]] -= n
			rest -= n
		}
		o.ItemRefunded = alloc
	}
	if closedByRefund && o.Refunded < o.Amount {
		t := at
		o.Status, o.CancelledAt, o.CompletedAt = TradeFinished, nil, &t
	}
	return o, nil
}

func conflict(o Order, msg string) error {
	return &fault.Error{Code: fault.Conflict, Message: msg, Status: string(o.Status)}
}

// StartReceipt starts the auto-confirmation clock of a shipped order: d
// (order.auto_confirm_receipt, rule) after shipment.
func StartReceipt(o Order, d time.Duration, rule string) Order {
	if o.ShippedAt == nil || o.Status != WaitBuyerConfirmGoods {
		return o
	}
	at := o.ShippedAt.Add(d)
	o.AutoConfirmAt, o.AutoConfirmPausedAt, o.AutoConfirmRule = &at, nil, rule
	return o
}

// PauseReceipt pauses a running auto-confirmation clock (an after-sales
// request opened on the order).
func PauseReceipt(o Order, now time.Time) Order {
	if o.AutoConfirmAt == nil || o.AutoConfirmPausedAt != nil {
		return o
	}
	t := now.UTC()
	o.AutoConfirmPausedAt = &t
	return o
}

// ResumeReceipt resumes a paused clock, adding the time it was paused to
// the due time (the request ended).
func ResumeReceipt(o Order, now time.Time) Order {
	if o.AutoConfirmAt == nil || o.AutoConfirmPausedAt == nil {
		return o
	}
	at := *o.AutoConfirmAt
	if d := now.Sub(*o.AutoConfirmPausedAt); d > 0 {
		at = at.Add(d)
	}
	o.AutoConfirmAt, o.AutoConfirmPausedAt = &at, nil
	return o
}

// ExtendReceipt is the buyer's 延长收货: once per order, while the order
// waits for the buyer's confirmation, the due time moves by d
// (order.extend_receipt, rule). Errors: Conflict naming the rule.
func ExtendReceipt(o Order, d time.Duration, rule string) (Order, error) {
	switch {
	case o.Status != WaitBuyerConfirmGoods || o.AutoConfirmAt == nil:
		return o, &fault.Error{Code: fault.Conflict, Status: string(o.Status), Rule: rule,
			Message: "只有已发货、待确认收货的订单可以延长收货 / only a shipped order awaiting the buyer's confirmation can be extended"}
	case o.ReceiptExtended:
		return o, &fault.Error{Code: fault.Conflict, Status: string(o.Status), Rule: rule,
			Message: "每笔订单只能延长收货一次 / the receipt period of an order can be extended once"}
	}
	at := o.AutoConfirmAt.Add(d)
	o.AutoConfirmAt, o.ReceiptExtended = &at, true
	return o, nil
}

// AutoConfirmDue is when the order confirms receipt by itself, or nil when
// its clock does not run (not shipped, finished, closed or paused).
func (o Order) AutoConfirmDue() *time.Time {
	if o.Status != WaitBuyerConfirmGoods || o.AutoConfirmAt == nil || o.AutoConfirmPausedAt != nil {
		return nil
	}
	at := *o.AutoConfirmAt
	return &at
}

// AutoConfirm confirms receipt when the clock has run out: the completed
// fact at the due time. Errors: Conflict when the clock does not run or is
// not due.
func AutoConfirm(o Order, now time.Time) (Order, Fact, error) {
	due := o.AutoConfirmDue()
	if due == nil || now.Before(*due) {
		return o, Fact{}, conflict(o, "自动确认收货时间未到或已暂停 / auto-confirmation is not due or is paused")
	}
	f := Fact{Type: FactCompleted, At: *due}
	if o.DeliveredAt != nil && due.Before(*o.DeliveredAt) {
		f.At = *o.DeliveredAt
	}
	next, err := Apply(o, f, 0)
	return next, f, err
}

// GoodsPrice is the price of the goods a request targets (price ×
// quantity of the items named by keys; every item when keys is empty),
// without postage; an order without items: its amount less postage.
func (o Order) GoodsPrice(keys []string) money.Fen {
	var sum money.Fen
	for i, it := range o.Items {
		if len(keys) == 0 || slices.Contains(keys, o.ItemKey(i)) {
			sum += it.Price * money.Fen(max(it.Quantity, 1))
		}
	}
	if len(o.Items) == 0 {
		sum = max(o.Amount-o.Postage, 0)
	}
	return sum
}

// ItemKey names item i of o for a request: its ID, or its position.
func (o Order) ItemKey(i int) string {
	if id := o.Items[i].ID; id != "" {
		return id
	}
	return itoa(i)
}

// ItemKeys are the keys of o's items, in order.
func (o Order) ItemKeys() []string {
	out := make([]string, len(o.Items))
	for i := range o.Items {
		out[i] = o.ItemKey(i)
	}
	return out
}

// ItemRefundable is what can still be refunded on an item (子订单): its
// price × quantity less what per-item requests refunded on it, and never
// more than the order's refundable. ok is false for an unknown key.
func (o Order) ItemRefundable(key string) (money.Fen, bool) {
	for i, it := range o.Items {
		if o.ItemKey(i) == key {
			left := it.Price*money.Fen(it.Quantity) - o.ItemRefunded[key]
			return max(min(left, o.Refundable()), 0), true
		}
	}
	return 0, false
}

// RecordItemRefund adds a per-item request's refund, allocated over its
// items in order up to what each can still refund, and records it on the
// order (RecordRefund). Errors: Conflict when the amount exceeds what the
// items or the order can refund.
func RecordItemRefund(o Order, items []string, amount money.Fen, at time.Time) (Order, error) {
	next, err := RecordRefund(o, amount, at)
	if err != nil || len(items) == 0 {
		return next, err
	}
	alloc := make(map[string]money.Fen, len(o.ItemRefunded)+len(items))
	for k, v := range o.ItemRefunded {
		alloc[k] = v
	}
	rest := amount
	for _, k := range items {
		left, ok := o.ItemRefundable(k)
		if !ok {
			return o, fault.New(fault.Conflict, "订单没有商品 %s / the order has no item %s", k, k)
		}
		n := min(left, rest)
		alloc[k] += n
		rest -= n
	}
	if rest > 0 {
		return o, fault.New(fault.Conflict, "退款 %s 超过所选商品的可退金额 / the refund %s exceeds what the items can refund", amount, amount)
	}
	next.ItemRefunded = alloc
	return next, nil
}
