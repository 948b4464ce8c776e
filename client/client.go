// Package client is a small typed Go client for the weiquan API: the
// marketplace's integration key (acting for a party with X-Act-As) or a
// party's own key, idempotency keys on every POST, If-Match on request
// actions, cursor iteration over lists, RFC 9457 problems as Go errors,
// and verification of the webhooks weiquan sends.
//
//	c := client.New("http://127.0.0.1:8080", key)
//	o, err := c.PutOrder(ctx, "T1001", client.OrderInput{...})
//	a, err := c.CreateAftersale(ctx, client.CreateAftersale{...}, client.ActAs("buyer:B1"), client.IdempotencyKey("req-1"))
//	a, err = c.Act(ctx, a.ID, "agree", nil, client.ActAs("seller:S1"), client.IfMatch(a.Version))
//	var p *client.Problem
//	if errors.As(err, &p) && p.Status == 409 { … p.CurrentStatus, p.AllowedActions … }
//
// The typed methods cover the after-sales walkthrough; every other route
// is reachable through Do with the types of your choice (the OpenAPI
// document at /v1/openapi.json describes them; oapi-codegen and ogen
// generate full clients from it).
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls one weiquan server with one API key.
type Client struct {
	base string
	key  string
	http *http.Client
	// UserAgent is sent with every request.
	UserAgent string
}

// New returns a client for the server at baseURL (e.g.
// "http://127.0.0.1:8080") using the API key.
func New(baseURL, key string) *Client {
	return &Client{base: strings.TrimRight(baseURL, "/"), key: key, http: &http.Client{Timeout: 30 * time.Second}, UserAgent: "weiquan-go-client/1"}
}

// WithHTTPClient replaces the HTTP client (timeouts, transport).
func (c *Client) WithHTTPClient(h *http.Client) *Client { c.http = h; return c }

// An Option sets a header of one call.
type Option func(h http.Header)

// ActAs makes an integration key act for a party ("buyer:B1",
// "seller:S1").
func ActAs(party string) Option { return func(h http.Header) { h.Set("X-Act-As", party) } }

// IdempotencyKey sets the Idempotency-Key of a POST: a retry with the same
// key and body answers the first answer again and does nothing twice.
// Without this option every POST gets a fresh random key, so a retry the
// caller makes through Do with the same option is safe.
func IdempotencyKey(k string) Option { return func(h http.Header) { h.Set("Idempotency-Key", k) } }

// IfMatch makes a request action apply only to the version seen (a stale
// version answers 412 Precondition Failed).
func IfMatch(version int64) Option {
	return func(h http.Header) { h.Set("If-Match", `"`+strconv.FormatInt(version, 10)+`"`) }
}

// Header sets any other header.
func Header(k, v string) Option { return func(h http.Header) { h.Set(k, v) } }

// call performs a request and decodes its answer into a new T.
func call[T any](ctx context.Context, c *Client, method, path string, body any, opts []Option) (*T, error) {
	var v T
	_, err := c.Do(ctx, method, path, body, &v, opts...)
	return &v, err
}

// act performs an action on a resource of a kind ("aftersales",
// "complaints", "disputes"): POST /v1/{kind}/{id}/{action} with body (nil:
// an empty object), answered with the resource.
func act[T any](ctx context.Context, c *Client, kind, id, action string, body any, opts []Option) (*T, error) {
	if body == nil {
		body = struct{}{}
	}
	return call[T](ctx, c, http.MethodPost, "/v1/"+kind+"/"+url.PathEscape(id)+"/"+url.PathEscape(action), body, opts)
}

// Do sends one request: body (nil for none) is encoded as JSON, a 2xx
// answer is decoded into out (nil to discard it), anything else is
// returned as a *Problem. A POST without the IdempotencyKey option gets a
// fresh random key. It returns the response headers.
func (c *Client) Do(ctx context.Context, method, path string, body, out any, opts ...Option) (http.Header, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("weiquan client: encode %s %s: %w", method, path, err)
		}
	}
	if method == http.MethodPost {
		opts = append([]Option{IdempotencyKey(randomKey())}, opts...)
	}
	status, h, data, err := c.Raw(ctx, method, path, raw, opts...)
	if err != nil {
		return h, err
	}
	if status < 200 || status > 299 {
		return h, problemFrom(status, h, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return h, fmt.Errorf("weiquan client: decode %s %s: %w", method, path, err)
		}
	}
	return h, nil
}

// Raw sends one request with the JSON body as given (none when empty) and
// the options' headers only — no automatic idempotency key — and returns
// whatever complete answer came: status, headers and body. The load
// harness drives the server with it. An error means no complete answer
// arrived: the outcome is unknown.
func (c *Client) Raw(ctx context.Context, method, path string, body []byte, opts ...Option) (int, http.Header, []byte, error) {
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req.Header)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return res.StatusCode, res.Header, nil, err
	}
	return res.StatusCode, res.Header, data, nil
}

func randomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "go-" + hex.EncodeToString(b[:])
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// List iterates over every item of a list route (path with its query, e.g.
// "/v1/aftersales?status=SUCCESS"), following next_cursor page by page; it
// stops at the first error, which it yields.
func List[T any](ctx context.Context, c *Client, path string, opts ...Option) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cursor := ""
		for {
			p := path
			if cursor != "" {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				p += sep + "cursor=" + url.QueryEscape(cursor)
			}
			var pg Page[T]
			if _, err := c.Do(ctx, http.MethodGet, p, nil, &pg, opts...); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range pg.Items {
				if !yield(it, nil) {
					return
				}
			}
			if pg.NextCursor == "" || len(pg.Items) == 0 {
				return
			}
			cursor = pg.NextCursor
		}
	}
}
