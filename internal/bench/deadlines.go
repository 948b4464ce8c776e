package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/server"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/worker"
)

// DeadlineResult is what the deadline firing benchmark measured.
type DeadlineResult struct {
	Engine      string `json:"engine"`
	Where       string `json:"where"`
	Pending     int    `json:"pending"`
	Due         int    `json:"due"`
	Batch       int    `json:"batch"`
	FireWorkers int    `json:"fire_workers"`

	RowsInserted   int64   `json:"rows_inserted"`
	InsertSeconds  float64 `json:"insert_seconds"`
	InsertDBSecs   float64 `json:"insert_db_seconds"` // of which inside the database (the rest: waiting for rows to be generated)
	LoadCPU        CPUUse  `json:"load_cpu"`
	PrepareSeconds float64 `json:"prepare_seconds"`
	StatsQueryMS   float64 `json:"deadline_stats_ms"` // store.DeadlineStats (the /metrics deadline gauges) over the loaded table // SQLite WAL checkpoint / PostgreSQL VACUUM ANALYZE after the load

	Batches      int     `json:"batches"`
	Claimed      int64   `json:"claimed"`
	Fired        int64   `json:"fired"`
	Cancelled    int64   `json:"cancelled"`
	Skipped      int64   `json:"skipped"`
	Failed       int64   `json:"failed"`
	FireSeconds  float64 `json:"fire_seconds"` // until the last batch that claimed anything
	FiredPerSec  float64 `json:"fired_per_second"`
	FirstBatchMS float64 `json:"first_batch_ms"`
	BatchP50MS   float64 `json:"batch_p50_ms"`
	BatchMaxMS   float64 `json:"batch_max_ms"`
	CPU          CPUUse  `json:"fire_cpu"`

	Success    int64    `json:"success"`
	Waiting    int64    `json:"waiting_seller"`
	Refunds    int64    `json:"refund_events"`
	Verified   bool     `json:"verified"`
	Mismatches []string `json:"mismatches,omitempty"`
}

// Summary is the one-line summary of the phase.
func (r *DeadlineResult) Summary() string {
	v := "OK"
	if !r.Verified {
		v = "MISMATCH"
	}
	return fmt.Sprintf("deadlines  %s %s pending, %s due, batch %d×%d: loaded %s rows in %.1fs; fired %s in %.1fs = %.0f fired/s; verify %s",
		r.Engine, commas(int64(r.Pending)), commas(int64(r.Due)), r.Batch, r.FireWorkers, commas(r.RowsInserted), r.InsertSeconds,
		commas(r.Fired), r.FireSeconds, r.FiredPerSec, v)
}

// countingObserver counts what the service reports.
type countingObserver struct{ fired, transitions atomic.Int64 }

func (c *countingObserver) Transition(string, string)           { c.transitions.Add(1) }
func (c *countingObserver) DeadlineFired(string, time.Duration) { c.fired.Add(1) }

const (
	loadChunk       = 5000 // requests per load transaction (×rowsPerRequest rows)
	rowsPerRequest  = 8    // order, request, event, deadline; payment transaction, its two postings, the escrow balance
	deadlineAmount  = money.Fen(12900)
	targetDue       = 100_000
	targetSeconds   = 60.0
	maxStalledBatch = 3
)

