package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SMS is one text message: the gateway renders Template with Params.
type SMS struct {
	To       string            `json:"to"`
	Template string            `json:"template"`
	Params   map[string]string `json:"params"`
}

// SMSSender sends text messages. key identifies the message for the
// gateway to de-duplicate a repeated send (the outbox message id and the
// recipient's role).
type SMSSender interface {
	SendSMS(ctx context.Context, key string, m SMS) error
}

// HTTPSMS sends through a generic HTTP gateway: POST URL with the JSON body
// {to, template, params}, "Authorization: Bearer Token" and
// "Idempotency-Key: key". A 2xx answer is sent; anything else an error
// (*StatusError).
type HTTPSMS struct {
	URL    string
	Token  string
	Client *http.Client // default: 10s timeout
}

// SendSMS posts one message.
func (g *HTTPSMS) SendSMS(ctx context.Context, key string, m SMS) error {
	body, err := json.Marshal(m)
	if err != nil {
		return Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("notify: SMS gateway: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	client := g.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: SMS gateway: %w", err)
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return &StatusError{Status: res.StatusCode, Body: strings.TrimSpace(string(snippet))}
	}
	return nil
}

// FileSMS appends each message as one JSON line {key, at, to, template,
// params} to a file: the embedded default, where no gateway is configured.
type FileSMS struct {
	Path string
	Now  func() time.Time // default time.Now
	mu   sync.Mutex
}

// SendSMS appends one line.
func (f *FileSMS) SendSMS(_ context.Context, key string, m SMS) error {
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	line, err := json.Marshal(struct {
		Key string    `json:"key"`
		At  time.Time `json:"at"`
		SMS
	}{key, now().UTC(), m})
	if err != nil {
		return Permanent(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.OpenFile(f.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("notify: SMS file: %w", err)
	}
	_, err = file.Write(append(line, '\n'))
	return errors.Join(err, file.Close())
}

// SMSRoute says which template a topic uses and whom it texts.
type SMSRoute struct {
	Template string   // the gateway's template id
	To       []string // roles: "buyer", "seller"
}

// SMSChannel texts the parties of a message through a sender: only topics
// with a route (it is a TopicFilter), and only to the roles the route names
// that the payload identifies (Parties).
type SMSChannel struct {
	Sender SMSSender
	Routes map[string]SMSRoute // by topic
	// Address turns a party into the sender's "to"; the default is
	// role + ":" + id, leaving the phone number to the gateway.
	Address func(ctx context.Context, role, id string) (string, error)
}

// Accepts reports whether the topic has a route.
func (c *SMSChannel) Accepts(topic string) bool { _, ok := c.Routes[topic]; return ok }

// Deliver sends one text per addressed party. Params are the payload's
// top-level scalar fields as strings, with "topic", "aggregate_id" and
// "seq". A partly sent message is sent again whole on retry: the key lets
// the gateway drop the repeats.
func (c *SMSChannel) Deliver(ctx context.Context, msg Message) error {
	route, ok := c.Routes[msg.Topic]
	if !ok {
		return nil
	}
	params := scalarParams(msg.Payload)
	params["topic"], params["aggregate_id"], params["seq"] = msg.Topic, msg.AggregateID, strconv.FormatInt(msg.AggregateSeq, 10)
	parties := Parties(msg)
	var errs []error
	for _, role := range route.To {
		id, ok := parties[role]
		if !ok {
			continue
		}
		to := role + ":" + id
		if c.Address != nil {
			var err error
			if to, err = c.Address(ctx, role, id); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if err := c.Sender.SendSMS(ctx, msg.ID+"."+role, SMS{To: to, Template: route.Template, Params: params}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func scalarParams(payload json.RawMessage) map[string]string {
	out := map[string]string{}
	var fields map[string]any
	if json.Unmarshal(payload, &fields) != nil {
		return out
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		switch v := fields[k].(type) {
		case string:
			out[k] = v
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			out[k] = strconv.FormatBool(v)
		}
	}
	return out
}

// DefaultSMSRoutes texts the party who must act next, or who gets money
// back: template ids are "WQ_" + the topic in capitals with "." → "_" (e.g.
// WQ_AFTERSALE_AGREED), to be registered with the gateway.
func DefaultSMSRoutes() map[string]SMSRoute {
	to := map[string][]string{
		"aftersale.requested":        {"seller"},
		"aftersale.agreed":           {"buyer"},
		"aftersale.auto_agreed":      {"buyer", "seller"},
		"aftersale.refused":          {"buyer"},
		"aftersale.counter_offered":  {"buyer"},
		"aftersale.escalated":        {"seller"},
		"aftersale.return_shipped":   {"seller"},
		"aftersale.return_confirmed": {"buyer"},
		"aftersale.auto_refunded":    {"buyer", "seller"},
		"order.refunded":             {"buyer"},
		"dispute.opened":             {"buyer", "seller"},
		"dispute.judged":             {"buyer", "seller"},
		"dispute.appeal_decided":     {"buyer", "seller"},
		"dispute.advanced":           {"buyer", "seller"},
		"dispute.advance_resolved":   {"buyer", "seller"},
		"dispute.suspended":          {"buyer", "seller"},
		"dispute.resumed":            {"buyer", "seller"},
	}
	out := make(map[string]SMSRoute, len(to))
	for topic, roles := range to {
		out[topic] = SMSRoute{Template: "WQ_" + strings.ToUpper(strings.ReplaceAll(topic, ".", "_")), To: roles}
	}
	return out
}
