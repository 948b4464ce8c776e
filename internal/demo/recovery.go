package demo

import (
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/service"
)

// RecoveryOrder is the demo's order whose advance the seller could not
// repay: the guarantee fund's receivable on it is being recovered.
const RecoveryOrder = "TB26022890005" // TB + a date + a sequence beyond the fill's own (4 digits), like every demo order

// Recovery is the guarantee fund's recovery in progress in the demo (arts.
// 86–87, ledger.recover_receivable): what the seller owed after the advance,
// what its deposit top-up paid back, and what it still owes.
type Recovery struct {
	Seller    string    `json:"seller"`
	Order     string    `json:"order"`
	Booked    money.Fen `json:"booked"`
	Recovered money.Fen `json:"recovered"`
	Owed      money.Fen `json:"owed"`
}

// recovery makes a receivable and starts recovering it: a completed order
// of a shop without a deposit (its escrow already released), a case whose
// advance neither frozen escrow nor deposit can repay (the rest is booked as
// the shop's receivable), then a deposit top-up that goes to the fund first.
func (f *filler) recovery(sum *Summary, agent service.Caller) error {
	ctx, now, d := f.ctx, f.now, 24*time.Hour
	s, b := f.shops[len(f.shops)-1], f.buyers[1]
	integ := service.Caller{Role: actor.Integration, Via: f.via}
	buyer := service.Caller{Role: actor.Buyer, PartyID: b.ID, Via: f.via}
	seller := service.Caller{Role: actor.Seller, PartyID: s.ID, Via: f.via}
	const amount = money.Fen(26800)
	if _, err := f.svc.PutOrder(ctx, integ, RecoveryOrder, order.Facts{BuyerID: b.ID, SellerID: s.ID, Category: s.Category.Name, Amount: amount,
		Items: []order.Item{{ID: RecoveryOrder + "-1", Title: f.titles.byCategory[s.Category.Name][0], Quantity: 1, Price: amount}}}); err != nil {
		return fmt.Errorf("demo: recovery order: %w", err)
	}
	for _, fc := range []order.Fact{{Type: order.FactPaid, At: now.Add(-8 * d)}, {Type: order.FactShipped, At: now.Add(-8*d + 3*time.Hour), Carrier: "SF", TrackingNo: "SF-RECOVERY-1"},
		{Type: order.FactFirstScan, At: now.Add(-8*d + 4*time.Hour)}, {Type: order.FactDelivered, At: now.Add(-6 * d), SignedBy: "本人"},
		{Type: order.FactCompleted, At: now.Add(-5 * d)}} {
		if _, err := f.svc.RecordOrderFact(ctx, integ, RecoveryOrder, fc); err != nil {
			return fmt.Errorf("demo: recovery order %s: %w", fc.Type, err)
		}
	}
	req, err := f.svc.CreateAftersale(ctx, buyer, RecoveryOrder, aftersale.Command{Type: aftersale.RefundOnly, Reason: aftersale.QualityProblem, Amount: amount,
		Description: "置物架开裂，无法使用"})
	if err != nil {
		return fmt.Errorf("demo: recovery request: %w", err)
	}
	if _, err := f.svc.Act(ctx, seller, req.ID, aftersale.Command{Action: aftersale.Refuse, Note: "人为损坏", ReasonCode: "used_or_damaged", Evidence: []string{"oss://weiquan-demo/evidence/" + RecoveryOrder + "/发货照片.png"}}); err != nil {
		return fmt.Errorf("demo: recovery refusal: %w", err)
	}
	if req, err = f.svc.Act(ctx, buyer, req.ID, aftersale.Command{Action: aftersale.Escalate, Note: "卖家拒绝退款"}); err != nil {
		return fmt.Errorf("demo: recovery escalation: %w", err)
	}
	act := func(c service.Caller, cmd dispute.Command) error {
		_, err := f.svc.ActDispute(ctx, c, req.DisputeID, service.DisputeCommand{Command: cmd})
		return err
	}
	for _, step := range []struct {
		c   service.Caller
		cmd dispute.Command
	}{
		{buyer, dispute.Command{Action: dispute.DoneEvidence}}, {seller, dispute.Command{Action: dispute.DoneEvidence}},
		{agent, dispute.Command{Action: dispute.Claim}},
		{agent, dispute.Command{Action: dispute.Advance, Reason: "卖家失联，平台先行垫付"}},
		{agent, dispute.Command{Action: dispute.ResolveAdvance, AdvanceOutcome: dispute.AdvanceReturned, Reason: "买家已退货，卖家已签收"}},
	} {
		if err := act(step.c, step.cmd); err != nil {
			return fmt.Errorf("demo: recovery case %s: %w", step.cmd.Action, err)
		}
	}
	booked, err := f.st.AccountBalance(ctx, ledger.FundReceivable(s.ID))
	if err != nil {
		return err
	}
	// The shop pays in part of a deposit: the fund is repaid first.
	if _, err := f.svc.TopUp(ctx, integ, ledger.SellerDeposit(s.ID), 10000, "demo-recovery-top-up"); err != nil {
		return fmt.Errorf("demo: recovery top-up: %w", err)
	}
	owed, err := f.st.AccountBalance(ctx, ledger.FundReceivable(s.ID))
	if err != nil {
		return err
	}
	sum.Recovery = &Recovery{Seller: s.ID, Order: RecoveryOrder, Booked: booked, Recovered: booked - owed, Owed: owed}
	return nil
}
