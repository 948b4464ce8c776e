package httpapi_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/worker"
)

func init() { conformanceParts["intervention"] = runInterventionConformance }

// multipartBody builds an evidence upload form; empty fields are left out
// (file == nil: no file part).
func multipartBody(t testing.TB, fields map[string]string, name string, file []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, k := range []string{"case_id", "caption", "satisfies"} {
		if v, ok := fields[k]; ok {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// runInterventionConformance exercises evidence, the ledger, site messages
// and webhook endpoints: every operation, every documented status.
func runInterventionConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	ctx := context.Background()
	integ, admin, agent := e.Integration, e.Admin, e.Agent
	b1, s1 := e.Key(actor.Buyer, "B1"), e.Key(actor.Seller, "S1")
	b2 := e.Key(actor.Buyer, "B2")

	// A case of B1 against S1 on a delivered order.
	as := refundOnly(e, "IV1", 12800, apitest.Delivered, "quality_problem")
	caseID := escalateCase(e, as, b1, s1, map[string]any{"reason": "无质量问题", "evidence": []string{"质检单"}})

	// ---- evidence
	up := func(want int, key, actAs string, fields map[string]string, name string, file []byte, hdr map[string]string) apitest.Resp {
		t.Helper()
		body, ct := multipartBody(t, fields, name, file)
		h := map[string]string{"Content-Type": ct}
		for k, v := range hdr {
			h[k] = v
		}
		return o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/evidence", Key: key, ActAs: actAs, Body: body, Header: h}, want: want})
	}
	img := pngBytes(t, 24, 16)
	fields := map[string]string{"case_id": caseID, "caption": "开线处特写", "satisfies": "defect_photos"}
	idem := map[string]string{"Idempotency-Key": "ev-upload-1"}
	// Form fields are written in a fixed order and the boundary is random:
	// the replay must send the very same bytes.
	body, ct := multipartBody(t, fields, "photo.pdf", img)
	hdr := map[string]string{"Content-Type": ct, "Idempotency-Key": "ev-upload-1"}
	first := o.must(201, apitest.Req{Method: "POST", Path: "/v1/evidence", Key: b1, Body: body, Header: hdr})
	ev := first.JSON()
	sum := sha256.Sum256(img)
	if ev["media_type"] != "image/png" || ev["sha256"] != hex.EncodeToString(sum[:]) || ev["case_id"] != as || ev["declared_name"] != "photo.pdf" {
		t.Errorf("uploaded evidence: %v", ev)
	}
	again := o.must(201, apitest.Req{Method: "POST", Path: "/v1/evidence", Key: b1, Body: body, Header: hdr})
	if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, again.Body) {
		t.Errorf("upload replay: %q %s", again.Header.Get("Idempotent-Replayed"), again.Body)
	}
	up(422, b1, "", fields, "other.png", pngBytes(t, 8, 8), idem)
	up(201, integ, "seller:S1", map[string]string{"case_id": as, "caption": "出厂质检报告"}, "report.png", pngBytes(t, 12, 12), nil)
	up(201, agent, "", map[string]string{"case_id": caseID}, "note.png", pngBytes(t, 10, 10), nil)
	up(400, b1, "", fields, "x.png", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...), nil) // an executable
	o.rejects(400, func() apitest.Req {
		body, ct := multipartBody(t, fields, "", nil) // no file
		return apitest.Req{Method: "POST", Path: "/v1/evidence", Key: b1, Body: body, Header: map[string]string{"Content-Type": ct}}
	}())
	up(401, "", "", fields, "p.png", img, nil)
	up(403, b1, "seller:S1", fields, "p.png", img, nil)
	up(404, b2, "", fields, "p.png", img, nil)
	up(413, b1, "", map[string]string{"case_id": caseID}, "big.png", append(pngBytes(t, 8, 8), make([]byte, 300<<10)...), nil)
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/evidence", Key: integ, ActAs: "customer", Body: body, Header: map[string]string{"Content-Type": ct}})

	chain := o.must(200, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + caseID + "&limit=2", Key: s1}).JSON()
	if items := chain["items"].([]any); len(items) != 2 || items[0].(map[string]any)["id"] != ev["id"] || chain["next_cursor"] == nil {
		t.Errorf("evidence chain page 1: %v", chain)
	} else if rest := o.must(200, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + as + "&cursor=" + chain["next_cursor"].(string), Key: agent}).JSON(); len(rest["items"].([]any)) != 1 || rest["next_cursor"] != nil {
		t.Errorf("evidence chain page 2: %v", rest)
	}
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/evidence", Key: b1})
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + caseID + "&cursor=YWJj", Key: b1})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=" + caseID, Key: b2})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/evidence?case_id=no-such-case", Key: agent})

	evID := ev["id"].(string)
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/evidence/" + evID, Key: s1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/evidence/" + evID, Key: integ, ActAs: "buyer:B1"})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/evidence/" + evID, Key: b2})
	content := o.must(200, apitest.Req{Method: "GET", Path: "/v1/evidence/" + evID + "/content", Key: b1})
	if !bytes.Equal(content.Body, img) || content.Header.Get("Content-Type") != "image/png" {
		t.Errorf("content: %d bytes of %q", len(content.Body), content.Header.Get("Content-Type"))
	}
	part := o.must(206, apitest.Req{Method: "GET", Path: "/v1/evidence/" + evID + "/content", Key: agent, Header: map[string]string{"Range": "bytes=0-7"}})
	if !bytes.Equal(part.Body, img[:8]) {
		t.Errorf("range: %x", part.Body)
	}
	o.must(304, apitest.Req{Method: "GET", Path: "/v1/evidence/" + evID + "/content", Key: s1, Header: map[string]string{"If-None-Match": content.Header.Get("ETag")}})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/evidence/" + evID + "/content", Key: b2})

	// ---- ledger: the order's escrow, the seller's deposit, the fund.
	acct := o.must(200, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/escrow:IV1", Key: b1}).JSON()
	if acct["balance"] != float64(12800) || len(acct["postings"].([]any)) != 1 {
		t.Errorf("escrow of a paid order: %v", acct)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/seller_deposit:S1", Key: s1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/guarantee_fund", Key: agent})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/buyer_payout:B1", Key: integ, ActAs: "buyer:B1"})
	pg := o.must(200, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/external:payin?limit=2", Key: admin})
	o.nextPage("external:payin", pg, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/external:payin?limit=2&cursor=", Key: admin})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/seller_deposit:S1", Key: b1})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/escrow:IV1", Key: b2})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/lottery:S1", Key: agent})
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/escrow:IV1?cursor=abc", Key: agent})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/escrow:IV1?limit=0", Key: agent})
	ol := o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/IV1/ledger", Key: s1}).JSON()
	if ol["balanced"] != true || ol["totals"].(map[string]any)["paid"] != float64(12800) {
		t.Errorf("order ledger: %v", ol)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/D1/ledger", Key: integ}) // refunded by a judgment
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/orders/IV1/ledger", Key: b2})

	// ---- site messages: the relay delivers the outbox; webhooks too.
	var hits atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.Copy(io.Discard, r.Body)
	}))
	defer recv.Close()
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Body: map[string]any{"url": recv.URL}}) // loopback, not allow-listed
	e.Svc.SetWebhookAllow(loopbackAllowed)
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: b1, Body: map[string]any{"url": recv.URL}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Body: map[string]any{"url": "ftp://example.com/hooks"}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Body: map[string]any{"event_types": []string{"dispute.*"}}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Body: map[string]any{"url": recv.URL, "event_types": []string{""}}})
	widem := map[string]string{"Idempotency-Key": "wh-create-1"}
	cbody := map[string]any{"url": recv.URL, "event_types": []string{"dispute.*"}, "description": "争议事件 / dispute events"}
	created := o.must(201, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Body: cbody, Header: widem})
	ep := created.JSON()
	secret, _ := ep["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") || ep["secret_hint"] != "whsec_…"+secret[len(secret)-4:] {
		t.Errorf("created endpoint: %v", ep)
	}
	if r := o.must(201, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Body: cbody, Header: widem}); !bytes.Equal(r.Body, created.Body) || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("create replay: %s", r.Body)
	}
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Body: map[string]any{"url": recv.URL}, Header: widem})
	epID := ep["id"].(string)
	o.must(201, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: integ, Body: map[string]any{"url": recv.URL + "/all", "enabled": false}})

	list := o.must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks?limit=1", Key: admin})
	if bytes.Contains(list.Body, []byte(secret)) || bytes.Contains(list.Body, []byte(`"secret"`)) {
		t.Errorf("the endpoint list shows a secret: %s", list.Body)
	}
	o.nextPage("webhooks", list, apitest.Req{Method: "GET", Path: "/v1/webhooks?cursor=", Key: integ})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/webhooks", Key: agent})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/webhooks?limit=0", Key: admin})

	relay := worker.NewOutbox(e.Store, worker.OutboxChannels{Static: map[string]notify.Channel{notify.ChannelSite: &notify.SiteChannel{Store: e.Store}},
		Webhooks: notify.NewWebhooksWith(loopbackAllowed)}, discardLog(), worker.OutboxConfig{Clock: e.Clock})
	for i := 0; i < 30; i++ {
		st, err := relay.RunOnce(ctx)
		if err != nil {
			t.Fatalf("relay: %v", err)
		}
		if st == (worker.OutboxStats{}) {
			break
		}
	}
	if hits.Load() == 0 {
		t.Errorf("the webhook receiver got nothing")
	}

	msgs := o.must(200, apitest.Req{Method: "GET", Path: "/v1/messages?unread=true&limit=2", Key: b1}).JSON()
	items, _ := msgs["items"].([]any)
	if len(items) != 2 || msgs["next_cursor"] == nil {
		t.Fatalf("B1's messages: %v", msgs)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/messages?cursor=" + msgs["next_cursor"].(string), Key: b1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/messages", Key: integ, ActAs: "seller:S1"})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/messages", Key: agent})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/messages?limit=0", Key: b1})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/messages?unread=maybe", Key: b1})

	m1, m2 := items[0].(map[string]any)["id"].(string), items[1].(map[string]any)["id"].(string)
	ridem := map[string]string{"Idempotency-Key": "read-1"}
	read := o.must(200, apitest.Req{Method: "POST", Path: "/v1/messages/" + m1 + "/read", Key: b1, Header: ridem})
	if read.Str("status") != "read" || read.JSON()["read_at"] == nil {
		t.Errorf("read: %s", read.Body)
	}
	if r := o.must(200, apitest.Req{Method: "POST", Path: "/v1/messages/" + m1 + "/read", Key: b1, Header: ridem}); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("read replay: %v", r.Header)
	}
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/messages/" + m2 + "/read", Key: b1, Header: ridem})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/messages/" + m2 + "/read", Key: integ, ActAs: "buyer:B1"})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/messages/" + m1 + "/read", Key: b2})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/messages/" + m1 + "/read", Key: agent})

	// ---- webhook endpoints: update, replay, delete.
	upd := o.must(200, apitest.Req{Method: "PATCH", Path: "/v1/webhooks/" + epID, Key: admin, Body: map[string]any{"enabled": false, "description": "暂停 / paused"}})
	if v := upd.JSON(); v["enabled"] != false || v["status"] != "disabled" || bytes.Contains(upd.Body, []byte(secret)) {
		t.Errorf("updated endpoint: %s", upd.Body)
	}
	o.must(200, apitest.Req{Method: "PATCH", Path: "/v1/webhooks/" + epID, Key: integ, Body: map[string]any{"enabled": true, "event_types": []string{"dispute.*", "aftersale.*"}}})
	o.fail(400, apitest.Req{Method: "PATCH", Path: "/v1/webhooks/" + epID, Key: admin, Body: map[string]any{"url": "mailto:ops@example.com"}})
	o.rejects(400, apitest.Req{Method: "PATCH", Path: "/v1/webhooks/" + epID, Key: admin, Body: map[string]any{"secret": "whsec_x"}})
	o.fail(403, apitest.Req{Method: "PATCH", Path: "/v1/webhooks/" + epID, Key: s1, Body: map[string]any{"enabled": false}})
	o.fail(404, apitest.Req{Method: "PATCH", Path: "/v1/webhooks/no-such-endpoint", Key: admin, Body: map[string]any{"enabled": false}})

	rp := o.must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/replay", Key: admin, Body: map[string]any{"aggregate_type": "dispute", "aggregate_id": caseID, "from_seq": 1}})
	if n, _ := rp.JSON()["replayed"].(float64); n < 1 {
		t.Errorf("replay of the case's messages: %s", rp.Body)
	}
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/replay", Key: integ, Body: map[string]any{"since": e.Clock.Now().Add(-time.Hour).Format(time.RFC3339)}})
	pidem := map[string]string{"Idempotency-Key": "replay-1"}
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/replay", Key: admin, Header: pidem})
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/replay", Key: admin, Body: map[string]any{"from_seq": 2}, Header: pidem})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/replay", Key: admin, Body: map[string]any{"to_seq": 2}})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/replay", Key: agent})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/webhooks/no-such-endpoint/replay", Key: admin})

	// ---- delivery log, dead letter and retry, secret rotation.
	dlog := o.must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks/" + epID + "/deliveries?limit=1", Key: admin})
	o.nextPage("deliveries", dlog, apitest.Req{Method: "GET", Path: "/v1/webhooks/" + epID + "/deliveries?cursor=", Key: integ})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks/" + epID + "/deliveries?state=delivered", Key: admin})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/webhooks/" + epID + "/deliveries?state=lost", Key: admin})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/webhooks/" + epID + "/deliveries", Key: agent})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/webhooks/no-such-endpoint/deliveries", Key: admin})
	delivered := dlog.JSON()["items"].([]any)[0].(map[string]any)["message_id"].(string)
	o.fail(409, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/deliveries/" + delivered + "/retry", Key: admin})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/deliveries/no-such-message/retry", Key: admin})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/deliveries/" + delivered + "/retry", Key: agent})
	// An endpoint nobody listens at: one attempt, then dead.
	gone := o.must(201, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: admin, Body: map[string]any{"url": "http://127.0.0.1:9/gone", "event_types": []string{"aftersale.*"}}}).JSON()["id"].(string)
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + gone + "/replay", Key: admin, Body: map[string]any{"after_id": ""}})
	once := worker.NewOutbox(e.Store, worker.OutboxChannels{Webhooks: notify.NewWebhooksWith(loopbackAllowed)}, discardLog(),
		worker.OutboxConfig{Clock: e.Clock, MaxAttempts: 1})
	if _, err := once.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	dead := o.must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks/" + gone + "/deliveries?state=dead&limit=1", Key: admin}).JSON()["items"].([]any)
	if len(dead) != 1 {
		t.Fatalf("no dead delivery at the unreachable endpoint")
	}
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + gone + "/deliveries/" + dead[0].(map[string]any)["message_id"].(string) + "/retry", Key: integ})
	o.must(200, apitest.Req{Method: "DELETE", Path: "/v1/webhooks/" + gone, Key: admin})
	ridem2 := map[string]string{"Idempotency-Key": "rotate-1"}
	rot := o.must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/rotate-secret", Key: admin, Body: map[string]any{"overlap_seconds": 600}, Header: ridem2})
	if rot.Str("secret") == secret || rot.JSON()["previous_secret_expires_at"] == nil {
		t.Errorf("rotation: %s", rot.Body)
	}
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/rotate-secret", Key: admin, Body: map[string]any{"overlap_seconds": 60}, Header: ridem2})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/rotate-secret", Key: integ})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/rotate-secret", Key: admin, Body: map[string]any{"overlap_seconds": -1}})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + epID + "/rotate-secret", Key: agent})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/webhooks/no-such-endpoint/rotate-secret", Key: admin})

	o.fail(403, apitest.Req{Method: "DELETE", Path: "/v1/webhooks/" + epID, Key: b1})
	if r := o.must(200, apitest.Req{Method: "DELETE", Path: "/v1/webhooks/" + epID, Key: admin}); r.Str("status") != "deleted" {
		t.Errorf("delete: %s", r.Body)
	}
	o.fail(404, apitest.Req{Method: "DELETE", Path: "/v1/webhooks/" + epID, Key: admin})

	runAdvanceConformance(t, e, o)
	runIssue13Conformance(t, e, o)
	runNegotiationConformance(t, e, o)
}

