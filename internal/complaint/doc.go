// Package complaint holds complaints in both directions (SPEC §7, 投诉):
// buyers about sellers (late or fake shipment, out of stock, raising the
// price, promised service not delivered, harassment, off-platform payment)
// and sellers about buyers (malicious review, extortion by review, malicious
// refund, harassment, ordering without paying, malicious reports).
//
// The complaint types are data in the rule book (policy "complaints.types":
// who files, the evidence asked for, the respondent's deadline, the outcomes,
// the violation and its points, the rule IDs). The flow is a pure state
// machine (Decide / Evolve): filed → the respondent answers with evidence or
// offers a settlement that the complainant may accept (SETTLED, withdrawn by
// agreement) before the deadline (respond_window; on expiry the complaint goes
// to an agent) → an agent decides with a written reason and rule IDs
// (upheld / rejected / malicious) → the outcomes are executed by the service
// in the same transaction: compensation from the seller's deposit
// (taobao-dispute-86), a violation with points or, for a first minor offence,
// a warning (教育为主, 处罚为辅, seed-education-first), a hidden review, a purchase
// restriction. A second complaint (二次投诉) is possible only after the
// decision, within complaints.rules.second_complaint_window, only with new
// evidence or a changed claim, and goes to the senior tier.
//
// Late shipment is judged from the order facts on the first carrier scan
// against the ship-by time (seed-ship-within-24h: 24 h after payment or the
// pre-sale date) and compensated at complaint.late_shipment_rate bounded by
// the minimum and maximum (seed-late-shipment-5pct, ours-late-shipment-min,
// ours-late-shipment-max) on the goods' price without the postage unless
// complaint.late_shipment_postage says postage counts
// (ours-late-shipment-postage); it is paid once per order whatever the
// number of complaints, judgments or retries (complaint.compensation_once,
// ours-compensation-once-per-cause): a duplicate complaint is refused naming
// the open or decided one, and a later decision deducts what was paid
// (Outcome.AlreadyPaid). Evidence a complaint cites must exist and be the
// citing party's (checked by the service); an upload to an open complaint
// joins it (evidence_added). Fake shipment is detected as no carrier movement
// for complaints.rules.fake_shipment_no_movement or one tracking number on
// several orders. A complainant whose complaints are rejected at or above
// complaints.rules.abuse_rate in the rolling abuse_window is flagged: its new
// complaints carry the flag with the reason and a lower priority.
package complaint
