// Package httpapi is weiquan's JSON API under /v1: API-key authentication,
// Idempotency-Key handling on every POST, RFC 9457 problems, cursor
// pagination and the route table. Handlers call the service layer only.
package httpapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/httpx"
	"github.com/weiquan/weiquan/internal/metrics"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/textengine"
)

// The OpenAPI document is written as sources: openapi.json is the base
// (info, shared components, the foundation's paths) and every
// openapi_*.json fragment adds the paths, tags and components of one
// feature, so that a feature owns its part of the document. The binary
// embeds their merge, gzipped (openapi.merged.json.gz: a tenth of the
// sources' size); TestEmbeddedOpenAPIMatchesSources fails when it is stale
// and `go generate ./internal/httpapi` rewrites it.
//
//go:generate go test -run TestEmbeddedOpenAPIMatchesSources -update-openapi .
//go:embed openapi.merged.json.gz
var openapiGz []byte

var openapiJSON = mustGunzip(openapiGz)

// mustGunzip unpacks an embedded gzip file.
func mustGunzip(b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		panic("httpapi: embedded OpenAPI document: " + err.Error())
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		panic("httpapi: embedded OpenAPI document: " + err.Error())
	}
	return out
}

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openapiJSON }

// ActAsHeader lets an integration key act for a named buyer or seller:
// "buyer:B1001" or "seller:S2001".
const ActAsHeader = "X-Act-As"

// API serves /v1.
type API struct {
	svc     *service.Service
	log     *slog.Logger
	metrics *metrics.Metrics
	version string
	text    *textengine.Engines
	untx    atomic.Int64  // see UntransactedIdem
	away    clock.Backoff // log lines of requests failing because the storage is away
	uploads uploadSlots
	perKey  *httpx.Limiter
}

// SetKeyLimit sets the per-API-key rate limit (nil: none): a key over it
// is answered 429 with Retry-After before its request does anything.
func (a *API) SetKeyLimit(l *httpx.Limiter) { a.perKey = l }

// admit is what every authenticated route does first: the caller from its
// key, the per-key rate limit, and the refusal of text no store keeps
// alike (NUL, not UTF-8) in the path and query (JSON bodies are checked by
// decode). It answers the refusal itself (ok false).
func (a *API) admit(w http.ResponseWriter, r *http.Request) (c service.Caller, scope string, ok bool) {
	c, scope, err := a.authenticate(r)
	if err == nil {
		if allowed, wait := a.perKey.Allow(keyIDOf(c)); !allowed {
			httpx.TooMany(w, r, "每个 API 密钥 / per API key", wait)
			return c, scope, false
		}
		err = httpx.CheckRequestText(r)
	}
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return c, scope, false
	}
	return c, scope, true
}

// keyIDOf is the id of the API key a caller came with ("key:ID" or
// "integration:ID" in Via).
func keyIDOf(c service.Caller) string {
	_, id, _ := strings.Cut(c.Via, ":")
	return id
}

// New returns the API. text is the one set of text engines the process
// shares with the pages (built at start-up); nil gives keyword-only engines
// of this API's own.
func New(svc *service.Service, log *slog.Logger, m *metrics.Metrics, version string, text *textengine.Engines) *API {
	if text == nil {
		text = textengine.New(nil)
	}
	return &API{svc: svc, log: log, metrics: m, version: version, text: text}
}

