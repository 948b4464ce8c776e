package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/store"
)

// overturnMoney plans the ledger movements of an appeal decision that
// changed the executed judgment (dispute.OverturnRule, ours-appeal-overturn)
// and writes what it found into the decision's revision:
//
//   - the buyer is owed more trade money (the new refund exceeds what the
//     request refunded): the difference is refunded from the escrow, the
//     seller's available balance (art. 85) and the deposit (art. 86), the
//     rest a shortfall (art. 87) — ledger.RecoverRefund;
//   - the buyer got more than the new judgment gives: the guarantee fund
//     pays the seller back what the executed judgment actually took from it
//     (ledger.Restitute), nothing is forced back from the buyer, and the
//     same amount is recorded as the platform's recovery claim against the
//     buyer; when the goods went back to the seller (a return, or an
//     advance settled by the return) the trade is unwound and nothing is
//     paid;
//   - compensation (art. 86) changed: more is paid from the deposit, or the
//     fund puts back into the deposit what was paid beyond the new amount;
//   - a counterfeit pledge (假一赔十) the decision no longer supports: the
//     fund gives the seller back its deposit part and what it repaid of the
//     fund's advance, the rest of the advance is written off
//     (write_off_receivable); the buyer keeps it, the platform's claim.
func (s *Service) overturnMoney(ctx context.Context, tx *store.Tx, cur dispute.State, j *dispute.Judgment, now time.Time) ([]ledger.Plan, error) {
	rev := *j.Revision
	prev := cur.Judgment
	req, err := tx.GetAftersale(ctx, cur.AftersaleID)
	if err != nil {
		return nil, err
	}
	o, err := tx.GetOrder(ctx, cur.OrderID)
	if err != nil {
		return nil, err
	}
	paidRefund, paidComp, err := caseMoneyPaid(ctx, tx, cur, req.ID)
	if err != nil {
		return nil, err
	}
	meta := func(suffix string, rules []string) ledger.Meta {
		return ledger.Meta{ID: "dispute:" + cur.ID + "/" + suffix, OrderID: cur.OrderID, Ref: AggDispute + "/" + cur.ID, RuleIDs: rules, At: now}
	}
	var plans []ledger.Plan
	// plan builds the next plan from the balances of accounts as the plans
	// before it leave them (an added refund that reaches the deposit leaves
	// less of it for the compensation).
	plan := func(build func(ledger.Balances) (ledger.Plan, error), accounts ...ledger.Account) (ledger.Plan, error) {
		b, err := tx.LedgerBalances(ctx, accounts...)
		if err != nil {
			return ledger.Plan{}, err
		}
		p, err := build(b.After(plans...))
		if err == nil {
			plans = append(plans, p)
		}
		return p, err
	}
	target := money.Fen(0)
	if j.Outcome == dispute.RefundFull || j.Outcome == dispute.RefundPartial {
		target = j.Amount
	}
	rev.GoodsReturned = req.Return != nil || (cur.Advance != nil && cur.Advance.Outcome == dispute.AdvanceReturned)
	var toAvailable, toDeposit money.Fen
	usedDeposit := false
	switch {
	case target > req.Refunded:
		d := target - req.Refunded
		if d > o.Refundable() {
			return nil, &fault.Error{Code: fault.Conflict, Field: "amount", Rule: "ours-refund-cap",
				Message: fmt.Sprintf("改判追加退款 %s 超过订单可退金额 %s / the added refund %s exceeds the order's refundable %s", d, o.Refundable(), d, o.Refundable())}
		}
		p, err := plan(func(b ledger.Balances) (ledger.Plan, error) {
			return ledger.RecoverRefund(meta("appeal-refund", j.RuleIDs), cur.BuyerID, cur.SellerID, d, b)
		}, ledger.Escrow(cur.OrderID), ledger.SellerAvailable(cur.SellerID), ledger.SellerDeposit(cur.SellerID))
		if err != nil {
			return nil, err
		}
		rev.Refund = d
		rev.Shortfall += p.Missing()
		for _, t := range p.Transactions {
			if amt, _ := t.Line(ledger.SellerDeposit(cur.SellerID)); amt != 0 {
				usedDeposit = true
			}
		}
	case target < req.Refunded && !rev.GoodsReturned:
		toAvailable = max(0, paidRefund-target)
	}
	if dc := j.Compensation - prev.Compensation; dc > 0 {
		p, err := plan(func(b ledger.Balances) (ledger.Plan, error) {
			return ledger.CompensateFromDeposit(meta("appeal-compensation", j.RuleIDs), cur.SellerID, cur.BuyerID, dc, b)
		}, ledger.SellerDeposit(cur.SellerID))
		if err != nil {
			return nil, err
		}
		rev.Compensation = dc
		rev.Shortfall += p.Missing()
	} else if dc < 0 {
		toDeposit = max(0, paidComp-j.Compensation)
	}
	// 假一赔十 paid on the first judgment and no longer supported: the
	// seller gets back what it paid (its deposit part and what it has repaid
	// of the fund's advance), the rest of the advance is written off.
	var pledgeClaim money.Fen
	if pl := prev.Pledge; pl != nil && !pledgeStands(cur, j) {
		p, err := plan(func(b ledger.Balances) (ledger.Plan, error) {
			owed := b.Headroom(ledger.FundReceivable(cur.SellerID))
			if w := min(pl.Advanced, owed); w > 0 {
				return ledger.WriteOffReceivable(meta("appeal-pledge-write-off", j.RuleIDs), cur.SellerID, w, b)
			}
			return ledger.Plan{}, nil
		}, ledger.FundReceivable(cur.SellerID))
		if err != nil {
			return nil, err
		}
		var writtenOff money.Fen
		for _, t := range p.Transactions {
			writtenOff += t.Amount()
		}
		back := pl.FromDeposit + pl.Advanced - writtenOff
		toDeposit += back
		rev.PledgeReturned = pl.Amount
		pledgeClaim = pl.Amount - back // the restitution below counts back
		if pr := s.Policy().ID("protection.counterfeit_pledge"); pr != "" {
			j.RuleIDs = appendRule(j.RuleIDs, pr)
		}
	}
	if toAvailable+toDeposit > 0 {
		p, err := plan(func(b ledger.Balances) (ledger.Plan, error) {
			return ledger.Restitute(meta("appeal-restitution", j.RuleIDs), cur.SellerID, toAvailable, toDeposit, b)
		}, ledger.GuaranteeFund())
		if err != nil {
			return nil, err
		}
		rev.Restitution, rev.RecoveryClaim = toAvailable+toDeposit, toAvailable+toDeposit
		for _, sf := range p.Shortfalls {
			rev.Shortfall += sf.Missing
			rev.Restitution -= sf.Missing
		}
	}
	rev.RecoveryClaim += pledgeClaim
	if rev.Shortfall > 0 {
		j.RuleIDs = appendRule(j.RuleIDs, ledger.RuleShortfall)
	}
	if rev.Compensation > 0 || toDeposit > 0 || usedDeposit {
		j.RuleIDs = appendRule(j.RuleIDs, ledger.RuleDeposit)
	}
	j.Revision = &rev
	return plans, nil
}

