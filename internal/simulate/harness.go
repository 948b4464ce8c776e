package simulate

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/weiquan/weiquan/client"
	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/httpapi"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/textengine"
)

// harness is the marketplace the actors talk to: the real HTTP API on a
// fresh SQLite database, its service on a Manual clock, and API keys for
// the integration, the agents and the senior tier. Only setting it up
// (keys, the clock) and the final ledger check reach past the API.
type harness struct {
	dir      string
	tmp      bool // dir is ours to remove
	st       *store.Store
	svc      *service.Service
	clk      *clock.Manual
	srv      *httptest.Server
	time     Time
	api      *client.Client // the integration key (acts for parties with X-Act-As)
	agent    *client.Client
	senior   *client.Client
	requests atomic.Int64 // HTTP requests sent
}

// countingTransport counts the requests that go through it.
type countingTransport struct {
	n    *atomic.Int64
	next http.RoundTripper
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.next.RoundTrip(r)
}

// openHarness opens the database (dbPath, or a temporary file) and serves
// the API over it.
func openHarness(ctx context.Context, dbPath string, book *policy.Book, start time.Time) (*harness, error) {
	h := &harness{}
	dir, err := os.MkdirTemp("", "weiquan-simulate-")
	if err != nil {
		return nil, err
	}
	h.dir, h.tmp = dir, true
	if dbPath == "" {
		dbPath = filepath.Join(dir, "simulate.db")
	} else if _, err := os.Stat(dbPath); err == nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("simulate: %s exists: give a new file for --db", dbPath)
	}
	st, err := store.OpenWith(ctx, "sqlite:"+dbPath, store.Options{SQLiteSynchronous: "NORMAL"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	h.st = st
	if _, err := st.Migrate(ctx); err != nil {
		h.Close()
		return nil, err
	}
	h.clk = clock.NewManual(start)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h.svc = service.New(st, book, service.Options{Clock: h.clk, Logger: log})
	if err := h.svc.RecordPolicy(ctx); err != nil {
		h.Close()
		return nil, err
	}
	blobs, err := evidence.Open(filepath.Join(dir, "evidence"), evidence.Limits{})
	if err != nil {
		h.Close()
		return nil, err
	}
	h.svc.SetBlobs(blobs)
	api := httpapi.New(h.svc, log, nil, "simulate", textengine.New(nil))
	h.srv = httptest.NewServer(api.Handler())
	h.time = newManualTime(h.svc, h.clk)
	hc := &http.Client{Timeout: time.Minute, Transport: countingTransport{n: &h.requests, next: h.srv.Client().Transport}}
	key := func(role actor.Role) (*client.Client, error) {
		k, _, err := h.svc.NewAPIKey(ctx, role, "", "simulate")
		if err != nil {
			return nil, err
		}
		c := client.New(h.srv.URL, k).WithHTTPClient(hc)
		c.UserAgent = "weiquan-simulate/1"
		return c, nil
	}
	for _, k := range []struct {
		role actor.Role
		into **client.Client
	}{{actor.Integration, &h.api}, {actor.Agent, &h.agent}, {actor.Senior, &h.senior}} {
		if *k.into, err = key(k.role); err != nil {
			h.Close()
			return nil, err
		}
	}
	return h, nil
}

// ledgerCheck runs `weiquan ledger check` on the database.
func (h *harness) ledgerCheck(ctx context.Context) (ledgercheck.Report, error) {
	return ledgercheck.Check(ctx, h.st)
}

// Close stops the server and closes the database (the file stays when it
// was given).
func (h *harness) Close() error {
	if h.srv != nil {
		h.srv.Close()
	}
	var err error
	if h.st != nil {
		err = h.st.Close()
	}
	if h.tmp {
		os.RemoveAll(h.dir)
	}
	return err
}