// Handler returns the whole HTTP handler: /v1, /healthz, /readyz, /metrics.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": a.version})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		db, err := a.svc.Ready(ctx)
		if err != nil {
			httpx.WriteProblem(w, r, &fault.Error{Code: fault.Unavailable, Message: "数据库不可用 / database unavailable", Cause: err})
			return
		}
		// The calendar's coverage is a warning, not unreadiness: still 200.
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"status": "ready", "db": db, "calendar": a.svc.CalendarStatus()})
	})
	if a.metrics != nil {
		// Not public: request counts by route, queue depths and deadline
		// gauges are for the operator (scrape with an admin key as the
		// bearer token).
		mh := a.metrics.Handler()
		mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
			c, _, err := a.authenticate(r)
			if err == nil && c.Role != actor.Admin {
				err = fault.New(fault.Forbidden, "只有管理员密钥可以读取指标 / only admin keys may read /metrics")
			}
			if err != nil {
				httpx.WriteProblem(w, r, err)
				return
			}
			mh.ServeHTTP(w, r)
		})
	}
	mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteRaw(w, http.StatusOK, "application/json", openapiJSON)
	})

	a.route(mux, "GET /v1/policy", a.getPolicy)
	a.route(mux, "PUT /v1/orders/{id}", a.putOrder)
	a.route(mux, "GET /v1/orders/{id}", byID(a.svc.GetOrder))
	a.route(mux, "GET /v1/orders", a.listOrders)
	a.route(mux, "POST /v1/orders/{id}/events", withBody(a.postOrderEvent), idemInTx)
	a.route(mux, "GET /v1/orders/{id}/events", a.orderEvents)
	a.route(mux, "POST /v1/aftersales", withBody(a.createAftersale), idemInTx, created)
	a.route(mux, "GET /v1/aftersales", a.listAftersales)
	a.route(mux, "GET /v1/aftersales/{id}", viewByID(a.svc.GetAftersale, a.aftersaleView))
	a.route(mux, "GET /v1/aftersales/{id}/events", a.aftersaleEvents)
	a.route(mux, "POST /v1/aftersales/{id}/{action}", a.actAftersale, idemInTx)
	a.route(mux, "POST /v1/evidence", a.uploadEvidence, streamed, created)
	a.route(mux, "GET /v1/evidence", a.listEvidence)
	a.route(mux, "GET /v1/evidence/{id}", a.getEvidence)
	mux.HandleFunc("GET /v1/evidence/{id}/content", a.evidenceContent)
	a.route(mux, "GET /v1/ledger/accounts/{id}", a.getAccount)
	a.route(mux, "GET /v1/orders/{id}/ledger", viewByID(a.svc.OrderLedger, func(l service.OrderLedger) OrderLedgerView { return OrderLedgerView(l) }))
	a.route(mux, "GET /v1/messages", a.listMessages)
	a.route(mux, "POST /v1/messages/{id}/read", viewByID(a.svc.ReadSiteMessage, messageView))
	a.route(mux, "POST /v1/webhooks", webhookCaller(withBody(a.createWebhook)), created)
	a.route(mux, "GET /v1/webhooks", webhookCaller(a.listWebhooks))
	a.route(mux, "PATCH /v1/webhooks/{id}", webhookCaller(withBody(a.updateWebhook)))
	a.route(mux, "DELETE /v1/webhooks/{id}", webhookCaller(a.deleteWebhook))
	a.route(mux, "POST /v1/webhooks/{id}/replay", webhookCaller(withBody(a.replayWebhook)))
	a.route(mux, "POST /v1/webhooks/{id}/rotate-secret", webhookCaller(withBody(a.rotateWebhookSecret)))
	a.route(mux, "GET /v1/webhooks/{id}/deliveries", webhookCaller(a.listWebhookDeliveries))
	a.route(mux, "POST /v1/webhooks/{id}/deliveries/{message_id}/retry", webhookCaller(a.retryWebhookDelivery))
	a.route(mux, "GET /v1/disputes", a.listDisputes)
	a.route(mux, "GET /v1/disputes/{id}", a.getDispute)
	a.route(mux, "GET /v1/disputes/{id}/events", a.disputeEvents)
	a.route(mux, "POST /v1/disputes/{id}/{action}", a.actDispute, idemInTx)
	a.interventionRoutes(mux)
	a.complaintRoutes(mux)
	a.scriptRoutes(mux)
	a.qualityRoutes(mux)
	a.peopleRoutes(mux)
	a.issue13Routes(mux)
	a.protectionRoutes(mux)
	a.negotiationRoutes(mux)
	a.testClockRoutes(mux)
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteProblem(w, r, fault.New(fault.NotFound, "没有这个接口 / no such endpoint: %s %s", r.Method, r.URL.Path))
	})

	var obs httpx.Observe
	if a.metrics != nil {
		obs = a.metrics.Request
	}
	return httpx.WithRequestID(httpx.AccessLog(a.log, obs, httpx.Recover(a.log, mux)))
}

