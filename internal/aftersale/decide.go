package aftersale

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/policy"
)

// Allowed returns the actions a role may take on the request now.
func Allowed(s State, role Role) []Action {
	var out []Action
	for _, a := range Actions {
		if r := actorOf[a]; (role == "" || r == role) && allowedInState(s, a) {
			out = append(out, a)
		}
	}
	return out
}

// AllowedAll returns every action any party may take now.
func AllowedAll(s State) []Action { return Allowed(s, "") }

func allowedInState(s State, a Action) bool {
	iv := s.Intervention != nil
	switch s.Status {
	case WaitSellerAgree:
		return a == Agree || a == Refuse || (a == CounterOffer && s.Type != Exchange) || a == Cancel
	case SellerRefuseBuyer:
		switch a {
		case Agree, Cancel:
			return true
		case AcceptOffer:
			return s.Offer != nil && !iv
		case Modify, Escalate:
			return !iv
		}
	case WaitBuyerReturnGoods:
		return a == ShipReturn || a == Cancel
	case WaitSellerConfirmGoods:
		switch a {
		case ConfirmReturn:
			return true
		case Cancel:
			// An instant refund paid: nothing left to withdraw.
			return !s.InstantRefund.Open()
		case RefuseReceipt:
			return !iv
		}
	}
	return false
}

// Decide checks a command against the request, its order and the rule book
// and returns the events it causes. It never reads the clock: now is given.
// Errors: Forbidden (the role never takes this action), Conflict (not allowed
// in the current status, with the allowed actions), Invalid (bad input).
func Decide(s State, o OrderView, c Command, b *policy.Book, now time.Time) ([]Event, error) {
	role, ok := actorOf[c.Action]
	if !ok {
		return nil, fault.Field("action", "未知操作 %q / unknown action %q", c.Action, c.Action)
	}
	if c.Actor.Role != role {
		return nil, &fault.Error{Code: fault.Forbidden, Message: fmt.Sprintf("只有%s可以执行 %s / only the %s may %s", roleZH(role), c.Action, role, c.Action), Status: string(s.Status), Allowed: actor.Strings(Allowed(s, c.Actor.Role))}
	}
	ev := Event{Head: Head{Actor: c.Actor, At: now, PolicyVersion: b.Version}}
	if c.Action == Create {
		if s.Status != "" {
			return nil, conflict(s, "申请已存在 / the request already exists")
		}
		return decideCreate(s, o, c, b, now, ev)
	}
	if c.Action == Expire {
		return decideExpire(s, o, c, b, now, ev)
	}
	if c.Action == Execute {
		return decideExecute(s, o, c, b, now, ev)
	}
	if c.Action == Revise {
		return decideRevise(s, o, c, b, now, ev)
	}
	if c.ExpectVersion != 0 && c.ExpectVersion != s.Version {
		return nil, &fault.Error{Code: fault.PreconditionFailed, Field: "If-Match", Status: string(s.Status), Allowed: actor.Strings(AllowedAll(s)),
			Message: fmt.Sprintf("申请已变化：你看到的是版本 %d，当前为版本 %d（%s） / the request changed: you saw version %d, it is now version %d (%s)", c.ExpectVersion, s.Version, s.Status, c.ExpectVersion, s.Version, s.Status)}
	}
	if !allowedInState(s, c.Action) {
		return nil, conflict(s, fmt.Sprintf("当前状态 %s 不允许 %s / %s is not allowed in status %s", s.Status, c.Action, c.Action, s.Status))
	}
	evs, err := decideAction(s, o, c, b, now, ev)
	for i := range evs {
		if evs[i].Reason == "" {
			evs[i].Reason = defaultReason[evs[i].Type]
		}
	}
	return evs, err
}

// defaultReason describes a party's action when the party gave no words of its own.
var defaultReason = map[EventType]string{
	EvAgreed:          "卖家同意申请 / the seller agreed",
	EvOfferAccepted:   "买家接受卖家的协商方案 / the buyer accepted the seller's offer",
	EvModified:        "买家修改后重新申请 / the buyer modified and re-applied",
	EvEscalated:       "买家申请平台介入 / the buyer asked the platform to intervene",
	EvReturnShipped:   "买家已退货 / the buyer shipped the return",
	EvCancelled:       "买家撤销申请 / the buyer withdrew the request",
	EvReturnConfirmed: "卖家确认收到退货，退款执行 / the seller confirmed the returned goods: refund executed",
}

