package bench

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/server"
)

// LifecycleResult is what the HTTP lifecycle load measured.
type LifecycleResult struct {
	Engine       string             `json:"engine"`
	Where        string             `json:"where"`
	Concurrency  int                `json:"concurrency"`
	Idempotency  bool               `json:"idempotency_keys"`
	Seconds      float64            `json:"seconds"`
	Lifecycles   int64              `json:"lifecycles"`
	Flows        map[string]int64   `json:"flows"`
	Transitions  int64              `json:"transitions"`
	TPS          float64            `json:"transitions_per_second"`
	Calls        int64              `json:"calls"`
	P50          float64            `json:"p50_ms"`
	P90          float64            `json:"p90_ms"`
	P99          float64            `json:"p99_ms"`
	Max          float64            `json:"max_ms"`
	Errors       int64              `json:"errors"`
	ErrorSamples []string           `json:"error_samples,omitempty"`
	PerCall      []CallStat         `json:"per_call"`
	Server       map[string]float64 `json:"server_metrics,omitempty"`
	CPU          CPUUse             `json:"cpu"`
}

// CallStat is the latency of one kind of call.
type CallStat struct {
	Call  string  `json:"call"`
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// Summary is the one-line summary of the phase.
func (r *LifecycleResult) Summary() string {
	return fmt.Sprintf("lifecycle  %s c=%d %.1fs: %s transitions, %.1f transitions/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d errors",
		r.Engine, r.Concurrency, r.Seconds, commas(r.Transitions), r.TPS, r.P50, r.P99, r.Max, r.Errors)
}

// The kinds of calls, for per-call latency.
const (
	cPutOrder = iota
	cPaid
	cShipped
	cCreate
	cAgree
	cShipReturn
	cConfirmReturn
	cRefuse
	cModify
	cCounterOffer
	cAcceptOffer
	cCancel
	nCalls
)

var callNames = [nCalls]string{"PUT order", "POST paid", "POST shipped", "POST aftersale", "agree", "ship-return",
	"confirm-return", "refuse", "modify", "counter-offer", "accept-offer", "cancel"}

// The flows, taken in turn.
var flowNames = []string{"refund_only", "return_and_refund", "refuse_modify_agree", "counter_offer", "cancel"}

type sample struct {
	d time.Duration
	k uint8
}

type lcWorker struct {
	id          int
	c           *Client
	idem        bool
	lat         []sample
	transitions int64
	lifecycles  int64
	flows       [5]int64
	errors      int64
	samples     []string
	seq         int64
}

const maxErrorSamples = 5

func runLifecycle(ctx context.Context, o Options, stdout io.Writer) (*LifecycleResult, error) {
	db, err := newFreshDB(ctx, o.DB, "lifecycle")
	if err != nil {
		return nil, err
	}
	defer db.finish(o.Keep, stdout)
	fmt.Fprintf(stdout, "\n== lifecycle: HTTP on loopback, %s (%s) ==\n", db.Engine, db.Where)
	cfg := config.Default()
	cfg.DB, cfg.Addr, cfg.LogLevel = db.URL, "127.0.0.1:0", "warn"
	if o.SQLiteSync != "" {
		cfg.SQLiteSync = o.SQLiteSync
	}
	srv, err := server.Start(ctx, cfg, o.Log)
	if err != nil {
		return nil, fmt.Errorf("bench: start server: %w", err)
	}
	defer srv.Close()
	key, _, err := srv.Svc.NewAPIKey(ctx, actor.Integration, "", "bench")
	if err != nil {
		return nil, fmt.Errorf("bench: api key: %w", err)
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * o.Concurrency,
		MaxIdleConnsPerHost: 2 * o.Concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	c := &Client{Base: "http://" + srv.Addr, Key: key, HTTP: &http.Client{Transport: tr, Timeout: 60 * time.Second}}

	fmt.Fprintf(stdout, "server        http://%s, %d workers for %s, Idempotency-Key on POSTs: %v\n", srv.Addr, o.Concurrency, o.Duration, o.Idempotency)
	workers := make([]*lcWorker, o.Concurrency)
	for i := range workers {
		workers[i] = &lcWorker{id: i, c: c, idem: o.Idempotency, lat: make([]sample, 0, 4096)}
	}
	cpu := startCPU()
	start := time.Now()
	end := start.Add(o.Duration)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			for n := 0; time.Now().Before(end) && ctx.Err() == nil; n++ {
				w.lifecycle(ctx, (w.id+n)%len(flowNames))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	res := &LifecycleResult{Engine: db.Engine, Where: db.Where, Concurrency: o.Concurrency, Idempotency: o.Idempotency,
		Seconds: elapsed.Seconds(), Flows: map[string]int64{}, CPU: cpu.stop()}
	var all []time.Duration
	per := make([][]time.Duration, nCalls)
	for _, w := range workers {
		res.Transitions += w.transitions
		res.Lifecycles += w.lifecycles
		res.Errors += w.errors
		for i, n := range w.flows {
			res.Flows[flowNames[i]] += n
		}
		for _, s := range w.lat {
			all = append(all, s.d)
			per[s.k] = append(per[s.k], s.d)
		}
		for _, s := range w.samples {
			if len(res.ErrorSamples) < maxErrorSamples {
				res.ErrorSamples = append(res.ErrorSamples, s)
			}
		}
	}
	res.Calls = int64(len(all))
	res.TPS = float64(res.Transitions) / elapsed.Seconds()
	slices.Sort(all)
	res.P50, res.P90, res.P99, res.Max = pct(all, 50), pct(all, 90), pct(all, 99), pct(all, 100)
	for k, ds := range per {
		if len(ds) == 0 {
			continue
		}
		slices.Sort(ds)
		res.PerCall = append(res.PerCall, CallStat{Call: callNames[k], Count: len(ds), P50: pct(ds, 50), P99: pct(ds, 99), Max: pct(ds, 100)})
	}
	// /metrics is for admin keys.
	admin, _, err := srv.Svc.NewAPIKey(ctx, actor.Admin, "", "bench metrics")
	if err == nil {
		res.Server, err = scrapeMetrics(ctx, &Client{Base: c.Base, Key: admin, HTTP: c.HTTP})
	}
	if err != nil {
		fmt.Fprintf(stdout, "metrics       unavailable: %v\n", err)
	}
	res.print(stdout)
	return res, nil
}

func (r *LifecycleResult) print(w io.Writer) {
	fmt.Fprintf(w, "engine        %s\n", r.Engine)
	fmt.Fprintf(w, "concurrency   %d\n", r.Concurrency)
	fmt.Fprintf(w, "duration      %.2fs (measured, the last lifecycles finish after the deadline)\n", r.Seconds)
	var flows []string
	for _, f := range flowNames {
		flows = append(flows, fmt.Sprintf("%s %s", f, commas(r.Flows[f])))
	}
	fmt.Fprintf(w, "lifecycles    %s completed (%s)\n", commas(r.Lifecycles), strings.Join(flows, ", "))
	fmt.Fprintf(w, "transitions   %s  →  %.1f transitions/s\n", commas(r.Transitions), r.TPS)
	fmt.Fprintf(w, "latency       p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  (%s calls)\n", r.P50, r.P90, r.P99, r.Max, commas(r.Calls))
	fmt.Fprintf(w, "cpu           %s\n", r.CPU)
	fmt.Fprintf(w, "errors        %d\n", r.Errors)
	for _, s := range r.ErrorSamples {
		fmt.Fprintf(w, "  error       %s\n", s)
	}
	fmt.Fprintln(w, "per call      call               count     p50 ms   p99 ms   max ms")
	for _, c := range r.PerCall {
		fmt.Fprintf(w, "              %-16s %7d %9.2f %8.2f %8.2f\n", c.Call, c.Count, c.P50, c.P99, c.Max)
	}
	if len(r.Server) > 0 {
		fmt.Fprintf(w, "server        transitions counted %.0f; deadlines pending %.0f, overdue %.0f (/metrics)\n",
			r.Server["weiquan_transitions_total"], r.Server["weiquan_deadlines_pending"], r.Server["weiquan_deadlines_overdue"])
	}
	if r.Engine == "sqlite" {
		fmt.Fprintf(w, "target        SQLite on a 2-core machine: ≥ %.0f transitions/s with p99 < %.0f ms — %s\n",
			targetSQLiteTPS, targetSQLiteP99, verdict(r.TPS >= targetSQLiteTPS && r.P99 < targetSQLiteP99))
	}
}

// The foundation issue's targets for this 2-core machine (printed, never
// asserted: the machine is shared).
const (
	targetSQLiteTPS = 3000.0 // issue 11 (was 2,000)
	targetSQLiteP99 = 50.0   // ms
	targetPGRatio   = 0.55   // of pgbench TPC-B TPS in the same run (issue 11; was 0.5)
)

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// pct is the nearest-rank percentile of sorted durations, in milliseconds.
func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return ms(sorted[i])
}

// ---- one lifecycle ----

const orderAmount = 19900

func (w *lcWorker) lifecycle(ctx context.Context, flow int) {
	w.seq++
	oid := fmt.Sprintf("o%d-%d", w.id, w.seq)
	buyer := fmt.Sprintf("B%d", w.id)
	seller := fmt.Sprintf("S%d", w.seq%20)
	asBuyer, asSeller := "buyer:"+buyer, "seller:"+seller
	now := time.Now().UTC()
	order := fmt.Sprintf(`{"buyer_id":%q,"seller_id":%q,"category":"女装","amount":%d,"postage":0,"items":[{"title":"压测商品 %s","quantity":1,"price":%d}]}`,
		buyer, seller, orderAmount, oid, orderAmount)
	if !w.call(ctx, cPutOrder, "PUT", "/v1/orders/"+oid, "", order, nil) {
		return
	}
	if !w.call(ctx, cPaid, "POST", "/v1/orders/"+oid+"/events", "", fmt.Sprintf(`{"type":"paid","at":%q}`, now.Format(time.RFC3339Nano)), nil) {
		return
	}
	if !w.call(ctx, cShipped, "POST", "/v1/orders/"+oid+"/events", "",
		fmt.Sprintf(`{"type":"shipped","at":%q,"carrier":"SF","tracking_no":"SF%s"}`, now.Format(time.RFC3339Nano), oid), nil) {
		return
	}
	typ, reason := "refund_only", "not_received"
	if flow == 1 {
		typ, reason = "return_and_refund", "quality_problem"
	}
	var created struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if !w.call(ctx, cCreate, "POST", "/v1/aftersales", asBuyer,
		fmt.Sprintf(`{"order_id":%q,"type":%q,"reason":%q,"amount":%d,"description":"压测"}`, oid, typ, reason, orderAmount), &created) {
		return
	}
	act := func(k int, actor, body string, want string) bool {
		var out struct {
			Status string `json:"status"`
		}
		var dst any
		if want != "" {
			dst = &out
		}
		if !w.call(ctx, k, "POST", "/v1/aftersales/"+created.ID+"/"+callNames[k], actor, body, dst) {
			return false
		}
		if want != "" && out.Status != want {
			w.fail(fmt.Sprintf("%s %s: status %s, want %s", callNames[k], created.ID, out.Status, want))
			return false
		}
		return true
	}
	ok := false
	switch flow {
	case 0: // refund_only → agree
		ok = act(cAgree, asSeller, `{"note":"同意"}`, "SUCCESS")
	case 1: // return_and_refund → agree → ship-return → confirm-return
		ok = act(cAgree, asSeller, `{"reason_code":"goodwill","return_address":{"name":"售后部","phone":"13800000000","address":"浙江省杭州市余杭区文一西路969号"}}`, "WAIT_BUYER_RETURN_GOODS") &&
			act(cShipReturn, asBuyer, fmt.Sprintf(`{"carrier":"YTO","tracking_no":"YT%s"}`, oid), "") &&
			act(cConfirmReturn, asSeller, `{}`, "SUCCESS")
	case 2: // refuse → modify → agree
		ok = act(cRefuse, asSeller, `{"reason":"商品已签收","reason_code":"goods_intact","evidence":["img://proof-1"]}`, "") &&
			act(cModify, asBuyer, `{"note":"补充说明"}`, "") &&
			act(cAgree, asSeller, `{}`, "SUCCESS")
	case 3: // counter-offer → accept-offer
		ok = act(cCounterOffer, asSeller, fmt.Sprintf(`{"amount":%d,"reason":"部分退款"}`, orderAmount/2), "") &&
			act(cAcceptOffer, asBuyer, `{}`, "SUCCESS")
	case 4: // cancel
		ok = act(cCancel, asBuyer, `{"reason":"不想要了"}`, "CLOSED")
	}
	if ok {
		w.lifecycles++
		w.flows[flow]++
	}
}

// call performs one state-changing call, records its latency and counts a
// transition on 2xx; dst, if not nil, receives the decoded response.
func (w *lcWorker) call(ctx context.Context, kind int, method, path, actAs, body string, dst any) bool {
	idem := ""
	if w.idem && method == "POST" {
		idem = fmt.Sprintf("bench-%d-%d-%d", w.id, w.seq, kind)
	}
	start := time.Now()
	res, err := w.c.Do(ctx, method, path, actAs, idem, body)
	w.lat = append(w.lat, sample{d: time.Since(start), k: uint8(kind)})
	if err != nil {
		if ctx.Err() == nil {
			w.fail(fmt.Sprintf("%s %s: %v", method, path, err))
		}
		return false
	}
	if res.Status/100 != 2 {
		w.fail(fmt.Sprintf("%s %s: %d %s", method, path, res.Status, truncate(res.Body, 300)))
		return false
	}
	w.transitions++
	if dst != nil {
		if err := json.Unmarshal(res.Body, dst); err != nil {
			w.fail(fmt.Sprintf("%s %s: decode: %v", method, path, err))
			return false
		}
	}
	return true
}

func (w *lcWorker) fail(msg string) {
	w.errors++
	if len(w.samples) < maxErrorSamples {
		w.samples = append(w.samples, msg)
	}
}

func truncate(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
