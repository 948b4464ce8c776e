// Package bench is the load harness behind `weiquan bench`. It prints
// figures; it never asserts timings (the only failures are errors and wrong
// results).
//
// Three phases, each on a fresh database (a temporary SQLite file by
// default, a fresh schema bench_<random> with --db postgres://…; removed at
// the end unless --keep):
//
//   - lifecycle: a real server in-process on 127.0.0.1:0, an integration
//     key, and --concurrency workers looping full after-sales lifecycles over
//     HTTP for --duration (PUT order, paid, shipped, POST aftersale as the
//     buyer, then in turn: refund_only → agree; return_and_refund → agree →
//     ship-return → confirm-return; refuse → modify → agree; counter-offer →
//     accept-offer; cancel). Every successful state-changing call is one
//     transition. Prints transitions/s, per-call latency percentiles, errors
//     and the server's deadline gauges.
//   - pgbench (--pgbench): TPC-B on the same PostgreSQL server (database
//     weiquan_pgbench, created and dropped), same concurrency and duration,
//     and the ratio weiquan transitions/s ÷ pgbench TPS.
//   - deadlines (--deadlines N --due M): no HTTP. N pending refund_only
//     requests with their seller_respond deadline, M of them due, are bulk
//     loaded exactly as the service writes them; then the real deadline
//     worker (RunOnce, --batch per transaction, --fire-workers in parallel)
//     fires until nothing is due. Prints load time, fire time and rate, and
//     verifies that exactly M requests are SUCCESS (refunds recorded on their
//     orders) and N−M still wait for the seller.
//
// Commands (from the repository root):
//
//	go run ./cmd/weiquan bench --duration 15s                      # SQLite lifecycle load
//	go run ./cmd/weiquan bench --db postgres://postgres@127.0.0.1:5432/test --pgbench --duration 15s
//	go run ./cmd/weiquan bench --deadlines 1000000 --due 100000    # SQLite deadline firing
//	go run ./cmd/weiquan bench --db postgres://postgres@127.0.0.1:5432/test --deadlines 1000000 --due 100000
//	go run ./cmd/weiquan bench --duration 15s --deadlines 200000 --due 20000 --out report.json
//	go run ./cmd/weiquan bench --duration 15s --cpuprofile cpu.out && go tool pprof -top cpu.out
//
// With --deadlines the lifecycle phase runs only when --duration is given
// explicitly. --fire-workers N runs N RunOnce loops at once, as N server
// replicas would (PostgreSQL claims with SKIP LOCKED; SQLite has one
// writer). Every phase also prints how busy the machine was (this process,
// local PostgreSQL, pgbench, anything else): the HTTP client runs in this
// process too, and a figure taken while other programs ran is not comparable.
//
// The PostgreSQL target of the deadline phase (100,000 due of 1,000,000
// within 60 s) assumes one server; see --fire-workers for replicas.
//
// Flags: --db, --concurrency, --duration, --idempotency, --pgbench,
// --pgbench-url, --pgbench-scale, --deadlines, --due, --batch,
// --fire-workers, --keep, --out, --cpuprofile.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/server"
)

// Options configure a run.
type Options struct {
	DB           string        // "" (temporary SQLite), sqlite:PATH or postgres://…
	Concurrency  int           // lifecycle workers
	Duration     time.Duration // lifecycle (and pgbench) duration; 0 skips the lifecycle phase
	Idempotency  bool          // send an Idempotency-Key with every POST
	PGBench      bool          // run pgbench TPC-B for comparison
	PGBenchURL   string        // PostgreSQL server for pgbench (default: --db when PostgreSQL)
	PGBenchScale int           // pgbench -i -s
	Deadlines    int           // pending requests to load (0 skips the deadline phase)
	Due          int           // of which due now
	Batch        int           // deadlines per worker transaction
	FireWorkers  int           // RunOnce loops in parallel
	Keep         bool          // keep the databases
	SQLiteSync   string        // the server's sqlite-synchronous ("": its default, FULL)
	Log          *slog.Logger  // server logs (default: warnings to stderr)
}

// Report is everything a run measured (--out writes it as JSON).
type Report struct {
	Started   time.Time        `json:"started"`
	Go        string           `json:"go"`
	OS        string           `json:"os"`
	CPUs      int              `json:"cpus"`
	Version   string           `json:"version"`
	Lifecycle *LifecycleResult `json:"lifecycle,omitempty"`
	PGBench   *PGBenchResult   `json:"pgbench,omitempty"`
	Ratio     float64          `json:"weiquan_over_pgbench,omitempty"`
	Deadlines *DeadlineResult  `json:"deadlines,omitempty"`
}

