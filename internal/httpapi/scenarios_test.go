package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/service"
)

// forEachEngine runs fn on a fresh API on each engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *apitest.Env)) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) { fn(t, apitest.Open(t, eng.URL(t))) })
}

func TestAuthAndVisibility(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		id := refundOnly(e, "T1", 10000, apitest.Shipped, "not_received")
		path := "/v1/aftersales/" + id
		if r := e.Do(apitest.Req{Method: "GET", Path: path}); r.Status != 401 || r.Str("code") != "unauthorized" {
			t.Fatalf("no key: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Req{Method: "GET", Path: path, Key: "wq_not-a-key"}); r.Status != 401 {
			t.Fatalf("bad key: %d", r.Status)
		}
		for _, c := range []struct {
			key  string
			want int
		}{{e.Key("buyer", "B1"), 200}, {e.Key("seller", "S1"), 200}, {e.Agent, 200}, {e.Admin, 200}, {e.Integration, 200},
			{e.Key("buyer", "B2"), 404}, {e.Key("seller", "S2"), 404}} {
			if r := e.Do(apitest.Req{Method: "GET", Path: path, Key: c.key}); r.Status != c.want {
				t.Errorf("GET as %s: %d, want %d", c.key[:8], r.Status, c.want)
			}
			if r := e.Do(apitest.Req{Method: "GET", Path: path + "/events", Key: c.key}); r.Status != c.want {
				t.Errorf("GET events: %d, want %d", r.Status, c.want)
			}
		}
		// Lists are scoped to the caller's own requests.
		e.NewOrder("T2", "B2", "S1", 5000, apitest.Shipped)
		e.Aftersale("T2", "B2", map[string]any{"type": "refund_only", "reason": "not_received", "amount": 5000})
		list := func(key string) int {
			r := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales", Key: key})
			return len(r.JSON()["items"].([]any))
		}
		if list(e.Key("buyer", "B1")) != 1 || list(e.Key("buyer", "B2")) != 1 || list(e.Key("seller", "S1")) != 2 || list(e.Agent) != 2 {
			t.Fatal("lists not scoped to the caller")
		}
		// The integration acts for a party with X-Act-As; other keys may not.
		r := e.Do(apitest.Req{Method: "POST", Path: path + "/agree", Key: e.Integration, ActAs: "seller:S1"})
		if r.Status != 200 || r.Str("status") != "SUCCESS" {
			t.Fatalf("integration acting as seller: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Req{Method: "GET", Path: path, Key: e.Key("buyer", "B1"), ActAs: "seller:S1"}); r.Status != 403 {
			t.Fatalf("buyer key with X-Act-As: %d", r.Status)
		}
		// Buyers and sellers cannot write orders.
		if r := e.Do(apitest.Req{Method: "PUT", Path: "/v1/orders/T9", Key: e.Key("buyer", "B1"), Body: map[string]any{"buyer_id": "B1", "seller_id": "S1", "amount": 1}}); r.Status != 403 {
			t.Fatalf("buyer writing an order: %d", r.Status)
		}
	})
}

func TestBadInputNamesTheFieldAndChangesNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		e.NewOrder("T1", "B1", "S1", 10000, apitest.Paid)
		buyer := e.Key("buyer", "B1")
		cases := []struct {
			name   string
			req    apitest.Req
			status int
			field  string
		}{
			{"negative amount", apitest.Req{Method: "PUT", Path: "/v1/orders/T2", Key: e.Integration, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1", "amount": -5}}, 400, "amount"},
			{"negative postage", apitest.Req{Method: "PUT", Path: "/v1/orders/T2", Key: e.Integration, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1", "amount": 500, "postage": -1}}, 400, "postage"},
			{"amount as string", apitest.Req{Method: "PUT", Path: "/v1/orders/T2", Key: e.Integration, Body: `{"buyer_id":"B1","seller_id":"S1","amount":"12"}`}, 400, "amount"},
			{"unknown field", apitest.Req{Method: "PUT", Path: "/v1/orders/T2", Key: e.Integration, Body: `{"buyer_id":"B1","seller_id":"S1","amount":12,"amout":1}`}, 400, "amout"},
			{"malformed json", apitest.Req{Method: "PUT", Path: "/v1/orders/T2", Key: e.Integration, Body: `{"buyer_id":`}, 400, "body"},
			{"paid twice", apitest.Req{Method: "POST", Path: "/v1/orders/T1/events", Key: e.Integration, Body: map[string]any{"type": "paid", "at": apitest.Start}}, 409, ""},
			{"ship without tracking", apitest.Req{Method: "POST", Path: "/v1/orders/T1/events", Key: e.Integration, Body: map[string]any{"type": "shipped", "at": apitest.Start, "carrier": "SF"}}, 400, "tracking_no"},
			{"shipped before paid", apitest.Req{Method: "POST", Path: "/v1/orders/T1/events", Key: e.Integration, Body: map[string]any{"type": "shipped", "at": apitest.Start.Add(-10 * time.Hour), "carrier": "SF", "tracking_no": "1"}}, 400, "at"},
			{"unknown fact", apitest.Req{Method: "POST", Path: "/v1/orders/T1/events", Key: e.Integration, Body: map[string]any{"type": "teleported", "at": apitest.Start}}, 400, "type"},
			{"delivered before shipped", apitest.Req{Method: "POST", Path: "/v1/orders/T1/events", Key: e.Integration, Body: map[string]any{"type": "delivered", "at": apitest.Start}}, 409, ""},
			{"refund above paid", apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: buyer, Body: map[string]any{"order_id": "T1", "type": "refund_only", "reason": "not_received", "amount": 10001}}, 400, "amount"},
			{"zero refund", apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: buyer, Body: map[string]any{"order_id": "T1", "type": "refund_only", "reason": "not_received", "amount": 0}}, 400, "amount"},
			{"return before shipment", apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: buyer, Body: map[string]any{"order_id": "T1", "type": "return_and_refund", "reason": "quality_problem", "amount": 100}}, 400, "type"},
			{"unknown reason", apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: buyer, Body: map[string]any{"order_id": "T1", "type": "refund_only", "reason": "bored", "amount": 100}}, 400, "reason"},
			{"unknown order", apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: buyer, Body: map[string]any{"order_id": "NOPE", "type": "refund_only", "reason": "not_received", "amount": 100}}, 404, "order_id"},
			{"bad limit", apitest.Req{Method: "GET", Path: "/v1/aftersales?limit=0", Key: buyer}, 400, "limit"},
			{"bad status filter", apitest.Req{Method: "GET", Path: "/v1/aftersales?status=DONE", Key: buyer}, 400, "status"},
		}
		before := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T1", Key: e.Integration}).Body
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.Do(c.req)
				if r.Status != c.status || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("%d %s: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
				}
				p := r.JSON()
				if p["status"].(float64) != float64(c.status) || p["detail"] == "" || p["type"] == "" || p["title"] == "" {
					t.Fatalf("not an RFC 9457 problem: %s", r.Body)
				}
				if c.field != "" {
					errs, _ := p["errors"].([]any)
					if len(errs) == 0 || errs[0].(map[string]any)["field"] != c.field || errs[0].(map[string]any)["reason"] == "" {
						t.Fatalf("want field %q named: %s", c.field, r.Body)
					}
				}
			})
		}
		if after := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T1", Key: e.Integration}).Body; string(after) != string(before) {
			t.Fatal("refused input changed the order")
		}
		if r := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales", Key: e.Agent}); len(r.JSON()["items"].([]any)) != 0 {
			t.Fatal("refused input created a request")
		}
		if r := e.Do(apitest.Req{Method: "GET", Path: "/v1/orders/T9", Key: e.Integration}); r.Status != 404 {
			t.Fatal("refused PUT created an order")
		}
	})
}

