package httpapi_test

import (
	"io"
	"log/slog"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/netguard"
)

// loopbackAllowed is the operator allow-list the tests that deliver to
// httptest servers (on 127.0.0.1) need: loopback is refused by default.
var loopbackAllowed = netguard.MustParse("127.0.0.0/8")

// loopbackHook allow-lists loopback (a test's receiver is on 127.0.0.1)
// and has the admin register url as an endpoint for the request events
// (aftersale.*); it returns the endpoint as created.
func loopbackHook(e *apitest.Env, url string) map[string]any {
	e.T.Helper()
	e.Svc.SetWebhookAllow(loopbackAllowed)
	return e.Must(201, apitest.Req{Method: "POST", Path: "/v1/webhooks", Key: e.Admin, Body: map[string]any{"url": url, "event_types": []string{"aftersale.*"}}}).JSON()
}

// discardLog is the logger of the workers a test runs: it writes nothing.
func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
