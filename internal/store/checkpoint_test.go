package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/store"
)

// TestSQLiteBackgroundCheckpoint: with writes going on, the background
// checkpointer copies the WAL into the database file (the writer's own
// auto-checkpoint would wait for 8,000 pages), and Close stops it promptly
// whatever the checkpointer was doing.
func TestSQLiteBackgroundCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	ctx := context.Background()
	for round := 0; round < 5; round++ {
		st, err := store.Open(ctx, "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		before := fileSize(t, path)
		for i := 0; i < 50; i++ {
			if err := st.RecordPolicy(ctx, "digest", "v", []byte(`{"version":"v"}`), time.Unix(int64(round*100+i), 0)); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for round == 0 && fileSize(t, path) <= before && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond) // the first round's migrations must reach the file
		}
		if round == 0 && fileSize(t, path) <= before {
			t.Errorf("database file stayed at %d bytes: the WAL was never checkpointed in the background", before)
		}
		time.Sleep(time.Duration(round) * 97 * time.Millisecond) // close at various points of the ticker
		done := make(chan error, 1)
		go func() { done <- st.Close() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("close: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("round %d: Close did not return", round)
		}
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
