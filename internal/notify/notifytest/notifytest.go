// Package notifytest helps tests use the NATS server named by
// WEIQUAN_TEST_NATS_URL: a private stream per test, and a consumer that
// reads everything in it.
package notifytest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
)

// NATSEnv names the environment variable with the NATS URL.
const NATSEnv = "WEIQUAN_TEST_NATS_URL"

// RequireNATSEnv, when "1", turns a missing NATS into a failure instead of
// a skip.
const RequireNATSEnv = "WEIQUAN_REQUIRE_NATS"

// NATSConfig returns the configuration of a private stream on the test
// server (its own name and subject prefix, deleted with t), or skips t
// when no server is configured.
func NATSConfig(t testing.TB) notify.NATSConfig {
	t.Helper()
	url := apitest.ServerURL(t, "NATS", NATSEnv, RequireNATSEnv, "nats://127.0.0.1:4222")
	suffix := apitest.Unique()
	cfg := notify.NATSConfig{URL: url, Stream: "WQT_" + strings.ToUpper(suffix), SubjectPrefix: "wqt" + suffix + "."}
	t.Cleanup(func() {
		nc, err := nats.Connect(url)
		if err != nil {
			return
		}
		defer nc.Close()
		if js, err := jetstream.New(nc); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = js.DeleteStream(ctx, cfg.Stream)
		}
	})
	return cfg
}

// Received is one message read back from the stream.
type Received struct {
	Subject string
	MsgID   string // Nats-Msg-Id
	Seq     string // weiquan-seq
	Data    []byte
}

// ReadAll reads every message in the stream, in stream order.
func ReadAll(t testing.TB, cfg notify.NATSConfig) []Received {
	t.Helper()
	nc, err := nats.Connect(cfg.URL)
	if err != nil {
		t.Fatalf("nats: %v", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, cfg.Stream)
	if err != nil {
		t.Fatalf("stream %s: %v", cfg.Stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := int(info.State.Msgs)
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []Received
	for len(out) < total {
		batch, err := c.Fetch(total-len(out), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			out = append(out, Received{Subject: m.Subject(), MsgID: m.Headers().Get(jetstream.MsgIDHeader), Seq: m.Headers().Get(notify.HeaderSeq), Data: m.Data()})
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("stream %s: read %d of %d messages", cfg.Stream, len(out), total)
		}
	}
	return out
}
