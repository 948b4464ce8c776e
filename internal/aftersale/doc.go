// Package aftersale is the after-sales request (售后: 退款 / 退货退款 / 换货)
// as a pure state machine: Decide checks a command against the request, its
// order and the rule book and returns events; Evolve folds an event into the
// state. Statuses carry the Taobao Open Platform names.
//
//	WAIT_SELLER_AGREE --agree--> SUCCESS (refund_only) | WAIT_BUYER_RETURN_GOODS
//	WAIT_SELLER_AGREE --refuse / counter-offer--> SELLER_REFUSE_BUYER
//	SELLER_REFUSE_BUYER --modify--> WAIT_SELLER_AGREE; --accept-offer--> SUCCESS;
//	                    --escalate--> (intervention requested); --agree--> as above
//	WAIT_BUYER_RETURN_GOODS --ship-return--> WAIT_SELLER_CONFIRM_GOODS
//	WAIT_SELLER_CONFIRM_GOODS --confirm-return--> SUCCESS; --refuse-receipt--> (intervention requested)
//	any open status --cancel--> CLOSED
//
// Every open request that is not under platform intervention has exactly one
// live deadline, from the rule book: public-seller-respond-48h (auto-agree),
// public-buyer-answer-7d (close), public-buyer-return-7d (close),
// public-seller-confirm-10d (auto-refund). Under intervention the clock
// belongs to the dispute case. A refund never exceeds what the order has paid
// and not yet refunded (ours-refund-cap). A no-reason return must be asked
// within 7 days of receipt (cn-7day-return-10, 七日无理由退货暂行办法 art. 10),
// and any request within 15 days of completion (seed-intervention-15d).
//
// # Negotiation record (协商记录, seed-negotiate-first)
//
// Before the platform intervenes the parties negotiate on the request
// (negotiation.go): DecideMessage checks a message (the request's buyer or
// seller, an open request, 1–1000 characters, at most 9 attachments that
// the service checks are the author's evidence on the request). Messages
// are their own event stream ("negotiation", the request's id), so they
// never move the request's version; the agent reads the whole thread on
// the case. The seller's agree and refuse carry reason codes from the rule
// book (aftersale.agree_reason_codes, aftersale.refuse_reason_codes; a
// refusal needs one), and agreeing to a return needs the seller's return
// address (ours-return-address), kept on the request for the buyer.
//
// # 极速退款 (instant refund, ours-instant-refund-limit)
//
// A return (退货退款) not under intervention, by a buyer without an abuse
// flag (complaint.Abuse), for at most aftersale.instant_refund_limit and
// no more than the guarantee fund can pay, is refunded when the buyer
// ships the goods back: return_shipped carries InstantRefund and the
// refund. The money (service, instant.go) is the fund's, on the advance
// accounts: the fund pays the buyer (advance_from_fund, "instant:<id>")
// and the order's escrow is frozen as the fund's guarantee of the seller
// ("instant:<id>/freeze"). While it is open the buyer cannot cancel. The
// guarantee ends with the seller's answer:
//
//   - confirm-return, the confirmation deadline (auto-refund), or a
//     judgment for the buyer: Outcome returned; the frozen escrow repays
//     the fund (repay_fund "instant:<id>/settle/repay", then the deposit,
//     the rest the seller's receivable, arts. 86–87); nothing is refunded
//     twice (a larger judged refund pays only the difference);
//   - refuse-receipt upheld (judged for the seller): Outcome kept; the fund
//     is repaid the same way and the buyer's refund is paid over to the
//     seller (reverse_advance "…/settle/adjust", 调帐), what the buyer has
//     withdrawn a shortfall the buyer owes (art. 87); Refunded goes back
//     to 0. A return ruling is refused: the goods came back.
//
// Worked example (fen): fund 100 000; order IR1 paid 20 000 in escrow.
//
//	instant:R          guarantee_fund −20000  buyer_payout:B +20000   (ship-return)
//	instant:R/freeze   escrow:IR1 −20000      frozen:IR1 +20000
//	instant:R/settle/repay frozen:IR1 −20000  guarantee_fund +20000   (confirm-return)
//
// Every transaction cites ours-instant-refund-limit, ours-refund-cap and
// seed-advance-payment; ledger check's fund identity (fund + receivables +
// open advances = capital) holds at every step.
package aftersale
