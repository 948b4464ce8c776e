package ledger

import (
	"slices"

	"github.com/weiquan/weiquan/internal/money"
)

// RuleRecovery is the project's rule that what a seller owes the guarantee
// fund is recovered first, automatically, from the next money that reaches
// the seller (the rule book's ledger.recover_receivable): the fund advanced
// the buyer on the seller's behalf (seed-advance-payment), the seller's
// deposit or other money is drawn for a liability the dispute decided (art.
// 86, taobao-dispute-86), and what could not be paid at the time stays owed
// (art. 87, taobao-dispute-87) until money arrives.
const RuleRecovery = "ours-receivable-recovery"

// recoveryKinds are the transaction kinds that pay money to a seller and
// so recover what it owes: an escrow release to its available balance, a
// deposit top-up, and the advance paid over to it on 调帐.
var recoveryKinds = []TxKind{TxReleaseToSeller, TxDepositTopUp, TxReverseAdvance}

// sellerCredits are the lines of t that pay a seller's available balance or
// deposit, when t is of a kind that recovers.
func sellerCredits(t Transaction) []Posting {
	if !slices.Contains(recoveryKinds, t.Kind) {
		return nil
	}
	var out []Posting
	for _, p := range t.Postings {
		if k := p.Account.Kind(); p.Amount > 0 && (k == KindSellerAvailable || k == KindSellerDeposit) {
			out = append(out, p)
		}
	}
	return out
}

// RecoveryAccounts lists the accounts Recover reads for txs: each seller
// credit's account and the seller's receivable (none when nothing in txs
// pays a seller).
func RecoveryAccounts(txs []Transaction) []Account {
	var out []Account
	for _, t := range txs {
		for _, p := range sellerCredits(t) {
			for _, a := range []Account{p.Account, FundReceivable(p.Account.Owner())} {
				if !slices.Contains(out, a) {
					out = append(out, a)
				}
			}
		}
	}
	return out
}

// Recover plans the recovery of sellers' receivables from the money txs
// pay them, in order: after each transaction that pays a seller (release,
// deposit top-up, 调帐), the seller's receivable is repaid from that money
// first — min(the money paid, the receivable, the account's balance) — as
// one repay_receivable transaction with id t.ID + "/recover", citing rules
// and RuleRecovery, RuleDeposit (art. 86) and RuleShortfall (art. 87). b
// holds the balances of RecoveryAccounts(txs) before txs; a receivable
// booked by txs themselves is seen when it comes. Nothing is recovered twice:
// each fen of a receivable leaves it once, and a seller that owes nothing
// keeps its money.
func Recover(txs []Transaction, b Balances, rules []string) Plan {
	var p Plan
	cur := make(Balances, len(b))
	for a, v := range b {
		cur[a] = v
	}
	move := func(t Transaction) {
		for _, po := range t.Postings {
			if _, ok := cur[po.Account]; ok {
				cur[po.Account] += po.Amount
			}
		}
	}
	for _, t := range txs {
		move(t)
		for _, c := range sellerCredits(t) {
			seller := c.Account.Owner()
			recv := FundReceivable(seller)
			if _, ok := cur[recv]; !ok {
				continue // not loaded: the caller did not ask for it
			}
			amt := min(c.Amount, cur.Headroom(recv), cur.Headroom(c.Account))
			if amt <= 0 {
				continue
			}
			m := Meta{ID: t.ID, OrderID: t.OrderID, Ref: t.Ref, RuleIDs: rules, At: t.At}
			suffix := "recover"
			if c.Account.Kind() == KindSellerDeposit && t.Kind != TxDepositTopUp {
				suffix = "recover-deposit"
			}
			rt := m.tx(suffix, TxRepayReceivable, []string{RuleRecovery, RuleDeposit, RuleShortfall},
				debit(c.Account, amt), credit(GuaranteeFund(), amt), debit(recv, amt), credit(External(SourceSellerDebt), amt))
			rt.OrderID = "" // a repayment is the seller's, not an order's
			p.add(rt)
			move(rt)
		}
	}
	return p
}

// Owed is what a seller owes the guarantee fund in b (its receivable).
func Owed(b Balances, sellerID string) money.Fen { return b[FundReceivable(sellerID)] }
