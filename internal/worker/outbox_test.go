package worker_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/notify/notifytest"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/worker"
)

var relayT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// hookReceiver is a webhook receiver that verifies every request with the
// official Standard Webhooks library and fails the first failFirst ones.
type hookReceiver struct {
	srv       *httptest.Server
	wh        *standardwebhooks.Webhook
	mu        sync.Mutex
	failFirst int
	failAll   bool
	attempts  []hookAttempt
}

type hookAttempt struct {
	id    string
	agg   string
	seq   int64
	ok    bool  // answered 2xx
	verr  error // the official library's verdict
	topic string
}

func newHookReceiver(t *testing.T, secret string, failFirst int) *hookReceiver {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	h := &hookReceiver{wh: wh, failFirst: failFirst}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		verr := h.wh.Verify(body, r.Header)
		var env struct {
			Type string `json:"type"`
			Data struct {
				AggregateID string `json:"aggregate_id"`
				Seq         int64  `json:"seq"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &env)
		if hs, _ := strconv.ParseInt(r.Header.Get("weiquan-seq"), 10, 64); hs != env.Data.Seq {
			t.Errorf("weiquan-seq %d, body seq %d", hs, env.Data.Seq)
		}
		h.mu.Lock()
		ok := verr == nil && len(h.attempts) >= h.failFirst && !h.failAll
		h.attempts = append(h.attempts, hookAttempt{id: r.Header.Get("webhook-id"), agg: env.Data.AggregateID, seq: env.Data.Seq, ok: ok, verr: verr, topic: env.Type})
		h.mu.Unlock()
		switch {
		case verr != nil:
			http.Error(w, "bad signature", http.StatusUnauthorized)
		case !ok:
			http.Error(w, "try later", http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) log() []hookAttempt {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.attempts)
}

func (h *hookReceiver) setFailAll(v bool) { h.mu.Lock(); h.failAll = v; h.mu.Unlock() }

// accepted returns, per aggregate, the sequence numbers the receiver
// accepted, in arrival order.
func acceptedSeqs(log []hookAttempt) map[string][]int64 {
	out := map[string][]int64{}
	for _, a := range log {
		if a.ok {
			out[a.agg] = append(out[a.agg], a.seq)
		}
	}
	return out
}

// checkHeadOfLine fails if any attempt of seq n+1 came before seq n was accepted.
func checkHeadOfLine(t *testing.T, log []hookAttempt) {
	t.Helper()
	done := map[string]int64{} // highest accepted seq per aggregate
	for i, a := range log {
		if a.seq > done[a.agg]+1 {
			t.Fatalf("attempt %d: %s seq %d sent before seq %d was accepted", i, a.agg, a.seq, done[a.agg]+1)
		}
		if a.ok && a.seq == done[a.agg]+1 {
			done[a.agg] = a.seq
		}
	}
}

type relayBundle struct {
	url   string
	st    *store.Store
	clock *clock.Manual
	hook  *hookReceiver
	ep    store.WebhookEndpoint
}

func setupRelay(t *testing.T, eng apitest.Engine, failFirst int) *relayBundle {
	t.Helper()
	b := &relayBundle{url: eng.URL(t), clock: clock.NewManual(relayT0)}
	b.st = apitest.OpenStore(t, b.url)
	secret := store.NewWebhookSecret()
	b.hook = newHookReceiver(t, secret, failFirst)
	ep, err := b.st.CreateWebhookEndpoint(context.Background(), store.WebhookEndpoint{URL: b.hook.srv.URL, Secret: secret, Enabled: true, CreatedAt: relayT0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.ep = ep
	return b
}

func relayLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func (b *relayBundle) relay(static map[string]notify.Channel, cfg worker.OutboxConfig) *worker.Outbox {
	cfg.Clock = b.clock
	cfg.BaseBackoff = cmp.Or(cfg.BaseBackoff, time.Second)
	cfg.MaxBackoff = cmp.Or(cfg.MaxBackoff, 8*time.Second)
	if cfg.Jitter == nil { // exact delays: the bound itself
		cfg.Jitter = func(d time.Duration) time.Duration { return d }
	}
	return worker.NewOutbox(b.st, worker.OutboxChannels{Static: static, Webhooks: notify.NewWebhooksWith(loopbackAllowed)}, relayLog(), cfg)
}

// enqueue writes one message per command, as the service would.
func (b *relayBundle) enqueue(t *testing.T, agg string, seq int64) store.OutboxMessage {
	t.Helper()
	m := store.OutboxMessage{Topic: "aftersale.agreed", AggregateType: "aftersale", AggregateID: agg, AggregateSeq: seq, CreatedAt: b.clock.Now(),
		Payload: json.RawMessage(fmt.Sprintf(`{"aftersale_id":%q,"buyer_id":"B-%s","seller_id":"S1","status":"WAIT_BUYER_RETURN_GOODS"}`, agg, agg))}
	if err := b.st.InTx(context.Background(), func(tx *store.Tx) error {
		return tx.Apply(context.Background(), store.Commit{Outbox: []store.OutboxMessage{m}})
	}); err != nil {
		t.Fatal(err)
	}
	ms, err := b.st.ListOutbox(context.Background(), "aftersale", agg, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	return ms[len(ms)-1]
}

// settle runs rounds, moving the manual clock to the next due delivery when
// nothing is due, until no delivery can make progress.
func (b *relayBundle) settle(t *testing.T, w *worker.Outbox) (total worker.OutboxStats) {
	t.Helper()
	ctx := context.Background()
	for range 500 {
		st, err := w.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total.FannedOut += st.FannedOut
		total.Claimed += st.Claimed
		total.Delivered += st.Delivered
		total.Retried += st.Retried
		total.Dead += st.Dead
		if st.Claimed > 0 || st.FannedOut > 0 {
			continue
		}
		pending, err := b.st.ListDeliveries(ctx, store.DeliveryFilter{State: store.DeliveryPending, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		var next time.Time // the earliest back-off to run out
		for _, d := range pending {
			if d.NextAttemptAt.After(b.clock.Now()) && (next.IsZero() || d.NextAttemptAt.Before(next)) {
				next = d.NextAttemptAt
			}
		}
		if next.IsZero() {
			return total // nothing pending, or only deliveries held back
		}
		b.clock.Set(next)
	}
	t.Fatal("the relay did not settle")
	return total
}

func TestOutboxBackoff(t *testing.T) {
	var got []time.Duration
	for a := 1; a <= 6; a++ {
		got = append(got, worker.Backoff(a, time.Second, 8*time.Second))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if d := worker.Backoff(200, time.Second, time.Hour); d != time.Hour {
		t.Fatalf("no overflow: %v", d)
	}
}

// Full jitter: each retry delay lies in [0, min(base·2ⁿ⁻¹, max)], and the
// delays spread over that window (not all at its top or bottom).
func TestOutboxFullJitterBounds(t *testing.T) {
	base, ceiling := time.Second, 30*time.Second
	for attempt := 1; attempt <= 8; attempt++ {
		bound := worker.Backoff(attempt, base, ceiling)
		lo, hi := bound, time.Duration(0)
		for range 2000 {
			d := worker.RetryDelay(attempt, base, ceiling, worker.FullJitter)
			if d < 0 || d > bound {
				t.Fatalf("attempt %d: delay %v outside [0, %v]", attempt, d, bound)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo > bound/10 || hi < bound*9/10 {
			t.Fatalf("attempt %d: delays in [%v, %v] of [0, %v]: not spread", attempt, lo, hi, bound)
		}
	}
	// A jitter source that strays is held to the window.
	if d := worker.RetryDelay(3, base, ceiling, func(time.Duration) time.Duration { return time.Hour }); d != 4*time.Second {
		t.Fatalf("clamped high: %v", d)
	}
	if d := worker.RetryDelay(3, base, ceiling, func(time.Duration) time.Duration { return -time.Hour }); d != 0 {
		t.Fatalf("clamped low: %v", d)
	}
}

// The relay schedules retries with the default full jitter: on both
// engines each failed attempt's next attempt is within its window after
// the attempt, and the observer hears failing, then dead.
func TestOutboxRelayJitteredRetries(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		b := setupRelay(t, eng, 0)
		b.hook.setFailAll(true)
		m := b.enqueue(t, "J", 1)
		var mu sync.Mutex
		var heard []string
		w := worker.NewOutbox(b.st, worker.OutboxChannels{Webhooks: notify.NewWebhooksWith(loopbackAllowed)}, relayLog(), worker.OutboxConfig{
			Clock: b.clock, MaxAttempts: 6, BaseBackoff: time.Second, MaxBackoff: 10 * time.Second,
			Observe: func(ep, outcome string) {
				mu.Lock()
				heard = append(heard, ep+":"+outcome)
				mu.Unlock()
			}})
		for attempt := 1; attempt <= 6; attempt++ {
			at := b.clock.Now()
			if st, err := w.RunOnce(ctx); err != nil || st.Claimed != 1 {
				t.Fatalf("attempt %d: %+v %v", attempt, st, err)
			}
			ds, err := b.st.ListDeliveries(ctx, store.DeliveryFilter{MessageID: m.ID})
			if err != nil || len(ds) != 1 {
				t.Fatal(ds, err)
			}
			d := ds[0]
			if attempt == 6 {
				if d.State != store.DeliveryDead {
					t.Fatalf("after the last attempt: %+v", d)
				}
				break
			}
			bound := worker.Backoff(attempt, time.Second, 10*time.Second)
			if delay := d.NextAttemptAt.Sub(at); d.State != store.DeliveryPending || delay < 0 || delay > bound {
				t.Fatalf("attempt %d: next attempt %v after it, window [0, %v]", attempt, delay, bound)
			}
			b.clock.Set(d.NextAttemptAt)
		}
		want := []string{}
		for range 5 {
			want = append(want, b.ep.ID+":"+store.DeliveryFailing)
		}
		if want = append(want, b.ep.ID+":"+store.DeliveryDead); !slices.Equal(heard, want) {
			t.Fatalf("observed %v", heard)
		}
	})
}

// A receiver that fails the first 3 attempts still gets every event, each
// once, in sequence order per aggregate, each signature verified by the
// official library; the site channel progresses on its own.
func TestOutboxRelayDeliversEveryEventInOrder(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		b := setupRelay(t, eng, 3)
		var want []string
		for seq := int64(1); seq <= 4; seq++ {
			for _, agg := range []string{"A", "B", "C"} {
				want = append(want, b.enqueue(t, agg, seq).ID)
			}
		}
		w := b.relay(map[string]notify.Channel{notify.ChannelSite: &notify.SiteChannel{Store: b.st}}, worker.OutboxConfig{BatchSize: 5})
		st := b.settle(t, w)
		if st.FannedOut != 12 || st.Delivered != 24 || st.Dead != 0 || st.Retried < 3 {
			t.Fatalf("stats %+v", st)
		}
		log := b.hook.log()
		for i, a := range log {
			if a.verr != nil {
				t.Fatalf("attempt %d failed verification: %v", i, a.verr)
			}
		}
		if failed := len(log) - 12; failed != 3 {
			t.Fatalf("%d failed attempts, want 3", failed)
		}
		checkHeadOfLine(t, log)
		for agg, seqs := range acceptedSeqs(log) {
			if !slices.Equal(seqs, []int64{1, 2, 3, 4}) {
				t.Fatalf("%s accepted %v", agg, seqs)
			}
		}
		var ids []string
		for _, a := range log {
			if a.ok {
				ids = append(ids, a.id)
			}
		}
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("accepted ids %v, want %v", ids, want)
		}
		ds, err := b.st.ListDeliveries(context.Background(), store.DeliveryFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.State != store.DeliveryDelivered || d.DeliveredAt == nil {
				t.Fatalf("delivery %+v", d)
			}
		}
		msgs, _ := b.st.ListSiteMessages(context.Background(), store.SiteMessageFilter{RecipientRole: "buyer", RecipientID: "B-A"})
		if len(msgs) != 4 {
			t.Fatalf("site messages for B-A: %d", len(msgs))
		}
	})
}

// Back-off runs on the injected clock: 1s, 2s, 4s (no jitter here), then
// dead at MaxAttempts; a dead head does not hold its aggregate back, and
// an operator's retry delivers it late.
func TestOutboxBackoffAndDeadLetter(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		b := setupRelay(t, eng, 0)
		b.hook.setFailAll(true)
		m1 := b.enqueue(t, "A", 1)
		b.enqueue(t, "A", 2)
		w := b.relay(nil, worker.OutboxConfig{MaxAttempts: 4})
		run := func() worker.OutboxStats {
			t.Helper()
			st, err := w.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		head := func() store.Delivery {
			t.Helper()
			ds, err := b.st.ListDeliveries(ctx, store.DeliveryFilter{MessageID: m1.ID})
			if err != nil || len(ds) != 1 {
				t.Fatalf("%v %v", ds, err)
			}
			return ds[0]
		}
		if st := run(); st.Claimed != 1 || st.Retried != 1 {
			t.Fatalf("round 1: %+v", st)
		}
		start := relayT0
		for attempt, delay := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
			d := head()
			if d.Attempts != attempt+1 || !d.NextAttemptAt.Equal(b.clock.Now().Add(delay)) || d.LastStatus != http.StatusServiceUnavailable || d.LastError == "" {
				t.Fatalf("after attempt %d: %+v", attempt+1, d)
			}
			b.clock.Set(d.NextAttemptAt.Add(-time.Microsecond))
			if st := run(); st.Claimed != 0 {
				t.Fatalf("claimed before its back-off ran out: %+v", st)
			}
			b.clock.Set(d.NextAttemptAt)
			st := run()
			if st.Claimed != 1 {
				t.Fatalf("not claimed when due: %+v", st)
			}
			if attempt == 2 && st.Dead != 1 {
				t.Fatalf("attempt 4 of 4: %+v", st)
			}
		}
		if d := head(); d.State != store.DeliveryDead || d.Attempts != 4 || b.clock.Now().Sub(start) != 7*time.Second {
			t.Fatalf("dead letter %+v", d)
		}
		// A dead seq 1 does not hold seq 2 back: it is claimed at once.
		b.hook.setFailAll(false)
		if st := run(); st.Claimed != 1 || st.Delivered != 1 {
			t.Fatalf("seq 2 behind the dead seq 1: %+v", st)
		}
		// The operator redelivers the dead seq 1: it arrives, late, with its seq.
		if _, err := b.st.RetryDelivery(ctx, b.ep.ID, m1.ID, b.clock.Now(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := b.st.RetryDelivery(ctx, b.ep.ID, m1.ID, b.clock.Now(), nil); fault.CodeOf(err) != fault.Conflict {
			t.Fatalf("retrying a delivery that is pending again: %v", err)
		}
		b.settle(t, w)
		if got := acceptedSeqs(b.hook.log())["A"]; !slices.Equal(got, []int64{2, 1}) {
			t.Fatalf("accepted %v", got)
		}
		if d := head(); d.State != store.DeliveryDelivered || d.Attempts != 1 {
			t.Fatalf("redelivered %+v", d)
		}
	})
}

// A receiver checking with another secret refuses every delivery: it dies.
func TestOutboxWrongSecretNeverDelivers(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		b := setupRelay(t, eng, 0)
		ep := b.ep
		ep.Secret, ep.UpdatedAt = store.NewWebhookSecret(), relayT0 // rotated here, not at the receiver
		if err := b.st.UpdateWebhookEndpoint(context.Background(), ep); err != nil {
			t.Fatal(err)
		}
		b.enqueue(t, "A", 1)
		st := b.settle(t, b.relay(nil, worker.OutboxConfig{MaxAttempts: 3}))
		if st.Delivered != 0 || st.Dead != 1 {
			t.Fatalf("stats %+v", st)
		}
		log := b.hook.log()
		if len(log) != 3 {
			t.Fatalf("%d attempts", len(log))
		}
		for _, a := range log {
			if a.verr == nil || a.ok {
				t.Fatalf("attempt verified with the wrong secret: %+v", a)
			}
		}
		ds, _ := b.st.ListDeliveries(context.Background(), store.DeliveryFilter{})
		if len(ds) != 1 || ds[0].LastStatus != http.StatusUnauthorized {
			t.Fatalf("deliveries %+v", ds)
		}
	})
}

// Deliveries are rows: a relay that stops, or dies mid-flight, is followed
// by another (on a reopened store) that delivers everything, in order.
func TestOutboxRelaySurvivesRestart(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		b := setupRelay(t, eng, 0)
		b.hook.setFailAll(true)
		for seq := int64(1); seq <= 3; seq++ {
			b.enqueue(t, "A", seq)
			b.enqueue(t, "B", seq)
		}
		w1 := b.relay(nil, worker.OutboxConfig{Lease: time.Minute})
		if st, err := w1.RunOnce(ctx); err != nil || st.Retried != 2 {
			t.Fatalf("first relay: %+v %v", st, err)
		}
		// The next round claims A1 and B1 again and dies before
		// recording anything.
		b.clock.Advance(time.Second)
		claimed, err := b.st.ClaimDeliveries(ctx, store.Claim{Now: b.clock.Now(), Lease: time.Minute, Limit: 10, Channels: []string{store.ChannelWebhook}})
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %d %v", len(claimed), err)
		}
		b.st.Close()

		b.st = apitest.OpenStore(t, b.url)
		b.hook.setFailAll(false)
		w2 := b.relay(nil, worker.OutboxConfig{Lease: time.Minute})
		if st, err := w2.RunOnce(ctx); err != nil || st.Claimed != 0 {
			t.Fatalf("claimed inside the dead relay's lease: %+v %v", st, err)
		}
		b.clock.Advance(time.Minute)
		st := b.settle(t, w2)
		if st.Delivered != 6 {
			t.Fatalf("stats %+v", st)
		}
		log := b.hook.log()
		checkHeadOfLine(t, log)
		for _, agg := range []string{"A", "B"} {
			if got := acceptedSeqs(log)[agg]; !slices.Equal(got, []int64{1, 2, 3}) {
				t.Fatalf("%s accepted %v", agg, got)
			}
		}
		ds, _ := b.st.ListDeliveries(ctx, store.DeliveryFilter{AggregateID: "A", Limit: 10})
		if ds[0].Attempts != 3 {
			t.Fatalf("A1 attempts %d, want 3 (failed, died, delivered)", ds[0].Attempts)
		}
	})
}

// NATS gets every event exactly once (by Nats-Msg-Id), though a relay died
// after publishing and an operator replayed the channel.
func TestOutboxNATSExactlyOnce(t *testing.T) {
	cfg := notifytest.NATSConfig(t)
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		cfg := cfg
		if eng.Name != "sqlite" {
			cfg = notifytest.NATSConfig(t)
		}
		ctx := context.Background()
		b := setupRelay(t, eng, 3)
		pub, err := notify.NewNATS(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = pub.Close() })
		var ids []string
		for seq := int64(1); seq <= 3; seq++ {
			ids = append(ids, b.enqueue(t, "A", seq).ID, b.enqueue(t, "B", seq).ID)
		}
		static := map[string]notify.Channel{notify.ChannelNATS: pub}
		w := b.relay(static, worker.OutboxConfig{})
		if _, err := b.st.FanOutOutbox(ctx, store.FanOut{Now: b.clock.Now(), Channels: notify.Static(static), Webhooks: true}); err != nil {
			t.Fatal(err)
		}
		// A relay publishes A1 and B1 and dies before recording.
		claimed, err := b.st.ClaimDeliveries(ctx, store.Claim{Now: b.clock.Now(), Lease: time.Minute, Limit: 10, Channels: []string{notify.ChannelNATS}})
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %d %v", len(claimed), err)
		}
		for _, d := range claimed {
			if err := pub.Deliver(ctx, d.Message); err != nil {
				t.Fatal(err)
			}
		}
		b.clock.Advance(time.Minute)
		b.settle(t, w)
		// An operator replays the whole channel.
		if n, err := b.st.ReplayDeliveries(ctx, store.Replay{Channel: notify.ChannelNATS, Now: b.clock.Now()}); err != nil || n != 6 {
			t.Fatalf("replay %d %v", n, err)
		}
		b.settle(t, w)

		got := notifytest.ReadAll(t, cfg)
		count := map[string]int{}
		seqs := map[string][]string{}
		for _, r := range got {
			count[r.MsgID]++
			var env struct {
				Data struct {
					AggregateID string `json:"aggregate_id"`
				} `json:"data"`
			}
			_ = json.Unmarshal(r.Data, &env)
			seqs[env.Data.AggregateID] = append(seqs[env.Data.AggregateID], r.Seq)
			if r.Subject != cfg.SubjectPrefix+"aftersale.agreed" {
				t.Fatalf("subject %q", r.Subject)
			}
		}
		if len(got) != len(ids) {
			t.Fatalf("stream holds %d messages, want %d: %v", len(got), len(ids), count)
		}
		for _, id := range ids {
			if count[id] != 1 {
				t.Fatalf("message %s in the stream %d times", id, count[id])
			}
		}
		for agg, s := range seqs {
			if !slices.Equal(s, []string{"1", "2", "3"}) {
				t.Fatalf("%s published in order %v", agg, s)
			}
		}
		// The webhook endpoint, failing its first 3 attempts, got them all too.
		checkHeadOfLine(t, b.hook.log())
		if got := acceptedSeqs(b.hook.log()); !slices.Equal(got["A"], []int64{1, 2, 3}) || !slices.Equal(got["B"], []int64{1, 2, 3}) {
			t.Fatalf("webhook accepted %v", got)
		}
	})
}

// Start and Stop: the running relay delivers what commands enqueue.
func TestOutboxStartStop(t *testing.T) {
	b := setupRelay(t, apitest.Engine{Name: "sqlite", URL: apitest.SQLiteURL}, 0)
	w := b.relay(nil, worker.OutboxConfig{Interval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	defer w.Stop()
	for seq := int64(1); seq <= 3; seq++ {
		b.enqueue(t, "A", seq)
	}
	w.Kick()
	deadline := time.Now().Add(30 * time.Second)
	for len(acceptedSeqs(b.hook.log())["A"]) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("not delivered: %+v", b.hook.log())
		}
		time.Sleep(5 * time.Millisecond)
	}
	w.Stop()
	if got := acceptedSeqs(b.hook.log())["A"]; !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("accepted %v", got)
	}
}