// Main runs `weiquan bench` with command-line arguments.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	fs.StringVar(&o.DB, "db", "", "database: sqlite:PATH or postgres://… (default: a temporary SQLite file)")
	fs.IntVar(&o.Concurrency, "concurrency", 16, "concurrent lifecycle workers (and pgbench clients)")
	fs.DurationVar(&o.Duration, "duration", 20*time.Second, "lifecycle load duration (with --deadlines: only when given)")
	fs.BoolVar(&o.Idempotency, "idempotency", true, "send an Idempotency-Key with every POST, as an integration would")
	fs.BoolVar(&o.PGBench, "pgbench", false, "also run pgbench TPC-B on the PostgreSQL server and compare")
	fs.StringVar(&o.PGBenchURL, "pgbench-url", "", "PostgreSQL server for pgbench (default: --db); implies --pgbench")
	fs.IntVar(&o.PGBenchScale, "pgbench-scale", 10, "pgbench -i scale factor")
	fs.IntVar(&o.Deadlines, "deadlines", 0, "deadline benchmark: pending requests to load (e.g. 1000000)")
	fs.IntVar(&o.Due, "due", 0, "deadline benchmark: how many of them are due now (e.g. 100000)")
	fs.IntVar(&o.Batch, "batch", 500, "deadline benchmark: deadlines per worker transaction")
	fs.IntVar(&o.FireWorkers, "fire-workers", 0, "deadline benchmark: worker loops firing in parallel (0: what the server runs: 2 on PostgreSQL, 1 on SQLite)")
	fs.StringVar(&o.SQLiteSync, "sqlite-synchronous", "", "the server's SQLite durability, FULL or NORMAL (default: the server's default, FULL)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the databases (SQLite files, PostgreSQL schemas and weiquan_pgbench)")
	out := fs.String("out", "", "write a JSON report to this file")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server included) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected arguments %q", fs.Args())
	}
	durationSet := false
	fs.Visit(func(f *flag.Flag) { durationSet = durationSet || f.Name == "duration" })
	if o.Deadlines > 0 && !durationSet {
		o.Duration = 0
	}
	if o.PGBenchURL != "" {
		o.PGBench = true
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := Run(ctx, o, stdout, stderr)
	if *out != "" && rep != nil {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if werr := os.WriteFile(*out, append(b, '\n'), 0o644); werr != nil {
			err = errors.Join(err, werr)
		} else {
			fmt.Fprintf(stdout, "report written to %s\n", *out)
		}
	}
	return err
}

func (o *Options) validate() error {
	if o.DB != "" && !strings.HasPrefix(o.DB, "sqlite:") && !isPostgres(o.DB) {
		return fmt.Errorf("bench: --db: want sqlite:PATH or postgres://…, got %q", o.DB)
	}
	if o.Concurrency < 1 {
		return errors.New("bench: --concurrency: at least 1")
	}
	if o.Duration < 0 {
		return errors.New("bench: --duration: negative")
	}
	if o.Deadlines < 0 || o.Due < 0 || o.Due > o.Deadlines {
		return errors.New("bench: --due must be between 0 and --deadlines")
	}
	if o.Batch < 1 || o.Batch > 10000 {
		return errors.New("bench: --batch: 1–10000")
	}
	if o.FireWorkers < 1 {
		// What `weiquan serve` runs (config: --deadline-workers 0).
		o.FireWorkers = 1
		if strings.HasPrefix(o.DB, "postgres") {
			o.FireWorkers = 2
		}
	}
	if o.PGBenchScale < 1 {
		o.PGBenchScale = 10
	}
	if o.Duration == 0 && o.Deadlines == 0 && !o.PGBench {
		return errors.New("bench: nothing to do: give --duration > 0, --pgbench or --deadlines N")
	}
	if o.PGBench && o.PGBenchURL == "" && !isPostgres(o.DB) {
		return errors.New("bench: --pgbench needs a PostgreSQL --db or --pgbench-url")
	}
	return nil
}

// Run runs the phases the options ask for and returns what they measured.
// Errors: a phase could not run, or the deadline phase verified a wrong result.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) (*Report, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	rep := &Report{Started: time.Now().UTC(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, CPUs: runtime.NumCPU(), Version: server.Version}
	fmt.Fprintf(stdout, "weiquan bench %s — %s %s, %d CPUs, GOMAXPROCS %d\n", server.Version, rep.Go, rep.OS, rep.CPUs, runtime.GOMAXPROCS(0))
	var summaries []string
	if o.Duration > 0 {
		res, err := runLifecycle(ctx, o, stdout)
		rep.Lifecycle = res
		if err != nil {
			return rep, err
		}
		summaries = append(summaries, res.Summary())
	}
	if o.PGBench {
		pgURL := o.PGBenchURL
		if pgURL == "" {
			pgURL = o.DB
		}
		d := o.Duration
		if d == 0 {
			d = 20 * time.Second
		}
		res, err := runPGBench(ctx, pgURL, o.PGBenchScale, o.Concurrency, d, o.Keep, stdout, stderr)
		rep.PGBench = res
		if err != nil {
			return rep, err
		}
		line := res.Summary()
		if rep.Lifecycle != nil && res.TPS > 0 {
			rep.Ratio = rep.Lifecycle.TPS / res.TPS
			fmt.Fprintf(stdout, "ratio         weiquan %.1f transitions/s ÷ pgbench %.1f TPS = %.0f%%\n", rep.Lifecycle.TPS, res.TPS, 100*rep.Ratio)
			if rep.Lifecycle.Engine == "postgres" {
				fmt.Fprintf(stdout, "target        PostgreSQL: ≥ %.0f%% of the same run's pgbench TPS — %s\n", 100*targetPGRatio, verdict(rep.Ratio >= targetPGRatio))
			}
			line += fmt.Sprintf("; weiquan/pgbench %.0f%%", 100*rep.Ratio)
		}
		summaries = append(summaries, line)
	}
	if o.Deadlines > 0 {
		res, err := runDeadlines(ctx, o, stdout, stderr)
		rep.Deadlines = res
		if res != nil {
			summaries = append(summaries, res.Summary())
		}
		if err != nil {
			printSummaries(stdout, summaries)
			return rep, err
		}
	}
	printSummaries(stdout, summaries)
	return rep, nil
}

func printSummaries(w io.Writer, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "\n== summary ==")
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

func isPostgres(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// commas formats an integer with thousands separators.
func commas(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
