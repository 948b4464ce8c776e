package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/worker"
)

// TestWebhookDeliveryLogDeadLetterAndRetry follows one endpoint through
// failures on both engines: the delivery log shows the attempts, the last
// status and error and the next attempt (within its jittered window);
// after the last attempt the message is dead, the metrics say so, and a
// newer message of the same request is still delivered; the operator's
// retry delivers the dead one; the metrics count every outcome.
func TestWebhookDeliveryLogDeadLetterAndRetry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		var mu sync.Mutex
		failing := true
		var accepted []string // topics, in arrival order
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if failing {
				http.Error(w, "receiver down for maintenance", http.StatusBadGateway)
				return
			}
			accepted = append(accepted, r.Header.Get("webhook-id"))
		}))
		defer recv.Close()
		setFailing := func(v bool) { mu.Lock(); failing = v; mu.Unlock() }
		ep := loopbackHook(e, recv.URL)
		id := ep["id"].(string)
		const maxAttempts = 3
		relay := worker.NewOutbox(e.Store, worker.OutboxChannels{Webhooks: notify.NewWebhooksWith(loopbackAllowed)}, discardLog(),
			worker.OutboxConfig{Clock: e.Clock, MaxAttempts: maxAttempts, BaseBackoff: time.Minute, MaxBackoff: 10 * time.Minute, Observe: e.Metrics.WebhookAttempt})
		run := func() worker.OutboxStats {
			t.Helper()
			st, err := relay.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		log := func(query string) []map[string]any {
			t.Helper()
			var out []map[string]any
			for _, it := range e.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks/" + id + "/deliveries" + query, Key: e.Admin}).JSON()["items"].([]any) {
				out = append(out, it.(map[string]any))
			}
			return out
		}

		as := refundOnly(e, "H1", 3000, apitest.Shipped, "not_received")
		for attempt := 1; attempt <= maxAttempts; attempt++ {
			at := e.Clock.Now()
			if st := run(); st.Claimed != 1 {
				t.Fatalf("attempt %d: %+v", attempt, st)
			}
			l := log("")
			if len(l) != 1 {
				t.Fatalf("log %v", l)
			}
			d := l[0]
			if d["topic"] != "aftersale.requested" || d["aggregate_id"] != as || d["attempts"] != float64(attempt) || d["last_status"] != float64(502) ||
				!strings.Contains(d["last_error"].(string), "receiver down") {
				t.Fatalf("attempt %d: log %v", attempt, d)
			}
			if attempt == maxAttempts {
				if d["state"] != "dead" || d["next_attempt_at"] != nil {
					t.Fatalf("after the last attempt: %v", d)
				}
				break
			}
			next, err := time.Parse(time.RFC3339Nano, d["next_attempt_at"].(string))
			bound := worker.Backoff(attempt, time.Minute, 10*time.Minute)
			if err != nil || d["state"] != "failing" || next.Before(at) || next.After(at.Add(bound)) {
				t.Fatalf("attempt %d: next attempt %v (%v), window [%v, %v], log %v", attempt, next, err, at, at.Add(bound), d)
			}
			e.Clock.Set(next)
		}
		deadID := log("?state=dead")[0]["message_id"].(string)
		if l := log("?state=pending"); len(l) != 0 {
			t.Fatalf("pending while dead: %v", l)
		}
		metric := func(name string) string {
			t.Helper()
			body := string(e.Must(200, apitest.Req{Method: "GET", Path: "/metrics", Key: e.Admin}).Body)
			for line := range strings.SplitSeq(body, "\n") {
				if strings.HasPrefix(line, name+" ") {
					return strings.TrimPrefix(line, name+" ")
				}
			}
			return ""
		}
		epLabel := fmt.Sprintf(`{endpoint=%q,`, id)
		if v := metric("weiquan_webhook_dead_deliveries"); v != "1" {
			t.Errorf("dead gauge %q", v)
		}
		if v := metric("weiquan_webhook_deliveries" + epLabel + `state="dead"}`); v != "1" {
			t.Errorf("endpoint dead gauge %q", v)
		}
		if v := metric("weiquan_webhook_attempts_total" + epLabel + `outcome="failed"}`); v != fmt.Sprint(maxAttempts-1) {
			t.Errorf("failed attempts %q", v)
		}

		// The receiver is back; a newer message of the same request goes
		// out although the older one is dead.
		setFailing(false)
		e.Act(as, "agree", e.Key("seller", "S1"), agreeReturn)
		if st := run(); st.Delivered != 1 {
			t.Fatalf("the newer message behind the dead one: %+v", st)
		}
		l := log("")
		if len(l) != 2 || l[0]["state"] != "dead" || l[1]["state"] != "delivered" || l[1]["topic"] != "aftersale.agreed" || l[1]["delivered_at"] == nil {
			t.Fatalf("log %v", l)
		}

		// Refusals: a delivered message, an unknown one, another caller.
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/webhooks/" + id + "/deliveries/" + l[1]["message_id"].(string) + "/retry", Key: e.Admin}); r.Status != 409 {
			t.Errorf("retrying a delivered message: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/webhooks/" + id + "/deliveries/nope/retry", Key: e.Admin}); r.Status != 404 {
			t.Errorf("retrying an unknown message: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Req{Method: "GET", Path: "/v1/webhooks/" + id + "/deliveries", Key: e.Key("buyer", "B1")}); r.Status != 403 {
			t.Errorf("a buyer reading the log: %d", r.Status)
		}
		if r := e.Do(apitest.Req{Method: "GET", Path: "/v1/webhooks/" + id + "/deliveries?state=lost", Key: e.Admin}); r.Status != 400 || problemField(r) != "state" {
			t.Errorf("unknown state: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Req{Method: "GET", Path: "/v1/webhooks/nope/deliveries", Key: e.Admin}); r.Status != 404 {
			t.Errorf("unknown endpoint: %d", r.Status)
		}

		// The operator redelivers the dead message.
		d := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + id + "/deliveries/" + deadID + "/retry", Key: e.Admin}).JSON()
		if d["state"] != "failing" || d["attempts"] != float64(0) || d["last_status"] != float64(502) {
			t.Fatalf("retried %v", d)
		}
		if st := run(); st.Delivered != 1 {
			t.Fatalf("the retried message: %+v", st)
		}
		mu.Lock()
		got := append([]string(nil), accepted...)
		mu.Unlock()
		if len(got) != 2 || got[1] != deadID {
			t.Fatalf("accepted %v, want the retried %s last", got, deadID)
		}
		if l := log("?state=delivered"); len(l) != 2 {
			t.Fatalf("delivered %v", l)
		}
		// Page by page (limit 1), the cursor gives both, in order.
		p1 := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks/" + id + "/deliveries?limit=1", Key: e.Admin}).JSON()
		p2 := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks/" + id + "/deliveries?limit=1&cursor=" + p1["next_cursor"].(string), Key: e.Admin}).JSON()
		if a, b := p1["items"].([]any)[0].(map[string]any)["message_id"], p2["items"].([]any)[0].(map[string]any)["message_id"]; a != deadID || b == deadID {
			t.Fatalf("pages %v %v", a, b)
		}
		if v := metric("weiquan_webhook_dead_deliveries"); v != "0" {
			t.Errorf("dead gauge after the retry %q", v)
		}
		if v := metric("weiquan_webhook_deliveries" + epLabel + `state="delivered"}`); v != "2" {
			t.Errorf("delivered gauge %q", v)
		}
		for outcome, want := range map[string]string{"delivered": "2", "dead": "1", "failed": fmt.Sprint(maxAttempts - 1)} {
			if v := metric("weiquan_webhook_attempts_total" + epLabel + `outcome="` + outcome + `"}`); v != want {
				t.Errorf("%s attempts %q, want %s", outcome, v, want)
			}
		}
	})
}

