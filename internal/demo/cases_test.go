package demo

import (
	"context"
	"testing"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/store"
)

// The demo marketplace has advance payments in each TOP advance_status the
// system produces and a suspended case, and its ledger checks out.
func TestDemoAdvancesAndSuspension(t *testing.T) {
	ctx := context.Background()
	f := fill(t, Options{Seed: 1})
	list, err := f.st.ListDisputes(ctx, store.DisputeFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	byAdvance := map[int]int{}
	suspended := 0
	for _, c := range list {
		byAdvance[c.AdvanceStatus()]++
		if c.Status == dispute.Suspended {
			suspended++
		}
	}
	for _, st := range []int{dispute.AdvancePaid, dispute.AdvanceClosed, dispute.AdvanceSettled} {
		if byAdvance[st] == 0 {
			t.Errorf("no case with advance_status %d: %v", st, byAdvance)
		}
	}
	if suspended == 0 {
		t.Errorf("no suspended case")
	}
	b, err := f.st.AccountBalance(ctx, ledger.GuaranteeFund())
	if err != nil || b <= 0 || b >= 5_000_000 {
		t.Errorf("guarantee fund %s (%v): want capital less the open advance", b, err)
	}
	rep, err := ledgercheck.Check(ctx, f.st)
	if err != nil || !rep.OK() || rep.OpenAdvances == 0 {
		t.Fatalf("ledger check: %v %+v", err, rep)
	}
}