func decideAction(s State, o OrderView, c Command, b *policy.Book, now time.Time, ev Event) ([]Event, error) {
	switch c.Action {
	case Agree:
		rules, addr, err := checkAgree(s, c, b)
		if err != nil {
			return nil, err
		}
		e := agreeEvent(s, o, b, now, ev, EvAgreed, strings.TrimSpace(c.Note))
		e.Data.ReasonCode, e.Data.ReturnAddress = c.ReasonCode, addr
		e.RuleIDs = append(e.RuleIDs, rules...)
		return []Event{e}, nil
	case Refuse:
		if err := checkRefusal(c, "拒绝", "a refusal"); err != nil {
			return nil, err
		}
		codeRule, err := checkReasonCode(b, "aftersale.refuse_reason_codes", c.ReasonCode, true)
		if err != nil {
			return nil, err
		}
		ev.Type, ev.Reason = EvRefused, c.Note
		ev.Data.Refusal = &Refusal{Code: c.ReasonCode, Reason: c.Note, Evidence: slices.Clone(c.Evidence)}
		ev.Data.Deadline, ev.RuleIDs = deadline(b, BuyerAnswerRefusal, Buyer, now)
		ev.RuleIDs = append(ev.RuleIDs, codeRule)
		return []Event{ev}, nil
	case CounterOffer:
		if c.Amount <= 0 || c.Amount >= s.Amount {
			return nil, fault.Field("amount", "协商金额须大于0且小于申请金额 %s / the offer must be above 0 and below the requested %s", s.Amount, s.Amount)
		}
		if c.Amount > o.Refundable {
			return nil, fault.Field("amount", "协商金额超过可退金额 %s / the offer exceeds the refundable %s", o.Refundable, o.Refundable)
		}
		if err := checkEvidence(c.Evidence); err != nil {
			return nil, err
		}
		ev.Type, ev.Reason = EvCounterOffered, c.Note
		ev.Data.Offer = &Offer{Amount: c.Amount, Note: c.Note}
		ev.Data.Refusal = &Refusal{Reason: c.Note, Evidence: slices.Clone(c.Evidence)}
		ev.Data.Deadline, ev.RuleIDs = deadline(b, BuyerAnswerRefusal, Buyer, now)
		return []Event{ev}, nil
	case AcceptOffer:
		if s.Offer.Amount > o.Refundable {
			return nil, conflict(s, fmt.Sprintf("协商金额超过可退金额 %s / the offer exceeds the refundable %s", o.Refundable, o.Refundable))
		}
		ev.Type, ev.Reason = EvOfferAccepted, c.Note
		ev.Data.Refund = s.Offer.Amount
		ev.RuleIDs = []string{b.ID("aftersale.refund_cap")}
		return []Event{ev}, nil
	case Modify:
		t, r, amount := s.Type, s.Reason, s.Amount
		if c.Type != "" {
			t = c.Type
		}
		if c.Reason != "" {
			r = c.Reason
		}
		if c.Amount != 0 {
			amount = c.Amount
		}
		// Windows (7-day no-reason, after completion) are judged at the
		// original application: a buyer who applied in time may still modify.
		rules, err := checkRequest(t, r, amount, itemsCap(s.Items, o), o, b, s.CreatedAt)
		if err != nil {
			return nil, err
		}
		ev.Type, ev.Reason = EvModified, c.Note
		ev.Data.Type, ev.Data.Reason, ev.Data.Amount = t, r, amount
		ev.Data.Description = s.Description
		if c.Description != "" {
			ev.Data.Description = c.Description
		}
		var id []string
		ev.Data.Deadline, id = deadline(b, SellerRespond, Seller, now)
		ev.RuleIDs = append(id, rules...)
		return []Event{ev}, nil
	case Escalate:
		if err := checkEscalation(o, b, now); err != nil {
			return nil, err
		}
		ev.Type, ev.Reason = EvEscalated, c.Note
		ev.Data.Intervention = &Intervention{RequestedBy: Buyer, RequestedAt: now, Reason: c.Note}
		ev.RuleIDs = []string{"taobao-dispute-2"}
		return []Event{ev}, nil
	case ShipReturn:
		if strings.TrimSpace(c.Carrier) == "" {
			return nil, fault.Field("carrier", "须填写退货物流公司 / carrier is required")
		}
		if strings.TrimSpace(c.TrackingNo) == "" {
			return nil, fault.Field("tracking_no", "须填写退货运单号 / tracking_no is required")
		}
		if c.Postage < 0 || c.Postage > 100000000 {
			return nil, fault.Field("postage", "退货运费须为 0–100000000 分 / postage must be 0–100000000 fen")
		}
		ev.Type = EvReturnShipped
		ev.Data.Return = &Return{Carrier: c.Carrier, TrackingNo: c.TrackingNo, ShippedAt: now, Postage: c.Postage}
		ev.Data.Deadline, ev.RuleIDs = deadline(b, SellerConfirmReturn, Seller, now)
		if ir := instantRefund(s, o, b, now); ir != nil {
			ev.Data.InstantRefund, ev.Data.Refund = ir, ir.Amount
			ev.Reason = "买家已退货，极速退款：先行赔付基金先行退款，卖家确认收货后以冻结货款归还 / the buyer shipped the return: instant refund paid by the guarantee fund, repaid from the frozen escrow when the seller confirms"
			ev.RuleIDs = append(ev.RuleIDs, ir.RuleID, b.ID("aftersale.refund_cap"))
		}
		return []Event{ev}, nil
	case Cancel:
		ev.Type, ev.Reason = EvCancelled, c.Note
		ev.Data.ClosedReason = "buyer_cancelled"
		if s.Intervention != nil {
			ev.Data.ClosedReason = "buyer_cancelled_intervention"
		}
		return []Event{ev}, nil
	case ConfirmReturn:
		e := refundEvent(s, o, b, ev, EvReturnConfirmed)
		e.Reason = strings.TrimSpace(c.Note)
		return []Event{e}, nil
	case RefuseReceipt:
		if err := checkRefusal(c, "拒绝签收", "refusing the returned goods"); err != nil {
			return nil, err
		}
		ev.Type, ev.Reason = EvReceiptRefused, c.Note
		ev.Data.Refusal = &Refusal{Reason: c.Note, Evidence: slices.Clone(c.Evidence)}
		ev.Data.Intervention = &Intervention{RequestedBy: Seller, RequestedAt: now, Reason: c.Note}
		ev.RuleIDs = []string{"taobao-dispute-38"}
		return []Event{ev}, nil
	}
	return nil, fault.Field("action", "未知操作 %q / unknown action %q", c.Action, c.Action)
}