func runDeadlines(ctx context.Context, o Options, stdout, stderr io.Writer) (*DeadlineResult, error) {
	db, err := newFreshDB(ctx, o.DB, "deadlines")
	if err != nil {
		return nil, err
	}
	defer db.finish(o.Keep, stdout)
	fmt.Fprintf(stdout, "\n== deadlines: %s pending, %s due, %s (%s) ==\n", commas(int64(o.Deadlines)), commas(int64(o.Due)), db.Engine, db.Where)
	book := server.MustDefaultPolicy()
	obs := &countingObserver{}
	svc, st, err := server.OpenService(ctx, db.URL, book, clock.System{}, o.Log, obs)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	res := &DeadlineResult{Engine: db.Engine, Where: db.Where, Pending: o.Deadlines, Due: o.Due, Batch: o.Batch, FireWorkers: o.FireWorkers}

	// ---- load ----
	now := clock.System{}.Now()
	gen := newRequestGen(book, now, o.Deadlines, o.Due)
	t0 := time.Now()
	loadCPU := startCPU()
	bulk, err := st.BeginBulk(ctx)
	if err != nil {
		return res, err
	}
	// Generators build chunks of rows in parallel; loaders insert them (one
	// on SQLite, whose writer is single; two COPY connections on PostgreSQL).
	loaders := 1
	if db.Engine == "postgres" {
		loaders = 2
	}
	chunks := make(chan chunk, 2*loaders)
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		genErrs  = make([]error, runtime.GOMAXPROCS(0))
		nextFrom atomic.Int64
		gwg      sync.WaitGroup
	)
	for g := range genErrs {
		gwg.Go(func() {
			for {
				start := int(nextFrom.Add(loadChunk)) - loadChunk
				if start >= o.Deadlines || gctx.Err() != nil {
					return
				}
				c, err := gen.chunk(start, min(start+loadChunk, o.Deadlines))
				if err != nil {
					genErrs[g] = err
					cancel()
					return
				}
				select {
				case chunks <- c:
				case <-gctx.Done():
					return
				}
			}
		})
	}
	go func() { gwg.Wait(); close(chunks) }()
	var (
		lmu        sync.Mutex
		loaded     int
		inDB       time.Duration
		loadErr    error
		lwg        sync.WaitGroup
		nextReport = o.Deadlines / 10
	)
	for range loaders {
		lwg.Go(func() {
			for c := range chunks {
				is := time.Now()
				err := bulk.Insert(gctx, c.tables...)
				d := time.Since(is)
				lmu.Lock()
				if err != nil {
					loadErr = errors.Join(loadErr, err)
					lmu.Unlock()
					cancel()
					continue // drain
				}
				inDB += d
				loaded += c.n
				res.RowsInserted += int64(rowsPerRequest * c.n)
				if loaded >= nextReport && loaded < o.Deadlines {
					el := time.Since(t0).Seconds()
					fmt.Fprintf(stdout, "  loaded %s/%s requests (%.1fs, %.0f rows/s)\n", commas(int64(loaded)), commas(int64(o.Deadlines)), el, float64(res.RowsInserted)/el)
					nextReport += o.Deadlines / 10
				}
				lmu.Unlock()
			}
		})
	}
	lwg.Wait()
	genErr := errors.Join(genErrs...)
	if loadErr == nil && genErr == nil && ctx.Err() != nil {
		loadErr = ctx.Err()
	}
	res.InsertSeconds = time.Since(t0).Seconds()
	res.InsertDBSecs = inDB.Seconds() / float64(loaders)
	res.LoadCPU = loadCPU.stop()
	t1 := time.Now()
	if err := errors.Join(loadErr, genErr, bulk.Finish(ctx)); err != nil {
		return res, fmt.Errorf("bench: load: %w", err)
	}
	res.PrepareSeconds = time.Since(t1).Seconds()
	fmt.Fprintf(stdout, "inserted      %s rows (orders, aftersales, events, deadlines, payments into escrow: %s each) in %.1fs (%.1fs in the database per loader) = %.0f rows/s; then %s %.1fs\n",
		commas(res.RowsInserted), commas(int64(o.Deadlines)), res.InsertSeconds, res.InsertDBSecs, float64(res.RowsInserted)/res.InsertSeconds,
		map[string]string{"sqlite": "WAL checkpoint", "postgres": "VACUUM ANALYZE"}[db.Engine], res.PrepareSeconds)
	fmt.Fprintf(stdout, "load cpu      %s\n", res.LoadCPU)
	qs := time.Now()
	ds, err := st.DeadlineStats(ctx, clock.System{}.Now())
	if err != nil {
		return res, err
	}
	res.StatsQueryMS = ms(time.Since(qs))
	fmt.Fprintf(stdout, "before        deadlines pending %s, overdue %s (DeadlineStats, what /metrics runs on every scrape, took %.0f ms)\n",
		commas(ds.Pending), commas(ds.Overdue), res.StatsQueryMS)
	if ds.Pending != int64(o.Deadlines) || ds.Overdue != int64(o.Due) {
		return res, fmt.Errorf("bench: load: %d pending / %d overdue, want %d / %d", ds.Pending, ds.Overdue, o.Deadlines, o.Due)
	}

	// ---- fire ----
	w := worker.NewDeadlines(svc, o.Log, worker.DeadlineConfig{BatchSize: o.Batch})
	var (
		mu       sync.Mutex
		batches  []time.Duration
		lastWork time.Time
		fireErr  error
		claimed  atomic.Int64
		fired    atomic.Int64
	)
	fmt.Fprintf(stdout, "firing        worker.RunOnce, batch %d, %d loop(s)\n", o.Batch, o.FireWorkers)
	cpu := startCPU()
	t2 := time.Now()
	stopProgress := make(chan struct{})
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-t.C:
				f := fired.Load()
				el := time.Since(t2).Seconds()
				fmt.Fprintf(stdout, "  fired %s/%s (%.0fs, %.0f/s)\n", commas(f), commas(int64(o.Due)), el, float64(f)/el)
			}
		}
	}()
	var wg sync.WaitGroup
	for range o.FireWorkers {
		wg.Go(func() {
			stalled := 0
			for ctx.Err() == nil {
				bs := time.Now()
				fs, err := w.RunOnce(ctx)
				d := time.Since(bs)
				mu.Lock()
				if err != nil {
					fireErr = errors.Join(fireErr, err)
					mu.Unlock()
					return
				}
				if fs.Claimed > 0 {
					batches = append(batches, d)
					lastWork = time.Now()
					res.Claimed += int64(fs.Claimed)
					res.Fired += int64(fs.Fired)
					res.Cancelled += int64(fs.Cancelled)
					res.Skipped += int64(fs.Skipped)
					res.Failed += int64(fs.Failed)
				}
				mu.Unlock()
				claimed.Add(int64(fs.Claimed))
				fired.Add(int64(fs.Fired))
				if fs.Claimed == 0 {
					return
				}
				if fs.Fired+fs.Cancelled == 0 {
					if stalled++; stalled >= maxStalledBatch {
						mu.Lock()
						fireErr = errors.Join(fireErr, fmt.Errorf("bench: %d batches in a row fired nothing (last: %+v)", stalled, fs))
						mu.Unlock()
						return
					}
				} else {
					stalled = 0
				}
			}
		})
	}
	wg.Wait()
	res.CPU = cpu.stop()
	close(stopProgress)
	if err := errors.Join(fireErr, ctx.Err()); err != nil {
		return res, fmt.Errorf("bench: fire: %w", err)
	}
	if lastWork.IsZero() {
		lastWork = t2
	}
	res.FireSeconds = lastWork.Sub(t2).Seconds()
	res.Batches = len(batches)
	if res.FireSeconds > 0 {
		res.FiredPerSec = float64(res.Fired) / res.FireSeconds
	}
	if len(batches) > 0 {
		res.FirstBatchMS = ms(batches[0])
		slices.Sort(batches)
		res.BatchP50MS, res.BatchMaxMS = pct(batches, 50), pct(batches, 100)
	}
	fmt.Fprintf(stdout, "fired         %s (claimed %s, cancelled %d, skipped %d, failed %d) in %d batches, %.2fs → %.0f fired/s\n",
		commas(res.Fired), commas(res.Claimed), res.Cancelled, res.Skipped, res.Failed, res.Batches, res.FireSeconds, res.FiredPerSec)
	fmt.Fprintf(stdout, "cpu           %s\n", res.CPU)
	fmt.Fprintf(stdout, "batch time    first %.1f ms, p50 %.1f ms, max %.1f ms (%d deadlines per batch)\n", res.FirstBatchMS, res.BatchP50MS, res.BatchMaxMS, o.Batch)
	if res.FiredPerSec > 0 {
		proj := targetDue / res.FiredPerSec
		fmt.Fprintf(stdout, "target        %s due must fire within %.0fs (≥ %.0f/s): at this rate %s take %.1fs — %s\n",
			commas(targetDue), targetSeconds, targetDue/targetSeconds, commas(targetDue), proj, verdict(proj <= targetSeconds))
	}

	// ---- verify ----
	verify(ctx, st, gen, obs, res)
	if res.Verified {
		fmt.Fprintf(stdout, "verify        OK: %s SUCCESS with %s refunds recorded on their orders, %s still WAIT_SELLER_AGREE with pending deadlines\n",
			commas(res.Success), commas(res.Refunds), commas(res.Waiting))
		return res, nil
	}
	fmt.Fprintf(stdout, "verify        MISMATCH\n")
	for _, m := range res.Mismatches {
		fmt.Fprintf(stdout, "  %s\n", m)
	}
	return res, fmt.Errorf("bench: deadlines: verification failed: %s", strings.Join(res.Mismatches, "; "))
}

