package httpapi_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
)

// TestNegotiationRecord (issue 13, 协商记录): buyer and seller exchange
// messages on the request (attachments are their own evidence on it); only
// the parties and staff read the thread; the other party is notified; a
// closed request takes no message; the agent sees the whole thread on the
// case once the buyer escalates.
func TestNegotiationRecord(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		as := refundOnly(e, "N1", 9900, apitest.Delivered, "quality_problem")
		path := "/v1/aftersales/" + as + "/messages"
		photo := upload(e, buyer, as, "开线", "p.png", pngBytes(t, 3, 3), "").Str("id")
		sellerDoc := upload(e, seller, as, "质检单", "q.png", pngBytes(t, 4, 3), "").Str("id")

		m1 := e.Must(201, apitest.Req{Method: "POST", Path: path, Key: buyer, Body: map[string]any{"text": " 裙摆开线，请退款 ", "attachments": []string{photo}}}).JSON()
		if m1["seq"] != 1.0 || m1["text"] != "裙摆开线，请退款" || m1["author"].(map[string]any)["role"] != "buyer" ||
			!slices.Equal(anyStrings(m1["attachments"]), []string{photo}) || !slices.Equal(anyStrings(m1["rule_ids"]), []string{"seed-negotiate-first"}) {
			t.Fatalf("first message: %v", m1)
		}
		e.Must(201, apitest.Req{Method: "POST", Path: path, Key: seller, Body: map[string]any{"text": "可以提供质检单，建议换货"}})

		// Attachments are checked like evidence: the author's own upload to this request.
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"text": "看这个", "attachments": []string{sellerDoc}}, "attachments[0]"},
			{map[string]any{"text": "看这个", "attachments": []string{"no-such-evidence"}}, "attachments[0]"},
			{map[string]any{"text": "   "}, "text"},
		} {
			r := e.Do(apitest.Req{Method: "POST", Path: path, Key: buyer, Body: c.body})
			if r.Status != 400 || problemField(r) != c.field {
				t.Fatalf("%v: %d %s, want 400 naming %s", c.body, r.Status, r.Body, c.field)
			}
		}

		// Visibility: the parties and staff read; strangers get 404 (as the
		// request itself), staff and the bare integration may not post (403).
		for _, c := range []struct {
			key        string
			get, post  int
			actAs      string
			wantThread bool
		}{
			{buyer, 200, 0, "", true}, {seller, 200, 0, "", true}, {e.Agent, 200, 403, "", true}, {e.Admin, 200, 403, "", true},
			{e.Key("buyer", "B2"), 404, 404, "", false}, {e.Key("seller", "S2"), 404, 404, "", false},
			{e.Integration, 403, 403, "", false}, {e.Integration, 200, 0, "buyer:B1", true},
		} {
			r := e.Do(apitest.Req{Method: "GET", Path: path, Key: c.key, ActAs: c.actAs})
			if r.Status != c.get {
				t.Fatalf("GET as %s %s: %d %s, want %d", c.key[:8], c.actAs, r.Status, r.Body, c.get)
			}
			if c.wantThread {
				items := r.JSON()["items"].([]any)
				if len(items) != 2 || items[0].(map[string]any)["text"] != "裙摆开线，请退款" || items[1].(map[string]any)["author"].(map[string]any)["role"] != "seller" {
					t.Fatalf("thread as %s: %s", c.key[:8], r.Body)
				}
			}
			if c.post != 0 {
				if r := e.Do(apitest.Req{Method: "POST", Path: path, Key: c.key, ActAs: c.actAs, Body: map[string]any{"text": "插话"}}); r.Status != c.post {
					t.Fatalf("POST as %s: %d %s, want %d", c.key[:8], r.Status, r.Body, c.post)
				}
			}
		}

		// The other party is notified: the buyer's message names the seller only, and back.
		msgs, err := e.Store.ListOutbox(context.Background(), "negotiation", as, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var to []map[string]string
		for _, m := range msgs {
			if m.Topic != "negotiation.message_posted" {
				t.Fatalf("topic %s", m.Topic)
			}
			to = append(to, notify.Parties(notify.Message{Payload: json.RawMessage(m.Payload)}))
		}
		if len(to) != 2 || to[0]["seller"] != "S1" || to[0]["buyer"] != "" || to[1]["buyer"] != "B1" || to[1]["seller"] != "" {
			t.Fatalf("notified: %v", to)
		}

		// Refusal needs a reason code from the rule book.
		r := e.Act(as, "refuse", seller, map[string]any{"reason": "商品无质量问题", "evidence": []string{sellerDoc}})
		if r.Status != 400 || problemField(r) != "reason_code" || r.JSON()["rule_id"] != "ours-refuse-reason-codes" {
			t.Fatalf("refuse without code: %d %s", r.Status, r.Body)
		}
		if r := e.Act(as, "refuse", seller, map[string]any{"reason": "x", "reason_code": "made_up", "evidence": []string{sellerDoc}}); r.Status != 400 || problemField(r) != "reason_code" {
			t.Fatalf("refuse with unknown code: %d %s", r.Status, r.Body)
		}
		v := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/refuse", Key: seller,
			Body: map[string]any{"reason": "商品无质量问题", "reason_code": "goods_intact", "evidence": []string{sellerDoc}}}).JSON()
		if v["seller_reason_code"] != "goods_intact" || v["refusal"].(map[string]any)["code"] != "goods_intact" {
			t.Fatalf("refused: %v", v)
		}
		ev := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as + "/events", Key: seller}).JSON()["items"].([]any)
		if last := ev[len(ev)-1].(map[string]any); last["type"] != "refused" || !slices.Contains(anyStrings(last["rule_ids"]), "ours-refuse-reason-codes") {
			t.Fatalf("refused event: %v", last)
		}

		// The buyer escalates: the agent sees the whole thread on the case; the parties do not get it there.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/escalate", Key: buyer, Body: map[string]any{"reason": "协商不成"}})
		caseID := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as, Key: buyer}).Str("dispute_id")
		dc := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + caseID, Key: e.Agent}).JSON()
		thread, _ := dc["negotiation"].([]any)
		if len(thread) != 2 || thread[0].(map[string]any)["text"] != "裙摆开线，请退款" || thread[1].(map[string]any)["text"] != "可以提供质检单，建议换货" {
			t.Fatalf("agent's case: negotiation %v", dc["negotiation"])
		}
		if _, ok := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + caseID, Key: buyer}).JSON()["negotiation"]; ok {
			t.Fatal("the buyer's case view carries the negotiation record")
		}

		// A closed request takes no message (409); the thread stays readable.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/cancel", Key: buyer, Body: map[string]any{"reason": "不退了"}})
		if r := e.Do(apitest.Req{Method: "POST", Path: path, Key: seller, Body: map[string]any{"text": "还在吗"}}); r.Status != 409 {
			t.Fatalf("message on a closed request: %d %s", r.Status, r.Body)
		}
		if items := e.Must(200, apitest.Req{Method: "GET", Path: path, Key: buyer}).JSON()["items"].([]any); len(items) != 2 {
			t.Fatalf("thread after close: %d messages", len(items))
		}
	})
}

