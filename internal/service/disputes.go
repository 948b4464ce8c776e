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
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// AggDispute is the aggregate type of intervention cases.
const AggDispute = "dispute"

// CanSeeDispute: the case's two parties and the platform's staff.
func CanSeeDispute(c Caller, s dispute.State) bool { return seesParties(c, s.BuyerID, s.SellerID) }

// keyOf names an agent by its key (agents have no party id).
func keyOf(c Caller) string {
	if c.PartyID != "" {
		return c.PartyID
	}
	return c.Via
}

// openDispute opens the intervention case of an escalated request, in tx.
// id is the case's id, named by the request's event.
func (s *Service) openDispute(ctx context.Context, tx *store.Tx, cm *store.Commit, req aftersale.State, o order.Order, by aftersale.Role, id string, now time.Time) error {
	cmd := dispute.Command{Action: dispute.Open, Actor: dispute.Actor{Role: dispute.RoleSystem, Via: "escalation"},
		AftersaleID: req.ID, OrderID: o.ID, BuyerID: req.BuyerID, SellerID: req.SellerID, Reason: string(req.Reason),
		Claim: req.Amount, OpenedBy: dispute.Party(by),
		Facts: dispute.OrderFacts{Shipped: o.ShippedAt != nil, Received: o.DeliveredAt != nil || o.CompletedAt != nil,
			ReturnShipped: req.Return != nil, Refundable: o.Refundable(), Premium: o.BuyerPremium}}
	threshold, _ := s.Policy().Int("dispute.senior_threshold")
	cmd.Senior = int64(req.Amount) >= threshold
	cur := dispute.State{ID: id}
	evs, err := dispute.Decide(cur, cmd, s.Policy(), now)
	if err != nil {
		return err
	}
	opened := record(cm, disputeAgg, cur, evs, now, nil)
	// 保证金: the amount in dispute is frozen in the seller's deposit.
	return s.freezeCaseDeposit(ctx, tx, cm, opened, now)
}

// disputeAgg describes intervention cases to the generic record.
var disputeAgg = aggregate[dispute.State, dispute.Event]{
	typ:     AggDispute,
	id:      func(s dispute.State) string { return s.ID },
	version: func(s dispute.State) int64 { return s.Version },
	evolve:  dispute.Evolve,
	event:   logged[dispute.EventType, dispute.Data],
	payload: func(next dispute.State, r store.EventRecord) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"dispute_id": next.ID, "aftersale_id": next.AftersaleID, "order_id": next.OrderID,
			"buyer_id": next.BuyerID, "seller_id": next.SellerID, "status": next.Status, "amount": next.Claim, "judgment": next.Judgment,
			"event": eventPayload(r)})
		return b
	},
	deadline: func(s dispute.State) *store.Deadline {
		if k, d := s.Deadline(); d != nil {
			return &store.Deadline{Kind: k, Actor: "platform", DueAt: d.DueAt, OnExpiry: d.OnExpiry, RuleID: d.RuleID}
		}
		return nil
	},
	save: func(c *store.Commit, next dispute.State, prev int64) {
		c.Disputes = append(c.Disputes, store.Row[dispute.State]{Value: next, Prev: prev})
	},
}

// pendingDispute is the case's state as cm leaves it, when cm writes it.
func pendingDispute(cm *store.Commit, id string) (dispute.State, bool) {
	for i := len(cm.Disputes) - 1; i >= 0; i-- {
		if cm.Disputes[i].Value.ID == id {
			return cm.Disputes[i].Value, true
		}
	}
	return dispute.State{}, false
}

func notFoundDispute(id string) error {
	return &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("介入案件 %s 不存在 / dispute %s not found", id, id)}
}

// DisputeCommand is a case action from the API.
type DisputeCommand struct {
	dispute.Command
	ExtendWorkingDays int // extend: working days added to the SLA
}

// ActDispute applies an action to a case: parties add evidence, finish
// their evidence, appeal or withdraw; agents claim, release, extend and
// judge; the senior tier reassigns and decides appeals. A judgment is
// executed on the request (refund, close, or return first) in the same
// transaction.
func (s *Service) ActDispute(ctx context.Context, c Caller, id string, cmd DisputeCommand) (dispute.State, error) {
	var n int
	out, err := command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (dispute.State, error) {
		cur, err := tx.GetDispute(ctx, id, store.ForUpdate)
		if err != nil {
			return cur, err
		}
		if !CanSeeDispute(c, cur) {
			return cur, notFoundDispute(id)
		}
		now := s.now(ctx)
		dc, err := s.disputeCommand(ctx, tx, c, cur, cmd, now)
		if err != nil {
			return cur, err
		}
		evs, err := dispute.Decide(cur, dc, s.Policy(), now)
		if err != nil {
			return cur, err
		}
		if dc.Action == dispute.AddEvidence {
			// After the domain's refusals (window, checklist): the id must
			// name the acting party's own evidence in this case's chain.
			if err := caseEvidenceOf(ctx, tx, c, cur, dc.EvidenceID); err != nil {
				return cur, err
			}
		}
		if err := s.disputeMoney(ctx, tx, cm, cur, evs, now); err != nil {
			return cur, err
		}
		out := record(cm, disputeAgg, cur, evs, now, nil)
		n = len(evs)
		return out, s.executeJudgment(ctx, tx, cm, cur, out, now)
	})
	if err == nil {
		for i := 0; i < n; i++ {
			s.obs.Transition(AggDispute, string(cmd.Action))
		}
	}
	return out, err
}

// caseEvidenceOf refuses (422, field evidence_id) an evidence id that does
// not resolve to evidence in this case's chain uploaded by the acting
// party: an unknown id, another case's evidence or the other party's would
// tick the party's burden-of-proof items with proof it never gave.
func caseEvidenceOf(ctx context.Context, tx *store.Tx, c Caller, cur dispute.State, id string) error {
	if id == "" {
		return nil // the domain refuses a missing id (400)
	}
	refuse := &fault.Error{Code: fault.Unprocessable, Field: "evidence_id",
		Message: "证据须为你在本案证据链中上传的证据 / evidence_id must be evidence you uploaded to this case's chain"}
	e, err := tx.EvidenceByID(ctx, id)
	switch {
	case fault.Is(err, fault.NotFound):
		return refuse
	case err != nil:
		return err
	case e.CaseID != cur.AftersaleID || e.UploaderRole != string(c.Role) || e.UploaderID != c.PartyID || c.PartyID == "":
		return refuse
	}
	return nil
}

// disputeCommand completes a case command from the API with the caller's
// actor and what the service computes: SLA and resume dates on the
// working-day calendar, the order facts of an advance.
func (s *Service) disputeCommand(ctx context.Context, tx *store.Tx, c Caller, cur dispute.State, cmd DisputeCommand, now time.Time) (dispute.Command, error) {
	dc := cmd.Command
	var err error
	if dc.Actor, err = actorOf(c); err != nil {
		return dc, err
	}
	switch {
	case dc.Action == dispute.DoneEvidence:
		dc.SLADueAt = s.reviewDue(now)
	case dc.Action == dispute.Suspend && dc.Ground == dispute.GroundLegal:
		// art. 83(2): the acceptance voucher within 7 working days of the notice.
		dc.ResumeAt = s.Calendar().AddWorkingDays(now, dispute.LegalVoucherWorkingDays)
	case dc.Action == dispute.Advance:
		if dc.Facts, err = advanceOrderFacts(ctx, tx, cur); err != nil {
			return dc, err
		}
	case dc.Action == dispute.AssessEvidence && dc.EvidenceID != "" && !slices.Contains(cur.EvidenceIDs, dc.EvidenceID):
		// A piece the parties gave in the negotiation, before the case:
		// in the request's evidence chain.
		e, err := tx.EvidenceByID(ctx, dc.EvidenceID)
		if err != nil && !fault.Is(err, fault.NotFound) {
			return dc, err
		}
		dc.InChain = err == nil && e.CaseID == cur.AftersaleID
	case dc.Action == dispute.Extend && cur.SLADueAt != nil && (dc.Actor.Role == dispute.RoleAgent || dc.Actor.Role == dispute.RoleSenior):
		if cmd.ExtendWorkingDays < 1 || cmd.ExtendWorkingDays > 10 {
			return dc, fault.Field("working_days", "延期须为1–10个工作日 / extend by 1–10 working days")
		}
		dc.SLADueAt = s.Calendar().AddWorkingDays(*cur.SLADueAt, cmd.ExtendWorkingDays)
	}
	return dc, nil
}

