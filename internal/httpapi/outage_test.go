package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
)

// cutDatabase creates a database of its own on the test server (so that
// terminating its connections touches no other test) and returns its URL
// and a connection to the server's maintenance database to cut it with.
func cutDatabase(t *testing.T) (dbURL, name string, admin *sql.DB) {
	t.Helper()
	base := apitest.ServerURL(t, "PostgreSQL", apitest.PostgresEnv, apitest.RequirePostgresEnv, "postgres://postgres@127.0.0.1:5432/test")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	name = "wqcut_" + apitest.Unique()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true")
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String(), name, admin
}

type cutResult struct {
	status     int
	retryAfter string
	body       string
}

func cutCall(c *http.Client, method, u, key, idem string, body any) (cutResult, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, u, bytes.NewReader(b))
	if err != nil {
		return cutResult{}, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	res, err := c.Do(req)
	if err != nil {
		return cutResult{}, err
	}
	defer res.Body.Close()
	rb, _ := io.ReadAll(res.Body)
	return cutResult{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), body: string(rb)}, nil
}

// TestPostgresCut runs writes against a server on a database of its own,
// takes the database away mid-load (no new connections, every existing one
// terminated with pg_terminate_backend), brings it back, and checks what
// clients were told and what is stored: failures are 503 with Retry-After
// (never 500), /readyz is false while the database is away, every
// acknowledged write is there afterwards, retries with the same
// Idempotency-Key execute once, and the ledger checks clean.
func TestPostgresCut(t *testing.T) {
	dbURL, name, admin := cutDatabase(t)
	e := apitest.Open(t, dbURL)
	c := e.Server.Client()
	start := e.Clock.Now()

	type item struct {
		id          string
		orderOK     bool // PUT acknowledged (200)
		paidOK      bool // the paid event acknowledged (200)
		sawFailures int
	}
	var (
		mu        sync.Mutex
		items     []*item
		n503      atomic.Int64
		bad       []string // answers other than 200 or 503 with Retry-After
		stop      atomic.Bool
		wg        sync.WaitGroup
		orderBody = func(id string) map[string]any {
			return map[string]any{"buyer_id": "B1", "seller_id": "S1", "category": "女装", "amount": 1000, "postage": 0,
				"items": []map[string]any{{"title": "测试商品 " + id, "quantity": 1, "price": 1000}}}
		}
		paidBody = map[string]any{"type": "paid", "at": start.Add(-time.Hour)}
	)
	note := func(it *item, r cutResult, err error) bool {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			bad = append(bad, fmt.Sprintf("%s: transport: %v", it.id, err))
		case r.status == http.StatusOK:
			return true
		case r.status == http.StatusServiceUnavailable && r.retryAfter != "":
			n503.Add(1)
			it.sawFailures++
		default:
			bad = append(bad, fmt.Sprintf("%s: %d (Retry-After %q): %s", it.id, r.status, r.retryAfter, r.body))
		}
		return false
	}
	for w := range 6 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				it := &item{id: fmt.Sprintf("CUT%d-%d", w, i)}
				mu.Lock()
				items = append(items, it)
				mu.Unlock()
				r, err := cutCall(c, "PUT", e.Server.URL+"/v1/orders/"+it.id, e.Integration, "", orderBody(it.id))
				if !note(it, r, err) {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				it.orderOK = true
				r, err = cutCall(c, "POST", e.Server.URL+"/v1/orders/"+it.id+"/events", e.Integration, it.id+"-paid", paidBody)
				it.paidOK = note(it, r, err)
				if !it.paidOK {
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	ready := func() int {
		res, err := c.Get(e.Server.URL + "/readyz")
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	time.Sleep(700 * time.Millisecond)
	if _, err := admin.Exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
		t.Fatal(err)
	}
	away := time.Now()
	notReady := false
	for time.Since(away) < 5*time.Second && !notReady {
		notReady = ready() == http.StatusServiceUnavailable
		time.Sleep(50 * time.Millisecond)
	}
	if !notReady {
		t.Error("/readyz stayed ready while the database was away")
	}
	time.Sleep(time.Until(away.Add(1500 * time.Millisecond)))
	if _, err := admin.Exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true"); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	for ready() != http.StatusOK {
		if time.Since(back) > 10*time.Second {
			t.Fatal("/readyz not ready 10 s after the database came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	stop.Store(true)
	wg.Wait()

	if len(bad) > 0 {
		t.Errorf("%d answers were neither 200 nor 503 with Retry-After, e.g. %s", len(bad), bad[0])
	}
	if n503.Load() == 0 {
		t.Fatal("no request failed while the database was away: the cut did not happen under load")
	}
	// Clients retry what failed, with the same Idempotency-Key.
	for _, it := range items {
		for !it.orderOK || !it.paidOK {
			var r cutResult
			var err error
			if !it.orderOK {
				r, err = cutCall(c, "PUT", e.Server.URL+"/v1/orders/"+it.id, e.Integration, "", orderBody(it.id))
				it.orderOK = err == nil && r.status == http.StatusOK
			} else {
				r, err = cutCall(c, "POST", e.Server.URL+"/v1/orders/"+it.id+"/events", e.Integration, it.id+"-paid", paidBody)
				it.paidOK = err == nil && r.status == http.StatusOK
			}
			if err != nil || r.status != http.StatusOK {
				t.Fatalf("%s: retry after the outage: %v %d %s", it.id, err, r.status, r.body)
			}
		}
	}
	ctx := context.Background()
	failed, paid := 0, 0
	for _, it := range items {
		o, err := e.Store.GetOrder(ctx, it.id)
		if err != nil {
			t.Fatalf("acknowledged order %s missing: %v", it.id, err)
		}
		if o.Status != order.WaitSellerSendGoods {
			t.Errorf("order %s: status %s, want %s", it.id, o.Status, order.WaitSellerSendGoods)
		}
		evs, err := e.Store.Events(ctx, service.AggOrder, it.id, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Type == order.FactPaid {
				paid++
			}
		}
		if it.sawFailures > 0 {
			failed++
		}
	}
	if paid != len(items) {
		t.Errorf("%d paid events for %d orders: a retry executed twice or a write is missing", paid, len(items))
	}
	rep, err := ledgercheck.Check(ctx, e.Store)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("ledger check after the outage: %d violations, first %+v", rep.ViolationCount, rep.First())
	}
	t.Logf("%d orders, %d of them retried after a 503; %d answers 503 with Retry-After", len(items), failed, n503.Load())
}
