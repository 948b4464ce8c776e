// Package quality computes a seller's service quality (SPEC §9, 卖家服务质量):
// four factors over a rolling recent window, each with its own weight,
// combined into a score and ranked within the seller's category. It is pure:
// the caller passes the facts and the time.
//
// The factors (rule book keys in brackets; the window is quality.window,
// ours-quality-window-30d, and a fact counts when its time t lies in
// [now − window, now]):
//
//   - dispute_refund (纠纷退款率): refunds the platform decided — a judgment
//     (the final one after an appeal) that refunds the buyer and does not put
//     the fault on the buyer, or an advance payment (先行垫付: every advance
//     the guarantee fund paid counts as a manual-intervention refund, SPEC
//     §5, however it was resolved) — per paid order. A refund counts at the time the
//     platform's decision took effect: the advance, the judgment, or for
//     "return then refund" the refund itself. Refunds on an order whose
//     seller's malicious-refund complaint (恶意退款) was upheld are excluded
//     and reported as excluded (the seed: 删除已经被判定为恶意退款).
//     Denominator: orders paid in the window. Lower is better; the factor
//     scores 0 at quality.dispute_refund_zero.
//   - complaint (投诉率): complaints against the seller upheld (decided) in the
//     window per order paid in the window; scores 0 at quality.complaint_zero.
//   - chat_response (咨询响应速度): buyers' chats asked in the window answered
//     within quality.chat_response_target; a chat still unanswered but not yet
//     past the target is pending and not counted. Higher is better. Nothing
//     else in weiquan records chats: the integration pushes them as service
//     facts (POST /v1/sellers/{id}/service-facts, one per conversation, the
//     answer may follow later).
//   - on_time_shipping (按时发货率): orders whose ship-by time (order.ship_by,
//     seed-ship-within-24h, or the pre-sale date) fell in the window and whose
//     first carrier scan (揽收) came at or before it; an order cancelled or
//     refunded before its ship-by without a scan is not counted. Higher is
//     better.
//
// Each factor's goodness is 0–10000 basis points (for the two lower-is-better
// rates: 10000 × (1 − rate / zero), at least 0); the score is the weighted
// mean of the goodness of the factors that have a denominator, with the
// weights quality.weight_* (relative integers). A seller's category is the
// category of most of its orders paid in the window (ties: the first by
// name; without a payment in the window, of the orders due to ship in it); sellers of one category are ranked by score, the percentile being
// the share of the other sellers of the category with a lower score.
package quality
