package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"fmt"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/store"
)

// disputeMoney plans the ledger movements of a case's new events, before
// they are stored, and writes what the ledger found into them (the
// shortfalls of art. 87): an advance (fund → buyer, escrow frozen), the
// resolution of an advance (the fund repaid, 调帐 when the buyer keeps the
// goods), and compensation from the seller's deposit on a judgment (art.
// 86). The refunds themselves move with the after-sales request
// (executeJudgment). Errors: Conflict when the guarantee fund lacks the
// advance (taobao-dispute-87).
func (s *Service) disputeMoney(ctx context.Context, tx *store.Tx, cm *store.Commit, cur dispute.State, evs []dispute.Event, now time.Time) error {
	meta := func(suffix string, rules []string) ledger.Meta {
		return ledger.Meta{ID: "dispute:" + cur.ID + "/" + suffix, OrderID: cur.OrderID, Ref: AggDispute + "/" + cur.ID, RuleIDs: rules, At: now}
	}
	for i := range evs {
		e := &evs[i]
		if releasesDeposit(e.Type) {
			// 保证金: what the case froze is released before anything is drawn.
			if err := s.releaseCaseDeposit(ctx, tx, cm, cur, now); err != nil {
				return err
			}
		}
		switch {
		case e.Type == dispute.EvAdvanced:
			b, err := tx.LedgerBalances(ctx, ledger.GuaranteeFund(), ledger.Escrow(cur.OrderID), ledger.Frozen(cur.OrderID))
			if err != nil {
				return err
			}
			b = cm.Pending(b) // as this command's plans before leave them
			p, err := ledger.Advance(meta("advance", e.RuleIDs), cur.BuyerID, e.Data.Advance.Amount, b)
			if err != nil {
				return err
			}
			cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
			// The advance counts against the seller (人工介入退款, SPEC §5).
			cm.ManualRefunds = append(cm.ManualRefunds, store.ManualInterventionRefund{ID: "dispute:" + cur.ID + "/advance", SellerID: cur.SellerID,
				DisputeID: cur.ID, OrderID: cur.OrderID, Amount: e.Data.Advance.Amount, RuleID: dispute.RuleManualRefund, At: now})
		case e.Type == dispute.EvAppealDecided && e.Data.Judgment != nil && e.Data.Judgment.Revision != nil:
			j := *e.Data.Judgment
			ps, err := s.overturnMoney(ctx, tx, cur, &j, now)
			if err != nil {
				return err
			}
			e.Data.Judgment = &j
			for _, r := range j.RuleIDs {
				e.RuleIDs = appendRule(e.RuleIDs, r)
			}
			for _, p := range ps {
				cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
			}
			if prev := cur.Judgment; prev != nil && prev.Pledge != nil && pledgeStands(cur, &j) {
				j.Pledge = prev.Pledge // paid on the first judgment, and it stands
			} else if prev != nil && prev.Pledge == nil && !pledgeStands(cur, prev) {
				// 假一赔十 on a decision that newly finds the counterfeit.
				if err := s.pledgeMoney(ctx, tx, cm, cur, &j, meta); err != nil {
					return err
				}
				if j.Pledge != nil {
					e.RuleIDs = appendRule(e.RuleIDs, j.Pledge.RuleID)
				}
			}
		case e.Type == dispute.EvAdvanceClosed:
			b, err := tx.LedgerBalances(ctx, ledger.GuaranteeFund(), ledger.Escrow(cur.OrderID), ledger.Frozen(cur.OrderID),
				ledger.SellerDeposit(cur.SellerID), ledger.BuyerPayout(cur.BuyerID), ledger.SellerAvailable(cur.SellerID), ledger.FundReceivable(cur.SellerID))
			if err != nil {
				return err
			}
			b = cm.Pending(b) // as this command's plans before leave them (a released deposit)
			r := ledger.Resolution{Outcome: ledger.GoodsReturned, SellerID: cur.SellerID, BuyerID: cur.BuyerID, Advanced: e.Data.Advance.Amount}
			if e.Data.Advance.Outcome == dispute.AdvanceKept {
				r.Outcome = ledger.BuyerKeepsGoods
			}
			p, err := ledger.ResolveAdvance(meta("advance-resolved", e.RuleIDs), r, b)
			if err != nil {
				return err
			}
			adv := *e.Data.Advance
			adv.Shortfall += p.Missing()
			e.Data.Advance = &adv
			cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
		case e.Type == dispute.EvJudged && e.Data.Judgment != nil:
			j := *e.Data.Judgment
			refundNow := (j.Outcome == dispute.RefundFull || j.Outcome == dispute.RefundPartial) && j.Amount > 0 &&
				(i == 0 || evs[i-1].Type != dispute.EvAdvanceClosed) // a resolved advance already paid it
			if refundNow {
				// The refund moves with the request (recordAftersale, the same
				// builder); what escrow and the seller's balance lack is shown
				// on the judgment too (art. 87).
				b, err := tx.LedgerBalances(ctx, ledger.Escrow(cur.OrderID), ledger.SellerAvailable(cur.SellerID))
				if err != nil {
					return err
				}
				b = cm.Pending(b) // as this command's plans before leave them
				// 极速退款: the fund paid that part already (instant.go).
				paid, err := instantPaid(ctx, tx, cur.AftersaleID)
				if err != nil {
					return err
				}
				if rest := j.Amount - paid; rest > 0 {
					p, err := ledger.Refund(meta("refund-preview", nil), cur.BuyerID, cur.SellerID, rest, b)
					if err != nil {
						return err
					}
					j.Shortfall += p.Missing()
				}
			}
			comp := j.Compensation
			book := s.Policy()
			if late := book.ID("complaint.late_shipment_rate"); comp > 0 && slices.Contains(j.RuleIDs, late) {
				// Late-shipment compensation is paid once per order, whoever paid it first.
				if on, rid := book.Switch("complaint.compensation_once"); on {
					paid, err := causePaid(ctx, tx, cur.OrderID, late, "seed-complaint-late-shipment")
					if err != nil {
						return err
					}
					if paid > 0 {
						comp = max(comp-paid, 0)
						j.RuleIDs = appendRule(j.RuleIDs, rid)
					}
				}
			}
			if comp > 0 {
				b, err := tx.LedgerBalances(ctx, ledger.SellerDeposit(cur.SellerID))
				if err != nil {
					return err
				}
				b = cm.Pending(b) // as this command's plans before leave them
				p, err := ledger.CompensateFromDeposit(meta("compensation", j.RuleIDs), cur.SellerID, cur.BuyerID, comp, b)
				if err != nil {
					return err
				}
				j.Shortfall += p.Missing()
				cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
			}
			// 假一赔十: a pledged seller's counterfeit compensation.
			if err := s.pledgeMoney(ctx, tx, cm, cur, &j, meta); err != nil {
				return err
			}
			if j.Pledge != nil {
				e.RuleIDs = appendRule(e.RuleIDs, j.Pledge.RuleID)
			}
			if j.Shortfall > 0 {
				j.RuleIDs = appendRule(j.RuleIDs, ledger.RuleShortfall)
				e.RuleIDs = appendRule(e.RuleIDs, ledger.RuleShortfall)
			}
			e.Data.Judgment = &j
		}
	}
	return nil
}

