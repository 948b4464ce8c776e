package dispute

import (
	"slices"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
)

// The evidence stage: open, add-evidence, done-evidence, expire-evidence.

// decideOpen opens a case in EVIDENCE: both parties get the evidence window
// (dispute.evidence_window) and a checklist from the reason and the state
// of the goods (taobao-dispute-2; the senior tier from the start above
// dispute.senior_threshold).
func decideOpen(d decision) ([]Event, error) {
	s, c, b, now := d.s, d.c, d.b, d.now
	if s.Status != "" {
		return nil, d.notNow()
	}
	win, id := b.Duration("dispute.evidence_window")
	st := State{ID: s.ID, AftersaleID: c.AftersaleID, OrderID: c.OrderID, BuyerID: c.BuyerID, SellerID: c.SellerID,
		Reason: c.Reason, Claim: c.Claim, Premium: c.Facts.Premium, Status: Evidence, OpenedBy: c.OpenedBy,
		Checklist: Checklist(c.Reason, c.Facts), CreatedAt: now, Senior: c.Senior}
	st.Windows = []Window{{Party: Buyer, DueAt: now.Add(win), RuleID: id}, {Party: Seller, DueAt: now.Add(win), RuleID: id}}
	ev := d.event()
	ev.Type, ev.Data.Opened = EvOpened, &st
	ev.Reason = "平台介入，双方举证 / the platform intervenes: both parties are asked for evidence"
	ev.RuleIDs = []string{"taobao-dispute-2", id}
	if c.Senior {
		ev.RuleIDs = append(ev.RuleIDs, b.ID("dispute.senior_threshold"))
	}
	for _, it := range st.Checklist {
		ev.RuleIDs = policy.Cite(ev.RuleIDs, it.RuleID)
	}
	return []Event{ev}, nil
}

// decideAddEvidence: a party adds evidence while its window is open (and in
// review), naming the checklist items of its own it satisfies.
func decideAddEvidence(d decision) ([]Event, error) {
	s, c, party := d.s, d.c, d.party()
	if err := d.needIn([]Role{RoleBuyer, RoleSeller}, Evidence, Review); err != nil {
		return nil, err
	}
	if w := window(s, party); s.Status == Evidence && (w == nil || w.Closed) {
		return nil, d.conflict("", "你的举证期已结束 / your evidence window has closed")
	}
	if c.EvidenceID == "" {
		return nil, fault.Field("evidence_id", "须指定证据 / evidence_id is required")
	}
	if slices.Contains(s.EvidenceIDs, c.EvidenceID) {
		err := d.conflict("", "该证据已在案件中 / this evidence is already in the case")
		err.Field = "evidence_id"
		return nil, err
	}
	for _, k := range c.Satisfies {
		if !hasItem(s, k, party) {
			return nil, fault.Field("satisfies", "清单中没有属于你的条目 %q / %q is not on your checklist", k, k)
		}
	}
	ev := d.event()
	ev.Type, ev.Data.EvidenceID, ev.Data.Party, ev.Data.Satisfies = EvEvidenceAdded, c.EvidenceID, party, c.Satisfies
	return []Event{ev}, nil
}

// decideDoneEvidence: a party says it is done, closing its own window.
func decideDoneEvidence(d decision) ([]Event, error) {
	if err := d.needIn([]Role{RoleBuyer, RoleSeller}, Evidence); err != nil {
		return nil, err
	}
	if w := window(d.s, d.party()); w == nil || w.Closed {
		return nil, d.notNow()
	}
	return d.closeWindows([]Party{d.party()}, ""), nil
}

// decideExpireWindow: the deadline worker closes every window that is due.
func decideExpireWindow(d decision) ([]Event, error) {
	if err := d.needIn([]Role{RoleSystem}, Evidence); err != nil {
		return nil, err
	}
	var parties []Party
	for _, w := range d.s.Windows {
		if !w.Closed && !d.now.Before(w.DueAt) {
			parties = append(parties, w.Party)
		}
	}
	if len(parties) == 0 {
		return nil, &fault.Error{Code: fault.Conflict, Status: string(d.s.Status), Message: "举证期未到期 / no evidence window is due"}
	}
	return d.closeWindows(parties, "举证期届满 / the evidence window expired"), nil
}