func verify(ctx context.Context, st *store.Store, gen *requestGen, obs *countingObserver, res *DeadlineResult) {
	n, m := int64(gen.n), int64(gen.due)
	bad := func(format string, args ...any) {
		res.Mismatches = append(res.Mismatches, fmt.Sprintf(format, args...))
	}
	want := func(what string, got, want int64) {
		if got != want {
			bad("%s: %d, want %d", what, got, want)
		}
	}
	byStatus, err := st.CountAftersalesByStatus(ctx)
	if err != nil {
		bad("count requests: %v", err)
		return
	}
	res.Success, res.Waiting = byStatus[string(aftersale.Success)], byStatus[string(aftersale.WaitSellerAgree)]
	var total int64
	for _, c := range byStatus {
		total += c
	}
	want("requests SUCCESS", res.Success, m)
	want("requests WAIT_SELLER_AGREE", res.Waiting, n-m)
	want("requests in total", total, n)
	want("fired (worker counts)", res.Fired, m)
	want("fired (observer)", obs.fired.Load(), m)
	ds, err := st.DeadlineStats(ctx, clock.System{}.Now())
	if err != nil {
		bad("deadline stats: %v", err)
		return
	}
	count := func(state string) int64 {
		c, err := st.CountDeadlines(ctx, state)
		if err != nil {
			bad("count %s deadlines: %v", state, err)
		}
		return c
	}
	want("deadlines fired", count(store.DeadlineFired), m)
	want("deadlines pending", ds.Pending, n-m)
	want("deadlines overdue", ds.Overdue, 0)
	want("deadlines cancelled", count(store.DeadlineCancelled), 0)
	want("deadlines failed", count(store.DeadlineFailed), 0)
	if res.Refunds, err = st.CountEvents(ctx, service.AggOrder, "refunded"); err != nil {
		bad("count refunds: %v", err)
	}
	want("order refunded events", res.Refunds, m)
	// The money: every due refund left its escrow for the buyer's payout.
	escrow, err1 := st.SumBalances(ctx, string(ledger.KindEscrow))
	payout, err2 := st.SumBalances(ctx, string(ledger.KindBuyerPayout))
	if err := errors.Join(err1, err2); err != nil {
		bad("sum balances: %v", err)
	}
	want("escrow held (fen)", int64(escrow), (n-m)*int64(deadlineAmount))
	want("buyer payouts (fen)", int64(payout), m*int64(deadlineAmount))
	auto, err := st.CountEvents(ctx, service.AggAftersale, string(aftersale.EvAutoAgreed))
	if err != nil {
		bad("count auto_agreed: %v", err)
	}
	want("auto_agreed events", auto, m)
	// Spot checks: the first, middle and last due and not-due requests.
	for _, i := range []int{0, gen.due / 2, gen.due - 1, gen.due, (gen.due + gen.n) / 2, gen.n - 1} {
		if i < 0 || i >= gen.n {
			continue
		}
		id, ok := gen.sampleIDs[i]
		if !ok {
			continue
		}
		a, err := st.GetAftersale(ctx, id)
		if err != nil {
			bad("request #%d: %v", i, err)
			continue
		}
		o, err := st.GetOrder(ctx, a.OrderID)
		if err != nil {
			bad("order of request #%d: %v", i, err)
			continue
		}
		escrow, err1 := st.AccountBalance(ctx, ledger.Escrow(o.ID))
		payout, err2 := st.AccountBalance(ctx, ledger.BuyerPayout(o.BuyerID))
		if err := errors.Join(err1, err2); err != nil {
			bad("balances of request #%d: %v", i, err)
			continue
		}
		if i < gen.due {
			if a.Status != aftersale.Success || a.Refunded != deadlineAmount || a.Deadline != nil || o.Refunded != deadlineAmount || o.Status != order.TradeClosed {
				bad("due request #%d %s: status %s refunded %d deadline %v; order %s refunded %d", i, id, a.Status, a.Refunded, a.Deadline, o.Status, o.Refunded)
			}
			// Buyers own two orders each (DB<i/2>): the payout holds this
			// refund, and the other's if that one was due too.
			if escrow != 0 || payout < deadlineAmount {
				bad("due request #%d %s: escrow %d, buyer payout %d; want 0 and at least %d", i, id, escrow, payout, deadlineAmount)
			}
		} else if a.Status != aftersale.WaitSellerAgree || a.Deadline == nil || o.Refunded != 0 || escrow != deadlineAmount {
			bad("pending request #%d %s: status %s deadline %v; order refunded %d, escrow %d", i, id, a.Status, a.Deadline, o.Refunded, escrow)
		}
	}
	res.Verified = len(res.Mismatches) == 0
}

