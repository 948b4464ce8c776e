package order

import (
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
)

var t0 = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

func base() Order {
	return Order{ID: "T1", Facts: Facts{BuyerID: "B", SellerID: "S", Amount: 10000}, Status: WaitBuyerPay, CreatedAt: t0}
}

func apply(t *testing.T, o Order, facts ...Fact) (Order, error) {
	t.Helper()
	var err error
	for _, f := range facts {
		if o, err = Apply(o, f, 24*time.Hour); err != nil {
			return o, err
		}
	}
	return o, nil
}

func TestFacts(t *testing.T) {
	paid := Fact{Type: FactPaid, At: t0}
	shipped := Fact{Type: FactShipped, At: t0.Add(time.Hour), Carrier: "SF", TrackingNo: "SF1"}
	scan := Fact{Type: FactFirstScan, At: t0.Add(2 * time.Hour)}
	delivered := Fact{Type: FactDelivered, At: t0.Add(48 * time.Hour), SignedBy: "本人"}
	completed := Fact{Type: FactCompleted, At: t0.Add(72 * time.Hour)}
	cases := []struct {
		name   string
		facts  []Fact
		code   fault.Code // "" = accepted
		status Status
	}{
		{"paid", []Fact{paid}, "", WaitSellerSendGoods},
		{"full path", []Fact{paid, shipped, scan, delivered, completed}, "", TradeFinished},
		{"shipped before paid (unpaid)", []Fact{shipped}, fault.Conflict, ""},
		{"shipped dated before payment", []Fact{paid, {Type: FactShipped, At: t0.Add(-time.Minute), Carrier: "SF", TrackingNo: "1"}}, fault.Invalid, ""},
		{"paid twice", []Fact{paid, paid}, fault.Conflict, ""},
		{"completed order paid again", []Fact{paid, shipped, completed, paid}, fault.Conflict, ""},
		{"shipped twice", []Fact{paid, shipped, shipped}, fault.Conflict, ""},
		{"ship without carrier", []Fact{paid, {Type: FactShipped, At: t0.Add(time.Hour), TrackingNo: "1"}}, fault.Invalid, ""},
		{"scan before shipment", []Fact{paid, scan}, fault.Conflict, ""},
		{"delivered before shipped", []Fact{paid, delivered}, fault.Conflict, ""},
		{"delivered dated before shipment", []Fact{paid, shipped, {Type: FactDelivered, At: t0}}, fault.Invalid, ""},
		{"completed unshipped", []Fact{paid, completed}, fault.Conflict, ""},
		{"completed before delivery", []Fact{paid, shipped, delivered, {Type: FactCompleted, At: t0.Add(47 * time.Hour)}}, fault.Invalid, ""},
		{"cancel unpaid", []Fact{{Type: FactCancelled, At: t0}}, "", TradeClosed},
		{"cancel paid without refund", []Fact{paid, {Type: FactCancelled, At: t0}}, fault.Conflict, ""},
		{"cancel shipped", []Fact{paid, shipped, {Type: FactCancelled, At: t0.Add(2 * time.Hour)}}, fault.Conflict, ""},
		{"pay a cancelled order", []Fact{{Type: FactCancelled, At: t0}, paid}, fault.Conflict, ""},
		{"missing time", []Fact{{Type: FactPaid}}, fault.Invalid, ""},
		{"unknown type", []Fact{{Type: "refunded", At: t0}}, fault.Invalid, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := apply(t, base(), c.facts...)
			if c.code == "" {
				if err != nil || o.Status != c.status {
					t.Fatalf("status %s err %v, want %s", o.Status, err, c.status)
				}
				return
			}
			if fault.CodeOf(err) != c.code {
				t.Fatalf("err %v, want %s", err, c.code)
			}
		})
	}
}

func TestShipByAndPresale(t *testing.T) {
	o, _ := apply(t, base(), Fact{Type: FactPaid, At: t0})
	if !o.ShipBy.Equal(t0.Add(24 * time.Hour)) {
		t.Fatalf("ship by %v", o.ShipBy)
	}
	pre := base()
	d := t0.Add(10 * 24 * time.Hour)
	pre.PresaleShipBy = &d
	o, _ = apply(t, pre, Fact{Type: FactPaid, At: t0})
	if !o.ShipBy.Equal(d) {
		t.Fatalf("pre-sale ship by %v", o.ShipBy)
	}
}

func TestRefundsNeverExceedPaid(t *testing.T) {
	o, _ := apply(t, base(), Fact{Type: FactPaid, At: t0})
	if o.Refundable() != 10000 {
		t.Fatal(o.Refundable())
	}
	o, err := RecordRefund(o, 4000, t0)
	if err != nil || o.Refundable() != 6000 || o.Status != WaitSellerSendGoods {
		t.Fatalf("%v %v", o, err)
	}
	if _, err := RecordRefund(o, 6001, t0); !fault.Is(err, fault.Conflict) {
		t.Fatal("over-refund accepted")
	}
	o, _ = RecordRefund(o, 6000, t0)
	if o.Status != TradeClosed || o.Refundable() != 0 {
		t.Fatalf("full refund: %v", o.Status)
	}
	if base().Refundable() != 0 {
		t.Fatal("unpaid order is refundable")
	}
}

