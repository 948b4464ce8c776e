package aftersale

import (
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

// instantRefund is the 极速退款 a return shipped now gets, or nil: a
// return (退货退款) not under intervention that refunded nothing yet, by a
// buyer without an abuse flag, for at most the rule book's limit
// (aftersale.instant_refund_limit; 0 turns it off), when the guarantee fund
// can pay it.
func instantRefund(s State, o OrderView, b *policy.Book, now time.Time) *InstantRefund {
	limit, id := b.Int("aftersale.instant_refund_limit")
	if s.Type != ReturnAndRefund || s.Intervention != nil || s.Refunded > 0 || s.InstantRefund != nil || o.BuyerFlagged {
		return nil
	}
	amount := min(s.Amount, o.Refundable)
	if amount <= 0 || int64(amount) > limit || amount > o.FundHeadroom {
		return nil
	}
	return &InstantRefund{Amount: amount, PaidAt: now, RuleID: id}
}

func settled(r *InstantRefund, outcome string) *InstantRefund {
	x := *r
	x.Outcome = outcome
	return &x
}

// decideExecuteInstant carries out a judgment on a request whose instant
// refund the fund still guarantees (the seller refused the returned
// goods): for the buyer, the guarantee is settled as for a confirmed
// receipt and a larger judged refund pays the difference; for the seller
// (its refusal upheld), the refund is paid over to the seller (调帐) and
// the request closes. The goods came back already: a return ruling is
// refused.
func decideExecuteInstant(s State, o OrderView, c Command, b *policy.Book, ev Event) ([]Event, error) {
	ir := s.InstantRefund
	switch c.Ruling {
	case RulingRefund:
		extra := max(c.Amount-ir.Amount, 0)
		if c.Amount <= 0 || extra > o.Refundable {
			return nil, fault.Field("amount", "判定退款金额须大于0且不超过可退金额 %s / the judged refund must be above 0 and at most the refundable %s", o.Refundable+ir.Amount, o.Refundable+ir.Amount)
		}
		ev.Type, ev.Data.Refund = EvJudgedRefund, extra
		ev.Data.InstantRefund = settled(ir, InstantReturned)
	case RulingClose:
		ev.Type, ev.Data.ClosedReason = EvJudgedClose, "judged_for_seller"
		ev.Data.InstantRefund = settled(ir, InstantKept)
	case RulingReturn:
		return nil, &fault.Error{Code: fault.Conflict, Field: "ruling", Rule: ir.RuleID,
			Message: fmt.Sprintf("买家已退货并已极速退款 %s，不能再判定退货 / the goods came back with an instant refund of %s: no return ruling", ir.Amount, ir.Amount)}
	default:
		return nil, fault.Field("ruling", "未知判定执行方式 %q / unknown ruling %q", c.Ruling, c.Ruling)
	}
	ev.RuleIDs = []string{b.ID("aftersale.refund_cap"), ir.RuleID}
	return []Event{ev}, nil
}
