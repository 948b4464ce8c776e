package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/store"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func testMessage() notify.Message {
	return notify.Message{ID: "0195f0c2-8a4e-7b3a-9d6e-0a1b2c3d4e5f", Topic: "aftersale.agreed", AggregateType: "aftersale", AggregateID: "AS1", AggregateSeq: 2,
		Payload: json.RawMessage(`{"aftersale_id":"AS1","order_id":"T1","buyer_id":"B1","seller_id":"S1","status":"WAIT_BUYER_RETURN_GOODS","amount":12900}`), CreatedAt: t0}
}

type received struct {
	header http.Header
	body   []byte
	err    error // the official library's verdict
}

// receiver verifies each request with the official Standard Webhooks
// library under secret and answers status (401 when verification fails).
func receiver(t *testing.T, secret string, status int) (*httptest.Server, chan received) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan received, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		verr := wh.Verify(body, r.Header)
		got <- received{header: r.Header.Clone(), body: body, err: verr}
		if verr != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func endpoint(url, secret string) store.WebhookEndpoint {
	return store.WebhookEndpoint{ID: "E1", URL: url, Secret: secret, Enabled: true}
}

func TestWebhookIsSignedPerStandardWebhooks(t *testing.T) {
	secret := store.NewWebhookSecret()
	srv, got := receiver(t, secret, http.StatusNoContent)
	msg := testMessage()
	if err := notify.NewWebhooksWith(loopbackAllowed).Send(context.Background(), endpoint(srv.URL, secret), msg); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil {
		t.Fatalf("the official library rejects the signature: %v", r.err)
	}
	if r.header.Get("webhook-id") != msg.ID || r.header.Get("weiquan-seq") != "2" || r.header.Get("weiquan-aggregate") != "aftersale/AS1" ||
		r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", r.header)
	}
	if _, err := strconv.ParseInt(r.header.Get("webhook-timestamp"), 10, 64); err != nil {
		t.Fatalf("timestamp %q", r.header.Get("webhook-timestamp"))
	}
	var env struct {
		Type      string         `json:"type"`
		Timestamp time.Time      `json:"timestamp"`
		Data      map[string]any `json:"data"`
	}
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatal(err)
	}
	if env.Type != "aftersale.agreed" || !env.Timestamp.Equal(t0) || env.Data["aggregate_id"] != "AS1" || env.Data["aggregate_type"] != "aftersale" ||
		env.Data["seq"] != float64(2) || env.Data["status"] != "WAIT_BUYER_RETURN_GOODS" || env.Data["order_id"] != "T1" {
		t.Fatalf("body %s", r.body)
	}

	// Our signature is byte for byte the official one.
	wh, _ := standardwebhooks.NewWebhook(secret)
	ts := time.Unix(1767000000, 0)
	official, _ := wh.Sign(msg.ID, ts, r.body)
	ours, err := notify.Sign(secret, msg.ID, ts, r.body)
	if err != nil || ours != official {
		t.Fatalf("Sign = %q (%v), official %q", ours, err, official)
	}
}

func TestWebhookWrongSecretFailsVerification(t *testing.T) {
	srv, got := receiver(t, store.NewWebhookSecret(), http.StatusOK)
	err := notify.NewWebhooksWith(loopbackAllowed).Send(context.Background(), endpoint(srv.URL, store.NewWebhookSecret()), testMessage())
	r := <-got
	if !errors.Is(r.err, standardwebhooks.ErrNoMatchingSignature) {
		t.Fatalf("verification with the wrong secret: %v", r.err)
	}
	if notify.StatusOf(err) != http.StatusUnauthorized || notify.IsPermanent(err) {
		t.Fatalf("send: %v", err)
	}
}

