package ledger

import (
	"fmt"
	"maps"
	"slices"

	"github.com/weiquan/weiquan/internal/money"
)

// OrderTotals is one order's money, summed from its transactions.
type OrderTotals struct {
	OrderID string `json:"order_id"`
	// The escrow identity: Paid = Released + Refunded + Recovered + Escrow + Frozen.
	Paid      money.Fen `json:"paid"`      // payment_escrow into escrow
	Released  money.Fen `json:"released"`  // release_to_seller out of escrow
	Refunded  money.Fen `json:"refunded"`  // refund out of escrow
	Recovered money.Fen `json:"recovered"` // frozen escrow that repaid the fund (repay_fund)
	Escrow    money.Fen `json:"escrow"`    // still in escrow
	Frozen    money.Fen `json:"frozen"`    // still frozen
	// Beyond the escrow.
	RefundedAfterRelease money.Fen `json:"refunded_after_release"` // refunds paid from the seller's available balance
	RefundedFromDeposit  money.Fen `json:"refunded_from_deposit"`  // refunds recovered from the seller's deposit (appeal overturns, art. 86)
	Advanced             money.Fen `json:"advanced"`               // advance_from_fund to the buyer
	AdvanceReversed      money.Fen `json:"advance_reversed"`       // advances paid over to the seller (2b, 调帐)
	FundRecovered        money.Fen `json:"fund_recovered"`         // repay_fund into the fund (frozen + deposit)
	ReceivableRecorded   money.Fen `json:"receivable_recorded"`    // booked as the seller's debt to the fund
	Compensated          money.Fen `json:"compensated"`            // compensation from the deposit
	Restituted           money.Fen `json:"restituted"`             // paid by the fund to the seller after an overturn (ours-appeal-overturn)
	FundCompensated      money.Fen `json:"fund_compensated"`       // compensation the fund advanced for the seller (假一赔十), booked as its receivable
	InsurancePremium     money.Fen `json:"insurance_premium"`      // 运费险 premium paid to the insurer
	InsurancePaid        money.Fen `json:"insurance_paid"`         // return postage the insurer paid the buyer
	Transactions         int       `json:"transactions"`
}

// Settled reports an order with nothing left in escrow or frozen: then
// Paid = Released + Refunded + Recovered.
func (o OrderTotals) Settled() bool { return o.Escrow == 0 && o.Frozen == 0 }

// BuyerRefunded is what the buyer got back for the trade: refunds plus
// advances not paid over to the seller. It never exceeds Paid
// (ours-refund-cap); compensation is on top.
func (o OrderTotals) BuyerRefunded() money.Fen {
	return o.Refunded + o.RefundedAfterRelease + o.RefundedFromDeposit + o.Advanced - o.AdvanceReversed
}

// OpenAdvance is what the fund advanced on the order (refunds and
// compensation) and has neither recovered nor booked as a receivable: 0
// once every advance has resolved, which is when the fund is whole again
// for this order.
func (o OrderTotals) OpenAdvance() money.Fen {
	return o.Advanced + o.FundCompensated - o.FundRecovered - o.ReceivableRecorded
}

// Identity checks Paid = Released + Refunded + Recovered + Escrow + Frozen.
func (o OrderTotals) Identity() error {
	if got := o.Released + o.Refunded + o.Recovered + o.Escrow + o.Frozen; got != o.Paid {
		return &Violation{OrderID: o.OrderID, Invariant: InvReconcile,
			Detail: fmt.Sprintf("paid %d ≠ released %d + refunded %d + recovered %d + in escrow %d + frozen %d (= %d)",
				int64(o.Paid), int64(o.Released), int64(o.Refunded), int64(o.Recovered), int64(o.Escrow), int64(o.Frozen), int64(got))}
	}
	return nil
}

// Reconciler sums transactions per order as they come, in posting order,
// and checks the per-order invariants. It also keeps the fund's totals for
// the fund_whole check.
type Reconciler struct {
	orders      map[string]*OrderTotals
	FundCapital money.Fen // fund_top_up into the fund
	FundBorne   money.Fen // fund_restitution out of the fund and receivables written off: the platform's own errors it bore
}

// NewReconciler returns an empty reconciler.
func NewReconciler() *Reconciler { return &Reconciler{orders: map[string]*OrderTotals{}} }

