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
)

// Client calls a running weiquan server's JSON API with one bearer key. The
// lifecycle phase drives the server with it, and so does the crash test of
// cmd/weiquan.
type Client struct {
	Base string       // the server's root URL, e.g. "http://127.0.0.1:8080"
	Key  string       // the bearer key sent with every call
	HTTP *http.Client // the connections to use
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
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if actAs != "" {
		req.Header.Set("X-Act-As", actAs)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}, nil
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
