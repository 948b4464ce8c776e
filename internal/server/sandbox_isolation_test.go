package server_test

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/httpapi"
	"github.com/weiquan/weiquan/internal/ledgercheck"
)

// side is one side's objects: what its keys may see and the other's never.
type side struct {
	sandbox bool
	ids     map[string]string // path collection → an object id of this side
	markers []string          // strings only this side's data contains
	keys    []string          // this side's keys (admin, integration, agent, buyer, seller)
}

// fill makes one side's objects: an order with a request escalated to a
// case, a second order with a complaint, the buyer's site messages; in the
// sandbox the orders are on a test clock.
func fill(t *testing.T, x *sbx, sandbox bool, tag string) side {
	t.Helper()
	k := func(r actor.Role, p string) string { return x.key(sandbox, r, p) }
	integ, b1, s1 := k(actor.Integration, ""), k(actor.Buyer, "B1"), k(actor.Seller, "S1")
	sd := side{sandbox: sandbox, ids: map[string]string{}, keys: []string{k(actor.Admin, ""), integ, k(actor.Agent, ""), b1, s1}}
	clock := ""
	if sandbox {
		clock = must(t, 201, x.base, "POST", "/v1/test-clocks", integ, map[string]any{"name": "iso", "frozen_time": t0.Format(time.RFC3339)}).JSON()["id"].(string)
		sd.ids["test-clocks"] = clock
		sd.markers = append(sd.markers, clock)
	}
	title := "标记" + tag + "MARK"
	sd.markers = append(sd.markers, title, tag+"-O1", tag+"-O2")
	now := time.Now()
	if sandbox {
		now = t0
	}
	ts := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339Nano) }
	for _, id := range []string{tag + "-O1", tag + "-O2"} {
		body := map[string]any{"buyer_id": "B1", "seller_id": "S1", "category": "女装", "amount": 4321, "postage": 0,
			"items": []map[string]any{{"title": title, "quantity": 1, "price": 4321}}}
		if clock != "" {
			body["test_clock"] = clock
		}
		must(t, 200, x.base, "PUT", "/v1/orders/"+id, integ, body)
		must(t, 200, x.base, "POST", "/v1/orders/"+id+"/events", integ, map[string]any{"type": "paid", "at": ts(-3 * 24 * time.Hour)})
	}
	o1 := tag + "-O1"
	must(t, 200, x.base, "POST", "/v1/orders/"+o1+"/events", integ, map[string]any{"type": "shipped", "at": ts(-2 * 24 * time.Hour), "carrier": "SF", "tracking_no": "SF" + tag})
	must(t, 200, x.base, "POST", "/v1/orders/"+o1+"/events", integ, map[string]any{"type": "delivered", "at": ts(-24 * time.Hour), "signed_by": "本人"})
	sd.ids["orders"] = o1
	as := must(t, 201, x.base, "POST", "/v1/aftersales", b1, map[string]any{"order_id": o1, "type": "refund_only", "reason": "quality_problem", "amount": 4321}).JSON()["id"].(string)
	must(t, 200, x.base, "POST", "/v1/aftersales/"+as+"/refuse", s1, map[string]any{"reason_code": "other", "reason": "无问题", "evidence": []string{"单据"}})
	must(t, 200, x.base, "POST", "/v1/aftersales/"+as+"/escalate", b1, map[string]any{"reason": "不同意"})
	sd.ids["aftersales"] = as
	for _, it := range must(t, 200, x.base, "GET", "/v1/disputes", b1, nil).JSON()["items"].([]any) {
		sd.ids["disputes"] = it.(map[string]any)["id"].(string)
	}
	c := must(t, 201, x.base, "POST", "/v1/complaints", b1, map[string]any{"type": "out_of_stock", "order_id": tag + "-O2", "occurred_at": ts(-time.Hour),
		"description": "缺货 " + title, "claim": map[string]any{"text": "处理", "amount": 0}}).JSON()["id"].(string)
	sd.ids["complaints"] = c
	sd.ids["ledger"] = "escrow:" + o1
	if ms := must(t, 200, x.base, "GET", "/v1/messages", b1, nil).JSON()["items"].([]any); len(ms) > 0 {
		sd.ids["messages"] = ms[0].(map[string]any)["id"].(string)
	}
	keys := must(t, 200, x.base, "GET", "/v1/api-keys", sd.keys[0], nil).JSON()["items"].([]any)
	sd.ids["api-keys"] = keys[len(keys)-1].(map[string]any)["id"].(string)
	for _, id := range []string{as, sd.ids["disputes"], c, sd.ids["messages"], sd.ids["api-keys"]} {
		if id != "" {
			sd.markers = append(sd.markers, id)
		}
	}
	return sd
}

// objectRoutes are the collections whose {id} names one object: another
// side's id is not found (404), whatever the method.
var objectRoutes = map[string]bool{"orders": true, "aftersales": true, "disputes": true, "complaints": true, "test-clocks": true, "api-keys": true, "messages": true}

