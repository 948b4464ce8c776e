package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/server"
	"github.com/weiquan/weiquan/internal/service"
)

// sbx is a running server with its sandbox, and keys on both sides.
type sbx struct {
	t        *testing.T
	s        *server.Server
	base     string
	prodURL  string
	sandURL  string
	keys     map[string]string
	sandKeys map[string]string
}

func startSandbox(t *testing.T, eng apitest.Engine) *sbx {
	t.Helper()
	cfg := config.Default()
	cfg.DB, cfg.SandboxDB = eng.URL(t), eng.URL(t)
	cfg.Addr = "127.0.0.1:0"
	cfg.EvidenceDir = t.TempDir()
	cfg.SMSFile = t.TempDir() + "/sms.jsonl"
	cfg.DeadlineInterval = 50 * time.Millisecond
	s, err := server.Start(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if s.Sandbox == nil || !s.Sandbox.Sandbox() || s.Svc.Sandbox() {
		t.Fatal("the sandbox service is not the sandbox's")
	}
	return &sbx{t: t, s: s, base: "http://" + s.Addr, prodURL: cfg.DB, sandURL: cfg.SandboxDB, keys: map[string]string{}, sandKeys: map[string]string{}}
}

// key returns a production (sandbox false) or sandbox key for a role.
func (x *sbx) key(sandbox bool, role actor.Role, party string) string {
	x.t.Helper()
	m, svc := x.keys, x.s.Svc
	if sandbox {
		m, svc = x.sandKeys, x.s.Sandbox
	}
	if k, ok := m[string(role)+"/"+party]; ok {
		return k
	}
	k, _, err := svc.NewAPIKey(context.Background(), role, party, "test")
	if err != nil {
		x.t.Fatal(err)
	}
	if strings.HasPrefix(k, service.SandboxKeyPrefix) != sandbox {
		x.t.Fatalf("key %q: sandbox %v", k[:10], sandbox)
	}
	m[string(role)+"/"+party] = k
	return k
}

type resp = apitest.Resp

// do calls base+path with body (nil: none) as JSON.
func do(t *testing.T, base, method, path, key string, body any) resp {
	t.Helper()
	return apitest.Send(t, base, apitest.Req{Method: method, Path: path, Key: key, Body: body})
}

func must(t *testing.T, status int, base, method, path, key string, body any) resp {
	t.Helper()
	r := do(t, base, method, path, key, body)
	if r.Status != status {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, status, r.Body)
	}
	return r
}

// world is where a scenario runs: production on a manual clock (the worker
// path: each due deadline fired by FireDue with the clock set to its due
// time) or the sandbox on a test clock.
type world struct {
	t       *testing.T
	base    string
	key     func(role actor.Role, party string) string
	clockID string                      // the sandbox's test clock ("" production)
	advance func(to time.Time) []string // fired kinds, in order (sandbox only)
}

// t0 is when every scenario starts: a Monday.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) string { return t0.Add(d).Format(time.RFC3339Nano) }

