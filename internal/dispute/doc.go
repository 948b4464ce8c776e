// Package dispute is the platform intervention (客服介入, SPEC §4–§6) as a
// pure aggregate: Decide checks a command against a case and returns its
// events; Evolve applies them; Replay rebuilds a case from its history. No
// I/O and no clock: the caller passes now, the review SLA and other
// calendar-dependent times. The service moves the money (ledger) and the
// after-sales request in the same transaction as the events.
//
// # Stages
//
// apply (opened) → evidence (both parties' windows) → review (the queue,
// claimed by an agent) → judgment (judged, executed at once) → the appeal
// window → final; or withdrawn, or suspended (art. 82–83) and resumed.
//
// # State diagram
//
// Decide dispatches each action to a small function (evidence.go, review.go,
// advance.go, suspend.go); the rule IDs each cites are in brackets.
//
//	(none) --open--> EVIDENCE [taobao-dispute-2, dispute.evidence_window, the checklist's rules]
//	EVIDENCE --add-evidence--> EVIDENCE (while the party's window is open)
//	EVIDENCE --done-evidence / expire-evidence--> EVIDENCE, or REVIEW once both windows closed [dispute.review_sla]
//	REVIEW --add-evidence / claim / release / reassign / extend [dispute.review_sla]--> REVIEW
//	REVIEW, APPEALED --assess-evidence (the holder: accepted, or rejected with its reason) [taobao-dispute-9]--> the same
//	REVIEW --judge [the rules cited, taobao-dispute-49, -86 with compensation; appeal.window]--> JUDGED
//	REVIEW --advance [seed-advance-payment, taobao-dispute-85, seed-manual-intervention-refund]--> REVIEW (advance open)
//	REVIEW --resolve-advance [seed-advance-payment, taobao-dispute-85, -86 (returned), -49]--> JUDGED
//	EVIDENCE, REVIEW --suspend (both parties) [taobao-dispute-82, dispute.negotiation_suspension]--> SUSPENDED
//	EVIDENCE, REVIEW --suspend, ground legal_proceedings (an agent) [taobao-dispute-82, -83]--> SUSPENDED
//	SUSPENDED --suspend with the voucher (an agent) [taobao-dispute-82, -83]--> SUSPENDED
//	SUSPENDED --resume / expire-suspension [taobao-dispute-83]--> the stage it left
//	JUDGED --appeal [appeal.window, appeal.max_count]--> APPEALED (senior tier)
//	JUDGED --expire-appeal [appeal.window]--> FINAL
//	APPEALED --claim / release / reassign--> APPEALED
//	APPEALED --decide-appeal [appeal.max_count; ours-appeal-overturn, taobao-dispute-85 on an overturn]--> FINAL
//	EVIDENCE, REVIEW, SUSPENDED --withdraw (the buyer, or the system on a settlement)--> WITHDRAWN
//
// Refusals are shared: Forbidden for a role that never takes the action or
// a case of the senior tier, Conflict naming the status and the allowed
// actions (Allowed) otherwise; an open advance blocks judge, suspend and
// withdraw [seed-advance-payment].
//
// # Suspension (taobao-dispute-82, -83)
//
//   - negotiation (82(1)): both parties ask; the case resumes when either
//     asks, or by itself after the rule book's period (83(1), 30 days);
//   - legal_proceedings (82(2)): a party tells the platform it sued, reported
//     to the police or went to arbitration; an agent suspends the case at
//     once. The party must give the case acceptance voucher (受理凭证) within
//     7 working days of the notice (LegalVoucherWorkingDays, counted on the
//     official calendar by the caller), else the case resumes by itself
//     (83(2)). With the voucher a court or arbitration case stays suspended
//     until an agent resumes it on the withdrawal of the suit or an
//     effective judgment (83(3)(4)); a police case resumes at the latest six
//     months after the acceptance (83(5)).
//
// Resuming moves the open evidence windows and the review SLA by the time
// the case was suspended.
//
// # Advance payment (SPEC §5)
//
// See advance.go. Each advance counts against the seller as a
// manual-intervention refund (人工介入退款, RuleManualRefund), whatever its
// outcome; the service records it per seller for the service-quality
// computation.
//
// # Appeals and overturns (SPEC §6; rule ours-appeal-overturn)
//
// A senior agent decides an appeal: uphold keeps the executed judgment; a
// new judgment that moves different money (outcome, refund or compensation:
// SameRuling) is an overturn, and the difference is executed at once by
// this project's rule (OverturnRule, written into the decision's event
// reason; the money found is recorded in Judgment.Revision):
//
//   - the buyer is owed more (the new refund exceeds what the request
//     refunded): the difference is refunded from the order's escrow while it
//     holds money, then from the seller's available balance (art. 85: the
//     platform pays the trade money as decided), then from the seller's
//     deposit (art. 86); what is still missing is a recorded shortfall (art.
//     87: 卖家账户余额不足致使无法退款或赔付的，由买卖双方自行协商或通过其他途径解决).
//     The request gets the added refund (SUCCESS);
//   - the buyer got more than the new judgment gives: the platform executed
//     its own wrong judgment, so the platform bears it — the guarantee fund
//     pays the seller back what the executed judgment actually took from it
//     (trade money to its available balance, compensation back into its
//     deposit). Nothing is forced back from the buyer: the rules let the
//     platform instruct payments per its decision (art. 85) but send an
//     unpaid balance to the parties' own settlement or other channels (art.
//     87) and the courts (art. 93), so the amount is recorded as the
//     platform's recovery claim against the buyer, not debited. When the
//     goods went back to the seller (a return, or an advance settled by the
//     return) the trade is unwound and nothing is paid. What the fund lacks
//     is a shortfall (art. 87). The request keeps its refunded amount (the
//     money the buyer holds) and records the decision;
//   - a request that refunded nothing is closed when the new judgment
//     releases to the seller, or sent back for the return on
//     return_then_refund; a judgment that refunded cannot become
//     return_then_refund (the buyer would have to return goods it was
//     already refunded for: judge a refund amount instead).
//
// After the appeal the decision is final, and the parties are told of
// external channels (the consumer association, the market regulator).
package dispute
