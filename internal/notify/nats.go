package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATSConfig configures the JetStream publisher.
type NATSConfig struct {
	URL           string        // e.g. nats://127.0.0.1:4222
	Stream        string        // default "WEIQUAN"
	SubjectPrefix string        // default "weiquan.": subject = prefix + topic; the stream takes prefix + ">"
	Duplicates    time.Duration // the stream's de-duplication window when created (default 10m)
	Name          string        // connection name (default "weiquan")
}

// NATS publishes messages to a JetStream stream, subject prefix + topic,
// with Nats-Msg-Id = the outbox message id so that the broker drops a
// repeated publish within its duplicates window. It creates the stream if
// it is missing (and leaves an existing one's configuration alone).
type NATS struct {
	cfg   NATSConfig
	nc    *nats.Conn
	js    jetstream.JetStream
	mu    sync.Mutex
	ready bool
}

// NewNATS connects. The connection retries in the background, so a broker
// that is down at start makes deliveries fail (and be retried) rather than
// the server refuse to start.
func NewNATS(ctx context.Context, cfg NATSConfig) (*NATS, error) {
	cfg.Stream = cmp.Or(cfg.Stream, "WEIQUAN")
	cfg.SubjectPrefix = cmp.Or(cfg.SubjectPrefix, "weiquan.")
	cfg.Duplicates = cmp.Or(cfg.Duplicates, 10*time.Minute)
	cfg.Name = cmp.Or(cfg.Name, "weiquan")
	if cfg.URL == "" {
		return nil, errors.New("notify: NATS URL is empty")
	}
	nc, err := nats.Connect(cfg.URL, nats.Name(cfg.Name), nats.RetryOnFailedConnect(true), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("notify: connect NATS %s: %w", cfg.URL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("notify: JetStream: %w", err)
	}
	n := &NATS{cfg: cfg, nc: nc, js: js}
	if err := n.ensureStream(ctx); err != nil && nc.IsConnected() {
		// Connected but refused (e.g. subjects overlapping another stream):
		// a configuration error worth failing on.
		nc.Close()
		return nil, err
	}
	return n, nil
}

// Subject returns the subject of a topic.
func (n *NATS) Subject(topic string) string { return n.cfg.SubjectPrefix + topic }

// Stream returns the stream name.
func (n *NATS) Stream() string { return n.cfg.Stream }

func (n *NATS) ensureStream(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ready {
		return nil
	}
	_, err := n.js.Stream(ctx, n.cfg.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = n.js.CreateStream(ctx, jetstream.StreamConfig{
			Name:       n.cfg.Stream,
			Subjects:   []string{n.cfg.SubjectPrefix + ">"},
			Storage:    jetstream.FileStorage,
			Duplicates: n.cfg.Duplicates,
		})
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			err = nil // created concurrently
		}
	}
	if err != nil {
		return fmt.Errorf("notify: NATS stream %s: %w", n.cfg.Stream, err)
	}
	n.ready = true
	return nil
}

// Deliver publishes msg and waits for the stream's acknowledgement; a
// publish the broker reports as a duplicate counts as delivered.
func (n *NATS) Deliver(ctx context.Context, msg Message) error {
	if err := n.ensureStream(ctx); err != nil {
		return err
	}
	body, err := Body(msg)
	if err != nil {
		return err
	}
	m := nats.NewMsg(n.Subject(msg.Topic))
	m.Data = body
	m.Header.Set(HeaderSeq, strconv.FormatInt(msg.AggregateSeq, 10))
	m.Header.Set(HeaderAggregate, msg.AggregateType+"/"+msg.AggregateID)
	_, err = n.js.PublishMsg(ctx, m, jetstream.WithMsgID(msg.ID), jetstream.WithExpectStream(n.cfg.Stream))
	if err != nil {
		if errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, jetstream.ErrStreamNotFound) {
			n.mu.Lock()
			n.ready = false // deleted behind our back: create it again next time
			n.mu.Unlock()
		}
		return fmt.Errorf("notify: publish %s: %w", msg.ID, err)
	}
	return nil
}

// Close drains and closes the connection.
func (n *NATS) Close() error { return n.nc.Drain() }
