// Command weiquan runs the after-sales dispute platform: serve the API and
// workers, fill a demo marketplace, migrate, create API keys, run the load
// harness. See `weiquan help`.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/weiquan/weiquan/internal/bench"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/demo"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/server"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

const usage = `weiquan — 售后维权平台 / after-sales dispute platform

用法 / usage:
  weiquan serve [--demo] [--data DIR] [CONFIG FLAGS]
  weiquan demo [--data DIR] [--seed N] [CONFIG FLAGS]      (an empty database only)
  weiquan migrate [CONFIG FLAGS]
  weiquan apikey create --role ROLE [--party ID] [--name NAME] [--expires D] · list · revoke ID · rotate ID [--grace D] [CONFIG FLAGS]
  weiquan admin create --name LOGIN --password-stdin [--display-name NAME] [--force] [CONFIG FLAGS]
  weiquan ledger check [--json] [CONFIG FLAGS]
  weiquan backup --out FILE [CONFIG FLAGS]                 (SQLite; PostgreSQL: pg_dump, see README)
  weiquan config [CONFIG FLAGS]                            (the effective configuration, secrets masked)
  weiquan policy check FILE [--db URL | --against FILE]
  weiquan calendar import FILE · status · export [CONFIG FLAGS]   (working-day calendar, JSON)
  weiquan bench [--db URL] [--concurrency N] [--duration D] [--deadlines N --due N]
  weiquan scan FILE [--format jsonl|csv] [--out jsonl|csv] [--fail-on low|medium|high|none] · eval [--data DIR] [--train DIR] [--json] [--bench N] · train [--data DIR] [--only cold|router|all]
  weiquan simulate [--days 30] [--seed 1] [--shops N --buyers N --orders-per-day N] [--db FILE] [--json]
  weiquan version

CONFIG FLAGS (every command that works on the database reads the same
configuration: flag > environment WEIQUAN_* > --config FILE > default; see
weiquan config --help and the README's table): --config FILE, --db URL,
--addr HOST:PORT, --policy FILE, --log-level LEVEL, …
`

// command runs one subcommand with its arguments.
type command func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// commands is the dispatch table: one line a command.
var commands = map[string]command{
	"serve":   serve,
	"demo":    demoCmd,
	"migrate": migrate,
	"apikey":  apikey,
	"admin": func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return adminCmd(ctx, args, os.Stdin, stdout, stderr)
	},
	"ledger":   ledgercheck.Main,
	"backup":   backupCmd,
	"config":   configCmd,
	"policy":   policyCmd,
	"calendar": calendarCmd,
	"bench":    bench.Main,
	"scan":     scanCmd,
	"eval":     evalCmd,
	"train":    trainCmd,
	"simulate": simulateCmd,
	"version":  versionCmd,
}

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
	name, rest := args[0], args[1:]
	if cmd, ok := commands[name]; ok {
		return cmd(ctx, rest, stdout, stderr)
	}
	switch name {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", name)
}

// loadConfig is how a command reads the shared configuration: fs carries
// the command's own flags (register them before), the configuration's are
// added; args are parsed and the configuration resolved (flag >
// environment > --config file > default) and validated. fs.Args() holds
// what is left.
func loadConfig(fs *flag.FlagSet, args []string) (config.Config, error) {
	return config.Load(fs, args)
}

// newFlags is a command's flag set, its errors and usage on stderr.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// printJSON writes v to w as indented JSON (a command's --json output).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// openService opens the configured database (migrated) and the service
// over it with the rule book in force; the caller closes the store.
func openService(ctx context.Context, cfg config.Config, stderr io.Writer) (*service.Service, *store.Store, error) {
	return server.Open(ctx, cfg, clock.System{}, newLogger(stderr, "warn"), nil)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	demoFlag := fs.Bool("demo", false, "start from a fresh SQLite database filled with a demo marketplace (default ./weiquan-demo.db; a --db given must be empty or a demo database)")
	dataDir := fs.String("data", demo.DefaultDataDir, "folder of real data for demo titles (used when present)")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg.Demo = *demoFlag
	log := newLogger(stderr, cfg.LogLevel)
	if cfg.Demo {
		// Only a --db on the command line replaces the demo's own file:
		// WEIQUAN_DB or a config file name the real database.
		explicit := strings.HasPrefix(cfg.Source("db"), "flag")
		if !explicit {
			cfg.DB = "sqlite:./weiquan-demo.db"
		}
		path, ok := cfg.SQLitePath()
		if !ok {
			return errors.New("serve --demo: needs a sqlite: database (it is recreated)")
		}
		if explicit {
			if err := guardDemoFile(ctx, cfg.DB, path); err != nil {
				return err
			}
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		if _, err := fillDemo(ctx, cfg, *dataDir, 1, cfg.Addr, stdout, log); err != nil {
			return err
		}
	}
	s, err := server.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "weiquan %s listening on http://%s (db %s)\n", server.Version, s.Addr, config.MaskURL(cfg.DB))
	return s.Wait(ctx)
}

// guardDemoFile lets `serve --demo --db sqlite:PATH` recreate PATH only if
// it does not exist, is empty of a marketplace's data, or was filled by the
// demo.
func guardDemoFile(ctx context.Context, db, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	filled, err := demo.Guard(ctx, st)
	if err != nil && !filled {
		return fmt.Errorf("serve --demo: %s: %w", path, err)
	}
	return nil
}

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	dataDir := fs.String("data", demo.DefaultDataDir, "folder of real data for demo titles (used when present)")
	seed := fs.Int64("seed", 1, "random seed")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo: unexpected argument %q", fs.Arg(0))
	}
	// Look before anything is written (not even a migration).
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	_, gerr := demo.Guard(ctx, st)
	st.Close()
	if gerr != nil {
		return gerr
	}
	_, err = fillDemo(ctx, cfg, *dataDir, *seed, "", stdout, newLogger(stderr, "warn"))
	return err
}

func fillDemo(ctx context.Context, cfg config.Config, dataDir string, seed int64, addr string, stdout io.Writer, log *slog.Logger) (demo.Summary, error) {
	book, err := server.LoadPolicy(cfg.PolicyFile)
	if err != nil {
		return demo.Summary{}, err
	}
	clk := clock.NewManual(clock.System{}.Now())
	svc, st, err := server.OpenService(ctx, cfg.DB, book, clk, log, nil)
	if err != nil {
		return demo.Summary{}, err
	}
	defer st.Close()
	sum, err := demo.FillEmpty(ctx, svc, st, clk, demo.Options{DataDir: dataDir, Seed: seed})
	if err != nil {
		return sum, err
	}
	sum.Addr = addr
	sum.Print(stdout)
	return sum, nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DB)
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

// configCmd is `weiquan config`: the effective configuration, as a
// configuration file with where each value came from; secrets masked.
func configCmd(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("config", stderr)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}
	cfg.Print(stdout)
	return nil
}
