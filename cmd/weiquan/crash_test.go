//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/bench"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// The crash scenario's timing. Every deadline set before the crash is due
// at most maxDeadline after it was set, so a downtime longer than that makes
// all of them come due while the server is down.
const (
	crashWorkers     = 8
	sellerRespond    = 4 * time.Second // aftersale.seller_respond (auto-agree)
	otherDeadlines   = 5 * time.Second // the three other after-sales deadlines
	maxDeadline      = otherDeadlines
	downtime         = maxDeadline + time.Second
	minLoad          = 1500 * time.Millisecond
	maxLoad          = 3 * time.Second // < sellerRespond: nothing fires before the crash
	wantWaiting      = 48              // kill once this many requests sit in WAIT_SELLER_AGREE…
	minWaiting       = 30              // …and require at least this many
	deadlineInterval = 200 * time.Millisecond
)

// expiryEvent is the event each deadline kind writes when it fires.
var expiryEvent = map[string]string{
	string(aftersale.SellerRespond):       string(aftersale.EvAutoAgreed),
	string(aftersale.BuyerAnswerRefusal):  string(aftersale.EvClosed),
	string(aftersale.BuyerShipReturn):     string(aftersale.EvClosed),
	string(aftersale.SellerConfirmReturn): string(aftersale.EvAutoRefunded),
}

// statusDeadline is the deadline an open request without intervention has
// in each status.
var statusDeadline = map[string]string{
	string(aftersale.WaitSellerAgree):        string(aftersale.SellerRespond),
	string(aftersale.SellerRefuseBuyer):      string(aftersale.BuyerAnswerRefusal),
	string(aftersale.WaitBuyerReturnGoods):   string(aftersale.BuyerShipReturn),
	string(aftersale.WaitSellerConfirmGoods): string(aftersale.SellerConfirmReturn),
}

// actionEvent is the event each party action writes.
var actionEvent = map[string]string{
	"agree": "agreed", "refuse": "refused", "counter-offer": "counter_offered", "accept-offer": "offer_accepted",
	"modify": "modified", "escalate": "escalated", "ship-return": "return_shipped", "cancel": "cancelled",
	"confirm-return": "return_confirmed",
}

// scenarios: what a load worker does with each request after opening it.
// Half of them leave the request waiting for the seller.
var scenarios = []string{
	"wait", "agree", "wait", "refuse", "wait-return", "return-confirm", "wait", "refuse-escalate",
	"wait", "counter-accept", "return-agreed", "wait", "refuse-modify", "return-shipped", "wait-return", "cancel",
}

// TestCrashRecovery runs the real binary, drives concurrent after-sales
// lifecycles over HTTP, SIGKILLs the server mid-run, keeps it down while
// the pending deadlines come due, restarts it on the same database and
// checks that nothing acknowledged was lost, every deadline fired exactly
// once after the restart, idempotent responses survived, and SIGTERM stops
// the server cleanly.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: runs the real binary for ~15s per engine")
	}
	bin := weiquanBinary(t)
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		runCrash(t, bin, eng.URL(t))
	})
}

// ---- the server process ----

type serverProc struct {
	cmd     *exec.Cmd
	log     string
	exited  chan struct{}
	waitErr error
}

func startServer(t *testing.T, bin string, args []string, logPath string) *serverProc {
	t.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	p := &serverProc{cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() { p.waitErr = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("---- tail of %s ----\n%s", filepath.Base(logPath), tailFile(logPath, 25))
		}
	})
	return p
}