// Add folds one transaction in and returns the per-order invariant it
// breaks, if any: the refund cap (it takes the buyer's refunds and advances
// beyond what was paid) or the fund recovery cap (it makes the fund recover
// more than it advanced on the order).
func (r *Reconciler) Add(t Transaction) *Violation {
	for _, p := range t.Postings {
		if t.Kind == TxFundTopUp && p.Account.Kind() == KindGuaranteeFund {
			r.FundCapital += p.Amount
		}
		if t.Kind == TxWriteOffReceivable && p.Account.Kind() == KindFundReceivable {
			r.FundBorne -= p.Amount // a receivable written off is the fund's loss
		}
	}
	if t.OrderID == "" {
		return nil
	}
	o := r.orders[t.OrderID]
	if o == nil {
		o = &OrderTotals{OrderID: t.OrderID}
		r.orders[t.OrderID] = o
	}
	o.Transactions++
	refundedBefore, openBefore := o.BuyerRefunded(), o.OpenAdvance()
	for _, p := range t.Postings {
		k := p.Account.Kind()
		switch {
		case k == KindEscrow && p.Account.Owner() == t.OrderID:
			o.Escrow += p.Amount
			switch t.Kind {
			case TxPaymentEscrow:
				o.Paid += p.Amount
			case TxReleaseToSeller:
				o.Released -= p.Amount
			case TxRefund:
				o.Refunded -= p.Amount
			}
		case k == KindFrozen && p.Account.Owner() == t.OrderID:
			o.Frozen += p.Amount
			if t.Kind == TxRepayFund {
				o.Recovered -= p.Amount
			}
		case k == KindSellerAvailable && t.Kind == TxRefund:
			o.RefundedAfterRelease -= p.Amount
		case k == KindSellerDeposit && t.Kind == TxRefund:
			o.RefundedFromDeposit -= p.Amount
		case k == KindGuaranteeFund && t.Kind == TxFundRestitution:
			o.Restituted -= p.Amount
			r.FundBorne -= p.Amount
		case k == KindGuaranteeFund && t.Kind == TxAdvanceFromFund:
			o.Advanced -= p.Amount
		case k == KindGuaranteeFund && t.Kind == TxFundCompensation:
			o.FundCompensated -= p.Amount
		case k == KindInsurer && t.Kind == TxInsurancePremium:
			o.InsurancePremium += p.Amount
		case k == KindInsurer && t.Kind == TxInsuranceClaim:
			o.InsurancePaid -= p.Amount
		case k == KindGuaranteeFund && t.Kind == TxRepayFund:
			o.FundRecovered += p.Amount
		case k == KindFundReceivable && t.Kind == TxRecordReceivable:
			o.ReceivableRecorded += p.Amount
		case k == KindBuyerPayout && t.Kind == TxReverseAdvance:
			o.AdvanceReversed -= p.Amount
		case k == KindBuyerPayout && t.Kind == TxCompensationFromDeposit:
			o.Compensated += p.Amount
		}
	}
	// Report a cap at the transaction that crosses it, not at every later one.
	if got := o.BuyerRefunded(); got > o.Paid && got > refundedBefore {
		line := 0
		for i, p := range t.Postings {
			if p.Account.Kind() == KindBuyerPayout {
				line = i + 1
			}
		}
		return t.violation(line, InvRefundCap, "order %s: the buyer has got back %d fen (refunds %d + after release %d + advances %d − paid over %d), more than the %d paid",
			t.OrderID, int64(got), int64(o.Refunded), int64(o.RefundedAfterRelease), int64(o.Advanced), int64(o.AdvanceReversed), int64(o.Paid))
	}
	if o.OpenAdvance() < 0 && o.OpenAdvance() < openBefore {
		return t.violation(0, InvFundRecovery, "order %s: the fund recovered %d fen and booked %d receivable, more than the %d it advanced",
			t.OrderID, int64(o.FundRecovered), int64(o.ReceivableRecorded), int64(o.Advanced+o.FundCompensated))
	}
	return nil
}

// Order returns an order's totals.
func (r *Reconciler) Order(id string) OrderTotals {
	if o := r.orders[id]; o != nil {
		return *o
	}
	return OrderTotals{OrderID: id}
}

// Orders returns every order's totals, by order id.
func (r *Reconciler) Orders() []OrderTotals {
	ids := slices.Sorted(maps.Keys(r.orders))
	out := make([]OrderTotals, len(ids))
	for i, id := range ids {
		out[i] = *r.orders[id]
	}
	return out
}

// OpenAdvances sums OpenAdvance over the orders.
func (r *Reconciler) OpenAdvances() money.Fen {
	var s money.Fen
	for _, o := range r.orders {
		s += o.OpenAdvance()
	}
	return s
}

// Check returns the orders whose escrow identity fails, by order id.
func (r *Reconciler) Check() []*Violation {
	var out []*Violation
	for _, o := range r.Orders() {
		if err := o.Identity(); err != nil {
			out = append(out, err.(*Violation))
		}
	}
	return out
}

// FundWhole checks that the guarantee fund's cash plus what sellers owe it
// plus the advances still open plus what it paid sellers for the platform's
// overturned judgments (fund_restitution, a loss it bears) equals the
// capital put in: every fen the fund advanced is back, owed, or still out on
// an open advance, and every other fen that left it is a restitution.
func (r *Reconciler) FundWhole(b Balances) error {
	var recv money.Fen
	for a, v := range b {
		if a.Kind() == KindFundReceivable {
			recv += v
		}
	}
	open := r.OpenAdvances()
	if got := b[GuaranteeFund()] + recv + open + r.FundBorne; got != r.FundCapital {
		return &Violation{Account: GuaranteeFund().String(), Invariant: InvFundWhole,
			Detail: fmt.Sprintf("fund %d + receivables %d + open advances %d + restitutions %d = %d ≠ capital %d",
				int64(b[GuaranteeFund()]), int64(recv), int64(open), int64(r.FundBorne), int64(got), int64(r.FundCapital))}
	}
	return nil
}

// Reconcile sums one order's transactions (in posting order; others are
// ignored) and checks its invariants: the refund cap and fund recovery cap
// at every step, and the escrow identity at the end.
func Reconcile(orderID string, txs []Transaction) (OrderTotals, error) {
	r := NewReconciler()
	for _, t := range txs {
		if t.OrderID != orderID {
			continue
		}
		if err := Validate(t); err != nil {
			return r.Order(orderID), err
		}
		if v := r.Add(t); v != nil {
			return r.Order(orderID), v
		}
	}
	o := r.Order(orderID)
	return o, o.Identity()
}