func TestValidateFacts(t *testing.T) {
	ok := Facts{BuyerID: "B", SellerID: "S", Amount: 100, Items: []Item{{Title: "裙子", Quantity: 1, Price: 100}}}
	if err := ValidateFacts(ok, nil); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		f     func(f *Facts)
		field string
	}{
		{func(f *Facts) { f.BuyerID = "" }, "buyer_id"},
		{func(f *Facts) { f.SellerID = "B" }, "seller_id"},
		{func(f *Facts) { f.Amount = 0 }, "amount"},
		{func(f *Facts) { f.Postage = -1 }, "postage"},
		{func(f *Facts) { f.Items = []Item{{Title: "x", Quantity: 0}} }, "items[0].quantity"},
		{func(f *Facts) { f.Items = []Item{{Title: "", Quantity: 1}} }, "items[0].title"},
	}
	for _, b := range bad {
		f := ok
		b.f(&f)
		err := ValidateFacts(f, nil)
		if fe, isF := fault.As(err); !isF || fe.Field != b.field {
			t.Errorf("want field %s, got %v", b.field, err)
		}
	}
	paid, _ := apply(t, Order{ID: "T", Facts: ok, Status: WaitBuyerPay}, Fact{Type: FactPaid, At: t0})
	changed := ok
	changed.Amount = 50
	if err := ValidateFacts(changed, &paid); err == nil {
		t.Fatal("amount of a paid order changed")
	}
}

func TestFactsRefuseOverflowAndTotalsAboveTheItems(t *testing.T) {
	base := func() Facts {
		return Facts{BuyerID: "B", SellerID: "S", Amount: 1000, Items: []Item{{Title: "t", Quantity: 2, Price: 500}}}
	}
	for name, c := range map[string]struct {
		mod   func(*Facts)
		field string
	}{
		"2^63-1 amount":       {func(f *Facts) { f.Amount = 1<<63 - 1 }, "amount"},
		"above the cap":       {func(f *Facts) { f.Amount = MaxAmount + 1 }, "amount"},
		"price × qty wraps":   {func(f *Facts) { f.Items[0].Price, f.Items[0].Quantity = 1<<62, 4 }, "items[0].price"},
		"quantity too large":  {func(f *Facts) { f.Items[0].Quantity = MaxQuantity + 1 }, "items[0].quantity"},
		"more than the items": {func(f *Facts) { f.Amount = 1001 }, "amount"},
		"items overflow sum": {func(f *Facts) {
			f.Items = []Item{{Title: "a", Quantity: 1, Price: MaxAmount}, {Title: "b", Quantity: 1, Price: MaxAmount}}
		}, "items[1].price"},
	} {
		f := base()
		c.mod(&f)
		err := ValidateFacts(f, nil)
		if fe, ok := fault.As(err); !ok || fe.Code != fault.Invalid || fe.Field != c.field {
			t.Errorf("%s: %v, want 400 naming %s", name, err, c.field)
		}
	}
	ok := base()
	ok.Postage, ok.Amount = 600, 1500 // items + postage − a 100 fen coupon
	if err := ValidateFacts(ok, nil); err != nil {
		t.Errorf("a discounted total: %v", err)
	}
	if err := ValidateFacts(base(), nil); err != nil {
		t.Errorf("items = amount: %v", err)
	}
}

// TestReverseRefund: 调帐 takes a refund back from the order — never more
// than was refunded — and a shipped trade the full refund had closed is
// finished instead (the money is the seller's); an unshipped one stays
// closed only while it is fully refunded.
func TestReverseRefund(t *testing.T) {
	shipped, _ := apply(t, base(), Fact{Type: FactPaid, At: t0}, Fact{Type: FactShipped, At: t0.Add(time.Hour), Carrier: "SF", TrackingNo: "SF1"})
	full, err := RecordRefund(shipped, 10000, t0.Add(2*time.Hour))
	if err != nil || full.Status != TradeClosed {
		t.Fatalf("full refund: %v %v", full.Status, err)
	}
	if _, err := ReverseRefund(full, nil, 10001, t0); !fault.Is(err, fault.Conflict) {
		t.Fatal("reversing more than was refunded accepted")
	}
	back, err := ReverseRefund(full, nil, 10000, t0.Add(3*time.Hour))
	if err != nil || back.Refunded != 0 || back.Status != TradeFinished || back.CancelledAt != nil || back.CompletedAt == nil {
		t.Fatalf("reversed: %+v %v", back, err)
	}
	part, _ := RecordRefund(shipped, 4000, t0.Add(2*time.Hour))
	if back, _ := ReverseRefund(part, nil, 4000, t0); back.Refunded != 0 || back.Status != part.Status {
		t.Fatalf("partial reversed: %v %v", back.Refunded, back.Status)
	}
	withItems := shipped
	withItems.ItemRefunded = map[string]money.Fen{"a": 3000, "b": 2000}
	withItems.Refunded = 5000
	if back, _ := ReverseRefund(withItems, []string{"a", "b"}, 2500, t0); back.ItemRefunded["b"] != 0 || back.ItemRefunded["a"] != 2500 || withItems.ItemRefunded["b"] != 2000 {
		t.Fatalf("items %v (input %v)", back.ItemRefunded, withItems.ItemRefunded)
	}
}
