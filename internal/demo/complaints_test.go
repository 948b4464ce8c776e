package demo

import (
	"context"
	"testing"

	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/store"
)

// The demo marketplace has complaints in every status, both ways, with the
// violations and sanctions their decisions recorded.
func TestDemoComplaints(t *testing.T) {
	ctx := context.Background()
	f := fill(t, Options{Seed: 1})
	list, err := f.st.ListComplaints(ctx, store.ComplaintFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	byStatus, byFiler := map[complaint.Status]int{}, map[complaint.Party]int{}
	for _, c := range list {
		byStatus[c.Status]++
		byFiler[c.ComplainantRole]++
	}
	for _, st := range complaint.Statuses {
		if byStatus[st] == 0 {
			t.Errorf("no complaint in %s: %v", st, byStatus)
		}
	}
	if byFiler[complaint.Buyer] == 0 || byFiler[complaint.Seller] == 0 {
		t.Errorf("complaints by filer %v", byFiler)
	}
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
