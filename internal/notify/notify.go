// Package notify delivers outbox messages to the outside world: signed
// webhooks (Standard Webhooks), a NATS JetStream publisher, SMS (an HTTP
// gateway, or a JSON-lines file for the embedded default) and in-site
// messages (站内信). Each destination is a Channel; the relay
// (worker.Outbox) decides when to call it, retries failures with back-off
// and keeps the order of each aggregate's messages.
//
// A delivery may be repeated (the relay delivers at least once): every
// channel carries the outbox message id for receivers to de-duplicate by
// (webhook-id, Nats-Msg-Id, the SMS idempotency key, the site message id),
// and the per-aggregate sequence number (weiquan-seq) for them to order by.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/weiquan/weiquan/internal/store"
)

// Message is an outbox message.
type Message = store.OutboxMessage

// Channel delivers messages to one destination. Deliver returns nil once the
// destination has the message; any error is retried later, unless it is
// Permanent.
type Channel interface {
	Deliver(ctx context.Context, msg Message) error
}

// TopicFilter is implemented by channels that take only some topics: the
// relay creates deliveries only for topics a channel accepts.
type TopicFilter interface {
	Accepts(topic string) bool
}

// Channel names (the deliveries table's channel column).
const (
	ChannelWebhook = store.ChannelWebhook // one delivery per webhook endpoint
	ChannelNATS    = "nats"
	ChannelSMS     = "sms"
	ChannelSite    = "site"
)

// StatusError is a receiver's answer other than 2xx.
type StatusError struct {
	Status int
	Body   string // the start of the response body
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("notify: receiver answered %d", e.Status)
	}
	return fmt.Sprintf("notify: receiver answered %d: %s", e.Status, e.Body)
}

// StatusOf returns the receiver status carried by err, or 0.
func StatusOf(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks an error that retrying cannot cure (a malformed message, a
// misconfigured channel): the relay marks the delivery dead at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Envelope is the JSON body of a webhook (Standard Webhooks' recommended
// shape) and of a NATS message.
type Envelope struct {
	Type      string          `json:"type"`      // the topic, e.g. "aftersale.agreed"
	Timestamp time.Time       `json:"timestamp"` // when the event happened
	Data      json.RawMessage `json:"data"`
}

// Body returns the message's envelope as JSON. data holds the payload's
// fields with, always, "aggregate_type", "aggregate_id" and "seq" (which win
// over payload fields of the same name); a payload that is not an object is
// kept under "payload".
func Body(msg Message) ([]byte, error) {
	fields := map[string]json.RawMessage{}
	if len(msg.Payload) > 0 && json.Unmarshal(msg.Payload, &fields) != nil {
		fields = map[string]json.RawMessage{"payload": msg.Payload}
	}
	if fields == nil { // payload "null"
		fields = map[string]json.RawMessage{}
	}
	at, _ := json.Marshal(msg.AggregateType)
	id, _ := json.Marshal(msg.AggregateID)
	fields["aggregate_type"], fields["aggregate_id"] = at, id
	fields["seq"] = json.RawMessage(strconv.FormatInt(msg.AggregateSeq, 10))
	data, err := json.Marshal(fields)
	if err != nil {
		return nil, Permanent(fmt.Errorf("notify: message %s: %w", msg.ID, err))
	}
	return json.Marshal(Envelope{Type: msg.Topic, Timestamp: msg.CreatedAt.UTC(), Data: data})
}

// Parties returns the parties a message is about, by role, from the
// payload's "buyer_id" and "seller_id" fields (the payload convention of the
// after-sales messages).
func Parties(msg Message) map[string]string {
	var p struct {
		BuyerID  string `json:"buyer_id"`
		SellerID string `json:"seller_id"`
	}
	_ = json.Unmarshal(msg.Payload, &p)
	out := map[string]string{}
	if p.BuyerID != "" {
		out["buyer"] = p.BuyerID
	}
	if p.SellerID != "" {
		out["seller"] = p.SellerID
	}
	return out
}

// Static reports the channels among chans that take topic, for
// store.FanOut.Channels: every channel, except TopicFilters that refuse it.
func Static(chans map[string]Channel) func(topic string) []string {
	return func(topic string) []string {
		var out []string
		for name, c := range chans {
			if f, ok := c.(TopicFilter); ok && !f.Accepts(topic) {
				continue
			}
			out = append(out, name)
		}
		slices.Sort(out)
		return out
	}
}

// BatchChannel is a Channel that can deliver many messages at once (all or
// none); the relay uses it to save a write per message.
type BatchChannel interface {
	Channel
	DeliverBatch(ctx context.Context, msgs []Message) error
}
