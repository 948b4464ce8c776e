package dispute

import (
	"fmt"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/policy"
)

// DirectReasons are the reasons for which the integration may open a case
// directly, without a refused after-sales request first: counterfeit goods
// (假冒商品) are the platform's own concern (taobao-dispute-2: either party
// may complain to the platform; art. 5(1): counterfeits are taken whenever
// reported). Every other reason needs the parties to have negotiated: an
// after-sales request the seller refused, then escalate.
var DirectReasons = []string{"counterfeit"}

// DirectFacts is what the eligibility check needs of the order.
type DirectFacts struct {
	PaidAt      *time.Time
	ShippedAt   *time.Time
	CompletedAt *time.Time
	Refundable  money.Fen
}

// Eligibility conditions, named in a refusal's rule and message.
const (
	CondPaidAndShipped   = "paid_and_shipped"
	CondNotRefunded      = "not_fully_refunded"
	CondCompletionWindow = "completion_window"
	CondNegotiation      = "negotiation_first"
)

// CheckDirect applies SPEC §4 eligibility to a case opened directly. A
// refusal is a Conflict naming the failed condition (and its rule).
func CheckDirect(reason string, f DirectFacts, b *policy.Book, now time.Time) error {
	refuse := func(cond, field, rule, zh, en string) error {
		return &fault.Error{Code: fault.Conflict, Field: field, Rule: rule, Message: fmt.Sprintf("不符合介入条件（%s）：%s / not eligible for intervention (%s): %s", cond, zh, cond, en)}
	}
	if f.PaidAt == nil || (f.ShippedAt == nil && f.CompletedAt == nil) {
		return refuse(CondPaidAndShipped, "order_id", "taobao-dispute-2", "订单须为买家已付款、卖家已发货或交易成功", "the order must be paid and shipped, or completed")
	}
	if f.Refundable <= 0 {
		return refuse(CondNotRefunded, "order_id", "ours-refund-cap", "订单已全额退款", "the order is fully refunded")
	}
	if f.CompletedAt != nil {
		win, id := b.Duration("aftersale.window_after_completion")
		if now.After(f.CompletedAt.Add(win)) {
			return refuse(CondCompletionWindow, "order_id", id, fmt.Sprintf("交易成功已超过%d天", int(win.Hours()/24)), fmt.Sprintf("more than %d days since completion", int(win.Hours()/24)))
		}
	}
	if !slices.Contains(DirectReasons, reason) {
		return refuse(CondNegotiation, "reason", "taobao-dispute-2", "此原因须先与卖家协商：提交售后申请，卖家拒绝后再申请介入", "negotiate first for this reason: open an after-sales request and escalate once the seller refuses")
	}
	return nil
}
