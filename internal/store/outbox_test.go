package store_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

var obT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// obEngines runs fn on a fresh, migrated store of each engine.
func obEngines(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		fn(t, apitest.OpenStore(t, eng.URL(t)))
	})
}

func obMsg(topic, aggID string, seq int64) store.OutboxMessage {
	return store.OutboxMessage{Topic: topic, AggregateType: "aftersale", AggregateID: aggID, AggregateSeq: seq,
		Payload: json.RawMessage(fmt.Sprintf(`{"aftersale_id":%q,"buyer_id":"B1","seller_id":"S1"}`, aggID)), CreatedAt: obT0}
}

func obEnqueue(t *testing.T, s *store.Store, msgs ...store.OutboxMessage) []store.OutboxMessage {
	t.Helper()
	if err := s.InTx(context.Background(), func(tx *store.Tx) error { return tx.Apply(context.Background(), store.Commit{Outbox: msgs}) }); err != nil {
		t.Fatal(err)
	}
	return msgs
}

func obFanOut(t *testing.T, s *store.Store, f store.FanOut) store.FanOutResult {
	t.Helper()
	if f.Now.IsZero() {
		f.Now = obT0
	}
	res, err := s.FanOutOutbox(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func obChannels(names ...string) func(string) []string {
	return func(string) []string { return names }
}

func obClaim(t *testing.T, s *store.Store, now time.Time, limit int) []store.Delivery {
	t.Helper()
	ds, err := s.ClaimDeliveries(context.Background(), store.Claim{Now: now, Lease: time.Minute, Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// keys names claimed deliveries as "aggregate/seq@channel[:endpoint]", sorted.
func obKeys(ds []store.Delivery) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		k := fmt.Sprintf("%s/%d@%s", d.AggregateID, d.AggregateSeq, d.Channel)
		if d.EndpointID != "" {
			k += ":" + d.EndpointID
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func obRecord(t *testing.T, s *store.Store, d store.Delivery, state string, next time.Time) int {
	t.Helper()
	n, err := s.RecordDeliveries(context.Background(), []store.DeliveryOutcome{{MessageID: d.MessageID, Channel: d.Channel, EndpointID: d.EndpointID,
		Attempts: d.Attempts, State: state, NextAttemptAt: next, Status: 503, Error: "boom", At: next}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func obWant(t *testing.T, got []string, w ...string) {
	t.Helper()
	if w == nil {
		w = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if !reflect.DeepEqual(got, w) {
		t.Fatalf("got %v, want %v", got, w)
	}
}

func TestOutboxEnqueueIsTransactional(t *testing.T) {
	ctx := context.Background()
	obEngines(t, func(t *testing.T, s *store.Store) {
		// A rolled-back command leaves no message.
		m := obMsg("aftersale.requested", "AS1", 1)
		err := s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Apply(ctx, store.Commit{Outbox: []store.OutboxMessage{m}}); err != nil {
				return err
			}
			return errors.New("command failed")
		})
		if err == nil {
			t.Fatal("want the command's error")
		}
		if list, err := s.ListOutbox(ctx, "", "", "", 10); err != nil || len(list) != 0 {
			t.Fatalf("rolled-back message stored: %v %v", list, err)
		}

		got := obEnqueue(t, s, obMsg("aftersale.requested", "AS1", 1), obMsg("aftersale.agreed", "AS1", 2))
		if got[0].ID == "" || got[1].ID <= got[0].ID {
			t.Fatalf("ids not filled in order: %q %q", got[0].ID, got[1].ID)
		}
		back, err := s.GetOutboxMessage(ctx, got[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]string
		if err := json.Unmarshal(back.Payload, &p); err != nil || p["aftersale_id"] != "AS1" {
			t.Fatalf("payload %s %v", back.Payload, err)
		}
		if back.Topic != "aftersale.agreed" || back.AggregateSeq != 2 || !back.CreatedAt.Equal(obT0) {
			t.Fatalf("got %+v", back)
		}
		if _, err := s.GetOutboxMessage(ctx, "nope"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("missing message: %v", err)
		}

		// The per-aggregate sequence is unique: a second writer of seq 2 lost a race.
		err = s.InTx(ctx, func(tx *store.Tx) error {
			return tx.Apply(ctx, store.Commit{Outbox: []store.OutboxMessage{obMsg("aftersale.refused", "AS1", 2)}})
		})
		if !fault.Is(err, fault.Conflict) || !errors.Is(err, store.ErrStale) {
			t.Fatalf("duplicate seq: %v", err)
		}
		bad := obMsg("x", "AS2", 1)
		bad.Payload = json.RawMessage(`{nope`)
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.Apply(ctx, store.Commit{Outbox: []store.OutboxMessage{bad}}) }); err == nil {
			t.Fatal("malformed payload accepted")
		}
		noTime := obMsg("x", "AS2", 1)
		noTime.CreatedAt = time.Time{}
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.Apply(ctx, store.Commit{Outbox: []store.OutboxMessage{noTime}}) }); err == nil {
			t.Fatal("message without created_at accepted")
		}
	})
}

func TestOutboxFanOutRoutes(t *testing.T) {
	ctx := context.Background()
	obEngines(t, func(t *testing.T, s *store.Store) {
		all, err := s.CreateWebhookEndpoint(ctx, store.WebhookEndpoint{ID: "E1", URL: "https://a.example/hook", EventTypes: []string{"aftersale.*"}, Enabled: true, CreatedAt: obT0}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateWebhookEndpoint(ctx, store.WebhookEndpoint{ID: "E2", URL: "https://b.example/hook", EventTypes: []string{"order.refunded"}, Enabled: true, CreatedAt: obT0}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateWebhookEndpoint(ctx, store.WebhookEndpoint{ID: "E3", URL: "https://c.example/hook", Enabled: false, CreatedAt: obT0}, nil); err != nil {
			t.Fatal(err)
		}
		if all.Secret == "" || !store.ValidWebhookSecret(all.Secret) {
			t.Fatalf("secret %q", all.Secret)
		}
		refund := obMsg("order.refunded", "T1", 3)
		refund.AggregateType = "order"
		obEnqueue(t, s, obMsg("aftersale.requested", "AS1", 1), obMsg("aftersale.agreed", "AS1", 2), refund)
		channels := func(topic string) []string {
			if topic == "aftersale.agreed" {
				return []string{"nats", "sms"}
			}
			return []string{"nats"}
		}
		res := obFanOut(t, s, store.FanOut{Channels: channels, Webhooks: true, Limit: 10})
		if res.Messages != 3 || res.Deliveries != 7 {
			t.Fatalf("fan-out %+v", res)
		}
		ds, err := s.ListDeliveries(ctx, store.DeliveryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		obWant(t, obKeys(ds), "AS1/1@nats", "AS1/1@webhook:E1", "AS1/2@nats", "AS1/2@sms", "AS1/2@webhook:E1", "T1/3@nats", "T1/3@webhook:E2")
		for _, d := range ds {
			if d.State != store.DeliveryPending || d.Attempts != 0 || !d.NextAttemptAt.Equal(obT0) {
				t.Fatalf("new delivery %+v", d)
			}
		}
		if res := obFanOut(t, s, store.FanOut{Channels: channels, Webhooks: true}); res.Messages != 0 {
			t.Fatalf("fanned out twice: %+v", res)
		}
		st, err := s.OutboxStats(ctx, obT0)
		if err != nil || st.Unfanned != 0 || st.Pending != 7 || st.Due != 7 {
			t.Fatalf("stats %+v %v", st, err)
		}
		// Without webhooks, and with no channel taking a topic, a message is
		// still marked fanned out.
		obEnqueue(t, s, obMsg("aftersale.closed", "AS9", 1))
		if res := obFanOut(t, s, store.FanOut{}); res.Messages != 1 || res.Deliveries != 0 {
			t.Fatalf("fan-out to nobody %+v", res)
		}
	})
}

func TestOutboxClaimOrderBackoffAndLease(t *testing.T) {
	ctx := context.Background()
	obEngines(t, func(t *testing.T, s *store.Store) {
		obEnqueue(t, s, obMsg("a", "A", 1), obMsg("a", "A", 2), obMsg("a", "A", 3), obMsg("b", "B", 1))
		obFanOut(t, s, store.FanOut{Channels: obChannels("nats")})

		// One in flight per aggregate and destination, in sequence order.
		ds := obClaim(t, s, obT0, 10)
		obWant(t, obKeys(ds), "A/1@nats", "B/1@nats")
		for _, d := range ds {
			if d.Attempts != 1 || d.Message.ID != d.MessageID || d.Message.Topic == "" || len(d.Message.Payload) == 0 {
				t.Fatalf("claimed %+v", d)
			}
		}
		a1, b1 := ds[0], ds[1]
		if a1.AggregateID != "A" {
			a1, b1 = b1, a1
		}
		// Leased: not claimable again until the lease runs out.
		obWant(t, obKeys(obClaim(t, s, obT0.Add(59*time.Second), 10)))

		// A1 fails: due again after its back-off, and A2 still waits.
		if n := obRecord(t, s, a1, store.DeliveryPending, obT0.Add(time.Second)); n != 1 {
			t.Fatalf("recorded %d", n)
		}
		obWant(t, obKeys(obClaim(t, s, obT0.Add(999*time.Millisecond), 10)))
		ds = obClaim(t, s, obT0.Add(time.Second), 10)
		obWant(t, obKeys(ds), "A/1@nats")
		if ds[0].Attempts != 2 {
			t.Fatalf("attempts %d", ds[0].Attempts)
		}
		// An outcome for an older attempt is stale.
		if n := obRecord(t, s, a1, store.DeliveryDelivered, obT0.Add(time.Second)); n != 0 {
			t.Fatalf("stale outcome recorded")
		}
		if n := obRecord(t, s, ds[0], store.DeliveryDelivered, obT0.Add(time.Second)); n != 1 {
			t.Fatalf("recorded %d", n)
		}
		ds = obClaim(t, s, obT0.Add(time.Second), 10)
		obWant(t, obKeys(ds), "A/2@nats")

		// A dead A2 does not hold A3 back; replayed, A2 goes again and,
		// pending, holds back what follows it.
		obRecord(t, s, ds[0], store.DeliveryDead, obT0.Add(time.Second))
		ds = obClaim(t, s, obT0.Add(time.Hour), 10)
		obWant(t, obKeys(ds), "A/3@nats", "B/1@nats") // B1's lease ran out
		for _, d := range ds {
			if d.AggregateID == "A" {
				obRecord(t, s, d, store.DeliveryDelivered, obT0.Add(time.Hour))
			}
		}
		n, err := s.ReplayDeliveries(ctx, store.Replay{Channel: "nats", AggregateType: "aftersale", AggregateID: "A", FromSeq: 2, Now: obT0.Add(time.Hour)})
		if err != nil || n != 2 {
			t.Fatalf("replayed %d %v", n, err)
		}
		ds = obClaim(t, s, obT0.Add(time.Hour), 10)
		obWant(t, obKeys(ds), "A/2@nats")
		if ds[0].Attempts != 1 {
			t.Fatalf("replayed attempts %d", ds[0].Attempts)
		}
		obRecord(t, s, ds[0], store.DeliveryDelivered, obT0.Add(time.Hour))
		obWant(t, obKeys(obClaim(t, s, obT0.Add(time.Hour), 10)), "A/3@nats")
		_ = b1

		got, err := s.ListDeliveries(ctx, store.DeliveryFilter{AggregateID: "A", State: store.DeliveryDelivered})
		if err != nil || len(got) != 2 || got[0].DeliveredAt == nil || got[0].LastError != "boom" {
			t.Fatalf("delivered %+v %v", got, err)
		}
	})
}

func TestOutboxUnfannedPredecessorBlocks(t *testing.T) {
	obEngines(t, func(t *testing.T, s *store.Store) {
		// Seq 2 gets the smaller id, so it is fanned out first.
		obEnqueue(t, s, obMsg("c", "C", 2))
		obEnqueue(t, s, obMsg("c", "C", 1))
		obFanOut(t, s, store.FanOut{Channels: obChannels("nats"), Limit: 1})
		obWant(t, obKeys(obClaim(t, s, obT0, 10)))
		obFanOut(t, s, store.FanOut{Channels: obChannels("nats"), Limit: 1})
		obWant(t, obKeys(obClaim(t, s, obT0, 10)), "C/1@nats")
	})
}

func TestOutboxDestinationsProgressIndependently(t *testing.T) {
	ctx := context.Background()
	obEngines(t, func(t *testing.T, s *store.Store) {
		for _, id := range []string{"E1", "E2"} {
			if _, err := s.CreateWebhookEndpoint(ctx, store.WebhookEndpoint{ID: id, URL: "https://x.example/" + id, Enabled: true, CreatedAt: obT0}, nil); err != nil {
				t.Fatal(err)
			}
		}
		obEnqueue(t, s, obMsg("a", "A", 1), obMsg("a", "A", 2))
		obFanOut(t, s, store.FanOut{Channels: obChannels("nats"), Webhooks: true})
		ds := obClaim(t, s, obT0, 10)
		obWant(t, obKeys(ds), "A/1@nats", "A/1@webhook:E1", "A/1@webhook:E2")
		for _, d := range ds {
			switch {
			case d.EndpointID == "E1":
				if d.Endpoint == nil || d.Endpoint.URL != "https://x.example/E1" || d.Endpoint.Secret == "" {
					t.Fatalf("endpoint not loaded: %+v", d.Endpoint)
				}
				obRecord(t, s, d, store.DeliveryPending, obT0.Add(time.Hour)) // E1 is down
			default:
				obRecord(t, s, d, store.DeliveryDelivered, obT0)
			}
		}
		ds = obClaim(t, s, obT0, 10)
		obWant(t, obKeys(ds), "A/2@nats", "A/2@webhook:E2")
		for _, d := range ds {
			obRecord(t, s, d, store.DeliveryDelivered, obT0)
		}

		// A disabled endpoint's deliveries wait; enabled again, they resume.
		ep, _ := s.GetWebhookEndpoint(ctx, "E1")
		ep.Enabled, ep.UpdatedAt = false, obT0
		if err := s.UpdateWebhookEndpoint(ctx, ep); err != nil {
			t.Fatal(err)
		}
		obWant(t, obKeys(obClaim(t, s, obT0.Add(2*time.Hour), 10)))
		ep.Enabled = true
		if err := s.UpdateWebhookEndpoint(ctx, ep); err != nil {
			t.Fatal(err)
		}
		obWant(t, obKeys(obClaim(t, s, obT0.Add(2*time.Hour), 10)), "A/1@webhook:E1")
		// Claims can be restricted to channels.
		obEnqueue(t, s, obMsg("b", "B", 1))
		obFanOut(t, s, store.FanOut{Channels: obChannels("nats", "sms")})
		ds, err := s.ClaimDeliveries(ctx, store.Claim{Now: obT0.Add(2 * time.Hour), Limit: 10, Channels: []string{"sms"}})
		if err != nil {
			t.Fatal(err)
		}
		obWant(t, obKeys(ds), "B/1@sms")
	})
}

func TestOutboxConcurrentClaimsAreDisjoint(t *testing.T) {
	obEngines(t, func(t *testing.T, s *store.Store) {
		var msgs []store.OutboxMessage
		for i := range 40 {
			msgs = append(msgs, obMsg("a", fmt.Sprintf("AG%02d", i), 1))
		}
		obEnqueue(t, s, msgs...)
		obFanOut(t, s, store.FanOut{Channels: obChannels("nats"), Limit: 100})
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					ds, err := s.ClaimDeliveries(context.Background(), store.Claim{Now: obT0, Lease: time.Hour, Limit: 3})
					if err != nil {
						t.Error(err)
						return
					}
					if len(ds) == 0 {
						return
					}
					mu.Lock()
					for _, d := range ds {
						seen[d.AggregateID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 40 {
			t.Fatalf("claimed %d aggregates, want 40", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("%s claimed %d times", id, n)
			}
		}
	})
}

func TestOutboxReplayWebhookEndpoint(t *testing.T) {
	ctx := context.Background()
	obEngines(t, func(t *testing.T, s *store.Store) {
		early := obMsg("aftersale.requested", "A", 1)
		early.CreatedAt = obT0.Add(-time.Hour)
		ms := obEnqueue(t, s, early, obMsg("aftersale.agreed", "A", 2), obMsg("order.refunded", "T", 1))
		obFanOut(t, s, store.FanOut{Channels: obChannels("nats"), Webhooks: true})
		// An endpoint created afterwards gets the matching messages on replay.
		ep, err := s.CreateWebhookEndpoint(ctx, store.WebhookEndpoint{URL: "http://127.0.0.1:1/hook", EventTypes: []string{"aftersale.*"}, Enabled: true, CreatedAt: obT0}, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.ReplayDeliveries(ctx, store.Replay{Channel: store.ChannelWebhook, EndpointID: ep.ID, Since: obT0, Now: obT0})
		if err != nil || n != 1 {
			t.Fatalf("replay since: %d %v", n, err)
		}
		n, err = s.ReplayDeliveries(ctx, store.Replay{Channel: store.ChannelWebhook, EndpointID: ep.ID, Now: obT0})
		if err != nil || n != 2 {
			t.Fatalf("replay all: %d %v", n, err)
		}
		n, err = s.ReplayDeliveries(ctx, store.Replay{Channel: store.ChannelWebhook, EndpointID: ep.ID, AfterID: ms[0].ID, Now: obT0})
		if err != nil || n != 1 {
			t.Fatalf("replay after id: %d %v", n, err)
		}
		ds, err := s.ListDeliveries(ctx, store.DeliveryFilter{EndpointID: ep.ID})
		if err != nil {
			t.Fatal(err)
		}
		obWant(t, obKeys(ds), "A/1@webhook:"+ep.ID, "A/2@webhook:"+ep.ID)

		if _, err := s.ReplayDeliveries(ctx, store.Replay{Channel: store.ChannelWebhook, EndpointID: "nope", Now: obT0}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("unknown endpoint: %v", err)
		}
		if _, err := s.ReplayDeliveries(ctx, store.Replay{Now: obT0}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("no channel: %v", err)
		}
		if _, err := s.ReplayDeliveries(ctx, store.Replay{Channel: store.ChannelWebhook, Now: obT0}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("webhook without endpoint: %v", err)
		}

		// Deleting the endpoint deletes its deliveries.
		if err := s.DeleteWebhookEndpoint(ctx, ep.ID, nil); err != nil {
			t.Fatal(err)
		}
		if ds, _ := s.ListDeliveries(ctx, store.DeliveryFilter{EndpointID: ep.ID}); len(ds) != 0 {
			t.Fatalf("deliveries left: %v", obKeys(ds))
		}
		if err := s.DeleteWebhookEndpoint(ctx, ep.ID, nil); !fault.Is(err, fault.NotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

func TestWebhookEndpoints(t *testing.T) {
	ctx := context.Background()
	obEngines(t, func(t *testing.T, s *store.Store) {
		ep, err := s.CreateWebhookEndpoint(ctx, store.WebhookEndpoint{URL: "https://shop.example/hooks", EventTypes: []string{"aftersale.agreed"}, Description: "ERP", Enabled: true, CreatedAt: obT0}, nil)
		if err != nil {
			t.Fatal(err)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(ep.Secret, "whsec_"))
		if !strings.HasPrefix(ep.Secret, "whsec_") || err != nil || len(key) < 24 {
			t.Fatalf("secret %q: %d bytes, %v", ep.Secret, len(key), err)
		}
		got, err := s.GetWebhookEndpoint(ctx, ep.ID)
		if err != nil || !reflect.DeepEqual(got, ep) {
			t.Fatalf("got %+v, want %+v (%v)", got, ep, err)
		}
		got.URL, got.EventTypes, got.Secret, got.UpdatedAt = "https://shop.example/v2", nil, store.NewWebhookSecret(), obT0.Add(time.Hour)
		if err := s.UpdateWebhookEndpoint(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := s.GetWebhookEndpoint(ctx, ep.ID)
		if again.URL != got.URL || again.Secret != got.Secret || len(again.EventTypes) != 0 || !again.UpdatedAt.Equal(obT0.Add(time.Hour)) || !again.CreatedAt.Equal(obT0) {
			t.Fatalf("updated %+v", again)
		}
		list, err := s.ListWebhookEndpoints(ctx, "", 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("list %v %v", list, err)
		}
		for _, bad := range []store.WebhookEndpoint{
			{URL: "ftp://x/y", CreatedAt: obT0},
			{URL: "/relative", CreatedAt: obT0},
			{URL: "https://x.example/", Secret: "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 16)), CreatedAt: obT0},
			{URL: "https://x.example/", Secret: "nope", CreatedAt: obT0},
			{URL: "https://x.example/", EventTypes: []string{""}, CreatedAt: obT0},
		} {
			if _, err := s.CreateWebhookEndpoint(ctx, bad, nil); !fault.Is(err, fault.Invalid) {
				t.Errorf("%+v accepted: %v", bad, err)
			}
		}
		if _, err := s.CreateWebhookEndpoint(ctx, store.WebhookEndpoint{ID: ep.ID, URL: "https://x.example/", CreatedAt: obT0}, nil); !fault.Is(err, fault.Conflict) {
			t.Fatalf("duplicate id: %v", err)
		}
		if err := s.UpdateWebhookEndpoint(ctx, store.WebhookEndpoint{ID: "nope", URL: "https://x.example/", Secret: store.NewWebhookSecret()}); !fault.Is(err, fault.NotFound) {
			t.Fatalf("update missing: %v", err)
		}
		if _, err := s.GetWebhookEndpoint(ctx, "nope"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("get missing: %v", err)
		}
	})
}

func TestMatchTopic(t *testing.T) {
	for _, c := range []struct {
		filter []string
		topic  string
		want   bool
	}{
		{nil, "aftersale.agreed", true},
		{[]string{"*"}, "order.refunded", true},
		{[]string{"aftersale.agreed"}, "aftersale.agreed", true},
		{[]string{"aftersale.agreed"}, "aftersale.refused", false},
		{[]string{"aftersale.*"}, "aftersale.refused", true},
		{[]string{"aftersale.*"}, "aftersales.refused", false},
		{[]string{"aftersale*"}, "aftersale.refused", false},
		{[]string{"order.refunded", "aftersale.*"}, "order.refunded", true},
	} {
		if got := store.MatchTopic(c.filter, c.topic); got != c.want {
			t.Errorf("MatchTopic(%v, %q) = %v", c.filter, c.topic, got)
		}
	}
}

func TestSiteMessages(t *testing.T) {
	ctx := context.Background()
	obEngines(t, func(t *testing.T, s *store.Store) {
		var msgs []store.SiteMessage
		for i := range 3 {
			msgs = append(msgs, store.SiteMessage{ID: fmt.Sprintf("M%d.buyer", i), RecipientRole: "buyer", RecipientID: "B1", Title: "标题", Body: "正文", Ref: "aftersale/A", CreatedAt: obT0})
		}
		msgs = append(msgs, store.SiteMessage{ID: "M0.seller", RecipientRole: "seller", RecipientID: "S1", Title: "t", Body: "b", Ref: "aftersale/A", CreatedAt: obT0})
		if err := s.InsertSiteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
		// Redelivery writes nothing new.
		if err := s.InsertSiteMessages(ctx, msgs[0]); err != nil {
			t.Fatal(err)
		}
		page, err := s.ListSiteMessages(ctx, store.SiteMessageFilter{RecipientRole: "buyer", RecipientID: "B1", Limit: 2})
		if err != nil || len(page) != 2 || page[0].ID != "M0.buyer" || page[1].ID != "M1.buyer" || page[0].ReadAt != nil || page[0].Title != "标题" {
			t.Fatalf("page 1: %+v %v", page, err)
		}
		page, err = s.ListSiteMessages(ctx, store.SiteMessageFilter{RecipientRole: "buyer", RecipientID: "B1", After: page[1].ID, Limit: 2})
		if err != nil || len(page) != 1 || page[0].ID != "M2.buyer" {
			t.Fatalf("page 2: %+v %v", page, err)
		}
		if err := s.MarkSiteMessageRead(ctx, "buyer", "B1", "M1.buyer", obT0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		// Reading again keeps the first read time; another party cannot.
		if err := s.MarkSiteMessageRead(ctx, "buyer", "B1", "M1.buyer", obT0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkSiteMessageRead(ctx, "seller", "S1", "M1.buyer", obT0); !fault.Is(err, fault.NotFound) {
			t.Fatalf("read by another party: %v", err)
		}
		unread, err := s.ListSiteMessages(ctx, store.SiteMessageFilter{RecipientRole: "buyer", RecipientID: "B1", UnreadOnly: true})
		if err != nil || len(unread) != 2 {
			t.Fatalf("unread %+v %v", unread, err)
		}
		all, _ := s.ListSiteMessages(ctx, store.SiteMessageFilter{RecipientRole: "buyer", RecipientID: "B1"})
		if all[1].ReadAt == nil || !all[1].ReadAt.Equal(obT0.Add(time.Minute)) {
			t.Fatalf("read_at %v", all[1].ReadAt)
		}
		if n, err := s.CountUnreadSiteMessages(ctx, "buyer", "B1"); err != nil || n != 2 {
			t.Fatalf("unread count %d %v", n, err)
		}
		if n, err := s.MarkAllSiteMessagesRead(ctx, "buyer", "B1", obT0.Add(2*time.Hour)); err != nil || n != 2 {
			t.Fatalf("mark all %d %v", n, err)
		}
		if n, _ := s.CountUnreadSiteMessages(ctx, "seller", "S1"); n != 1 {
			t.Fatalf("seller unread %d", n)
		}
	})
}

func TestOutboxPurge(t *testing.T) {
	ctx := context.Background()
	obEngines(t, func(t *testing.T, s *store.Store) {
		obEnqueue(t, s, obMsg("a", "A", 1), obMsg("a", "B", 1), obMsg("a", "C", 1))
		obFanOut(t, s, store.FanOut{Channels: obChannels("nats")})
		for _, d := range obClaim(t, s, obT0, 10) {
			switch d.AggregateID {
			case "A":
				obRecord(t, s, d, store.DeliveryDelivered, obT0)
			case "B":
				obRecord(t, s, d, store.DeliveryDead, obT0)
			}
		}
		st, err := s.OutboxStats(ctx, obT0)
		if err != nil || st.Delivered != 1 || st.Dead != 1 || st.Pending != 1 || st.Due != 0 {
			t.Fatalf("stats %+v %v", st, err)
		}
		n, err := s.PurgeOutbox(ctx, obT0.Add(time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("purged %d %v", n, err)
		}
		left, _ := s.ListOutbox(ctx, "", "", "", 10)
		if len(left) != 2 {
			t.Fatalf("left %d messages", len(left))
		}
	})
}
