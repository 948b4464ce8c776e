package demo

import (
	"context"
	"testing"

	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/store"
)

// Checks of the intervention cases and the complaints of a fill, run by
// TestFill before its deadlines fire.

// testAdvancesAndSuspension checks (in TestFill) that the demo marketplace
// has advance payments in each TOP advance_status the system produces and a
// suspended case, and that its ledger checks out.
func testAdvancesAndSuspension(t *testing.T, f filled) {
	ctx := context.Background()
	list, err := f.st.ListDisputes(ctx, store.DisputeFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	wantEvery(t, "case with advance_status", []int{dispute.AdvancePaid, dispute.AdvanceClosed, dispute.AdvanceSettled},
		countBy(list, dispute.State.AdvanceStatus))
	wantEvery(t, "case in status", []dispute.Status{dispute.Suspended}, countBy(list, func(c dispute.State) dispute.Status { return c.Status }))
	b, err := f.st.AccountBalance(ctx, ledger.GuaranteeFund())
	if err != nil || b <= 0 || b >= 5_000_000 {
		t.Errorf("guarantee fund %s (%v): want capital less the open advance", b, err)
	}
	rep, err := ledgercheck.Check(ctx, f.st)
	if err != nil || !rep.OK() || rep.OpenAdvances == 0 {
		t.Fatalf("ledger check: %v %+v", err, rep)
	}
}

// testComplaints checks (in TestFill) that the demo marketplace has
// complaints in every status, both ways, with the violations and sanctions
// their decisions recorded.
func testComplaints(t *testing.T, f filled) {
	ctx := context.Background()
	list, err := f.st.ListComplaints(ctx, store.ComplaintFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	wantEvery(t, "complaint in", complaint.Statuses, countBy(list, func(c complaint.State) complaint.Status { return c.Status }))
	wantEvery(t, "complaint filed by", []complaint.Party{complaint.Buyer, complaint.Seller},
		countBy(list, func(c complaint.State) complaint.Party { return c.ComplainantRole }))
	shop := f.st // the shop with two fake shipments: 12 points, a public warning under appeal
	sans, err := shop.PartySanctions(ctx, "seller", "shop-juzi")
	if err != nil {
		t.Fatal(err)
	}
	if len(sans) != 1 || sans[0].Kind != "public_warning" || sans[0].Status != penalty.Appealed || len(sans[0].Violations) != 2 {
		t.Errorf("shop sanctions %+v", sans)
	}
	vs, err := f.st.PartyViolations(ctx, "seller", "shop-juzi")
	if err != nil || penalty.Points(vs, "A", f.clk.Now(), "01-01") != 12 {
		t.Errorf("shop points: %v %+v", err, vs)
	}
}
