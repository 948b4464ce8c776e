package httpapi_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"encoding/json"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/policy"
)

func init() {
	conformanceParts["complaints"] = runComplaintConformance
	routeActions["/v1/complaints/{id}/{action}"] = strsOf(complaint.Actions)
	routeActions["/v1/sanctions/{id}/{action}"] = strsOf(penalty.Actions)
}

// runComplaintConformance drives complaints, standing, sanctions and the
// rule book administration through every documented operation and status.
func runComplaintConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	integ, admin, agent := e.Integration, e.Admin, e.Agent
	senior := e.Key(actor.Senior, "")
	b1, s1 := e.Key(actor.Buyer, "CB1"), e.Key(actor.Seller, "CS1")
	b2 := e.Key(actor.Buyer, "CB2")
	at := func(h int) string { return e.Clock.Now().Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }
	order := func(id string, paid, delivered bool) {
		o.must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + id, Key: integ, Body: map[string]any{"buyer_id": "CB1", "seller_id": "CS1", "amount": 8800,
			"items": []map[string]any{{"title": "商品 " + id, "quantity": 1, "price": 8800}}}})
		if !paid {
			return
		}
		evs := []map[string]any{{"type": "paid", "at": at(-50)}}
		if delivered {
			evs = append(evs, map[string]any{"type": "shipped", "at": at(-48), "carrier": "SF", "tracking_no": "SF" + id},
				map[string]any{"type": "first_scan", "at": at(-47)}, map[string]any{"type": "delivered", "at": at(-24), "signed_by": "本人"})
		}
		for _, ev := range evs {
			o.must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/events", Key: integ, Body: ev})
		}
	}
	body := func(typ, orderID string, extra map[string]any) map[string]any {
		b := map[string]any{"type": typ, "order_id": orderID, "occurred_at": at(-3), "description": "经过 / what happened", "loss": 500,
			"claim": map[string]any{"text": "要求赔偿", "amount": 1000}, "evidence_ids": []string{"ev-" + orderID}}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	file := func(key string, b map[string]any) string {
		t.Helper()
		oid, _ := b["order_id"].(string)
		return o.must(201, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: key, Body: withEvidence(e, key, "draft:"+oid, b)}).Str("id")
	}
	act := func(id, action, key string, b any, want int) apitest.Resp {
		t.Helper()
		return o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/" + action, Key: key, Body: withEvidence(e, key, id, b)}, want: want})
	}
	// Every action: 401 without a key, 404 for an unknown complaint, 400 for an unknown field.
	for _, a := range complaint.Actions {
		p := "/v1/complaints/00000000-0000-7000-8000-000000000000/" + string(a)
		o.fail(401, apitest.Req{Method: "POST", Path: p, Body: map[string]any{}})
		o.fail(404, apitest.Req{Method: "POST", Path: p, Key: agent, Body: map[string]any{}})
	}

	order("CC1", true, true)
	order("CC2", true, true)
	order("CC3", true, true)
	order("CC4", false, false)
	order("CC5", true, true)

	// ---- filing
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: b1, Body: map[string]any{"order_id": "CC1"}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: b1, Body: body("no_such_type", "CC1", nil)})
	o.fail(401, apitest.Req{Method: "POST", Path: "/v1/complaints", Body: body("service_not_delivered", "CC1", nil)})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: s1, Body: body("service_not_delivered", "CC1", nil)})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: b1, Body: body("service_not_delivered", "CC-none", nil)})
	o.fail(409, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: b1, Body: body("late_shipment", "CC4", nil)})
	hdr := map[string]string{"Idempotency-Key": "cc-file-1"}
	filed := withEvidence(e, b1, "draft:CC1", body("service_not_delivered", "CC1", nil))
	x1 := o.must(201, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: b1, Body: filed, Header: hdr})
	if again := o.must(201, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: b1, Body: filed, Header: hdr}); again.Header.Get("Idempotent-Replayed") != "true" || again.Str("id") != x1.Str("id") {
		t.Errorf("idempotent replay: %v %s", again.Header, again.Body)
	}
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: b1, Body: body("service_not_delivered", "CC2", nil), Header: hdr})
	c1 := x1.Str("id")
	if v := x1.JSON(); v["status"] != "WAIT_RESPONSE" || v["respondent_id"] != "CS1" {
		t.Errorf("filed %v", v)
	}
	c2 := file(b1, body("seller_harassment", "CC2", nil))
	c3 := o.must(201, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: integ, ActAs: "buyer:CB1", Body: withEvidence(e, b1, "draft:CC3", body("off_platform_payment", "CC3", nil))}).Str("id")
	cx := file(s1, body("review_extortion", "CC5", map[string]any{"review_id": "RV-1"}))

	// ---- reading
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/complaints", Key: b1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/complaints?order=queue&limit=2", Key: agent})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/complaints?status=WAIT_RESPONSE&type=seller_harassment", Key: admin})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/complaints?status=BOGUS", Key: agent})
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/complaints?type=bogus", Key: agent})
	o.fail(401, apitest.Req{Method: "GET", Path: "/v1/complaints"})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/complaints", Key: b1, ActAs: "buyer:CB1"})
	if v := o.must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/types", Key: b1}).JSON(); len(v["items"].([]any)) != len(policy.Default().ComplaintTypeKeys()) {
		t.Errorf("types %v", v)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/types?filer=seller", Key: s1})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/complaints/types?filer=agent", Key: b1})
	o.fail(401, apitest.Req{Method: "GET", Path: "/v1/complaints/types"})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/complaints/types", Key: b1, ActAs: "buyer:CB1"})
	for _, k := range []string{b1, s1, agent, senior, admin, integ} {
		o.must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c1, Key: k})
	}
	o.fail(401, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c1})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c1, Key: b1, ActAs: "buyer:CB1"})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c1, Key: b2})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c1 + "/events", Key: s1})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c1 + "/events?cursor=!!", Key: s1})
	o.fail(401, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c1 + "/events"})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c1 + "/events", Key: s1, ActAs: "seller:CS1"})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/complaints/" + c1 + "/events", Key: b2})

	// ---- respond, decide, second complaint (c1)
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/complaints/" + c1 + "/respond", Key: s1, Body: map[string]any{"bogus": 1}})
	act(c1, "respond", b1, map[string]any{"statement": "x"}, 403)
	act(c1, "respond", s1, map[string]any{"statement": ""}, 400)
	act(c1, "respond", s1, map[string]any{"statement": "已提供服务", "evidence_ids": []string{"ev-s1"}}, 200)
	act(c1, "respond", s1, map[string]any{"statement": "again"}, 409)
	act(c1, "decide", b1, map[string]any{"verdict": "upheld", "reason": "x", "rule_ids": []string{"seed-complaint-service-not-delivered"}}, 403)
	act(c1, "decide", agent, map[string]any{"verdict": "upheld", "rule_ids": []string{"seed-complaint-service-not-delivered"}}, 400)
	v := act(c1, "decide", agent, map[string]any{"verdict": "rejected", "reason": "证据不足 / not proven", "rule_ids": []string{"seed-complaint-service-not-delivered"}}, 200).JSON()
	if v["status"] != "DECIDED" {
		t.Errorf("decided %v", v)
	}
	act(c1, "decide", agent, map[string]any{"verdict": "upheld", "reason": "x", "rule_ids": []string{"seed-complaint-service-not-delivered"}}, 409)
	act(c1, "settle", s1, map[string]any{"terms": "x"}, 409)
	act(c1, "second-complaint", s1, map[string]any{"reason": "x", "evidence_ids": []string{"ev-new"}}, 403)
	act(c1, "second-complaint", b1, map[string]any{"reason": "不服", "evidence_ids": []string{"ev-CC1"}}, 400)
	act(c1, "second-complaint", b1, map[string]any{"reason": "补充证据", "evidence_ids": []string{"ev-new"}, "claim": map[string]any{"text": "赔偿并道歉", "amount": 1500}}, 200)
	act(c1, "second-complaint", b1, map[string]any{"reason": "again", "evidence_ids": []string{"ev-3"}}, 409)
	act(c1, "decide", agent, map[string]any{"verdict": "upheld", "reason": "x", "rule_ids": []string{"seed-complaint-service-not-delivered"}}, 403)
	v = act(c1, "decide", senior, map[string]any{"verdict": "upheld", "reason": "新证据证明 / proven", "rule_ids": []string{"seed-complaint-service-not-delivered"}, "severe": true}, 200).JSON()
	if v["status"] != "FINAL" {
		t.Errorf("final %v", v)
	}

	// ---- settle and accept (c2)
	act(c2, "settle", b1, map[string]any{"terms": "x"}, 403)
	act(c2, "settle", s1, map[string]any{"terms": ""}, 400)
	act(c2, "accept-settlement", b1, nil, 409)
	act(c2, "settle", s1, map[string]any{"terms": "道歉并补偿优惠券", "amount": 500}, 200)
	act(c2, "accept-settlement", s1, nil, 403)
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/complaints/" + c2 + "/accept-settlement", Key: b1, Body: map[string]any{"bogus": true}})
	if v := act(c2, "accept-settlement", b1, nil, 200).JSON(); v["status"] != "SETTLED" {
		t.Errorf("settled %v", v)
	}
	act(c2, "accept-settlement", b1, nil, 409)

	// ---- withdraw (c3)
	act(c3, "withdraw", s1, map[string]any{"reason": "x"}, 403)
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/complaints/" + c3 + "/withdraw", Key: b1, Body: map[string]any{"reason": 7}})
	act(c3, "withdraw", b1, map[string]any{"reason": "已协商解决"}, 200)
	act(c3, "withdraw", b1, map[string]any{"reason": "again"}, 409)
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/complaints/" + c3 + "/decide", Key: agent, Body: map[string]any{"verdict": 7}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/complaints/" + c3 + "/second-complaint", Key: b1, Body: []byte(`[]`)})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/complaints/" + c3 + "/settle", Key: s1, Body: map[string]any{"amount": "x"}})

	// ---- a purchase restriction and its appeal (cx: seller CS1 about buyer CB1)
	act(cx, "respond", b1, map[string]any{"statement": "没有要挟"}, 200)
	v = act(cx, "decide", agent, map[string]any{"verdict": "upheld", "reason": "聊天记录显示以差评要挟", "rule_ids": []string{"seed-complaint-review-extortion"}}, 200).JSON()
	var sid string
	for _, x := range v["decision"].(map[string]any)["outcomes"].([]any) {
		if m := x.(map[string]any); m["kind"] == "purchase_restriction" {
			sid, _ = m["sanction_id"].(string)
		}
	}
	if sid == "" {
		t.Fatalf("no restriction: %v", v["decision"])
	}
	sp := "/v1/sanctions/" + sid
	o.must(200, apitest.Req{Method: "GET", Path: sp, Key: b1})
	o.must(200, apitest.Req{Method: "GET", Path: sp, Key: agent})
	o.fail(401, apitest.Req{Method: "GET", Path: sp})
	o.fail(403, apitest.Req{Method: "GET", Path: sp, Key: b1, ActAs: "buyer:CB1"})
	o.fail(404, apitest.Req{Method: "GET", Path: sp, Key: b2})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/sanctions/nope", Key: agent})
	sact := func(action, key string, b any, want int) apitest.Resp {
		t.Helper()
		return o.do(oasCall{req: apitest.Req{Method: "POST", Path: sp + "/" + action, Key: key, Body: b}, want: want})
	}
	for _, a := range penalty.Actions {
		o.fail(401, apitest.Req{Method: "POST", Path: sp + "/" + string(a), Body: map[string]any{}})
		o.fail(404, apitest.Req{Method: "POST", Path: "/v1/sanctions/nope/" + string(a), Key: senior, Body: map[string]any{}})
		o.rejects(400, apitest.Req{Method: "POST", Path: sp + "/" + string(a), Key: senior, Body: map[string]any{"bogus": 1}})
	}
	sact("decide-appeal", senior, map[string]any{"revoke": false, "reason": "x", "rule_ids": []string{"seed-appeal-once"}}, 409)
	sact("appeal", agent, map[string]any{"reason": "x", "evidence_ids": []string{"n"}}, 403)
	sact("appeal", b1, map[string]any{"reason": "不同意", "evidence_ids": realEvidence(e, s1, "draft:CC5", []string{"ev-CC5"})}, 400)
	sact("appeal", b1, map[string]any{"reason": "聊天记录不完整", "evidence_ids": []string{"chat-full"}}, 200)
	sact("appeal", b1, map[string]any{"reason": "again", "evidence_ids": []string{"chat-2"}}, 409)
	sact("decide-appeal", agent, map[string]any{"revoke": true, "reason": "x", "rule_ids": []string{"seed-appeal-once"}}, 403)
	sact("decide-appeal", senior, map[string]any{"revoke": true, "rule_ids": []string{"seed-appeal-once"}}, 400)
	if v := sact("decide-appeal", senior, map[string]any{"revoke": false, "reason": "维持 / upheld", "rule_ids": []string{"seed-appeal-once"}}, 200).JSON(); v["status"] != "UPHELD" {
		t.Errorf("appeal decided %v", v)
	}

	// ---- standing
	for _, p := range []struct{ path, own, other string }{{"/v1/sellers/CS1/standing", s1, b1}, {"/v1/buyers/CB1/standing", b1, s1}} {
		o.must(200, apitest.Req{Method: "GET", Path: p.path, Key: p.own})
		o.must(200, apitest.Req{Method: "GET", Path: p.path, Key: agent})
		o.fail(401, apitest.Req{Method: "GET", Path: p.path})
		o.fail(403, apitest.Req{Method: "GET", Path: p.path, Key: p.other})
	}
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/sellers/-bad/standing", Key: agent})
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/buyers/-bad/standing", Key: agent})
	if st := o.must(200, apitest.Req{Method: "GET", Path: "/v1/sellers/CS1/standing", Key: agent}).JSON(); st["points"].(map[string]any)["A"] != float64(6) {
		t.Errorf("seller standing %v", st["points"]) // the severe service violation: 6 points
	}

	// ---- rule book administration
	var m map[string]any
	_ = json.Unmarshal(policy.DefaultJSON(), &m)
	m["version"] = "conformance-2"
	m["rules"].(map[string]any)["complaint.late_shipment_max"].(map[string]any)["value"] = "3500fen"
	next, _ := json.Marshal(m)
	o.fail(401, apitest.Req{Method: "PUT", Path: "/v1/policy", Body: next})
	o.fail(403, apitest.Req{Method: "PUT", Path: "/v1/policy", Key: agent, Body: next})
	o.fail(400, apitest.Req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: map[string]any{"version": "x"}})
	ch := o.must(200, apitest.Req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: next}).JSON()
	if len(ch["diff"].([]any)) != 2 {
		t.Errorf("policy diff %v", ch["diff"])
	}
	o.fail(409, apitest.Req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: next})
	// Restore the default for the parts that follow.
	o.must(200, apitest.Req{Method: "PUT", Path: "/v1/policy", Key: admin, Body: policy.DefaultJSON()})
}
