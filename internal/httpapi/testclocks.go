package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// Sandbox and test clocks (issue 17 item 3). The sandbox is a second API
// over a second store and service (the same code): WithSandbox sends every
// request whose bearer key begins with service.SandboxKeyPrefix there, all
// others to production, so neither side can name the other's objects. The
// test-clock routes exist on both; production answers them 404.

// WithSandbox routes /v1 requests with a sandbox key to sandbox (nil: to
// production, where such a key is unknown and refused 401), the rest to
// production.
func WithSandbox(production, sandbox http.Handler) http.Handler {
	if sandbox == nil {
		return production
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if strings.HasPrefix(strings.TrimSpace(tok), service.SandboxKeyPrefix) {
			sandbox.ServeHTTP(w, r)
			return
		}
		production.ServeHTTP(w, r)
	})
}

func (a *API) testClockRoutes(mux *http.ServeMux) {
	a.route(mux, "POST /v1/test-clocks", withBody(a.createTestClock), created)
	a.route(mux, "GET /v1/test-clocks/{id}", byID(a.svc.GetTestClock))
	a.route(mux, "POST /v1/test-clocks/{id}/advance", withBody(a.advanceTestClock))
}

type testClockBody struct {
	Name       string    `json:"name"`
	FrozenTime time.Time `json:"frozen_time"`
}

func (a *API) createTestClock(r *http.Request, c service.Caller, b testClockBody) (int, any, error) {
	tc, err := a.svc.CreateTestClock(r.Context(), c, b.Name, b.FrozenTime)
	return http.StatusCreated, tc, err
}

type advanceBody struct {
	FrozenTime time.Time `json:"frozen_time"`
}

func (a *API) advanceTestClock(r *http.Request, c service.Caller, b advanceBody) (int, any, error) {
	out, err := a.svc.AdvanceTestClock(r.Context(), c, r.PathValue("id"), b.FrozenTime)
	return http.StatusOK, out, err
}

// withoutTestClock is PUT /v1/orders/{id}'s body without its test_clock
// member (the sandbox's clock to create the order on, which onClock read):
// the order's facts. A test_clock that is not a string is refused naming
// it; a body that is not an object is left for decode to refuse.
func withoutTestClock(body []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body, nil
	}
	raw, ok := m["test_clock"]
	if !ok {
		return body, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || s == "" {
		return nil, fault.Field("test_clock", "须为测试时钟ID / want a test clock id")
	}
	delete(m, "test_clock")
	return json.Marshal(m)
}

// clockObjects maps the first path segment under /v1 to the kind of
// object its {id} names.
var clockObjects = map[string]string{
	"orders":     store.ClockOfOrder,
	"aftersales": store.ClockOfAftersale,
	"disputes":   store.ClockOfDispute,
	"complaints": store.ClockOfComplaint,
	"sanctions":  store.ClockOfSanction,
	"violations": store.ClockOfViolation,
}

// onClock returns r running on the test clock of the object it acts on:
// the order, request, case or complaint in its path, the order_id of a body
// that opens one (POST /v1/aftersales, /v1/disputes, /v1/complaints), or
// the test_clock of PUT /v1/orders/{id}. Only the sandbox has clocks; a
// production request naming test_clock is refused (400).
func (a *API) onClock(r *http.Request, body []byte) (*http.Request, error) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/"), "/")
	kind, ok := clockObjects[parts[0]]
	if !ok {
		return r, nil
	}
	var ref service.ClockRef
	switch {
	case len(parts) >= 2 && parts[1] != "":
		ref = service.ClockRef{Kind: kind, ID: parts[1]}
		if r.Method == http.MethodPut && kind == store.ClockOfOrder && len(parts) == 2 {
			var b struct {
				TestClock string `json:"test_clock"`
			}
			_ = json.Unmarshal(body, &b) // a body that does not decode is the handler's to refuse
			ref.Want = b.TestClock
		}
	case r.Method == http.MethodPost && len(parts) == 1 && kind != store.ClockOfSanction && kind != store.ClockOfViolation:
		var b struct {
			OrderID string `json:"order_id"`
		}
		_ = json.Unmarshal(body, &b)
		ref = service.ClockRef{Kind: store.ClockOfOrder, ID: b.OrderID}
	default:
		return r, nil
	}
	if !a.svc.Sandbox() && ref.Want == "" {
		return r, nil
	}
	ctx, err := a.svc.ClockFor(r.Context(), ref)
	if err != nil {
		return r, err
	}
	return r.WithContext(ctx), nil
}
