package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/weiquan/weiquan/client"
)

// Client calls a running weiquan server's JSON API with one bearer key,
// through the Go client package (its Raw call: bodies as given, headers
// as asked, no decoding). The lifecycle phase drives the server with it,
// and so does the crash test of cmd/weiquan.
type Client struct {
	Base string       // the server's root URL, e.g. "http://127.0.0.1:8080"
	Key  string       // the bearer key sent with every call
	HTTP *http.Client // the connections to use

	once sync.Once
	c    *client.Client
}

// Response is a complete response to one call.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do performs one call. A body, when not empty, is sent as JSON; actAs and
// idemKey, when not empty, as the X-Act-As and Idempotency-Key headers. An
// error means no complete response arrived: the outcome is unknown.
func (c *Client) Do(ctx context.Context, method, path, actAs, idemKey, body string) (Response, error) {
	c.once.Do(func() {
		c.c = client.New(c.Base, c.Key)
		if c.HTTP != nil {
			c.c.WithHTTPClient(c.HTTP)
		}
		c.c.UserAgent = "weiquan-bench"
	})
	var opts []client.Option
	if actAs != "" {
		opts = append(opts, client.ActAs(actAs))
	}
	if idemKey != "" {
		opts = append(opts, client.IdempotencyKey(idemKey))
	}
	status, h, b, err := c.c.Raw(ctx, method, path, []byte(body), opts...)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: status, Header: h, Body: b}, nil
}

// scrapeMetrics reads the server's deadline gauges and transition counter.
func scrapeMetrics(ctx context.Context, c *Client) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.Base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return nil, errors.New(res.Status)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "weiquan_deadlines_") && !strings.HasPrefix(line, "weiquan_transitions_total") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		name := line[:i]
		if strings.HasPrefix(name, "weiquan_transitions_total") {
			out["weiquan_transitions_total"] += v
			continue
		}
		if strings.HasPrefix(name, "weiquan_deadlines_fired_total") {
			continue
		}
		out[name] = v
	}
	return out, sc.Err()
}
