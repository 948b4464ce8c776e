package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// The protection services of the source documents (seed 004: 假一赔十,
// 运费险, 保证金), each a rule-book entry:
//
//   - protection.counterfeit_pledge (假一赔十): a shop carries the pledge
//     (SetPledge; its own event log, aggregate seller_pledge). When a
//     judgment on a counterfeit case goes against a pledged seller, the
//     buyer gets the pledged multiple of the goods' price on top of the
//     refund, from the seller's deposit; the guarantee fund advances what
//     the deposit lacks and books it as the seller's receivable at once,
//     recovered from its next money like every receivable (ledger.Recover).
//   - protection.shipping_insurance_premium / _cap (运费险): an insured
//     order books the premium to the insurer when paid; when an insured
//     return that was shipped back is refunded, the insurer pays the buyer's
//     return postage (capped) in the same Commit as the refund.
//   - protection.deposit_freeze / deposit_required (保证金): a case
//     freezes the amount in dispute in the seller's deposit when it opens
//     and releases it when it is judged, withdrawn or ended (a judgment's
//     compensation is then drawn from the released deposit); a seller
//     holding less than the required deposit is flagged in its standing.

// AggPledge is the aggregate type of shops' counterfeit pledges.
const AggPledge = "seller_pledge"

// Pledge is a shop's counterfeit pledge (假一赔十).
type Pledge struct {
	SellerID string          `json:"seller_id"`
	Active   bool            `json:"active"`
	Multiple int64           `json:"multiple"`
	RuleID   string          `json:"rule_id"`
	Reason   string          `json:"reason,omitempty"`
	SetAt    *time.Time      `json:"set_at,omitempty"`
	SetBy    json.RawMessage `json:"set_by,omitempty"`
	Version  int64           `json:"version"`
}

type pledgeData struct {
	Active   bool  `json:"active"`
	Multiple int64 `json:"multiple"`
}

// MaxPledgeMultiple bounds a pledged multiple.
const MaxPledgeMultiple = 100

func (s *Service) pledgeOf(sellerID string, r store.EventRecord, ok bool) Pledge {
	p := Pledge{SellerID: sellerID, RuleID: s.Policy().ID("protection.counterfeit_pledge")}
	p.Multiple, _ = s.Policy().Int("protection.counterfeit_pledge")
	if !ok {
		return p
	}
	var d pledgeData
	_ = json.Unmarshal(r.Data, &d)
	at := r.At
	p.Active, p.Multiple, p.Reason, p.SetAt, p.SetBy, p.Version = d.Active, d.Multiple, r.Reason, &at, r.Actor, r.Seq
	return p
}

// SetPledge sets or withdraws a shop's counterfeit pledge: the marketplace
// (integration) or an admin. multiple 0 takes the rule book's
// (protection.counterfeit_pledge). Errors: Forbidden, Invalid (field id,
// multiple).
func (s *Service) SetPledge(ctx context.Context, c Caller, sellerID string, active bool, multiple int64, reason string) (Pledge, error) {
	if c.Role != actor.Admin && c.Role != actor.Integration {
		return Pledge{}, forbidden("只有管理员或平台集成方可以设置假一赔十承诺 / only admins and the integration set a counterfeit pledge")
	}
	if !ValidID(sellerID) {
		return Pledge{}, fault.Field("id", "ID须为1–64位字母、数字或 _.:- / ids are 1–64 letters, digits or _.:-")
	}
	if multiple == 0 {
		multiple, _ = s.Policy().Int("protection.counterfeit_pledge")
	}
	if multiple < 1 || multiple > MaxPledgeMultiple {
		return Pledge{}, fault.Field("multiple", "赔付倍数须为 1–%d / multiple must be 1–%d", MaxPledgeMultiple, MaxPledgeMultiple)
	}
	return command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (Pledge, error) {
		last, ok, err := tx.LastEvent(ctx, AggPledge, sellerID)
		if err != nil {
			return Pledge{}, err
		}
		cur := s.pledgeOf(sellerID, last, ok)
		if ok && cur.Active == active && (cur.Multiple == multiple || !active) {
			return cur, nil // nothing changes
		}
		typ := "pledged"
		if !active {
			typ = "pledge_withdrawn"
		}
		now := s.now(ctx)
		r := logFields(typ, c.actorJSON(), now, reason, []string{cur.RuleID}, s.Policy().Version, pledgeData{Active: active, Multiple: multiple})
		r.AggregateType, r.AggregateID, r.Seq, r.ID = AggPledge, sellerID, cur.Version+1, newID()
		cm.Events = append(cm.Events, r)
		return s.pledgeOf(sellerID, r, true), nil
	})
}