// ---- row generation ----

// requestGen builds the rows the service writes when a buyer opens a
// refund_only request on a shipped order: the order (version 3: created,
// paid, shipped — its own events are not loaded), the request in
// WAIT_SELLER_AGREE, its 'requested' event (seq 1) and its pending
// seller_respond deadline "<id>/1". State and event come from the domain's
// own Decide and Evolve at the request's creation time, so the deadline's
// due time is creation + the rule book's seller_respond. Requests 0…due−1
// were opened long enough ago to be due now (oldest first); the others were
// opened just before now and fall due in two days.
type requestGen struct {
	book      *policy.Book
	now       time.Time
	n, due    int
	respond   time.Duration
	shipBy    time.Duration
	step      time.Duration
	sampleIDs map[int]string
	mu        sync.Mutex
}

func newRequestGen(book *policy.Book, now time.Time, n, due int) *requestGen {
	respond, _ := book.Duration("aftersale.seller_respond")
	shipBy, _ := book.Duration("order.ship_by")
	step := time.Microsecond
	if due > 0 {
		step = max(time.Microsecond, (time.Hour / time.Duration(due)).Truncate(time.Microsecond))
	}
	return &requestGen{book: book, now: now, n: n, due: due, respond: respond, shipBy: shipBy, step: step, sampleIDs: map[int]string{}}
}