func decideCreate(s State, o OrderView, c Command, b *policy.Book, now time.Time, ev Event) ([]Event, error) {
	if c.Actor.ID != o.BuyerID {
		return nil, fault.New(fault.Forbidden, "只有订单买家可以申请售后 / only the order's buyer may open a request")
	}
	if o.PaidAt == nil {
		return nil, &fault.Error{Code: fault.Conflict, Field: "order_id", Message: "订单未付款，不能申请售后 / the order is not paid"}
	}
	if o.Closed {
		return nil, &fault.Error{Code: fault.Conflict, Field: "order_id", Message: "交易已关闭，不能申请售后 / the order is closed"}
	}
	if err := checkItems(c.Items, o); err != nil {
		return nil, err
	}
	rules, err := checkRequest(c.Type, c.Reason, c.Amount, itemsCap(c.Items, o), o, b, now)
	if err != nil {
		return nil, err
	}
	if len([]rune(c.Description)) > 2000 {
		return nil, fault.Field("description", "说明不超过2000字 / description is at most 2000 characters")
	}
	ev.Type, ev.Reason = EvRequested, "买家发起售后申请 / the buyer opened the request"
	ev.Data = Data{OrderID: o.ID, BuyerID: o.BuyerID, SellerID: o.SellerID, Type: c.Type, Reason: c.Reason,
		Description: c.Description, Amount: c.Amount, Items: slices.Clone(c.Items), GoodStatus: goodStatus(o)}
	var id []string
	ev.Data.Deadline, id = deadline(b, SellerRespond, Seller, now)
	ev.RuleIDs = append(id, rules...)
	return []Event{ev}, nil
}

