package store_test

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/store"
)

// Both engines run the same numbered migrations: the portable ones and,
// where the SQL must differ, a variant of the same name per engine.
func TestMigrationFilesSameVersionsOnBothEngines(t *testing.T) {
	names := map[store.Dialect][]string{}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		mig := migrationFiles(t, d)
		entries, err := fs.ReadDir(mig, ".")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			names[d] = append(names[d], e.Name())
		}
		if len(names[d]) < 10 {
			t.Fatalf("%s: only %d migrations: %v", d, len(names[d]), names[d])
		}
	}
	if !slices.Equal(names[store.SQLite], names[store.Postgres]) {
		t.Fatalf("the engines' migrations differ:\nsqlite   %v\npostgres %v", names[store.SQLite], names[store.Postgres])
	}
}

// Portable migrations spell JSON columns and JSON-field indexes as tokens;
// each engine gets its own spelling and no token is left.
func TestMigrationTokensRendered(t *testing.T) {
	want := map[store.Dialect][]string{
		store.SQLite:   {"body       TEXT NOT NULL", "json_extract(body, '$.tracking_no')", "seq      INTEGER PRIMARY KEY AUTOINCREMENT,"},
		store.Postgres: {"body       JSONB NOT NULL", "(body->>'tracking_no')", "seq      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"},
	}
	for d, frags := range want {
		mig := migrationFiles(t, d)
		var all strings.Builder
		_ = fs.WalkDir(mig, ".", func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				b, _ := fs.ReadFile(mig, p)
				all.Write(b)
			}
			return nil
		})
		if strings.Contains(all.String(), "{{") {
			t.Errorf("%s: a token was left in the migrations", d)
		}
		for _, f := range frags {
			if !strings.Contains(all.String(), f) {
				t.Errorf("%s: migrations lack %q", d, f)
			}
		}
	}
}

// A migration split into a portable part and an engine part is one
// migration: the portable statements, then the engine's, under one
// "+goose Up".
func TestMigrationEnginePartFollowsPortablePart(t *testing.T) {
	trigger := map[store.Dialect]string{
		store.SQLite:   "CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings",
		store.Postgres: "CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings",
	}
	for d, trig := range trigger {
		b, err := fs.ReadFile(migrationFiles(t, d), "00007_ledger.sql")
		if err != nil {
			t.Fatal(err)
		}
		sql := string(b)
		table, tr := strings.Index(sql, "CREATE TABLE ledger_balances"), strings.Index(sql, trig)
		if table < 0 || tr < table || strings.Count(sql, "-- +goose Up") != 1 {
			t.Errorf("%s: 00007 is not the portable tables followed by the engine's triggers:\n%s", d, sql)
		}
	}
}

// migrationFiles is d's migrations folder (store.MigrationFiles).
func migrationFiles(t *testing.T, d store.Dialect) fs.FS {
	t.Helper()
	mig, err := store.MigrationFiles(d)
	if err != nil {
		t.Fatal(err)
	}
	return mig
}
