package store_test

import (
	"io/fs"
	"slices"
	"testing"

	"github.com/weiquan/weiquan/internal/store"
)

// Both engines run the same numbered migrations: the portable ones and,
// where the SQL must differ, a variant of the same name per engine.
func TestMigrationFilesSameVersionsOnBothEngines(t *testing.T) {
	names := map[store.Dialect][]string{}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		mig, err := store.MigrationFiles(d)
		if err != nil {
			t.Fatal(err)
		}
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