// checkItems checks the items a new request targets: each an item of the
// order, once, and none held by another open request; a request on the
// whole order needs no other request open. Errors: Invalid naming
// items[i], Conflict naming the request that holds an item.
func checkItems(items []string, o OrderView) error {
	busy := func(holder, key string) error {
		return &fault.Error{Code: fault.Conflict, Field: "order_id",
			Message: fmt.Sprintf("该订单%s已有进行中的售后申请 %s / %s of the order already has an open request %s", itemZH(key), holder, itemEN(key), holder)}
	}
	if id, ok := o.Busy["*"]; ok {
		return busy(id, "*")
	}
	if len(items) == 0 {
		for _, id := range o.Busy {
			return busy(id, "*")
		}
		return nil
	}
	for i, k := range items {
		if _, ok := o.Items[k]; !ok {
			return fault.Field(fmt.Sprintf("items[%d]", i), "订单没有商品 %q / the order has no item %q", k, k)
		}
		if slices.Contains(items[:i], k) {
			return fault.Field(fmt.Sprintf("items[%d]", i), "商品 %q 重复 / item %q is named twice", k, k)
		}
		if id, ok := o.Busy[k]; ok {
			return busy(id, k)
		}
	}
	return nil
}

func itemZH(k string) string {
	if k == "*" {
		return ""
	}
	return "商品 " + k
}

func itemEN(k string) string {
	if k == "*" {
		return "the order"
	}
	return "item " + k
}

// itemsCap is what a request on items can refund: the sum of what each
// can still refund (ours-refund-cap per item), or the order's refundable
// for a request on the whole order.
func itemsCap(items []string, o OrderView) money.Fen {
	if len(items) == 0 {
		return o.Refundable
	}
	var n money.Fen
	for _, k := range items {
		n += o.Items[k]
	}
	return min(n, o.Refundable)
}

// checkRequest validates type, reason and amount (at most cap) against the
// order and returns the rule IDs it applied.
func checkRequest(t Type, r Reason, amount, cap money.Fen, o OrderView, b *policy.Book, now time.Time) ([]string, error) {
	if !slices.Contains(Types, t) {
		return nil, fault.Field("type", "售后类型须为 refund_only / return_and_refund / exchange / type must be one of refund_only, return_and_refund, exchange")
	}
	if !slices.Contains(Reasons, r) {
		return nil, fault.Field("reason", "未知的售后原因 %q / unknown reason %q", r, r)
	}
	rules := []string{b.ID("aftersale.refund_cap")}
	if t == Exchange {
		if amount != 0 {
			return nil, fault.Field("amount", "换货不退款，金额须为0 / an exchange refunds nothing: amount must be 0")
		}
	} else {
		if amount <= 0 {
			return nil, fault.Field("amount", "退款金额须大于0（单位：分） / amount must be positive, in fen")
		}
		if amount > o.Refundable {
			return nil, fault.Field("amount", "退款金额不能超过已付未退金额 %s / amount cannot exceed what was paid and not yet refunded (%s)", o.Refundable, o.Refundable)
		}
		if amount > cap {
			return nil, fault.Field("amount", "退款金额不能超过所选商品的可退金额 %s / amount cannot exceed what the items can still refund (%s)", cap, cap)
		}
	}
	if t != RefundOnly && o.ShippedAt == nil {
		return nil, fault.Field("type", "卖家未发货，只能申请仅退款 / the order has not shipped: only refund_only is possible")
	}
	if r == NotReceived && t != RefundOnly {
		return nil, fault.Field("reason", "未收到货只能申请仅退款 / not_received goes with refund_only")
	}
	if r == NotReceived && o.DeliveredAt != nil {
		rules = append(rules, b.ID("aftersale.not_received_burden"))
	}
	if r == NoReason7Day {
		got := o.DeliveredAt
		if got == nil {
			got = o.CompletedAt
		}
		if got == nil {
			return nil, fault.Field("reason", "尚未收货，不适用七天无理由退货 / goods not yet received: no 7-day no-reason return")
		}
		if x := o.NoReasonExcluded; x != nil {
			return nil, &fault.Error{Code: fault.Invalid, Field: "reason", Rule: x.Rule,
				Message: fmt.Sprintf("%s（网络购买商品七日无理由退货暂行办法第%s条） / %s (measures on 7-day no-reason returns, art. %s)", zhPart(x.Why), article(x.Rule), enPart(x.Why), article(x.Rule))}
		}
		win, id := b.Duration("aftersale.no_reason_return")
		if now.After(got.Add(win)) {
			return nil, &fault.Error{Code: fault.Invalid, Field: "reason", Rule: id, Message: fmt.Sprintf("已超过收货后%s的无理由退货期限 / the no-reason return window of %s after receipt has passed", humanDays(win), humanDays(win))}
		}
		if t == RefundOnly {
			return nil, fault.Field("type", "七天无理由须退货退款 / a no-reason return must be return_and_refund")
		}
		rules = append(rules, id)
	}
	if o.CompletedAt != nil {
		win, id := b.Duration("aftersale.window_after_completion")
		if now.After(o.CompletedAt.Add(win)) {
			return nil, &fault.Error{Code: fault.Conflict, Field: "order_id", Rule: id, Message: fmt.Sprintf("交易成功已超过%s，不能申请售后 / more than %s since completion", humanDays(win), humanDays(win))}
		}
		rules = append(rules, id)
	}
	return rules, nil
}

