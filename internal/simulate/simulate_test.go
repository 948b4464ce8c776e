package simulate_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/weiquan/weiquan/internal/simulate"
)

func small(seed int64) simulate.Options {
	return simulate.Options{Days: 10, Seed: seed, Shops: 8, Buyers: 30, OrdersPerDay: 30, DataDir: "/work/shared/data"}
}

func run(t *testing.T, o simulate.Options) (simulate.Report, *simulate.Sim) {
	t.Helper()
	ctx := context.Background()
	s, err := simulate.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	rep, err := s.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rep, s
}

func TestSmallRun(t *testing.T) {
	rep, _ := run(t, small(1))
	var b bytes.Buffer
	rep.Format(&b)
	t.Log("\n" + b.String())
}
