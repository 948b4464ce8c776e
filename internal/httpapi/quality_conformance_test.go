package httpapi_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
)

func init() { conformanceParts["quality"] = runQualityConformance }

// runQualityConformance drives seller service quality through every
// documented operation and status (the foundation's run adds 401, 403 and
// 400 for X-Act-As, 413 and the unknown-seller 404).
func runQualityConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	integ := e.Integration
	now := e.Clock.Now()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	o.must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/QO1", Key: integ, Body: map[string]any{"buyer_id": "QOB1", "seller_id": "QOS1", "category": "图书",
		"amount": 5000, "items": []map[string]any{{"title": "书", "quantity": 1, "price": 5000}}}})
	for _, ev := range []map[string]any{{"type": "paid", "at": at(-30 * time.Hour)}, {"type": "shipped", "at": at(-29 * time.Hour), "carrier": "SF", "tracking_no": "SFQO1"},
		{"type": "first_scan", "at": at(-28 * time.Hour)}} {
		o.must(200, apitest.Req{Method: "POST", Path: "/v1/orders/QO1/events", Key: integ, Body: ev})
	}

	// ---- service facts
	path := "/v1/sellers/QOS1/service-facts"
	fact := map[string]any{"kind": "chat_response", "ref": "qo-chat-1", "order_id": "QO1", "buyer_id": "QOB1", "asked_at": at(-2 * time.Hour), "answered_at": at(-2*time.Hour + time.Minute)}
	hdr := map[string]string{"Idempotency-Key": "qo-fact-1"}
	first := o.must(200, apitest.Req{Method: "POST", Path: path, Key: integ, Body: fact, Header: hdr})
	replay := o.must(200, apitest.Req{Method: "POST", Path: path, Key: integ, Body: fact, Header: hdr})
	if replay.Header.Get("Idempotent-Replayed") != "true" || replay.Str("id") != first.Str("id") {
		t.Errorf("service fact replay: %v %s", replay.Header, replay.Body)
	}
	o.fail(422, apitest.Req{Method: "POST", Path: path, Key: integ, Header: hdr, Body: map[string]any{"kind": "chat_response", "ref": "qo-chat-2", "asked_at": at(-time.Hour)}})
	o.must(200, apitest.Req{Method: "POST", Path: path, Key: integ, Body: map[string]any{"kind": "chat_response", "ref": "qo-chat-3", "asked_at": at(-time.Hour)}})
	if r := o.must(200, apitest.Req{Method: "POST", Path: path, Key: e.Admin, Body: map[string]any{"kind": "chat_response", "ref": "qo-chat-3", "asked_at": at(-time.Hour),
		"answered_at": at(-time.Hour + 10*time.Minute)}}); r.JSON()["version"] != float64(2) {
		t.Errorf("answer added: %s", r.Body)
	}
	o.fail(409, apitest.Req{Method: "POST", Path: path, Key: integ, Body: map[string]any{"kind": "chat_response", "ref": "qo-chat-3", "asked_at": at(-3 * time.Hour)}})
	o.rejects(400, apitest.Req{Method: "POST", Path: path, Key: integ, Body: map[string]any{"kind": "chat_response", "asked_at": at(-time.Hour)}})
	o.rejects(400, apitest.Req{Method: "POST", Path: path, Key: integ, Body: map[string]any{"kind": "email", "ref": "qo-x", "asked_at": at(-time.Hour)}})
	o.fail(400, apitest.Req{Method: "POST", Path: path, Key: integ, Body: map[string]any{"kind": "chat_response", "ref": "qo-x", "asked_at": at(-time.Hour), "answered_at": at(-2 * time.Hour)}})
	o.fail(403, apitest.Req{Method: "POST", Path: path, Key: e.Key(actor.Seller, "QOS1"), Body: map[string]any{"kind": "chat_response", "ref": "qo-y", "asked_at": at(-time.Hour)}})
	o.fail(401, apitest.Req{Method: "POST", Path: path, Body: fact})

	// ---- a seller's quality
	s1 := e.Key(actor.Seller, "QOS1")
	v := o.must(200, apitest.Req{Method: "GET", Path: "/v1/sellers/QOS1/quality", Key: s1}).JSON()
	if v["status"] != "ranked" || v["category"] != "图书" || v["paid_orders"] != float64(1) {
		t.Errorf("QOS1 quality %v", v)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/sellers/QOS1/quality", Key: e.Agent})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/sellers/QOS1/quality", Key: e.Key(actor.Seller, "QOS2")})
	o.fail(401, apitest.Req{Method: "GET", Path: "/v1/sellers/QOS1/quality"})

	// ---- rankings
	rk := o.must(200, apitest.Req{Method: "GET", Path: "/v1/quality/rankings?category=%E5%9B%BE%E4%B9%A6", Key: e.Agent}).JSON()
	if items, _ := rk["items"].([]any); len(items) != 1 {
		t.Errorf("图书 ranking %v", rk)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/quality/rankings?limit=1", Key: integ})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/quality/rankings", Key: s1})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/quality/rankings?limit=0", Key: e.Agent})
	o.fail(401, apitest.Req{Method: "GET", Path: "/v1/quality/rankings"})
}
