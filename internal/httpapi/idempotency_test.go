package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/worker"
)

// concurrently sends the same request n times at once and returns the responses.
func concurrently(e *apitest.Env, n int, req apitest.Req) []apitest.Resp {
	out := make([]apitest.Resp, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range out {
		wg.Go(func() {
			<-start
			out[i] = e.Do(req)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// checkOnce: every response is the first one's status and body, and all
// but one were replayed.
func checkOnce(t *testing.T, what string, rs []apitest.Resp, status int) {
	t.Helper()
	replayed := 0
	for _, r := range rs {
		if r.Status != status || !bytes.Equal(r.Body, rs[0].Body) {
			t.Fatalf("%s: %d %s, first %d %s", what, r.Status, r.Body, rs[0].Status, rs[0].Body)
		}
		if r.Header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
	}
	if replayed != len(rs)-1 {
		t.Fatalf("%s: %d of %d replayed, want %d", what, replayed, len(rs), len(rs)-1)
	}
}

// Handlers outside the service's transactions (webhook create, evidence
// upload, site-message read) run exactly once for concurrent requests with
// the same Idempotency-Key: the key is reserved first, the others wait and
// replay.
func TestIdempotencyKeyExactlyOnceUnderConcurrency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		const n = 8
		// Site message read (the relay writes the site messages of the case
		// opened here; no webhook endpoint exists yet).
		buyer := e.Key("buyer", "B1")
		_, id := openCaseAt(e, "IK1", 5000, "quality_problem")
		relay := worker.NewOutbox(e.Store, worker.OutboxChannels{Static: map[string]notify.Channel{notify.ChannelSite: &notify.SiteChannel{Store: e.Store}}},
			discardLog(), worker.OutboxConfig{Clock: e.Clock})
		for i := 0; i < 5; i++ {
			if _, err := relay.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		msgs := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/messages", Key: buyer}).JSON()["items"].([]any)
		if len(msgs) == 0 {
			t.Fatal("no site message")
		}
		mid := msgs[0].(map[string]any)["id"].(string)
		rs := concurrently(e, n, apitest.Req{Method: "POST", Path: "/v1/messages/" + mid + "/read", Key: buyer, Header: map[string]string{"Idempotency-Key": "read-1"}})
		checkOnce(t, "message read", rs, 200)

		hdr := map[string]string{"Idempotency-Key": "same-key-1"}
		rs = concurrently(e, n, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: e.Admin, Header: hdr,
			Body: map[string]any{"url": "https://shop.example/hooks", "event_types": []string{"aftersale.*"}}})
		checkOnce(t, "webhook create", rs, 201)
		if l := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks", Key: e.Admin}).JSON()["items"].([]any); len(l) != 1 {
			t.Fatalf("%d webhook endpoints created by one key", len(l))
		}

		// Evidence: one blob and one chain entry.
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("case_id", id)
		mw.WriteField("caption", "开线照片")
		fw, _ := mw.CreateFormFile("file", "photo.png")
		fw.Write(pngBytes(t, 8, 8))
		mw.Close()
		rs = concurrently(e, n, apitest.Req{Method: "POST", Path: "/v1/evidence", Key: buyer, Body: b.Bytes(),
			Header: map[string]string{"Content-Type": mw.FormDataContentType(), "Idempotency-Key": "upload-1"}})
		checkOnce(t, "evidence upload", rs, 201)
		if l := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + id, Key: buyer}).JSON()["items"].([]any); len(l) != 1 {
			t.Fatalf("%d evidence items from one key", len(l))
		}

		// The same key with another body is 422.
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: e.Admin, Header: hdr, Body: map[string]any{"url": "https://other.example/"}}); r.Status != 422 {
			t.Fatalf("same key, other body: %d %s", r.Status, r.Body)
		}
	})
}

// A reservation whose request died (no response stored) is taken over once
// it is older than the lease, so the key is not blocked for ever.
func TestIdempotencyAbandonedReservationIsTakenOver(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		admin, principal, err := e.Svc.NewAPIKey(ctx, "admin", "", "idem-test")
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(`{"url":"https://b.example/"}`)
		ok, err := e.Store.ReserveIdem(ctx, store.IdemRecord{Principal: principal, Key: "dead", Method: "POST", Path: "/v1/webhooks", BodyHash: bodyHash("/v1/webhooks", body), CreatedAt: e.Clock.Now(), Token: "pending:dead"})
		if err != nil || !ok {
			t.Fatalf("reserve: %v %v", ok, err)
		}
		e.Clock.Advance(time.Minute)
		r := e.Do(apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Header: map[string]string{"Idempotency-Key": "dead"}, Body: body})
		if r.Status != 201 || r.Header.Get("Idempotent-Replayed") == "true" {
			t.Fatalf("after the lease: %d %s", r.Status, r.Body)
		}
		if again := e.Do(apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Header: map[string]string{"Idempotency-Key": "dead"}, Body: body}); again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, r.Body) {
			t.Fatalf("replay: %d %s", again.Status, again.Body)
		}
	})
}

// bodyHash is how the API fingerprints a request (method, path, X-Act-As, body).
func bodyHash(path string, body []byte) string {
	sum := sha256.Sum256([]byte("POST " + path + " " + "\n" + string(body)))
	return hex.EncodeToString(sum[:])
}

// TestIdempotencyKeySurvivesKeyRotation: Idempotency-Keys are the
// integration's, not one API key's: a retry sent with a rotated key
// replays the first answer instead of executing again; another party's
// keys do not see them.
func TestIdempotencyKeySurvivesKeyRotation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/R1", Key: e.Integration, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1",
			"amount": 500, "items": []map[string]any{{"title": "t", "quantity": 1, "price": 500}}}})
		old, _, err := e.Svc.NewAPIKey(ctx, "integration", "", "before rotation")
		if err != nil {
			t.Fatal(err)
		}
		rotated, _, err := e.Svc.NewAPIKey(ctx, "integration", "", "after rotation")
		if err != nil {
			t.Fatal(err)
		}
		paid := map[string]any{"type": "paid", "at": e.Clock.Now().Add(-time.Hour)}
		hdr := map[string]string{"Idempotency-Key": "pay-R1"}
		first := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/R1/events", Key: old, Body: paid, Header: hdr})
		again := e.Do(apitest.Req{Method: "POST", Path: "/v1/orders/R1/events", Key: rotated, Body: paid, Header: hdr})
		if again.Status != 200 || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, again.Body) {
			t.Fatalf("retry with the rotated key: %d replayed=%q %s", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
		}
		evs, err := e.Store.Events(ctx, "order", "R1", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 { // upserted, paid
			t.Fatalf("%d order events, want the payment once", len(evs))
		}
		// A buyer's key with the same Idempotency-Key is not the integration.
		r := e.Do(apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: e.Key("buyer", "B1"), Header: hdr,
			Body: map[string]any{"order_id": "R1", "type": "refund_only", "reason": "not_received", "amount": 500}})
		if r.Header.Get("Idempotent-Replayed") == "true" {
			t.Fatalf("a buyer's request replayed the integration's answer: %s", r.Body)
		}
	})
}