type chunk struct {
	n      int
	tables []store.BulkTable
}

var (
	orderCols     = []string{"id", "buyer_id", "seller_id", "status", "body", "version", "created_at", "updated_at"}
	aftersaleCols = []string{"id", "order_id", "buyer_id", "seller_id", "status", "is_open", "body", "version", "created_at", "updated_at"}
	eventCols     = []string{"aggregate_type", "aggregate_id", "seq", "event_id", "type", "actor", "at", "reason", "rule_ids", "policy_version", "data"}
	ledgerTxCols  = []string{"seq", "id", "kind", "order_id", "ref", "rule_ids", "at", "digest"}
	postingCols   = []string{"transaction_id", "line", "seq", "account", "amount", "balance_after"}
	balanceCols   = []string{"account", "balance", "min_balance"}
	deadlineCols  = []string{"id", "aggregate_type", "aggregate_id", "kind", "actor", "due_at", "on_expiry", "rule_id", "state", "created_at", "settled_at", "note"}
)

// createdAt is when request i was opened.
func (g *requestGen) createdAt(i int) time.Time {
	if i < g.due {
		// Due between an hour ago and a little before now, oldest first.
		due := g.now.Add(-time.Hour - time.Second).Add(time.Duration(i) * g.step)
		return due.Add(-g.respond)
	}
	return g.now.Add(-time.Duration(g.n-i) * time.Microsecond)
}