func TestConcurrentConflictingActionsExactlyOneWins(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		for round := 0; round < 10; round++ {
			oid := fmt.Sprintf("T%d", round)
			e.NewOrder(oid, "B1", "S1", 10000, apitest.Shipped)
			id := e.Aftersale(oid, "B1", map[string]any{"type": "refund_only", "reason": "not_received", "amount": 10000})
			// The seller agrees, refuses and counter-offers while the buyer
			// cancels, each having seen version 1 (If-Match): exactly one wins.
			reqs := []struct {
				action string
				key    string
				body   any
			}{{"agree", seller, agreeReturn}, {"refuse", seller, map[string]any{"reason_code": "already_shipped", "reason": "已发货", "evidence": []string{"e1"}}},
				{"cancel", buyer, nil}, {"counter-offer", seller, map[string]any{"amount": 100}}}
			etag := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id, Key: buyer}).Header.Get("ETag")
			if etag != `"1"` {
				t.Fatalf("ETag %q", etag)
			}
			codes := make([]int, len(reqs))
			var wg sync.WaitGroup
			for i, r := range reqs {
				wg.Go(func() {
					codes[i] = e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales/" + id + "/" + r.action, Key: r.key, Body: r.body, Header: map[string]string{"If-Match": etag}}).Status
				})
			}
			wg.Wait()
			wins := 0
			for i, c := range codes {
				switch c {
				case 200:
					wins++
				case 412, 409: // the If-Match version is stale (412), or every retry lost the race (409)
				default:
					t.Fatalf("%s: unexpected %d", reqs[i].action, c)
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d winners %v", round, wins, codes)
			}
			ev := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id + "/events", Key: e.Agent})
			if n := len(ev.JSON()["items"].([]any)); n != 2 {
				t.Fatalf("round %d: %d events, want 2", round, n)
			}
		}
		// Without If-Match, actions apply to the state current when they
		// commit: of an agree and a cancel (both final) exactly one wins.
		for round := 0; round < 10; round++ {
			oid := fmt.Sprintf("U%d", round)
			e.NewOrder(oid, "B1", "S1", 10000, apitest.Shipped)
			id := e.Aftersale(oid, "B1", map[string]any{"type": "refund_only", "reason": "not_received", "amount": 10000})
			var a, c apitest.Resp
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); a = e.Act(id, "agree", seller, agreeReturn) }()
			go func() { defer wg.Done(); c = e.Act(id, "cancel", buyer, nil) }()
			wg.Wait()
			if (a.Status == 200) == (c.Status == 200) {
				t.Fatalf("agree %d, cancel %d: want exactly one winner", a.Status, c.Status)
			}
			loser := a
			if a.Status == 200 {
				loser = c
			}
			p := loser.JSON()
			if loser.Status != 409 || (p["current_status"] != "SUCCESS" && p["current_status"] != "CLOSED") || p["allowed_actions"] == nil {
				t.Fatalf("loser: %d %s", loser.Status, loser.Body)
			}
		}
		// A stale If-Match is refused even when the action would be allowed now.
		v := refundOnly(e, "V", 10000, apitest.Shipped, "not_received")
		e.Act(v, "refuse", seller, map[string]any{"reason_code": "goods_intact", "reason": "已发货", "evidence": []string{"e1"}})
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales/" + v + "/agree", Key: seller, Header: map[string]string{"If-Match": `"1"`}}); r.Status != 412 || r.JSON()["current_status"] != "SELLER_REFUSE_BUYER" || r.JSON()["code"] != "precondition_failed" {
			t.Fatalf("stale If-Match: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales/" + v + "/agree", Key: seller, Header: map[string]string{"If-Match": "abc"}}); r.Status != 400 {
			t.Fatalf("bad If-Match: %d", r.Status)
		}
		// Two concurrent requests on one order: one is created, the other refused.
		e.NewOrder("TX", "B1", "S1", 10000, apitest.Shipped)
		codes := make([]int, 4)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Go(func() {
				codes[i] = e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: buyer, Body: map[string]any{"order_id": "TX", "type": "refund_only", "reason": "not_received", "amount": 100 + i}}).Status
			})
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			if c == 201 {
				created++
			} else if c != 409 {
				t.Fatalf("unexpected %d", c)
			}
		}
		if created != 1 {
			t.Fatalf("%d requests created on one order: %v", created, codes)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		e.NewOrder("T1", "B1", "S1", 10000, apitest.Shipped)
		buyer := e.Key("buyer", "B1")
		body := map[string]any{"order_id": "T1", "type": "refund_only", "reason": "not_received", "amount": 3000}
		req := apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: buyer, Body: body, Header: map[string]string{"Idempotency-Key": "create-1"}}
		first := e.Must(201, req)
		again := e.Must(201, req)
		if string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		if r := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales", Key: buyer}); len(r.JSON()["items"].([]any)) != 1 {
			t.Fatal("a replay created a second request")
		}
		other := req
		other.Body = map[string]any{"order_id": "T1", "type": "refund_only", "reason": "not_received", "amount": 3001}
		if r := e.Do(other); r.Status != 422 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("same key, other body: %d %s", r.Status, r.Body)
		}
		// Keys are per principal: another buyer's identical key is independent.
		e.NewOrder("T2", "B2", "S1", 10000, apitest.Shipped)
		e.Must(201, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: e.Key("buyer", "B2"), Body: map[string]any{"order_id": "T2", "type": "refund_only", "reason": "not_received", "amount": 3000}, Header: map[string]string{"Idempotency-Key": "create-1"}})
		// A refused action is replayed as the same refusal, even after the state changed.
		id := first.Str("id")
		act := apitest.Req{Method: "POST", Path: "/v1/aftersales/" + id + "/confirm-return", Key: e.Key("seller", "S1"), Header: map[string]string{"Idempotency-Key": "c1"}}
		r1 := e.Must(409, act)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + id + "/agree", Key: e.Key("seller", "S1"), Header: map[string]string{"Idempotency-Key": "a1"}})
		if r2 := e.Must(409, act); string(r2.Body) != string(r1.Body) {
			t.Fatal("refusal not replayed identically")
		}
		// Concurrent duplicates: one executes, all get the same answer.
		e.NewOrder("T3", "B3", "S1", 10000, apitest.Shipped)
		var wg sync.WaitGroup
		bodies := make([]string, 6)
		for i := range bodies {
			wg.Go(func() {
				r := e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: e.Key("buyer", "B3"), Body: map[string]any{"order_id": "T3", "type": "refund_only", "reason": "not_received", "amount": 10}, Header: map[string]string{"Idempotency-Key": "dup"}})
				bodies[i] = fmt.Sprint(r.Status) + string(r.Body)
			})
		}
		wg.Wait()
		for _, b := range bodies[1:] {
			if b != bodies[0] {
				t.Fatalf("concurrent duplicates answered differently:\n%s\n%s", bodies[0], b)
			}
		}
		// Records are kept at least 24 h.
		rec, ok, err := e.Store.GetIdem(context.Background(), "", "dup")
		_ = rec
		if err != nil || ok {
			t.Fatalf("lookup by wrong principal found a record")
		}
		if n, _ := e.Store.PurgeIdem(context.Background(), e.Clock.Now().Add(-24*time.Hour)); n != 0 {
			t.Fatalf("purge removed %d fresh records", n)
		}
	})
}