// TestAgreeReturnAddress (issue 13): agreeing to a return needs the
// seller's return address, validated, stored on the request and shown to
// the buyer; the agreement's reason code is checked against the rule book.
func TestAgreeReturnAddress(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		buyer, seller := e.Key("buyer", "B1"), e.Key("seller", "S1")
		e.NewOrder("N2", "B1", "S1", 5000, apitest.Delivered)
		as := e.Aftersale("N2", "B1", map[string]any{"type": "return_and_refund", "reason": "quality_problem", "amount": 5000})
		good := map[string]any{"name": "张三", "phone": "13912345678", "address": "浙江省杭州市西湖区文三路100号"}
		bad := func(k, v string) map[string]any {
			m := map[string]any{}
			for a, b := range good {
				m[a] = b
			}
			m[k] = v
			return m
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{}, "return_address"},
			{map[string]any{"reason_code": "quality_confirmed"}, "return_address"},
			{map[string]any{"return_address": bad("phone", "12345")}, "return_address.phone"},
			{map[string]any{"return_address": bad("name", " ")}, "return_address.name"},
			{map[string]any{"return_address": bad("address", "杭州")}, "return_address.address"},
			{map[string]any{"return_address": good, "reason_code": "nope"}, "reason_code"},
		} {
			r := e.Act(as, "agree", seller, c.body)
			if r.Status != 400 || problemField(r) != c.field {
				t.Fatalf("agree %v: %d %s, want 400 naming %s", c.body, r.Status, r.Body, c.field)
			}
		}
		v := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/agree", Key: seller, Body: map[string]any{"return_address": good, "reason_code": "quality_confirmed"}}).JSON()
		if v["status"] != "WAIT_BUYER_RETURN_GOODS" || v["seller_reason_code"] != "quality_confirmed" {
			t.Fatalf("agreed: %v", v)
		}
		got := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as, Key: buyer}).JSON()["return_address"].(map[string]any)
		if got["name"] != "张三" || got["phone"] != "13912345678" || got["address"] != "浙江省杭州市西湖区文三路100号" {
			t.Fatalf("the buyer sees return_address %v", got)
		}
		ev := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + as + "/events", Key: buyer}).JSON()["items"].([]any)
		if last := ev[len(ev)-1].(map[string]any); !slices.Contains(anyStrings(last["rule_ids"]), "ours-return-address") || !slices.Contains(anyStrings(last["rule_ids"]), "ours-agree-reason-codes") {
			t.Fatalf("agreed event rule_ids %v", last["rule_ids"])
		}
		// A refund only needs no address.
		as3 := refundOnly(e, "N3", 3000, apitest.Shipped, "not_received")
		if v := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as3 + "/agree", Key: seller, Body: agreeReturn}).JSON(); v["status"] != "SUCCESS" || v["return_address"] != nil {
			t.Fatalf("refund only agreed: %v", v)
		}
	})
}