// handler is an authenticated endpoint: it returns a status and a value to
// encode, or an error rendered as a problem.
type handler func(r *http.Request, c service.Caller, body []byte) (int, any, error)

// routeSpec is what a route says about itself where it is registered: its
// body limit and how a POST with an Idempotency-Key is made exactly-once.
type routeSpec struct {
	maxBody int64
	// inTx: the handler runs one service command that stores the
	// Idempotency-Key response in its own transaction (no reservation).
	// Otherwise the key is reserved before the handler runs. A route marked
	// inTx whose handler answers without that is logged and counted
	// (UntransactedIdem), and a test fails on it.
	inTx bool
	// created: a success is 201 Created (also when the service renders the
	// stored response inside its transaction).
	created bool
	// stream: the handler reads the body itself, as it arrives (evidence
	// uploads: the file part goes straight to the blob store); route caps
	// it at the evidence file limit plus a little, bounds the uploads
	// running at once per caller and gives the body a longer read deadline.
	stream bool
	// bodyDigest: a streamed request's body hash (set per request, for its
	// Idempotency-Key: the body is spooled to a temporary file first).
	bodyDigest string
}

// routeOpt sets a property of a route at its registration.
type routeOpt func(*routeSpec)

// idemInTx marks a POST route whose handler stores its idempotent response
// in the service command's transaction (see routeSpec.inTx).
func idemInTx(s *routeSpec) { s.inTx = true }

// created marks a POST route that answers 201 Created.
func created(s *routeSpec) { s.created = true }

// streamed marks a route whose handler reads the body as it arrives
// (see routeSpec.stream).
func streamed(s *routeSpec) { s.stream = true }

// route registers an authenticated endpoint with its properties: every
// POST with an Idempotency-Key goes through idempotent, driven by the
// route's spec; nothing else lists routes.
func (a *API) route(mux *http.ServeMux, pattern string, h handler, opts ...routeOpt) {
	spec := routeSpec{maxBody: httpx.MaxBody}
	for _, o := range opts {
		o(&spec)
	}
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c, scope, ok := a.admit(w, r)
		if !ok {
			return
		}
		var body []byte
		if spec.stream {
			done, err := a.streamBody(w, r, c, scope, &spec)
			defer done()
			if err != nil {
				a.problem(w, r, err)
				return
			}
		} else if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			var err error
			if body, err = httpx.ReadBodyMax(r, spec.maxBody); err != nil {
				httpx.WriteProblem(w, r, err)
				return
			}
		}
		// A sandbox request on an object of a test clock runs at the
		// clock's time (testclocks.go).
		r, err := a.onClock(r, body)
		if err != nil {
			a.problem(w, r, err)
			return
		}
		if r.Method == http.MethodPost && r.Header.Get("Idempotency-Key") != "" {
			a.idempotent(w, r, spec, c, scope, body, h)
			return
		}
		status, v, err := h(r, c, body)
		if err != nil {
			a.problem(w, r, err)
			return
		}
		setETag(w, v)
		if av, ok := v.(AftersaleView); ok && status == http.StatusCreated {
			w.Header().Set("Location", "/v1/aftersales/"+av.ID)
		}
		httpx.WriteJSON(w, status, v)
	})
}

func (a *API) problem(w http.ResponseWriter, r *http.Request, err error) {
	if fault.StorageUnavailable(err) {
		// 503 with Retry-After; while the storage is away every request
		// fails alike, so the log says so with back-off.
		if ok, held := a.away.Allow(time.Now()); ok {
			a.log.WarnContext(r.Context(), "storage unavailable", "request_id", httpx.RequestID(r.Context()), "err", err, "suppressed", held)
		}
	} else if httpx.Status(err) >= 500 {
		a.log.ErrorContext(r.Context(), "request failed", "request_id", httpx.RequestID(r.Context()), "err", err)
	}
	httpx.WriteProblem(w, r, err)
}

// idemCall is one POST with an Idempotency-Key: what identifies it and
// whether a reservation is still outstanding.
type idemCall struct {
	a                       *API
	st                      *service.Service
	w                       http.ResponseWriter
	r                       *http.Request
	spec                    routeSpec
	scope, key, hash, token string
	// settled: nothing to release at the end (a response is stored, or
	// nothing was reserved); a reservation left unsettled (a panic, a 5xx)
	// is released so that a retry executes again.
	settled bool
}

