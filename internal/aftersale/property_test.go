package aftersale_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/policy"
)

// world is one order and the requests opened on it one after another.
type world struct {
	book     *policy.Book
	now      time.Time
	order    aftersale.OrderView
	paid     money.Fen
	refunded money.Fen
	cur      aftersale.State
	events   []aftersale.Event
	n        int
}

func (w *world) view() aftersale.OrderView {
	o := w.order
	o.Refundable = w.paid - w.refunded
	o.Closed = w.refunded == w.paid
	return o
}

func (w *world) apply(evs []aftersale.Event) {
	for _, e := range evs {
		e.Seq = w.cur.Version + 1
		w.cur = aftersale.Evolve(w.cur, e)
		w.events = append(w.events, e)
		w.refunded += e.Data.Refund
	}
}

var actors = []aftersale.Role{aftersale.Buyer, aftersale.Seller}

func TestPropertyLifecycleInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		start := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		shipped, delivered := start.Add(-48*time.Hour), start.Add(-24*time.Hour)
		paidAt := start.Add(-72 * time.Hour)
		w := &world{book: policy.Default(), now: start, paid: money.Fen(rapid.Int64Range(100, 500000).Draw(t, "paid"))}
		w.order = aftersale.OrderView{ID: "T1", BuyerID: "B1", SellerID: "S1", PaidAt: &paidAt, ShippedAt: &shipped, DeliveredAt: &delivered}
		steps := rapid.IntRange(1, 60).Draw(t, "steps")
		for i := 0; i < steps; i++ {
			// Open a new request when none is open and money remains.
			if !w.cur.Status.Open() && w.paid > w.refunded {
				w.n++
				w.cur = aftersale.State{ID: "R" + string(rune('A'+w.n))}
				w.events = nil
				typ := rapid.SampledFrom(aftersale.Types).Draw(t, "type")
				amount := money.Fen(0)
				if typ != aftersale.Exchange {
					amount = money.Fen(rapid.Int64Range(-10, int64(w.paid-w.refunded)+10).Draw(t, "amount"))
				}
				cmd := aftersale.Command{Action: aftersale.Create, Actor: aftersale.Actor{Role: aftersale.Buyer, ID: "B1"}, Type: typ,
					Reason: rapid.SampledFrom(aftersale.Reasons).Draw(t, "reason"), Amount: amount}
				evs, err := aftersale.Decide(w.cur, w.view(), cmd, w.book, w.now)
				if err != nil {
					if amount > 0 && amount <= w.paid-w.refunded && typ == aftersale.RefundOnly && cmd.Reason != aftersale.NoReason7Day {
						t.Fatalf("valid create refused: %v", err)
					}
					w.cur = aftersale.State{}
					continue
				}
				w.apply(evs)
			}
			if !w.cur.Status.Open() {
				break
			}
			switch rapid.IntRange(0, 3).Draw(t, "kind") {
			case 0: // advance the clock, firing the live deadline if it came due
				w.now = w.now.Add(time.Duration(rapid.Int64Range(1, 12*24*3600).Draw(t, "advance_s")) * time.Second)
				if d := w.cur.Deadline; d != nil && !w.now.Before(d.DueAt) {
					evs, err := aftersale.Decide(w.cur, w.view(), aftersale.Command{Action: aftersale.Expire, Actor: aftersale.Actor{Role: aftersale.System},
						DeadlineKind: d.Kind, DeadlineDueAt: d.DueAt}, w.book, w.now)
					if err != nil {
						t.Fatalf("due deadline %s refused: %v", d.Kind, err)
					}
					w.apply(evs)
				}
			default: // a party acts
				before := w.cur
				act := rapid.SampledFrom(aftersale.Actions).Draw(t, "action")
				role := rapid.SampledFrom(actors).Draw(t, "role")
				cmd := aftersale.Command{Action: act, Actor: aftersale.Actor{Role: role, ID: "X"},
					Amount: money.Fen(rapid.Int64Range(0, int64(w.paid)).Draw(t, "cmd_amount")), Note: "理由", Evidence: []string{"ev-1"},
					Carrier: "SF", TrackingNo: "SF1"}
				evs, err := aftersale.Decide(w.cur, w.view(), cmd, w.book, w.now)
				if err != nil {
					if !reflect.DeepEqual(before, w.cur) {
						t.Fatal("a refused command changed state")
					}
					continue
				}
				w.apply(evs)
			}
			check(t, w)
		}
	})
}

func check(t *rapid.T, w *world) {
	if w.refunded > w.paid {
		t.Fatalf("refunded %d > paid %d", w.refunded, w.paid)
	}
	if w.cur.Refunded > w.cur.Amount && w.cur.Type != aftersale.Exchange {
		t.Fatalf("request refunded %d > its amount %d", w.cur.Refunded, w.cur.Amount)
	}
	open := w.cur.Status.Open()
	if open && w.cur.Intervention == nil && w.cur.Deadline == nil {
		t.Fatalf("open request in %s without a live deadline", w.cur.Status)
	}
	if (!open || w.cur.Intervention != nil) && w.cur.Deadline != nil {
		t.Fatalf("request in %s (intervention %v) still has deadline %s", w.cur.Status, w.cur.Intervention != nil, w.cur.Deadline.Kind)
	}
	if !open {
		// Nothing moves a closed or successful request, not even a deadline.
		for _, a := range append(aftersale.Actions, aftersale.Expire) {
			for _, r := range []aftersale.Role{aftersale.Buyer, aftersale.Seller, aftersale.System} {
				if evs, err := aftersale.Decide(w.cur, w.view(), aftersale.Command{Action: a, Actor: aftersale.Actor{Role: r}, Amount: 1, Note: "x", Evidence: []string{"e"}, Carrier: "c", TrackingNo: "t"}, w.book, w.now.Add(365*24*time.Hour)); err == nil {
					t.Fatalf("%s by %s moved a %s request: %v", a, r, w.cur.Status, evs)
				}
			}
		}
	}
	// Replay through JSON (as stored) reproduces the state.
	raw, _ := json.Marshal(w.events)
	var back []aftersale.Event
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	got := aftersale.Replay(w.cur.ID, back)
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(w.cur)
	if string(a) != string(b) {
		t.Fatalf("replay differs:\n got %s\nwant %s", a, b)
	}
}