// openCaseAt opens a case of B1 against S1: a delivered order, a refused
// refund-only request, the buyer's escalation. It returns the request and
// the case.
func openCaseAt(e *apitest.Env, orderID string, amount int64, reason string) (string, string) {
	e.T.Helper()
	b1, s1 := e.Key(actor.Buyer, "B1"), e.Key(actor.Seller, "S1")
	as := refundOnly(e, orderID, amount, apitest.Delivered, reason)
	return as, escalateCase(e, as, b1, s1, map[string]any{"reason": "不同意", "evidence": []string{"说明"}})
}

// escalateCase has the seller refuse request as with refusal and the buyer
// escalate it ("协商不成"), and returns the case it opened, found among the
// buyer's cases in EVIDENCE.
func escalateCase(e *apitest.Env, as, buyerKey, sellerKey string, refusal map[string]any) string {
	e.T.Helper()
	if _, ok := refusal["reason_code"]; !ok {
		refusal["reason_code"] = "other" // ours-refuse-reason-codes
	}
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/refuse", Key: sellerKey, Body: refusal})
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/escalate", Key: buyerKey, Body: map[string]any{"reason": "协商不成"}})
	for _, it := range e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes?status=EVIDENCE&limit=200", Key: buyerKey}).JSON()["items"].([]any) {
		if c := it.(map[string]any); c["aftersale_id"] == as {
			return c["id"].(string)
		}
	}
	e.T.Fatalf("escalating %s opened no case", as)
	return ""
}

