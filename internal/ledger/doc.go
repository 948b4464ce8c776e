// Package ledger is weiquan's double-entry ledger in integer fen (分), as
// pure functions: no I/O, no clock. Every money movement of the platform —
// payment into escrow, release, refund, compensation, advance payment and
// its resolution — is a Transaction of two or more postings (account,
// signed amount) that sum to zero. Nothing is ever updated or deleted; a
// mistake is corrected by a new transaction (SPEC §2).
//
// # Accounts
//
// A balance is the money an account holds. Every account kind has a floor
// of 0 except External, the world outside the platform, whose balance is
// minus the net money that came in. The sum of all balances is therefore
// always 0.
//
//	escrow:ORDER            担保交易: a paid order's money until completion
//	frozen:ORDER            disputed escrow frozen while an advance is open
//	seller_available:SELLER money released to a seller, until withdrawn
//	seller_deposit:SELLER   保证金
//	buyer_payout:BUYER      refunds, compensation and advances paid to a buyer
//	guarantee_fund          先行赔付基金
//	fund_receivable:SELLER  what a seller owes the fund (positive when owed)
//	external:SOURCE         payin, withdrawal, deposit, fund_capital, seller_debt, insurance_premium
//	deposit_frozen:SELLER   the part of the deposit frozen for open cases (保证金)
//	insurer:INSURER         an insurer's account with the platform (运费险); no floor
//
// A receivable is a claim, not cash, so booking one needs a counter-entry
// that is not the fund's: it is External(seller_debt), the money the
// platform expects from outside. External(seller_debt) = −Σ FundReceivable
// at all times (the receivable_mirror invariant).
//
// # Transactions
//
// A Transaction has an id (deterministic per business event, so that
// posting it twice is a no-op), a kind, the order, a reference (the
// after-sales request or case), the rule ids it applies and the time.
// Validate checks it on its own: 2–16 postings on distinct, valid accounts,
// no zero line, |amount| ≤ MaxAmount, sum 0, each debited and credited
// account kind allowed by the kind's Shape (a refund may only move escrow,
// or after completion the seller's available balance or, on an appeal
// overturn, its deposit, to the buyer), and
// escrow and frozen accounts belonging to the transaction's own order — so
// an order's escrow is moved only by that order's transactions and can be
// reconciled from them. Apply refuses a transaction that would take an
// account below its floor with an *InsufficientError naming the account and
// the shortfall. Builders (Pay, Release, Refund, CompensateFromDeposit,
// Advance, ResolveAdvance, RepayReceivable, RecoverRefund, Restitute,
// TopUpDeposit, TopUpFund, Withdraw) produce valid transactions from balances; where money is short
// they pay what there is and return the rest as a Shortfall (art. 87,
// taobao-dispute-87: "卖家账户余额不足致使无法退款或赔付的，由买卖双方自行协商
// 或通过其他途径解决") instead of failing.
//
// # Advance payment (SPEC §5)
//
//  1. The fund pays the buyer at once (advance_from_fund: GuaranteeFund →
//     BuyerPayout) and the disputed escrow is frozen (freeze: Escrow →
//     Frozen), as much of it as the escrow still holds.
//
//  2. The fund is repaid from the frozen escrow first, then from the
//     seller's deposit (art. 86), and what neither covers is booked as the
//     seller's FundReceivable (art. 87), repaid later with RepayReceivable.
//     The fund is therefore whole (cash + receivables) as soon as the
//     advance resolves, whatever the outcome, and whole in cash once the
//     receivable is repaid.
//
//     2a. Goods returned to the seller: that is all. The buyer keeps the
//     advance as the refund; the seller has the goods back.
//
//     2b. The buyer keeps the goods (confirmed with the buyer): the SPEC's
//     "the frozen amount goes back to the fund, and the escrow is paid to the
//     seller (调帐)". Money cannot go to both, so the account adjustment is
//     made explicit: the frozen escrow repays the fund exactly as in 2a, and
//     because the trade stands the buyer's advance is paid over to the
//     seller in place of the escrow it replaced (reverse_advance:
//     BuyerPayout → SellerAvailable). If the buyer has already withdrawn
//     the advance, the missing part is a Shortfall between buyer and seller
//     (art. 87), never the fund's loss.
//
// Worked example (fen). The fund holds 1 000 000; seller S has a deposit of
// 8 000. Buyer B pays 30 000 for order T1:
//
//	payment_escrow   external:payin −30000   escrow:T1 +30000
//	refund           escrow:T1 −5000         buyer_payout:B +5000     (agreed partial refund)
//	advance_from_fund guarantee_fund −25000  buyer_payout:B +25000    (fund 975 000)
//	freeze           escrow:T1 −25000        frozen:T1 +25000         (escrow 0)
//	repay_fund       frozen:T1 −25000        guarantee_fund +25000    (fund 1 000 000: whole)
//
// In 2a that is the end: B got 5 000 + 25 000 = 30 000 back and returned the
// goods; T1 reconciles as paid 30 000 = released 0 + refunded 5 000 +
// recovered 25 000. In 2b one more transaction pays the seller:
//
//	reverse_advance  buyer_payout:B −25000   seller_available:S +25000
//
// B keeps the goods and the agreed 5 000; S is paid the 25 000 of escrow the
// fund took; the fund is whole; T1 reconciles the same way.
//
// When the escrow is gone — order T2 paid 20 000, completed (release_to_seller
// escrow:T2 −20000, seller_available:S +20000) and withdrawn by S, then
// disputed within 15 days — nothing can be frozen, and 2a repays the fund
// from the deposit and books the rest:
//
//	advance_from_fund  guarantee_fund −20000        buyer_payout:B +20000
//	repay_fund         seller_deposit:S −8000       guarantee_fund +8000
//	record_receivable  external:seller_debt −12000  fund_receivable:S +12000
//
// The fund holds 988 000 + 12 000 owed = 1 000 000, and a Shortfall of
// 12 000 is surfaced (art. 87). When S later has 15 000 released on another
// order, RepayReceivable moves 12 000 back:
//
//	repay_receivable  seller_available:S −12000  guarantee_fund +12000
//	                  fund_receivable:S −12000    external:seller_debt +12000
//
// # Recovery (ours-receivable-recovery)
//
// Nothing waits for a seller to repay by hand: the service runs Recover
// over every command's plans before they are posted, so that the next money
// that reaches a seller who owes the fund — an escrow release, a deposit
// top-up, the advance paid over on 调帐 — repays the receivable first (arts.
// 86–87), min(the money, what is owed), as a repay_receivable transaction
// with the paying transaction's id + "/recover". The example above is that
// transaction, id "release:T3/recover".
//
// # Appeal overturns (ours-appeal-overturn)
//
// When an appeal changes an executed judgment, RecoverRefund pays the buyer
// what the new judgment adds — escrow, then the seller's available balance
// (art. 85), then the seller's deposit (art. 86), the rest a Shortfall (art.
// 87) — as one refund transaction (a refund may debit the deposit only this
// way). When the new judgment gives the buyer less, the platform bears its
// own error: Restitute pays the seller back from the guarantee fund
// (fund_restitution: GuaranteeFund → SellerAvailable, SellerDeposit); the
// buyer is not debited. A restitution is a loss the fund bears, so the
// fund_whole invariant counts it: fund + receivables + open advances +
// restitutions = capital.
//
// # Protection services (issue 13)
//
// 保证金: FreezeDeposit moves the amount in dispute of an open case from
// the deposit to deposit_frozen (deposit_freeze), as much as the deposit
// holds; ReleaseDeposit moves it back (deposit_release) when the case is
// judged, its advance resolves or it ends, before anything is drawn.
// 假一赔十: PledgeCompensation pays the pledged multiple of the price from
// the deposit (compensation_from_deposit, art. 86), the fund advancing the
// rest (fund_compensation) and booking it as the seller's receivable in the
// same plan (record_receivable, art. 87), so the fund is whole at once and
// Recover collects the receivable later; an overturn that no longer
// supports the pledge writes off what is still owed (write_off_receivable,
// a loss the fund bears like a restitution). 运费险: InsurancePremium books
// an insured order's premium to the insurer at payment, InsuranceClaim pays
// the buyer's return postage from it; the insurer's account has no floor
// (it settles with the platform outside).
//
// # Reconciliation
//
// Per order, from its transactions alone: paid = released + refunded +
// recovered + still in escrow + still frozen, so a settled order (nothing in
// escrow or frozen) has paid = released + refunded + recovered, where
// recovered is frozen escrow that repaid the fund. The buyer never gets
// back more than was paid (refunds + advances − advances paid over ≤ paid,
// ours-refund-cap; compensation from the deposit is on top, art. 86), and
// the fund never recovers more than it advanced on the order (advances and
// fund_compensation). Globally the fund's cash + receivables + open
// advances + restitutions and write-offs equals the capital put in.
//
// Rule ids the builders add: taobao-dispute-85 (refund from the seller's
// released money), taobao-dispute-86 (deposit), taobao-dispute-87
// (shortfall), seed-advance-payment (先行垫付).
package ledger
