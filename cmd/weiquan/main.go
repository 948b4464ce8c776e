// Command weiquan runs the after-sales dispute platform: serve the API and
// workers, fill a demo marketplace, migrate, create API keys, run the load
// harness. See `weiquan help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/weiquan/weiquan/internal/bench"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/demo"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/server"
	"github.com/weiquan/weiquan/internal/store"
)

const usage = `weiquan — 售后维权平台 / after-sales dispute platform

用法 / usage:
  weiquan serve [--db URL] [--addr HOST:PORT] [--policy FILE] [--demo]
  weiquan demo [--db URL] [--data DIR] [--seed N]
  weiquan migrate [--db URL]
  weiquan apikey create --role ROLE [--party ID] [--name NAME] [--expires D] [--db URL] · list · revoke ID · rotate ID [--grace D]
  weiquan admin create --name LOGIN --password-stdin [--display-name NAME] [--force] [--db URL]
  weiquan ledger check [--db URL] [--json]
  weiquan policy check FILE [--db URL | --against FILE]
  weiquan bench [--db URL] [--concurrency N] [--duration D] [--deadlines N --due N]
  weiquan scan FILE [--format jsonl|csv] [--out jsonl|csv] [--fail-on low|medium|high|none] · eval [--data DIR] [--train DIR] [--json] [--bench N] · train [--data DIR] [--only cold|router|all]
  weiquan version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "weiquan:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "demo":
		return demoCmd(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "apikey":
		return apikey(ctx, rest, stdout, stderr)
	case "admin":
		return adminCmd(ctx, rest, os.Stdin, stdout, stderr)
	case "bench":
		return bench.Main(ctx, rest, stdout, stderr)
	case "ledger":
		return ledgercheck.Main(ctx, rest, stdout, stderr)
	case "policy":
		return policyCmd(ctx, rest, stdout, stderr)
	case "scan", "eval", "train":
		return map[string]func(context.Context, []string, io.Writer, io.Writer) error{"scan": scanCmd, "eval": evalCmd, "train": trainCmd}[cmd](ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "weiquan", server.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config.Config
	cfg.Flags(fs)
	fs.BoolVar(&cfg.Demo, "demo", false, "start from a fresh SQLite database filled with a demo marketplace")
	dataDir := fs.String("data", demo.DefaultDataDir, "folder of real data for demo titles (used when present)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	if cfg.Demo {
		dbFlagSet := false
		fs.Visit(func(f *flag.Flag) { dbFlagSet = dbFlagSet || f.Name == "db" })
		if !dbFlagSet {
			cfg.DB = "sqlite:./weiquan-demo.db"
		}
		path, ok := sqlitePath(cfg.DB)
		if !ok {
			return errors.New("serve --demo: needs a sqlite: database (it is recreated)")
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		if _, err := fillDemo(ctx, cfg.DB, cfg.PolicyFile, *dataDir, 1, cfg.Addr, stdout, log); err != nil {
			return err
		}
	}
	s, err := server.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "weiquan %s listening on http://%s (db %s)\n", server.Version, s.Addr, cfg.DB)
	return s.Wait(ctx)
}

func sqlitePath(db string) (string, bool) {
	p, ok := cutPrefix(db, "sqlite:")
	if !ok || p == ":memory:" {
		return "", false
	}
	return filepath.Clean(p), true
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", config.Default().DB, "database URL")
	policyFile := fs.String("policy", "", "rule book file")
	dataDir := fs.String("data", demo.DefaultDataDir, "folder of real data for demo titles (used when present)")
	seed := fs.Int64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, err := fillDemo(ctx, *db, *policyFile, *dataDir, *seed, "", stdout, newLogger(stderr, "warn"))
	return err
}

func fillDemo(ctx context.Context, db, policyFile, dataDir string, seed int64, addr string, stdout io.Writer, log *slog.Logger) (demo.Summary, error) {
	book, err := server.LoadPolicy(policyFile)
	if err != nil {
		return demo.Summary{}, err
	}
	clk := clock.NewManual(clock.System{}.Now())
	svc, st, err := server.OpenService(ctx, db, book, clk, log, nil)
	if err != nil {
		return demo.Summary{}, err
	}
	defer st.Close()
	sum, err := demo.Fill(ctx, svc, st, clk, demo.Options{DataDir: dataDir, Seed: seed})
	if err != nil {
		return sum, err
	}
	sum.Addr = addr
	sum.Print(stdout)
	return sum, nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", config.Default().DB, "database URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied: %d (%s)\n", n, st.Dialect())
	return nil
}
