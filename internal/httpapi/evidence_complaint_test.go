package httpapi_test

import (
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
)

// A complaint has its own evidence chain (case_id is the complaint): its
// two parties upload and read it, staff read it, anyone else finds nothing.
func TestComplaintEvidenceChain(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		buyer, seller, other := e.Key("buyer", "B1"), e.Key("seller", "S1"), e.Key("buyer", "B2")
		e.NewOrder("K1", "B1", "S1", 9900, apitest.Delivered)
		id := e.Must(201, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: buyer, Body: map[string]any{"type": "out_of_stock", "order_id": "K1", "occurred_at": e.Clock.Now().Add(-time.Hour).Format(time.RFC3339),
			"description": "下单后缺货 / out of stock", "claim": map[string]any{"text": "按规则处理"}}}).Str("id")

		r := upload(e, buyer, id, "缺货通知截图", "notice.png", pngBytes(t, 16, 16), "")
		if r.Status != 201 || r.Str("case_id") != id || r.Str("uploader_role") != "buyer" {
			t.Fatalf("buyer upload: %d %s", r.Status, r.Body)
		}
		if r := upload(e, seller, id, "退款记录", "refund.png", pngBytes(t, 12, 12), ""); r.Status != 201 {
			t.Fatalf("seller upload: %d %s", r.Status, r.Body)
		}
		for _, key := range []string{buyer, seller, e.Agent} {
			items := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + id, Key: key}).JSON()["items"].([]any)
			if len(items) != 2 {
				t.Fatalf("chain has %d items", len(items))
			}
		}
		content := r.Str("content_url")
		e.Must(200, apitest.Req{Method: "GET", Path: content, Key: seller})
		e.Must(404, apitest.Req{Method: "GET", Path: content, Key: other})
		e.Must(404, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + id, Key: other})
		if r := upload(e, other, id, "x", "x.png", pngBytes(t, 8, 8), ""); r.Status != 404 {
			t.Fatalf("another buyer's upload: %d %s", r.Status, r.Body)
		}
	})
}