// GetPledge reads a shop's pledge (public: any caller). Errors: NotFound
// for a seller with neither a pledge nor an order.
func (s *Service) GetPledge(ctx context.Context, c Caller, sellerID string) (Pledge, error) {
	if !ValidID(sellerID) {
		return Pledge{}, fault.Field("id", "ID须为1–64位字母、数字或 _.:- / ids are 1–64 letters, digits or _.:-")
	}
	recs, err := s.st.Events(ctx, AggPledge, sellerID, 0, 0)
	if err != nil {
		return Pledge{}, err
	}
	if len(recs) == 0 {
		// Never set: the default for a seller the platform knows.
		known, err := s.st.PartyHasOrders(ctx, string(actor.Seller), sellerID)
		if err != nil {
			return Pledge{}, err
		}
		if !known {
			return Pledge{}, &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("没有卖家 %s 的任何记录 / no record of seller %s", sellerID, sellerID)}
		}
		return s.pledgeOf(sellerID, store.EventRecord{}, false), nil
	}
	return s.pledgeOf(sellerID, recs[len(recs)-1], true), nil
}

// ---- 保证金: frozen per open case ----

func caseFreezeID(caseID string) string  { return "dispute:" + caseID + "/deposit-freeze" }
func caseReleaseID(caseID string) string { return "dispute:" + caseID + "/deposit-release" }

// planned reports a transaction id cm already posts.
func planned(cm *store.Commit, id string) bool {
	for _, lp := range cm.Ledger {
		for _, t := range lp.Plan.Transactions {
			if t.ID == id {
				return true
			}
		}
	}
	return false
}

// freezeCaseDeposit freezes the amount in dispute of a case opening in
// cm in the seller's deposit (protection.deposit_freeze), as much as the
// deposit holds.
func (s *Service) freezeCaseDeposit(ctx context.Context, tx *store.Tx, cm *store.Commit, st dispute.State, now time.Time) error {
	on, rid := s.Policy().Switch("protection.deposit_freeze")
	if !on || st.Claim <= 0 {
		return nil
	}
	b, err := tx.LedgerBalances(ctx, ledger.SellerDeposit(st.SellerID))
	if err != nil {
		return err
	}
	p, err := ledger.FreezeDeposit(ledger.Meta{ID: caseFreezeID(st.ID), Ref: AggDispute + "/" + st.ID, RuleIDs: []string{rid}, At: now},
		st.SellerID, st.Claim, cm.Pending(b))
	if err != nil || len(p.Transactions) == 0 {
		return err
	}
	cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
	return nil
}

// releaseCaseDeposit releases what a case froze in the seller's deposit,
// once: when it is judged (before its compensation is drawn), its advance
// resolves, or it is withdrawn or ends.
func (s *Service) releaseCaseDeposit(ctx context.Context, tx *store.Tx, cm *store.Commit, st dispute.State, now time.Time) error {
	id := caseReleaseID(st.ID)
	if planned(cm, id) {
		return nil
	}
	frozen, ok, err := tx.PostedAmount(ctx, caseFreezeID(st.ID), ledger.DepositFrozen(st.SellerID))
	if err != nil || !ok || frozen <= 0 {
		return err
	}
	if _, done, err := tx.PostedAmount(ctx, id, ledger.DepositFrozen(st.SellerID)); err != nil || done {
		return err
	}
	b, err := tx.LedgerBalances(ctx, ledger.DepositFrozen(st.SellerID))
	if err != nil {
		return err
	}
	p, err := ledger.ReleaseDeposit(ledger.Meta{ID: id, Ref: AggDispute + "/" + st.ID,
		RuleIDs: []string{s.Policy().ID("protection.deposit_freeze")}, At: now}, st.SellerID, frozen, cm.Pending(b))
	if err != nil || len(p.Transactions) == 0 {
		return err
	}
	cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
	return nil
}

// releasesDeposit: the events after which a case's deposit is no longer
// frozen.
func releasesDeposit(t dispute.EventType) bool {
	return t == dispute.EvJudged || t == dispute.EvAdvanceClosed || t == dispute.EvWithdrawn || t == dispute.EvFinal
}

// ---- 假一赔十 ----

