package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/weiquan/weiquan/internal/store"
)

// TestSQLiteDurabilitySettings: FULL unless NORMAL is asked for, anything
// else refused naming the setting; the database file is created 0600.
func TestSQLiteDurabilitySettings(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ opt, want string }{{"", "FULL"}, {"full", "FULL"}, {"NORMAL", "NORMAL"}} {
		path := filepath.Join(t.TempDir(), "d.db")
		st, err := store.OpenWith(ctx, "sqlite:"+path, store.Options{SQLiteSynchronous: c.opt})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := st.Synchronous(ctx)
		st.Close()
		if err != nil || got != c.want {
			t.Errorf("synchronous %q: in force %q (%v), want %s", c.opt, got, err, c.want)
		}
		for _, f := range []string{path, path + "-wal"} {
			fi, err := os.Stat(f)
			if err == nil && fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, want 0600", filepath.Base(f), fi.Mode().Perm())
			}
			if err != nil && f == path {
				t.Fatal(err)
			}
		}
	}
	_, err := store.OpenWith(ctx, "sqlite:"+filepath.Join(t.TempDir(), "x.db"), store.Options{SQLiteSynchronous: "OFF"})
	if err == nil {
		t.Error("synchronous OFF was accepted")
	}
}