// reviewDue is the review SLA: N working days on the official calendar.
func (s *Service) reviewDue(now time.Time) time.Time {
	n, _ := s.Policy().Int("dispute.review_sla")
	return s.Calendar().AddWorkingDays(now, int(n))
}

// executeJudgment carries out a new judgment on the after-sales request.
func (s *Service) executeJudgment(ctx context.Context, tx *store.Tx, cm *store.Commit, before, after dispute.State, now time.Time) error {
	var j *dispute.Judgment
	switch {
	case after.Status == dispute.Judged && before.Status != dispute.Judged:
		j = after.Judgment
	case after.Status == dispute.Final && before.Status == dispute.Appealed && after.Final != nil:
		if after.Final.Revision == nil {
			return nil // upheld (or the same money): the first judgment stands as executed
		}
		// Overturned: the money moved already (overturnMoney); the request follows.
		return s.reviseAftersale(ctx, tx, cm, after, after.Final, now)
	case after.Status == dispute.Withdrawn && before.Status != dispute.Withdrawn && after.Version > 0:
		// The buyer withdrew the intervention: the request closes (撤销维权).
		ld, err := tx.LoadAftersale(ctx, after.AftersaleID, store.LoadOptions{})
		if err != nil || !ld.Request.Status.Open() {
			return err
		}
		req := ld.Request
		evs, err := aftersale.Decide(req, orderView(ld.Order, s.Policy()), aftersale.Command{Action: aftersale.Cancel,
			Actor: aftersale.Actor{Role: aftersale.Buyer, ID: req.BuyerID, Via: "dispute:" + after.ID}, Note: "买家撤销平台介入 / the buyer withdrew the intervention"}, s.Policy(), now)
		if err != nil {
			return err
		}
		_, err = s.recordAftersale(ctx, tx, cm, aftersaleStep{cur: req, order: ld.Order, evs: evs}, now)
		return err
	default:
		return nil
	}
	ld, err := tx.LoadAftersale(ctx, after.AftersaleID, store.LoadOptions{})
	if err != nil {
		return err
	}
	req, o := ld.Request, ld.Order
	ac := aftersale.Command{Action: aftersale.Execute, Actor: aftersale.Actor{Role: aftersale.Platform, ID: j.AgentID, Via: "dispute:" + after.ID},
		Note: j.Reason, Amount: j.Amount}
	switch j.Outcome {
	case dispute.RefundFull, dispute.RefundPartial:
		ac.Ruling = aftersale.RulingRefund
	case dispute.ReleaseToSeller:
		ac.Ruling = aftersale.RulingClose
	case dispute.ReturnThenRefund:
		ac.Ruling = aftersale.RulingReturn
	}
	step := aftersaleStep{cur: req, order: o}
	if adv := after.Advance; adv != nil && adv.Outcome == dispute.AdvanceReturned && before.Advance != nil && before.Advance.Outcome == "" {
		// The fund paid this refund in advance and the seller's money has
		// repaid it: the request records the refund, no money moves again.
		step.paidBy = "dispute:" + after.ID + "/advance"
	}
	return s.executeOnRequest(ctx, tx, cm, step, ac, j.RuleIDs, now)
}

// executeOnRequest decides a platform command on the request of a case
// (executing or revising its judgment), cites the judgment's rules on the
// request's events and records the step in cm.
func (s *Service) executeOnRequest(ctx context.Context, tx *store.Tx, cm *store.Commit, step aftersaleStep, ac aftersale.Command, rules []string, now time.Time) error {
	evs, err := aftersale.Decide(step.cur, orderView(step.order, s.Policy()), ac, s.Policy(), now)
	if err != nil {
		return err
	}
	for i := range evs {
		evs[i].RuleIDs = append(evs[i].RuleIDs, rules...)
	}
	step.evs = evs
	_, err = s.recordAftersale(ctx, tx, cm, step, now)
	return err
}

// GetDispute reads a case the caller may see.
func (s *Service) GetDispute(ctx context.Context, c Caller, id string) (dispute.State, error) {
	st, err := s.st.GetDispute(ctx, id)
	return visible(st, err, CanSeeDispute(c, st), notFoundDispute(id))
}