func TestDeadlinesFireThroughTheServicePath(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		seller, buyer := e.Key("seller", "S1"), e.Key("buyer", "B1")
		e.NewOrder("A", "B1", "S1", 10000, apitest.Shipped)   // seller silent → auto-agree (refund)
		e.NewOrder("B", "B1", "S1", 10000, apitest.Delivered) // buyer silent after refusal → closed
		e.NewOrder("C", "B1", "S1", 10000, apitest.Delivered) // buyer never ships the return → closed
		e.NewOrder("D", "B1", "S1", 10000, apitest.Delivered) // seller never confirms → auto-refund
		a := e.Aftersale("A", "B1", map[string]any{"type": "refund_only", "reason": "not_received", "amount": 10000})
		b := e.Aftersale("B", "B1", map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": 2000})
		c := e.Aftersale("C", "B1", map[string]any{"type": "return_and_refund", "reason": "quality_problem", "amount": 10000})
		d := e.Aftersale("D", "B1", map[string]any{"type": "return_and_refund", "reason": "no_reason_7day", "amount": 10000})
		e.Act(b, "refuse", seller, map[string]any{"reason_code": "goods_intact", "reason": "无质量问题", "evidence": []string{"质检报告.pdf"}})
		e.Act(c, "agree", seller, agreeReturn)
		e.Act(d, "agree", seller, agreeReturn)
		e.Act(d, "ship-return", buyer, map[string]any{"carrier": "中通", "tracking_no": "ZT1"})
		get := func(id string) map[string]any {
			return e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id, Key: e.Agent}).JSON()
		}
		dl := get(a)["deadline"].(map[string]any)
		if dl["kind"] != "seller_respond" || dl["actor"] != "seller" || dl["on_expiry"] != "auto_agree" || dl["due_at"] != apitest.Start.Add(48*time.Hour).Format(time.RFC3339) {
			t.Fatalf("live deadline %v", dl)
		}
		// Nothing is due yet.
		if st, err := e.Svc.FireDue(ctx, 100); err != nil || st.Fired != 0 {
			t.Fatalf("fired early: %+v %v", st, err)
		}
		e.Clock.Advance(48*time.Hour + time.Second)
		if st, _ := e.Svc.FireDue(ctx, 100); st.Fired != 1 {
			t.Fatalf("after 48h: %+v", st)
		}
		if s := get(a); s["status"] != "SUCCESS" || s["refunded"].(float64) != 10000 || s["deadline"] != nil {
			t.Fatalf("auto-agree: %v", s)
		}
		e.Clock.Advance(7 * 24 * time.Hour)
		if st, _ := e.Svc.FireDue(ctx, 100); st.Fired != 2 {
			t.Fatalf("after 7 more days: %+v", st)
		}
		if get(b)["status"] != "CLOSED" || get(c)["status"] != "CLOSED" || get(d)["status"] != "WAIT_SELLER_CONFIRM_GOODS" {
			t.Fatal("7-day deadlines did not close B and C only")
		}
		e.Clock.Advance(3 * 24 * time.Hour)
		if st, _ := e.Svc.FireDue(ctx, 100); st.Fired != 1 {
			t.Fatalf("after 10 days: %+v", st)
		}
		if s := get(d); s["status"] != "SUCCESS" || s["refunded"].(float64) != 10000 {
			t.Fatalf("auto-refund: %v", s)
		}
		// Firing again does nothing: each deadline fires once.
		if st, _ := e.Svc.FireDue(ctx, 100); st.Claimed != 0 {
			t.Fatalf("refired: %+v", st)
		}
		// Events name the rule and the policy version.
		ev := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + a + "/events", Key: e.Agent}).JSON()["items"].([]any)
		last := ev[len(ev)-1].(map[string]any)
		if last["type"] != "auto_agreed" || last["actor"].(map[string]any)["role"] != "system" || last["policy_version"] != e.Svc.Policy().Version ||
			last["rule_ids"].([]any)[0] != "public-seller-respond-48h" {
			t.Fatalf("auto event %v", last)
		}
		for _, id := range []string{a, b, c, d} {
			assertReplay(t, e, id)
			if pend, _ := e.Store.PendingDeadlines(ctx, service.AggAftersale, id); len(pend) != 0 {
				t.Fatalf("%s: finished request keeps %d pending deadlines", id, len(pend))
			}
		}
		o := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders/A", Key: e.Integration}).JSON()
		if o["refunded"].(float64) != 10000 || o["status"] != "TRADE_CLOSED" {
			t.Fatalf("order after full refund: %v", o)
		}
	})
}

