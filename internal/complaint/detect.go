package complaint

import (
	"fmt"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
)

// LateShipment judges a paid order's shipment on its first carrier scan
// (揽收) against its ship-by time: 24 h after payment or the pre-sale date
// (rule order.ship_by; the order keeps its ship-by from the payment fact).
// A first scan exactly at the ship-by time is on time. An order with no scan
// is late once now is past the ship-by time. When late, the compensation is
// complaint.late_shipment_rate of what was paid and not refunded (a
// partially refunded order pays on the rest), bounded by
// complaint.late_shipment_min and complaint.late_shipment_max.
func LateShipment(o order.Order, b *policy.Book, now time.Time) Finding {
	f := Finding{Kind: "late_shipment", PaidAt: o.PaidAt, ShipBy: o.ShipBy, ShippedAt: o.ShippedAt, FirstScanAt: o.FirstScanAt,
		RuleIDs: []string{b.ID("order.ship_by")}}
	if o.PaidAt == nil || o.ShipBy == nil {
		f.Summary = "订单未付款，不存在发货时限 / the order is not paid: no ship-by time applies"
		return f
	}
	shipBy := *o.ShipBy
	switch {
	case o.FirstScanAt != nil && o.FirstScanAt.After(shipBy):
		f.Detected = true
		f.Summary = fmt.Sprintf("首次揽收 %s 晚于约定发货时间 %s / first carrier scan %s is after the ship-by time %s",
			o.FirstScanAt.Format(time.RFC3339), shipBy.Format(time.RFC3339), o.FirstScanAt.Format(time.RFC3339), shipBy.Format(time.RFC3339))
	case o.FirstScanAt != nil:
		f.Summary = fmt.Sprintf("首次揽收 %s 未晚于约定发货时间 %s / first carrier scan %s is not after the ship-by time %s",
			o.FirstScanAt.Format(time.RFC3339), shipBy.Format(time.RFC3339), o.FirstScanAt.Format(time.RFC3339), shipBy.Format(time.RFC3339))
	case now.After(shipBy):
		f.Detected = true
		f.Summary = fmt.Sprintf("已过约定发货时间 %s 仍无揽收记录 / no carrier scan and the ship-by time %s has passed", shipBy.Format(time.RFC3339), shipBy.Format(time.RFC3339))
	default:
		f.Summary = fmt.Sprintf("尚未到约定发货时间 %s / the ship-by time %s has not come", shipBy.Format(time.RFC3339), shipBy.Format(time.RFC3339))
	}
	if f.Detected {
		f.Base = LateBase(o, b)
		f.Compensation = LateCompensation(f.Base, b)
		_, pid := b.Switch("complaint.late_shipment_postage")
		f.RuleIDs = append(f.RuleIDs, b.ID("complaint.late_shipment_rate"), b.ID("complaint.late_shipment_min"), b.ID("complaint.late_shipment_max"), pid)
	}
	return f
}

// LateBase is the amount the late-shipment rate applies to: what was paid
// and not refunded, without the postage unless the rule book says postage
// counts (complaint.late_shipment_postage; "off" by default: Taobao's 5 %
// is of the goods' price, 商品实际成交金额). Never below 0.
func LateBase(o order.Order, b *policy.Book) money.Fen {
	base := o.Amount - o.Refunded
	if on, _ := b.Switch("complaint.late_shipment_postage"); !on {
		base -= o.Postage
	}
	return max(base, 0)
}

// CompensationCause is the cause a complaint type compensates that is paid
// once per order (complaint.compensation_once): its detector
// ("late_shipment") when the type awards compensation; "" otherwise.
func CompensationCause(t policy.ComplaintType) string {
	if t.Detect == "late_shipment" && slices.Contains(t.Outcomes, policy.OutcomeCompensation) {
		return t.Detect
	}
	return ""
}

// LateCompensation is the late-shipment compensation on a base amount: the
// rate in basis points rounded half up, then bounded by the minimum and the
// maximum of the rule book.
func LateCompensation(base money.Fen, b *policy.Book) money.Fen {
	rate, _ := b.Int("complaint.late_shipment_rate")
	lo, _ := b.Int("complaint.late_shipment_min")
	hi, _ := b.Int("complaint.late_shipment_max")
	if base < 0 {
		base = 0
	}
	return money.Clamp(money.ApplyBasisPoints(base, rate), money.Fen(lo), money.Fen(hi))
}

// FakeShipment looks for a fake shipment (虚假发货): a tracking number
// with no carrier movement for complaints.rules.fake_shipment_no_movement
// after shipment, or one tracking number used on several orders (others:
// the other orders of the same carrier and tracking number).
func FakeShipment(o order.Order, others []string, b *policy.Book, now time.Time) Finding {
	win, wid := b.ComplaintDuration("fake_shipment_no_movement")
	f := Finding{Kind: "fake_shipment", ShippedAt: o.ShippedAt, FirstScanAt: o.FirstScanAt, TrackingNo: o.TrackingNo, RuleIDs: []string{wid}}
	if o.ShippedAt == nil {
		f.Summary = "订单未发货 / the order has not shipped"
		return f
	}
	var why []string
	if o.FirstScanAt == nil && o.DeliveredAt == nil && !now.Before(o.ShippedAt.Add(win)) {
		why = append(why, fmt.Sprintf("发货后超过%d天无物流揽收记录 / no carrier movement for %d days after shipment", days(win), days(win)))
	}
	others = slices.DeleteFunc(slices.Clone(others), func(id string) bool { return id == o.ID })
	slices.Sort(others)
	if len(others) > 0 {
		f.OtherOrders = others
		why = append(why, fmt.Sprintf("运单号 %s 同时用于订单 %v / tracking number %s is also used on orders %v", o.TrackingNo, others, o.TrackingNo, others))
	}
	if len(why) == 0 {
		f.Summary = "物流正常 / the carrier moved the parcel and the tracking number is unique"
		return f
	}
	f.Detected = true
	f.Summary = why[0]
	for _, w := range why[1:] {
		f.Summary += "; " + w
	}
	return f
}

// Abuse flags a complainant whose decided complaints in the rolling window
// were rejected at or above the rule book's rate (complaints.rules
// abuse_window, abuse_rate, abuse_min_decided). It returns nil when the
// complainant is not flagged.
func Abuse(decided, rejected int, now time.Time, b *policy.Book) *Flag {
	win, wid := b.ComplaintDuration("abuse_window")
	rate, rid := b.ComplaintInt("abuse_rate")
	min, mid := b.ComplaintInt("abuse_min_decided")
	if decided == 0 || int64(decided) < min {
		return nil
	}
	got := int64(rejected) * 10000 / int64(decided)
	if got < rate {
		return nil
	}
	return &Flag{Decided: decided, Rejected: rejected, RateBP: got, Since: now.Add(-win), RuleIDs: []string{wid, rid, mid},
		Reason: fmt.Sprintf("近%d天内%d件已处理投诉中%d件被驳回（%d.%02d%%，阈值%d.%02d%%），降低优先级并提示客服复核 / %d of %d decided complaints in the last %d days were rejected (%d.%02d%%, threshold %d.%02d%%): lower priority, flagged for the agent",
			days(win), decided, rejected, got/100, got%100, rate/100, rate%100, rejected, decided, days(win), got/100, got%100, rate/100, rate%100)}
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }
