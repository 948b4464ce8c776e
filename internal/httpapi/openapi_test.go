package httpapi_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/httpapi"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
)

// loadOpenAPI parses and validates an OpenAPI document and builds a router
// over it.
func loadOpenAPI(t testing.TB, data []byte) (*openapi3.T, routers.Router) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi.json declares %q, want 3.1", doc.OpenAPI)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	return doc, router
}

// docOperations lists the document's operations as "METHOD /path".
func docOperations(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

// disputeActions are the case actions the API routes: every dispute.Action
// but open (an escalation opens the case) and the deadline worker's
// expire-evidence and expire-appeal.
var disputeActions = []dispute.Action{dispute.AddEvidence, dispute.DoneEvidence, dispute.Claim, dispute.Release,
	dispute.Reassign, dispute.Extend, dispute.Judge, dispute.AppealCase, dispute.DecideAppeal, dispute.Withdraw,
	dispute.Advance, dispute.ResolveAdvance, dispute.Suspend, dispute.Resume, dispute.AssessEvidence}

// disputeInternalActions are the actions only the service takes; the API
// answers 404 for them.
var disputeInternalActions = []dispute.Action{dispute.Open, dispute.ExpireWindow, dispute.ExpireAppeals, dispute.ExpireSuspension}

// routeActions: the actions each "{action}" route of api.go expands to.
var routeActions = map[string][]string{
	"/v1/aftersales/{id}/{action}": strsOf(aftersale.Actions),
	"/v1/disputes/{id}/{action}":   strsOf(disputeActions),
}

func strsOf[T ~string](xs []T) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, string(x))
	}
	return out
}

// apiRoutes reads the route tables of the package's non-test Go files
// (api.go and the feature files that register their own routes): every
// pattern registered with a method, with {action} expanded to the actions
// of its resource. The catch-all "/v1/" (404 for unknown endpoints) has no
// method and is not an operation.
func apiRoutes(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var src []byte
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		src = append(src, b...)
	}
	re := regexp.MustCompile(`(?:a\.route\(mux,|mux\.HandleFunc\(|mux\.Handle\()\s*"([A-Z]+) (/[^"]*)"`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		method, path := m[1], m[2]
		if strings.Contains(path, "{action}") {
			actions, ok := routeActions[path]
			if !ok {
				t.Fatalf("api.go routes %s %s: add its actions to routeActions", method, path)
			}
			for _, a := range actions {
				out = append(out, method+" "+strings.ReplaceAll(path, "{action}", a))
			}
			continue
		}
		out = append(out, method+" "+path)
	}
	if len(out) < 10 {
		t.Fatalf("found only %d routes in api.go: the route pattern changed, update apiRoutes", len(out))
	}
	sort.Strings(out)
	return out
}

func diff(a, b []string) (onlyA, onlyB []string) {
	for _, x := range a {
		if !slices.Contains(b, x) {
			onlyA = append(onlyA, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			onlyB = append(onlyB, x)
		}
	}
	return onlyA, onlyB
}

// TestOpenAPIDocumentValid checks the served document is a valid OpenAPI
// 3.1 document, that it documents exactly the routes of api.go, and that
// its enums are the domain's.
func TestOpenAPIDocumentValid(t *testing.T) {
	doc, _ := loadOpenAPI(t, httpapi.OpenAPI())

	routes, ops := apiRoutes(t), docOperations(doc)
	if onlyAPI, onlyDoc := diff(routes, ops); len(onlyAPI)+len(onlyDoc) > 0 {
		t.Errorf("routes in api.go but not in openapi.json: %v", onlyAPI)
		t.Errorf("operations in openapi.json but not in api.go: %v", onlyDoc)
	}

	enum := func(schema string, path ...string) []string {
		ref := doc.Components.Schemas[schema]
		if ref == nil {
			t.Fatalf("no schema %s", schema)
		}
		s := ref.Value
		for _, p := range path {
			s = s.Properties[p].Value
		}
		var out []string
		for _, v := range s.Enum {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	var ruleKeys []string
	for k := range policy.Default().Rules {
		ruleKeys = append(ruleKeys, k)
	}
	sort.Strings(ruleKeys)
	docRuleKeys := slices.Clone(doc.Components.Schemas["Policy"].Value.Properties["rules"].Value.Required)
	sort.Strings(docRuleKeys)
	for _, c := range []struct {
		name      string
		doc, want []string
	}{
		{"AftersaleStatus", enum("AftersaleStatus"), strsOf(aftersale.Statuses)},
		{"AftersaleType", enum("AftersaleType"), strsOf(aftersale.Types)},
		{"AftersaleReason", enum("AftersaleReason"), strsOf(aftersale.Reasons)},
		{"Action", enum("Action"), strsOf(aftersale.Actions)},
		{"OrderFact.type", enum("OrderFact", "type"), strsOf(order.FactKinds)},
		{"Policy.rules", docRuleKeys, ruleKeys},
		{"DisputeStatus", enum("DisputeStatus"), strsOf(dispute.Statuses)},
		{"DisputeAction", enum("DisputeAction"), strsOf(disputeActions)},
		{"DisputeOutcome", enum("DisputeOutcome"), strsOf(dispute.Outcomes)},
		{"DisputeFault", enum("DisputeFault"), strsOf([]dispute.Fault{dispute.BuyerFault, dispute.SellerFault, dispute.BothFault})},
		{"DisputeParty", enum("DisputeParty"), strsOf([]dispute.Party{dispute.Buyer, dispute.Seller})},
		{"DisputeEvent.type", enum("DisputeEvent", "type"), strsOf(dispute.EventTypes)},
		{"DisputeEventActor.role", enum("DisputeEventActor", "role"), strsOf([]dispute.Role{dispute.RoleBuyer, dispute.RoleSeller,
			dispute.RoleAgent, dispute.RoleSenior, dispute.RoleAdmin, dispute.RoleSystem})},
	} {
		if !slices.Equal(c.doc, c.want) {
			t.Errorf("%s: document has %v, the domain has %v", c.name, c.doc, c.want)
		}
	}
	// A problem names the status of a request, an order or a case.
	for _, st := range append(strsOf(aftersale.Statuses), strsOf(dispute.Statuses)...) {
		if !slices.Contains(enum("Problem", "current_status"), st) {
			t.Errorf("Problem.current_status lacks %s", st)
		}
	}

	// Every POST takes Idempotency-Key; every authenticated operation takes
	// X-Act-As; every operation has a description in Chinese and English.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			has := func(name string) bool {
				for _, p := range op.Parameters {
					if p.Value != nil && p.Value.Name == name {
						return true
					}
				}
				return false
			}
			public := op.Security != nil && len(*op.Security) == 0
			if method == http.MethodPost && !has("Idempotency-Key") {
				t.Errorf("%s %s: no Idempotency-Key parameter", method, path)
			}
			if !public && !has("X-Act-As") {
				t.Errorf("%s %s: no X-Act-As parameter", method, path)
			}
			if !strings.Contains(op.Summary, " / ") || !strings.Contains(op.Description, " / ") {
				t.Errorf("%s %s: summary and description should be 中文 / English", method, path)
			}
		}
	}
}

// oasCall is one request of the conformance run.
type oasCall struct {
	req  apitest.Req
	want int
	// docRejects: the document must refuse this request as well (the
	// server's 400 is documented by a schema constraint).
	docRejects bool
	// noReqCheck: the document cannot judge this request (e.g. its size).
	noReqCheck bool
	// undocumented: no operation matches; the router must not find one.
	undocumented bool
}

// oasRecord is a call replayable against another version of the document.
type oasRecord struct {
	method, path string
	header       http.Header
	body         []byte
	status       int
	resHeader    http.Header
	resBody      []byte
}

type oasRun struct {
	t       *testing.T
	e       *apitest.Env
	doc     *openapi3.T
	router  routers.Router
	seen    map[string]map[int]int // operation → status → count
	records []oasRecord
}

// filterOpts: authentication is the API's business (the filter only sees
// that a bearer key is required); undocumented statuses fail; uuid and uri
// formats are checked too.
var filterOpts = &openapi3filter.Options{
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	IncludeResponseStatus: true,
	MultiError:            true,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
		openapi3.WithStringFormatValidator("uri", openapi3.NewRegexpFormatValidator(`^[A-Za-z][A-Za-z0-9+.-]*:\S+$`)),
		openapi3.WithStringFormatValidator("uri-reference", openapi3.NewRegexpFormatValidator(`^\S*$`)),
	},
}

func encodeBody(t testing.TB, b any) []byte {
	switch v := b.(type) {
	case nil:
		return nil
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	j, err := json.Marshal(b)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return j
}

// httpRequest builds the request as apitest.Do sends it, for the validator.
func httpRequest(method, path string, header http.Header, body []byte) *http.Request {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header = header.Clone()
	return req
}

func reqHeader(r apitest.Req, body []byte) http.Header {
	h := http.Header{}
	if r.Key != "" {
		h.Set("Authorization", "Bearer "+r.Key)
	}
	if r.ActAs != "" {
		h.Set("X-Act-As", r.ActAs)
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	for k, v := range r.Header {
		h.Set(k, v)
	}
	return h
}

// validate checks a recorded exchange against a document: the request
// (unless skipped) and the response. It returns the route's operation key.
func validate(router routers.Router, rec oasRecord, checkReq bool) (op string, reqErr, resErr error) {
	ctx := context.Background()
	req := httpRequest(rec.method, rec.path, rec.header, rec.body)
	route, params, err := router.FindRoute(req)
	if err != nil {
		return "", nil, fmt.Errorf("no documented operation: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: filterOpts}
	if checkReq {
		reqErr = openapi3filter.ValidateRequest(ctx, in)
	}
	// The response is validated against a request whose body is unread.
	in.Request = httpRequest(rec.method, rec.path, rec.header, rec.body)
	resErr = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: rec.status, Header: rec.resHeader,
		Body: io.NopCloser(bytes.NewReader(rec.resBody)), Options: filterOpts,
	})
	return route.Method + " " + route.Path, reqErr, resErr
}

// brief renders a validation error without the schema and value dumps
// kin-openapi appends: each failure as its JSON pointer and reason.
func brief(err error) string {
	var parts []string
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			parts = append(parts, "/"+strings.Join(se.JSONPointer(), "/")+": "+se.Reason)
			return
		}
		parts = append(parts, err.Error())
	}
	prefix := ""
	var reqErr *openapi3filter.RequestError
	var resErr *openapi3filter.ResponseError
	switch {
	case errors.As(err, &reqErr) && reqErr.Err != nil:
		prefix = reqErr.Reason
		if reqErr.Parameter != nil {
			prefix = "parameter " + reqErr.Parameter.Name + ": " + prefix
		}
		walk(reqErr.Err)
	case errors.As(err, &resErr) && resErr.Err != nil:
		prefix = resErr.Reason
		walk(resErr.Err)
	default:
		walk(err)
	}
	return strings.TrimPrefix(prefix+": ", ": ") + strings.Join(parts, "; ")
}

// do sends a call to the real API and validates request and response
// against the document.
func (o *oasRun) do(c oasCall) apitest.Resp {
	o.t.Helper()
	body := encodeBody(o.t, c.req.Body)
	r := c.req
	if body != nil {
		r.Body = body
	}
	hdr := reqHeader(r, body)
	label := r.Method + " " + r.Path
	if c.undocumented {
		if route, _, err := o.router.FindRoute(httpRequest(r.Method, r.Path, hdr, body)); err == nil {
			o.t.Errorf("%s: expected no documented operation, found %s %s", label, route.Method, route.Path)
		}
		res := o.e.Do(r)
		if res.Status != c.want {
			o.t.Errorf("%s: status %d, want %d: %s", label, res.Status, c.want, res.Body)
		}
		return res
	}
	res := o.e.Do(r)
	if res.Status != c.want {
		o.t.Errorf("%s: status %d, want %d: %s", label, res.Status, c.want, res.Body)
	}
	rec := oasRecord{method: r.Method, path: r.Path, header: hdr, body: body, status: res.Status, resHeader: res.Header, resBody: res.Body}
	op, reqErr, resErr := validate(o.router, rec, !c.noReqCheck)
	if op == "" {
		o.t.Errorf("%s: %v", label, resErr)
		return res
	}
	switch {
	case c.docRejects && reqErr == nil:
		o.t.Errorf("%s: the server refused %s with %d but the document accepts the request", label, body, res.Status)
	case !c.docRejects && !c.noReqCheck && reqErr != nil:
		o.t.Errorf("%s: the document refuses a request the test sends as valid: %s", label, brief(reqErr))
	}
	if resErr != nil {
		o.t.Errorf("%s → %d: response does not match the document: %s\nbody: %s", label, res.Status, brief(resErr), res.Body)
	}
	if o.seen[op] == nil {
		o.seen[op] = map[int]int{}
	}
	o.seen[op][res.Status]++
	o.records = append(o.records, rec)
	return res
}

// must expects a success, fail an error status the document cannot tell
// from the request alone; both require the document to accept the request.
func (o *oasRun) must(want int, r apitest.Req) apitest.Resp {
	o.t.Helper()
	return o.do(oasCall{req: r, want: want})
}

// nextPage requires first, a page of a list (what), to have a next_cursor,
// and follows it with next, whose path ends in "cursor=".
func (o *oasRun) nextPage(what string, first apitest.Resp, next apitest.Req) {
	o.t.Helper()
	if cur, _ := first.JSON()["next_cursor"].(string); cur == "" {
		o.t.Errorf("%s: no next_cursor: %s", what, first.Body)
	} else {
		next.Path += cur
		o.must(200, next)
	}
}

func (o *oasRun) fail(want int, r apitest.Req) apitest.Resp {
	o.t.Helper()
	return o.do(oasCall{req: r, want: want})
}

// rejects expects an error status for a request the document refuses too.
func (o *oasRun) rejects(want int, r apitest.Req) apitest.Resp {
	o.t.Helper()
	return o.do(oasCall{req: r, want: want, docRejects: true})
}

func problemOf(t testing.TB, res apitest.Resp) map[string]any {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("problem content type %q", ct)
	}
	return res.JSON()
}

// actionBody returns a valid body for an action; variant makes two bodies differ.
func actionBody(action string, variant string) map[string]any {
	switch action {
	case "agree":
		return map[string]any{"note": "附言 " + variant, "return_address": map[string]any{"name": "售后" + variant, "phone": "13800000000", "address": "浙江省杭州市文三路" + variant}}
	case "accept-offer", "confirm-return":
		return map[string]any{"note": "附言 " + variant}
	case "refuse":
		return map[string]any{"reason": "理由 " + variant, "reason_code": "other", "evidence": []string{"ev-" + variant}}
	case "refuse-receipt":
		return map[string]any{"reason": "理由 " + variant, "evidence": []string{"ev-" + variant}}
	case "counter-offer":
		n := 100
		if variant != "a" {
			n = 200
		}
		return map[string]any{"amount": n, "reason": "部分退款 " + variant, "evidence": []string{"ev-" + variant}}
	case "modify":
		return map[string]any{"note": "修改 " + variant}
	case "ship-return":
		return map[string]any{"carrier": "SF", "tracking_no": "SF-" + variant}
	case "cancel", "escalate":
		return map[string]any{"reason": "理由 " + variant}
	}
	panic("unknown action " + action)
}

func sellerAction(action string) bool {
	r, _ := aftersale.ActorOf(aftersale.Action(action))
	return r == aftersale.Seller
}

// conformanceParts are the feature files' conformance runs (complaints,
// scripts, …), registered from their own _test.go files with init(), run
// after the foundation's in name order on the same environment.
var conformanceParts = map[string]func(t *testing.T, e *apitest.Env, o *oasRun){}

// TestOpenAPIConformance drives real requests through the API on SQLite —
// every documented operation, its successes and its errors — and validates
// each request and each response (status, headers, content type, body)
// against the document. It fails if an operation or a documented status was
// never exercised, so the document cannot drift from the API.
func TestOpenAPIConformance(t *testing.T) {
	e := apitest.Open(t, apitest.SQLiteURL(t))
	doc, router := loadOpenAPI(t, httpapi.OpenAPI())
	o := &oasRun{t: t, e: e, doc: doc, router: router, seen: map[string]map[int]int{}}
	runConformance(t, e, o)
	names := make([]string, 0, len(conformanceParts))
	for name := range conformanceParts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		conformanceParts[name](t, e, o)
	}
	// Last, after every part: the database goes away → /readyz is 503.
	e.Store.Close()
	o.fail(503, apitest.Req{Method: "GET", Path: "/readyz"})
	if t.Failed() {
		return
	}

	// Coverage: every operation of the document and of api.go exercised,
	// every documented status observed.
	var exercised []string
	for op := range o.seen {
		exercised = append(exercised, op)
	}
	sort.Strings(exercised)
	if onlyDoc, onlyRun := diff(docOperations(doc), exercised); len(onlyDoc)+len(onlyRun) > 0 {
		t.Errorf("documented but never exercised: %v; exercised but not documented: %v", onlyDoc, onlyRun)
	}
	if onlyAPI, onlyRun := diff(apiRoutes(t), exercised); len(onlyAPI)+len(onlyRun) > 0 {
		t.Errorf("routes of api.go never exercised: %v; exercised but not in api.go: %v", onlyAPI, onlyRun)
	}
	// Statuses the test cannot provoke on purpose.
	unreachable := map[string]bool{
		"PUT /v1/orders/{id} 409":               true, // lost every optimistic-concurrency retry
		"POST /v1/test-clocks/{id}/advance 409": true, // a deadline of the clock would not fire
	}
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			for code := range op.Responses.Map() {
				n, _ := strconv.Atoi(code)
				if n == http.StatusInternalServerError || unreachable[key+" "+code] {
					continue
				}
				if o.seen[key][n] == 0 {
					missing = append(missing, key+" → "+code)
				}
			}
			for n := range o.seen[key] {
				if op.Responses.Status(n) == nil {
					t.Errorf("%s answered %d, which is not documented", key, n)
				}
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("documented responses never observed (%d): %s", len(missing), strings.Join(missing, "; "))
	}
	t.Logf("validated %d exchanges over %d operations", len(o.records), len(exercised))

	// The validator is not vacuous: the recorded exchanges fail against
	// documents broken in ways the API would expose.
	t.Run("mutations", func(t *testing.T) { checkMutations(t, o.records) })
}

func runConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	integ, admin, agent := e.Integration, e.Admin, e.Agent
	b1, s1 := e.Key(actor.Buyer, "B1"), e.Key(actor.Seller, "S1")
	b2, s2 := e.Key(actor.Buyer, "B2"), e.Key(actor.Seller, "S2")
	now := e.Clock.Now()
	at := func(h int) string { return now.Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }

	// ---- operations endpoints
	o.must(200, apitest.Req{Method: "GET", Path: "/healthz"})
	o.must(200, apitest.Req{Method: "GET", Path: "/readyz", Header: map[string]string{"X-Request-ID": "req-readyz-1"}})
	o.fail(401, apitest.Req{Method: "GET", Path: "/metrics"})
	o.fail(403, apitest.Req{Method: "GET", Path: "/metrics", Key: agent})
	o.must(200, apitest.Req{Method: "GET", Path: "/metrics", Key: admin})
	if res := o.must(200, apitest.Req{Method: "GET", Path: "/v1/openapi.json"}); !bytes.Equal(res.Body, httpapi.OpenAPI()) {
		t.Errorf("/v1/openapi.json does not serve the embedded document")
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/policy", Key: integ})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/policy", Key: b1})

	// ---- orders
	putOrder := func(id string, body map[string]any) apitest.Resp {
		t.Helper()
		return o.must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + id, Key: integ, Body: body})
	}
	fact := func(id string, body map[string]any) apitest.Resp {
		t.Helper()
		return o.must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/events", Key: integ, Body: body})
	}
	facts := func(id, buyer, seller string, amount int) map[string]any {
		return map[string]any{"buyer_id": buyer, "seller_id": seller, "category": "女装", "amount": amount, "postage": 0,
			"items": []map[string]any{{"sku": "SKU-" + id, "title": "连衣裙 " + id, "quantity": 1, "price": amount}}}
	}
	paid := map[string]any{"type": "paid", "at": at(-5)}
	shipped := func(id string) map[string]any {
		return map[string]any{"type": "shipped", "at": at(-4), "carrier": "SF", "tracking_no": "SF" + id}
	}
	delivered := map[string]any{"type": "delivered", "at": at(-2), "signed_by": "本人"}

	full := facts("T1", "B1", "S1", 19900)
	full["services"] = []string{"7天无理由", "运费险"}
	full["payment_method"] = "alipay"
	full["buyer_premium"] = true
	v1 := putOrder("T1", full)
	if v2 := putOrder("T1", full); v2.JSON()["version"] != v1.JSON()["version"] {
		t.Errorf("identical PUT changed the version")
	}
	if etag := v1.Header.Get("ETag"); etag != fmt.Sprintf("%q", fmt.Sprint(v1.JSON()["version"])) {
		t.Errorf("ETag %q does not carry version %v", etag, v1.JSON()["version"])
	}
	// Minimal facts: items omitted are an empty list in the order.
	if res := putOrder("T0", map[string]any{"buyer_id": "B1", "seller_id": "S1", "amount": 100}); fmt.Sprint(res.JSON()["items"]) != "[]" {
		t.Errorf("T0 items: %v", res.JSON()["items"])
	}
	pre := facts("T5", "B1", "S1", 8800)
	pre["presale_ship_by"] = at(24 * 10)
	putOrder("T5", pre)
	for _, id := range []string{"T2", "T3", "T4", "T6", "T7"} {
		putOrder(id, facts(id, "B1", "S1", 10000))
	}
	putOrder("TX", facts("TX", "B2", "S2", 500))

	// Facts, one with an Idempotency-Key: replay, then a different body → 422.
	idem := map[string]string{"Idempotency-Key": "pay-T1"}
	first := o.must(200, apitest.Req{Method: "POST", Path: "/v1/orders/T1/events", Key: integ, Body: paid, Header: idem})
	replay := o.must(200, apitest.Req{Method: "POST", Path: "/v1/orders/T1/events", Key: integ, Body: paid, Header: idem})
	if replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, replay.Body) {
		t.Errorf("idempotent replay: header %q, same body %v", replay.Header.Get("Idempotent-Replayed"), bytes.Equal(first.Body, replay.Body))
	}
	if p := problemOf(t, o.fail(422, apitest.Req{Method: "POST", Path: "/v1/orders/T1/events", Key: integ,
		Body: map[string]any{"type": "paid", "at": at(-3)}, Header: idem})); p["code"] != "unprocessable" {
		t.Errorf("422: %v", p)
	}
	fact("T1", shipped("T1"))
	fact("T1", map[string]any{"type": "first_scan", "at": at(-3)})
	fact("T1", delivered)
	for _, id := range []string{"T2", "T3", "T4", "T5", "T6"} {
		fact(id, paid)
	}
	// shipped without carrier: the server and the document refuse it.
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/orders/T2/events", Key: integ, Body: map[string]any{"type": "shipped", "at": at(-4)}})
	for _, id := range []string{"T2", "T3", "T4", "T5", "T6"} {
		fact(id, shipped(id))
	}
	for _, id := range []string{"T4", "T5", "T6"} {
		fact(id, delivered)
	}
	fact("T6", map[string]any{"type": "completed", "at": at(-1)})
	putOrder("T8", facts("T8", "B1", "S1", 300))
	fact("T8", map[string]any{"type": "cancelled", "at": at(-1)})

	// Order errors.
	o.rejects(400, apitest.Req{Method: "PUT", Path: "/v1/orders/T9", Key: integ, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1", "amount": 100, "colour": "red"}})
	o.rejects(400, apitest.Req{Method: "PUT", Path: "/v1/orders/T9", Key: integ, Body: map[string]any{"buyer_id": "B1", "seller_id": "S1", "amount": 0}})
	o.rejects(400, apitest.Req{Method: "PUT", Path: "/v1/orders/-bad", Key: integ, Body: facts("x", "B1", "S1", 100)})
	o.rejects(400, apitest.Req{Method: "PUT", Path: "/v1/orders/T9", Key: integ, Body: `{"buyer_id": "B1",`})
	o.fail(400, apitest.Req{Method: "PUT", Path: "/v1/orders/T9", Key: integ, Body: facts("T9", "B1", "B1", 100)})
	changed := facts("T1", "B1", "S1", 29900)
	o.fail(400, apitest.Req{Method: "PUT", Path: "/v1/orders/T1", Key: integ, Body: changed})
	o.fail(403, apitest.Req{Method: "PUT", Path: "/v1/orders/T9", Key: b1, Body: facts("T9", "B1", "S1", 100)})
	if p := problemOf(t, o.fail(409, apitest.Req{Method: "POST", Path: "/v1/orders/T1/events", Key: integ, Body: map[string]any{"type": "paid", "at": at(0)}})); p["current_status"] != "WAIT_BUYER_CONFIRM_GOODS" {
		t.Errorf("order 409: %v", p)
	}
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/orders/T7/events", Key: integ, Body: map[string]any{"type": "refunded", "at": at(0)}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/orders/T7/events", Key: integ, Body: map[string]any{"type": "paid"}})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/orders/NOPE/events", Key: integ, Body: paid})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/orders/T7/events", Key: s1, Body: paid})

	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T1", Key: b1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T1", Key: s1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T0", Key: agent})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T1", Key: integ, ActAs: "seller:S1"})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/orders/T1", Key: b2})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/orders/T1", Key: s2})

	page := o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders?limit=3", Key: integ})
	next, _ := page.JSON()["next_cursor"].(string)
	if next == "" {
		t.Fatalf("no next_cursor on a full page: %s", page.Body)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders?limit=3&cursor=" + next, Key: integ})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders?seller_id=S2", Key: admin})
	if res := o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders", Key: b2}); len(res.JSON()["items"].([]any)) != 1 {
		t.Errorf("buyer B2 sees %s", res.Body)
	}
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/orders?limit=0", Key: integ})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/orders?limit=201", Key: integ})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/orders?cursor=%24%24", Key: integ})

	ev := o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T1/events?limit=2", Key: b1})
	o.nextPage("order events", ev, apitest.Req{Method: "GET", Path: "/v1/orders/T1/events?cursor=", Key: b1})
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/orders/T1/events?cursor=YWJj", Key: b1}) // base64 of "abc": not a seq
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/orders/T1/events", Key: b2})

	// ---- after-sales requests
	create := func(key, actAs string, body map[string]any, hdr map[string]string) apitest.Resp {
		t.Helper()
		return o.must(201, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: key, ActAs: actAs, Body: body, Header: hdr})
	}
	a1Body := map[string]any{"order_id": "T1", "type": "return_and_refund", "reason": "quality_problem", "amount": 19900, "description": "裙子开线"}
	cidem := map[string]string{"Idempotency-Key": "create-A1"}
	c1 := create(b1, "", a1Body, cidem)
	a1 := c1.Str("id")
	if c2 := create(b1, "", a1Body, cidem); c2.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(c1.Body, c2.Body) {
		t.Errorf("create replay: %q", c2.Header.Get("Idempotent-Replayed"))
	}
	o.fail(422, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1, Body: map[string]any{"order_id": "T1", "type": "refund_only", "reason": "other", "amount": 100}, Header: cidem})
	if p := problemOf(t, o.fail(409, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1, Body: a1Body})); p["errors"] == nil {
		t.Errorf("409 on a second open request names no field: %v", p)
	}
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b2, Body: a1Body})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: s1, Body: map[string]any{"order_id": "T0", "type": "refund_only", "reason": "other", "amount": 100}})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: integ, Body: a1Body})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1, Body: map[string]any{"order_id": "T2", "type": "refund_only", "reason": "other", "amount": 100, "urgent": true}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1, Body: map[string]any{"order_id": "T2", "reason": "other", "amount": 100}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1, Body: map[string]any{"order_id": "T2", "type": "refund_only", "reason": "changed_my_mind", "amount": 100}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1, Body: map[string]any{"order_id": "T2", "type": "refund_only", "reason": "other", "amount": "100"}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1, Body: map[string]any{"order_id": "T2", "type": "refund_only", "reason": "other", "amount": 99999}})
	o.fail(409, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1, Body: map[string]any{"order_id": "T7", "type": "refund_only", "reason": "other", "amount": 100}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1, Body: map[string]any{"order_id": "T2", "type": "refund_only", "reason": "other", "amount": 100},
		Header: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}})

	a2 := create(integ, "buyer:B1", map[string]any{"order_id": "T2", "type": "refund_only", "reason": "not_received", "amount": 10000}, nil).Str("id")
	a3 := create(b1, "", map[string]any{"order_id": "T3", "type": "refund_only", "reason": "not_received", "amount": 5000}, nil).Str("id")
	a4 := create(b1, "", map[string]any{"order_id": "T4", "type": "exchange", "reason": "quality_problem"}, nil).Str("id")

	act := func(id, action, key string, body any, want int, hdr map[string]string) apitest.Resp {
		t.Helper()
		return o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/aftersales/" + id + "/" + action, Key: key, Body: body, Header: hdr}, want: want})
	}
	status := func(res apitest.Resp, want string) {
		t.Helper()
		if got := res.Str("status"); got != want {
			t.Errorf("status %q, want %q: %s", got, want, res.Body)
		}
	}

	// 409 on an open request: names the status and what may be done.
	p := problemOf(t, act(a2, "ship-return", b1, actionBody("ship-return", "a"), 409, nil))
	if p["current_status"] != "WAIT_SELLER_AGREE" || fmt.Sprint(p["allowed_actions"]) != "[agree refuse counter-offer cancel]" {
		t.Errorf("409: %v", p)
	}
	// 400s the document also refuses.
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a2 + "/refuse", Key: s1, Body: map[string]any{"reason_code": "goods_intact", "reason": "无证据"}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a2 + "/refuse", Key: s1, Body: map[string]any{"reason_code": "goods_intact", "reason": "x", "evidence": []string{}}})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a2 + "/counter-offer", Key: s1, Body: map[string]any{"reason": "x"}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a2 + "/counter-offer", Key: s1, Body: map[string]any{"amount": 10000}})
	// 403: a buyer takes a seller's action.
	if p := problemOf(t, act(a2, "agree", b1, agreeReturn, 403, nil)); p["code"] != "forbidden" {
		t.Errorf("403: %v", p)
	}

	// Flow A (return and refund): refuse → modify → counter-offer →
	// escalate → agree → ship-return → refuse-receipt → confirm-return.
	status(act(a1, "refuse", s1, actionBody("refuse", "a"), 200, nil), "SELLER_REFUSE_BUYER")
	status(act(a1, "modify", b1, map[string]any{"type": "return_and_refund", "reason": "not_as_described", "amount": 15000, "description": "颜色不符", "note": "补充说明"}, 200, nil), "WAIT_SELLER_AGREE")
	status(act(a1, "counter-offer", s1, actionBody("counter-offer", "a"), 200, nil), "SELLER_REFUSE_BUYER")
	if res := act(a1, "escalate", b1, actionBody("escalate", "a"), 200, nil); res.JSON()["cs_status"] != float64(10) {
		t.Errorf("escalate: %s", res.Body)
	}
	status(act(a1, "agree", s1, actionBody("agree", "a"), 200, nil), "WAIT_BUYER_RETURN_GOODS")
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a1 + "/ship-return", Key: b1, Body: map[string]any{"carrier": "SF"}})
	status(act(a1, "ship-return", b1, actionBody("ship-return", "a"), 200, nil), "WAIT_SELLER_CONFIRM_GOODS")
	res := act(a1, "refuse-receipt", s1, actionBody("refuse-receipt", "a"), 200, nil)
	// If-Match: a stale version is 412 (RFC 9110), a malformed one 400, the current one applies.
	act(a1, "confirm-return", s1, nil, 412, map[string]string{"If-Match": `"1"`})
	o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a1 + "/confirm-return", Key: s1, Header: map[string]string{"If-Match": "abc"}})
	status(act(a1, "confirm-return", s1, map[string]any{}, 200, map[string]string{"If-Match": res.Header.Get("ETag")}), "SUCCESS")

	// Flow B (refund only, the integration acting for both parties).
	status(o.must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a2 + "/counter-offer", Key: integ, ActAs: "seller:S1", Body: map[string]any{"amount": 4000}}), "SELLER_REFUSE_BUYER")
	status(o.must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a2 + "/accept-offer", Key: integ, ActAs: "buyer:B1"}), "SUCCESS")

	// Flow C: refuse → escalate → cancel during intervention (cs_status 7).
	act(a3, "refuse", s1, actionBody("refuse", "b"), 200, nil)
	act(a3, "escalate", b1, nil, 200, nil)
	if res := act(a3, "cancel", b1, actionBody("cancel", "a"), 200, nil); res.Str("closed_reason") != "buyer_cancelled_intervention" || res.JSON()["cs_status"] != float64(7) {
		t.Errorf("cancel in intervention: %s", res.Body)
	}

	// Flow D: exchange.
	act(a4, "agree", s1, agreeReturn, 200, nil)
	act(a4, "ship-return", b1, actionBody("ship-return", "b"), 200, nil)
	status(act(a4, "confirm-return", s1, actionBody("confirm-return", "a"), 200, nil), "SUCCESS")

	// Every action: the errors each can answer, on the finished request a1.
	for _, a := range aftersale.Actions {
		action := string(a)
		own, wrong, other := b1, s1, b2
		if sellerAction(action) {
			own, wrong, other = s1, b1, s2
		}
		path := "/v1/aftersales/" + a1 + "/" + action
		p := problemOf(t, act(a1, action, own, actionBody(action, "a"), 409, nil))
		if p["current_status"] != "SUCCESS" || p["allowed_actions"] == nil {
			t.Errorf("%s on SUCCESS: 409 without current_status/allowed_actions: %v", action, p)
		}
		act(a1, action, wrong, actionBody(action, "a"), 403, nil)
		act(a1, action, other, actionBody(action, "a"), 404, nil)
		act("no-such-request", action, own, actionBody(action, "a"), 404, nil)
		act(a1, action, "", actionBody(action, "a"), 401, nil)
		o.rejects(400, apitest.Req{Method: "POST", Path: path, Key: own, Body: map[string]any{"unexpected": true}})
		// Every property the document lists is one the server decodes.
		if res := act(a1, action, own, exampleBody(t, o.doc, "/v1/aftersales/{id}/"+action), 409, nil); res.Status == 400 {
			t.Errorf("%s: the server refuses a property the document lists: %s", action, res.Body)
		}
		// Idempotency: a refusal is stored and replayed; another body is 422.
		k := map[string]string{"Idempotency-Key": "k-" + action}
		first := act(a1, action, own, actionBody(action, "a"), 409, k)
		again := act(a1, action, own, actionBody(action, "a"), 409, k)
		if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, again.Body) {
			t.Errorf("%s: refusal not replayed", action)
		}
		act(a1, action, own, actionBody(action, "b"), 422, k)
	}
	o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/aftersales/" + a1 + "/frobnicate", Key: b1}, want: 404, undocumented: true})
	o.do(oasCall{req: apitest.Req{Method: "DELETE", Path: "/v1/aftersales/" + a1, Key: b1}, want: 404, undocumented: true})

	// Reads.
	for _, k := range []string{b1, s1, agent, admin, integ} {
		o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + a1, Key: k})
	}
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + a1, Key: b2})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + a1, Key: s2})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/aftersales/no-such-request", Key: agent})
	ap := o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales?limit=2", Key: integ})
	o.nextPage("aftersales", ap, apitest.Req{Method: "GET", Path: "/v1/aftersales?limit=2&cursor=", Key: integ})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales?status=SUCCESS&order_id=T1", Key: agent})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales?buyer_id=B1&seller_id=S1", Key: s1})
	if res := o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales", Key: b2}); len(res.JSON()["items"].([]any)) != 0 {
		t.Errorf("B2 sees others' requests: %s", res.Body)
	}
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/aftersales?status=OPEN", Key: integ})
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/aftersales?limit=-1", Key: integ})
	evs := o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + a1 + "/events?limit=3", Key: s1})
	o.nextPage("events", evs, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + a1 + "/events?cursor=", Key: s1})
	for _, id := range []string{a2, a3, a4} {
		o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id + "/events", Key: b1})
	}
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + a1 + "/events", Key: b2})
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + a1 + "/events?cursor=YWJj", Key: b1})
	// The order's history now holds the refunds.
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T1/events", Key: integ})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/T2/events", Key: integ})

	// Deadlines fire: auto-agree then closed (return not shipped) on T5;
	// auto-refund on T6; closed after an unanswered refusal on TX.
	a5 := create(b1, "", map[string]any{"order_id": "T5", "type": "return_and_refund", "reason": "no_reason_7day", "amount": 8800}, nil).Str("id")
	a6 := create(b1, "", map[string]any{"order_id": "T6", "type": "return_and_refund", "reason": "missing_parts", "amount": 10000}, nil).Str("id")
	act(a6, "agree", s1, actionBody("agree", "c"), 200, nil)
	act(a6, "ship-return", b1, actionBody("ship-return", "c"), 200, nil)
	fact("TX", paid)
	ax := create(b2, "", map[string]any{"order_id": "TX", "type": "refund_only", "reason": "other", "amount": 500}, nil).Str("id")
	act(ax, "refuse", s2, actionBody("refuse", "c"), 200, nil)
	ctx := context.Background()
	for _, d := range []time.Duration{48*time.Hour + time.Second, 7*24*time.Hour + time.Second, 3 * 24 * time.Hour} {
		e.Clock.Advance(d)
		if _, err := e.Svc.FireDue(ctx, 100); err != nil {
			t.Fatalf("fire: %v", err)
		}
	}
	for id, want := range map[string]string{a5: "CLOSED", a6: "SUCCESS", ax: "CLOSED"} {
		status(o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id, Key: agent}), want)
		o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id + "/events", Key: agent})
	}

	// ---- intervention cases
	runDisputeConformance(t, e, o)
	runTestClockConformance(t, e, o)

	// ---- errors every operation can answer
	for path, item := range o.doc.Paths.Map() {
		for method, op := range item.Operations() {
			concrete := strings.ReplaceAll(path, "{id}", "T1")
			if strings.HasPrefix(path, "/v1/aftersales/{id}") {
				concrete = strings.ReplaceAll(path, "{id}", a1)
			}
			if op.Security != nil && len(*op.Security) == 0 {
				continue // public
			}
			if op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") == nil {
				continue // a multipart upload: its feature's run provokes these errors itself
			}
			var body any
			if op.RequestBody != nil {
				body = exampleBody(t, o.doc, path)
			}
			// 401 without a key, 403 for X-Act-As on a party key, 400 for a malformed X-Act-As.
			p := problemOf(t, o.fail(401, apitest.Req{Method: method, Path: concrete, Body: body}))
			if p["code"] != "unauthorized" {
				t.Errorf("%s %s 401: %v", method, path, p)
			}
			o.fail(403, apitest.Req{Method: method, Path: concrete, Key: b1, ActAs: "seller:S1", Body: body})
			o.rejects(400, apitest.Req{Method: method, Path: concrete, Key: integ, ActAs: "customer", Body: body})
			if op.RequestBody != nil {
				big := append([]byte(`{"x":"`), bytes.Repeat([]byte("x"), 1<<20)...)
				o.do(oasCall{req: apitest.Req{Method: method, Path: concrete, Key: integ, Body: append(big, `"}`...)}, want: 413, noReqCheck: true})
			}
			if strings.Contains(path, "{id}") && method == http.MethodGet {
				o.fail(404, apitest.Req{Method: method, Path: strings.Replace(path, "{id}", "nothing-here", 1), Key: integ})
			}
		}
	}

}

// disputeActionBody returns a valid body for a case action; variant makes
// two bodies differ (nil and {} for the actions without input).
func disputeActionBody(action dispute.Action, variant string) any {
	switch action {
	case dispute.AddEvidence:
		return map[string]any{"evidence_id": "ev-" + variant}
	case dispute.DoneEvidence, dispute.Claim, dispute.Release:
		if variant == "a" {
			return nil
		}
		return map[string]any{}
	case dispute.Reassign:
		return map[string]any{"assignee": "key:agent-" + variant}
	case dispute.Extend:
		days := 1
		if variant != "a" {
			days = 2
		}
		return map[string]any{"working_days": days, "reason": "调取物流记录 " + variant}
	case dispute.Judge:
		return map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "理由 " + variant, "rule_ids": []string{"taobao-dispute-65"}}
	case dispute.AppealCase:
		return map[string]any{"reason": "申诉 " + variant, "procedural_error": "未通知举证 " + variant}
	case dispute.DecideAppeal:
		return map[string]any{"uphold": true, "reason": "维持 " + variant}
	case dispute.Withdraw:
		return map[string]any{"reason": "撤销 " + variant}
	case dispute.Advance:
		return map[string]any{"reason": "卖家不配合，买家无责 " + variant}
	case dispute.ResolveAdvance:
		return map[string]any{"outcome": "returned", "reason": "退货已签收 " + variant}
	case dispute.Suspend, dispute.Resume:
		return map[string]any{"reason": "协商 " + variant}
	case dispute.AssessEvidence:
		return map[string]any{"evidence_id": "ev-" + variant, "verdict": "rejected", "reason": "无法核实 " + variant}
	}
	panic("unknown action " + action)
}

// runDisputeConformance drives intervention cases through every route:
// opened by escalation, evidence, the deadline worker, the queue, claims,
// judgments executed on the request, appeals, withdrawal.
func runDisputeConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	ctx := context.Background()
	integ, admin, agent := e.Integration, e.Admin, e.Agent
	senior := e.Key(actor.Senior, "")
	b1, s1 := e.Key(actor.Buyer, "B1"), e.Key(actor.Seller, "S1")
	b2, s2 := e.Key(actor.Buyer, "B2"), e.Key(actor.Seller, "S2")
	at := func(h int) string { return e.Clock.Now().Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }
	fire := func() {
		t.Helper()
		if _, err := e.Svc.FireDue(ctx, 100); err != nil {
			t.Fatalf("fire: %v", err)
		}
	}
	act := func(id string, action dispute.Action, key string, body any, want int, hdr map[string]string) apitest.Resp {
		t.Helper()
		return o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/" + string(action), Key: key, Body: body, Header: hdr}, want: want})
	}
	actAs := func(id string, action dispute.Action, party string, body any, want int) apitest.Resp {
		t.Helper()
		return o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/" + string(action), Key: integ, ActAs: party, Body: body}, want: want})
	}
	rejects := func(id string, action dispute.Action, key string, body any) apitest.Resp {
		t.Helper()
		return o.rejects(400, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/" + string(action), Key: key, Body: body})
	}
	get := func(id, key string) map[string]any {
		t.Helper()
		res := o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: key})
		if v := res.JSON(); res.Header.Get("ETag") != fmt.Sprintf(`"%v"`, v["version"]) {
			t.Errorf("case ETag %q, version %v", res.Header.Get("ETag"), v["version"])
		}
		return res.JSON()
	}
	status := func(v map[string]any, want string) {
		t.Helper()
		if v["status"] != want {
			t.Errorf("case status %v, want %s: %v", v["status"], want, v)
		}
	}
	allowed := func(v map[string]any, want string) {
		t.Helper()
		if got := fmt.Sprint(v["allowed_actions"]); got != want {
			t.Errorf("allowed_actions %s, want %s", got, want)
		}
	}
	request := func(id string, wantStatus string) map[string]any {
		t.Helper()
		v := o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id, Key: b1}).JSON()
		if v["status"] != wantStatus {
			t.Errorf("request %s: status %v, want %s", id, v["status"], wantStatus)
		}
		o.must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id + "/events", Key: s1})
		return v
	}
	// openCase: an order of B1 at S1 (delivered or only shipped), a
	// refund-only request the seller refuses, the buyer's escalation: the
	// case it opens.
	openCase := func(orderID string, amount int, reason string, delivered, premium bool, before ...func(as string)) (string, string) {
		t.Helper()
		facts := map[string]any{"buyer_id": "B1", "seller_id": "S1", "amount": amount, "buyer_premium": premium,
			"items": []map[string]any{{"sku": "SKU-" + orderID, "title": "商品 " + orderID, "quantity": 1, "price": amount}}}
		o.must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + orderID, Key: integ, Body: facts})
		events := []map[string]any{{"type": "paid", "at": at(-5)}, {"type": "shipped", "at": at(-4), "carrier": "SF", "tracking_no": "SF" + orderID}}
		if delivered {
			events = append(events, map[string]any{"type": "delivered", "at": at(-2), "signed_by": "本人"})
		}
		for _, ev := range events {
			o.must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/events", Key: integ, Body: ev})
		}
		as := o.must(201, apitest.Req{Method: "POST", Path: "/v1/aftersales", Key: b1,
			Body: map[string]any{"order_id": orderID, "type": "refund_only", "reason": reason, "amount": amount}}).Str("id")
		for _, f := range before {
			f(as)
		}
		o.must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/refuse", Key: s1, Body: map[string]any{"reason_code": "goods_intact", "reason": "商品无问题", "evidence": []string{"质检单"}}})
		o.must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + as + "/escalate", Key: b1, Body: map[string]any{"reason": "协商不成"}})
		for _, it := range o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes?status=EVIDENCE", Key: b1}).JSON()["items"].([]any) {
			if c := it.(map[string]any); c["aftersale_id"] == as {
				return as, c["id"].(string)
			}
		}
		t.Fatalf("escalating %s opened no case", as)
		return "", ""
	}
	judgeBody := func(outcome string, amount int, fault string, evidence ...string) map[string]any {
		b := map[string]any{"outcome": outcome, "fault": fault, "reason": "依据双方证据判定", "rule_ids": []string{"taobao-dispute-65", "taobao-dispute-66"}}
		if amount != 0 {
			b["amount"] = amount
		}
		if evidence != nil {
			b["evidence_ids"] = evidence
		}
		return b
	}

	// ---- K1: evidence by both parties, review, judgment for the buyer,
	// the seller's appeal upheld by the senior tier.
	// Evidence uploaded to the request's chain before the case opens: what
	// add-evidence may name (its own party's, this chain's).
	uploadTo := func(key, as, name string) string {
		body, ct := multipartBody(t, map[string]string{"case_id": as, "caption": "举证 " + name}, name+".png", pngBytes(t, 3, 3))
		return o.must(201, apitest.Req{Method: "POST", Path: "/v1/evidence", Key: key, Body: body, Header: map[string]string{"Content-Type": ct}}).Str("id")
	}
	var evPhoto, evS1, evS2 string
	as1, k1 := openCase("D1", 19900, "quality_problem", true, false, func(as string) {
		evPhoto, evS1, evS2 = uploadTo(b1, as, "photo"), uploadTo(s1, as, "s1"), uploadTo(s1, as, "s2")
	})
	v := get(k1, b1)
	status(v, "EVIDENCE")
	allowed(v, "[add-evidence done-evidence suspend withdraw]")
	if d, _ := v["deadline"].(map[string]any); d["kind"] != "evidence_window" || d["rule_id"] == nil || len(v["missing"].([]any)) != 2 {
		t.Errorf("opened case: %v", v)
	}
	for _, k := range []string{s1, agent, senior, admin, integ} {
		get(k1, k)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k1, Key: integ, ActAs: "buyer:B1"})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k1, Key: b2})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k1, Key: s2})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k1, Key: integ, ActAs: "seller:S2"})

	if v := act(k1, dispute.AddEvidence, b1, map[string]any{"evidence_id": evPhoto, "satisfies": []string{"defect_photos"}}, 200, nil).JSON(); len(v["missing"].([]any)) != 1 {
		t.Errorf("after the buyer's evidence: missing %v", v["missing"])
	}
	// Not the acting party's, not this chain's, or no evidence at all: 422, nothing ticked.
	for _, id := range []string{evS2, "ev-none"} {
		if p := problemOf(t, act(k1, dispute.AddEvidence, b1, map[string]any{"evidence_id": id}, 422, nil)); p["errors"].([]any)[0].(map[string]any)["field"] != "evidence_id" {
			t.Errorf("add-evidence %s: %v", id, p)
		}
	}
	actAs(k1, dispute.AddEvidence, "seller:S1", map[string]any{"evidence_id": evS1}, 200)
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/disputes/" + k1 + "/add-evidence", Key: b1, Body: map[string]any{"evidence_id": "ev-x", "satisfies": []string{"source_vouchers"}}})
	rejects(k1, dispute.AddEvidence, b1, map[string]any{"satisfies": []string{"defect_photos"}})
	rejects(k1, dispute.AddEvidence, b1, map[string]any{"evidence_id": ""})
	if p := problemOf(t, act(k1, dispute.Judge, agent, judgeBody("refund_full", 0, "seller"), 409, nil)); p["current_status"] != "EVIDENCE" || fmt.Sprint(p["allowed_actions"]) != "[add-evidence done-evidence suspend withdraw]" {
		t.Errorf("judging during evidence: %v", p)
	}
	act(k1, dispute.Claim, agent, nil, 409, nil)
	act(k1, dispute.Withdraw, s1, nil, 403, nil)
	act(k1, dispute.DoneEvidence, b1, nil, 200, nil)
	act(k1, dispute.DoneEvidence, b1, nil, 409, nil)
	act(k1, dispute.AddEvidence, b1, map[string]any{"evidence_id": "ev-late"}, 409, nil)
	v = act(k1, dispute.DoneEvidence, s1, map[string]any{}, 200, nil).JSON()
	status(v, "REVIEW")
	allowed(v, "[add-evidence claim reassign suspend withdraw]")
	if v["deadline"] != nil || v["sla_due_at"] == nil || len(v["next_steps"].(map[string]any)["platform"].([]any)) == 0 {
		t.Errorf("case in review: %v", v)
	}

	// Review: evidence still accepted; claim, release, extend, reassign.
	act(k1, dispute.AddEvidence, s1, map[string]any{"evidence_id": evS2, "satisfies": []string{"source_vouchers"}}, 200, nil)
	act(k1, dispute.Judge, agent, judgeBody("refund_full", 0, "seller"), 409, nil) // not claimed
	act(k1, dispute.Claim, b1, nil, 403, nil)
	agentID := act(k1, dispute.Claim, agent, nil, 200, nil).Str("assignee")
	if agentID == "" {
		t.Fatalf("claim set no assignee")
	}
	act(k1, dispute.Claim, senior, nil, 409, nil)
	act(k1, dispute.Release, senior, nil, 409, nil)
	if v := act(k1, dispute.Release, agent, nil, 200, nil).JSON(); v["assignee"] != nil {
		t.Errorf("released case keeps assignee %v", v["assignee"])
	}
	act(k1, dispute.Claim, agent, map[string]any{}, 200, nil)
	rejects(k1, dispute.Extend, agent, map[string]any{"working_days": 11, "reason": "太久"})
	rejects(k1, dispute.Extend, agent, map[string]any{"working_days": 2})
	rejects(k1, dispute.Extend, agent, map[string]any{"working_days": "2", "reason": "类型错误"})
	act(k1, dispute.Extend, senior, map[string]any{"working_days": 2, "reason": "调取物流记录"}, 409, nil) // not the assignee
	due := v["sla_due_at"]
	if v := act(k1, dispute.Extend, agent, map[string]any{"working_days": 2, "reason": "调取物流记录"}, 200, nil).JSON(); v["sla_due_at"] == due || v["sla_extended"] != "调取物流记录" {
		t.Errorf("extended case: %v", v)
	}
	act(k1, dispute.Reassign, agent, map[string]any{"assignee": agentID}, 403, nil)
	rejects(k1, dispute.Reassign, admin, map[string]any{"assignee": " "})
	act(k1, dispute.Reassign, admin, map[string]any{"assignee": agentID}, 200, nil)

	// Assessing the evidence (质证, taobao-dispute-9): the holder only, a
	// piece of this case only, a rejection with its reason; a second
	// verdict on a piece replaces the first.
	assess := func(id, verdict, reason string) map[string]any {
		return map[string]any{"evidence_id": id, "verdict": verdict, "reason": reason}
	}
	act(k1, dispute.AssessEvidence, b1, assess(evPhoto, "accepted", ""), 403, nil)
	act(k1, dispute.AssessEvidence, senior, assess(evPhoto, "accepted", ""), 409, nil) // not the holder
	rejects(k1, dispute.AssessEvidence, agent, assess(evPhoto, "maybe", ""))
	rejects(k1, dispute.AssessEvidence, agent, map[string]any{"verdict": "accepted"})
	for _, body := range []map[string]any{assess("ev-none", "accepted", ""), assess(evS2, "rejected", " ")} {
		if p := problemOf(t, o.fail(400, apitest.Req{Method: "POST", Path: "/v1/disputes/" + k1 + "/assess-evidence", Key: agent, Body: body})); p["errors"] == nil {
			t.Errorf("assess %v: %v", body, p)
		}
	}
	act(k1, dispute.AssessEvidence, agent, assess(evS2, "rejected", "进货凭证日期晚于发货日期"), 200, nil)
	act(k1, dispute.AssessEvidence, agent, assess(evPhoto, "rejected", "照片模糊"), 200, nil)
	v = act(k1, dispute.AssessEvidence, agent, assess(evPhoto, "accepted", ""), 200, nil).JSON()
	if as, _ := v["assessments"].([]any); len(as) != 2 || as[0].(map[string]any)["verdict"] != "rejected" || as[1].(map[string]any)["verdict"] != "accepted" || as[1].(map[string]any)["reason"] != nil {
		t.Errorf("assessments %v", v["assessments"])
	}
	if v := get(k1, b1); v["assessments"] == nil {
		t.Error("the buyer does not see the verdicts")
	}

	// Judgments the server and the document refuse, then the judgment,
	// executed on the request.
	rejects(k1, dispute.Judge, agent, map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "x", "rule_ids": []string{}})
	rejects(k1, dispute.Judge, agent, map[string]any{"outcome": "refund_all", "fault": "seller", "reason": "x", "rule_ids": []string{"taobao-dispute-66"}})
	rejects(k1, dispute.Judge, agent, map[string]any{"outcome": "refund_full", "fault": "seller", "reason": "x", "rule_ids": []string{"article 66"}})
	rejects(k1, dispute.Judge, agent, map[string]any{"outcome": "refund_full", "fault": "seller", "reason": " ", "rule_ids": []string{"taobao-dispute-66"}})
	rejects(k1, dispute.Judge, agent, map[string]any{"outcome": "refund_full", "reason": "x", "rule_ids": []string{"taobao-dispute-66"}})
	rejects(k1, dispute.Judge, agent, judgeBody("refund_partial", 0, "seller"))
	rejects(k1, dispute.Judge, agent, judgeBody("release_to_seller", 100, "buyer"))
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/disputes/" + k1 + "/judge", Key: agent, Body: judgeBody("refund_partial", 19900, "seller")})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/disputes/" + k1 + "/judge", Key: agent, Body: judgeBody("refund_full", 100, "seller")})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/disputes/" + k1 + "/judge", Key: agent, Body: judgeBody("refund_full", 0, "seller", "ev-unknown")})
	v = act(k1, dispute.Judge, agent, judgeBody("refund_full", 0, "seller", evPhoto), 200, nil).JSON()
	status(v, "JUDGED")
	allowed(v, "[appeal]")
	if j, _ := v["judgment"].(map[string]any); j["freight_payer"] != "seller" || j["amount"] != float64(19900) || v["appeal_due_at"] == nil {
		t.Errorf("judged case: %v", v)
	}
	if d, _ := v["deadline"].(map[string]any); d["kind"] != "appeal_window" || d["on_expiry"] != "final" {
		t.Errorf("judged case deadline: %v", v["deadline"])
	}
	if a := request(as1, "SUCCESS"); a["refunded"] != float64(19900) {
		t.Errorf("request after the judgment: %v", a)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/orders/D1/events", Key: integ}) // refunded by the platform

	// Appeals: a bare disagreement, old evidence, no reason; then the
	// seller's appeal with new evidence goes to the senior tier.
	rejects(k1, dispute.AppealCase, s1, map[string]any{"reason": "我不同意"})
	rejects(k1, dispute.AppealCase, s1, map[string]any{"reason": "我不同意", "evidence_ids": []string{}})
	rejects(k1, dispute.AppealCase, s1, map[string]any{"evidence_ids": []string{"ev-invoice"}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/disputes/" + k1 + "/appeal", Key: s1, Body: map[string]any{"reason": "旧证据", "evidence_ids": []string{evS1}}})
	act(k1, dispute.AppealCase, agent, map[string]any{"reason": "x", "procedural_error": "y"}, 403, nil)
	v = act(k1, dispute.AppealCase, s1, map[string]any{"reason": "补充进货凭证", "evidence_ids": []string{evS1, "ev-invoice"}}, 200, nil).JSON()
	status(v, "APPEALED")
	if ap, _ := v["appeal"].(map[string]any); v["senior"] != true || ap["party"] != "seller" || fmt.Sprint(ap["evidence_ids"]) != "[ev-invoice]" {
		t.Errorf("appealed case: %v", v)
	}
	if p := problemOf(t, act(k1, dispute.AppealCase, b1, map[string]any{"reason": "再申诉", "procedural_error": "x"}, 409, nil)); p["rule_id"] == nil {
		t.Errorf("second appeal: %v", p)
	}
	act(k1, dispute.Claim, agent, nil, 403, nil)
	act(k1, dispute.DecideAppeal, agent, map[string]any{"uphold": true, "reason": "维持"}, 403, nil)
	act(k1, dispute.DecideAppeal, senior, map[string]any{"uphold": true, "reason": "维持"}, 409, nil) // not claimed
	act(k1, dispute.Claim, senior, nil, 200, nil)
	rejects(k1, dispute.DecideAppeal, senior, map[string]any{"uphold": true})
	rejects(k1, dispute.DecideAppeal, senior, map[string]any{"reason": "改判"})
	rejects(k1, dispute.DecideAppeal, senior, map[string]any{"uphold": false, "outcome": "refund_partial", "fault": "both", "reason": "改判", "rule_ids": []string{"taobao-dispute-49"}})
	// An overturn of the executed refund (ours-appeal-overturn): the fund pays
	// the seller back, the buyer keeps the refund, a recovery claim is recorded.
	v = act(k1, dispute.DecideAppeal, senior, map[string]any{"outcome": "refund_partial", "amount": 9900, "fault": "both", "reason": "进货凭证部分成立，改判部分退款",
		"rule_ids": []string{"taobao-dispute-66"}}, 200, nil).JSON()
	status(v, "FINAL")
	if f, _ := v["final_judgment"].(map[string]any); f == nil || f["revision"] == nil || f["revision"].(map[string]any)["recovery_claim"] != float64(10000) {
		t.Errorf("overturned case: %v", v["final_judgment"])
	}
	allowed(v, "[]")
	if f, _ := v["final_judgment"].(map[string]any); f["senior"] != true || v["deadline"] != nil {
		t.Errorf("final case: %v", v)
	}
	evs := o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k1 + "/events?limit=4", Key: s1})
	o.nextPage("case events", evs, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k1 + "/events?cursor=", Key: s1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k1 + "/events", Key: senior})
	o.fail(404, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k1 + "/events", Key: b2})
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k1 + "/events?cursor=YWJj", Key: b1})

	// ---- K2 (goods shipped, not received): the seller stays silent and its
	// window expires; K4 (large: the senior tier's from the start) and K5
	// reach review through the integration; the queue puts the premium
	// buyer's K5 first.
	as2, k2 := openCase("D2", 5000, "not_received", false, false)
	if v := act(k2, dispute.DoneEvidence, b1, nil, 200, nil).JSON(); v["status"] != "EVIDENCE" || v["deadline"] == nil {
		t.Errorf("one side done: %v", v)
	}
	as4, k4 := openCase("D4", 800000, "not_as_described", true, false)
	if v := get(k4, agent); v["senior"] != true {
		t.Errorf("a large case is not the senior tier's: %v", v)
	}
	as5, k5 := openCase("D5", 12000, "damaged_in_transit", true, true)
	for _, k := range []string{k4, k5} {
		actAs(k, dispute.DoneEvidence, "buyer:B1", nil, 200)
		actAs(k, dispute.DoneEvidence, "seller:S1", nil, 200)
	}
	e.Clock.Advance(3*24*time.Hour + time.Minute)
	fire()
	v = get(k2, agent)
	status(v, "REVIEW")
	if m := v["missing"].([]any); len(m) != 1 || m[0].(map[string]any)["party"] != "seller" {
		t.Errorf("after the seller's window: %v", v)
	}
	e.Clock.Advance(6 * 24 * time.Hour) // past the review SLA
	if v := get(k4, agent); v["sla_breached"] != true {
		t.Errorf("review past its SLA: %v", v)
	}
	q := o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes?order=queue&status=REVIEW&limit=1", Key: agent}).JSON()
	if items := q["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != k5 || q["next_cursor"] == nil {
		t.Errorf("queue head: %v", q)
	} else {
		q2 := o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes?order=queue&status=REVIEW&limit=1&cursor=" + q["next_cursor"].(string), Key: agent}).JSON()
		if items := q2["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] == k5 {
			t.Errorf("queue page 2: %v", q2)
		}
	}
	o.fail(400, apitest.Req{Method: "GET", Path: "/v1/disputes?order=queue&cursor=YWJj", Key: agent})
	page := o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes?limit=2", Key: integ})
	o.nextPage("disputes", page, apitest.Req{Method: "GET", Path: "/v1/disputes?limit=2&cursor=", Key: integ})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes?status=WITHDRAWN", Key: s1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes", Key: integ, ActAs: "seller:S1"})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes?order=queue", Key: senior})
	if res := o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes", Key: b2}); len(res.JSON()["items"].([]any)) != 0 {
		t.Errorf("B2 sees others' cases: %s", res.Body)
	}
	o.rejects(400, apitest.Req{Method: "GET", Path: "/v1/disputes?limit=0", Key: agent})

	// Judgments for the seller, return first, part refund: each executed.
	act(k2, dispute.Claim, agent, nil, 200, nil)
	v = act(k2, dispute.Judge, agent, map[string]any{"outcome": "release_to_seller", "fault": "buyer", "reason": "物流显示已妥投", "rule_ids": []string{"taobao-dispute-38"}}, 200, nil).JSON()
	if j, _ := v["judgment"].(map[string]any); len(j["evidence_ids"].([]any)) != 0 || j["freight_payer"] != "buyer" {
		t.Errorf("judgment for the seller: %v", v)
	}
	if a := request(as2, "CLOSED"); a["closed_reason"] != "judged_for_seller" {
		t.Errorf("request after a judgment for the seller: %v", a)
	}
	act(k4, dispute.Claim, agent, nil, 403, nil)
	act(k4, dispute.Claim, senior, nil, 200, nil)
	act(k4, dispute.Judge, senior, judgeBody("return_then_refund", 800000, "seller"), 200, nil)
	if a := request(as4, "WAIT_BUYER_RETURN_GOODS"); a["type"] != "return_and_refund" || a["deadline"] == nil {
		t.Errorf("request after return_then_refund: %v", a)
	}
	actAs(k5, dispute.Claim, "buyer:B1", nil, 403)
	act(k5, dispute.Claim, agent, nil, 200, nil)
	act(k5, dispute.Judge, agent, judgeBody("refund_partial", 6000, "both"), 200, nil)
	if a := request(as5, "SUCCESS"); a["refunded"] != float64(6000) {
		t.Errorf("request after a part refund: %v", a)
	}
	// Nobody appeals: final when the window passes.
	e.Clock.Advance(7*24*time.Hour + time.Minute)
	fire()
	v = get(k2, b1)
	status(v, "FINAL")
	if v["final_judgment"] == nil || v["deadline"] != nil {
		t.Errorf("final after the appeal window: %v", v)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k2 + "/events", Key: b1})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k4 + "/events", Key: agent})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k5 + "/events", Key: integ})
	request(as4, "CLOSED") // the return was never shipped
	act(k2, dispute.AppealCase, b1, map[string]any{"reason": "晚了", "evidence_ids": []string{"ev-new"}}, 409, nil)

	// ---- K3: the buyer withdraws (idempotently); the request closes.
	as3, k3 := openCase("D3", 3000, "not_received", false, false)
	act(k3, dispute.Withdraw, s1, nil, 403, nil)
	idem := map[string]string{"Idempotency-Key": "withdraw-" + k3}
	first := act(k3, dispute.Withdraw, b1, map[string]any{"reason": "已收到货"}, 200, idem)
	status(first.JSON(), "WITHDRAWN")
	again := act(k3, dispute.Withdraw, b1, map[string]any{"reason": "已收到货"}, 200, idem)
	if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, again.Body) || again.Header.Get("ETag") != first.Header.Get("ETag") {
		t.Errorf("withdraw replay: %q %q %q", again.Header.Get("Idempotent-Replayed"), again.Header.Get("ETag"), first.Header.Get("ETag"))
	}
	act(k3, dispute.Withdraw, b1, map[string]any{"reason": "另一个理由"}, 422, idem)
	if a := request(as3, "CLOSED"); a["closed_reason"] != "buyer_cancelled_intervention" || a["cs_status"] != float64(7) {
		t.Errorf("request after withdrawal: %v", a)
	}
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + k3 + "/events", Key: b1})

	// ---- Every action: the errors each can answer, on the final case K1.
	for _, a := range disputeActions {
		own, wrong, other := b1, agent, b2
		switch a {
		case dispute.Claim, dispute.Release, dispute.Extend, dispute.Judge, dispute.Advance, dispute.ResolveAdvance, dispute.AssessEvidence:
			own, wrong, other = agent, b1, ""
		case dispute.Suspend, dispute.Resume:
			wrong = agent
		case dispute.Reassign:
			own, wrong, other = admin, agent, ""
		case dispute.DecideAppeal:
			own, wrong, other = senior, agent, ""
		case dispute.Withdraw:
			wrong = s1
		}
		path := "/v1/disputes/" + k1 + "/" + string(a)
		if p := problemOf(t, act(k1, a, own, disputeActionBody(a, "a"), 409, nil)); p["current_status"] != "FINAL" {
			t.Errorf("%s on a final case: %v", a, p)
		}
		if p := problemOf(t, act(k1, a, wrong, disputeActionBody(a, "a"), 403, nil)); p["code"] != "forbidden" {
			t.Errorf("%s by the wrong role: %v", a, p)
		}
		act(k1, a, integ, disputeActionBody(a, "a"), 403, nil) // the integration acts only for a party
		if other != "" {
			act(k1, a, other, disputeActionBody(a, "a"), 404, nil)
		}
		act("no-such-case", a, own, disputeActionBody(a, "a"), 404, nil)
		act(k1, a, "", disputeActionBody(a, "a"), 401, nil)
		o.rejects(400, apitest.Req{Method: "POST", Path: path, Key: own, Body: map[string]any{"unexpected": true}})
		o.rejects(400, apitest.Req{Method: "POST", Path: path, Key: own, Body: `{"reason": `})
		// Every property the document lists is one the server decodes.
		if res := act(k1, a, own, exampleBody(t, o.doc, "/v1/disputes/{id}/"+string(a)), 409, nil); res.Status == 400 {
			t.Errorf("%s: the server refuses a property the document lists: %s", a, res.Body)
		}
		// Idempotency: a refusal is stored and replayed; another body is 422.
		k := map[string]string{"Idempotency-Key": "dk-" + string(a)}
		first := act(k1, a, own, disputeActionBody(a, "a"), 409, k)
		again := act(k1, a, own, disputeActionBody(a, "a"), 409, k)
		if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.Body, again.Body) {
			t.Errorf("%s: refusal not replayed", a)
		}
		act(k1, a, own, disputeActionBody(a, "b"), 422, k)
	}
	for _, a := range append(strsOf(disputeInternalActions), "frobnicate") {
		o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/disputes/" + k1 + "/" + a, Key: senior}, want: 404, undocumented: true})
	}
	o.do(oasCall{req: apitest.Req{Method: "DELETE", Path: "/v1/disputes/" + k1, Key: admin}, want: 404, undocumented: true})
}