// checkEscalation applies SPEC §4 eligibility: the order is paid and
// shipped, or completed no more than the window ago; fully refunded orders
// are not eligible. (Negotiation came first: escalation is only allowed
// after a refusal.)
func checkEscalation(o OrderView, b *policy.Book, now time.Time) error {
	if o.PaidAt == nil || o.ShippedAt == nil {
		return &fault.Error{Code: fault.Conflict, Field: "order_id", Rule: "taobao-dispute-2",
			Message: "订单未发货，不能申请平台介入（可直接申请仅退款） / the order has not shipped: platform intervention needs a paid and shipped or completed order"}
	}
	if o.Refundable <= 0 {
		return &fault.Error{Code: fault.Conflict, Field: "order_id", Message: "订单已全额退款，不能申请平台介入 / the order is fully refunded: nothing to intervene on"}
	}
	if o.CompletedAt != nil {
		win, id := b.Duration("aftersale.window_after_completion")
		if now.After(o.CompletedAt.Add(win)) {
			return &fault.Error{Code: fault.Conflict, Field: "order_id", Rule: id,
				Message: fmt.Sprintf("交易成功已超过%s，不能申请平台介入 / more than %s since completion: intervention window closed", humanDays(win), humanDays(win))}
		}
	}
	return nil
}

// decideExecute carries out a platform judgment on a request under
// intervention, in the same transaction as the judgment.
func decideExecute(s State, o OrderView, c Command, b *policy.Book, now time.Time, ev Event) ([]Event, error) {
	if s.Intervention == nil || !s.Status.Open() {
		return nil, conflict(s, "申请不在平台介入中 / the request is not under platform intervention")
	}
	ev.Reason = c.Note
	if s.InstantRefund.Open() {
		return decideExecuteInstant(s, o, c, b, ev)
	}
	switch c.Ruling {
	case RulingRefund:
		if c.Amount <= 0 || c.Amount > o.Refundable {
			return nil, fault.Field("amount", "判定退款金额须大于0且不超过可退金额 %s / the judged refund must be above 0 and at most the refundable %s", o.Refundable, o.Refundable)
		}
		ev.Type, ev.Data.Refund = EvJudgedRefund, c.Amount
		ev.RuleIDs = []string{b.ID("aftersale.refund_cap")}
	case RulingClose:
		ev.Type, ev.Data.ClosedReason = EvJudgedClose, "judged_for_seller"
	case RulingReturn:
		if s.Type == RefundOnly && o.ShippedAt == nil {
			return nil, fault.Field("ruling", "未发货的订单无需退货 / nothing to return on an unshipped order")
		}
		ev.Type = EvJudgedReturn
		ev.Data.Deadline, ev.RuleIDs = deadline(b, BuyerShipReturn, Buyer, now)
	default:
		return nil, fault.Field("ruling", "未知判定执行方式 %q / unknown ruling %q", c.Ruling, c.Ruling)
	}
	return []Event{ev}, nil
}