// toReview takes a case through both parties' done-evidence and the agent's claim.
func toReview(e *apitest.Env, id string) {
	e.T.Helper()
	for _, k := range []string{e.Key(actor.Buyer, "B1"), e.Key(actor.Seller, "S1")} {
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/done-evidence", Key: k})
	}
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/claim", Key: e.Agent})
}

func balanceOf(e *apitest.Env, acct string) float64 {
	e.T.Helper()
	v, _ := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/ledger/accounts/" + acct, Key: e.Admin}).JSON()["balance"].(float64)
	return v
}

// runAdvanceConformance: paying into the fund and a deposit, advances
// resolved both ways, a negotiation suspension, compensation with a shortfall.
func runAdvanceConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	ctx := context.Background()
	integ, admin, agent := e.Integration, e.Admin, e.Agent
	b1, s1 := e.Key(actor.Buyer, "B1"), e.Key(actor.Seller, "S1")
	act := func(want int, id, action, key, actAs string, body any) map[string]any {
		t.Helper()
		return o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/" + action, Key: key, ActAs: actAs, Body: body}, want: want}).JSON()
	}

	// ---- top-ups
	fund := "/v1/ledger/accounts/guarantee_fund/top-up"
	tidem := map[string]string{"Idempotency-Key": "fund-1"}
	first := o.must(200, apitest.Req{Method: "POST", Path: fund, Key: admin, Body: map[string]any{"amount": 1000000, "reference": "注资-2026-03"}, Header: tidem})
	if r := o.must(200, apitest.Req{Method: "POST", Path: fund, Key: admin, Body: map[string]any{"amount": 1000000, "reference": "注资-2026-03"}, Header: tidem}); !bytes.Equal(r.Body, first.Body) {
		t.Errorf("top-up replay: %s", r.Body)
	}
	o.fail(422, apitest.Req{Method: "POST", Path: fund, Key: admin, Body: map[string]any{"amount": 2}, Header: tidem})
	if got := balanceOf(e, "guarantee_fund"); got != 1000000 {
		t.Errorf("fund after one top-up and its replay: %v", got)
	}
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/seller_deposit:S1/top-up", Key: integ, Body: map[string]any{"amount": 3000}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/escrow:IV1/top-up", Key: admin, Body: map[string]any{"amount": 100}})
	o.rejects(400, apitest.Req{Method: "POST", Path: fund, Key: admin, Body: map[string]any{"amount": 0}})
	o.fail(403, apitest.Req{Method: "POST", Path: fund, Key: s1, Body: map[string]any{"amount": 100}})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/ledger/accounts/lottery:S1/top-up", Key: admin, Body: map[string]any{"amount": 100}})

	// ---- advance, goods returned (2a): the judgment is the refund already paid.
	asA, kA := openCaseAt(e, "AV1", 20000, "quality_problem")
	toReview(e, kA)
	act(400, kA, "advance", agent, "", map[string]any{"amount": 20001, "reason": "卖家失联"})
	v := act(200, kA, "advance", agent, "", map[string]any{"reason": "卖家失联，买家无责"})
	if v["advance_status"] != float64(2) || fmt.Sprint(v["allowed_actions"]) != "[add-evidence assess-evidence release reassign extend resolve-advance]" {
		t.Errorf("after the advance: %v", v)
	}
	if f, fr := balanceOf(e, "guarantee_fund"), balanceOf(e, "frozen:AV1"); f != 1000000-20000 || fr != 20000 {
		t.Errorf("fund %v, frozen %v after the advance", f, fr)
	}
	act(409, kA, "advance", agent, "", map[string]any{"reason": "再次"})
	act(409, kA, "judge", agent, "", map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "x", "rule_ids": []string{"taobao-dispute-65"}})
	act(400, kA, "resolve-advance", agent, "", map[string]any{"outcome": "returned", "reason": "x", "evidence_ids": []string{"ev-none"}})
	v = act(200, kA, "resolve-advance", agent, "", map[string]any{"outcome": "returned", "reason": "退货已签收", "rule_ids": []string{"taobao-dispute-81"}})
	if v["status"] != "JUDGED" || v["advance_status"] != float64(5) || v["judgment"].(map[string]any)["outcome"] != "refund_full" {
		t.Errorf("after the return: %v", v)
	}
	if a := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + asA, Key: b1}).JSON(); a["status"] != "SUCCESS" || a["refunded"] != float64(20000) {
		t.Errorf("request after the advance returned: %v", a)
	}
	if f, fr, es := balanceOf(e, "guarantee_fund"), balanceOf(e, "frozen:AV1"), balanceOf(e, "escrow:AV1"); f != 1000000 || fr != 0 || es != 0 {
		t.Errorf("fund %v, frozen %v, escrow %v after the return", f, fr, es)
	}
	if ol := o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/AV1/ledger", Key: b1}).JSON(); ol["balanced"] != true {
		t.Errorf("order ledger after the advance: %v", ol)
	}

	// ---- advance, the buyer keeps the goods (2b, 调帐): judged for the seller.
	asK, kK := openCaseAt(e, "AV2", 8000, "not_as_described")
	toReview(e, kK)
	act(200, kK, "advance", agent, "", map[string]any{"amount": 5000, "reason": "卖家不配合"})
	act(409, kK, "withdraw", b1, "", map[string]any{"reason": "x"})
	act(409, kK, "suspend", b1, "", nil)
	v = act(200, kK, "resolve-advance", agent, "", map[string]any{"outcome": "kept", "reason": "买家确认保留商品"})
	if v["advance_status"] != float64(4) || v["judgment"].(map[string]any)["outcome"] != "release_to_seller" {
		t.Errorf("after the buyer kept the goods: %v", v)
	}
	if a := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + asK, Key: b1}).JSON(); a["status"] != "CLOSED" {
		t.Errorf("request after the buyer kept the goods: %v", a)
	}
	act(409, kK, "resolve-advance", agent, "", map[string]any{"outcome": "kept", "reason": "again"})

	// ---- suspension: both parties ask; either resumes; the deadline resumes it.
	_, kS := openCaseAt(e, "SU1", 6000, "not_received")
	v = act(200, kS, "suspend", b1, "", map[string]any{"reason": "双方协商中"})
	if v["status"] != "EVIDENCE" || v["suspension"] == nil {
		t.Errorf("one party asked: %v", v)
	}
	act(409, kS, "suspend", b1, "", nil)
	v = act(200, kS, "suspend", integ, "seller:S1", nil)
	if d, _ := v["deadline"].(map[string]any); v["status"] != "SUSPENDED" || d["kind"] != "suspension" || d["on_expiry"] != "resume" {
		t.Errorf("suspended: %v", v)
	}
	act(409, kS, "done-evidence", b1, "", nil)
	if v := act(200, kS, "resume", s1, "", map[string]any{"reason": "协商失败"}); v["status"] != "EVIDENCE" {
		t.Errorf("resumed: %v", v)
	}
	act(409, kS, "resume", s1, "", nil)
	act(200, kS, "suspend", s1, "", map[string]any{})
	act(200, kS, "suspend", b1, "", nil)
	e.Clock.Advance(30*24*time.Hour + time.Minute)
	if _, err := e.Svc.FireDue(ctx, 100); err != nil {
		t.Fatalf("fire: %v", err)
	}
	if v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + kS, Key: b1}).JSON(); v["status"] != "EVIDENCE" || v["suspension"] != nil {
		t.Errorf("after the suspension period: %v", v)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + kS + "/events", Key: s1})

	// ---- compensation from the deposit: 5000 asked, all short — the
	// deposit's 3000 fen is frozen for the open case SU1 (保证金 frozen per
	// case, protection.deposit_freeze), so it secures that case, not this one.
	_, kC := openCaseAt(e, "CP1", 9000, "counterfeit")
	toReview(e, kC)
	v = act(200, kC, "judge", agent, "", map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "未提供进货凭证",
		"rule_ids": []string{"taobao-dispute-66"}, "compensation": 5000})
	if j, _ := v["judgment"].(map[string]any); j["compensation"] != float64(5000) || j["shortfall"] != float64(5000) {
		t.Errorf("judgment with compensation: %v", v["judgment"])
	}
	if d, fr := balanceOf(e, "seller_deposit:S1"), balanceOf(e, "deposit_frozen:S1"); d != 0 || fr != 3000 {
		t.Errorf("deposit after compensation: %v (frozen %v)", d, fr)
	}
	for _, id := range []string{kA, kK, kC} {
		o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id + "/events", Key: agent})
	}

	// ---- direct creation: counterfeit allows it; others negotiate first.
	create := func(want int, key, actAs string, body map[string]any, hdr map[string]string) apitest.Resp {
		t.Helper()
		return o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/disputes", Key: key, ActAs: actAs, Body: body, Header: hdr}, want: want})
	}
	e.NewOrder("DC1", "B1", "S1", 15000, apitest.Delivered)
	e.NewOrder("DC2", "B1", "S1", 15000, apitest.Paid)
	e.NewOrder("DC3", "B1", "S1", 15000, apitest.Completed)
	dc := map[string]any{"order_id": "DC1", "reason": "counterfeit", "amount": 15000, "description": "疑似假冒"}
	cidem := map[string]string{"Idempotency-Key": "direct-DC1"}
	res := create(201, integ, "buyer:B1", dc, cidem)
	v = res.JSON()
	if v["status"] != "EVIDENCE" || v["reason"] != "counterfeit" || res.Header.Get("ETag") == "" {
		t.Errorf("direct case: %v", v)
	}
	if again := create(201, integ, "buyer:B1", dc, cidem); !bytes.Equal(again.Body, res.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("direct case replay: %s", again.Body)
	}
	create(422, integ, "buyer:B1", map[string]any{"order_id": "DC3", "reason": "counterfeit"}, cidem)
	if a := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + v["aftersale_id"].(string), Key: b1}).JSON(); a["cs_status"] != float64(10) || a["deadline"] != nil {
		t.Errorf("the direct case's request: %v", a)
	}
	create(409, b1, "", dc, nil) // the order already has an open request
	for order, cond := range map[string]string{"DC2": "paid_and_shipped", "DC3": "negotiation_first"} {
		body := map[string]any{"order_id": order, "reason": "counterfeit", "amount": 100}
		if cond == "negotiation_first" {
			body["reason"] = "quality_problem"
		}
		if p := problemOf(t, create(409, b1, "", body, nil)); !strings.Contains(p["detail"].(string), cond) || p["rule_id"] == nil {
			t.Errorf("%s: refusal %v", order, p)
		}
	}
	create(403, s1, "", map[string]any{"order_id": "DC3", "reason": "counterfeit"}, nil)
	create(403, integ, "", map[string]any{"order_id": "DC3", "reason": "counterfeit"}, nil)
	create(404, e.Key(actor.Buyer, "B2"), "", map[string]any{"order_id": "DC3", "reason": "counterfeit"}, nil)
	create(404, b1, "", map[string]any{"order_id": "NO-SUCH-ORDER", "reason": "counterfeit"}, nil)
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/disputes", Key: b1, Body: map[string]any{"reason": "counterfeit"}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/disputes", Key: b1, Body: map[string]any{"order_id": "DC3", "reason": "counterfeit", "urgent": true}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/disputes", Key: b1, Body: map[string]any{"order_id": "DC3", "reason": "counterfeit", "amount": 99999}})
	// Completed more than 15 days ago.
	e.Clock.Advance(16 * 24 * time.Hour)
	if p := problemOf(t, create(409, b1, "", map[string]any{"order_id": "DC3", "reason": "counterfeit", "amount": 100}, nil)); !strings.Contains(p["detail"].(string), "completion_window") {
		t.Errorf("after the completion window: %v", p)
	}
}
