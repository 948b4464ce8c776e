// Package simulate is `weiquan simulate`: a synthetic marketplace on a
// clock, driven only through the public HTTP API with the Go client
// (package client), that doubles as the demo and as a load test.
//
// The model (model.go) is pure: shops and buyers with a behaviour each
// (Kind), drawn from fixed shares by a seeded random source — honest
// buyers, malicious refunders (恶意退款: refund-only claims of non-receipt
// after the parcel was signed for), review extortionists (差评敲诈), honest
// shops, late shippers (first carrier scan after the 24 h ship-by time,
// seed-ship-within-24h), fake shippers (a tracking number that never moves,
// ours-fake-shipment-no-scan-3d) and shops that never answer (the
// seller_respond deadline agrees for them, public-seller-respond-48h).
// The driver (sim.go) keeps a queue of the actors' next steps in
// simulated time; before each step the clock (Time) moves to it and fires
// every deadline that came due, with the deadline worker's own batch
// (worker.Deadlines.RunOnce). Actors read what the API shows and act on
// it: a shop answers a request, refuses a false claim with its reason
// code, a buyer escalates, each side brings the evidence its checklist
// asks for (or not), shops complain of extortion and malicious refunds,
// buyers of late and fake shipments. Agents work every four hours with
// simple strategies: a case in review is claimed and judged by burden of
// proof (the side that did not bring what the checklist asks for loses;
// non-receipt puts the burden on the seller, taobao-dispute-38), a
// complaint is decided on the system's finding where there is one, else
// upheld when the complainant brought evidence and the respondent none.
//
// The report (report.go) is read back from the API — requests by type and
// status and their histories, complaints, cases, every order's ledger,
// every party's standing — plus the ledger check, and compares who the
// platform flagged (a violation or warning, the complainant flag, or
// RepeatUpheld upheld complaints) with the ground truth: precision and
// recall per role. It holds no ids and no wall-clock time, so a seed gives
// the same report.
//
// The in-process server (harness.go) is the real API handler on a fresh
// SQLite database and a clock.Manual; Time is the seam where a sandbox
// test clock (POST /v1/test-clocks/{id}/advance) can replace it.
package simulate
