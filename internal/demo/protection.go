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

// The demo's orders of the protection services (issue 13).
const (
	PledgeOrder  = "TB26022890001" // 假一赔十: a pledged shop's counterfeit judgment, paid
	InsuredOrder = "TB26022890002" // 运费险: an insured return, the postage paid by the insurer
	FrozenOrder  = "TB26022890003" // 保证金: an open case with the amount in dispute frozen
	InstantOrder = "TB26022890004" // 极速退款: refunded when shipped back, the seller yet to confirm
)

// Protection is what the demo shows of the protection services: a pledged
// shop's counterfeit judgment paid from its deposit with the fund advancing
// the rest (then owed), an insured return whose postage the insurer paid,
// and an open case whose amount in dispute is frozen in the shop's deposit.
type Protection struct {
	PledgeShop     string    `json:"pledge_shop"`
	PledgeOrder    string    `json:"pledge_order"`
	PledgePaid     money.Fen `json:"pledge_paid"`
	PledgeDeposit  money.Fen `json:"pledge_from_deposit"`
	PledgeAdvanced money.Fen `json:"pledge_advanced"`
	InsuredOrder   string    `json:"insured_order"`
	InsurancePaid  money.Fen `json:"insurance_paid"`
	FrozenShop     string    `json:"frozen_shop"`
	FrozenOrder    string    `json:"frozen_order"`
	Frozen         money.Fen `json:"frozen"`
	Negotiation    int       `json:"negotiation_messages"` // the frozen case's negotiation record before it escalated
	InstantOrder   string    `json:"instant_order"`
	InstantPaid    money.Fen `json:"instant_paid"` // refunded by the fund when the buyer shipped the return
	InstantOpen    bool      `json:"instant_open"` // the guarantee is not settled yet: the seller has not confirmed receipt
}

// demoOrder puts an order of shop s and buyer b with one item and records
// facts at the given offsets before now.
func (f *filler) demoOrder(id string, s *shop, b *buyer, amount money.Fen, insured bool, facts []order.Fact) error {
	integ := service.Caller{Role: actor.Integration, Via: f.via}
	if _, err := f.svc.PutOrder(f.ctx, integ, id, order.Facts{BuyerID: b.ID, SellerID: s.ID, Category: s.Category.Name, Amount: amount, ShippingInsurance: insured,
		Items: []order.Item{{ID: id + "-1", Title: f.titles.byCategory[s.Category.Name][0], Quantity: 1, Price: amount}}}); err != nil {
		return fmt.Errorf("demo: order %s: %w", id, err)
	}
	for _, fc := range facts {
		if _, err := f.svc.RecordOrderFact(f.ctx, integ, id, fc); err != nil {
			return fmt.Errorf("demo: order %s %s: %w", id, fc.Type, err)
		}
	}
	return nil
}

func (f *filler) shippedFacts(id string, delivered bool) []order.Fact {
	now, d := f.now, 24*time.Hour
	fs := []order.Fact{{Type: order.FactPaid, At: now.Add(-6 * d)}, {Type: order.FactShipped, At: now.Add(-6*d + 3*time.Hour), Carrier: "SF", TrackingNo: "SF-" + id},
		{Type: order.FactFirstScan, At: now.Add(-6*d + 4*time.Hour)}}
	if delivered {
		fs = append(fs, order.Fact{Type: order.FactDelivered, At: now.Add(-4 * d), SignedBy: "本人"})
	}
	return fs
}

