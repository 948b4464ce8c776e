package httpapi_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"fmt"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

func init() { conformanceParts["scripts"] = runScriptConformance }

func runScriptConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	admin, agent := e.Admin, e.Agent
	// the library: every scenario, each with the six steps, rendered per channel
	lst := o.must(200, apitest.Req{Method: "GET", Path: "/v1/scripts", Key: agent}).JSON()
	items, _ := lst["items"].([]any)
	if len(items) < 10 {
		t.Fatalf("scripts: %d scenarios", len(items))
	}
	one := o.must(200, apitest.Req{Method: "GET", Path: "/v1/scripts?scenario=slow_response&channel=phone", Key: agent}).JSON()
	sc := one["items"].([]any)[0].(map[string]any)
	chs := sc["channels"].([]any)
	if len(chs) != 1 || len(chs[0].(map[string]any)["steps"].([]any)) != 6 {
		t.Fatalf("slow_response/phone: %v", sc["channels"])
	}
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/scripts?scenario=nope", Key: agent})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/scripts?channel=fax", Key: agent})
	o.fail(401, apitest.Req{Method: "GET", Path: "/v1/scripts"})

	// admin edit: version 1 → 2, an event; stale If-Match 412; non-admin 403
	steps := map[string]string{"soothe": "让您久等了。", "find_cause": "我查一下物流。", "state_position": "责任在我们。", "resolve": "今天给您答复。", "apologise": "抱歉。", "thank": "谢谢理解。"}
	edit := map[string]any{"name": "物流延迟 / logistics delay", "keywords": []string{"物流", "快递"}, "steps": steps,
		"recommended": []string{"我马上帮您催快递。"}, "forbidden": []map[string]string{{"text": "物流慢跟我们没关系", "why": "推卸 / blame"}}, "reason": "test edit"}
	v := o.must(200, apitest.Req{Method: "PUT", Path: "/v1/scripts/logistics_delay", Key: admin, Body: edit, Header: map[string]string{"If-Match": `"1"`}}).JSON()
	if v["version"] != float64(2) || v["status"] != "edited" {
		t.Fatalf("edit: %v", v)
	}
	o.fail(412, apitest.Req{Method: "PUT", Path: "/v1/scripts/logistics_delay", Key: admin, Body: edit, Header: map[string]string{"If-Match": `"1"`}})
	o.fail(403, apitest.Req{Method: "PUT", Path: "/v1/scripts/logistics_delay", Key: agent, Body: edit})
	o.fail(404, apitest.Req{Method: "PUT", Path: "/v1/scripts/nope", Key: admin, Body: edit})
	bad := map[string]any{"name": "x", "steps": map[string]string{"soothe": "x"}, "recommended": []string{"x"}, "forbidden": []map[string]string{{"text": "y", "why": "z"}}}
	if p := o.rejects(400, apitest.Req{Method: "PUT", Path: "/v1/scripts/logistics_delay", Key: admin, Body: bad}).JSON(); p["field"] == nil && fmt.Sprint(p) == "" {
		t.Errorf("missing step: %v", p)
	}
	o.fail(401, apitest.Req{Method: "PUT", Path: "/v1/scripts/logistics_delay", Body: edit})
	got := o.must(200, apitest.Req{Method: "GET", Path: "/v1/scripts?scenario=logistics_delay", Key: agent}).JSON()["items"].([]any)[0].(map[string]any)
	if got["recommended"].([]any)[0] != "我马上帮您催快递。" {
		t.Errorf("edit not served: %v", got["recommended"])
	}

	// the edited forbidden phrasing is what the lint now enforces
	le := o.must(200, apitest.Req{Method: "POST", Path: "/v1/scripts/lint", Key: agent, Body: map[string]any{"draft": "亲，物流慢跟我们没关系哦"}}).JSON()
	if fs := le["findings"].([]any); len(fs) != 1 || fs[0].(map[string]any)["rule_id"] != "seed-script-logistics" || fs[0].(map[string]any)["rewrite"] != "我马上帮您催快递。" {
		t.Errorf("lint after edit: %v", le)
	}

	// suggest: a logistics complaint routes to logistics first
	s := o.must(200, apitest.Req{Method: "POST", Path: "/v1/scripts/suggest", Key: agent, Body: map[string]any{"text": "快递三天了还没到，物流一直不更新"}}).JSON()
	sg := s["suggestions"].([]any)
	if len(sg) == 0 || sg[0].(map[string]any)["scenario"] != "logistics_delay" {
		t.Errorf("suggest: %v", sg)
	}
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/scripts/suggest", Key: agent, Body: map[string]any{"text": "x", "bogus": 1}})
	o.fail(401, apitest.Req{Method: "POST", Path: "/v1/scripts/suggest", Body: map[string]any{"text": "x"}})
	idem := map[string]string{"Idempotency-Key": "sug-1"}
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/scripts/suggest", Key: agent, Body: map[string]any{"text": "包装破损"}, Header: idem})
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/scripts/suggest", Key: agent, Body: map[string]any{"text": "别的"}, Header: idem})

	// lint
	l := o.must(200, apitest.Req{Method: "POST", Path: "/v1/scripts/lint", Key: agent, Body: map[string]any{"draft": "喂，这不关我的事，加我微信聊"}}).JSON()
	if l["clean"] != false || len(l["findings"].([]any)) < 2 {
		t.Errorf("lint: %v", l)
	}
	c := o.must(200, apitest.Req{Method: "POST", Path: "/v1/scripts/lint", Key: agent, Body: map[string]any{"draft": "亲，最近快递有点慢，您最好先拍照留证，最晚明天给您答复"}}).JSON()
	if c["clean"] != true {
		t.Errorf("ordinary reply flagged: %v", c)
	}
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/scripts/lint", Key: agent, Body: map[string]any{}})
	o.fail(401, apitest.Req{Method: "POST", Path: "/v1/scripts/lint", Body: map[string]any{"draft": "x"}})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/scripts/lint", Key: agent, Body: map[string]any{"draft": "好的"}, Header: map[string]string{"Idempotency-Key": "lint-1"}})
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/scripts/lint", Key: agent, Body: map[string]any{"draft": "不好"}, Header: map[string]string{"Idempotency-Key": "lint-1"}})

	// listings
	seller := e.Key(actor.Seller, "S1")
	ls := o.must(200, apitest.Req{Method: "POST", Path: "/v1/listings/scan", Key: seller, Body: map[string]any{"listings": []map[string]any{
		{"id": "a", "title": "【淘宝最低价】包身蓬蓬裙", "shop_id": "S1"},
		{"id": "b", "title": "橡果同厂出品 豪华液压摇摆踏步机", "shop_id": "S1"},
		{"id": "c", "title": "纯棉T恤 男 短袖", "shop_id": "S1"},
		{"id": "d", "title": "纯棉t恤男短袖", "shop_id": "S1"},
		{"id": "e", "title": "耐克 运动鞋 透气", "shop_id": "S1", "brand": "双超"},
	}, "brands": []string{"耐克", "双超"}}}).JSON()
	rules := map[string]bool{}
	for _, f := range ls["findings"].([]any) {
		rules[f.(map[string]any)["rule_id"].(string)] = true
	}
	other := false
	for _, f := range ls["findings"].([]any) {
		if m := f.(map[string]any); m["listing_id"] == "e" && m["kind"] == "brand_other" && m["text"] == "耐克" {
			other = true
		}
	}
	if !other {
		t.Errorf("brand other than the declared one not found: %v", ls["findings"])
	}
	for _, want := range []string{"adlaw-9", "seed-listing-brand", "seed-listing-duplicate"} {
		if !rules[want] {
			t.Errorf("listing scan missing %s: %v", want, ls["findings"])
		}
	}
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/listings/scan", Key: seller, Body: map[string]any{"listings": []map[string]any{{"title": "x"}}}})
	o.fail(401, apitest.Req{Method: "POST", Path: "/v1/listings/scan", Body: map[string]any{"listings": []map[string]any{{"id": "x", "title": "y"}}}})
	lb := map[string]any{"listings": []map[string]any{{"id": "x", "title": "y"}}}
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/listings/scan", Key: seller, Body: lb, Header: map[string]string{"Idempotency-Key": "ls-1"}})
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/listings/scan", Key: seller, Body: map[string]any{"listings": []map[string]any{{"id": "x", "title": "z"}}}, Header: map[string]string{"Idempotency-Key": "ls-1"}})

	// chat log
	ch := o.must(200, apitest.Req{Method: "POST", Path: "/v1/chat/scan", Key: agent, Body: map[string]any{"messages": []map[string]string{
		{"role": "buyer", "text": "不给我退款我就给你差评"}, {"role": "buyer", "text": "宝宝屁股红了，护臀膏有用吗"}}}}).JSON()
	fs := ch["findings"].([]any)
	if len(fs) != 1 || fs[0].(map[string]any)["kind"] != "extortion" {
		t.Errorf("chat scan: %v", fs)
	}
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/chat/scan", Key: agent, Body: map[string]any{"messages": []any{}}})
	o.fail(401, apitest.Req{Method: "POST", Path: "/v1/chat/scan", Body: map[string]any{"messages": []map[string]string{{"text": "x"}}}})
	cb := map[string]any{"messages": []map[string]string{{"text": "好"}}}
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/chat/scan", Key: agent, Body: cb, Header: map[string]string{"Idempotency-Key": "ch-1"}})
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/chat/scan", Key: agent, Body: map[string]any{"messages": []map[string]string{{"text": "不"}}}, Header: map[string]string{"Idempotency-Key": "ch-1"}})
}