// closeWindows closes the parties' windows (evidence_closed, with reason)
// and, once no window stays open, moves the case to review with the SLA the
// caller computed (dispute.review_sla), citing the rules of the checklist
// items nobody satisfied.
func (d decision) closeWindows(parties []Party, reason string) []Event {
	var out []Event
	for _, p := range parties {
		e := d.event()
		e.Type, e.Data.Party, e.Reason = EvEvidenceClosed, p, reason
		e.RuleIDs = []string{d.s.Windows[0].RuleID}
		out = append(out, e)
	}
	for _, w := range d.s.Windows {
		if !w.Closed && !slices.Contains(parties, w.Party) {
			return out
		}
	}
	e := d.event()
	due := d.c.SLADueAt
	e.Type, e.Data.SLADueAt = EvToReview, &due
	e.RuleIDs = []string{d.b.ID("dispute.review_sla")}
	for _, it := range Missing(d.s) {
		e.RuleIDs = policy.Cite(e.RuleIDs, it.RuleID)
	}
	return append(out, e)
}

// Checklist builds each party's evidence checklist from the reason and the
// state of the goods (SPEC §4 table; 淘宝规则 art. 38, 65, 66, 75).
func Checklist(reason string, f OrderFacts) []Item {
	it := func(key string, p Party, zh, en, rule string) Item {
		return Item{Key: key, Party: p, TitleZH: zh, TitleEN: en, RuleID: rule}
	}
	switch {
	case f.ReturnShipped:
		return []Item{
			it("return_tracking", Buyer, "退货物流凭证（运单号、签收记录）", "return shipping voucher (tracking, signature)", "taobao-dispute-38"),
			it("return_condition", Seller, "收到退货时的商品照片或拒收理由凭证", "photos of the returned goods or proof for refusing them", "taobao-dispute-38"),
		}
	case reason == "not_received" && !f.Shipped:
		return []Item{it("ship_or_refund", Seller, "联系买家：发货凭证或同意退款", "contact the buyer: ship (with proof) or refund", "taobao-dispute-38")}
	case reason == "not_received":
		return []Item{it("delivery_proof", Seller, "发货凭证、物流单号及签收证明", "shipping voucher, tracking number and proof of signature", "taobao-dispute-38")}
	case reason == "counterfeit":
		return []Item{
			it("initial_proof", Buyer, "商品照片等初步凭证", "photos or other initial proof", "taobao-dispute-65"),
			it("source_vouchers", Seller, "进货凭证：经销凭证、合格证、发票等", "source vouchers: distribution proof, certificate, invoice", "taobao-dispute-66"),
		}
	case reason == "quality_problem":
		return []Item{
			it("defect_photos", Buyer, "质量问题照片或检测报告（肉眼可识别时）", "photos or an inspection report of the defect (if visible)", "taobao-dispute-65"),
			it("source_vouchers", Seller, "进货凭证、合格证（肉眼不可识别时）", "source vouchers and certificate (if not visible)", "taobao-dispute-66"),
		}
	case reason == "damaged_in_transit" || reason == "not_as_described" || reason == "missing_parts":
		return []Item{
			it("surface_photos", Buyer, "签收时商品及包装照片", "photos of goods and packaging at delivery", "taobao-dispute-65"),
			it("signing_proof", Seller, "收件人按签收规范签收的证明", "proof the recipient signed per the signing rules", "taobao-dispute-75"),
		}
	}
	return []Item{
		it("statement_buyer", Buyer, "情况说明及凭证", "a statement with supporting proof", "taobao-dispute-8"),
		it("statement_seller", Seller, "情况说明及凭证", "a statement with supporting proof", "taobao-dispute-8"),
	}
}

// Missing returns the checklist items nobody satisfied.
func Missing(s State) []Item {
	var out []Item
	for _, it := range s.Checklist {
		if !it.Satisfied {
			out = append(out, it)
		}
	}
	return out
}

func window(s State, p Party) *Window {
	for i := range s.Windows {
		if s.Windows[i].Party == p {
			return &s.Windows[i]
		}
	}
	return nil
}

func hasItem(s State, key string, p Party) bool {
	return slices.ContainsFunc(s.Checklist, func(it Item) bool { return it.Key == key && it.Party == p })
}
