package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/weiquan/weiquan/internal/demo"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/server"
	"github.com/weiquan/weiquan/internal/simulate"
)

// simulateCmd is `weiquan simulate`: a synthetic marketplace (shops,
// buyers, honest and adversarial actors, agents) driven through the public
// API of an in-process server on its own database and clock, for --days
// simulated days; it prints the report (internal/simulate).
func simulateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("simulate", stderr)
	days := fs.Int("days", 30, "simulated days")
	seed := fs.Int64("seed", 1, "random seed (the same seed gives the same report)")
	shops := fs.Int("shops", 12, "shops")
	buyers := fs.Int("buyers", 60, "buyers")
	perDay := fs.Int("orders-per-day", 40, "orders a day")
	start := fs.String("start", simulate.DefaultStart.Format("2006-01-02"), "first simulated day (YYYY-MM-DD, UTC)")
	dataDir := fs.String("data", demo.DefaultDataDir, "folder of real data whose listing titles are sampled (built-in titles without it)")
	db := fs.String("db", "", "keep the simulated marketplace in this new SQLite file (for weiquan policy replay); default a temporary file")
	policyFile := fs.String("policy", "", "rule book file in force (default the embedded one)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	noBar := fs.Bool("no-progress", false, "no progress bar on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("simulate: unexpected argument %q", fs.Arg(0))
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"days", *days}, {"shops", *shops}, {"buyers", *buyers}, {"orders-per-day", *perDay}} {
		if f.v < 1 {
			return fault.Field(f.name, "--%s 须为正整数 / --%s must be a positive number", f.name, f.name)
		}
	}
	from, err := time.Parse("2006-01-02", *start)
	if err != nil {
		return fmt.Errorf("simulate: --start wants YYYY-MM-DD: %w", err)
	}
	book, err := server.LoadPolicy(*policyFile)
	if err != nil {
		return fmt.Errorf("simulate: --policy: %w", err)
	}
	path := strings.TrimPrefix(*db, "sqlite:")
	o := simulate.Options{Days: *days, Seed: *seed, Shops: *shops, Buyers: *buyers, OrdersPerDay: *perDay, Start: from,
		DataDir: *dataDir, DB: path, Book: book, Messages: stderr}
	if isTerminal(stderr) && !*noBar {
		bar := progressbar.NewOptions(*days*24, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("模拟 / simulating (hours)"),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(), progressbar.OptionShowCount())
		o.Progress = func(done, _ int) { _ = bar.Set(done) }
		defer bar.Finish()
	}
	began := time.Now()
	s, err := simulate.New(ctx, o)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.Run(ctx)
	if err != nil {
		return err
	}
	elapsed := time.Since(began)
	if *asJSON {
		if err := printJSON(stdout, rep); err != nil {
			return err
		}
	} else {
		rep.Format(stdout)
	}
	fmt.Fprintf(stderr, "simulated %d days in %s (wall clock): %d HTTP requests, %.0f/s\n", *days, elapsed.Round(time.Millisecond),
		rep.HTTP, float64(rep.HTTP)/elapsed.Seconds())
	if path != "" {
		fmt.Fprintf(stderr, "kept in %s: weiquan policy replay --db sqlite:%s --proposed FILE --since %dd --until %s\n",
			path, path, *days, s.End().Format(time.RFC3339))
	}
	if !rep.LedgerOK {
		return fmt.Errorf("simulate: ledger check found %d violations", rep.LedgerIssues)
	}
	return nil
}