// caseMoneyPaid sums what the buyer actually received for the request and
// case from the order's ledger: trade money (refunds on the request, the
// fund's advance net of any part paid over to the seller) and compensation
// from the deposit.
func caseMoneyPaid(ctx context.Context, tx *store.Tx, cur dispute.State, aftersaleID string) (refund, comp money.Fen, err error) {
	recs, err := tx.OrderLedgerTransactions(ctx, cur.OrderID)
	if err != nil {
		return 0, 0, err
	}
	buyer := ledger.BuyerPayout(cur.BuyerID).String()
	caseRef := AggDispute + "/" + cur.ID
	for _, r := range recs {
		if r.Ref != aftersaleID && r.Ref != caseRef || strings.HasPrefix(r.ID, "dispute:"+cur.ID+"/pledge") {
			continue // the pledge (假一赔十) is settled on its own (overturnMoney)
		}
		for _, p := range r.Postings {
			if p.Account != buyer {
				continue
			}
			switch ledger.TxKind(r.Kind) {
			case ledger.TxRefund, ledger.TxAdvanceFromFund, ledger.TxReverseAdvance:
				refund += p.Amount
			case ledger.TxCompensationFromDeposit:
				comp += p.Amount
			}
		}
	}
	return refund, comp, nil
}

// reviseAftersale carries an overturn onto the after-sales request so that
// its status and refunded amount follow the money: more refund → SUCCESS
// with the added refund (paid by the ledger plan already posted); a request
// that refunded nothing → CLOSED (judged for the seller) or back to the
// return (return_then_refund); otherwise the request stays as executed and
// the decision is recorded in its history.
func (s *Service) reviseAftersale(ctx context.Context, tx *store.Tx, cm *store.Commit, after dispute.State, j *dispute.Judgment, now time.Time) error {
	ld, err := tx.LoadAftersale(ctx, after.AftersaleID, store.LoadOptions{})
	if err != nil {
		return err
	}
	req, o := ld.Request, ld.Order
	step := aftersaleStep{cur: req, order: o}
	rev := j.Revision
	ac := aftersale.Command{Action: aftersale.Revise, Actor: aftersale.Actor{Role: aftersale.Platform, ID: j.AgentID, Via: "dispute:" + after.ID},
		Note: "申诉改判 / the appeal changed the judgment: " + j.Reason, Ruling: aftersale.RulingKeep}
	switch {
	case rev.Refund > 0:
		ac.Ruling, ac.Amount = aftersale.RulingRefund, rev.Refund
		step.paidBy = "dispute:" + after.ID + "/appeal-refund"
	case req.Refunded == 0 && j.Outcome == dispute.ReleaseToSeller && req.Status.Open():
		ac.Ruling = aftersale.RulingClose
	case req.Refunded == 0 && j.Outcome == dispute.ReturnThenRefund && !req.Status.Open():
		ac.Ruling = aftersale.RulingReturn
	}
	return s.executeOnRequest(ctx, tx, cm, step, ac, j.RuleIDs, now)
}
