package aftersale_test

import (
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/policy"
)

// TestInstantRefundEligibility: a shipped return is refunded at once only
// for a buyer without an abuse flag, at most the rule book's limit, when
// the fund can pay it and the request is not under intervention; the
// seller's confirmation then settles the guarantee without a second refund.
func TestInstantRefundEligibility(t *testing.T) {
	t.Parallel()
	b := policy.Default()
	limit, _ := b.Int("aftersale.instant_refund_limit")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	base := aftersale.State{ID: "R1", OrderID: "T1", BuyerID: "B1", SellerID: "S1", Type: aftersale.ReturnAndRefund,
		Reason: aftersale.QualityProblem, Status: aftersale.WaitBuyerReturnGoods, Version: 2}
	ship := aftersale.Command{Action: aftersale.ShipReturn, Actor: aftersale.Actor{Role: aftersale.Buyer, ID: "B1"}, Carrier: "YTO", TrackingNo: "YT1"}
	for _, c := range []struct {
		name     string
		amount   money.Fen
		flagged  bool
		headroom money.Fen
		typ      aftersale.Type
		iv       bool
		want     money.Fen
	}{
		{"eligible", 20000, false, 1 << 40, aftersale.ReturnAndRefund, false, 20000},
		{"at the limit", money.Fen(limit), false, 1 << 40, aftersale.ReturnAndRefund, false, money.Fen(limit)},
		{"over the limit", money.Fen(limit) + 1, false, 1 << 40, aftersale.ReturnAndRefund, false, 0},
		{"flagged buyer", 20000, true, 1 << 40, aftersale.ReturnAndRefund, false, 0},
		{"fund short", 20000, false, 19999, aftersale.ReturnAndRefund, false, 0},
		{"exchange", 0, false, 1 << 40, aftersale.Exchange, false, 0},
		{"under intervention", 20000, false, 1 << 40, aftersale.ReturnAndRefund, true, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := base
			s.Amount, s.Type = c.amount, c.typ
			if c.iv {
				s.Intervention = &aftersale.Intervention{RequestedBy: aftersale.Buyer}
			}
			o := aftersale.OrderView{ID: "T1", BuyerID: "B1", SellerID: "S1", Refundable: 1 << 40, BuyerFlagged: c.flagged, FundHeadroom: c.headroom}
			evs, err := aftersale.Decide(s, o, ship, b, now)
			if err != nil {
				t.Fatal(err)
			}
			e := evs[0]
			if e.Data.Refund != c.want || (c.want > 0) != (e.Data.InstantRefund != nil) {
				t.Fatalf("refund %d instant %+v, want %d", e.Data.Refund, e.Data.InstantRefund, c.want)
			}
			next := aftersale.Evolve(s, e)
			if c.want == 0 {
				return
			}
			if next.Refunded != c.want || !next.InstantRefund.Open() {
				t.Fatalf("after shipping: %+v", next)
			}
			if got := aftersale.Allowed(next, aftersale.Buyer); len(got) != 0 {
				t.Fatalf("the buyer may still %v", got)
			}
			conf, err := aftersale.Decide(next, o, aftersale.Command{Action: aftersale.ConfirmReturn, Actor: aftersale.Actor{Role: aftersale.Seller, ID: "S1"}}, b, now)
			if err != nil {
				t.Fatal(err)
			}
			if conf[0].Data.Refund != 0 || conf[0].Data.InstantRefund.Outcome != aftersale.InstantReturned {
				t.Fatalf("confirm: %+v", conf[0].Data)
			}
			if done := aftersale.Evolve(next, conf[0]); done.Status != aftersale.Success || done.Refunded != c.want {
				t.Fatalf("confirmed: %+v", done)
			}
		})
	}
}