// decideRevise carries out an appeal decision that changed the executed
// judgment of a request no longer under intervention.
func decideRevise(s State, o OrderView, c Command, b *policy.Book, now time.Time, ev Event) ([]Event, error) {
	if s.Status == "" || (s.Intervention != nil && s.Status.Open()) {
		return nil, conflict(s, "申请仍在平台介入中，须先执行判定 / the request is still under intervention: execute the judgment first")
	}
	ev.Type, ev.Reason = EvJudgmentRevised, c.Note
	switch c.Ruling {
	case RulingRefund:
		if c.Amount <= 0 || c.Amount > o.Refundable {
			return nil, fault.Field("amount", "改判追加退款须大于0且不超过可退金额 %s / the added refund must be above 0 and at most the refundable %s", o.Refundable, o.Refundable)
		}
		ev.Data.Refund = c.Amount
		ev.RuleIDs = []string{b.ID("aftersale.refund_cap")}
	case RulingClose, RulingReturn:
		if s.Refunded > 0 {
			return nil, conflict(s, "申请已退款，不能改为关闭或退货 / the request was refunded: it cannot be closed or sent back for a return")
		}
		if c.Ruling == RulingClose {
			ev.Data.ClosedReason = "judged_for_seller_on_appeal"
		} else {
			if o.ShippedAt == nil {
				return nil, fault.Field("ruling", "未发货的订单无需退货 / nothing to return on an unshipped order")
			}
			ev.Data.Type = ReturnAndRefund
			ev.Data.Deadline, ev.RuleIDs = deadline(b, BuyerShipReturn, Buyer, now)
		}
	case RulingKeep:
		ev.Data.Deadline = s.Deadline
	default:
		return nil, fault.Field("ruling", "未知改判执行方式 %q / unknown ruling %q", c.Ruling, c.Ruling)
	}
	if ev.RuleIDs == nil {
		ev.RuleIDs = []string{}
	}
	return []Event{ev}, nil
}

func decideExpire(s State, o OrderView, c Command, b *policy.Book, now time.Time, ev Event) ([]Event, error) {
	d := s.Deadline
	if d == nil || d.Kind != c.DeadlineKind || !d.DueAt.Equal(c.DeadlineDueAt) {
		return nil, &fault.Error{Code: fault.Conflict, Message: "期限已失效 / the deadline is no longer live", Status: string(s.Status)}
	}
	if now.Before(d.DueAt) {
		return nil, &fault.Error{Code: fault.Conflict, Message: "期限未到 / the deadline is not due yet", Status: string(s.Status)}
	}
	switch d.Kind {
	case SellerRespond:
		e := agreeEvent(s, o, b, now, ev, EvAutoAgreed, "卖家超时未处理，系统自动同意 / the seller did not answer in time: agreed automatically")
		e.RuleIDs = append([]string{d.RuleID}, e.RuleIDs...)
		return []Event{e}, nil
	case BuyerAnswerRefusal:
		ev.Type, ev.Reason = EvClosed, "买家超时未修改或申请介入，申请关闭 / the buyer neither modified nor escalated in time: closed"
		ev.Data.ClosedReason = "buyer_silent_after_refusal"
		ev.RuleIDs = []string{d.RuleID}
		return []Event{ev}, nil
	case BuyerShipReturn:
		ev.Type, ev.Reason = EvClosed, "买家超时未退货，申请关闭 / the buyer did not ship the return in time: closed"
		ev.Data.ClosedReason = "return_not_shipped"
		ev.RuleIDs = []string{d.RuleID}
		return []Event{ev}, nil
	case SellerConfirmReturn:
		e := refundEvent(s, o, b, ev, EvAutoRefunded)
		e.Reason = "卖家超时未确认收货，系统自动退款 / the seller did not confirm the return in time: refunded automatically"
		e.RuleIDs = append([]string{d.RuleID}, e.RuleIDs...)
		return []Event{e}, nil
	}
	return nil, &fault.Error{Code: fault.Conflict, Message: "未知期限 / unknown deadline kind " + string(d.Kind)}
}

