package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/worker"
)

// TestWebhookSSRF: endpoints at loopback, private, link-local (the cloud
// metadata address), unique-local or unspecified addresses are refused at
// creation and on a change of URL (400 naming url, nothing stored) unless
// the operator allow-lists them; and a relay without the allow-list does
// not deliver to such an address even when the endpoint got in (the
// dial-time check: what a DNS answer changed after creation would do).
func TestWebhookSSRF(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		for _, u := range []string{"http://127.0.0.1:9/hook", "http://localhost:8080/", "http://[::1]/h", "http://169.254.169.254/latest/meta-data/",
			"http://10.0.0.5/h", "http://192.168.1.1/h", "http://172.16.0.1/h", "http://[fd00::1]/h", "http://0.0.0.0/h", "http://[::ffff:127.0.0.1]/h"} {
			r := e.Do(apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: e.Admin, Body: map[string]any{"url": u}})
			if r.Status != 400 || problemField(r) != "url" {
				t.Errorf("create %s: %d %s", u, r.Status, r.Body)
			}
		}
		if n := len(e.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks", Key: e.Admin}).JSON()["items"].([]any)); n != 0 {
			t.Fatalf("%d refused endpoints stored", n)
		}
		ep := e.Must(201, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: e.Admin, Body: map[string]any{"url": "https://8.8.8.8/hook"}}).JSON()
		r := e.Do(apitest.Req{Method: "PATCH", Path: "/v1/webhooks/" + ep["id"].(string), Key: e.Admin, Body: map[string]any{"url": "http://169.254.169.254/"}})
		if r.Status != 400 || problemField(r) != "url" {
			t.Errorf("patch to the metadata address: %d %s", r.Status, r.Body)
		}
		got := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks", Key: e.Admin}).JSON()["items"].([]any)
		if len(got) != 1 || got[0].(map[string]any)["url"] != "https://8.8.8.8/hook" {
			t.Errorf("after a refused change: %v", got)
		}

		// Send time: an endpoint on loopback in the store (as a name that
		// resolved elsewhere at creation would be) is not delivered to.
		var hits atomic.Int64
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
		defer recv.Close()
		ctx := context.Background()
		if _, err := e.Store.CreateWebhookEndpoint(ctx, store.WebhookEndpoint{URL: recv.URL, Secret: store.NewWebhookSecret(), EventTypes: []string{"aftersale.*"},
			Enabled: true, CreatedAt: e.Clock.Now()}, nil); err != nil {
			t.Fatal(err)
		}
		relay := worker.NewOutbox(e.Store, worker.OutboxChannels{Webhooks: notify.NewWebhooks()}, discardLog(), worker.OutboxConfig{Clock: e.Clock})
		e.NewOrder("W1", "B1", "S1", 3000, apitest.Shipped)
		e.Aftersale("W1", "B1", map[string]any{"type": "refund_only", "reason": "not_received", "amount": 3000})
		for range 3 {
			if _, err := relay.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if hits.Load() != 0 {
			t.Errorf("delivered %d times to a loopback endpoint without the allow-list", hits.Load())
		}
		// With the operator's allow-list the same endpoint is delivered to.
		e.Svc.SetWebhookAllow(loopbackAllowed)
		e.Must(201, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: e.Admin, Body: map[string]any{"url": recv.URL + "/allowed"}})
		allowed := worker.NewOutbox(e.Store, worker.OutboxChannels{Webhooks: notify.NewWebhooksWith(loopbackAllowed)}, discardLog(),
			worker.OutboxConfig{Clock: e.Clock})
		e.NewOrder("W2", "B1", "S1", 3000, apitest.Shipped)
		e.Aftersale("W2", "B1", map[string]any{"type": "refund_only", "reason": "not_received", "amount": 3000})
		for range 3 {
			if _, err := allowed.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if hits.Load() == 0 {
			t.Error("the allow-listed endpoint received nothing")
		}
	})
}
