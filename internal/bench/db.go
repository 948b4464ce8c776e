package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for schema and database setup
)

// freshDB is an empty database for one phase.
type freshDB struct {
	URL     string // what the store opens
	Engine  string // sqlite or postgres
	Where   string // human description (file or schema)
	cleanup func() error
}

// Close removes the database unless keep.
func (f *freshDB) Close(keep bool) error {
	if keep || f.cleanup == nil {
		return nil
	}
	return f.cleanup()
}

// finish ends a phase's use of the database: kept (saying where on w) when
// keep is set, else removed (a failed removal is reported on w).
func (f *freshDB) finish(keep bool, w io.Writer) {
	if keep {
		fmt.Fprintf(w, "kept          %s (%s)\n", f.Where, f.URL)
	} else if err := f.Close(false); err != nil {
		fmt.Fprintf(w, "cleanup %s: %v\n", f.Where, err)
	}
}

// newFreshDB makes an empty database for a phase named name: a temporary
// SQLite file (spec ""), a new SQLite file beside sqlite:PATH (PATH itself
// for the lifecycle phase, PATH-<name>.db otherwise; refused if it exists),
// or a new schema bench_<random> on a PostgreSQL server.
func newFreshDB(ctx context.Context, spec, name string) (*freshDB, error) {
	switch {
	case spec == "":
		dir, err := os.MkdirTemp("", "weiquan-bench-")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, name+".db")
		return &freshDB{URL: "sqlite:" + path, Engine: "sqlite", Where: path, cleanup: func() error { return os.RemoveAll(dir) }}, nil
	case spec == "sqlite::memory:":
		return &freshDB{URL: spec, Engine: "sqlite", Where: ":memory:"}, nil
	case strings.HasPrefix(spec, "sqlite:"):
		path := filepath.Clean(strings.TrimPrefix(spec, "sqlite:"))
		if name != "lifecycle" {
			path = strings.TrimSuffix(path, filepath.Ext(path)) + "-" + name + ".db"
		}
		if _, err := os.Stat(path); err == nil {
			return nil, fmt.Errorf("bench: %s exists: the benchmark wants a fresh database (remove it or choose another path)", path)
		}
		return &freshDB{URL: "sqlite:" + path, Engine: "sqlite", Where: path, cleanup: func() error {
			var errs []error
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		}}, nil
	case isPostgres(spec):
		var b [5]byte
		_, _ = rand.Read(b[:])
		schema := "bench_" + name + "_" + hex.EncodeToString(b[:])
		if err := pgExec(ctx, spec, "CREATE SCHEMA "+schema); err != nil {
			return nil, fmt.Errorf("bench: postgres: create schema: %w", err)
		}
		u, err := url.Parse(spec)
		if err != nil {
			return nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return &freshDB{URL: u.String(), Engine: "postgres", Where: "schema " + schema + " on " + redact(spec), cleanup: func() error {
			return pgExec(context.Background(), spec, "DROP SCHEMA "+schema+" CASCADE")
		}}, nil
	}
	return nil, fmt.Errorf("bench: --db: want sqlite:PATH or postgres://…, got %q", spec)
}

// pgExec runs statements on a PostgreSQL server, outside any transaction.
func pgExec(ctx context.Context, dbURL string, stmts ...string) error {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// redact hides a password in a URL.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Redacted()
}