// assertReplay checks that replaying the stored events reproduces the stored state.
func assertReplay(t *testing.T, e *apitest.Env, id string) {
	t.Helper()
	ctx := context.Background()
	stored, err := e.Store.GetAftersale(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.Store.Events(ctx, service.AggAftersale, id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := service.DecodeAftersaleEvents(recs)
	if err != nil {
		t.Fatal(err)
	}
	got := aftersale.Replay(id, evs)
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(stored)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("replay of %s differs:\n got %s\nwant %s", id, a, b)
	}
}

func TestPaginationAndPolicy(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		for i := 0; i < 7; i++ {
			oid := fmt.Sprintf("P%d", i)
			e.NewOrder(oid, "B1", "S1", 1000, apitest.Paid)
			e.Aftersale(oid, "B1", map[string]any{"type": "refund_only", "reason": "other", "amount": 500})
		}
		seen := map[string]bool{}
		cursor := ""
		pages := 0
		for {
			r := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales?limit=3&cursor=" + cursor, Key: e.Agent}).JSON()
			for _, it := range r["items"].([]any) {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("%s seen twice", id)
				}
				seen[id] = true
			}
			pages++
			next, _ := r["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 7 || pages != 3 {
			t.Fatalf("%d items in %d pages", len(seen), pages)
		}
		p := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy", Key: e.Key("buyer", "B1")}).JSON()
		if p["version"] != e.Svc.Policy().Version || p["rules"].(map[string]any)["aftersale.seller_respond"].(map[string]any)["value"] != "48h" {
			t.Fatalf("policy %v", p["version"])
		}
	})
}

