package ledger

import (
	"github.com/weiquan/weiquan/internal/money"
)

// The protection services (issue 13): 保证金 frozen per open case, 假一赔十
// paid from the deposit with the fund advancing what it lacks, and 运费险
// paid by the insurer. The rule ids of the rule book are the caller's (in
// Meta.RuleIDs); the builders add the articles they apply.

// FreezeDeposit freezes the amount in dispute of an open case in the
// seller's deposit (SellerDeposit → DepositFrozen), as much of it as the
// deposit holds; nothing to freeze: an empty plan. Errors: Invalid.
func FreezeDeposit(m Meta, sellerID string, amount money.Fen, b Balances) (Plan, error) {
	return moveSellerMoney(m, TxDepositFreeze, sellerID, SellerDeposit(sellerID), DepositFrozen(sellerID), amount, b)
}

// ReleaseDeposit releases what a case froze (DepositFrozen →
// SellerDeposit), capped at what is frozen. Errors: Invalid.
func ReleaseDeposit(m Meta, sellerID string, amount money.Fen, b Balances) (Plan, error) {
	return moveSellerMoney(m, TxDepositRelease, sellerID, DepositFrozen(sellerID), SellerDeposit(sellerID), amount, b)
}

// moveSellerMoney moves amount between two of a seller's accounts (from →
// to) in one transaction of kind, capped at what from holds. Errors: Invalid.
func moveSellerMoney(m Meta, kind TxKind, sellerID string, from, to Account, amount money.Fen, b Balances) (Plan, error) {
	var p Plan
	if err := checkMove(m, false, amount, seller(sellerID)); err != nil {
		return p, err
	}
	amt, _ := Cover(amount, b.Headroom(from))
	p.add(m.tx("", kind, nil, debit(from, amt), credit(to, amt)))
	return p, nil
}

// PledgeCompensation pays the compensation of a seller's counterfeit pledge
// (假一赔十) to the buyer: from the seller's deposit first (art. 86, one
// compensation_from_deposit transaction with id m.ID); what the deposit
// lacks the guarantee fund advances (fund_compensation, ID + "/fund") and
// books as the seller's receivable at once (record_receivable, ID +
// "/receivable", art. 87), recovered later like every receivable
// (Recover). What the fund lacks too is a shortfall, not paid. Errors:
// Invalid.
func PledgeCompensation(m Meta, sellerID, buyerID string, amount money.Fen, b Balances) (Plan, error) {
	var p Plan
	if err := checkMove(m, true, amount, seller(sellerID), buyer(buyerID)); err != nil {
		return p, err
	}
	fromDeposit, rest := Cover(amount, b.Headroom(SellerDeposit(sellerID)))
	fromFund, short := Cover(rest, b.Headroom(GuaranteeFund()))
	rules := []string{RuleDeposit}
	if short > 0 {
		rules = append(rules, RuleShortfall)
	}
	p.add(m.tx("", TxCompensationFromDeposit, rules, debit(SellerDeposit(sellerID), fromDeposit), credit(BuyerPayout(buyerID), fromDeposit)))
	adv := []string{RuleAdvance, RuleShortfall}
	p.add(m.tx("fund", TxFundCompensation, adv, debit(GuaranteeFund(), fromFund), credit(BuyerPayout(buyerID), fromFund)))
	p.add(m.tx("receivable", TxRecordReceivable, adv, debit(External(SourceSellerDebt), fromFund), credit(FundReceivable(sellerID), fromFund)))
	p.shortfall(GuaranteeFund(), BuyerPayout(buyerID), rest, fromFund)
	return p, nil
}

// InsurancePremium records the 运费险 premium of an insured order at
// payment: External(insurance_premium) → Insurer. Errors: Invalid.
func InsurancePremium(m Meta, insurerID string, amount money.Fen) (Transaction, error) {
	if err := checkMove(m, true, amount, party{"insurer_id", insurerID}); err != nil {
		return Transaction{}, err
	}
	return m.tx("", TxInsurancePremium, nil, debit(External(SourcePremium), amount), credit(Insurer(insurerID), amount)), nil
}

// InsuranceClaim pays an insured buyer's return postage from the insurer's
// account: Insurer → BuyerPayout. Errors: Invalid.
func InsuranceClaim(m Meta, insurerID, buyerID string, amount money.Fen) (Transaction, error) {
	if err := checkMove(m, true, amount, party{"insurer_id", insurerID}, buyer(buyerID)); err != nil {
		return Transaction{}, err
	}
	return m.tx("", TxInsuranceClaim, nil, debit(Insurer(insurerID), amount), credit(BuyerPayout(buyerID), amount)), nil
}

// WriteOffReceivable cancels up to amount of what a seller owes the fund
// when the judgment behind it was overturned (ours-appeal-overturn): one
// write_off_receivable transaction, capped at the receivable; nothing owed:
// an empty plan. Errors: Invalid.
func WriteOffReceivable(m Meta, sellerID string, amount money.Fen, b Balances) (Plan, error) {
	var p Plan
	if err := checkMove(m, true, amount, seller(sellerID)); err != nil {
		return p, err
	}
	amt, _ := Cover(amount, b.Headroom(FundReceivable(sellerID)))
	p.add(m.tx("", TxWriteOffReceivable, []string{RuleOverturn}, debit(FundReceivable(sellerID), amt), credit(External(SourceSellerDebt), amt)))
	return p, nil
}