func (g *requestGen) chunk(from, to int) (chunk, error) {
	c := chunk{n: to - from}
	orders := make([][]any, 0, c.n)
	reqs := make([][]any, 0, c.n)
	evs := make([][]any, 0, c.n)
	dls := make([][]any, 0, c.n)
	ltxs := make([][]any, 0, c.n)
	posts := make([][]any, 0, 2*c.n)
	bals := make([][]any, 0, c.n)
	for i := from; i < to; i++ {
		created := g.createdAt(i)
		oid := fmt.Sprintf("dl%08d", i)
		// Parties in ascending blocks: index inserts stay appends (fast loading).
		buyer, seller := fmt.Sprintf("DB%07d", i/2), fmt.Sprintf("DS%05d", i/500)
		paidAt, shippedAt := created.Add(-3*time.Hour), created.Add(-2*time.Hour)
		o := order.Order{ID: oid, Facts: order.Facts{BuyerID: buyer, SellerID: seller, Category: "女装", Amount: deadlineAmount,
			Items: []order.Item{{Title: "压测商品 " + oid, Quantity: 1, Price: deadlineAmount}}}, Status: order.WaitBuyerPay,
			Version: 1, CreatedAt: paidAt.Add(-time.Minute), UpdatedAt: paidAt.Add(-time.Minute)}
		var err error
		if o, err = order.Apply(o, order.Fact{Type: order.FactPaid, At: paidAt}, g.shipBy); err != nil {
			return c, err
		}
		o.Version, o.UpdatedAt = 2, paidAt
		if o, err = order.Apply(o, order.Fact{Type: order.FactShipped, At: shippedAt, Carrier: "SF", TrackingNo: "SF" + oid}, g.shipBy); err != nil {
			return c, err
		}
		o.Version, o.UpdatedAt = 3, shippedAt
		obody, err := json.Marshal(o)
		if err != nil {
			return c, err
		}
		orders = append(orders, []any{o.ID, o.BuyerID, o.SellerID, string(o.Status), string(obody), o.Version, o.CreatedAt.UnixMicro(), o.UpdatedAt.UnixMicro()})
		// The payment into escrow, as the service posts it when the order
		// is paid (ledger.Pay, id "pay:<order>"), so that a fired refund
		// moves real money: escrow → the buyer's payout.
		pay, err := ledger.Pay(ledger.Meta{ID: "pay:" + o.ID, OrderID: o.ID, At: paidAt}, o.Amount)
		if err != nil {
			return c, err
		}
		seq := int64(i + 1)
		rj, _ := json.Marshal(pay.RuleIDs) // never nil: the builder gives [] at least
		ltxs = append(ltxs, []any{seq, pay.ID, string(pay.Kind), pay.OrderID, pay.Ref, string(rj), pay.At.UnixMicro(), pay.Digest()})
		for li, p := range pay.Postings {
			var after any
			if _, bounded := p.Account.Floor(); bounded {
				after = int64(p.Amount) // the escrow's first and only posting
			}
			posts = append(posts, []any{pay.ID, li + 1, seq, p.Account.String(), int64(p.Amount), after})
		}
		bals = append(bals, []any{ledger.Escrow(o.ID).String(), int64(o.Amount), int64(0)})

		id := uuid.Must(uuid.NewV7()).String()
		view := aftersale.OrderView{ID: o.ID, BuyerID: o.BuyerID, SellerID: o.SellerID, Closed: o.Status == order.TradeClosed,
			PaidAt: o.PaidAt, ShippedAt: o.ShippedAt, DeliveredAt: o.DeliveredAt, CompletedAt: o.CompletedAt, Refundable: o.Refundable()}
		cmd := aftersale.Command{Action: aftersale.Create, Actor: aftersale.Actor{Role: aftersale.Buyer, ID: buyer, Via: "integration:bench"},
			Type: aftersale.RefundOnly, Reason: aftersale.NotReceived, Amount: deadlineAmount}
		out, err := aftersale.Decide(aftersale.State{ID: id}, view, cmd, g.book, created)
		if err != nil {
			return c, fmt.Errorf("bench: decide request #%d: %w", i, err)
		}
		e := out[0]
		e.Seq = 1
		s := aftersale.Evolve(aftersale.State{ID: id}, e)
		d := s.Deadline
		if d == nil || d.Kind != aftersale.SellerRespond || (i < g.due) != !d.DueAt.After(g.now) {
			return c, fmt.Errorf("bench: request #%d: unexpected deadline %+v", i, d)
		}
		sbody, err := json.Marshal(s)
		if err != nil {
			return c, err
		}
		reqs = append(reqs, []any{s.ID, s.OrderID, s.BuyerID, s.SellerID, string(s.Status), int64(1), string(sbody), s.Version, s.CreatedAt.UnixMicro(), s.UpdatedAt.UnixMicro()})

		actor, _ := json.Marshal(e.Actor)
		rules := e.RuleIDs
		if rules == nil {
			rules = []string{}
		}
		rjson, _ := json.Marshal(rules)
		data, _ := json.Marshal(e.Data)
		evs = append(evs, []any{service.AggAftersale, id, e.Seq, uuid.Must(uuid.NewV7()).String(), string(e.Type), string(actor),
			e.At.UnixMicro(), e.Reason, string(rjson), e.PolicyVersion, string(data)})

		dls = append(dls, []any{fmt.Sprintf("%s/%d", id, e.Seq), service.AggAftersale, id, string(d.Kind), string(d.Actor), d.DueAt.UnixMicro(),
			d.OnExpiry, d.RuleID, store.DeadlinePending, created.UnixMicro(), nil, ""})

		if i == 0 || i == g.due/2 || i == g.due-1 || i == g.due || i == (g.due+g.n)/2 || i == g.n-1 {
			g.mu.Lock()
			g.sampleIDs[i] = id
			g.mu.Unlock()
		}
	}
	c.tables = []store.BulkTable{
		{Name: "orders", Cols: orderCols, Rows: orders},
		{Name: "aftersales", Cols: aftersaleCols, Rows: reqs},
		{Name: "events", Cols: eventCols, Rows: evs},
		{Name: "deadlines", Cols: deadlineCols, Rows: dls},
		{Name: "ledger_transactions", Cols: ledgerTxCols, Rows: ltxs},
		{Name: "ledger_postings", Cols: postingCols, Rows: posts},
		{Name: "ledger_balances", Cols: balanceCols, Rows: bals},
	}
	return c, nil
}