// TopUp pays money into the guarantee fund (the platform capitalising it)
// or a seller's deposit (保证金), from outside the platform. Admins and the
// integration only. Errors: Forbidden, Invalid (another kind of account, a
// bad amount).
func (s *Service) TopUp(ctx context.Context, c Caller, acct ledger.Account, amount money.Fen, ref string) (ledger.Transaction, error) {
	if c.Role != actor.Admin && c.Role != actor.Integration {
		return ledger.Transaction{}, forbidden("只有管理员或集成方可以入账 / only admins and the integration pay money in")
	}
	return command(ctx, s, c, func(_ *store.Tx, cm *store.Commit) (ledger.Transaction, error) {
		m := ledger.Meta{ID: "top-up:" + newID(), Ref: ref, At: s.now(ctx)}
		var t ledger.Transaction
		var err error
		switch acct.Kind() {
		case ledger.KindGuaranteeFund:
			t, err = ledger.TopUpFund(m, amount)
		case ledger.KindSellerDeposit:
			t, err = ledger.TopUpDeposit(m, acct.Owner(), amount)
		default:
			return t, fault.Field("id", "只能向先行赔付基金（guarantee_fund）或卖家保证金（seller_deposit:<卖家ID>）入账 / money is paid into the guarantee fund or a seller's deposit only")
		}
		if err != nil {
			return t, err
		}
		cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: ledger.Plan{Transactions: []ledger.Transaction{t}}})
		return t, nil
	})
}

func advanceOrderFacts(ctx context.Context, tx *store.Tx, cur dispute.State) (dispute.OrderFacts, error) {
	o, err := tx.GetOrder(ctx, cur.OrderID)
	if err != nil {
		return dispute.OrderFacts{}, fmt.Errorf("service: order of case %s: %w", cur.ID, err)
	}
	return dispute.OrderFacts{Shipped: o.ShippedAt != nil, Received: o.DeliveredAt != nil || o.CompletedAt != nil, Refundable: o.Refundable(), Premium: o.BuyerPremium}, nil
}

func appendRule(rules []string, r string) []string {
	for _, x := range rules {
		if x == r {
			return rules
		}
	}
	return append(append([]string(nil), rules...), r)
}
