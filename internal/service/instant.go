package service

import (
	"context"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// 极速退款 (aftersale.instant_refund_limit; see the aftersale package
// documentation): the money of a request's instant refund moves on the
// existing advance accounts, as its own transactions ("instant:" + the
// request id): advance_from_fund (guarantee_fund → buyer_payout) and
// freeze (escrow → frozen) when the buyer ships the return; repay_fund
// (frozen, then the deposit → guarantee_fund, the rest a receivable) when
// the guarantee ends, with reverse_advance (buyer_payout →
// seller_available) when the seller's refusal of receipt is upheld.

// instantTx is the ledger transaction of a request's instant refund.
func instantTx(requestID string) string { return "instant:" + requestID }

// instantView adds to v what the decision on a buyer's return shipment
// needs for 极速退款: whether the buyer carries an abuse flag (complaint.Abuse
// over the rule book's window) and what the guarantee fund can pay.
func (s *Service) instantView(ctx context.Context, tx *store.Tx, c Caller, now time.Time) (flagged bool, headroom money.Fen, err error) {
	if c.Role != actor.Buyer || c.PartyID == "" {
		return false, 0, nil
	}
	b := s.Policy()
	win, _ := b.ComplaintDuration("abuse_window")
	decided, rejected, err := tx.ComplainantRecord(ctx, string(actor.Buyer), c.PartyID, now.Add(-win))
	if err != nil {
		return false, 0, err
	}
	bal, err := tx.LedgerBalances(ctx, ledger.GuaranteeFund())
	if err != nil {
		return false, 0, err
	}
	return complaint.Abuse(decided, rejected, now, b) != nil, bal.Headroom(ledger.GuaranteeFund()), nil
}

// stampInstant names the fund's transaction on the events that pay an
// instant refund (before they are logged).
func stampInstant(id string, evs []aftersale.Event) {
	for i := range evs {
		if ir := evs[i].Data.InstantRefund; ir != nil && ir.Outcome == "" {
			x := *ir
			x.LedgerTransaction = instantTx(id)
			evs[i].Data.InstantRefund = &x
		}
	}
}

// instantMoney adds the ledger plans of the instant-refund events of st to
// cm and returns the transaction that paid the refund of the step (""
// when none did).
func (s *Service) instantMoney(ctx context.Context, tx *store.Tx, cm *store.Commit, st aftersaleStep, now time.Time) (string, error) {
	cur, o := st.cur, st.order
	paid := ""
	for _, e := range st.evs {
		ir := e.Data.InstantRefund
		if ir == nil {
			continue
		}
		meta := ledger.Meta{ID: instantTx(cur.ID), OrderID: o.ID, Ref: cur.ID, RuleIDs: e.RuleIDs, At: now}
		if ir.Outcome == "" {
			b, err := tx.LedgerBalances(ctx, ledger.GuaranteeFund(), ledger.Escrow(o.ID), ledger.Frozen(o.ID))
			if err != nil {
				return "", err
			}
			p, err := ledger.Advance(meta, o.BuyerID, ir.Amount, cm.Pending(b))
			if err != nil {
				return "", err
			}
			cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
			paid = meta.ID
			continue
		}
		b, err := tx.LedgerBalances(ctx, ledger.GuaranteeFund(), ledger.Escrow(o.ID), ledger.Frozen(o.ID), ledger.SellerDeposit(o.SellerID),
			ledger.BuyerPayout(o.BuyerID), ledger.SellerAvailable(o.SellerID), ledger.FundReceivable(o.SellerID))
		if err != nil {
			return "", err
		}
		r := ledger.Resolution{Outcome: ledger.GoodsReturned, SellerID: o.SellerID, BuyerID: o.BuyerID, Advanced: ir.Amount}
		if ir.Outcome == aftersale.InstantKept {
			r.Outcome = ledger.BuyerKeepsGoods
			if err := s.reverseOrderRefund(cm, st, ir.Amount, e, now); err != nil {
				return "", err
			}
		}
		meta.ID += "/settle"
		p, err := ledger.ResolveAdvance(meta, r, cm.Pending(b))
		if err != nil {
			return "", err
		}
		cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
	}
	return paid, nil
}

// instantPaid is what the open instant refund of a request has paid (0:
// none), which a judged refund does not pay again.
func instantPaid(ctx context.Context, tx *store.Tx, requestID string) (money.Fen, error) {
	if requestID == "" {
		return 0, nil
	}
	req, err := tx.GetAftersale(ctx, requestID)
	if fault.Is(err, fault.NotFound) {
		return 0, nil
	}
	if err != nil || !req.InstantRefund.Open() {
		return 0, err
	}
	return req.InstantRefund.Amount, nil
}

// reverseOrderRefund takes the instant refund of st back from the order's
// refunded total (调帐: it was paid over to the seller) with the order's
// refund_reversed event, on the order row the command writes.
func (s *Service) reverseOrderRefund(cm *store.Commit, st aftersaleStep, amount money.Fen, e aftersale.Event, now time.Time) error {
	o := st.order
	next, err := order.ReverseRefund(o, st.cur.Items, amount, now)
	if err != nil {
		return err
	}
	next.Version, next.UpdatedAt = o.Version+1, now
	s.orderEvent(cm, next, "refund_reversed", e.Actor, "极速退款调帐：卖家拒收成立，退款转给卖家 / instant refund adjusted: the refusal of receipt stands, the refund goes to the seller",
		e.RuleIDs, map[string]any{"aftersale_id": st.cur.ID, "amount": amount, "refunded_total": next.Refunded, "ledger_transaction": instantTx(st.cur.ID) + "/settle"}, now)
	cm.Orders = append(cm.Orders, store.Row[order.Order]{Value: next, Prev: o.Version})
	orderDeadlineChange(cm, o, next, now, nil)
	return nil
}
