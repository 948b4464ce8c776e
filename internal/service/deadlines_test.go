package service_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// A deadline that cannot fire (its request is gone) must not hold back the
// rest of its batch, and stays pending for a later run.
func TestFailingDeadlineDoesNotBlockItsBatch(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		svc, clk := open(t, eng.URL(t))
		ctx := context.Background()
		var ids []string
		for _, oid := range []string{"A", "B", "C"} {
			if _, err := svc.PutOrder(ctx, integ, oid, order.Facts{BuyerID: "B1", SellerID: "S1", Amount: 1000}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.RecordOrderFact(ctx, integ, oid, order.Fact{Type: "paid", At: clk.Now()}); err != nil {
				t.Fatal(err)
			}
			s, err := svc.CreateAftersale(ctx, service.Caller{Role: actor.Buyer, PartyID: "B1"}, oid, aftersale.Command{Type: aftersale.RefundOnly, Reason: aftersale.OtherReason, Amount: 1000})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, s.ID)
		}
		// A broken row, due first.
		if err := storeOf(svc).InTx(ctx, func(tx *store.Tx) error {
			return tx.Apply(ctx, store.Commit{Deadlines: []store.DeadlineChange{{AggregateType: service.AggAftersale, AggregateID: "ghost",
				Row: &store.Deadline{ID: "ghost/1", Kind: "seller_respond", Actor: "seller", DueAt: clk.Now(), OnExpiry: "auto_agree", RuleID: "public-seller-respond-48h"},
				At:  clk.Now()}}})
		}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(49 * time.Hour)
		st, err := svc.FireDue(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if st.Claimed != 4 || st.Fired != 3 || st.Failed != 1 {
			t.Fatalf("stats %+v", st)
		}
		for _, id := range ids {
			if s, _ := storeOf(svc).GetAftersale(ctx, id); s.Status != aftersale.Success {
				t.Fatalf("%s: %s", id, s.Status)
			}
		}
		if p, _ := storeOf(svc).PendingDeadlines(ctx, service.AggAftersale, "ghost"); len(p) != 1 {
			t.Fatal("the failing deadline was not kept for a later run")
		}
		// It is retried with back-off, not at once, and settled as failed in the end.
		if st, _ := svc.FireDue(ctx, 10); st.Claimed != 0 {
			t.Fatalf("retried without back-off: %+v", st)
		}
		attempts := 1
		for i := 0; i < 20; i++ {
			clk.Advance(5 * time.Minute)
			st, _ := svc.FireDue(ctx, 10)
			attempts += st.Failed
		}
		if attempts != service.MaxDeadlineAttempts {
			t.Fatalf("%d attempts", attempts)
		}
		if n, _ := storeOf(svc).CountDeadlines(ctx, store.DeadlineFailed); n != 1 {
			t.Fatalf("failed rows %d", n)
		}
	})
}
