package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/server"
)

// syncBuffer is a log sink two goroutines may write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServer(t *testing.T, cfg config.Config, log *slog.Logger) *server.Server {
	t.Helper()
	s, err := server.Start(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func call(t *testing.T, method, url, key string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestReplicasFollowTheRuleBook: two servers on one database (a SQLite
// file, a PostgreSQL schema); a rule book set through PUT /v1/policy on A
// is in force on B within seconds, B logs it, and B's next change is
// decided against the version A set.
func TestReplicasFollowTheRuleBook(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		cfg := config.Default()
		cfg.DB, cfg.Addr, cfg.PolicyPoll = eng.URL(t), "127.0.0.1:0", 200*time.Millisecond
		cfg.EvidenceDir = t.TempDir()
		logA, logB := &syncBuffer{}, &syncBuffer{}
		a := startServer(t, cfg, slog.New(slog.NewJSONHandler(logA, nil)))
		b := startServer(t, cfg, slog.New(slog.NewJSONHandler(logB, nil)))
		admin, _, err := a.Svc.NewAPIKey(context.Background(), actor.Admin, "", "replica test")
		if err != nil {
			t.Fatal(err)
		}

		var doc map[string]any
		if err := json.Unmarshal(policy.DefaultJSON(), &doc); err != nil {
			t.Fatal(err)
		}
		doc["version"] = "2099.7.1"
		raw, _ := json.Marshal(doc)
		resp, body := call(t, "PUT", "http://"+a.Addr+"/v1/policy", admin, raw)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT /v1/policy on A: %d %s", resp.StatusCode, body)
		}
		set := time.Now()
		version := func(s *server.Server) string {
			resp, body := call(t, "GET", "http://"+s.Addr+"/v1/policy", admin, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /v1/policy: %d %s", resp.StatusCode, body)
			}
			var p struct {
				Version string `json:"version"`
			}
			_ = json.Unmarshal(body, &p)
			return p.Version
		}
		if v := version(a); v != "2099.7.1" {
			t.Fatalf("A: version %s after its own PUT", v)
		}
		for version(b) != "2099.7.1" {
			if time.Since(set) > 10*time.Second {
				t.Fatalf("B still has version %s 10 s after the PUT on A (log: %s)", version(b), logB.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("B applied A's rule book after %v", time.Since(set).Round(time.Millisecond))
		waitLog := func(l *syncBuffer, want string) {
			for !strings.Contains(l.String(), want) {
				if time.Since(set) > 10*time.Second {
					t.Fatalf("log lacks %q: %s", want, l.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		waitLog(logB, `"msg":"rule book changed on another replica: now in force","policy_version":"2099.7.1"`)

		// B changes it again: the diff is against A's version, and A follows.
		doc["version"] = "2099.7.2"
		raw, _ = json.Marshal(doc)
		resp, body = call(t, "PUT", "http://"+b.Addr+"/v1/policy", admin, raw)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"prev_version":"2099.7.1"`) {
			t.Fatalf("PUT /v1/policy on B: %d %s: want prev_version 2099.7.1", resp.StatusCode, body)
		}
		set = time.Now()
		for version(a) != "2099.7.2" {
			if time.Since(set) > 10*time.Second {
				t.Fatalf("A still has version %s 10 s after the PUT on B", version(a))
			}
			time.Sleep(50 * time.Millisecond)
		}
		waitLog(logA, `"policy_version":"2099.7.2"`)
		// A replica does not log its own change as another's.
		if strings.Contains(logA.String(), `"msg":"rule book changed on another replica: now in force","policy_version":"2099.7.1"`) {
			t.Errorf("A logged its own change as another replica's: %s", logA.String())
		}
	})
}

// TestStartPolicyFileStaysUntilANewerChange: a replica started with
// --policy keeps its file's book although the database holds an older
// admin change, and follows a change made after it started.
func TestStartPolicyFileStaysUntilANewerChange(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.Addr, cfg.PolicyPoll, cfg.EvidenceDir = "sqlite:"+dir+"/w.db", "127.0.0.1:0", 100*time.Millisecond, dir+"/ev"
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := startServer(t, cfg, log)
	admin, _, _ := a.Svc.NewAPIKey(context.Background(), actor.Admin, "", "t")
	var doc map[string]any
	_ = json.Unmarshal(policy.DefaultJSON(), &doc)
	doc["version"] = "2099.8.1"
	raw, _ := json.Marshal(doc)
	if resp, body := call(t, "PUT", "http://"+a.Addr+"/v1/policy", admin, raw); resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	file := dir + "/policy.json"
	if err := writeFile(file, policy.DefaultJSON()); err != nil {
		t.Fatal(err)
	}
	fcfg := cfg
	fcfg.PolicyFile = file
	b := startServer(t, fcfg, log)
	time.Sleep(500 * time.Millisecond) // several polls
	if v := b.Svc.Policy().Version; v != policy.Default().Version {
		t.Fatalf("B (--policy file) has %s after polls: want its file's %s until a newer change", v, policy.Default().Version)
	}
	doc["version"] = "2099.8.2"
	raw, _ = json.Marshal(doc)
	if resp, body := call(t, "PUT", "http://"+a.Addr+"/v1/policy", admin, raw); resp.StatusCode != 200 {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for b.Svc.Policy().Version != "2099.8.2" {
		if time.Now().After(deadline) {
			t.Fatalf("B has %s: want the newer 2099.8.2", b.Svc.Policy().Version)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRateLimitsAndBodyLimits: per key and per address, 429 with
// Retry-After and a problem document; the probes are not limited; a body
// over the server's cap is refused before it is read, on API and page
// routes alike.
func TestRateLimitsAndBodyLimits(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	base := config.Default()
	base.DB, base.Addr, base.EvidenceDir = "sqlite:"+dir+"/w.db", "127.0.0.1:0", dir+"/ev"

	t.Run("per key", func(t *testing.T) {
		cfg := base
		cfg.RateKey, cfg.RateKeyBurst = 0.5, 3 // 3 at once, then one every 2 s
		s := startServer(t, cfg, log)
		k1, _, _ := s.Svc.NewAPIKey(context.Background(), actor.Integration, "", "k1")
		k2, _, _ := s.Svc.NewAPIKey(context.Background(), actor.Integration, "", "k2")
		for i := range 3 {
			if resp, body := call(t, "GET", "http://"+s.Addr+"/v1/policy", k1, nil); resp.StatusCode != 200 {
				t.Fatalf("request %d within the burst: %d %s", i+1, resp.StatusCode, body)
			}
		}
		resp, body := call(t, "GET", "http://"+s.Addr+"/v1/orders", k1, nil)
		checkTooMany(t, resp, body, "per API key")
		// Another key is not affected, nor are the probes.
		if resp, body := call(t, "GET", "http://"+s.Addr+"/v1/policy", k2, nil); resp.StatusCode != 200 {
			t.Errorf("another key: %d %s", resp.StatusCode, body)
		}
		for range 5 {
			if resp, _ := call(t, "GET", "http://"+s.Addr+"/healthz", "", nil); resp.StatusCode != 200 {
				t.Errorf("/healthz: %d", resp.StatusCode)
			}
		}
	})

	t.Run("per address", func(t *testing.T) {
		cfg := base
		cfg.RateAddr, cfg.RateAddrBurst = 0.5, 4
		s := startServer(t, cfg, log)
		for i := range 4 {
			if resp, _ := call(t, "GET", "http://"+s.Addr+"/v1/policy", "wq_nokey", nil); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("request %d within the burst: %d, want 401 (no key)", i+1, resp.StatusCode)
			}
		}
		// Across keys and pages: the address is what counts.
		resp, body := call(t, "GET", "http://"+s.Addr+"/login", "", nil)
		checkTooMany(t, resp, body, "per address")
		if resp, _ := call(t, "GET", "http://"+s.Addr+"/readyz", "", nil); resp.StatusCode != 200 {
			t.Errorf("/readyz limited: %d", resp.StatusCode)
		}
	})

	t.Run("default limits do not throttle", func(t *testing.T) {
		s := startServer(t, base, log)
		k, _, _ := s.Svc.NewAPIKey(context.Background(), actor.Integration, "", "k")
		for i := range 300 {
			if resp, body := call(t, "GET", "http://"+s.Addr+"/v1/policy", k, nil); resp.StatusCode != 200 {
				t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
			}
		}
	})

	t.Run("body limits", func(t *testing.T) {
		s := startServer(t, base, log)
		k, _, _ := s.Svc.NewAPIKey(context.Background(), actor.Integration, "", "k")
		// A JSON route: 1 MiB.
		big := append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 2<<20)...)
		big = append(big, `"}`...)
		resp, body := call(t, "PUT", "http://"+s.Addr+"/v1/orders/O1", k, big)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), `"code":"payload_too_big"`) {
			t.Errorf("2 MiB JSON: %d %s", resp.StatusCode, body)
		}
		// Every route, pages included: a declared length over the cap is
		// refused before a byte of the body is read.
		for _, path := range []string{"/v1/evidence", "/login", "/v1/orders/O1/events", "/no/such/page"} {
			c, err := net.Dial("tcp", s.Addr)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+k+"\r\nContent-Type: application/json\r\nContent-Length: 200000000\r\n\r\n{")
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufioReader(c), nil)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			b, _ := io.ReadAll(resp.Body)
			c.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("POST %s with 200 MB declared: %d %s %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
			}
		}
	})
}

func checkTooMany(t *testing.T, resp *http.Response, body []byte, what string) {
	t.Helper()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the limit: %d %s, want 429", resp.StatusCode, body)
	}
	if ra := resp.Header.Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After %q, want 2 (one token every 2 s)", ra)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil || p["code"] != "too_many_requests" || p["status"] != float64(429) || !strings.Contains(p["detail"].(string), what) {
		t.Errorf("problem %s (%v): want code too_many_requests, status 429, detail naming %q", body, err, what)
	}
}

func bufioReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }
