package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// `weiquan simulate --days 2` runs a small marketplace and prints the
// report with a clean ledger check; --db keeps the database and says how
// to replay it.
func TestSimulateCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sim.db")
	var out, errOut bytes.Buffer
	args := []string{"simulate", "--days", "2", "--seed", "3", "--shops", "4", "--buyers", "10", "--orders-per-day", "10", "--data", t.TempDir(), "--db", db}
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("simulate: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"2 天 / days", "订单 / orders: 20", "ledger check: clean", "abuse flags"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	for _, want := range []string{"built-in generic titles", "simulated 2 days in", "weiquan policy replay --db sqlite:" + db} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if err := run(context.Background(), []string{"simulate", "--days", "0"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--days") {
		t.Errorf("--days 0: %v", err)
	}
	// The database is kept and is not overwritten by a second run.
	if err := run(context.Background(), args, &out, &errOut); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second run on the same --db: %v", err)
	}
}