// pledgeMoney pays a pledged seller's counterfeit compensation on a
// judgment against it (j, the judgment being recorded), in cm.
func (s *Service) pledgeMoney(ctx context.Context, tx *store.Tx, cm *store.Commit, cur dispute.State, j *dispute.Judgment, meta func(string, []string) ledger.Meta) error {
	if !pledgeStands(cur, j) {
		return nil
	}
	last, ok, err := tx.LastEvent(ctx, AggPledge, cur.SellerID)
	if err != nil {
		return err
	}
	pl := s.pledgeOf(cur.SellerID, last, ok)
	if !pl.Active {
		return nil
	}
	o, err := tx.GetOrder(ctx, cur.OrderID)
	if err != nil {
		return err
	}
	req, err := tx.GetAftersale(ctx, cur.AftersaleID)
	if err != nil {
		return err
	}
	price := o.GoodsPrice(req.Items)
	amount := price * money.Fen(pl.Multiple)
	if amount <= 0 {
		return nil
	}
	b, err := tx.LedgerBalances(ctx, ledger.SellerDeposit(cur.SellerID), ledger.GuaranteeFund())
	if err != nil {
		return err
	}
	rules := appendRule(slices.Clone(j.RuleIDs), pl.RuleID)
	p, err := ledger.PledgeCompensation(meta("pledge", rules), cur.SellerID, cur.BuyerID, amount, cm.Pending(b))
	if err != nil {
		return err
	}
	pay := &dispute.PledgePayout{Multiple: pl.Multiple, Price: price, Amount: amount, Shortfall: p.Missing(), RuleID: pl.RuleID}
	for _, t := range p.Transactions {
		switch t.Kind {
		case ledger.TxCompensationFromDeposit:
			pay.FromDeposit = t.Amount()
		case ledger.TxFundCompensation:
			pay.Advanced = t.Amount()
		}
	}
	j.Pledge = pay
	j.Shortfall += p.Missing()
	j.RuleIDs = appendRule(j.RuleIDs, pl.RuleID)
	cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
	return nil
}

// pledgeStands reports whether a judgment still supports a counterfeit
// pledge's compensation: a counterfeit case decided for the buyer.
func pledgeStands(cur dispute.State, j *dispute.Judgment) bool {
	if cur.Reason != string(aftersale.Counterfeit) {
		return false
	}
	switch j.Outcome {
	case dispute.RefundFull, dispute.RefundPartial, dispute.ReturnThenRefund:
		return true
	}
	return false
}

// ---- 运费险 ----

func premiumID(orderID string) string { return "premium:" + orderID }

// insurancePremium is the premium transaction of an insured order being
// paid, if any.
func (s *Service) insurancePremium(o order.Order, now time.Time) ([]ledger.Transaction, error) {
	amt, rid := s.Policy().Int("protection.shipping_insurance_premium")
	if !o.ShippingInsurance || amt <= 0 {
		return nil, nil
	}
	t, err := ledger.InsurancePremium(ledger.Meta{ID: premiumID(o.ID), OrderID: o.ID, Ref: AggOrder + "/" + o.ID, RuleIDs: []string{rid}, At: now},
		ledger.InsurerShipping, money.Fen(amt))
	if err != nil {
		return nil, err
	}
	return []ledger.Transaction{t}, nil
}

// insuranceClaim adds to cm the insurer paying the buyer's return postage
// when an insured order's shipped-back return is refunded: the postage the
// buyer stated, or the cap when it stated none, capped by
// protection.shipping_insurance_cap. Only an order whose premium was
// booked is insured. It returns the amount paid.
func (s *Service) insuranceClaim(ctx context.Context, tx *store.Tx, cm *store.Commit, req aftersale.State, o order.Order, now time.Time) (money.Fen, error) {
	if !o.ShippingInsurance || req.Return == nil {
		return 0, nil
	}
	id := "insurance:" + req.ID
	if planned(cm, id) {
		return 0, nil
	}
	_, insured, err := tx.PostedAmount(ctx, premiumID(o.ID), ledger.Insurer(ledger.InsurerShipping))
	if err != nil || !insured {
		return 0, err
	}
	capAmt, rid := s.Policy().Int("protection.shipping_insurance_cap")
	amt := req.Return.Postage
	if amt == 0 {
		amt = money.Fen(capAmt)
	}
	amt = min(amt, money.Fen(capAmt))
	if amt <= 0 {
		return 0, nil
	}
	t, err := ledger.InsuranceClaim(ledger.Meta{ID: id, OrderID: o.ID, Ref: req.ID, RuleIDs: []string{rid}, At: now}, ledger.InsurerShipping, o.BuyerID, amt)
	if err != nil {
		return 0, fmt.Errorf("service: insurance claim of %s: %w", req.ID, err)
	}
	cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: ledger.Plan{Transactions: []ledger.Transaction{t}}})
	return amt, nil
}