// scenario drives one of each deadline kind and returns the normalised
// event logs and ledgers of every object, and what the advances fired.
func scenario(w world) (map[string]any, []string) {
	t := w.t
	integ := w.key(actor.Integration, "")
	agent := w.key(actor.Agent, "")
	b1, s1 := w.key(actor.Buyer, "B1"), w.key(actor.Seller, "S1")
	order := func(id string, amount int64, facts ...map[string]any) {
		body := map[string]any{"buyer_id": "B1", "seller_id": "S1", "category": "女装", "amount": amount, "postage": 0,
			"items": []map[string]any{{"title": "测试商品 " + id, "quantity": 1, "price": amount}}}
		if w.clockID != "" {
			body["test_clock"] = w.clockID
		}
		must(t, 200, w.base, "PUT", "/v1/orders/"+id, integ, body)
		for _, f := range facts {
			must(t, 200, w.base, "POST", "/v1/orders/"+id+"/events", integ, f)
		}
	}
	delivered := []map[string]any{{"type": "paid", "at": at(-4 * 24 * time.Hour)},
		{"type": "shipped", "at": at(-3 * 24 * time.Hour), "carrier": "SF", "tracking_no": "SF1"},
		{"type": "first_scan", "at": at(-3 * 24 * time.Hour)},
		{"type": "delivered", "at": at(-2 * 24 * time.Hour), "signed_by": "本人"}}
	// R1: shipped now, auto-confirmed 10 days later.
	order("R1", 20000, map[string]any{"type": "paid", "at": at(-time.Hour)}, map[string]any{"type": "shipped", "at": at(0), "carrier": "SF", "tracking_no": "SFR1"})
	// A1: a refund the seller never answers (auto-agree at 48 h).
	order("A1", 5000, delivered...)
	a1 := must(t, 201, w.base, "POST", "/v1/aftersales", b1, map[string]any{"order_id": "A1", "type": "refund_only", "reason": "quality_problem", "amount": 5000}).JSON()["id"].(string)
	// A2: a return the buyer never ships (closed after 7 days).
	order("A2", 6000, delivered...)
	a2 := must(t, 201, w.base, "POST", "/v1/aftersales", b1, map[string]any{"order_id": "A2", "type": "return_and_refund", "reason": "quality_problem", "amount": 6000}).JSON()["id"].(string)
	must(t, 200, w.base, "POST", "/v1/aftersales/"+a2+"/agree", s1, map[string]any{"reason_code": "quality_confirmed",
		"return_address": map[string]any{"name": "张三", "phone": "13912345678", "address": "浙江省杭州市西湖区文三路100号"}})
	// D1: refused, escalated; both sides let the evidence windows run out.
	order("D1", 7000, delivered...)
	d1a := must(t, 201, w.base, "POST", "/v1/aftersales", b1, map[string]any{"order_id": "D1", "type": "refund_only", "reason": "quality_problem", "amount": 7000}).JSON()["id"].(string)
	must(t, 200, w.base, "POST", "/v1/aftersales/"+d1a+"/refuse", s1, map[string]any{"reason_code": "other", "reason": "商品无问题", "evidence": []string{"质检单"}})
	must(t, 200, w.base, "POST", "/v1/aftersales/"+d1a+"/escalate", b1, map[string]any{"reason": "开线严重"})
	d1 := ""
	for _, it := range must(t, 200, w.base, "GET", "/v1/disputes", b1, nil).JSON()["items"].([]any) {
		if c := it.(map[string]any); c["aftersale_id"] == d1a {
			d1 = c["id"].(string)
		}
	}
	if d1 == "" {
		t.Fatal("no case")
	}
	// C1: a complaint the seller never answers.
	order("C1", 8000, map[string]any{"type": "paid", "at": at(-2 * time.Hour)})
	c1r := do(t, w.base, "POST", "/v1/complaints", b1, map[string]any{"type": "out_of_stock", "order_id": "C1", "occurred_at": at(-time.Hour),
		"description": "卖家称缺货 / out of stock", "claim": map[string]any{"text": "要求处理 / please act", "amount": 0}})
	if c1r.Status != 201 {
		t.Fatalf("complaint: %d %s", c1r.Status, c1r.Body)
	}
	c1 := c1r.JSON()["id"].(string)

	var fired []string
	fired = append(fired, w.advance(t0.Add(4*24*time.Hour))...)
	v := must(t, 200, w.base, "GET", "/v1/disputes/"+d1, agent, nil).JSON()
	if v["status"] != "REVIEW" {
		t.Fatalf("case after the evidence windows: %v", v["status"])
	}
	// The review SLA counts 3 working days from when the case entered review
	// (the clock's time) and is breached on the case's time, not the wall's.
	due, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(v["sla_due_at"]))
	if v["sla_breached"] != false || due.Before(t0.Add(3*24*time.Hour)) || due.After(t0.Add(10*24*time.Hour)) {
		t.Fatalf("sla %v %v", v["sla_due_at"], v["sla_breached"])
	}
	slaDue := v["sla_due_at"]
	fired = append(fired, w.advance(t0.Add(12*24*time.Hour))...)
	if v := must(t, 200, w.base, "GET", "/v1/disputes/"+d1, agent, nil).JSON(); v["status"] != "REVIEW" || v["sla_breached"] != true {
		t.Fatalf("case past its review SLA: %v %v", v["status"], v["sla_breached"])
	}
	must(t, 200, w.base, "POST", "/v1/disputes/"+d1+"/claim", agent, nil)
	must(t, 200, w.base, "POST", "/v1/disputes/"+d1+"/judge", agent, map[string]any{"outcome": "refund_full", "fault": "seller",
		"reason": "卖家未举证", "rule_ids": []string{"taobao-dispute-65", "taobao-dispute-66"}})
	fired = append(fired, w.advance(t0.Add(30*24*time.Hour))...)

	out := map[string]any{"sla_due_at": slaDue}
	for _, p := range []string{"/v1/orders/R1", "/v1/orders/A1", "/v1/orders/A2", "/v1/orders/D1", "/v1/orders/C1",
		"/v1/aftersales/" + a1, "/v1/aftersales/" + a2, "/v1/aftersales/" + d1a, "/v1/disputes/" + d1, "/v1/complaints/" + c1} {
		out[norm(p)+"/events"] = normJSON(must(t, 200, w.base, "GET", p+"/events", agent, nil).JSON()["items"])
	}
	for _, o := range []string{"R1", "A1", "A2", "D1", "C1"} {
		out["ledger/"+o] = normJSON(must(t, 200, w.base, "GET", "/v1/orders/"+o+"/ledger", integ, nil).JSON())
		out["order/"+o] = must(t, 200, w.base, "GET", "/v1/orders/"+o, integ, nil).JSON()["status"]
	}
	out["A1"] = must(t, 200, w.base, "GET", "/v1/aftersales/"+a1, b1, nil).JSON()["status"]
	out["A2"] = must(t, 200, w.base, "GET", "/v1/aftersales/"+a2, b1, nil).JSON()["status"]
	out["D1"] = must(t, 200, w.base, "GET", "/v1/disputes/"+d1, b1, nil).JSON()["status"]
	out["C1"] = must(t, 200, w.base, "GET", "/v1/complaints/"+c1, b1, nil).JSON()["status"]
	return out, fired
}

