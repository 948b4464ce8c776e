package ledger

import (
	"fmt"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
)

// Rule ids the builders add to what the caller passes.
const (
	RuleExecute   = "taobao-dispute-85"    // paying trade money as the dispute decided
	RuleDeposit   = "taobao-dispute-86"    // compensation and repayment from the seller's deposit
	RuleShortfall = "taobao-dispute-87"    // an insufficient balance is recorded, not papered over
	RuleAdvance   = "seed-advance-payment" // 先行垫付 (SPEC §5; seed 003 交易纠纷处理规则—先行垫付)
)

// Meta is what the caller knows about a money movement: a deterministic id
// for the business event (e.g. "refund:" + the after-sales id) so that doing
// it twice posts once, the order, the reference (after-sales request, case,
// complaint), the rule ids applied and the time. Builders that produce more
// than one transaction derive the others' ids as ID + "/" + a suffix.
type Meta struct {
	ID      string
	OrderID string
	Ref     string
	RuleIDs []string
	At      time.Time
}

func (m Meta) tx(suffix string, kind TxKind, rules []string, postings ...Posting) Transaction {
	id := m.ID
	if suffix != "" {
		id += "/" + suffix
	}
	rs := slices.Clone(m.RuleIDs)
	for _, r := range rules {
		if r != "" && !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	if rs == nil {
		rs = []string{}
	}
	var ps []Posting
	for _, p := range postings {
		if p.Amount != 0 {
			ps = append(ps, p)
		}
	}
	return Transaction{ID: id, Kind: kind, OrderID: m.OrderID, Ref: m.Ref, RuleIDs: rs, At: m.At.UTC(), Postings: ps}
}

func (m Meta) check(needOrder bool) error {
	if m.ID == "" || !validText(m.ID) || len(m.ID) > MaxIDLen-16 {
		return fault.Field("id", "账务流水号须为1–%d个可打印字符 / the ledger transaction id must be 1–%d printable bytes", MaxIDLen-16, MaxIDLen-16)
	}
	if needOrder && m.OrderID == "" {
		return fault.Field("order_id", "缺少订单号 / the order id is missing")
	}
	if m.At.IsZero() {
		return fault.Field("at", "缺少时间 / the time is missing")
	}
	return nil
}

func checkAmount(a money.Fen) error {
	if a <= 0 || a > MaxAmount {
		return fault.Field("amount", "金额须为 1–%d 分 / the amount must be 1–%d fen", int64(MaxAmount), int64(MaxAmount))
	}
	return nil
}

func checkParty(field, id string) error {
	if id == "" || !validText(id) {
		return fault.Field(field, "缺少或无效的ID / missing or invalid id")
	}
	return nil
}

// party is a party id a money movement needs, with the input field that
// names it in an error.
type party struct{ field, id string }

func buyer(id string) party  { return party{"buyer_id", id} }
func seller(id string) party { return party{"seller_id", id} }

// checkMove validates a money movement: the meta (with its order when
// needOrder), an amount of 1 fen to MaxAmount, then each party in turn.
func checkMove(m Meta, needOrder bool, amount money.Fen, parties ...party) error {
	if err := m.check(needOrder); err != nil {
		return err
	}
	if err := checkAmount(amount); err != nil {
		return err
	}
	for _, p := range parties {
		if err := checkParty(p.field, p.id); err != nil {
			return err
		}
	}
	return nil
}

func debit(a Account, amt money.Fen) Posting  { return Posting{a, -amt} }
func credit(a Account, amt money.Fen) Posting { return Posting{a, amt} }

// Plan is the transactions of one business event, to post together in one
// database transaction, and the shortfalls it records instead of paying
// (art. 87).
type Plan struct {
	Transactions []Transaction
	Shortfalls   []Shortfall
}

// After returns the balances of b's accounts once plans are posted (a
// command that plans a second movement after a first sees the first);
// accounts not in b are left out.
func (b Balances) After(plans ...Plan) Balances {
	out := make(Balances, len(b))
	for a, v := range b {
		out[a] = v
	}
	for _, p := range plans {
		for _, lt := range p.Transactions {
			for _, po := range lt.Postings {
				if _, ok := out[po.Account]; ok {
					out[po.Account] += po.Amount
				}
			}
		}
	}
	return out
}

// Missing is the total of the plan's shortfalls: what it could not pay.
func (p Plan) Missing() money.Fen {
	var n money.Fen
	for _, sf := range p.Shortfalls {
		n += sf.Missing
	}
	return n
}

func (p *Plan) add(t Transaction) {
	if len(t.Postings) >= 2 {
		p.Transactions = append(p.Transactions, t)
	}
}

// Shortfall is money that could not be paid because an account lacked it
// (taobao-dispute-87: "卖家账户余额不足致使无法退款或赔付的，由买卖双方自行协商
// 或通过其他途径解决"). It is surfaced to the parties; when the fund is the
// creditor it is also booked as a FundReceivable.
type Shortfall struct {
	From      Account   `json:"from"` // the account that lacked the money
	To        Account   `json:"to"`   // where it should have gone
	Requested money.Fen `json:"requested"`
	Paid      money.Fen `json:"paid"`
	Missing   money.Fen `json:"missing"`
	Rule      string    `json:"rule"`
}

func (p *Plan) shortfall(from, to Account, requested, paid money.Fen) {
	if requested > paid {
		p.Shortfalls = append(p.Shortfalls, Shortfall{From: from, To: to, Requested: requested, Paid: paid, Missing: requested - paid, Rule: RuleShortfall})
	}
}

// Pay puts a buyer's payment into the order's escrow (External(payin) →
// Escrow). Errors: Invalid.
func Pay(m Meta, amount money.Fen) (Transaction, error) {
	if err := checkMove(m, true, amount); err != nil {
		return Transaction{}, err
	}
	return m.tx("", TxPaymentEscrow, nil, debit(External(SourcePayin), amount), credit(Escrow(m.OrderID), amount)), nil
}

// Release pays what is left in the order's escrow to the seller at
// completion (交易成功): the payment minus refunds and minus anything
// frozen for an open advance (that stays frozen). Nothing left: an empty
// plan. Errors: Invalid.
func Release(m Meta, sellerID string, b Balances) (Plan, error) {
	var p Plan
	if err := m.check(true); err != nil {
		return p, err
	}
	if err := checkParty("seller_id", sellerID); err != nil {
		return p, err
	}
	amt := b[Escrow(m.OrderID)]
	p.add(m.tx("", TxReleaseToSeller, nil, debit(Escrow(m.OrderID), amt), credit(SellerAvailable(sellerID), amt)))
	return p, nil
}

// Refund pays a refund to the buyer: from the order's escrow first, and
// when the escrow was already released (a refund after completion), from
// the seller's available balance (art. 85). What neither covers is a
// shortfall (art. 87), not paid; the caller decides whether to advance it
// from the fund. The refund cap (ours-refund-cap) is the caller's: this
// builder does not know the order's amount. Errors: Invalid.
func Refund(m Meta, buyerID, sellerID string, amount money.Fen, b Balances) (Plan, error) {
	var p Plan
	if err := checkMove(m, true, amount, buyer(buyerID), seller(sellerID)); err != nil {
		return p, err
	}
	fromEscrow, rest := Cover(amount, b.Headroom(Escrow(m.OrderID)))
	fromSeller, _ := Cover(rest, b.Headroom(SellerAvailable(sellerID)))
	var rules []string
	if fromSeller > 0 {
		rules = append(rules, RuleExecute)
	}
	if fromEscrow+fromSeller < amount {
		rules = append(rules, RuleShortfall)
	}
	p.add(m.tx("", TxRefund, rules, debit(Escrow(m.OrderID), fromEscrow), debit(SellerAvailable(sellerID), fromSeller),
		credit(BuyerPayout(buyerID), fromEscrow+fromSeller)))
	p.shortfall(SellerAvailable(sellerID), BuyerPayout(buyerID), rest, fromSeller)
	return p, nil
}

// CompensateFromDeposit pays compensation beyond the trade money from the
// seller's deposit to the buyer (art. 86), e.g. the 5 % late-shipment
// compensation. An insufficient deposit pays what there is and records the
// shortfall (art. 87). The order id is optional. Errors: Invalid.
func CompensateFromDeposit(m Meta, sellerID, buyerID string, amount money.Fen, b Balances) (Plan, error) {
	var p Plan
	if err := checkMove(m, false, amount, seller(sellerID), buyer(buyerID)); err != nil {
		return p, err
	}
	paid, short := Cover(amount, b.Headroom(SellerDeposit(sellerID)))
	rules := []string{RuleDeposit}
	if short > 0 {
		rules = append(rules, RuleShortfall)
	}
	p.add(m.tx("", TxCompensationFromDeposit, rules, debit(SellerDeposit(sellerID), paid), credit(BuyerPayout(buyerID), paid)))
	p.shortfall(SellerDeposit(sellerID), BuyerPayout(buyerID), amount, paid)
	return p, nil
}

// Advance pays the buyer from the guarantee fund at once and freezes the
// disputed escrow (SPEC §5.1): GuaranteeFund → BuyerPayout for the amount,
// and Escrow → Frozen for as much of it as the order's escrow still holds
// (id ID + "/freeze"). Errors: Invalid; Conflict when the fund lacks the
// money (cause *InsufficientError) or the order already has frozen escrow
// (an advance is open). Like Refund, the refund cap is the caller's: the
// amount must not exceed what the order paid and has not had back.
func Advance(m Meta, buyerID string, amount money.Fen, b Balances) (Plan, error) {
	var p Plan
	if err := checkMove(m, true, amount, buyer(buyerID)); err != nil {
		return p, err
	}
	if b[Frozen(m.OrderID)] > 0 {
		return p, &fault.Error{Code: fault.Conflict, Field: "order_id", Rule: RuleAdvance,
			Message: fmt.Sprintf("订单 %s 已有未结的先行垫付 / order %s already has an open advance", m.OrderID, m.OrderID)}
	}
	if h := b.Headroom(GuaranteeFund()); h < amount {
		return p, &fault.Error{Code: fault.Conflict, Field: "amount", Rule: RuleShortfall,
			Message: fmt.Sprintf("先行赔付基金余额不足 / the guarantee fund holds %s, the advance needs %s", h, amount),
			Cause:   &InsufficientError{TxID: m.ID, Line: 1, Account: GuaranteeFund(), Balance: b[GuaranteeFund()], Amount: -amount}}
	}
	rules := []string{RuleAdvance}
	p.add(m.tx("", TxAdvanceFromFund, rules, debit(GuaranteeFund(), amount), credit(BuyerPayout(buyerID), amount)))
	frozen, _ := Cover(amount, b.Headroom(Escrow(m.OrderID)))
	p.add(m.tx("freeze", TxFreeze, rules, debit(Escrow(m.OrderID), frozen), credit(Frozen(m.OrderID), frozen)))
	return p, nil
}

// Outcome is how an advance ends (SPEC §5.2).
type Outcome string

// The two outcomes.
const (
	GoodsReturned   Outcome = "returned" // 2a: the buyer returned the goods and the seller received them
	BuyerKeepsGoods Outcome = "kept"     // 2b: the buyer did not return the goods (confirmed with the buyer); 调帐
)

// Resolution describes how an open advance ends.
type Resolution struct {
	Outcome  Outcome
	SellerID string
	BuyerID  string
	Advanced money.Fen // the amount the fund advanced
}

// ResolveAdvance closes an open advance on m.OrderID (see the package
// documentation for the model and a worked example):
//
//   - the fund is repaid the advance from the frozen escrow first, then from
//     the seller's deposit (art. 86) — one repay_fund transaction (ID +
//     "/repay"); frozen escrow beyond the advance is unfrozen back into
//     escrow (ID + "/unfreeze"); what neither covers is booked as a
//     FundReceivable of the seller (ID + "/receivable", art. 87), so the
//     fund is whole (cash + receivables) once the advance resolves;
//   - 2b only (BuyerKeepsGoods, 调帐): the buyer kept the goods, so the trade
//     stands and the seller is owed its money; the advance the buyer holds is
//     paid over to the seller (BuyerPayout → SellerAvailable, ID +
//     "/adjust"). What the buyer no longer holds is a shortfall between
//     buyer and seller (art. 87), not the fund's loss.
//
// Errors: Invalid.
func ResolveAdvance(m Meta, r Resolution, b Balances) (Plan, error) {
	var p Plan
	if err := checkMove(m, true, r.Advanced, seller(r.SellerID)); err != nil {
		return p, err
	}
	if r.Outcome != GoodsReturned && r.Outcome != BuyerKeepsGoods {
		return p, fault.Field("outcome", "结果须为 returned 或 kept / the outcome must be returned or kept")
	}
	if r.Outcome == BuyerKeepsGoods {
		if err := checkParty("buyer_id", r.BuyerID); err != nil {
			return p, err
		}
	}
	frozen := b.Headroom(Frozen(m.OrderID))
	fromFrozen, rest := Cover(r.Advanced, frozen)
	fromDeposit, owed := Cover(rest, b.Headroom(SellerDeposit(r.SellerID)))
	rules := []string{RuleAdvance}
	if fromDeposit > 0 {
		rules = append(rules, RuleDeposit)
	}
	p.add(m.tx("repay", TxRepayFund, rules, debit(Frozen(m.OrderID), fromFrozen), debit(SellerDeposit(r.SellerID), fromDeposit),
		credit(GuaranteeFund(), fromFrozen+fromDeposit)))
	if extra := frozen - fromFrozen; extra > 0 {
		p.add(m.tx("unfreeze", TxUnfreeze, []string{RuleAdvance}, debit(Frozen(m.OrderID), extra), credit(Escrow(m.OrderID), extra)))
	}
	p.add(m.tx("receivable", TxRecordReceivable, []string{RuleAdvance, RuleShortfall},
		debit(External(SourceSellerDebt), owed), credit(FundReceivable(r.SellerID), owed)))
	p.shortfall(SellerDeposit(r.SellerID), GuaranteeFund(), rest, fromDeposit)
	if r.Outcome == BuyerKeepsGoods {
		paid, _ := Cover(r.Advanced, b.Headroom(BuyerPayout(r.BuyerID)))
		adj := []string{RuleAdvance}
		if paid < r.Advanced {
			adj = append(adj, RuleShortfall)
		}
		p.add(m.tx("adjust", TxReverseAdvance, adj, debit(BuyerPayout(r.BuyerID), paid), credit(SellerAvailable(r.SellerID), paid)))
		p.shortfall(BuyerPayout(r.BuyerID), SellerAvailable(r.SellerID), r.Advanced, paid)
	}
	return p, nil
}

// RepayReceivable pays (part of) what a seller owes the fund: from is
// SellerAvailable(seller), SellerDeposit(seller) or an External source (the
// seller paying in). The amount is capped at the receivable. Errors:
// Invalid; Conflict when from lacks the money (cause *InsufficientError).
func RepayReceivable(m Meta, sellerID string, from Account, amount money.Fen, b Balances) (Plan, error) {
	var p Plan
	if err := checkMove(m, false, amount, seller(sellerID)); err != nil {
		return p, err
	}
	switch {
	case from == SellerAvailable(sellerID), from == SellerDeposit(sellerID):
	case from.Kind() == KindExternal && from != External(SourceSellerDebt) && from.Validate() == nil:
	default:
		return p, fault.Field("from", "须从卖家自己的可用余额、保证金或外部来源还款 / repay from the seller's own available balance, deposit or an external source")
	}
	amt, _ := Cover(amount, b.Headroom(FundReceivable(sellerID)))
	if amt == 0 {
		return p, nil
	}
	if h := b.Headroom(from); h < amt {
		return p, &fault.Error{Code: fault.Conflict, Field: "amount", Rule: RuleShortfall,
			Message: fmt.Sprintf("余额不足 / %s holds %s, the repayment needs %s", from, h, amt),
			Cause:   &InsufficientError{TxID: m.ID, Line: 1, Account: from, Balance: b[from], Amount: -amt}}
	}
	p.add(m.tx("", TxRepayReceivable, []string{RuleAdvance}, debit(from, amt), credit(GuaranteeFund(), amt),
		debit(FundReceivable(sellerID), amt), credit(External(SourceSellerDebt), amt)))
	return p, nil
}

// TopUpDeposit records a seller paying in its deposit. Errors: Invalid.
func TopUpDeposit(m Meta, sellerID string, amount money.Fen) (Transaction, error) {
	if err := checkMove(m, false, amount, seller(sellerID)); err != nil {
		return Transaction{}, err
	}
	return m.tx("", TxDepositTopUp, nil, debit(External(SourceDeposit), amount), credit(SellerDeposit(sellerID), amount)), nil
}

// TopUpFund records the platform capitalising the guarantee fund. Errors:
// Invalid.
func TopUpFund(m Meta, amount money.Fen) (Transaction, error) {
	if err := checkMove(m, false, amount); err != nil {
		return Transaction{}, err
	}
	return m.tx("", TxFundTopUp, nil, debit(External(SourceFundCapital), amount), credit(GuaranteeFund(), amount)), nil
}

// Withdraw pays money out of the platform from a seller's available
// balance or deposit or a buyer's payout. The floor is checked when the
// transaction is applied or posted. Errors: Invalid.
func Withdraw(m Meta, from Account, amount money.Fen) (Transaction, error) {
	if err := checkMove(m, false, amount); err != nil {
		return Transaction{}, err
	}
	switch from.Kind() {
	case KindSellerAvailable, KindSellerDeposit, KindBuyerPayout:
	default:
		return Transaction{}, fault.Field("from", "只能从卖家余额、保证金或买家退款余额提现 / withdrawals come from a seller's balance or deposit or a buyer's payout")
	}
	if err := from.Validate(); err != nil {
		return Transaction{}, fault.Field("from", "%v", err)
	}
	return m.tx("", TxWithdrawal, nil, debit(from, amount), credit(External(SourceWithdrawal), amount)), nil
}

// RuleOverturn is the project's rule for executing an appeal decision that
// changes an executed judgment (see the dispute package documentation).
const RuleOverturn = "ours-appeal-overturn"

// RecoverRefund pays the buyer a refund the appeal decision added to an
// executed judgment: from the order's escrow while it still holds money,
// then from the seller's available balance (art. 85), then from the
// seller's deposit (art. 86); what none of them covers is a shortfall (art.
// 87), recorded, not paid. One refund transaction. The refund cap is the
// caller's, as for Refund. Errors: Invalid.
func RecoverRefund(m Meta, buyerID, sellerID string, amount money.Fen, b Balances) (Plan, error) {
	var p Plan
	if err := checkMove(m, true, amount, buyer(buyerID), seller(sellerID)); err != nil {
		return p, err
	}
	fromEscrow, rest := Cover(amount, b.Headroom(Escrow(m.OrderID)))
	fromSeller, rest := Cover(rest, b.Headroom(SellerAvailable(sellerID)))
	fromDeposit, short := Cover(rest, b.Headroom(SellerDeposit(sellerID)))
	rules := []string{RuleOverturn}
	if fromSeller > 0 {
		rules = append(rules, RuleExecute)
	}
	if fromDeposit > 0 {
		rules = append(rules, RuleDeposit)
	}
	if short > 0 {
		rules = append(rules, RuleShortfall)
	}
	paid := fromEscrow + fromSeller + fromDeposit
	p.add(m.tx("", TxRefund, rules, debit(Escrow(m.OrderID), fromEscrow), debit(SellerAvailable(sellerID), fromSeller),
		debit(SellerDeposit(sellerID), fromDeposit), credit(BuyerPayout(buyerID), paid)))
	p.shortfall(SellerDeposit(sellerID), BuyerPayout(buyerID), amount, paid)
	return p, nil
}

// Restitute makes a seller whole from the guarantee fund for money an
// executed judgment took from it and the appeal decision gave back to it:
// toAvailable (trade money refunded to the buyer) to the seller's available
// balance, toDeposit (compensation paid from the deposit) back to the
// deposit. The platform bears its own error (ours-appeal-overturn); the
// buyer is not debited. What the fund lacks is a shortfall (art. 87). One
// fund_restitution transaction. Errors: Invalid.
func Restitute(m Meta, sellerID string, toAvailable, toDeposit money.Fen, b Balances) (Plan, error) {
	var p Plan
	if err := m.check(true); err != nil {
		return p, err
	}
	if toAvailable < 0 || toDeposit < 0 {
		return p, fault.Field("amount", "金额不能为负 / amounts cannot be negative")
	}
	if err := checkAmount(toAvailable + toDeposit); err != nil {
		return p, err
	}
	if err := checkParty("seller_id", sellerID); err != nil {
		return p, err
	}
	fund := b.Headroom(GuaranteeFund())
	avail, _ := Cover(toAvailable, fund)
	dep, _ := Cover(toDeposit, fund-avail)
	rules := []string{RuleOverturn}
	if avail+dep < toAvailable+toDeposit {
		rules = append(rules, RuleShortfall)
	}
	p.add(m.tx("", TxFundRestitution, rules, debit(GuaranteeFund(), avail+dep), credit(SellerAvailable(sellerID), avail), credit(SellerDeposit(sellerID), dep)))
	p.shortfall(GuaranteeFund(), SellerAvailable(sellerID), toAvailable, avail)
	p.shortfall(GuaranteeFund(), SellerDeposit(sellerID), toDeposit, dep)
	return p, nil
}