// TestSandboxIsolation is the matrix: every operation of the OpenAPI
// document, called with each key of one side (admin, integration, agent,
// buyer, seller) on the other side's object ids, answers 404 for an
// object, and no answer — lists included — ever carries the other side's
// data (its object ids, titles, clocks).
func TestSandboxIsolation(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		x := startSandbox(t, eng)
		prod := fill(t, x, false, "PROD")
		sand := fill(t, x, true, "SAND")
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
			t.Fatal(err)
		}
		paths := make([]string, 0, len(doc.Paths))
		for p := range doc.Paths {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		calls, notFound := 0, 0
		for _, dir := range []struct{ from, to side }{{sand, prod}, {prod, sand}} {
			for _, p := range paths {
				if !strings.HasPrefix(p, "/v1/") || p == "/v1/openapi.json" {
					continue
				}
				coll := strings.Split(strings.TrimPrefix(p, "/v1/"), "/")[0]
				id, ok := dir.to.ids[coll]
				if !ok {
					id = "nothing-here"
				}
				path := strings.NewReplacer("{id}", id, "{message_id}", "m-none").Replace(p)
				for method := range doc.Paths[p] {
					m := strings.ToUpper(method)
					if m != "GET" && m != "POST" && m != "PUT" && m != "PATCH" && m != "DELETE" {
						continue
					}
					for _, key := range dir.from.keys {
						var body any
						if m != "GET" && m != "DELETE" {
							body = map[string]any{}
						}
						r := do(t, x.base, m, path, key, body)
						calls++
						for _, mk := range dir.to.markers {
							if strings.Contains(string(r.Body), mk) && !strings.Contains(path, mk) {
								t.Errorf("%s %s (sandbox key %v): the other side's %q in %d %s", m, path, dir.from.sandbox, mk, r.Status, r.Body)
							}
						}
						if strings.Contains(p, "{id}") && objectRoutes[coll] && ok {
							if r.Status == 404 {
								notFound++
							} else if r.Status < 400 || (m == "GET" && r.Status != 404 && r.Status != 403) {
								t.Errorf("%s %s (sandbox key %v) on the other side's object: %d %s", m, path, dir.from.sandbox, r.Status, r.Body)
							}
						}
					}
				}
			}
		}
		t.Logf("%d calls, %d answered 404 on the other side's objects", calls, notFound)
		// The control: the same reads with a side's own keys on its own ids
		// do show its markers (so the check above can fail).
		shown := 0
		for _, sd := range []side{prod, sand} {
			for _, p := range paths {
				coll := strings.Split(strings.TrimPrefix(p, "/v1/"), "/")[0]
				if _, ok := doc.Paths[p]["get"]; !ok || !objectRoutes[coll] || sd.ids[coll] == "" {
					continue
				}
				path := strings.ReplaceAll(p, "{id}", sd.ids[coll])
				for _, key := range sd.keys {
					body := string(do(t, x.base, "GET", path, key, nil).Body)
					if slices.ContainsFunc(sd.markers, func(mk string) bool { return strings.Contains(body, mk) && !strings.Contains(path, mk) }) {
						shown++
					}
				}
			}
		}
		if shown < 20 {
			t.Errorf("own keys saw their own data %d times: the matrix proves nothing", shown)
		}
		if notFound < 300 {
			t.Errorf("only %d answers were 404", notFound)
		}
		// Two ledgers: each side's escrow holds its own payment and the other
		// side's account reads as absent or empty; both check clean.
		for _, c := range []struct {
			key, account string
			want         float64
		}{{prod.keys[0], "escrow:PROD-O1", 4321}, {sand.keys[0], "escrow:SAND-O1", 4321}, {prod.keys[0], "escrow:SAND-O1", 0}, {sand.keys[0], "escrow:PROD-O1", 0}} {
			r := do(t, x.base, "GET", "/v1/ledger/accounts/"+c.account, c.key, nil)
			got, _ := r.JSON()["balance"].(float64)
			if (r.Status != 200 && !(c.want == 0 && r.Status == 404)) || got != c.want {
				t.Errorf("%s: %d balance %v, want %v: %s", c.account, r.Status, got, c.want, r.Body)
			}
		}
		for _, u := range []string{x.prodURL, x.sandURL} {
			rep, err := ledgercheck.Check(context.Background(), apitest.OpenStore(t, u))
			if err != nil || !rep.OK() {
				t.Fatalf("ledger check %s: %v %+v", u, err, rep.First())
			}
		}
		// Each side still sees its own.
		for _, sd := range []side{prod, sand} {
			must(t, 200, x.base, "GET", "/v1/orders/"+sd.ids["orders"], sd.keys[1], nil)
			list := string(must(t, 200, x.base, "GET", "/v1/aftersales", sd.keys[3], nil).Body)
			if !strings.Contains(list, sd.ids["aftersales"]) {
				t.Errorf("sandbox %v: the buyer does not see its own request", sd.sandbox)
			}
		}
	})
}
