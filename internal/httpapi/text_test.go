package httpapi_test

import (
	"encoding/base64"
	"testing"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
)

// problemField returns the field a problem names.
func problemField(r apitest.Resp) string {
	errs, _ := r.JSON()["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	f, _ := errs[0].(map[string]any)["field"].(string)
	return f
}

// TestNULAndInvalidUTF8AreRefusedAlike: a NUL character in any text field
// (PostgreSQL's text cannot hold one) or a cursor / parameter that is not
// UTF-8 is 400 naming the field on both engines, and nothing is stored.
func TestNULAndInvalidUTF8AreRefusedAlike(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		e := apitest.Open(t, eng.URL(t))
		order := func(title, category string) map[string]any {
			return map[string]any{"buyer_id": "B1", "seller_id": "S1", "category": category, "amount": 100, "postage": 0,
				"items": []map[string]any{{"title": title, "quantity": 1, "price": 100}}}
		}
		for _, c := range []struct {
			name  string
			req   apitest.Req
			field string
		}{
			{"item title", apitest.Req{Method: "PUT", Path: "/v1/orders/N1", Key: e.Integration, Body: order("a\x00b", "女装")}, "items[0].title"},
			{"category", apitest.Req{Method: "PUT", Path: "/v1/orders/N1", Key: e.Integration, Body: order("ok", "女\x00装")}, "category"},
			{"raw escape", apitest.Req{Method: "PUT", Path: "/v1/orders/N1", Key: e.Integration,
				Body: `{"buyer_id":"B1","seller_id":"S1","category":"x\u0000","amount":100,"items":[{"title":"t","quantity":1,"price":100}]}`}, "category"},
			{"cursor not UTF-8", apitest.Req{Method: "GET", Path: "/v1/orders?cursor=" + base64.RawURLEncoding.EncodeToString([]byte{0xff, 0xfe}), Key: e.Integration}, "cursor"},
			{"cursor with NUL", apitest.Req{Method: "GET", Path: "/v1/aftersales?cursor=" + base64.RawURLEncoding.EncodeToString([]byte("A\x00")), Key: e.Integration}, "cursor"},
			{"query parameter", apitest.Req{Method: "GET", Path: "/v1/aftersales?status=%00", Key: e.Integration}, "status"},
			{"query not UTF-8", apitest.Req{Method: "GET", Path: "/v1/disputes?status=%ff", Key: e.Agent}, "status"},
			{"path", apitest.Req{Method: "GET", Path: "/v1/orders/N%001", Key: e.Integration}, "path"},
			{"evidence content path", apitest.Req{Method: "GET", Path: "/v1/evidence/E%00/content", Key: e.Integration}, "path"},
		} {
			res := e.Do(c.req)
			if res.Status != 400 || problemField(res) != c.field {
				t.Errorf("%s: %d field %q, want 400 naming %q: %s", c.name, res.Status, problemField(res), c.field, res.Body)
			}
		}
		e.Must(404, apitest.Req{Method: "GET", Path: "/v1/orders/N1", Key: e.Integration})

		// A request's reason text on a real order.
		e.NewOrder("T1", "B1", "S1", 19900, apitest.Delivered)
		res := e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: e.Key(actor.Buyer, "B1"),
			Body: map[string]any{"order_id": "T1", "type": "refund_only", "reason": "not_received", "amount": 100, "description": "坏\x00了"}})
		if res.Status != 400 || problemField(res) != "description" {
			t.Errorf("description with NUL: %d %q: %s", res.Status, problemField(res), res.Body)
		}
		list := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales", Key: e.Key(actor.Buyer, "B1")}).JSON()
		if items := list["items"].([]any); len(items) != 0 {
			t.Errorf("a refused request was stored: %v", items)
		}
	})
}