// protection makes the three protection services visible (see Protection).
func (f *filler) protection(sum *Summary, agent service.Caller) error {
	ctx := f.ctx
	integ := service.Caller{Role: actor.Integration, Via: f.via}
	p := &Protection{PledgeOrder: PledgeOrder, InsuredOrder: InsuredOrder, FrozenOrder: FrozenOrder} // orders, not service ids: the summary is deterministic

	// 假一赔十: the shop pledges, pays in a deposit of ¥200 and sells a
	// counterfeit of ¥39: the buyer gets ¥39 back and 10 × ¥39, ¥200 from
	// the deposit and ¥190 advanced by the fund, which the shop now owes.
	s, b := f.shops[4], f.buyers[2] // shops 0–3 paid deposits during the fill (complaints.go)
	p.PledgeShop = s.ID
	if _, err := f.svc.SetPledge(ctx, integ, s.ID, true, 0, "店铺加入假一赔十"); err != nil {
		return fmt.Errorf("demo: pledge: %w", err)
	}
	if _, err := f.svc.TopUp(ctx, integ, ledger.SellerDeposit(s.ID), 20000, "demo-pledge-deposit"); err != nil {
		return fmt.Errorf("demo: pledge deposit: %w", err)
	}
	if err := f.demoOrder(PledgeOrder, s, b, 3900, false, f.shippedFacts(PledgeOrder, true)); err != nil {
		return err
	}
	buyer := service.Caller{Role: actor.Buyer, PartyID: b.ID, Via: f.via}
	seller := service.Caller{Role: actor.Seller, PartyID: s.ID, Via: f.via}
	c, err := f.svc.OpenDirectDispute(ctx, buyer, service.DirectDispute{OrderID: PledgeOrder, Reason: aftersale.Counterfeit, Amount: 3900,
		Description: "鉴定为仿冒品牌"})
	if err != nil {
		return fmt.Errorf("demo: pledge case: %w", err)
	}
	for _, step := range []struct {
		c   service.Caller
		cmd dispute.Command
	}{
		{buyer, dispute.Command{Action: dispute.DoneEvidence}}, {seller, dispute.Command{Action: dispute.DoneEvidence}},
		{agent, dispute.Command{Action: dispute.Claim}},
		{agent, dispute.Command{Action: dispute.Judge, Fault: dispute.SellerFault, Outcome: dispute.RefundFull, RuleIDs: ruleIDsOf(c),
			Reason: "卖家未能提供进货凭证，认定售假"}},
	} {
		if c, err = f.svc.ActDispute(ctx, step.c, c.ID, service.DisputeCommand{Command: step.cmd}); err != nil {
			return fmt.Errorf("demo: pledge case %s: %w", step.cmd.Action, err)
		}
	}
	if j := c.Judgment; j != nil && j.Pledge != nil {
		p.PledgePaid, p.PledgeDeposit, p.PledgeAdvanced = j.Pledge.Amount, j.Pledge.FromDeposit, j.Pledge.Advanced
	}

	// 运费险: an insured order returned without reason; the insurer pays the
	// buyer's ¥12 return postage when the refund succeeds.
	s, b = f.shops[2], f.buyers[3]
	buyer = service.Caller{Role: actor.Buyer, PartyID: b.ID, Via: f.via}
	seller = service.Caller{Role: actor.Seller, PartyID: s.ID, Via: f.via}
	if err := f.demoOrder(InsuredOrder, s, b, 15900, true, f.shippedFacts(InsuredOrder, true)); err != nil {
		return err
	}
	req, err := f.svc.CreateAftersale(ctx, buyer, InsuredOrder, aftersale.Command{Type: aftersale.ReturnAndRefund, Reason: aftersale.NoReason7Day, Amount: 15900,
		Description: "不喜欢，七天无理由退货"})
	if err != nil {
		return fmt.Errorf("demo: insured request: %w", err)
	}
	for _, st := range []struct {
		c   service.Caller
		cmd aftersale.Command
	}{
		{seller, aftersale.Command{Action: aftersale.Agree, Note: "同意退货", ReturnAddress: demoReturnAddress}},
		{buyer, aftersale.Command{Action: aftersale.ShipReturn, Carrier: "YTO", TrackingNo: "YT-" + InsuredOrder, Postage: 1200}},
		{seller, aftersale.Command{Action: aftersale.ConfirmReturn, Note: "已收到退货"}},
	} {
		if _, err := f.svc.Act(ctx, st.c, req.ID, st.cmd); err != nil {
			return fmt.Errorf("demo: insured request %s: %w", st.cmd.Action, err)
		}
	}
	if rec, err := f.st.LedgerTransaction(ctx, "insurance:"+req.ID); err == nil {
		if lt, err := rec.Transaction(); err == nil {
			p.InsurancePaid = lt.Amount()
		}
	}

	// 保证金: a shop with ¥500 of deposit (below the required ¥1000, flagged
	// in its standing) has an open case of ¥88: that much stays frozen.
	s, b = f.shops[5], f.buyers[4]
	buyer = service.Caller{Role: actor.Buyer, PartyID: b.ID, Via: f.via}
	seller = service.Caller{Role: actor.Seller, PartyID: s.ID, Via: f.via}
	p.FrozenShop = s.ID
	if _, err := f.svc.TopUp(ctx, integ, ledger.SellerDeposit(s.ID), 50000, "demo-frozen-deposit"); err != nil {
		return fmt.Errorf("demo: frozen deposit: %w", err)
	}
	if err := f.demoOrder(FrozenOrder, s, b, 8800, false, f.shippedFacts(FrozenOrder, true)); err != nil {
		return err
	}
	if req, err = f.svc.CreateAftersale(ctx, buyer, FrozenOrder, aftersale.Command{Type: aftersale.RefundOnly, Reason: aftersale.QualityProblem, Amount: 8800,
		Description: "收到即破损"}); err != nil {
		return fmt.Errorf("demo: frozen request: %w", err)
	}
	// the parties negotiate first (seed-negotiate-first) before the refusal
	for _, m := range []struct {
		c    service.Caller
		text string
	}{
		{buyer, "收到时外壳就裂了，能退款吗？"},
		{seller, "我们发货前都检查过，麻烦提供开箱照片"},
		{buyer, "包装完好但里面坏了，我申请平台介入"},
	} {
		if _, err := f.svc.PostMessage(ctx, m.c, req.ID, m.text, nil); err != nil {
			return fmt.Errorf("demo: negotiation: %w", err)
		}
		p.Negotiation++
	}
	if _, err := f.svc.Act(ctx, seller, req.ID, aftersale.Command{Action: aftersale.Refuse, Note: "发货时完好", ReasonCode: "goods_intact",
		Evidence: []string{"oss://weiquan-demo/evidence/" + FrozenOrder + "/发货照片.png"}}); err != nil {
		return fmt.Errorf("demo: frozen refusal: %w", err)
	}
	if req, err = f.svc.Act(ctx, buyer, req.ID, aftersale.Command{Action: aftersale.Escalate, Note: "卖家拒绝退款"}); err != nil {
		return fmt.Errorf("demo: frozen escalation: %w", err)
	}
	if p.Frozen, err = f.st.AccountBalance(ctx, ledger.DepositFrozen(s.ID)); err != nil {
		return err
	}

	// 极速退款: a small return by a buyer in good standing is refunded by
	// the guarantee fund as soon as it is shipped back; the seller has not
	// confirmed receipt yet, so the order's escrow stays frozen as the
	// fund's guarantee.
	s, b = f.shops[3], f.buyers[5]
	buyer = service.Caller{Role: actor.Buyer, PartyID: b.ID, Via: f.via}
	seller = service.Caller{Role: actor.Seller, PartyID: s.ID, Via: f.via}
	p.InstantOrder = InstantOrder
	if err := f.demoOrder(InstantOrder, s, b, 6900, false, f.shippedFacts(InstantOrder, true)); err != nil {
		return err
	}
	if req, err = f.svc.CreateAftersale(ctx, buyer, InstantOrder, aftersale.Command{Type: aftersale.ReturnAndRefund, Reason: aftersale.NoReason7Day, Amount: 6900,
		Description: "尺码不合适，七天无理由退货"}); err != nil {
		return fmt.Errorf("demo: instant request: %w", err)
	}
	if _, err := f.svc.Act(ctx, seller, req.ID, aftersale.Command{Action: aftersale.Agree, Note: "同意退货", ReturnAddress: demoReturnAddress}); err != nil {
		return fmt.Errorf("demo: instant agree: %w", err)
	}
	if req, err = f.svc.Act(ctx, buyer, req.ID, aftersale.Command{Action: aftersale.ShipReturn, Carrier: "ZTO", TrackingNo: "ZT-" + InstantOrder}); err != nil {
		return fmt.Errorf("demo: instant ship-return: %w", err)
	}
	if ir := req.InstantRefund; ir != nil {
		p.InstantPaid, p.InstantOpen = ir.Amount, ir.Open()
	}
	sum.Protection = p
	return nil
}
