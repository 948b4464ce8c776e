package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/quality"
	"github.com/weiquan/weiquan/internal/store"
)

func openQualityStore(t testing.TB, url string) *store.Store { return apitest.OpenStore(t, url) }

func putPaidOrder(t testing.TB, tx *store.Tx, id, seller string, paid time.Time) error {
	t.Helper()
	by := paid.Add(24 * time.Hour)
	o := order.Order{ID: id, Facts: order.Facts{BuyerID: "QB", SellerID: seller, Category: "女装", Amount: 100, Items: []order.Item{}},
		Status: order.WaitSellerSendGoods, PaidAt: &paid, ShipBy: &by, Version: 1, CreatedAt: paid, UpdatedAt: paid}
	return tx.Apply(context.Background(), store.Commit{Orders: []store.Row[order.Order]{{Value: o}}})
}

// The window queries return every order paid (or due) from the window
// start on, to the microsecond: the text prefilter keeps the second of the
// start, and quality.Evaluate counts exactly.
func TestQualityFactsWindowStart(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	start := now.Add(-30 * 24 * time.Hour)
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		s := openQualityStore(t, eng.URL(t))
		offsets := []time.Duration{-40 * 24 * time.Hour, -time.Second, -time.Microsecond, 0, time.Microsecond, 500 * time.Millisecond, time.Hour}
		err := s.InTx(ctx, func(tx *store.Tx) error {
			for i, d := range offsets {
				// Ship-by 24 h after payment: the old ones are due inside the window.
				if err := putPaidOrder(t, tx, fmt.Sprintf("W%d", i), "S", start.Add(d-25*time.Hour)); err != nil {
					return err
				}
				if err := putPaidOrder(t, tx, fmt.Sprintf("P%d", i), "S", start.Add(d)); err != nil {
					return err
				}
			}
			unpaid := order.Order{ID: "U", Facts: order.Facts{BuyerID: "QB", SellerID: "S", Amount: 1, Items: []order.Item{}}, Status: order.WaitBuyerPay, Version: 1, CreatedAt: now, UpdatedAt: now}
			return tx.Apply(ctx, store.Commit{Orders: []store.Row[order.Order]{{Value: unpaid}}})
		})
		if err != nil {
			t.Fatal(err)
		}
		f, err := s.QualityFacts(ctx, start, now)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, o := range f.Orders {
			got[o.ID] = true
		}
		for i, d := range offsets {
			if p := fmt.Sprintf("P%d", i); d >= 0 && !got[p] {
				t.Errorf("%s paid at start%+v not read", p, d)
			}
			if w := fmt.Sprintf("W%d", i); d-time.Hour >= 0 && !got[w] {
				t.Errorf("%s due at start%+v not read", w, d-time.Hour)
			}
		}
		if got["U"] || got["P0"] || got["W0"] {
			t.Errorf("read an unpaid or old order: %v", got)
		}
		r := quality.Evaluate(f, quality.ParamsFrom(policy.Default()), now)
		if len(r) != 1 || r[0].PaidOrders != 4 {
			t.Fatalf("paid in the window: %+v", r)
		}
	})
}

// BenchmarkQualityFacts prints how long reading a window of 20 000 orders
// and evaluating every seller takes (the cost of one GET /v1/sellers/{id}/quality).
func BenchmarkQualityFacts(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	for _, eng := range apitest.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			s := openQualityStore(b, eng.URL(b))
			const n, sellers = 20000, 200
			for k := 0; k < n; k += 1000 {
				if err := s.InTx(ctx, func(tx *store.Tx) error {
					for i := k; i < k+1000; i++ {
						if err := putPaidOrder(b, tx, fmt.Sprintf("O%06d", i), fmt.Sprintf("S%03d", i%sellers), now.Add(-time.Duration(i%(40*24))*time.Hour)); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			p := quality.ParamsFrom(policy.Default())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := s.QualityFacts(ctx, now.Add(-p.Window), now)
				if err != nil {
					b.Fatal(err)
				}
				if rs := quality.Evaluate(f, p, now); len(rs) != sellers {
					b.Fatalf("%d reports", len(rs))
				}
			}
		})
	}
}