func TestEscalationEligibilityAndInterventionRecords(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		seller, buyer := e.Key("seller", "S1"), e.Key("buyer", "B1")
		refuseBody := map[string]any{"reason_code": "other", "reason": "不同意", "evidence": []string{"e1"}}
		// Paid but not shipped: negotiation is possible, intervention is not (SPEC §4).
		p := refundOnly(e, "P", 5000, apitest.Paid, "other")
		e.Act(p, "refuse", seller, refuseBody)
		if r := e.Act(p, "escalate", buyer, map[string]any{"reason": "卖家不退"}); r.Status != 409 || r.JSON()["errors"] == nil {
			t.Fatalf("escalating an unshipped order: %d %s", r.Status, r.Body)
		}
		// Completed more than 15 days ago: the window is closed.
		e.NewOrder("C", "B1", "S1", 5000, apitest.Completed)
		c := e.Aftersale("C", "B1", map[string]any{"type": "return_and_refund", "reason": "quality_problem", "amount": 5000})
		e.Act(c, "refuse", seller, refuseBody)
		e.Clock.Advance(6 * 24 * time.Hour)
		// Modifying after the window is still allowed: windows are judged at the original application.
		if r := e.Act(c, "modify", buyer, map[string]any{"amount": 4000}); r.Status != 200 {
			t.Fatalf("modify: %d %s", r.Status, r.Body)
		}
		e.Act(c, "refuse", seller, refuseBody)
		e.Clock.Advance(10 * 24 * time.Hour)
		if r := e.Act(c, "escalate", buyer, nil); r.Status != 409 || r.JSON()["rule_id"] != "seed-intervention-15d" {
			t.Fatalf("escalating after the window: %d %s", r.Status, r.Body)
		}
		// Shipped: escalation is recorded; settling between the parties closes the record.
		s := refundOnly(e, "S", 5000, apitest.Shipped, "not_received")
		e.Act(s, "refuse", seller, refuseBody)
		r := e.Act(s, "escalate", buyer, map[string]any{"reason": "物流显示未签收"})
		if r.Status != 200 || r.JSON()["cs_status"].(float64) != 10 || r.JSON()["deadline"] != nil {
			t.Fatalf("escalate: %d %s", r.Status, r.Body)
		}
		ivs, _ := e.Store.Interventions(ctx, s)
		if len(ivs) != 1 || ivs[0].Status != "requested" || ivs[0].RequestedBy != "buyer" {
			t.Fatalf("intervention request %+v", ivs)
		}
		e.Act(s, "agree", seller, agreeReturn)
		if ivs, _ = e.Store.Interventions(ctx, s); ivs[0].Status != "settled_by_parties" {
			t.Fatalf("after the seller agreed: %+v", ivs)
		}
	})
}
