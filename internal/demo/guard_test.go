package demo

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
)

// TestDemoRefusesRealData: on both engines, FillEmpty (the commands' fill) fills an empty
// database and records what it made; it refuses a database holding
// anything else, naming what it found and writing nothing; it refuses to
// fill twice; and once something is added to a demo database, Guard names
// exactly the rows the demo did not make.
func TestDemoRefusesRealData(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))

		// A marketplace's database: 3 orders and the 3 keys of the harness.
		real := apitest.Open(t, eng.URL(t))
		for _, id := range []string{"R1", "R2", "R3"} {
			real.NewOrder(id, "B1", "S1", 1000, apitest.Paid)
		}
		before, err := real.Store.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		clk := clock.NewManual(testNow)
		svc := service.New(real.Store, policy.Default(), service.Options{Clock: clk, Logger: log})
		_, err = FillEmpty(ctx, svc, real.Store, clk, Options{Seed: 1})
		var nd *ErrNotDemo
		if !errors.As(err, &nd) || nd.Found != "3 orders, 3 ledger transactions, 3 API keys" || !strings.Contains(err.Error(), "holds 3 orders, 3 ledger transactions, 3 API keys not made by demo") {
			t.Fatalf("Fill on a real database: %v, want a refusal naming 3 orders, 3 ledger transactions (their payments), 3 API keys", err)
		}
		after, err := real.Store.Inventory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(before, after) {
			t.Errorf("the refused fill wrote: before %v, after %v", before, after)
		}

		// An empty database: filled, and recorded.
		st := apitest.OpenStore(t, eng.URL(t))
		if filled, err := Guard(ctx, st); filled || err != nil {
			t.Fatalf("empty database: filled %v, err %v", filled, err)
		}
		clk = clock.NewManual(testNow)
		svc = service.New(st, policy.Default(), service.Options{Clock: clk, Logger: log})
		if _, err := FillEmpty(ctx, svc, st, clk, Options{Seed: 1}); err != nil {
			t.Fatalf("Fill on an empty database: %v", err)
		}
		if filled, err := Guard(ctx, st); !filled || err != nil {
			t.Fatalf("after the fill: filled %v, err %v: want a demo database and no refusal", filled, err)
		}
		if _, err := FillEmpty(ctx, svc, st, clk, Options{Seed: 2}); err == nil || !strings.Contains(err.Error(), "already holds a demo fill") {
			t.Fatalf("second fill: %v, want a refusal", err)
		}
		// Someone adds a key to the demo database: it is named.
		if _, _, err := svc.NewAPIKey(ctx, "integration", "", "added later"); err != nil {
			t.Fatal(err)
		}
		filled, err := Guard(ctx, st)
		if !filled || !errors.As(err, &nd) || nd.Found != "1 API key" {
			t.Fatalf("demo database with an added key: filled %v, err %v: want it to name 1 API key", filled, err)
		}
	})
}