func TestWebhookFailuresAreRetryable(t *testing.T) {
	secret := store.NewWebhookSecret()
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 500) })
	mux.HandleFunc("/302", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	w := notify.NewWebhooksWith(loopbackAllowed)
	ctx := context.Background()

	err := w.Send(ctx, endpoint(srv.URL+"/500", secret), testMessage())
	if notify.StatusOf(err) != 500 || notify.IsPermanent(err) {
		t.Fatalf("500: %v", err)
	}
	// Redirects are not followed: the endpoint must be configured right.
	if err := w.Send(ctx, endpoint(srv.URL+"/302", secret), testMessage()); notify.StatusOf(err) != http.StatusFound {
		t.Fatalf("302: %v", err)
	}
	if err := w.Send(ctx, endpoint(srv.URL+"/ok", secret), testMessage()); err != nil {
		t.Fatalf("200: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := w.Send(tctx, endpoint(srv.URL+"/slow", secret), testMessage()); err == nil || notify.IsPermanent(err) {
		t.Fatalf("timeout: %v", err)
	}
	// A secret that cannot be decoded will never work.
	if err := w.Send(ctx, endpoint(srv.URL+"/ok", "whsec_!!"), testMessage()); !notify.IsPermanent(err) {
		t.Fatalf("bad secret: %v", err)
	}
}

func TestWebhookSignatureTimestampIsTheAttemptTime(t *testing.T) {
	secret := store.NewWebhookSecret()
	srv, got := receiver(t, secret, http.StatusOK)
	w := notify.NewWebhooksWith(loopbackAllowed)
	w.Now = func() time.Time { return time.Unix(1767225600, 0) }
	_ = w.Send(context.Background(), endpoint(srv.URL, secret), testMessage())
	r := <-got
	if r.header.Get("webhook-timestamp") != "1767225600" {
		t.Fatalf("timestamp %q", r.header.Get("webhook-timestamp"))
	}
	// Far from the receiver's clock: the official library refuses it
	// (replay protection), yet the signature itself is right.
	if !errors.Is(r.err, standardwebhooks.ErrMessageTooOld) && !errors.Is(r.err, standardwebhooks.ErrMessageTooNew) {
		t.Fatalf("verify: %v", r.err)
	}
	wh, _ := standardwebhooks.NewWebhook(secret)
	if err := wh.VerifyIgnoringTimestamp(r.body, r.header); err != nil {
		t.Fatal(err)
	}
}

func TestBodyKeepsNonObjectPayloads(t *testing.T) {
	m := testMessage()
	m.Payload = json.RawMessage(`[1,2]`)
	b, err := notify.Body(m)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil || string(env.Data["payload"]) != "[1,2]" || string(env.Data["seq"]) != "2" {
		t.Fatalf("body %s %v", b, err)
	}
}

// TestWebhookRotationOverlap: during a rotation's overlap the header
// carries two signatures and receivers holding either secret verify the
// message with the official library; after it only the new secret's
// signature is sent, so a receiver still on the old secret refuses it.
func TestWebhookRotationOverlap(t *testing.T) {
	oldSecret, newSecret := store.NewWebhookSecret(), store.NewWebhookSecret()
	verifiers := map[string]*standardwebhooks.Webhook{}
	for name, s := range map[string]string{"old": oldSecret, "new": newSecret} {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			t.Fatal(err)
		}
		verifiers[name] = wh
	}
	got := make(chan received, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{header: r.Header.Clone(), body: body}
	}))
	defer srv.Close()
	now := time.Now()
	ep := endpoint(srv.URL, newSecret)
	ep.PreviousSecret, ep.PreviousSecretUntil = oldSecret, now.Add(time.Hour)
	send := func(at time.Time) received {
		t.Helper()
		w := notify.NewWebhooksWith(loopbackAllowed)
		w.Now = func() time.Time { return at }
		if err := w.Send(context.Background(), ep, testMessage()); err != nil {
			t.Fatal(err)
		}
		return <-got
	}
	during := send(now)
	if n := len(strings.Fields(during.header.Get("webhook-signature"))); n != 2 {
		t.Fatalf("signatures during the overlap: %q", during.header.Get("webhook-signature"))
	}
	for name, wh := range verifiers {
		if err := wh.Verify(during.body, during.header); err != nil {
			t.Errorf("during the overlap the %s secret does not verify: %v", name, err)
		}
	}
	// The overlap ends at PreviousSecretUntil (exclusive); the attempt is
	// dated an hour ahead, so the timestamp check is left out.
	after := send(ep.PreviousSecretUntil)
	if n := len(strings.Fields(after.header.Get("webhook-signature"))); n != 1 {
		t.Fatalf("signatures after the overlap: %q", after.header.Get("webhook-signature"))
	}
	if err := verifiers["new"].VerifyIgnoringTimestamp(after.body, after.header); err != nil {
		t.Errorf("after the overlap the new secret does not verify: %v", err)
	}
	if err := verifiers["old"].VerifyIgnoringTimestamp(after.body, after.header); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
		t.Errorf("after the overlap the old secret still verifies: %v", err)
	}
}
