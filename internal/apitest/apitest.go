// Package apitest is the test harness shared by the store, service and API
// suites: it opens a fresh database on SQLite (a temporary file) or on
// PostgreSQL (a fresh schema on the server named by
// WEIQUAN_TEST_POSTGRES_URL), serves the real API with a manual clock, and
// gives typed helpers to call it.
package apitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // pgx driver for schema setup

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/httpapi"
	"github.com/weiquan/weiquan/internal/metrics"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/textengine"
)

// PostgresEnv names the environment variable with the PostgreSQL URL.
const PostgresEnv = "WEIQUAN_TEST_POSTGRES_URL"

// RequirePostgresEnv, when "1", turns a missing PostgreSQL into a failure
// instead of a skip (CI sets it).
const RequirePostgresEnv = "WEIQUAN_REQUIRE_POSTGRES"

// Engine is a database engine to run a suite on.
type Engine struct {
	Name string
	// URL returns the URL of a fresh, empty database (cleaned up with t).
	URL func(t testing.TB) string
}

// Engines returns SQLite and, when configured, PostgreSQL. Without
// PostgreSQL the PostgreSQL engine skips its subtests with a message (or
// fails them when WEIQUAN_REQUIRE_POSTGRES=1).
func Engines() []Engine {
	return []Engine{{Name: "sqlite", URL: SQLiteURL}, {Name: "postgres", URL: PostgresURL}}
}

// EachEngine runs f as a subtest, named after the engine, on each engine of
// Engines in turn.
func EachEngine(t *testing.T, f func(t *testing.T, eng Engine)) {
	t.Helper()
	for _, eng := range Engines() {
		t.Run(eng.Name, func(t *testing.T) { f(t, eng) })
	}
}

// SQLiteURL returns a fresh SQLite database file URL.
func SQLiteURL(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "weiquan.db")
}

// ServerURL returns the URL of the test server of a kind (what) named by the
// environment variable env. Without it t is skipped, with a hint naming env
// and an example URL, or fails when the variable require is "1" (CI).
func ServerURL(t testing.TB, what, env, require, example string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		if os.Getenv(require) == "1" {
			t.Fatalf("%s=1 but %s is empty", require, env)
		}
		t.Skipf("%s tests skipped: set %s (e.g. %s)", what, env, example)
	}
	return u
}

