package httpapi_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/httpapi"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
)

// openSandboxEnv serves the sandbox's API (service.Options.Sandbox) on a
// fresh database of e's engine, on a manual clock.
func openSandboxEnv(t *testing.T, url string) *apitest.Env {
	t.Helper()
	st := apitest.OpenStore(t, url)
	clk := clock.NewManual(apitest.Start)
	log := discardLog()
	svc := service.New(st, policy.Default(), service.Options{Clock: clk, Logger: log, Sandbox: true})
	api := httpapi.New(svc, log, nil, "test", nil)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	e := &apitest.Env{T: t, URL: url, Svc: svc, Store: st, Clock: clk, Server: srv, API: api}
	k, _, err := svc.NewAPIKey(context.Background(), actor.Integration, "", "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	e.Integration = k
	return e
}

// runTestClockConformance exercises the test-clock operations: in
// production (404), then in a sandbox API on a database of its own.
func runTestClockConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/test-clocks", Key: e.Integration, Body: map[string]any{"name": "p", "frozen_time": "2026-03-02T09:00:00Z"}})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/test-clocks/none/advance", Key: e.Integration, Body: map[string]any{"frozen_time": "2026-03-02T09:00:00Z"}})
	url := apitest.SQLiteURL(t)
	if e.Store.Dialect() != "sqlite" {
		url = apitest.PostgresURL(t)
	}
	sb := openSandboxEnv(t, url)
	prev := o.e
	o.e = sb
	defer func() { o.e = prev }()
	integ := sb.Integration
	tc := o.must(201, apitest.Req{Method: "POST", Path: "/v1/test-clocks", Key: integ, Header: map[string]string{"Idempotency-Key": "c1"},
		Body: map[string]any{"name": "一致性 / conformance", "frozen_time": "2026-03-02T09:00:00Z"}}).Str("id")
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/test-clocks", Key: integ, Header: map[string]string{"Idempotency-Key": "c1"},
		Body: map[string]any{"name": "另一个 / another", "frozen_time": "2026-03-02T09:00:00Z"}})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/test-clocks/" + tc, Key: integ})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/test-clocks/none", Key: integ})
	o.must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/TC1", Key: integ, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1", "amount": 1000, "test_clock": tc}})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/orders/TC1/events", Key: integ, Body: map[string]any{"type": "paid", "at": "2026-03-02T08:00:00Z"}})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/orders/TC1/events", Key: integ, Body: map[string]any{"type": "shipped", "at": "2026-03-02T09:00:00Z", "carrier": "SF", "tracking_no": "SFTC1"}})
	adv := o.must(200, apitest.Req{Method: "POST", Path: "/v1/test-clocks/" + tc + "/advance", Key: integ, Header: map[string]string{"Idempotency-Key": "a1"},
		Body: map[string]any{"frozen_time": "2026-03-13T09:00:00Z"}}).JSON()
	if f := adv["fired"].([]any); len(f) != 1 || f[0].(map[string]any)["kind"] != "auto_confirm_receipt" {
		t.Errorf("advance fired %v", adv["fired"])
	}
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/test-clocks/" + tc + "/advance", Key: integ, Header: map[string]string{"Idempotency-Key": "a1"},
		Body: map[string]any{"frozen_time": "2026-03-14T09:00:00Z"}})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/test-clocks/none/advance", Key: integ, Body: map[string]any{"frozen_time": "2026-03-14T09:00:00Z"}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/test-clocks/" + tc + "/advance", Key: integ, Body: map[string]any{"frozen_time": "2026-03-03T09:00:00Z"}})
	if v := o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/TC1", Key: integ}).JSON(); v["status"] != "TRADE_FINISHED" {
		t.Errorf("order on the clock after its receipt deadline: %v", v["status"])
	}
}