// agreeEvent: a refund-only request succeeds at once; a return or exchange
// waits for the buyer's shipment.
func agreeEvent(s State, o OrderView, b *policy.Book, now time.Time, ev Event, t EventType, note string) Event {
	ev.Type, ev.Reason = t, note
	if s.Type == RefundOnly {
		ev.Data.Refund = min(s.Amount, o.Refundable)
		ev.RuleIDs = []string{b.ID("aftersale.refund_cap")}
		return ev
	}
	ev.Data.Deadline, ev.RuleIDs = deadline(b, BuyerShipReturn, Buyer, now)
	return ev
}

// refundEvent: the returned goods are accepted; a refund pays the amount, an
// exchange pays nothing (the seller re-ships).
func refundEvent(s State, o OrderView, b *policy.Book, ev Event, t EventType) Event {
	ev.Type = t
	if s.InstantRefund.Open() {
		// 极速退款: the fund paid already; receipt settles its guarantee.
		ev.Data.InstantRefund = settled(s.InstantRefund, InstantReturned)
		ev.RuleIDs = []string{b.ID("aftersale.refund_cap"), s.InstantRefund.RuleID}
		return ev
	}
	if s.Type != Exchange {
		ev.Data.Refund = min(s.Amount, o.Refundable)
	}
	ev.RuleIDs = []string{b.ID("aftersale.refund_cap")}
	return ev
}

func deadline(b *policy.Book, k DeadlineKind, actor Role, now time.Time) (*Deadline, []string) {
	d, id := b.Duration(k.PolicyKey())
	return &Deadline{Kind: k, Actor: actor, DueAt: now.Add(d), OnExpiry: b.OnExpiry(k.PolicyKey()), RuleID: id}, []string{id}
}

func goodStatus(o OrderView) string {
	if o.DeliveredAt != nil || o.CompletedAt != nil {
		return "BUYER_RECEIVED"
	}
	return "BUYER_NOT_RECEIVED"
}

// checkRefusal refuses a refusal (zh, en: what it is) that gives no
// reason, names no evidence, or names evidence checkEvidence refuses.
func checkRefusal(c Command, zh, en string) error {
	if strings.TrimSpace(c.Note) == "" {
		return fault.Field("reason", "%s须说明理由 / %s needs a reason", zh, en)
	}
	if len(c.Evidence) == 0 {
		return fault.Field("evidence", "%s须提供凭证 / %s needs at least one evidence reference", zh, en)
	}
	return checkEvidence(c.Evidence)
}

func checkEvidence(refs []string) error {
	if len(refs) > 20 {
		return fault.Field("evidence", "凭证最多20个 / at most 20 evidence references")
	}
	for i, r := range refs {
		if strings.TrimSpace(r) == "" || len(r) > 200 {
			return fault.Field(fmt.Sprintf("evidence[%d]", i), "凭证引用须为1–200个字符 / an evidence reference is 1–200 characters")
		}
	}
	return nil
}

func conflict(s State, msg string) error {
	return &fault.Error{Code: fault.Conflict, Message: msg, Status: string(s.Status), Allowed: actor.Strings(AllowedAll(s))}
}

func roleZH(r Role) string {
	switch r {
	case Buyer:
		return "买家"
	case Seller:
		return "卖家"
	}
	return "系统"
}

func humanDays(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// article is the article number of a cn-7day-return-N rule id.
func article(rule string) string { return strings.TrimPrefix(rule, "cn-7day-return-") }

func zhPart(s string) string { zh, _, _ := strings.Cut(s, " / "); return zh }

func enPart(s string) string {
	if _, en, ok := strings.Cut(s, " / "); ok {
		return en
	}
	return s
}