// Unique returns 12 random hex digits, to name a test's private schema,
// stream or subject.
func Unique() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// PostgresURL returns the URL of a fresh schema on the test server.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := ServerURL(t, "PostgreSQL", PostgresEnv, RequirePostgresEnv, "postgres://postgres@127.0.0.1:5432/test")
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer db.Close()
	schema := "wqt_" + Unique()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("postgres at %s: create schema: %v", base, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Env is a running API on a fresh database.
type Env struct {
	T           testing.TB
	URL         string
	Svc         *service.Service
	Store       *store.Store
	Clock       *clock.Manual
	Server      *httptest.Server
	API         *httpapi.API
	Text        *textengine.Engines // the text engines the API uses (hand them to web.Options.Text)
	Metrics     *metrics.Metrics    // the API's metrics (hand WebhookAttempt to a relay's OutboxConfig.Observe)
	Integration string              // an integration key
	Admin       string              // an admin key
	Agent       string              // an agent key
	keysMu      sync.Mutex
	keys        map[string]string
}

// Start is the start time of every Env's clock.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Open starts the API on dbURL with the default rule book.
func Open(t testing.TB, dbURL string) *Env { return OpenWith(t, dbURL, policy.Default()) }

// OpenStore opens the store at dbURL and migrates it to the latest
// version; the store is closed when the test ends.
func OpenStore(t testing.TB, dbURL string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// RawDB opens a second, unmanaged connection to the database at dbURL (a
// store URL), for tests that go around the store: tampering with rows,
// checking what the database itself refuses. It is closed with t.
func RawDB(t testing.TB, dbURL string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	} else {
		db, err = sql.Open("pgx", dbURL)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// OpenWith starts the API on dbURL with a rule book.
func OpenWith(t testing.TB, dbURL string, book *policy.Book) *Env {
	t.Helper()
	st := OpenStore(t, dbURL)
	clk := clock.NewManual(Start)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m := metrics.New(st, clk.Now)
	svc := service.New(st, book, service.Options{Clock: clk, Logger: log, Observer: m})
	m.ObserveCalendar(func() int { return svc.CalendarStatus().DaysCovered }, service.CalendarWarnDays)
	blobs, err := evidence.Open(t.TempDir(), evidence.Limits{MaxFileBytes: 256 << 10, MaxCaseBytes: 1 << 20})
	if err != nil {
		t.Fatalf("evidence: %v", err)
	}
	svc.SetBlobs(blobs)
	text := textengine.New(nil)
	api := httpapi.New(svc, log, m, "test", text)
	srv := httptest.NewServer(api.Handler())
	e := &Env{T: t, URL: dbURL, Svc: svc, Store: st, Clock: clk, Server: srv, API: api, Text: text, Metrics: m, keys: map[string]string{}}
	t.Cleanup(func() {
		srv.Close() // the store closes after: OpenStore's clean-up was registered first
		// A route said to store its Idempotency-Key response in a service
		// transaction that did not would lose exactly-once under races.
		if n := api.UntransactedIdem(); n > 0 {
			t.Errorf("%d idempotent requests on routes registered with httpapi idemInTx ran outside a service transaction (see the error log): drop idemInTx from the route", n)
		}
	})
	e.Integration = e.Key(actor.Integration, "")
	e.Admin = e.Key(actor.Admin, "")
	e.Agent = e.Key(actor.Agent, "")
	return e
}

// Key returns an API key for a role (and party), creating it once.
func (e *Env) Key(role actor.Role, party string) string {
	e.T.Helper()
	e.keysMu.Lock()
	defer e.keysMu.Unlock()
	if k, ok := e.keys[string(role)+"/"+party]; ok {
		return k
	}
	k, _, err := e.Svc.NewAPIKey(context.Background(), role, party, "test")
	if err != nil {
		e.T.Fatalf("api key %s/%s: %v", role, party, err)
	}
	e.keys[string(role)+"/"+party] = k
	return k
}

// Resp is an HTTP response.
type Resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r Resp) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Str returns a top-level string field of the body.
func (r Resp) Str(field string) string {
	s, _ := r.JSON()[field].(string)
	return s
}

// Req is one call.
type Req struct {
	Method string
	Path   string
	Key    string            // bearer key; "" sends no Authorization
	ActAs  string            // X-Act-As
	Body   any               // encoded as JSON unless []byte or string
	Header map[string]string // extra headers
}

// Do performs a call.
func (e *Env) Do(r Req) Resp {
	e.T.Helper()
	return send(e.T, e.Server.Client(), e.Server.URL, r)
}

// Send performs a call on the server at base (a running weiquan, not an
// Env's).
func Send(t testing.TB, base string, r Req) Resp {
	t.Helper()
	return send(t, http.DefaultClient, base, r)
}

func send(t testing.TB, client *http.Client, base string, r Req) Resp {
	t.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		body = bytes.NewReader(j)
	}
	req, err := http.NewRequest(r.Method, base+r.Path, body)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if r.Key != "" {
		req.Header.Set("Authorization", "Bearer "+r.Key)
	}
	if r.ActAs != "" {
		req.Header.Set("X-Act-As", r.ActAs)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Escalate has the seller refuse the after-sales request (refusal is the
// body of the refuse action) and the buyer escalate it to the platform, and
// returns the id of the intervention case it opened, as the buyer's case
// list shows it.
func (e *Env) Escalate(requestID, buyerKey, sellerKey string, refusal map[string]any) string {
	e.T.Helper()
	if _, ok := refusal["reason_code"]; !ok && refusal != nil {
		// A refusal names a rule-book reason code (ours-refuse-reason-codes).
		refusal["reason_code"] = "other"
	}
	e.Must(200, Req{Method: "POST", Path: "/v1/aftersales/" + requestID + "/refuse", Key: sellerKey, Body: refusal})
	e.Must(200, Req{Method: "POST", Path: "/v1/aftersales/" + requestID + "/escalate", Key: buyerKey})
	for _, it := range e.Must(200, Req{Method: "GET", Path: "/v1/disputes", Key: buyerKey}).JSON()["items"].([]any) {
		if c := it.(map[string]any); c["aftersale_id"] == requestID {
			return c["id"].(string)
		}
	}
	e.T.Fatalf("escalating %s opened no case the buyer sees", requestID)
	return ""
}

// Must performs a call and fails the test unless the status matches.
func (e *Env) Must(status int, r Req) Resp {
	e.T.Helper()
	res := e.Do(r)
	if res.Status != status {
		e.T.Fatalf("%s %s: status %d, want %d: %s", r.Method, r.Path, res.Status, status, res.Body)
	}
	return res
}

// OrderState is how far NewOrder takes an order.
type OrderState int

// Order states for NewOrder.
const (
	Unpaid OrderState = iota
	Paid
	Shipped
	Delivered
	Completed
)

// NewOrder creates order id for buyer and seller with amount fen and takes
// it to state through the API.
func (e *Env) NewOrder(id, buyer, seller string, amount int64, st OrderState) {
	e.T.Helper()
	e.Must(200, Req{Method: "PUT", Path: "/v1/orders/" + id, Key: e.Integration, Body: map[string]any{
		"buyer_id": buyer, "seller_id": seller, "category": "女装", "amount": amount, "postage": 0,
		"items": []map[string]any{{"title": "测试商品 " + id, "quantity": 1, "price": amount}}}})
	now := e.Clock.Now()
	steps := []map[string]any{
		{"type": "paid", "at": now.Add(-4 * time.Hour)},
		{"type": "shipped", "at": now.Add(-3 * time.Hour), "carrier": "SF", "tracking_no": "SF" + id},
		{"type": "delivered", "at": now.Add(-2 * time.Hour), "signed_by": "本人"},
		{"type": "completed", "at": now.Add(-1 * time.Hour)},
	}
	for i := 0; i < int(st); i++ {
		e.Must(200, Req{Method: "POST", Path: "/v1/orders/" + id + "/events", Key: e.Integration, Body: steps[i]})
	}
}

// Aftersale opens a request as the buyer and returns its id.
func (e *Env) Aftersale(orderID, buyer string, body map[string]any) string {
	e.T.Helper()
	body["order_id"] = orderID
	res := e.Must(201, Req{Method: "POST", Path: "/v1/aftersales", Key: e.Key(actor.Buyer, buyer), Body: body})
	return res.Str("id")
}

// Act posts an action and returns the response.
func (e *Env) Act(id, action, key string, body any) Resp {
	e.T.Helper()
	return e.Do(Req{Method: "POST", Path: fmt.Sprintf("/v1/aftersales/%s/%s", id, action), Key: key, Body: body})
}
