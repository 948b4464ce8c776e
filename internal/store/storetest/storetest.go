// Package storetest is the one contract suite every store engine must pass:
// Run it with a function that opens a fresh, migrated store.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// Run runs the contract suite.
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)

	t.Run("MigrateIsForwardOnlyAndRepeatable", func(t *testing.T) {
		s := open(t)
		if n, err := s.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("second migrate applied %d (%v), want 0", n, err)
		}
	})

	t.Run("OrderVersionCheck", func(t *testing.T) {
		s := open(t)
		o := order.Order{ID: "T1", Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 100}, Status: order.WaitBuyerPay, Version: 1, CreatedAt: t0, UpdatedAt: t0}
		mustTx(t, s, func(tx *store.Tx) error { return tx.SaveOrder(ctx, o, 0) })
		if err := inTx(s, func(tx *store.Tx) error { return tx.SaveOrder(ctx, o, 0) }); !fault.Is(err, fault.Conflict) {
			t.Fatalf("duplicate insert: %v", err)
		}
		o2 := o
		o2.Version, o2.Status = 2, order.WaitSellerSendGoods
		mustTx(t, s, func(tx *store.Tx) error { return tx.SaveOrder(ctx, o2, 1) })
		err := inTx(s, func(tx *store.Tx) error { return tx.SaveOrder(ctx, o2, 1) })
		if !fault.Is(err, fault.Conflict) || !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale update: %v", err)
		}
		got, err := s.GetOrder(ctx, "T1")
		if err != nil || got.Version != 2 || got.Status != order.WaitSellerSendGoods || !got.CreatedAt.Equal(t0) {
			t.Fatalf("got %+v %v", got, err)
		}
		if _, err := s.GetOrder(ctx, "nope"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("missing order: %v", err)
		}
	})

	t.Run("OneOpenRequestPerOrder", func(t *testing.T) {
		s := open(t)
		seedOrder(t, s, "T1")
		a := aftersale.State{ID: "A1", OrderID: "T1", BuyerID: "B", SellerID: "S", Status: aftersale.WaitSellerAgree, Version: 1, CreatedAt: t0, UpdatedAt: t0}
		mustTx(t, s, func(tx *store.Tx) error { return tx.SaveAftersale(ctx, a, 0) })
		b := a
		b.ID = "A2"
		if err := inTx(s, func(tx *store.Tx) error { return tx.SaveAftersale(ctx, b, 0) }); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second open request: %v", err)
		}
		a.Status, a.Version = aftersale.Closed, 2
		mustTx(t, s, func(tx *store.Tx) error { return tx.SaveAftersale(ctx, a, 1) })
		mustTx(t, s, func(tx *store.Tx) error { return tx.SaveAftersale(ctx, b, 0) })
		list, err := s.ListAftersales(ctx, store.ListFilter{OrderID: "T1"})
		if err != nil || len(list) != 2 {
			t.Fatalf("list %d %v", len(list), err)
		}
		mustTx(t, s, func(tx *store.Tx) error {
			id, ok, err := tx.OpenAftersaleForOrder(ctx, "T1")
			if err != nil || !ok || id != "A2" {
				t.Fatalf("open request = %q %v %v", id, ok, err)
			}
			return nil
		})
	})

	t.Run("EventsAreAppendOnlyAndOrdered", func(t *testing.T) {
		s := open(t)
		rec := func(seq int64, id string) store.EventRecord {
			return store.EventRecord{AggregateType: "aftersale", AggregateID: "A1", Seq: seq, ID: id, Type: "x", Actor: json.RawMessage(`{"role":"buyer"}`),
				At: t0.Add(time.Duration(seq) * time.Microsecond), RuleIDs: []string{"ours-x"}, PolicyVersion: "v", Data: json.RawMessage(`{"a":1}`)}
		}
		mustTx(t, s, func(tx *store.Tx) error { return tx.AppendEvents(ctx, []store.EventRecord{rec(1, "e1"), rec(2, "e2")}) })
		err := inTx(s, func(tx *store.Tx) error {
			return tx.AppendEvents(ctx, []store.EventRecord{rec(3, "e3"), rec(2, "e2b")})
		})
		if !errors.Is(err, store.ErrStale) {
			t.Fatalf("taken seq: %v", err)
		}
		evs, err := s.Events(ctx, "aftersale", "A1", 0, 0)
		if err != nil || len(evs) != 2 || evs[0].Seq != 1 || evs[1].Seq != 2 {
			t.Fatalf("events %+v %v (the failed batch must leave nothing)", evs, err)
		}
		if !evs[1].At.Equal(t0.Add(2*time.Microsecond)) || evs[0].RuleIDs[0] != "ours-x" {
			t.Fatalf("round trip: %+v", evs[1])
		}
		var data map[string]int
		if json.Unmarshal(evs[0].Data, &data) != nil || data["a"] != 1 {
			t.Fatalf("data %s", evs[0].Data)
		}
		if evs, _ := s.Events(ctx, "aftersale", "A1", 1, 0); len(evs) != 1 || evs[0].Seq != 2 {
			t.Fatalf("after seq 1: %+v", evs)
		}
	})

	t.Run("DeadlinesOnePendingClaimSettle", func(t *testing.T) {
		s := open(t)
		dl := func(id string, due time.Time) *store.Deadline {
			return &store.Deadline{ID: id, Kind: "seller_respond", Actor: "seller", DueAt: due, OnExpiry: "auto_agree", RuleID: "r"}
		}
		mustTx(t, s, func(tx *store.Tx) error {
			return tx.ReplaceDeadline(ctx, "aftersale", "A1", dl("A1/1", t0.Add(time.Hour)), t0)
		})
		mustTx(t, s, func(tx *store.Tx) error {
			return tx.ReplaceDeadline(ctx, "aftersale", "A1", dl("A1/2", t0.Add(2*time.Hour)), t0)
		})
		mustTx(t, s, func(tx *store.Tx) error {
			return tx.ReplaceDeadline(ctx, "aftersale", "A2", dl("A2/1", t0.Add(30*time.Minute)), t0)
		})
		mustTx(t, s, func(tx *store.Tx) error {
			return tx.ReplaceDeadline(ctx, "aftersale", "A3", dl("A3/1", t0.Add(5*time.Hour)), t0)
		})
		if p, _ := s.PendingDeadlines(ctx, "aftersale", "A1"); len(p) != 1 || p[0].ID != "A1/2" || !p[0].DueAt.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("pending for A1: %+v", p)
		}
		// Settling an unknown deadline is a no-op; another aggregate's deadline is already due.
		mustTx(t, s, func(tx *store.Tx) error {
			if ok, err := tx.SettleDeadline(ctx, "none", store.DeadlineFired, "", t0); ok || err != nil {
				t.Fatalf("settled an unknown deadline: %v %v", ok, err)
			}
			return tx.ReplaceDeadline(ctx, "aftersale", "A9", dl("A9/1", t0), t0)
		})
		var due []store.Deadline
		mustTx(t, s, func(tx *store.Tx) error {
			var err error
			due, err = tx.ClaimDue(ctx, t0.Add(3*time.Hour), 10)
			return err
		})
		if len(due) != 3 || due[0].ID != "A9/1" || due[1].ID != "A2/1" || due[2].ID != "A1/2" {
			t.Fatalf("claimed %+v", due)
		}
		mustTx(t, s, func(tx *store.Tx) error {
			ok, err := tx.SettleDeadline(ctx, "A2/1", store.DeadlineFired, "", t0)
			if err != nil || !ok {
				t.Fatalf("settle: %v %v", ok, err)
			}
			ok, err = tx.SettleDeadline(ctx, "A2/1", store.DeadlineFired, "", t0)
			if err != nil || ok {
				t.Fatalf("settle twice: %v %v", ok, err)
			}
			return nil
		})
		st, err := s.DeadlineStats(ctx, t0.Add(3*time.Hour))
		if err != nil || st.Pending != 3 || st.Overdue != 2 {
			t.Fatalf("stats %+v %v", st, err)
		}
		if n, _ := s.CountDeadlines(ctx, store.DeadlineFired); n != 1 {
			t.Fatalf("fired rows %d", n)
		}
		if n, _ := s.CountDeadlines(ctx, store.DeadlineCancelled); n != 1 {
			t.Fatalf("cancelled rows %d", n)
		}
		mustTx(t, s, func(tx *store.Tx) error { return tx.ReplaceDeadline(ctx, "aftersale", "A1", nil, t0) })
		if p, _ := s.PendingDeadlines(ctx, "aftersale", "A1"); len(p) != 0 {
			t.Fatalf("cancel left %+v", p)
		}
	})

	t.Run("ConcurrentVersionedWritesOneWins", func(t *testing.T) {
		s := open(t)
		seedOrder(t, s, "T1")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.InTx(ctx, func(tx *store.Tx) error {
					o, err := tx.GetOrder(ctx, "T1")
					if err != nil {
						return err
					}
					prev := o.Version
					o.Version++
					o.Category = "c"
					time.Sleep(2 * time.Millisecond)
					if err := tx.AppendEvents(ctx, []store.EventRecord{{AggregateType: "order", AggregateID: "T1", Seq: o.Version, ID: "ev-" + string(rune('a'+i)), Type: "u",
						Actor: json.RawMessage(`{}`), At: t0, PolicyVersion: "v", Data: json.RawMessage(`{}`)}}); err != nil {
						return err
					}
					return tx.SaveOrder(ctx, o, prev)
				})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, store.ErrStale) {
				t.Fatalf("unexpected: %v", err)
			}
		}
		o, _ := s.GetOrder(ctx, "T1")
		evs, _ := s.Events(ctx, "order", "T1", 0, 0)
		if int64(ok) != o.Version-1 || len(evs) != ok {
			t.Fatalf("%d commits, version %d, %d events: every commit must be one version step", ok, o.Version, len(evs))
		}
	})

	t.Run("IdempotencyRecords", func(t *testing.T) {
		s := open(t)
		r := store.IdemRecord{Principal: "k1", Key: "x", Method: "POST", Path: "/p", BodyHash: "h", Status: 201, Response: []byte(`{"ok":true}`), CreatedAt: t0}
		if err := s.PutIdem(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := s.PutIdem(ctx, r); !errors.Is(err, store.ErrIdemExists) {
			t.Fatalf("dup: %v", err)
		}
		got, ok, err := s.GetIdem(ctx, "k1", "x")
		if err != nil || !ok || got.Status != 201 || string(got.Response) != `{"ok":true}` || got.BodyHash != "h" {
			t.Fatalf("got %+v %v %v", got, ok, err)
		}
		if _, ok, _ := s.GetIdem(ctx, "k2", "x"); ok {
			t.Fatal("keys leak across principals")
		}
		if n, _ := s.PurgeIdem(ctx, t0); n != 0 {
			t.Fatal("purged a record at the cutoff")
		}
		if n, _ := s.PurgeIdem(ctx, t0.Add(time.Second)); n != 1 {
			t.Fatal("old record not purged")
		}
	})

	t.Run("APIKeysByHash", func(t *testing.T) {
		s := open(t)
		if err := s.InsertAPIKey(ctx, store.APIKey{ID: "k1", Hash: "abc", Role: "buyer", PartyID: "B1", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		k, err := s.APIKeyByHash(ctx, "abc")
		if err != nil || k.Role != "buyer" || k.PartyID != "B1" || k.RevokedAt != nil {
			t.Fatalf("%+v %v", k, err)
		}
		if _, err := s.APIKeyByHash(ctx, "zzz"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("unknown hash: %v", err)
		}
	})

	t.Run("RollbackLeavesNothing", func(t *testing.T) {
		s := open(t)
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *store.Tx) error {
			o := order.Order{ID: "T1", Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 1}, Version: 1, CreatedAt: t0, UpdatedAt: t0}
			if err := tx.SaveOrder(ctx, o, 0); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, err := s.GetOrder(ctx, "T1"); !fault.Is(err, fault.NotFound) {
			t.Fatal("rolled back write is visible")
		}
	})
}

func seedOrder(t *testing.T, s *store.Store, id string) {
	t.Helper()
	t0 := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	mustTx(t, s, func(tx *store.Tx) error {
		return tx.SaveOrder(context.Background(), order.Order{ID: id, Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 100}, Status: order.WaitBuyerPay, Version: 1, CreatedAt: t0, UpdatedAt: t0}, 0)
	})
}

func inTx(s *store.Store, fn func(*store.Tx) error) error { return s.InTx(context.Background(), fn) }

func mustTx(t *testing.T, s *store.Store, fn func(*store.Tx) error) {
	t.Helper()
	if err := inTx(s, fn); err != nil {
		t.Fatal(err)
	}
}