// CaseOfRequest returns the intervention case a request links to, for its
// TOP fields, or nil (none, or not stored yet). The caller has read the
// request, so it may see its case.
func (s *Service) CaseOfRequest(ctx context.Context, req aftersale.State) *dispute.State {
	if req.DisputeID == "" {
		return nil
	}
	c, err := s.st.GetDispute(ctx, req.DisputeID)
	if err != nil {
		return nil
	}
	return &c
}

// ListDisputes lists the cases the caller may see; staff get the queue order.
func (s *Service) ListDisputes(ctx context.Context, c Caller, f store.DisputeFilter) ([]dispute.State, error) {
	switch c.Role {
	case actor.Buyer:
		f.BuyerID, f.Queue = c.PartyID, false
	case actor.Seller:
		f.SellerID, f.Queue = c.PartyID, false
	}
	return s.st.ListDisputes(ctx, f)
}

// DisputeEvents returns a visible case's history.
func (s *Service) DisputeEvents(ctx context.Context, c Caller, id string, afterSeq int64, limit int) ([]store.EventRecord, error) {
	if _, err := s.GetDispute(ctx, c, id); err != nil {
		return nil, err
	}
	return s.st.Events(ctx, AggDispute, id, afterSeq, limit)
}

// fireDispute applies a due case deadline (evidence window, appeal
// window, suspension) to cm.
func (s *Service) fireDispute(ctx context.Context, tx *store.Tx, cm *store.Commit, d *store.Deadline, now time.Time) (bool, error) {
	cur, err := tx.GetDispute(ctx, d.AggregateID)
	if err != nil {
		return false, err
	}
	return fire(cm, disputeAgg, cur, d, now, func(cur dispute.State) ([]dispute.Event, error) {
		cmd := dispute.Command{Actor: dispute.Actor{Role: dispute.RoleSystem, Via: "deadline:" + d.ID}}
		switch d.Kind {
		case "evidence_window":
			cmd.Action, cmd.SLADueAt = dispute.ExpireWindow, s.reviewDue(now)
		case "appeal_window":
			cmd.Action = dispute.ExpireAppeals
		case "suspension":
			cmd.Action = dispute.ExpireSuspension
		}
		evs, err := dispute.Decide(cur, cmd, s.Policy(), now)
		for _, e := range evs {
			s.obs.Transition(AggDispute, string(e.Type))
		}
		return evs, err
	}, func(cur dispute.State, evs []dispute.Event) error {
		for _, e := range evs {
			if releasesDeposit(e.Type) {
				if err := s.releaseCaseDeposit(ctx, tx, cm, cur, now); err != nil {
					return err
				}
			}
		}
		record(cm, disputeAgg, cur, evs, now, d)
		return nil
	})
}

// withdrawDispute closes the open case of a request the parties settled.
func (s *Service) withdrawDispute(ctx context.Context, tx *store.Tx, cm *store.Commit, aftersaleID, why string, now time.Time) error {
	id, ok, err := tx.DisputeForAftersale(ctx, aftersaleID)
	if err != nil || !ok {
		return err
	}
	cur, pending := pendingDispute(cm, id)
	if !pending {
		if cur, err = tx.GetDispute(ctx, id); err != nil {
			return err
		}
	}
	if cur.Status != dispute.Evidence && cur.Status != dispute.Review && cur.Status != dispute.Suspended {
		return nil
	}
	evs, err := dispute.Decide(cur, dispute.Command{Action: dispute.Withdraw, Actor: dispute.Actor{Role: dispute.RoleSystem, Via: "aftersale:" + aftersaleID},
		Reason: "双方自行协商解决 / settled between the parties (" + why + ")"}, s.Policy(), now)
	if err != nil {
		return err
	}
	if err := s.releaseCaseDeposit(ctx, tx, cm, cur, now); err != nil {
		return err
	}
	record(cm, disputeAgg, cur, evs, now, nil)
	return nil
}

// DecodeDisputeEvents turns stored event records back into case events.
func DecodeDisputeEvents(recs []store.EventRecord) ([]dispute.Event, error) {
	return decodeEvents(recs, func(r store.EventRecord, e *dispute.Event) (actor, data any) {
		*e = dispute.Event{Head: dispute.Head{Seq: r.Seq, Type: dispute.EventType(r.Type), At: r.At, Reason: r.Reason, RuleIDs: r.RuleIDs, PolicyVersion: r.PolicyVersion}}
		return &e.Actor, &e.Data
	})
}
