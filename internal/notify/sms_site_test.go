package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/store"
)

type gatewayCall struct {
	auth, key string
	sms       notify.SMS
}

func gateway(t *testing.T, status int) (*httptest.Server, *[]gatewayCall) {
	var mu sync.Mutex
	var calls []gatewayCall
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m notify.SMS
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &m); err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request", 400)
			return
		}
		mu.Lock()
		calls = append(calls, gatewayCall{auth: r.Header.Get("Authorization"), key: r.Header.Get("Idempotency-Key"), sms: m})
		mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestSMSChannelThroughHTTPGateway(t *testing.T) {
	srv, calls := gateway(t, http.StatusAccepted)
	ch := &notify.SMSChannel{
		Sender: &notify.HTTPSMS{URL: srv.URL, Token: "tok"},
		Routes: map[string]notify.SMSRoute{"aftersale.agreed": {Template: "SMS_AGREED", To: []string{"buyer"}}},
	}
	if !ch.Accepts("aftersale.agreed") || ch.Accepts("aftersale.requested") {
		t.Fatal("routes are the topic filter")
	}
	msg := testMessage()
	if err := ch.Deliver(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	if len(*calls) != 1 {
		t.Fatalf("calls %+v", *calls)
	}
	c := (*calls)[0]
	if c.auth != "Bearer tok" || c.key != msg.ID+".buyer" || c.sms.To != "buyer:B1" || c.sms.Template != "SMS_AGREED" ||
		c.sms.Params["aftersale_id"] != "AS1" || c.sms.Params["amount"] != "12900" || c.sms.Params["seq"] != "2" || c.sms.Params["topic"] != "aftersale.agreed" {
		t.Fatalf("call %+v", c)
	}

	// A custom address book, and a failing gateway.
	bad, _ := gateway(t, http.StatusBadGateway)
	ch.Sender = &notify.HTTPSMS{URL: bad.URL}
	ch.Address = func(_ context.Context, role, id string) (string, error) { return "+86-138-" + id, nil }
	if err := ch.Deliver(context.Background(), msg); notify.StatusOf(err) != http.StatusBadGateway {
		t.Fatalf("failing gateway: %v", err)
	}
}

func TestFileSMSWritesJSONLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sms.jsonl")
	ch := &notify.SMSChannel{
		Sender: &notify.FileSMS{Path: path},
		Routes: map[string]notify.SMSRoute{"aftersale.agreed": {Template: "SMS_AGREED", To: []string{"buyer", "seller"}}},
	}
	if err := ch.Deliver(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var tos []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Key      string            `json:"key"`
			To       string            `json:"to"`
			Template string            `json:"template"`
			Params   map[string]string `json:"params"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.Template != "SMS_AGREED" || line.Key == "" || line.Params["order_id"] != "T1" {
			t.Fatalf("line %s: %v", sc.Bytes(), err)
		}
		tos = append(tos, line.To)
	}
	if !slices.Equal(tos, []string{"buyer:B1", "seller:S1"}) {
		t.Fatalf("to %v", tos)
	}
}

func TestSiteChannelWritesOncePerParty(t *testing.T) {
	ctx := context.Background()
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		st := apitest.OpenStore(t, eng.URL(t))
		ch := &notify.SiteChannel{Store: st}
		msg := testMessage()
		for range 2 { // a redelivery repeats nothing
			if err := ch.Deliver(ctx, msg); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []struct{ role, id string }{{"buyer", "B1"}, {"seller", "S1"}} {
			list, err := st.ListSiteMessages(ctx, store.SiteMessageFilter{RecipientRole: p.role, RecipientID: p.id})
			if err != nil || len(list) != 1 {
				t.Fatalf("%s: %+v %v", p.role, list, err)
			}
			m := list[0]
			if m.ID != msg.ID+"."+p.role || m.Title != "卖家已同意 / The seller agreed" || m.Ref != "aftersale/AS1" || !m.CreatedAt.Equal(t0) ||
				m.Body != "售后申请 AS1，订单 T1，状态 WAIT_BUYER_RETURN_GOODS，金额 129.00 元 / after-sales request AS1, order T1, status WAIT_BUYER_RETURN_GOODS, amount ¥129.00" {
				t.Fatalf("%s: %+v", p.role, m)
			}
		}
	})
}

func TestDefaultSMSRoutes(t *testing.T) {
	r := notify.DefaultSMSRoutes()
	if got := r["aftersale.agreed"]; got.Template != "WQ_AFTERSALE_AGREED" || !slices.Equal(got.To, []string{"buyer"}) {
		t.Fatalf("agreed: %+v", got)
	}
	if _, ok := r["aftersale.closed"]; ok {
		t.Fatal("closed requests text nobody")
	}
}

// SPEC §6: after the appeal (or when the window passes) the parties are
// told of the channels outside the platform; other messages are not.
func TestFinalDecisionNamesExternalChannels(t *testing.T) {
	for topic, want := range map[string]bool{"dispute.appeal_decided": true, "dispute.final": true, "dispute.judged": false} {
		msg := notify.Message{ID: "m1", Topic: topic, AggregateType: "dispute", AggregateID: "K1",
			Payload: json.RawMessage(`{"dispute_id":"K1","order_id":"T1","buyer_id":"B1","seller_id":"S1","status":"FINAL"}`), CreatedAt: t0}
		got := notify.SiteMessages(msg)
		if len(got) != 2 {
			t.Fatalf("%s: %d messages", topic, len(got))
		}
		for _, m := range got {
			if has := strings.Contains(m.Body, "消费者协会") && strings.Contains(m.Body, "market regulator"); has != want {
				t.Errorf("%s to %s: external channels %v, want %v: %s", topic, m.RecipientRole, has, want, m.Body)
			}
		}
	}
	if r := notify.DefaultSMSRoutes()["dispute.advanced"]; !slices.Equal(r.To, []string{"buyer", "seller"}) {
		t.Errorf("advance SMS goes to %v", r.To)
	}
}