// TestWebhookSecretRotation: rotate-secret shows the new secret once; the
// endpoint's deliveries carry both signatures during the overlap (a
// receiver on either secret verifies them with the official library) and
// only the new one's after it; bad overlaps are refused and change nothing.
func TestWebhookSecretRotation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		type got struct {
			header http.Header
			body   []byte
		}
		ch := make(chan got, 8)
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			ch <- got{r.Header.Clone(), b}
		}))
		defer recv.Close()
		ep := loopbackHook(e, recv.URL)
		id, oldSecret := ep["id"].(string), ep["secret"].(string)
		for _, bad := range []any{-1, 604801, "a day"} {
			r := e.Do(apitest.Req{Method: "POST", Path: "/v1/webhooks/" + id + "/rotate-secret", Key: e.Admin, Body: map[string]any{"overlap_seconds": bad}})
			if r.Status != 400 {
				t.Errorf("overlap %v: %d %s", bad, r.Status, r.Body)
			}
		}
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/webhooks/" + id + "/rotate-secret", Key: e.Key("buyer", "B1")}); r.Status != 403 {
			t.Errorf("a buyer rotating: %d", r.Status)
		}
		rot := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + id + "/rotate-secret", Key: e.Admin, Body: map[string]any{"overlap_seconds": 3600}}).JSON()
		newSecret, _ := rot["secret"].(string)
		if !strings.HasPrefix(newSecret, "whsec_") || newSecret == oldSecret || rot["previous_secret_expires_at"] == nil {
			t.Fatalf("rotation %v", rot)
		}
		// Shown once: the list has only the hint, and the overlap's end.
		listed := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks", Key: e.Admin}).JSON()["items"].([]any)[0].(map[string]any)
		if listed["secret"] != nil || listed["secret_hint"] != "whsec_…"+newSecret[len(newSecret)-4:] || listed["previous_secret_expires_at"] != rot["previous_secret_expires_at"] {
			t.Fatalf("listed %v", listed)
		}

		// The relay signs at the (manual) clock's time, as receivers see it.
		hooks := notify.NewWebhooksWith(loopbackAllowed)
		hooks.Now = e.Clock.Now
		relay := worker.NewOutbox(e.Store, worker.OutboxChannels{Webhooks: hooks}, discardLog(), worker.OutboxConfig{Clock: e.Clock})
		verify := func(secret string, g got) error {
			wh, err := standardwebhooks.NewWebhook(secret)
			if err != nil {
				t.Fatal(err)
			}
			return wh.VerifyIgnoringTimestamp(g.body, g.header) // the manual clock is not the receiver's
		}
		as := refundOnly(e, "R1", 3000, apitest.Shipped, "not_received")
		if st, err := relay.RunOnce(ctx); err != nil || st.Delivered != 1 {
			t.Fatalf("%+v %v", st, err)
		}
		during := <-ch
		if n := len(strings.Fields(during.header.Get("webhook-signature"))); n != 2 {
			t.Fatalf("signatures during the overlap: %q", during.header.Get("webhook-signature"))
		}
		for _, s := range []string{oldSecret, newSecret} {
			if err := verify(s, during); err != nil {
				t.Errorf("during the overlap: %v", err)
			}
		}
		e.Clock.Advance(time.Hour)
		e.Act(as, "agree", e.Key("seller", "S1"), agreeReturn)
		if st, err := relay.RunOnce(ctx); err != nil || st.Delivered != 1 {
			t.Fatalf("%+v %v", st, err)
		}
		after := <-ch
		if err := verify(newSecret, after); err != nil {
			t.Errorf("after the overlap, the new secret: %v", err)
		}
		if err := verify(oldSecret, after); err == nil {
			t.Error("after the overlap the old secret still verifies")
		}
		if listed := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks", Key: e.Admin}).JSON()["items"].([]any)[0].(map[string]any); listed["previous_secret_expires_at"] != nil {
			t.Errorf("overlap shown after its end: %v", listed)
		}
	})
}
