package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
)

// The harness is checked for correctness only: no errors, every flow runs,
// every due deadline fires and exactly those requests succeed. Timings are
// printed, never asserted.

func checkLifecycle(t *testing.T, r *LifecycleResult) {
	t.Helper()
	if r == nil {
		t.Fatal("no lifecycle result")
	}
	if r.Errors != 0 {
		t.Fatalf("lifecycle: %d errors: %q", r.Errors, r.ErrorSamples)
	}
	if r.Transitions == 0 || r.Lifecycles == 0 {
		t.Fatalf("lifecycle: nothing done: %+v", r)
	}
	for _, f := range flowNames {
		if r.Flows[f] == 0 {
			t.Errorf("lifecycle: flow %s never completed: %v", f, r.Flows)
		}
	}
	// Every 2xx call is one committed transition, as the server counts them.
	if got := r.Server["weiquan_transitions_total"]; int64(got) != r.Transitions {
		t.Errorf("server counted %v transitions, the harness %d", got, r.Transitions)
	}
	// A lifecycle that leaves its order awaiting receipt (the buyer cancels,
	// or a partial refund) leaves the order's auto-confirmation pending
	// (自动确认收货); every other deadline is settled.
	if got, want := r.Server["weiquan_deadlines_pending"], float64(r.Flows["cancel"]+r.Flows["counter_offer"]); got != want {
		t.Errorf("%v deadlines still pending after completed lifecycles, want the %v auto-confirmations of orders still awaiting receipt", got, want)
	}
	if r.Calls != r.Transitions {
		t.Errorf("%d calls but %d transitions without errors", r.Calls, r.Transitions)
	}
}

func checkDeadlines(t *testing.T, r *DeadlineResult, n, due int) {
	t.Helper()
	if r == nil {
		t.Fatal("no deadline result")
	}
	if !r.Verified || len(r.Mismatches) > 0 {
		t.Fatalf("deadlines not verified: %q", r.Mismatches)
	}
	if r.RowsInserted != int64(rowsPerRequest*n) {
		t.Errorf("rows inserted %d, want %d", r.RowsInserted, rowsPerRequest*n)
	}
	if r.Fired != int64(due) || r.Success != int64(due) || r.Refunds != int64(due) {
		t.Errorf("fired %d, SUCCESS %d, refunds %d; want %d each", r.Fired, r.Success, r.Refunds, due)
	}
	if r.Waiting != int64(n-due) {
		t.Errorf("still waiting %d, want %d", r.Waiting, n-due)
	}
	if r.Cancelled+r.Skipped+r.Failed != 0 {
		t.Errorf("cancelled %d, skipped %d, failed %d; want none", r.Cancelled, r.Skipped, r.Failed)
	}
}

// A short run on each engine: the lifecycle load and a deadline burst of
// 2000 deadlines, 200 of them due, fired in batches.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		engine             string
		db                 string // "" is a temporary SQLite file
		batch, fireWorkers int
	}{
		{engine: "sqlite", batch: 64, fireWorkers: 1},
		{engine: "postgres", db: os.Getenv(apitest.PostgresEnv), batch: 50, fireWorkers: 2},
	} {
		t.Run(tc.engine, func(t *testing.T) {
			if tc.engine == "postgres" && tc.db == "" {
				t.Skipf("set %s to run on PostgreSQL", apitest.PostgresEnv)
			}
			var out bytes.Buffer
			rep, err := Run(context.Background(), Options{DB: tc.db, Concurrency: 3, Duration: 2 * time.Second, Idempotency: true,
				Deadlines: 2000, Due: 200, Batch: tc.batch, FireWorkers: tc.fireWorkers}, &out, &out)
			t.Log("\n" + out.String())
			if err != nil {
				t.Fatal(err)
			}
			checkLifecycle(t, rep.Lifecycle)
			checkDeadlines(t, rep.Deadlines, 2000, 200)
			if rep.Deadlines.Batches < 200/tc.batch {
				t.Errorf("%d batches for 200 deadlines of %d", rep.Deadlines.Batches, tc.batch)
			}
		})
	}
}

func TestMainFlagsReportAndCleanup(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "bench.db")
	report := filepath.Join(dir, "report.json")
	var out, errs bytes.Buffer
	err := Main(context.Background(), []string{"--db", "sqlite:" + db, "--duration", "1s", "--concurrency", "2", "--idempotency=false",
		"--deadlines", "500", "--due", "50", "--batch", "20", "--out", report}, &out, &errs)
	t.Log("\n" + out.String() + errs.String())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	checkLifecycle(t, rep.Lifecycle)
	checkDeadlines(t, rep.Deadlines, 500, 50)
	if rep.Lifecycle.Idempotency {
		t.Error("--idempotency=false ignored")
	}
	for _, p := range []string{db, filepath.Join(dir, "bench-deadlines.db")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s not removed after the run (err %v)", p, err)
		}
	}
	if !strings.Contains(out.String(), "== summary ==") {
		t.Error("no summary printed")
	}
}

func TestMainRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--deadlines", "10", "--due", "11"},
		{"--db", "mysql://x"},
		{"--concurrency", "0"},
		{"--pgbench"}, // SQLite and no --pgbench-url
		{"--duration", "0s"},
		{"stray"},
	} {
		var out bytes.Buffer
		if err := Main(context.Background(), args, &out, &out); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestDeadlinesOnlyUnlessDurationGiven(t *testing.T) {
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"--deadlines", "100", "--due", "10"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "== lifecycle") {
		t.Errorf("lifecycle ran without --duration:\n%s", out.String())
	}
}

func TestParsePGBench(t *testing.T) {
	out := []byte(`pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 10
query mode: simple
number of clients: 16
number of threads: 2
maximum number of tries: 1
duration: 15 s
number of transactions actually processed: 43550
number of failed transactions: 0 (0.000%)
latency average = 5.510 ms
initial connection time = 52.112 ms
tps = 2904.012345 (without initial connection time)
`)
	var r PGBenchResult
	if err := parsePGBench(out, &r); err != nil {
		t.Fatal(err)
	}
	if r.TPS != 2904.012345 || r.LatencyAvg != 5.51 || r.Transactions != 43550 {
		t.Errorf("parsed %+v", r)
	}
	if err := parsePGBench([]byte("connection refused"), &r); err == nil {
		t.Error("no error without tps")
	}
	u, err := pgbenchURI("postgres://u:p@h:5432/test?search_path=x&sslmode=disable&pool_max_conns=4", "weiquan_pgbench")
	if err != nil || u != "postgres://u:p@h:5432/weiquan_pgbench?sslmode=disable" {
		t.Errorf("pgbenchURI = %q, %v", u, err)
	}
}
