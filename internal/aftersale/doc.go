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
package aftersale