// exampleBody builds a request body holding every property of the
// operation's request schema, with plausible values.
func exampleBody(t testing.TB, doc *openapi3.T, path string) map[string]any {
	t.Helper()
	item := doc.Paths.Value(path)
	var op *openapi3.Operation
	for _, o := range item.Operations() {
		if o.RequestBody != nil {
			op = o
		}
	}
	if op == nil {
		t.Fatalf("%s has no request body", path)
	}
	s := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	out := map[string]any{}
	for name, p := range s.Properties {
		out[name] = exampleValue(p.Value)
	}
	return out
}

func exampleValue(s *openapi3.Schema) any {
	for len(s.AllOf) > 0 && s.Type == nil {
		s = s.AllOf[0].Value
	}
	if len(s.Examples) > 0 {
		return s.Examples[0]
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch {
	case s.Type.Is("integer"):
		n := 100.0
		if s.Max != nil {
			n = min(n, *s.Max)
		}
		if s.Min != nil {
			n = max(n, *s.Min)
		}
		return int(n)
	case s.Type.Is("boolean"):
		return true
	case s.Type.Is("array"):
		return []any{exampleValue(s.Items.Value)}
	case s.Type.Is("object"):
		m := map[string]any{}
		for _, r := range s.Required {
			m[r] = exampleValue(s.Properties[r].Value)
		}
		return m
	case s.Format == "date-time":
		return apitest.Start.Format(time.RFC3339)
	}
	return "B1"
}

// checkMutations replays the recorded exchanges against broken copies of
// the document: each must make some exchange fail, or the validation is not
// looking at what the API sends.
func checkMutations(t *testing.T, records []oasRecord) {
	var base map[string]any
	if err := json.Unmarshal(httpapi.OpenAPI(), &base); err != nil {
		t.Fatal(err)
	}
	schema := func(doc map[string]any, name string) map[string]any {
		return doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
	}
	props := func(doc map[string]any, name string) map[string]any {
		return schema(doc, name)["properties"].(map[string]any)
	}
	mutations := []struct {
		name string
		fn   func(doc map[string]any)
	}{
		{"Aftersale requires a field the API never sends", func(d map[string]any) {
			s := schema(d, "Aftersale")
			s["required"] = append(s["required"].([]any), "resolution")
		}},
		{"Aftersale.deadline is not nullable", func(d map[string]any) { schema(d, "Deadline")["type"] = "object" }},
		{"Order.items is a string", func(d map[string]any) { props(d, "Order")["items"].(map[string]any)["type"] = "string" }},
		{"Aftersale lacks cs_status", func(d map[string]any) { delete(props(d, "Aftersale"), "cs_status") }},
		{"AftersaleStatus lacks CLOSED", func(d map[string]any) {
			schema(d, "AftersaleStatus")["enum"] = []any{"WAIT_SELLER_AGREE", "SELLER_REFUSE_BUYER", "WAIT_BUYER_RETURN_GOODS", "WAIT_SELLER_CONFIRM_GOODS", "SUCCESS"}
		}},
		{"AftersaleEvent type lacks auto_refunded", func(d map[string]any) {
			tp := props(d, "AftersaleEvent")["type"].(map[string]any)
			var keep []any
			for _, v := range tp["enum"].([]any) {
				if v != "auto_refunded" {
					keep = append(keep, v)
				}
			}
			tp["enum"] = keep
		}},
		{"Problem lacks allowed_actions", func(d map[string]any) { delete(props(d, "Problem"), "allowed_actions") }},
		{"Problem.status is a string", func(d map[string]any) { props(d, "Problem")["status"] = map[string]any{"type": "string"} }},
		{"EventActor.role lacks system", func(d map[string]any) {
			props(d, "EventActor")["role"].(map[string]any)["enum"] = []any{"buyer", "seller", "integration", "admin"}
		}},
		{"Policy has one rule fewer", func(d map[string]any) {
			rules := props(d, "Policy")["rules"].(map[string]any)
			delete(rules["properties"].(map[string]any), "penalty.reset")
		}},
		{"Health version is an integer", func(d map[string]any) { props(d, "Health")["version"] = map[string]any{"type": "integer"} }},
		{"Dispute.deadline is not nullable", func(d map[string]any) { schema(d, "DisputeDeadline")["type"] = "object" }},
		{"DisputeJudgment.evidence_ids holds integers", func(d map[string]any) {
			props(d, "DisputeJudgment")["evidence_ids"].(map[string]any)["items"] = map[string]any{"type": "integer"}
		}},
		{"DisputeStatus lacks FINAL", func(d map[string]any) {
			schema(d, "DisputeStatus")["enum"] = []any{"EVIDENCE", "REVIEW", "JUDGED", "APPEALED", "WITHDRAWN"}
		}},
		{"Dispute lacks next_steps", func(d map[string]any) {
			s := schema(d, "Dispute")
			delete(s["properties"].(map[string]any), "next_steps")
			var req []any
			for _, r := range s["required"].([]any) {
				if r != "next_steps" {
					req = append(req, r)
				}
			}
			s["required"] = req
		}},
		{"Problem.allowed_actions holds after-sales actions only", func(d map[string]any) {
			props(d, "Problem")["allowed_actions"].(map[string]any)["items"] = map[string]any{"$ref": "#/components/schemas/Action"}
		}},
		{"DisputeDeadline: evidence windows expire as final", func(d map[string]any) {
			schema(d, "DisputeDeadline")["then"].(map[string]any)["properties"].(map[string]any)["on_expiry"] = map[string]any{"const": "final"}
		}},
		{"DisputeOpened.evidence_ids is an array", func(d map[string]any) {
			props(d, "DisputeOpened")["evidence_ids"] = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
		}},
		{"EventActor.role lacks platform", func(d map[string]any) {
			props(d, "EventActor")["role"].(map[string]any)["enum"] = []any{"buyer", "seller", "system", "integration", "admin"}
		}},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(httpapi.OpenAPI(), &d); err != nil {
				t.Fatal(err)
			}
			m.fn(d)
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			_, router := loadOpenAPI(t, b)
			for _, rec := range records {
				if _, _, resErr := validate(router, rec, false); resErr != nil {
					return // caught
				}
			}
			t.Errorf("no recorded response fails against the broken document")
		})
	}
}