var (
	uuidRE   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	digestRE = regexp.MustCompile(`"digest":"[0-9a-f]{64}"`) // a transaction's digest covers its id
)

func norm(s string) string {
	return digestRE.ReplaceAllString(uuidRE.ReplaceAllString(s, "<id>"), `"digest":""`)
}

// normJSON is v with every UUID replaced (ids minted by either run) and
// the keys' ids gone.
func normJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal([]byte(norm(string(b))), &out)
	return out
}

// TestTestClockFiresLikeTheWorker: a scenario with one of each deadline
// kind (seller silence, the buyer's return window, the evidence windows,
// the appeal window, a complaint's response window, auto-confirmed
// receipt) run in the sandbox on a test clock gives exactly the events
// and ledger postings of the same scenario in production with the deadline
// worker's FireDue firing each deadline at its due time; the advances list
// what fired; the worker never fired a clock's deadline on wall time; both
// ledgers check clean.
func TestTestClockFiresLikeTheWorker(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		// Production path: apitest's manual clock, deadlines fired by FireDue.
		e := apitest.Open(t, eng.URL(t))
		e.Clock.Set(t0)
		prod := world{t: t, base: e.Server.URL, key: e.Key, advance: func(to time.Time) []string {
			for {
				due, ok, err := e.Store.NextClockDeadline(ctx, "", to)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				e.Clock.Set(due)
				if st, err := e.Svc.FireDue(ctx, 200); err != nil || st.Fired+st.Cancelled == 0 {
					t.Fatalf("fire at %v: %+v %v", due, st, err)
				}
			}
			e.Clock.Set(to)
			return nil
		}}
		want, _ := scenario(prod)

		x := startSandbox(t, eng)
		integ := x.key(true, actor.Integration, "")
		// A production key has no test clocks.
		if r := do(t, x.base, "POST", "/v1/test-clocks", x.key(false, actor.Integration, ""), map[string]any{"name": "p", "frozen_time": at(0)}); r.Status != 404 {
			t.Fatalf("production key creates a clock: %d %s", r.Status, r.Body)
		}
		for _, bad := range []map[string]any{{"name": "c"}, {"name": "", "frozen_time": at(0)}, {"name": "c", "frozen_time": "yesterday"}} {
			if r := do(t, x.base, "POST", "/v1/test-clocks", integ, bad); r.Status != 400 {
				t.Fatalf("clock %v: %d %s", bad, r.Status, r.Body)
			}
		}
		tc := must(t, 201, x.base, "POST", "/v1/test-clocks", integ, map[string]any{"name": "月度回归 / monthly", "frozen_time": at(0)}).JSON()
		id := tc["id"].(string)
		if got := must(t, 200, x.base, "GET", "/v1/test-clocks/"+id, integ, nil).JSON(); got["frozen_time"] != at(0) || got["name"] != "月度回归 / monthly" {
			t.Fatalf("clock %v", got)
		}
		if r := do(t, x.base, "GET", "/v1/test-clocks/"+id, x.key(false, actor.Integration, ""), nil); r.Status != 404 {
			t.Fatalf("production key reads a sandbox clock: %d", r.Status)
		}
		if r := do(t, x.base, "PUT", "/v1/orders/X1", x.key(false, actor.Integration, ""), map[string]any{"buyer_id": "B1", "seller_id": "S1", "amount": 1, "test_clock": id}); r.Status != 400 || !strings.Contains(string(r.Body), "test_clock") {
			t.Fatalf("production order on a clock: %d %s", r.Status, r.Body)
		}
		var kinds []string
		sand := world{t: t, base: x.base, clockID: id, key: func(r actor.Role, p string) string { return x.key(true, r, p) }, advance: func(to time.Time) []string {
			// What the sandbox's deadline worker runs (worker.Deadlines.RunOnce)
			// on wall time, long past every deadline here: it claims none of
			// the clock's.
			if st, err := x.s.Sandbox.FireDue(ctx, 200); err != nil || st.Claimed != 0 {
				t.Fatalf("the worker fired a test clock's deadlines on wall time: %+v %v", st, err)
			}
			r := must(t, 200, x.base, "POST", "/v1/test-clocks/"+id+"/advance", integ, map[string]any{"frozen_time": to.Format(time.RFC3339)}).JSON()
			if r["test_clock"].(map[string]any)["frozen_time"] != to.Format(time.RFC3339) {
				t.Fatalf("advanced clock %v", r["test_clock"])
			}
			var last string
			for _, f := range r["fired"].([]any) {
				f := f.(map[string]any)
				if f["due_at"].(string) < last || f["due_at"].(string) > to.Format(time.RFC3339Nano) || f["object_id"] == "" {
					t.Fatalf("fired out of order: %v", r["fired"])
				}
				last = f["due_at"].(string)
				kinds = append(kinds, f["kind"].(string)+"/"+f["rule_id"].(string))
			}
			return nil
		}}
		// Wall time is far past the clock: had the worker fired the clock's
		// deadlines, the events would differ from production's.
		got, _ := scenario(sand)
		time.Sleep(150 * time.Millisecond) // the sandbox's worker ran meanwhile
		for k, wv := range want {
			gb, _ := json.Marshal(got[k])
			wb, _ := json.Marshal(wv)
			if !bytes.Equal(gb, wb) {
				t.Errorf("%s differs:\nsandbox    %s\nproduction %s", k, gb, wb)
			}
		}
		for _, k := range []string{"seller_respond/public-seller-respond-48h", "buyer_ship_return/public-buyer-return-7d", "evidence_window/ours-evidence-3d",
			"respond_window/", "appeal_window/", "auto_confirm_receipt/ours-auto-confirm-10d"} {
			if !slices.ContainsFunc(kinds, func(s string) bool { return strings.HasPrefix(s, k) }) {
				t.Errorf("no %s fired: %v", k, kinds)
			}
		}
		// Never backwards.
		if r := do(t, x.base, "POST", "/v1/test-clocks/"+id+"/advance", integ, map[string]any{"frozen_time": at(time.Hour)}); r.Status != 400 || problemField(r) != "frozen_time" {
			t.Fatalf("backwards: %d %s", r.Status, r.Body)
		}
		for _, u := range []string{x.prodURL, x.sandURL} {
			st := apitest.OpenStore(t, u)
			rep, err := ledgercheck.Check(ctx, st)
			if err != nil || !rep.OK() {
				t.Fatalf("ledger check %s: %v %+v", u, err, rep.First())
			}
		}
	})
}

func problemField(r resp) string {
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(r.Body, &p)
	if len(p.Errors) == 0 {
		return ""
	}
	return p.Errors[0].Field
}
