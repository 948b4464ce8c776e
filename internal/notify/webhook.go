package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/netguard"
	"github.com/weiquan/weiquan/internal/store"
)

// Standard Webhooks headers, and ours.
const (
	HeaderID        = "webhook-id"        // the outbox message id
	HeaderTimestamp = "webhook-timestamp" // unix seconds of this attempt
	HeaderSignature = "webhook-signature" // "v1," + base64(HMAC-SHA256), space-separated when two secrets sign
	HeaderSeq       = "weiquan-seq"       // the per-aggregate sequence number
	HeaderAggregate = "weiquan-aggregate" // "aftersale/AS1"
)

// Webhooks sends signed webhooks (https://www.standardwebhooks.com/): each
// request carries webhook-id, webhook-timestamp and webhook-signature, the
// signature being "v1," + base64(HMAC-SHA256(key, id + "." + timestamp +
// "." + body)) with the key the base64-decoded part of the secret after
// "whsec_". While a rotated-out secret's overlap lasts
// (store.WebhookEndpoint.SigningSecrets) the header carries two
// signatures, the new secret's first. A 2xx answer is delivered; anything else (redirects included),
// and no answer, is an error for the relay to retry.
type Webhooks struct {
	// Client sends the requests; the default times out after 10s and does
	// not follow redirects.
	Client *http.Client
	// Now gives the signature timestamp; default time.Now. Receivers
	// check it against their own clock, so it is the real time of the
	// attempt, not the relay's (possibly manual) scheduling clock.
	Now       func() time.Time
	UserAgent string // default "weiquan-webhooks/1"
}

// NewWebhooks returns a sender with the default client, which connects to
// public addresses only (netguard: no loopback, private, link-local …).
func NewWebhooks() *Webhooks { return NewWebhooksWith(netguard.Policy{}) }

// NewWebhooksWith returns a sender whose client connects to public
// addresses and to those the policy allow-lists; every connection's
// resolved address is checked when it is dialled (DNS rebinding), and no
// proxy is used (it would dial on our behalf unchecked).
func NewWebhooksWith(p netguard.Policy) *Webhooks {
	return &Webhooks{Client: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{DialContext: p.DialContext, ForceAttemptHTTP2: true, MaxIdleConns: 100, MaxIdleConnsPerHost: 8,
			IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second, ExpectContinueTimeout: time.Second},
	}}
}

// For returns the channel of one endpoint.
func (w *Webhooks) For(ep store.WebhookEndpoint) Channel { return endpointChannel{w, ep} }

type endpointChannel struct {
	w  *Webhooks
	ep store.WebhookEndpoint
}

func (c endpointChannel) Deliver(ctx context.Context, msg Message) error {
	return c.w.Send(ctx, c.ep, msg)
}

// Send posts msg to the endpoint. Errors: *StatusError for a non-2xx
// answer; Permanent for a secret that cannot be decoded.
func (w *Webhooks) Send(ctx context.Context, ep store.WebhookEndpoint, msg Message) error {
	body, err := Body(msg)
	if err != nil {
		return err
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := now()
	// During a secret rotation's overlap both secrets sign: Standard
	// Webhooks puts several signatures in the header, space-separated, and
	// a receiver accepts the message when one of them verifies.
	var sigs []string
	for _, secret := range ep.SigningSecrets(ts) {
		sig, err := Sign(secret, msg.ID, ts, body)
		if err != nil {
			return Permanent(fmt.Errorf("notify: endpoint %s: %w", ep.ID, err))
		}
		sigs = append(sigs, sig)
	}
	sig := strings.Join(sigs, " ")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("notify: endpoint %s: %w", ep.ID, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", cmp.Or(w.UserAgent, "weiquan-webhooks/1"))
	req.Header.Set(HeaderID, msg.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)
	req.Header.Set(HeaderSeq, strconv.FormatInt(msg.AggregateSeq, 10))
	req.Header.Set(HeaderAggregate, msg.AggregateType+"/"+msg.AggregateID)
	client := w.Client
	if client == nil {
		client = NewWebhooks().Client
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: webhook %s: %w", ep.ID, err)
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return &StatusError{Status: res.StatusCode, Body: strings.TrimSpace(string(snippet))}
	}
	return nil
}

// Sign returns the webhook-signature header value ("v1," + base64
// HMAC-SHA256) of a message id, timestamp and body under a "whsec_" secret.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	rest, ok := strings.CutPrefix(secret, store.WebhookSecretPrefix)
	if !ok {
		return "", errors.New("webhook secret lacks the whsec_ prefix")
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}
