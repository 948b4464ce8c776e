package demo

import (
	"context"
	"testing"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// checkProtection (from TestDemoRecovery, on both engines): the demo shows
// each protection service — the pledged shop's counterfeit judgment paid
// (10 × ¥39: ¥200 from its deposit, ¥190 advanced by the fund and owed),
// the insured return's postage paid by the insurer, and the open case's
// amount frozen in a deposit below the requirement, flagged in standing.
func checkProtection(t *testing.T, ctx context.Context, svc *service.Service, st *store.Store, sum Summary) {
	t.Helper()
	p := sum.Protection
	if p == nil || p.PledgePaid != 39000 || p.PledgeDeposit != 20000 || p.PledgeAdvanced != 19000 || p.InsurancePaid != 1200 || p.Frozen != 8800 ||
		p.Negotiation != 3 || p.InstantPaid != 6900 || !p.InstantOpen {
		t.Fatalf("protection %+v", p)
	}
	admin := service.Caller{Role: actor.Admin}
	bal := func(a ledger.Account) money.Fen {
		n, err := st.AccountBalance(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	cases, err := st.ListDisputes(ctx, store.DisputeFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	caseID := ""
	for _, c := range cases {
		if c.OrderID == p.PledgeOrder {
			caseID = c.ID
		}
	}
	rec, err := st.LedgerTransaction(ctx, "dispute:"+caseID+"/pledge/receivable")
	if err != nil {
		t.Fatalf("the pledge's receivable: %v", err)
	}
	if lt, err := rec.Transaction(); err != nil || lt.Kind != ledger.TxRecordReceivable || lt.Amount() != 19000 {
		t.Errorf("the pledge's receivable %+v %v", lt, err)
	}
	if got := bal(ledger.FundReceivable(p.PledgeShop)); got < 19000 {
		t.Errorf("pledge shop owes %s, want at least the 19000 the fund advanced", got)
	}
	pl, err := svc.GetPledge(ctx, admin, p.PledgeShop)
	if err != nil || !pl.Active || pl.Multiple != 10 {
		t.Errorf("pledge %+v %v", pl, err)
	}
	if got := bal(ledger.Insurer(ledger.InsurerShipping)); got != 150-1200 {
		t.Errorf("insurer balance %s, want the premium less the claim", got)
	}
	// 极速退款 in progress: the fund paid the buyer, the order's escrow is
	// frozen as its guarantee until the seller confirms receipt.
	ir, err := st.LedgerTransaction(ctx, "instant:"+instantRequest(t, ctx, st, p.InstantOrder))
	if err != nil {
		t.Fatalf("the instant refund's transaction: %v", err)
	}
	if lt, err := ir.Transaction(); err != nil || lt.Amount() != 6900 {
		t.Errorf("instant refund %+v %v", lt, err)
	}
	stg, err := svc.PartyStanding(ctx, admin, "seller", p.FrozenShop)
	if err != nil || stg.Money == nil || stg.Money.DepositFrozen != 8800 || stg.Money.Deposit != 50000-8800 || !stg.Money.DepositShort {
		t.Errorf("frozen shop standing %+v %v", stg.Money, err)
	}
}

// instantRequest is the id of the request on the demo's instant-refund order.
func instantRequest(t *testing.T, ctx context.Context, st *store.Store, orderID string) string {
	t.Helper()
	rs, err := st.ListAftersales(ctx, store.ListFilter{OrderID: orderID, Limit: 10})
	if err != nil || len(rs) != 1 {
		t.Fatalf("requests on %s: %d %v", orderID, len(rs), err)
	}
	return rs[0].ID
}