func (p *serverProc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

func (p *serverProc) waitReady(t *testing.T, base string) {
	t.Helper()
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if !p.running() {
			t.Fatalf("server exited before it was ready: %v\n%s", p.waitErr, tailFile(p.log, 25))
		}
		if res, err := hc.Get(base + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server not ready within 20s\n%s", tailFile(p.log, 25))
}

func (p *serverProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	<-p.exited
	var ee *exec.ExitError
	if !errors.As(p.waitErr, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("server was not killed by SIGKILL: %v", p.waitErr)
	}
}

// terminate sends SIGTERM and returns how long the server took to exit 0.
func (p *serverProc) terminate(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		t.Fatalf("server still running 5s after SIGTERM\n%s", tailFile(p.log, 25))
	}
	took := time.Since(start)
	if p.waitErr != nil {
		t.Fatalf("server exited with %v after SIGTERM (want exit 0)\n%s", p.waitErr, tailFile(p.log, 25))
	}
	return took
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// errorLogLines returns the log lines at level ERROR or above.
func errorLogLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return []string{err.Error()}
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct {
			Level string `json:"level"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && (rec.Level == "ERROR" || strings.HasPrefix(rec.Level, "ERROR+")) {
			out = append(out, sc.Text())
		}
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// ---- the HTTP client ----

// apiClient is the load harness's client, called without a context.
type apiClient struct{ *bench.Client }

func newClient(base, key string) *apiClient {
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	return &apiClient{&bench.Client{Base: base, Key: key, HTTP: &http.Client{Transport: tr, Timeout: 15 * time.Second}}}
}

type apiResp = bench.Response

// do performs one call. An error means no complete response arrived: the
// outcome is unknown.
func (c *apiClient) do(method, path, actAs, idemKey string, body []byte) (apiResp, error) {
	return c.Do(context.Background(), method, path, actAs, idemKey, string(body))
}

// get decodes a 200 response into v; errors are reported, not fatal (it is
// used from several goroutines).
func (c *apiClient) get(t *testing.T, path string, v any) bool {
	res, err := c.do(http.MethodGet, path, "", "", nil)
	if err != nil {
		t.Errorf("GET %s: %v", path, err)
		return false
	}
	if res.Status != http.StatusOK {
		t.Errorf("GET %s: status %d: %s", path, res.Status, res.Body)
		return false
	}
	if err := json.Unmarshal(res.Body, v); err != nil {
		t.Errorf("GET %s: decode: %v", path, err)
		return false
	}
	return true
}

type pageOf[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// getAll follows next_cursor through every page of a list.
func getAll[T any](t *testing.T, c *apiClient, path string) ([]T, bool) {
	var out []T
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	cursor := ""
	for range 10000 {
		p := path
		if cursor != "" {
			p += sep + "cursor=" + url.QueryEscape(cursor)
		}
		var pg pageOf[T]
		if !c.get(t, p, &pg) {
			return out, false
		}
		out = append(out, pg.Items...)
		if pg.NextCursor == "" {
			return out, true
		}
		cursor = pg.NextCursor
	}
	t.Errorf("GET %s: endless pagination", path)
	return out, false
}

// ---- API views ----

type deadlineView struct {
	Kind     string    `json:"kind"`
	Actor    string    `json:"actor"`
	DueAt    time.Time `json:"due_at"`
	OnExpiry string    `json:"on_expiry"`
	RuleID   string    `json:"rule_id"`
}

type aftersaleView struct {
	ID           string          `json:"id"`
	OrderID      string          `json:"order_id"`
	Type         string          `json:"type"`
	Status       string          `json:"status"`
	Amount       int64           `json:"amount"`
	Refunded     int64           `json:"refunded"`
	Intervention json.RawMessage `json:"intervention"`
	Deadline     *deadlineView   `json:"deadline"`
	Version      int64           `json:"version"`
}

func (a aftersaleView) open() bool { return a.Status != "SUCCESS" && a.Status != "CLOSED" }
func (a aftersaleView) underIntervention() bool {
	return len(a.Intervention) > 0 && string(a.Intervention) != "null"
}

type orderView struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Refunded int64  `json:"refunded"`
	Version  int64  `json:"version"`
}

type eventView struct {
	Seq   int64  `json:"seq"`
	ID    string `json:"id"`
	Type  string `json:"type"`
	Actor struct {
		Role string `json:"role"`
		ID   string `json:"id"`
		Via  string `json:"via"`
	} `json:"actor"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// ---- calls and the record of what was acknowledged ----

type call struct {
	Worker  int
	Method  string
	Path    string
	ActAs   string
	IdemKey string
	Body    []byte
	Agg     string // service.AggOrder or service.AggAftersale
	AggID   string // "" for a request not created yet
	Event   string // the event the call writes
	Sent    time.Time

	Acked     bool // a 2xx response arrived
	InFlight  bool // no response: the outcome is unknown
	Retried   bool // retried after the restart
	Replayed  bool // …and the stored response was replayed
	Status    int
	Resp      []byte
	RequestID string
	Version   int64          // the aggregate version in the response
	State     *aftersaleView // after-sales responses
}

func (c *call) String() string {
	return fmt.Sprintf("%s %s (as %q, key %s)", c.Method, c.Path, c.ActAs, c.IdemKey)
}

// parse reads the aggregate version (and state) from a 2xx response.
func (c *call) parse() error {
	if c.Agg == service.AggOrder {
		var o orderView
		if err := json.Unmarshal(c.Resp, &o); err != nil {
			return err
		}
		c.Version = o.Version
		return nil
	}
	var a aftersaleView
	if err := json.Unmarshal(c.Resp, &a); err != nil {
		return err
	}
	if a.ID == "" {
		return fmt.Errorf("no id in %s", c.Resp)
	}
	c.AggID, c.Version, c.State = a.ID, a.Version, &a
	return nil
}

type recorder struct {
	mu      sync.Mutex
	calls   []*call
	waiting atomic.Int64 // lifecycles that ended with the request waiting for the seller
	active  atomic.Int64 // calls sent and not yet answered
}

func (r *recorder) add(c *call) {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

var (
	errDown    = errors.New("no response")
	errRefused = errors.New("refused")
)

// loadWorker drives lifecycles until the server goes away.
type loadWorker struct {
	t    *testing.T
	id   int
	c    *apiClient
	rec  *recorder
	stop <-chan struct{}
	n    int
}

func (w *loadWorker) run() {
	for i := 0; ; i++ {
		select {
		case <-w.stop:
			return
		default:
		}
		if err := w.lifecycle(i); errors.Is(err, errDown) {
			return
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// send performs a call and records it.
func (w *loadWorker) send(c *call) error {
	w.n++
	c.Worker, c.Sent = w.id, time.Now()
	if c.Method == http.MethodPost {
		c.IdemKey = fmt.Sprintf("crash-w%d-%05d", w.id, w.n)
	}
	w.rec.active.Add(1)
	res, err := w.c.do(c.Method, c.Path, c.ActAs, c.IdemKey, c.Body)
	w.rec.active.Add(-1)
	if err != nil {
		c.InFlight = true
		w.rec.add(c)
		return errDown
	}
	c.Status, c.Resp, c.RequestID = res.Status, res.Body, res.Header.Get("X-Request-ID")
	w.rec.add(c)
	if res.Status/100 != 2 {
		// Before the crash nothing races these calls: each worker has its
		// own orders, and no deadline is due yet.
		w.t.Errorf("%s: status %d before the crash: %s", c, res.Status, res.Body)
		return errRefused
	}
	c.Acked = true
	if err := c.parse(); err != nil {
		w.t.Errorf("%s: %v", c, err)
		return errRefused
	}
	return nil
}

func (w *loadWorker) lifecycle(i int) error {
	sc := scenarios[(i+w.id)%len(scenarios)]
	oid := fmt.Sprintf("T%d-%04d", w.id, i)
	buyer, seller := fmt.Sprintf("B%d", w.id), fmt.Sprintf("S%d", w.id)
	now := time.Now().UTC()
	const amount = 19900
	steps := []*call{
		{Method: http.MethodPut, Path: "/v1/orders/" + oid, Agg: service.AggOrder, AggID: oid, Event: "created",
			Body: mustJSON(map[string]any{"buyer_id": buyer, "seller_id": seller, "category": "女装", "amount": amount, "postage": 0,
				"items": []map[string]any{{"title": "崩溃测试商品 " + oid, "quantity": 1, "price": amount}}})},
		{Method: http.MethodPost, Path: "/v1/orders/" + oid + "/events", Agg: service.AggOrder, AggID: oid, Event: "paid",
			Body: mustJSON(map[string]any{"type": "paid", "at": now.Add(-2 * time.Hour)})},
		{Method: http.MethodPost, Path: "/v1/orders/" + oid + "/events", Agg: service.AggOrder, AggID: oid, Event: "shipped",
			Body: mustJSON(map[string]any{"type": "shipped", "at": now.Add(-time.Hour), "carrier": "SF", "tracking_no": "SF" + oid})},
	}
	for _, c := range steps {
		if err := w.send(c); err != nil {
			return err
		}
	}
	typ, reason := "refund_only", "not_received"
	if strings.Contains(sc, "return") {
		typ, reason = "return_and_refund", "quality_problem"
	}
	create := &call{Method: http.MethodPost, Path: "/v1/aftersales", ActAs: "buyer:" + buyer, Agg: service.AggAftersale, Event: "requested",
		Body: mustJSON(map[string]any{"order_id": oid, "type": typ, "reason": reason, "amount": amount, "description": "scenario " + sc})}
	if err := w.send(create); err != nil {
		return err
	}
	last := create
	act := func(action string, body any) error {
		role := "seller:" + seller
		if r, _ := aftersale.ActorOf(aftersale.Action(action)); r == aftersale.Buyer {
			role = "buyer:" + buyer
		}
		c := &call{Method: http.MethodPost, Path: "/v1/aftersales/" + create.AggID + "/" + action, ActAs: role,
			Agg: service.AggAftersale, AggID: create.AggID, Event: actionEvent[action], Body: mustJSON(body)}
		if err := w.send(c); err != nil {
			return err
		}
		last = c
		return nil
	}
	refuse := map[string]any{"reason_code": "goods_intact", "reason": "商品无质量问题 / nothing wrong with it", "evidence": []string{"photo:" + oid + "-1.jpg"}}
	var err error
	switch sc {
	case "wait", "wait-return":
	case "agree":
		err = act("agree", map[string]any{"note": "同意退款"})
	case "refuse":
		err = act("refuse", refuse)
	case "refuse-escalate":
		if err = act("refuse", refuse); err == nil {
			err = act("escalate", map[string]any{"reason": "卖家拒绝不合理"})
		}
	case "refuse-modify":
		if err = act("refuse", refuse); err == nil {
			err = act("modify", map[string]any{"amount": 15000, "note": "降低金额"})
		}
	case "counter-accept":
		if err = act("counter-offer", map[string]any{"amount": 5000, "reason": "部分退款"}); err == nil {
			err = act("accept-offer", map[string]any{})
		}
	case "cancel":
		err = act("cancel", map[string]any{"reason": "不想退了"})
	case "return-agreed", "return-shipped", "return-confirm":
		err = act("agree", map[string]any{"reason_code": "goodwill", "return_address": map[string]any{"name": "售后部", "phone": "13800000000", "address": "浙江省杭州市余杭区文一西路969号"}})
		if err == nil && sc != "return-agreed" {
			err = act("ship-return", map[string]any{"carrier": "YTO", "tracking_no": "YT" + oid})
		}
		if err == nil && sc == "return-confirm" {
			err = act("confirm-return", map[string]any{})
		}
	default:
		panic(sc)
	}
	if err == nil && last.State.Status == string(aftersale.WaitSellerAgree) {
		w.rec.waiting.Add(1)
	}
	return err
}

// ---- the scenario ----

func writeCrashPolicy(t *testing.T, dir string) string {
	t.Helper()
	doc := policyWith(t, func(doc map[string]any, rules map[string]any) {
		doc["version"] = "crash-test"
		set := func(key string, d time.Duration) { rules[key].(map[string]any)["value"] = d.String() }
		set("aftersale.seller_respond", sellerRespond)
		set("aftersale.buyer_answer_refusal", otherDeadlines)
		set("aftersale.buyer_ship_return", otherDeadlines)
		set("aftersale.seller_confirm_return", otherDeadlines)
	})
	path := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// metricValue reads one metric from /metrics with an admin key.
func metricValue(base, adminKey, name string) (float64, bool) {
	req, err := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, false
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}

// parallel runs fn over items with n goroutines.
func parallel[T any](n int, items []T, fn func(T)) {
	ch := make(chan T)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for it := range ch {
				fn(it)
			}
		})
	}
	for _, it := range items {
		ch <- it
	}
	close(ch)
	wg.Wait()
}

func runCrash(t *testing.T, bin, dbURL string) {
	begin := time.Now()
	dir := t.TempDir()
	policyFile := writeCrashPolicy(t, dir)
	logDir := dir
	if d := os.Getenv("WEIQUAN_CRASH_LOGS"); d != "" {
		// Keep the server logs for inspection.
		logDir = filepath.Join(d, strings.ReplaceAll(t.Name(), "/", "_"))
		if err := os.MkdirAll(logDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	keyOut, keyErr, code := runWeiquan(t, bin, "apikey", "create", "--role", "integration", "--name", "crash-test", "--db", dbURL)
	key := strings.TrimSpace(keyOut)
	if code != 0 || !strings.HasPrefix(key, "wq_") {
		t.Fatalf("apikey create: exit %d, stdout %q, stderr %q", code, keyOut, keyErr)
	}

	adminOut, adminErr, code := runWeiquan(t, bin, "apikey", "create", "--role", "admin", "--name", "crash-test metrics", "--db", dbURL)
	adminKey := strings.TrimSpace(adminOut)
	if code != 0 || !strings.HasPrefix(adminKey, "wq_") {
		t.Fatalf("apikey create --role admin: exit %d, stdout %q, stderr %q", code, adminOut, adminErr)
	}

	addr := freeAddr(t)
	base := "http://" + addr
	args := []string{"serve", "--db", dbURL, "--addr", addr, "--policy", policyFile, "--deadline-interval", deadlineInterval.String()}

	// 1. Serve and drive concurrent lifecycles.
	srv1 := startServer(t, bin, args, filepath.Join(logDir, "serve-1.log"))
	srv1.waitReady(t, base)
	rec := &recorder{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	c1 := newClient(base, key)
	loadStart := time.Now()
	for g := range crashWorkers {
		wg.Go(func() {
			(&loadWorker{t: t, id: g, c: c1, rec: rec, stop: stop}).run()
		})
	}
	stopLoad := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopLoad()
	for {
		time.Sleep(20 * time.Millisecond)
		el := time.Since(loadStart)
		if (rec.waiting.Load() >= wantWaiting && el >= minLoad) || el >= maxLoad {
			break
		}
	}

	// 2. SIGKILL mid-run, at an instant when several calls are in flight
	// (a fast server answers in well under a millisecond, so an arbitrary
	// instant may find every worker between calls).
	for wait := time.Now(); rec.active.Load() < crashWorkers/2 && time.Since(wait) < time.Second; {
		runtime.Gosched()
	}
	killTime := time.Now()
	srv1.kill(t)
	stopLoad()
	loadTook := killTime.Sub(loadStart)
	if t.Failed() {
		t.FailNow()
	}

	var acked, inflight []*call
	inflightAtKill := 0
	var lastSent time.Time
	for _, c := range rec.calls {
		if c.Sent.Before(killTime) && c.Sent.After(lastSent) {
			lastSent = c.Sent
		}
		switch {
		case c.Acked:
			acked = append(acked, c)
		case c.InFlight:
			inflight = append(inflight, c)
			if c.Sent.Before(killTime) {
				inflightAtKill++
			}
		}
	}
	// The kill must land mid-run. Usually some calls get no answer; a
	// server answering in a few milliseconds may have written every
	// response already, so then the load must at least have been sending
	// right up to the kill.
	if gap := killTime.Sub(lastSent); inflightAtKill == 0 && gap > 100*time.Millisecond {
		t.Fatalf("no call was in flight when the server was killed and none was sent in the %v before: the load had stopped", gap.Round(time.Millisecond))
	}
	t.Logf("load: %v, %d calls acknowledged, %d without response (%d in flight at the kill), %d requests left waiting for the seller",
		loadTook.Round(time.Millisecond), len(acked), len(inflight), inflightAtKill, rec.waiting.Load())

	// 3. Stay down until every deadline set before the crash is due.
	time.Sleep(time.Until(killTime.Add(downtime)))
	restartStart := time.Now()
	srv2 := startServer(t, bin, args, filepath.Join(logDir, "serve-2.log"))
	srv2.waitReady(t, base)
	ready := time.Since(restartStart)
	c2 := newClient(base, key)

	// The worker's first run fires what came due during the downtime.
	drained := false
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if v, ok := metricValue(base, adminKey, "weiquan_deadlines_overdue"); ok && v == 0 {
			drained = true
			break
		}
	}
	if !drained {
		t.Fatalf("overdue deadlines not fired within 10s of the restart")
	}
	t.Logf("restart: ready after %v, overdue deadlines drained after %v", ready.Round(time.Millisecond), time.Since(restartStart).Round(time.Millisecond))

	// 4. Retry the calls that got no response with the same key and body:
	// committed ones replay, the others run now.
	for _, c := range inflight {
		res, err := c2.do(c.Method, c.Path, c.ActAs, c.IdemKey, c.Body)
		if err != nil {
			t.Errorf("retry %s after restart: %v", c, err)
			continue
		}
		c.Retried, c.Replayed = true, res.Header.Get("Idempotent-Replayed") == "true"
		c.Status, c.Resp, c.RequestID = res.Status, res.Body, res.Header.Get("X-Request-ID")
		switch {
		case res.Status >= 500:
			t.Errorf("retry %s after restart: status %d: %s", c, res.Status, res.Body)
		case res.Status/100 == 2:
			c.Acked = true
			if err := c.parse(); err != nil {
				t.Errorf("retry %s: %v", c, err)
			}
			acked = append(acked, c)
		case c.Replayed:
			t.Errorf("retry %s: replayed a refusal %d that was never sent: %s", c, res.Status, res.Body)
		}
		t.Logf("in-flight %s → %d replayed=%v", c, res.Status, c.Replayed)
	}

	// 5. Idempotency survived the crash: every acknowledged POST, sent
	// again with its key and body, gets the same status and body.
	var replays atomic.Int64
	parallel(4, acked, func(c *call) {
		res, err := c2.do(c.Method, c.Path, c.ActAs, c.IdemKey, c.Body)
		if err != nil {
			t.Errorf("replay %s: %v", c, err)
			return
		}
		if c.Method != http.MethodPost {
			// PUT with the same facts changes nothing.
			if res.Status != http.StatusOK {
				t.Errorf("re-PUT %s: status %d: %s", c, res.Status, res.Body)
			}
			return
		}
		replays.Add(1)
		if res.Status != c.Status || !bytes.Equal(res.Body, c.Resp) || res.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay %s (first request id %s): got %d replayed=%q %s\nwant %d %s", c, c.RequestID,
				res.Status, res.Header.Get("Idempotent-Replayed"), res.Body, c.Status, c.Resp)
		}
	})

	// 6. The requests, by status: each open request not under
	// intervention shows exactly one live deadline matching its status.
	listStart := time.Now()
	all, _ := getAll[aftersaleView](t, c2, "/v1/aftersales?limit=200")
	for _, st := range aftersale.Statuses {
		items, _ := getAll[aftersaleView](t, c2, "/v1/aftersales?limit=200&status="+string(st))
		for _, a := range items {
			if a.Status != string(st) {
				t.Errorf("?status=%s listed %s in status %s", st, a.ID, a.Status)
			}
			checkDeadlineField(t, a, listStart)
		}
	}

	// 7. The event logs.
	byID := map[string]aftersaleView{}
	for _, a := range all {
		byID[a.ID] = a
	}
	orderIDs := map[string]bool{}
	known := map[string]bool{}
	for _, c := range rec.calls {
		if c.Agg == service.AggOrder {
			orderIDs[c.AggID] = true
		} else if c.AggID != "" && (c.Acked || c.Retried) {
			known[c.AggID] = true
		}
	}
	for id := range byID {
		if !known[id] {
			t.Errorf("after-sales request %s exists but no acknowledged (or retried) call created it", id)
		}
	}
	var mu sync.Mutex
	asEvents := map[string][]eventView{}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	parallel(4, ids, func(id string) {
		evs, _ := getAll[eventView](t, c2, "/v1/aftersales/"+id+"/events")
		mu.Lock()
		asEvents[id] = evs
		mu.Unlock()
	})
	orderEvents := map[string][]eventView{}
	oids := make([]string, 0, len(orderIDs))
	for id := range orderIDs {
		oids = append(oids, id)
	}
	parallel(4, oids, func(id string) {
		res, err := c2.do(http.MethodGet, "/v1/orders/"+id, "", "", nil)
		if err == nil && res.Status == http.StatusNotFound {
			return // its PUT never committed
		}
		evs, _ := getAll[eventView](t, c2, "/v1/orders/"+id+"/events")
		mu.Lock()
		orderEvents[id] = evs
		mu.Unlock()
	})

	// Sequence numbers are 1..n; no deadline fired twice.
	fired := map[string]string{} // deadline id → aggregate
	for id, evs := range asEvents {
		checkSeqs(t, "after-sales request "+id, evs)
		if len(evs) > 0 && evs[0].Type != "requested" {
			t.Errorf("request %s: first event %s", id, evs[0].Type)
		}
		if a := byID[id]; len(evs) > 0 && evs[len(evs)-1].Seq < a.Version {
			t.Errorf("request %s: version %d but %d events", id, a.Version, len(evs))
		}
		for _, e := range evs {
			if e.Actor.Role != "system" {
				continue
			}
			d, ok := strings.CutPrefix(e.Actor.Via, "deadline:")
			if !ok {
				t.Errorf("request %s: system event %d %s not caused by a deadline (via %q)", id, e.Seq, e.Type, e.Actor.Via)
				continue
			}
			if prev, dup := fired[d]; dup {
				t.Errorf("deadline %s fired twice (requests %s and %s)", d, prev, id)
			}
			fired[d] = id
		}
	}
	for id, evs := range orderEvents {
		checkSeqs(t, "order "+id, evs)
		for _, e := range evs {
			if e.Type == "updated" {
				t.Errorf("order %s: re-PUT of the same facts wrote an %q event", id, e.Type)
			}
		}
	}

	// Nothing acknowledged was lost: each acknowledged call's event sits at
	// the version its response reported.
	for _, c := range acked {
		evs := orderEvents[c.AggID]
		if c.Agg == service.AggAftersale {
			evs = asEvents[c.AggID]
		}
		if c.Version < 1 || int(c.Version) > len(evs) {
			t.Errorf("LOST: %s acknowledged %d (request id %s, version %d) but the %s log has %d events", c, c.Status, c.RequestID, c.Version, c.Agg, len(evs))
			continue
		}
		e := evs[c.Version-1]
		if e.Type != c.Event {
			t.Errorf("LOST: %s acknowledged (request id %s) as version %d, but event %d is %s, want %s", c, c.RequestID, c.Version, e.Seq, e.Type, c.Event)
		}
		if c.ActAs != "" {
			if role, party, _ := strings.Cut(c.ActAs, ":"); e.Actor.Role != role || e.Actor.ID != party {
				t.Errorf("%s: event %d actor %+v, want %s", c, e.Seq, e.Actor, c.ActAs)
			}
		}
	}

	// Every deadline that came due while the server was down fired exactly
	// once, after the restart. Requests touched by a call without response
	// are left out: their state at the crash is unknown.
	dirty := map[string]bool{}
	last := map[string]*call{}
	for _, c := range rec.calls {
		if c.Agg != service.AggAftersale || c.AggID == "" {
			continue
		}
		if c.InFlight {
			dirty[c.AggID] = true
		}
		if c.Acked && !c.Retried && (last[c.AggID] == nil || c.Version > last[c.AggID].Version) {
			last[c.AggID] = c
		}
	}
	firedAfterRestart := map[string]int{}
	var latest time.Duration
	restartFloor := restartStart.Truncate(time.Microsecond)
	for id, c := range last {
		if dirty[id] || c.State.Deadline == nil {
			continue
		}
		d := c.State.Deadline
		if !d.DueAt.After(killTime) || !d.DueAt.Before(restartStart) {
			t.Errorf("request %s: deadline %s due %v, not within the downtime %v–%v", id, d.Kind, d.DueAt, killTime, restartStart)
			continue
		}
		evs := asEvents[id]
		if int(c.Version) >= len(evs) {
			t.Errorf("LOST DEADLINE: request %s: %s deadline due %v (during the downtime) never fired; events: %s", id, d.Kind, d.DueAt, eventTypes(evs))
			continue
		}
		e := evs[c.Version] // the event right after the last acknowledged one
		wantVia := fmt.Sprintf("deadline:%s/%d", id, c.Version)
		if e.Type != expiryEvent[d.Kind] || e.Actor.Role != "system" || e.Actor.Via != wantVia {
			t.Errorf("request %s: after %s (v%d) came %s by %+v, want %s via %s", id, c.Event, c.Version, e.Type, e.Actor, expiryEvent[d.Kind], wantVia)
			continue
		}
		if e.At.Before(restartFloor) {
			t.Errorf("request %s: %s deadline due during the downtime fired at %v, before the restart at %v", id, d.Kind, e.At, restartStart)
		}
		n := 0
		for _, x := range evs {
			if x.Type == e.Type && x.Actor.Via == wantVia {
				n++
			}
		}
		if n != 1 {
			t.Errorf("request %s: deadline %s wrote %d %s events", id, wantVia, n, e.Type)
		}
		firedAfterRestart[d.Kind]++
		latest = max(latest, e.At.Sub(restartStart))
	}
	if n := firedAfterRestart[string(aftersale.SellerRespond)]; n < minWaiting {
		t.Errorf("only %d requests were waiting for the seller with a deadline due during the downtime, want ≥ %d", n, minWaiting)
	}
	t.Logf("deadlines due during the downtime fired after the restart: %v (the last %v after the restart); %d POSTs replayed",
		firedAfterRestart, latest.Round(time.Millisecond), replays.Load())

	// 8. Graceful shutdown. The clients leave first: net/http's Shutdown
	// waits up to 5s for a connection that was accepted but never carried
	// a request (Go's Transport dials such spares under concurrency), which
	// would make the bound below flaky; see the report on server.Close.
	c1.HTTP.CloseIdleConnections()
	c2.HTTP.CloseIdleConnections()
	took := srv2.terminate(t)
	t.Logf("SIGTERM: exit 0 after %v", took.Round(time.Millisecond))
	for _, p := range []string{srv1.log, srv2.log} {
		for _, l := range errorLogLines(p) {
			t.Errorf("%s: %s", filepath.Base(p), l)
		}
	}

	// 9. The database at rest agrees with itself.
	checkDatabase(t, dbURL, orderIDs)
	t.Logf("total %v", time.Since(begin).Round(time.Millisecond))
}

func eventTypes(evs []eventView) string {
	var s []string
	for _, e := range evs {
		s = append(s, fmt.Sprintf("%d:%s", e.Seq, e.Type))
	}
	return strings.Join(s, " ")
}

func checkSeqs(t *testing.T, what string, evs []eventView) {
	t.Helper()
	if len(evs) == 0 {
		t.Errorf("%s: no events", what)
	}
	for i, e := range evs {
		if e.Seq != int64(i+1) {
			t.Errorf("%s: event #%d has seq %d (want 1..n without gaps): %s", what, i+1, e.Seq, eventTypes(evs))
			return
		}
	}
}

// checkDeadlineField: an open request not under intervention has the live
// deadline of its status, not overdue; any other request has none.
func checkDeadlineField(t *testing.T, a aftersaleView, listedAt time.Time) {
	t.Helper()
	if !a.open() || a.underIntervention() {
		if a.Deadline != nil {
			t.Errorf("request %s (%s, intervention %v) still shows a deadline %+v", a.ID, a.Status, a.underIntervention(), *a.Deadline)
		}
		return
	}
	if a.Deadline == nil {
		t.Errorf("LOST DEADLINE: open request %s in %s has no deadline", a.ID, a.Status)
		return
	}
	if a.Deadline.Kind != statusDeadline[a.Status] {
		t.Errorf("request %s in %s has a %s deadline, want %s", a.ID, a.Status, a.Deadline.Kind, statusDeadline[a.Status])
	}
	if late := listedAt.Sub(a.Deadline.DueAt); late > 15*deadlineInterval {
		t.Errorf("request %s in %s: %s deadline due %v is %v overdue and has not fired", a.ID, a.Status, a.Deadline.Kind, a.Deadline.DueAt, late)
	}
}

// checkDatabase opens the stopped server's database: every open request
// not under intervention has exactly one pending deadline row (the one its
// state names), no other request has one, each fired row wrote exactly one
// event, replaying each request's events gives its stored state, and the
// refunds add up per order.
func checkDatabase(t *testing.T, dbURL string, orderIDs map[string]bool) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	defer st.Close()
	var all []aftersale.State
	for after := ""; ; {
		page, err := st.ListAftersales(ctx, store.ListFilter{After: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	stats, err := st.DeadlineStatsOf(ctx, service.AggAftersale, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var pendingWanted, systemEvents int64
	refunded := map[string]int64{}
	kinds := map[string]int{}
	for _, a := range all {
		refunded[a.OrderID] += int64(a.Refunded)
		pend, err := st.PendingDeadlines(ctx, service.AggAftersale, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status.Open() && a.Intervention == nil {
			pendingWanted++
			switch {
			case a.Deadline == nil:
				t.Errorf("LOST DEADLINE: stored request %s in %s has no deadline", a.ID, a.Status)
			case len(pend) != 1:
				t.Errorf("LOST DEADLINE: request %s in %s (deadline %s due %v) has %d pending deadline rows", a.ID, a.Status, a.Deadline.Kind, a.Deadline.DueAt, len(pend))
			case pend[0].Kind != string(a.Deadline.Kind) || !pend[0].DueAt.Equal(a.Deadline.DueAt) || pend[0].ID != fmt.Sprintf("%s/%d", a.ID, a.Version):
				t.Errorf("request %s (v%d): state deadline %s due %v, pending row %s %s due %v", a.ID, a.Version, a.Deadline.Kind, a.Deadline.DueAt, pend[0].ID, pend[0].Kind, pend[0].DueAt)
			}
		} else if len(pend) != 0 || a.Deadline != nil {
			t.Errorf("request %s in %s (intervention %v): deadline %+v, %d pending rows; want none", a.ID, a.Status, a.Intervention != nil, a.Deadline, len(pend))
		}
		recs, err := st.Events(ctx, service.AggAftersale, a.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := service.DecodeAftersaleEvents(recs)
		if err != nil {
			t.Fatalf("request %s: decode events: %v", a.ID, err)
		}
		for _, e := range evs {
			if e.Actor.Role == aftersale.System {
				systemEvents++
				kinds[string(e.Type)]++
			}
		}
		if got, want := mustJSON(aftersale.Replay(a.ID, evs)), mustJSON(a); !bytes.Equal(got, want) {
			t.Errorf("request %s: replaying its %d events gives\n%s\nstored:\n%s", a.ID, len(evs), got, want)
		}
	}
	if stats.Pending != pendingWanted {
		t.Errorf("%d pending deadline rows, but %d open requests without intervention", stats.Pending, pendingWanted)
	}
	firedRows, err := st.CountDeadlinesOf(ctx, service.AggAftersale, store.DeadlineFired)
	if err != nil {
		t.Fatal(err)
	}
	failedRows, err := st.CountDeadlines(ctx, store.DeadlineFailed)
	if err != nil {
		t.Fatal(err)
	}
	if firedRows != systemEvents {
		t.Errorf("%d deadline rows are fired, but the requests have %d deadline-driven events", firedRows, systemEvents)
	}
	if failedRows != 0 {
		t.Errorf("%d deadline rows failed", failedRows)
	}
	ids := make([]string, 0, len(orderIDs))
	for id := range orderIDs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		o, err := st.GetOrder(ctx, id)
		if err != nil {
			continue // its PUT never committed
		}
		recs, err := st.Events(ctx, service.AggOrder, id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var fromEvents int64
		for _, r := range recs {
			if r.Type == "refunded" {
				var d struct {
					Amount int64 `json:"amount"`
				}
				_ = json.Unmarshal(r.Data, &d)
				fromEvents += d.Amount
			}
		}
		if int64(o.Refunded) != refunded[id] || fromEvents != refunded[id] || int64(len(recs)) != o.Version {
			t.Errorf("order %s: refunded %d, its refunded events %d, its requests refunded %d; version %d with %d events",
				id, o.Refunded, fromEvents, refunded[id], o.Version, len(recs))
		}
	}
	t.Logf("database: %d requests, %d orders, deadlines %+v, deadline-driven events %v", len(all), len(ids), stats, kinds)
}