// idempotent: same key and body → the stored response; same key, other
// body → 422. Exactly once under concurrency: the request first reserves
// the key (a unique insert of a pending row, store.ReserveIdem); a
// concurrent request with the same key finds the reservation and waits for
// the response, then replays it. The winner's response is stored in the
// command's own transaction (routes registered with idemInTx) or after the
// handler (handlers outside the service's transactions: webhook endpoints,
// site messages, evidence upload; refusals, 4xx); a 5xx releases the
// reservation so that a retry executes again. A reservation older than
// idemLease (its request died) is taken over by the next request.
func (a *API) idempotent(w http.ResponseWriter, r *http.Request, spec routeSpec, c service.Caller, scope string, body []byte, h handler) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		httpx.WriteProblem(w, r, fault.Field("Idempotency-Key", "不超过255个字符 / at most 255 characters"))
		return
	}
	hashed := body
	if spec.stream {
		hashed = []byte("stream sha256:" + spec.bodyDigest)
	}
	sum := sha256.Sum256([]byte(r.Method + " " + r.URL.Path + " " + r.Header.Get(ActAsHeader) + "\n" + string(hashed)))
	ic := &idemCall{a: a, st: a.svc, w: w, r: r, spec: spec, scope: scope, key: key, hash: hex.EncodeToString(sum[:])}
	if spec.inTx {
		// A service command stores its response in its own transaction,
		// where the idempotency table's primary key makes the key
		// exactly-once (the loser of a race, or a retry, rolls back and
		// replays the stored response): no reservation and no read before,
		// one insert in the command's transaction. A retry costs a
		// rolled-back command; every first request saves a round trip.
		ic.settled = true // nothing reserved, nothing to release
	} else {
		// Other handlers reserve the key first.
		ic.token = idemToken()
		if ic.acquire(true) {
			return
		}
		ic.renew()
	}
	defer ic.release()
	ic.run(c, body, h)
}

// replay writes a stored response (or 422 when the key came with another
// request).
func (ic *idemCall) replay(rec store.IdemRecord) {
	w, r := ic.w, ic.r
	if rec.BodyHash != ic.hash {
		httpx.WriteProblem(w, r, &fault.Error{Code: fault.Unprocessable, Field: "Idempotency-Key",
			Message: "该幂等键已用于不同的请求 / this Idempotency-Key was used with a different request"})
		return
	}
	w.Header().Set("Idempotent-Replayed", "true")
	ct := "application/json"
	if rec.Status >= 400 {
		ct = "application/problem+json"
	} else {
		setHeadersFromBody(w, r, rec.Status, rec.Response)
	}
	httpx.WriteRaw(w, rec.Status, ct, rec.Response)
}

