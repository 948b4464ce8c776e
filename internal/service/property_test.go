package service_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

func open(t *testing.T, url string) (*service.Service, *clock.Manual) {
	t.Helper()
	st := apitest.OpenStore(t, url)
	clk := clock.NewManual(apitest.Start)
	svc := service.New(st, policy.Default(), service.Options{Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	stores.Store(svc, st)
	return svc, clk
}

// stores maps a test's service to the store open opened for it (the tests
// check stored rows beside the service).
var stores sync.Map

func storeOf(svc *service.Service) *store.Store {
	st, _ := stores.Load(svc)
	return st.(*store.Store)
}

var integ = service.Caller{Role: actor.Integration}

// TestPropertyStoredLifecycles drives random actions and clock advances
// through the service and the real deadline worker path, and checks the
// stored rows after every step: refunds never exceed what was paid, every
// open request not under intervention has exactly one pending deadline row
// matching its state (and finished ones none), finished requests never
// move, and replaying the stored events reproduces the stored state.
func TestPropertyStoredLifecycles(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		svc, clk := open(t, eng.URL(t))
		ctx := context.Background()
		n := 0
		rapid.Check(t, func(rt *rapid.T) {
			n++
			oid := fmt.Sprintf("O%d", n)
			buyer := service.Caller{Role: actor.Buyer, PartyID: "B" + oid}
			seller := service.Caller{Role: actor.Seller, PartyID: "S1"}
			paid := money.Fen(rapid.Int64Range(1, 100000).Draw(rt, "paid"))
			if _, err := svc.PutOrder(ctx, integ, oid, order.Facts{BuyerID: buyer.PartyID, SellerID: "S1", Amount: paid}); err != nil {
				rt.Fatal(err)
			}
			now := clk.Now()
			facts := []order.Fact{{Type: "paid", At: now.Add(-3 * time.Hour)}, {Type: "shipped", At: now.Add(-2 * time.Hour), Carrier: "SF", TrackingNo: "1"}, {Type: "delivered", At: now.Add(-time.Hour)}}
			for _, f := range facts[:rapid.IntRange(1, 3).Draw(rt, "progress")] {
				if _, err := svc.RecordOrderFact(ctx, integ, oid, f); err != nil {
					rt.Fatal(err)
				}
			}
			var ids []string
			steps := rapid.IntRange(1, 30).Draw(rt, "steps")
			for step := 0; step < steps; step++ {
				switch rapid.IntRange(0, 4).Draw(rt, "op") {
				case 0: // open a request
					s, err := svc.CreateAftersale(ctx, buyer, oid, aftersale.Command{Type: rapid.SampledFrom(aftersale.Types).Draw(rt, "type"),
						Reason: rapid.SampledFrom(aftersale.Reasons).Draw(rt, "reason"), Amount: money.Fen(rapid.Int64Range(0, int64(paid)+5).Draw(rt, "amount"))})
					if err == nil {
						ids = append(ids, s.ID)
					}
				case 1: // advance the clock and fire what is due
					clk.Advance(time.Duration(rapid.Int64Range(1, 11*24).Draw(rt, "hours")) * time.Hour)
					for {
						st, err := svc.FireDue(ctx, 50)
						if err != nil {
							rt.Fatal(err)
						}
						if st.Failed > 0 {
							rt.Fatalf("deadline failed: %+v", st)
						}
						if st.Claimed < 50 {
							break
						}
					}
				default: // a party acts on the latest request
					if len(ids) == 0 {
						continue
					}
					id := ids[len(ids)-1]
					before, _ := storeOf(svc).GetAftersale(ctx, id)
					who := rapid.SampledFrom([]service.Caller{buyer, seller}).Draw(rt, "who")
					_, err := svc.Act(ctx, who, id, aftersale.Command{Action: rapid.SampledFrom(aftersale.Actions).Draw(rt, "action"),
						Amount: money.Fen(rapid.Int64Range(0, int64(paid)).Draw(rt, "act_amount")), Note: "说明", Evidence: []string{"ev"}, Carrier: "中通", TrackingNo: "ZT1"})
					if err != nil {
						after, _ := storeOf(svc).GetAftersale(ctx, id)
						a, _ := json.Marshal(after)
						b, _ := json.Marshal(before)
						if string(a) != string(b) {
							rt.Fatalf("refused action changed the request: %v", err)
						}
					} else if !before.Status.Open() {
						rt.Fatalf("a %s request moved", before.Status)
					}
				}
				checkStored(rt, svc, oid, paid, ids)
			}
		})
	})
}

func checkStored(t *rapid.T, svc *service.Service, oid string, paid money.Fen, ids []string) {
	ctx := context.Background()
	o, err := storeOf(svc).GetOrder(ctx, oid)
	if err != nil {
		t.Fatal(err)
	}
	var sum money.Fen
	open := 0
	for _, id := range ids {
		s, err := storeOf(svc).GetAftersale(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sum += s.Refunded
		pend, err := storeOf(svc).PendingDeadlines(ctx, service.AggAftersale, id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case s.Status.Open() && s.Intervention == nil:
			open++
			if len(pend) != 1 || s.Deadline == nil || !pend[0].DueAt.Equal(s.Deadline.DueAt) || pend[0].Kind != string(s.Deadline.Kind) {
				t.Fatalf("open request %s (%s) has %d pending deadlines (state deadline %+v)", id, s.Status, len(pend), s.Deadline)
			}
		case s.Status.Open():
			open++
			if len(pend) != 0 {
				t.Fatalf("request under intervention keeps %d pending deadlines", len(pend))
			}
		default:
			if len(pend) != 0 {
				t.Fatalf("%s request keeps %d pending deadlines", s.Status, len(pend))
			}
		}
		checkReplay(t, svc, service.AggAftersale, id, s, service.DecodeAftersaleEvents, aftersale.Replay)
	}
	if open > 1 {
		t.Fatalf("%d open requests on one order", open)
	}
	if sum != o.Refunded || o.Refunded > paid {
		t.Fatalf("refunds: requests %d, order %d, paid %d", sum, o.Refunded, paid)
	}
}

// checkReplay replays an aggregate's stored events and compares the result
// with its stored state, as JSON.
func checkReplay[S, E any](t interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
}, svc *service.Service, aggType, id string, stored S,
	decode func([]store.EventRecord) ([]E, error), replay func(string, []E) S) {
	t.Helper()
	recs, err := storeOf(svc).Events(context.Background(), aggType, id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := decode(recs)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(replay(id, evs))
	b, _ := json.Marshal(stored)
	if string(a) != string(b) {
		t.Fatalf("%s replay differs:\n got %s\nwant %s", aggType, a, b)
	}
}
