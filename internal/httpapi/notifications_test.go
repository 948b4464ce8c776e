package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/worker"
)

func TestSiteMessagesAndWebhooks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		var mu sync.Mutex
		var got []map[string]any
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("webhook-id") == "" || r.Header.Get("webhook-signature") == "" {
				w.WriteHeader(400)
				return
			}
			var m map[string]any
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &m)
			mu.Lock()
			got = append(got, m)
			mu.Unlock()
		}))
		defer recv.Close()
		ep := loopbackHook(e, recv.URL)
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: e.Key("buyer", "B1"), Body: map[string]any{"url": recv.URL}}); r.Status != 403 {
			t.Fatalf("a buyer creating a webhook: %d", r.Status)
		}
		if s, _ := ep["secret"].(string); len(s) < 30 || s[:6] != "whsec_" {
			t.Fatalf("endpoint %v", ep)
		}
		relay := worker.NewOutbox(e.Store, worker.OutboxChannels{Static: map[string]notify.Channel{notify.ChannelSite: &notify.SiteChannel{Store: e.Store}},
			Webhooks: notify.NewWebhooksWith(loopbackAllowed)}, discardLog(), worker.OutboxConfig{Clock: e.Clock})

		as := refundOnly(e, "T1", 3000, apitest.Shipped, "not_received")
		e.Act(as, "agree", e.Key("seller", "S1"), agreeReturn)
		for i := 0; i < 5; i++ {
			if _, err := relay.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		types := []string{}
		for _, m := range got {
			types = append(types, m["type"].(string))
		}
		mu.Unlock()
		if len(types) != 2 || types[0] != "aftersale.requested" || types[1] != "aftersale.agreed" {
			t.Fatalf("webhook received %v", types)
		}
		// The seller was told of the request, the buyer of the agreement.
		sel := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/messages", Key: e.Key("seller", "S1")}).JSON()["items"].([]any)
		buy := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/messages?unread=true", Key: e.Key("buyer", "B1")}).JSON()["items"].([]any)
		if len(sel) == 0 || len(buy) == 0 {
			t.Fatalf("site messages: seller %d, buyer %d", len(sel), len(buy))
		}
		id := buy[0].(map[string]any)["id"].(string)
		if r := e.Do(apitest.Req{Method: "POST", Path: "/v1/messages/" + id + "/read", Key: e.Key("buyer", "B2")}); r.Status != 404 {
			t.Fatalf("another buyer reading the message: %d", r.Status)
		}
		if r := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/messages/" + id + "/read", Key: e.Key("buyer", "B1")}); r.Str("status") != "read" {
			t.Fatalf("mark read: %s", r.Body)
		}
		if n := len(e.Must(200, apitest.Req{Method: "GET", Path: "/v1/messages?unread=true", Key: e.Key("buyer", "B1")}).JSON()["items"].([]any)); n != len(buy)-1 {
			t.Fatalf("unread after marking: %d", n)
		}
		// Replay re-sends the endpoint's messages in order.
		r := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/webhooks/" + ep["id"].(string) + "/replay", Key: e.Admin, Body: map[string]any{"aggregate_type": "aftersale", "aggregate_id": as, "from_seq": 1}})
		if r.JSON()["replayed"].(float64) != 2 {
			t.Fatalf("replay %s", r.Body)
		}
		for i := 0; i < 5; i++ {
			relay.RunOnce(ctx)
		}
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n != 4 {
			t.Fatalf("after replay the receiver has %d deliveries", n)
		}
		e.Must(200, apitest.Req{Method: "PATCH", Path: "/v1/webhooks/" + ep["id"].(string), Key: e.Admin, Body: map[string]any{"enabled": false}})
		if l := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks", Key: e.Admin}).JSON()["items"].([]any); l[0].(map[string]any)["enabled"] != false {
			t.Fatalf("disable: %v", l)
		}
		e.Must(200, apitest.Req{Method: "DELETE", Path: "/v1/webhooks/" + ep["id"].(string), Key: e.Admin})
	})
}

// Both parties are told of a judgment by site message (and SMS, routed by topic).
func TestJudgmentNotifiesBothParties(t *testing.T) {
	e := apitest.Open(t, apitest.SQLiteURL(t))
	ctx := context.Background()
	id := notReceivedCase(e, "J1", 5000)
	e.Do(apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/claim", Key: e.Agent})
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/judge", Key: e.Agent, Body: map[string]any{"outcome": "refund_full", "fault": "seller",
		"reason": "卖家未提供签收证明", "rule_ids": []string{"taobao-dispute-38"}}})
	var sms []notify.SMS
	relay := worker.NewOutbox(e.Store, worker.OutboxChannels{Static: map[string]notify.Channel{
		notify.ChannelSite: &notify.SiteChannel{Store: e.Store},
		notify.ChannelSMS:  &notify.SMSChannel{Sender: smsFunc(func(m notify.SMS) { sms = append(sms, m) }), Routes: notify.DefaultSMSRoutes()},
	}}, discardLog(), worker.OutboxConfig{Clock: e.Clock})
	for i := 0; i < 20; i++ {
		relay.RunOnce(ctx)
	}
	for _, k := range []string{e.Key("buyer", "B1"), e.Key("seller", "S1")} {
		found := false
		for _, m := range e.Must(200, apitest.Req{Method: "GET", Path: "/v1/messages?limit=200", Key: k}).JSON()["items"].([]any) {
			found = found || m.(map[string]any)["ref"] == "dispute/"+id && m.(map[string]any)["title"] == "平台已判定并执行 / The platform judged and executed the decision"
		}
		if !found {
			t.Fatalf("no judgment message for %s: %s", k[:8], e.Must(200, apitest.Req{Method: "GET", Path: "/v1/messages", Key: k}).Body)
		}
	}
	to := map[string]bool{}
	for _, m := range sms {
		if m.Template == "WQ_DISPUTE_JUDGED" {
			to[m.To] = true
		}
	}
	if !to["buyer:B1"] || !to["seller:S1"] {
		t.Fatalf("judgment SMS went to %v", to)
	}
}

type smsFunc func(notify.SMS)

func (f smsFunc) SendSMS(_ context.Context, _ string, m notify.SMS) error { f(m); return nil }