// agreeReturn is an agreement with the seller's return address, which a
// return needs (ours-return-address); a refund only ignores it.
var agreeReturn = map[string]any{"return_address": map[string]any{"name": "售后部", "phone": "13800000000", "address": "浙江省杭州市余杭区文一西路969号"}}

// runNegotiationConformance exercises the negotiation record against the
// OpenAPI document: post and list, a stranger, a closed request.
func runNegotiationConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	t.Helper()
	b1, s1 := e.Key("buyer", "B1"), e.Key("seller", "S1")
	e.NewOrder("ON1", "B1", "S1", 6000, apitest.Delivered)
	as := e.Aftersale("ON1", "B1", map[string]any{"type": "return_and_refund", "reason": "quality_problem", "amount": 6000})
	path := "/v1/aftersales/" + as + "/messages"
	o.must(201, apitest.Req{Method: "POST", Path: path, Key: b1, Body: map[string]any{"text": "请同意退货"}})
	o.must(201, apitest.Req{Method: "POST", Path: path, Key: s1, Body: map[string]any{"text": "好的", "attachments": []string{}}})
	o.must(200, apitest.Req{Method: "GET", Path: path, Key: s1})
	o.fail(404, apitest.Req{Method: "POST", Path: path, Key: e.Key("buyer", "B9"), Body: map[string]any{"text": "路过"}})
	o.fail(404, apitest.Req{Method: "GET", Path: path, Key: e.Key("seller", "S9")})
	o.fail(403, apitest.Req{Method: "POST", Path: path, Key: e.Agent, Body: map[string]any{"text": "客服"}})
	o.fail(400, apitest.Req{Method: "POST", Path: path, Key: b1, Body: map[string]any{"text": "附件", "attachments": []string{"nope"}}})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/cancel", Key: b1, Body: map[string]any{"reason": "不退了"}})
	o.fail(409, apitest.Req{Method: "POST", Path: path, Key: s1, Body: map[string]any{"text": "还在吗"}})
}
