// Package storetest is the one contract suite every store engine must pass:
// Run it with a function that opens a fresh, migrated store.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
		mustTx(t, s, func(tx *store.Tx) error { return saveOrder(ctx, tx, o, 0) })
		if err := inTx(s, func(tx *store.Tx) error { return saveOrder(ctx, tx, o, 0) }); !fault.Is(err, fault.Conflict) {
			t.Fatalf("duplicate insert: %v", err)
		}
		o2 := o
		o2.Version, o2.Status = 2, order.WaitSellerSendGoods
		mustTx(t, s, func(tx *store.Tx) error { return saveOrder(ctx, tx, o2, 1) })
		err := inTx(s, func(tx *store.Tx) error { return saveOrder(ctx, tx, o2, 1) })
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
		mustTx(t, s, func(tx *store.Tx) error { return saveAftersale(ctx, tx, a, 0) })
		b := a
		b.ID = "A2"
		if err := inTx(s, func(tx *store.Tx) error { return saveAftersale(ctx, tx, b, 0) }); !fault.Is(err, fault.Conflict) {
			t.Fatalf("second open request: %v", err)
		}
		a.Status, a.Version = aftersale.Closed, 2
		mustTx(t, s, func(tx *store.Tx) error { return saveAftersale(ctx, tx, a, 1) })
		mustTx(t, s, func(tx *store.Tx) error { return saveAftersale(ctx, tx, b, 0) })
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
		mustTx(t, s, func(tx *store.Tx) error {
			return appendEvents(ctx, tx, []store.EventRecord{rec(1, "e1"), rec(2, "e2")})
		})
		err := inTx(s, func(tx *store.Tx) error {
			return appendEvents(ctx, tx, []store.EventRecord{rec(3, "e3"), rec(2, "e2b")})
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
			return replaceDeadline(ctx, tx, "aftersale", "A1", dl("A1/1", t0.Add(time.Hour)), t0)
		})
		mustTx(t, s, func(tx *store.Tx) error {
			return replaceDeadline(ctx, tx, "aftersale", "A1", dl("A1/2", t0.Add(2*time.Hour)), t0)
		})
		mustTx(t, s, func(tx *store.Tx) error {
			return replaceDeadline(ctx, tx, "aftersale", "A2", dl("A2/1", t0.Add(30*time.Minute)), t0)
		})
		mustTx(t, s, func(tx *store.Tx) error {
			return replaceDeadline(ctx, tx, "aftersale", "A3", dl("A3/1", t0.Add(5*time.Hour)), t0)
		})
		if p, _ := s.PendingDeadlines(ctx, "aftersale", "A1"); len(p) != 1 || p[0].ID != "A1/2" || !p[0].DueAt.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("pending for A1: %+v", p)
		}
		// Settling an unknown deadline is a no-op; another aggregate's deadline is already due.
		mustTx(t, s, func(tx *store.Tx) error {
			if ok, err := tx.SettleDeadline(ctx, "none", store.DeadlineFired, "", t0); ok || err != nil {
				t.Fatalf("settled an unknown deadline: %v %v", ok, err)
			}
			return replaceDeadline(ctx, tx, "aftersale", "A9", dl("A9/1", t0), t0)
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
		mustTx(t, s, func(tx *store.Tx) error { return replaceDeadline(ctx, tx, "aftersale", "A1", nil, t0) })
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
			wg.Go(func() {
				errs[i] = s.InTx(ctx, func(tx *store.Tx) error {
					o, err := tx.GetOrder(ctx, "T1")
					if err != nil {
						return err
					}
					prev := o.Version
					o.Version++
					o.Category = "c"
					time.Sleep(2 * time.Millisecond)
					if err := appendEvents(ctx, tx, []store.EventRecord{{AggregateType: "order", AggregateID: "T1", Seq: o.Version, ID: "ev-" + string(rune('a'+i)), Type: "u",
						Actor: json.RawMessage(`{}`), At: t0, PolicyVersion: "v", Data: json.RawMessage(`{}`)}}); err != nil {
						return err
					}
					return saveOrder(ctx, tx, o, prev)
				})
			})
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

	t.Run("RefusalsBesideWritesInOneGroup", func(t *testing.T) {
		// Commands refused before they write (a domain fault) and commands
		// that write, at once (on SQLite: in shared group transactions run
		// without savepoints): every write commits, no refusal leaves one.
		s := open(t)
		var wg sync.WaitGroup
		errs := make([]error, 24)
		for i := range errs {
			wg.Go(func() {
				errs[i] = s.InTx(ctx, func(tx *store.Tx) error {
					if _, err := tx.GetOrder(ctx, "none"); !fault.Is(err, fault.NotFound) {
						return fmt.Errorf("read: %v", err)
					}
					if i%2 == 1 {
						return fault.New(fault.Conflict, "refused %d", i)
					}
					o := order.Order{ID: fmt.Sprintf("G%d", i), Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 1}, Version: 1, CreatedAt: t0, UpdatedAt: t0}
					return saveOrder(ctx, tx, o, 0)
				})
			})
		}
		wg.Wait()
		for i, err := range errs {
			_, gerr := s.GetOrder(ctx, fmt.Sprintf("G%d", i))
			switch {
			case i%2 == 1 && !fault.Is(err, fault.Conflict):
				t.Fatalf("command %d: %v, want its refusal", i, err)
			case i%2 == 0 && (err != nil || gerr != nil):
				t.Fatalf("command %d: %v, stored: %v", i, err, gerr)
			}
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
		if err := s.CreateAPIKey(ctx, store.APIKey{ID: "k1", Hash: "abc", Role: "buyer", PartyID: "B1", CreatedAt: t0}, nil); err != nil {
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

	// Writes whose only outcome is an error or a row count are queued and
	// sent together (one pipeline on PostgreSQL) at the next read,
	// savepoint or commit: each keeps its own outcome, reads see them, and
	// a failure anywhere leaves nothing of its transaction or savepoint.
	t.Run("QueuedWritesKeepTheirOutcomes", func(t *testing.T) {
		s := open(t)
		seedOrder(t, s, "T1")
		seedOrder(t, s, "T2")
		ev := func(agg string, seq int64) store.EventRecord {
			return store.EventRecord{AggregateType: "aftersale", AggregateID: agg, Seq: seq, ID: agg + "-e" + string(rune('0'+seq)), Type: "x",
				Actor: json.RawMessage(`{"role":"buyer"}`), At: t0, PolicyVersion: "v", Data: json.RawMessage(`{}`)}
		}
		bump := func(id string, from int64) order.Order {
			return order.Order{ID: id, Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 100}, Status: order.WaitSellerSendGoods,
				Version: from + 1, CreatedAt: t0, UpdatedAt: t0}
		}
		// Read-your-writes across the queue.
		mustTx(t, s, func(tx *store.Tx) error {
			if err := saveOrder(ctx, tx, bump("T1", 1), 1); err != nil {
				return err
			}
			if err := appendEvents(ctx, tx, []store.EventRecord{ev("Q1", 1)}); err != nil {
				return err
			}
			o, err := tx.GetOrder(ctx, "T1")
			if err != nil || o.Version != 2 {
				return fmt.Errorf("read after a queued write: version %d %v", o.Version, err)
			}
			return nil
		})
		// A stale write between good ones: the transaction fails as a
		// conflict and none of it is kept.
		err := inTx(s, func(tx *store.Tx) error {
			if err := appendEvents(ctx, tx, []store.EventRecord{ev("Q2", 1)}); err != nil {
				return err
			}
			if err := saveOrder(ctx, tx, bump("T1", 1), 1); err != nil { // T1 is at version 2
				return err
			}
			return saveOrder(ctx, tx, bump("T2", 1), 1)
		})
		if !fault.Is(err, fault.Conflict) || !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale queued write: %v, want a conflict", err)
		}
		if evs, _ := s.Events(ctx, "aftersale", "Q2", 0, 0); len(evs) != 0 {
			t.Fatalf("the failed transaction left events %+v", evs)
		}
		if o, _ := s.GetOrder(ctx, "T2"); o.Version != 1 {
			t.Fatalf("the failed transaction moved T2 to version %d", o.Version)
		}
		// A failing savepoint is undone alone; the writes around it commit.
		mustTx(t, s, func(tx *store.Tx) error {
			if err := appendEvents(ctx, tx, []store.EventRecord{ev("Q3", 1)}); err != nil {
				return err
			}
			err := tx.Savepoint(ctx, func() error {
				if err := appendEvents(ctx, tx, []store.EventRecord{ev("Q4", 1)}); err != nil {
					return err
				}
				return appendEvents(ctx, tx, []store.EventRecord{ev("Q3", 1)}) // seq 1 taken
			})
			if !errors.Is(err, store.ErrStale) {
				return fmt.Errorf("savepoint with a taken seq: %v", err)
			}
			refused := errors.New("refused")
			err = tx.Savepoint(ctx, func() error {
				if err := appendEvents(ctx, tx, []store.EventRecord{ev("Q6", 1)}); err != nil {
					return err
				}
				return refused // a refusal after a queued write
			})
			if !errors.Is(err, refused) {
				return fmt.Errorf("refused savepoint: %v", err)
			}
			return saveOrder(ctx, tx, bump("T2", 1), 1)
		})
		if evs, _ := s.Events(ctx, "aftersale", "Q3", 0, 0); len(evs) != 1 {
			t.Fatalf("Q3 events %d, want 1", len(evs))
		}
		for _, agg := range []string{"Q4", "Q6"} {
			if evs, _ := s.Events(ctx, "aftersale", agg, 0, 0); len(evs) != 0 {
				t.Fatalf("the failed savepoint left %d events of %s", len(evs), agg)
			}
		}
		if o, _ := s.GetOrder(ctx, "T2"); o.Version != 2 {
			t.Fatalf("T2 version %d after the savepoint, want 2", o.Version)
		}
		// A deadline settled twice: the second settlement is a conflict.
		mustTx(t, s, func(tx *store.Tx) error {
			return insertDeadline(ctx, tx, "aftersale", "Q5", &store.Deadline{ID: "Q5/1", Kind: "seller_respond", Actor: "seller", DueAt: t0, OnExpiry: "auto_agree", RuleID: "r"}, t0)
		})
		mustTx(t, s, func(tx *store.Tx) error { return settleFired(ctx, tx, "Q5/1", t0) })
		if err := inTx(s, func(tx *store.Tx) error { return settleFired(ctx, tx, "Q5/1", t0) }); !errors.Is(err, store.ErrStale) {
			t.Fatalf("settling a fired deadline again: %v", err)
		}
		// An idempotency key stored twice: ErrIdemExists, at commit at the latest.
		r := store.IdemRecord{Principal: "k", Key: "q", Method: "POST", Path: "/x", BodyHash: "h", Status: 200, Response: []byte(`{}`), CreatedAt: t0}
		mustTx(t, s, func(tx *store.Tx) error { return putIdem(ctx, tx, r) })
		if err := inTx(s, func(tx *store.Tx) error { return putIdem(ctx, tx, r) }); !errors.Is(err, store.ErrIdemExists) {
			t.Fatalf("key stored twice: %v", err)
		}
		// Completing a reservation that is not (or no longer) ours: ErrIdemExists.
		res := r
		res.Key, res.Token = "q2", "tok-1"
		if ok, err := s.ReserveIdem(ctx, res); !ok || err != nil {
			t.Fatalf("reserve: %v %v", ok, err)
		}
		other := res
		other.Token = "tok-2"
		if err := inTx(s, func(tx *store.Tx) error { return putIdem(ctx, tx, other) }); !errors.Is(err, store.ErrIdemExists) {
			t.Fatalf("completing another's reservation: %v", err)
		}
		mustTx(t, s, func(tx *store.Tx) error { return putIdem(ctx, tx, res) })
	})

	t.Run("ApplyWritesACommitWhole", func(t *testing.T) {
		s := open(t)
		o := order.Order{ID: "T1", Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 100}, Status: order.WaitBuyerPay, Version: 1, CreatedAt: t0, UpdatedAt: t0}
		a := aftersale.State{ID: "A1", OrderID: "T1", BuyerID: "B", SellerID: "S", Status: aftersale.WaitSellerAgree, Version: 1, CreatedAt: t0, UpdatedAt: t0}
		ev := func(id string, seq int64) store.EventRecord {
			return store.EventRecord{AggregateType: "aftersale", AggregateID: id, Seq: seq, ID: fmt.Sprintf("ev-%s-%d", id, seq), Type: "x",
				Actor: json.RawMessage(`{}`), At: t0, Data: json.RawMessage(`{}`)}
		}
		msg := func(id string, seq int64) store.OutboxMessage {
			return store.OutboxMessage{Topic: "aftersale.x", AggregateType: "aftersale", AggregateID: id, AggregateSeq: seq, CreatedAt: t0}
		}
		idem := store.IdemRecord{Principal: "k", Key: "K1", Method: "POST", Path: "/v1/x", BodyHash: "h", Status: 201, Response: []byte(`{}`), CreatedAt: t0}
		first := store.Commit{
			Orders:     []store.Row[order.Order]{{Value: o}},
			Aftersales: []store.Row[aftersale.State]{{Value: a}},
			Events:     []store.EventRecord{ev("A1", 1)},
			Outbox:     []store.OutboxMessage{msg("A1", 1)},
			Deadlines: []store.DeadlineChange{{AggregateType: "aftersale", AggregateID: "A1", Insert: true, At: t0,
				Row: &store.Deadline{ID: "A1/1", Kind: "seller_respond", Actor: "seller", DueAt: t0.Add(time.Hour), OnExpiry: "auto_agree", RuleID: "r"}}},
			Idem: &idem,
		}
		mustTx(t, s, func(tx *store.Tx) error { return tx.Apply(ctx, first) })
		check := func(wantVersion int64, wantEvents, wantOutbox int, wantDeadline string) {
			t.Helper()
			if got, err := s.GetAftersale(ctx, "A1"); err != nil || got.Version != wantVersion {
				t.Fatalf("request version %d (%v), want %d", got.Version, err, wantVersion)
			}
			if evs, err := s.Events(ctx, "aftersale", "A1", 0, 0); err != nil || len(evs) != wantEvents {
				t.Fatalf("%d events (%v), want %d", len(evs), err, wantEvents)
			}
			if msgs, err := s.ListOutbox(ctx, "aftersale", "A1", "", 100); err != nil || len(msgs) != wantOutbox {
				t.Fatalf("%d outbox messages (%v), want %d", len(msgs), err, wantOutbox)
			}
			ds, err := s.PendingDeadlines(ctx, "aftersale", "A1")
			if err != nil || len(ds) != 1 || ds[0].ID != wantDeadline {
				t.Fatalf("pending deadlines %+v (%v), want %s", ds, err, wantDeadline)
			}
		}
		check(1, 1, 1, "A1/1")
		if r, ok, err := s.GetIdem(ctx, "k", "K1"); err != nil || !ok || r.Status != 201 {
			t.Fatalf("idempotency record %+v %v %v", r, ok, err)
		}
		// A Commit whose request row is stale writes none of its parts, the
		// ones before the stale row in Apply's order included.
		a2 := a
		a2.Version, a2.Status = 2, aftersale.Closed
		o2 := o
		o2.Version = 2
		stale := store.Commit{
			Orders:     []store.Row[order.Order]{{Value: o2, Prev: 1}},
			Aftersales: []store.Row[aftersale.State]{{Value: a2, Prev: 0 + 5}},
			Events:     []store.EventRecord{ev("A1", 2)},
			Outbox:     []store.OutboxMessage{msg("A1", 2)},
			Settled:    []store.DeadlineSettle{{ID: "A1/1", State: store.DeadlineFired, At: t0}},
		}
		if err := inTx(s, func(tx *store.Tx) error { return tx.Apply(ctx, stale) }); !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale commit: %v", err)
		}
		check(1, 1, 1, "A1/1")
		if got, _ := s.GetOrder(ctx, "T1"); got.Version != 1 {
			t.Fatalf("order of a failed commit written: version %d", got.Version)
		}
		// The same key twice: the second Commit is refused whole.
		a3 := a
		a3.Version = 2
		again := store.Commit{Aftersales: []store.Row[aftersale.State]{{Value: a3, Prev: 1}}, Events: []store.EventRecord{ev("A1", 2)}, Idem: &idem}
		if err := inTx(s, func(tx *store.Tx) error { return tx.Apply(ctx, again) }); !errors.Is(err, store.ErrIdemExists) {
			t.Fatalf("second use of a key: %v", err)
		}
		check(1, 1, 1, "A1/1")
		// The next state: the fired deadline settled, a new one pending.
		next := store.Commit{
			Aftersales: []store.Row[aftersale.State]{{Value: a3, Prev: 1}},
			Events:     []store.EventRecord{ev("A1", 2)},
			Outbox:     []store.OutboxMessage{msg("A1", 2)},
			Settled:    []store.DeadlineSettle{{ID: "A1/1", State: store.DeadlineFired, At: t0}},
			Deadlines: []store.DeadlineChange{{AggregateType: "aftersale", AggregateID: "A1", At: t0,
				Row: &store.Deadline{ID: "A1/2", Kind: "buyer_answer_refusal", Actor: "buyer", DueAt: t0.Add(2 * time.Hour), OnExpiry: "close", RuleID: "r"}}},
			CloseInterventions: []store.InterventionClose{{AftersaleID: "A1", Status: "withdrawn"}},
		}
		mustTx(t, s, func(tx *store.Tx) error { return tx.Apply(ctx, next) })
		check(2, 2, 2, "A1/2")
		// Firing the settled deadline again makes its command stale.
		refire := store.Commit{Settled: []store.DeadlineSettle{{ID: "A1/1", State: store.DeadlineFired, At: t0}}}
		if err := inTx(s, func(tx *store.Tx) error { return tx.Apply(ctx, refire) }); !errors.Is(err, store.ErrStale) {
			t.Fatalf("deadline fired twice: %v", err)
		}
	})

	t.Run("PrefetchedRequestsAndOrders", func(t *testing.T) {
		s := open(t)
		skip := store.LoadOptions{SkipLocked: true}
		for _, id := range []string{"T1", "T2"} {
			seedOrder(t, s, id)
			a := aftersale.State{ID: "A" + id, OrderID: id, BuyerID: "B", SellerID: "S", Status: aftersale.WaitSellerAgree, Version: 1, CreatedAt: t0, UpdatedAt: t0}
			mustTx(t, s, func(tx *store.Tx) error { return saveAftersale(ctx, tx, a, 0) })
		}
		mustTx(t, s, func(tx *store.Tx) error {
			if orders, err := tx.PrefetchAftersales(ctx, []string{"AT1", "AT2", "Anone"}); err != nil || len(orders) != 2 {
				return fmt.Errorf("prefetched %d orders (%v), want 2", len(orders), err)
			}
			ld, err := tx.LoadAftersale(ctx, "AT1", skip)
			if err != nil || ld.Request.OrderID != "T1" || ld.Request.Version != 1 || ld.Order.ID != "T1" {
				return fmt.Errorf("prefetched request: %+v %v", ld, err)
			}
			// A write to a prefetched order replaces what was prefetched.
			o := order.Order{ID: "T2", Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 100}, Status: order.WaitSellerSendGoods, Version: 2, CreatedAt: t0, UpdatedAt: t0}
			if err := saveOrder(ctx, tx, o, 1); err != nil {
				return err
			}
			if got, err := tx.GetOrder(ctx, "T2"); err != nil || got.Version != 2 {
				return fmt.Errorf("order after a write: version %d %v", got.Version, err)
			}
			if got, err := tx.GetOrder(ctx, "T1"); err != nil || got.Version != 1 || got.ID != "T1" {
				return fmt.Errorf("prefetched order: %+v %v", got, err)
			}
			if _, err := tx.LoadAftersale(ctx, "Anone", skip); !fault.Is(err, fault.NotFound) {
				return fmt.Errorf("missing request: %v", err)
			}
			return nil
		})
		if s.Dialect() != store.Postgres {
			return // one writer: nothing to skip
		}
		// A request another transaction holds is skipped, not waited for.
		held := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.GetAftersale(ctx, "AT1", store.ForUpdate); err != nil {
					return err
				}
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		err := inTx(s, func(tx *store.Tx) error {
			if orders, err := tx.PrefetchAftersales(ctx, []string{"AT1", "AT2"}); err != nil || len(orders) != 1 || orders[0].ID != "T2" {
				return fmt.Errorf("prefetched %+v (%v), want T2 alone", orders, err)
			}
			if _, err := tx.LoadAftersale(ctx, "AT1", skip); !errors.Is(err, store.ErrLocked) {
				return errors.New("a request locked elsewhere was not skipped")
			}
			if ld, err := tx.LoadAftersale(ctx, "AT2", skip); err != nil || ld.Request.ID != "AT2" || ld.Order.ID != "T2" {
				return fmt.Errorf("free request: %+v %v", ld, err)
			}
			return nil
		})
		close(release)
		if err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("PanicInTransactionPropagatesAndLeavesNothing", func(t *testing.T) {
		s := open(t)
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			_ = s.InTx(ctx, func(tx *store.Tx) error {
				o := order.Order{ID: "TP", Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 1}, Version: 1, CreatedAt: t0, UpdatedAt: t0}
				if err := saveOrder(ctx, tx, o, 0); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		select {
		case v := <-done:
			if v != "boom" {
				t.Fatalf("recovered %v, want the panic", v)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("a panic inside a transaction did not come out of InTx")
		}
		if _, err := s.GetOrder(ctx, "TP"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("the panicking transaction's write is visible: %v", err)
		}
		seedOrder(t, s, "T1") // the store still works
	})

	t.Run("RollbackLeavesNothing", func(t *testing.T) {
		s := open(t)
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *store.Tx) error {
			o := order.Order{ID: "T1", Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 1}, Version: 1, CreatedAt: t0, UpdatedAt: t0}
			if err := saveOrder(ctx, tx, o, 0); err != nil {
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
		return saveOrder(context.Background(), tx, order.Order{ID: id, Facts: order.Facts{BuyerID: "B", SellerID: "S", Amount: 100}, Status: order.WaitBuyerPay, Version: 1, CreatedAt: t0, UpdatedAt: t0}, 0)
	})
}

func inTx(s *store.Store, fn func(*store.Tx) error) error { return s.InTx(context.Background(), fn) }

func mustTx(t *testing.T, s *store.Store, fn func(*store.Tx) error) {
	t.Helper()
	if err := inTx(s, fn); err != nil {
		t.Fatal(err)
	}
}

// The suite writes as the service does: through Tx.Apply, one Commit each.

func saveOrder(ctx context.Context, tx *store.Tx, o order.Order, prev int64) error {
	return tx.Apply(ctx, store.Commit{Orders: []store.Row[order.Order]{{Value: o, Prev: prev}}})
}

func saveAftersale(ctx context.Context, tx *store.Tx, a aftersale.State, prev int64) error {
	return tx.Apply(ctx, store.Commit{Aftersales: []store.Row[aftersale.State]{{Value: a, Prev: prev}}})
}

func appendEvents(ctx context.Context, tx *store.Tx, recs []store.EventRecord) error {
	return tx.Apply(ctx, store.Commit{Events: recs})
}

func replaceDeadline(ctx context.Context, tx *store.Tx, aggType, aggID string, d *store.Deadline, now time.Time) error {
	return tx.Apply(ctx, store.Commit{Deadlines: []store.DeadlineChange{{AggregateType: aggType, AggregateID: aggID, Row: d, At: now}}})
}

func insertDeadline(ctx context.Context, tx *store.Tx, aggType, aggID string, d *store.Deadline, now time.Time) error {
	return tx.Apply(ctx, store.Commit{Deadlines: []store.DeadlineChange{{AggregateType: aggType, AggregateID: aggID, Row: d, Insert: true, At: now}}})
}

func settleFired(ctx context.Context, tx *store.Tx, id string, now time.Time) error {
	return tx.Apply(ctx, store.Commit{Settled: []store.DeadlineSettle{{ID: id, State: store.DeadlineFired, At: now}}})
}

func putIdem(ctx context.Context, tx *store.Tx, r store.IdemRecord) error {
	return tx.Apply(ctx, store.Commit{Idem: &r})
}