// acquire reserves the key (written=false: this request owns it and
// executes), or waits for the request that holds it and replays its
// response (written=true). With reserve=false (this request executed but
// lost its reservation) it only waits: written=false then means no other
// response appeared and the caller writes its own.
func (ic *idemCall) acquire(reserve bool) (written bool) {
	a, st, r := ic.a, ic.st, ic.r
	start := time.Now()
	pause := 2 * time.Millisecond
	for {
		if reserve {
			ok, err := st.ReserveIdem(r.Context(), store.IdemRecord{Principal: ic.scope, Key: ic.key, Method: r.Method, Path: r.URL.Path, BodyHash: ic.hash, CreatedAt: a.svc.Now(), Token: ic.token})
			if err != nil {
				a.problem(ic.w, r, err)
				return true
			}
			if ok {
				return false
			}
		}
		rec, ok, err := st.GetIdem(r.Context(), ic.scope, ic.key)
		switch {
		case err != nil:
			a.problem(ic.w, r, err)
			return true
		case ok && (!rec.Pending() || rec.BodyHash != ic.hash):
			ic.replay(rec)
			return true
		case !ok && !reserve:
			return false
		case ok && reserve && (a.svc.Now().Sub(rec.CreatedAt) > idemLease || time.Since(start) > 10*idemLease):
			if took, err := st.TakeOverIdem(r.Context(), ic.scope, ic.key, rec.Token, ic.token, a.svc.Now()); err != nil {
				a.problem(ic.w, r, err)
				return true
			} else if took {
				return false
			}
			continue
		case ok && !reserve && time.Since(start) > 10*idemLease:
			return false
		}
		select {
		case <-r.Context().Done():
			a.problem(ic.w, r, r.Context().Err())
			return true
		case <-time.After(pause):
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// renew renews the reservation's lease while the handler runs, so that
// only a reservation whose request died is taken over; it stops when the
// request's context ends.
func (ic *idemCall) renew() {
	st, now := ic.st, ic.a.svc.Now
	ctx := ic.r.Context()
	scope, key, token := ic.scope, ic.key, ic.token
	clock.Every(ctx, idemLease/3, func() { _ = st.TouchIdem(context.WithoutCancel(ctx), scope, key, token, now()) })
}

// release gives up an unsettled reservation (a panic or a 5xx): a retry
// executes again.
func (ic *idemCall) release() {
	if !ic.settled && ic.token != "" {
		_ = ic.st.ReleaseIdem(context.WithoutCancel(ic.r.Context()), ic.scope, ic.key, ic.token)
	}
}

// put stores this request's response; it reports whether another response
// was stored under the key first.
func (ic *idemCall) put(code int, b []byte) (lost bool) {
	r := ic.r
	err := ic.st.PutIdem(context.WithoutCancel(r.Context()), store.IdemRecord{Principal: ic.scope, Key: ic.key, Method: r.Method, Path: r.URL.Path, BodyHash: ic.hash,
		Status: code, Response: b, CreatedAt: ic.a.svc.Now(), Token: ic.token})
	ic.settled = err == nil || err == service.ErrIdemRace
	return err == service.ErrIdemRace
}

// run runs the handler of an idempotent request and stores, writes or
// replays its response.
func (ic *idemCall) run(c service.Caller, body []byte, h handler) {
	a, w, r := ic.a, ic.w, ic.r
	status := http.StatusOK
	if ic.spec.created {
		status = http.StatusCreated
	}
	capture := &service.Idem{Principal: ic.scope, Key: ic.key, Method: r.Method, Path: r.URL.Path, BodyHash: ic.hash, Token: ic.token,
		Render: func(result any) (int, []byte) { return status, mustJSON(a.view(result)) }}
	c.Idem = capture
	st2, v, err := h(r, c, body)
	switch {
	case err == nil && capture.Body != nil:
		ic.settled = true
		setHeadersFromBody(w, r, capture.Status, capture.Body)
		httpx.WriteRaw(w, capture.Status, "application/json", capture.Body)
	case err == nil:
		// A handler outside the service's transactions (webhook endpoints,
		// site messages, evidence upload): its response completes the
		// reservation after it.
		if ic.spec.inTx {
			a.log.ErrorContext(r.Context(), "idempotency: route registered with idemInTx ran outside a service transaction", "route", r.Pattern)
			a.untx.Add(1)
		}
		b := mustJSON(v)
		if ic.put(st2, b) && ic.acquire(false) {
			return
		}
		setETag(w, v)
		httpx.WriteRaw(w, st2, "application/json", b)
	case errors.Is(err, service.ErrIdemRace):
		ic.settled = true
		if !ic.acquire(false) {
			a.problem(w, r, err)
		}
	case httpx.Status(err) < 500:
		p := httpx.ProblemOf(r, err)
		b := httpx.ProblemBytes(p)
		if ic.put(p.Status, b) && ic.acquire(false) {
			return
		}
		httpx.WriteRaw(w, p.Status, "application/problem+json", b)
	default:
		a.problem(w, r, err)
	}
}

// UntransactedIdem counts requests on a route registered with idemInTx
// that stored no response in a service transaction (a misclassified route;
// tests assert it stays 0).
func (a *API) UntransactedIdem() int64 { return a.untx.Load() }

// idemLease: a reservation not renewed for this long is taken to be
// abandoned (its request died before storing a response, e.g. a crash) and
// is taken over by the next request with the key; a running request renews
// it every idemLease/3. A waiter that sees no renewal clock move (a frozen
// test clock) takes over after 10 × idemLease of its own waiting.
const idemLease = 5 * time.Second

func idemToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "pending:" + hex.EncodeToString(b[:])
}

// authenticate resolves the bearer key to a caller. An integration key may
// act for a party with X-Act-As.
func (a *API) authenticate(r *http.Request) (service.Caller, string, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return service.Caller{}, "", fault.New(fault.Unauthorized, "需要 Authorization: Bearer <API key> / Authorization: Bearer <API key> required")
	}
	k, err := a.lookupKey(r.Context(), strings.TrimSpace(tok))
	if err != nil {
		return service.Caller{}, "", err
	}
	c := service.Caller{Role: actor.Role(k.Role), PartyID: k.PartyID, Via: "key:" + k.ID}
	if as := r.Header.Get(ActAsHeader); as != "" {
		if c.Role != actor.Integration {
			return c, "", fault.New(fault.Forbidden, "只有集成方密钥可以使用 %s / only integration keys may use %s", ActAsHeader, ActAsHeader)
		}
		name, party, ok := strings.Cut(as, ":")
		role := actor.Role(name)
		if !ok || (role != actor.Buyer && role != actor.Seller) || !service.ValidID(party) {
			return c, "", fault.Field(ActAsHeader, "格式为 buyer:<ID> 或 seller:<ID> / want buyer:<id> or seller:<id>")
		}
		c = service.Caller{Role: role, PartyID: party, Via: "integration:" + k.ID}
	}
	return c, idemScope(k), nil
}

// idemScope is whose Idempotency-Keys a key's requests share: the
// integration's, or a buyer's or seller's, across all its keys — so that a
// key rotated between a request and its retry replays instead of executing
// again — and a staff key's own (each is one person's).
func idemScope(k store.APIKey) string {
	switch actor.Role(k.Role) {
	case actor.Integration, actor.Buyer, actor.Seller:
		return k.Role + ":" + k.PartyID
	}
	return k.ID
}

// HashKey is how API keys are stored: SHA-256 of the full key (keys carry
// 256 bits of randomness, so a fast hash is enough).
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// lookupKey reads the key from the database on every request (no cache
// that could outlive a revocation: a revoked or expired key is refused on
// its next request, on every replica).
func (a *API) lookupKey(ctx context.Context, tok string) (store.APIKey, error) {
	return a.svc.AuthenticateKey(ctx, HashKey(tok))
}

// ---- pagination ----

func pageParams(r *http.Request) (after string, limit int, err error) {
	limit = 50
	if s := r.URL.Query().Get("limit"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > 200 {
			return "", 0, fault.Field("limit", "须为1–200 / limit must be 1–200")
		}
		limit = n
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		b, derr := base64.RawURLEncoding.DecodeString(c)
		if derr != nil || len(b) == 0 || httpx.CheckText("cursor", string(b)) != nil {
			return "", 0, fault.Field("cursor", "游标无效 / invalid cursor")
		}
		after = string(b)
	}
	return after, limit, nil
}

func cursor(last string) string { return base64.RawURLEncoding.EncodeToString([]byte(last)) }

// Page is a list response.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func page[T any](items []T, limit int, idOf func(T) string) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) == limit && limit > 0 {
		p.NextCursor = cursor(idOf(items[len(items)-1]))
	}
	return p
}

// setETag exposes an object's version as its ETag, for If-Match.
func setETag(w http.ResponseWriter, v any) {
	switch x := v.(type) {
	case AftersaleView:
		w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(x.Version, 10)))
	case order.Order:
		w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(x.Version, 10)))
	case DisputeView:
		w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(x.Version, 10)))
	}
}

// setHeadersFromBody sets ETag (and Location for a creation) on a stored
// idempotent response, read back from its JSON.
func setHeadersFromBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	var v struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
	}
	if json.Unmarshal(body, &v) != nil || v.Version == 0 {
		return
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(v.Version, 10)))
	if status == http.StatusCreated && r.URL.Path == "/v1/aftersales" {
		w.Header().Set("Location", "/v1/aftersales/"+v.ID)
	}
}
