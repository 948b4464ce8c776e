package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/calendar"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// AggDispute is the aggregate type of intervention cases.
const AggDispute = "dispute"

// RoleSenior is the senior tier (高级专员): appeals and large cases.
const RoleSenior = actor.Senior

// CanSeeDispute: the case's two parties and the platform's staff.
func CanSeeDispute(c Caller, s dispute.State) bool {
	switch c.Role {
	case RoleBuyer:
		return s.BuyerID == c.PartyID
	case RoleSeller:
		return s.SellerID == c.PartyID
	}
	return true
}

func disputeActor(c Caller) (dispute.Actor, error) {
	switch c.Role {
	case RoleBuyer:
		return dispute.Actor{Role: dispute.RoleBuyer, ID: c.PartyID, Via: c.Via}, nil
	case RoleSeller:
		return dispute.Actor{Role: dispute.RoleSeller, ID: c.PartyID, Via: c.Via}, nil
	case RoleAgent:
		return dispute.Actor{Role: dispute.RoleAgent, ID: keyOf(c), Via: c.Via}, nil
	case RoleSenior:
		return dispute.Actor{Role: dispute.RoleSenior, ID: keyOf(c), Via: c.Via}, nil
	case RoleAdmin:
		return dispute.Actor{Role: dispute.RoleAdmin, ID: keyOf(c), Via: c.Via}, nil
	}
	return dispute.Actor{}, forbidden("集成方须通过 X-Act-As 代表买家或卖家 / an integration key acts for a party with X-Act-As")
}

// keyOf names an agent by its key (agents have no party id).
func keyOf(c Caller) string {
	if c.PartyID != "" {
		return c.PartyID
	}
	return c.Via
}

// openDispute opens the intervention case of an escalated request, in tx.
func (s *Service) openDispute(ctx context.Context, tx *store.Tx, req aftersale.State, o order.Order, by aftersale.Role, now time.Time) error {
	if _, ok, err := tx.DisputeForAftersale(ctx, req.ID); err != nil || ok {
		return err
	}
	cmd := dispute.Command{Action: dispute.Open, Actor: dispute.Actor{Role: dispute.RoleSystem, Via: "escalation"},
		AftersaleID: req.ID, OrderID: o.ID, BuyerID: req.BuyerID, SellerID: req.SellerID, Reason: string(req.Reason),
		Claim: req.Amount, OpenedBy: dispute.Party(by),
		Facts: dispute.OrderFacts{Shipped: o.ShippedAt != nil, Received: o.DeliveredAt != nil || o.CompletedAt != nil,
			ReturnShipped: req.Return != nil, Refundable: o.Refundable(), Premium: o.BuyerPremium}}
	threshold, _ := s.Policy().Int("dispute.senior_threshold")
	cmd.Senior = int64(req.Amount) >= threshold
	cur := dispute.State{ID: newID()}
	evs, err := dispute.Decide(cur, cmd, s.Policy(), now)
	if err != nil {
		return err
	}
	_, err = s.persistDispute(ctx, tx, cur, evs, now, nil)
	return err
}

// persistDispute writes a case's events, state and live deadline in tx.
func (s *Service) persistDispute(ctx context.Context, tx *store.Tx, cur dispute.State, evs []dispute.Event, now time.Time, fired *store.Deadline) (dispute.State, error) {
	next := cur
	recs := make([]store.EventRecord, 0, len(evs))
	outbox := make([]store.OutboxMessage, 0, len(evs))
	for i := range evs {
		evs[i].Seq = next.Version + 1
		next = dispute.Evolve(next, evs[i])
		actor, _ := json.Marshal(evs[i].Actor)
		data, _ := json.Marshal(evs[i].Data)
		recs = append(recs, store.EventRecord{AggregateType: AggDispute, AggregateID: cur.ID, Seq: evs[i].Seq, ID: newID(),
			Type: string(evs[i].Type), Actor: actor, At: evs[i].At, Reason: evs[i].Reason, RuleIDs: evs[i].RuleIDs,
			PolicyVersion: evs[i].PolicyVersion, Data: data})
		r := recs[len(recs)-1]
		payload, _ := json.Marshal(map[string]any{"dispute_id": next.ID, "aftersale_id": next.AftersaleID, "order_id": next.OrderID,
			"buyer_id": next.BuyerID, "seller_id": next.SellerID, "status": next.Status, "amount": next.Claim, "judgment": next.Judgment,
			"event": eventPayload(r)})
		outbox = append(outbox, store.OutboxMessage{Topic: AggDispute + "." + string(evs[i].Type), AggregateType: AggDispute,
			AggregateID: cur.ID, AggregateSeq: evs[i].Seq, CreatedAt: now, Payload: payload})
	}
	if err := tx.AppendEvents(ctx, recs); err != nil {
		return next, err
	}
	if err := tx.EnqueueOutbox(ctx, outbox...); err != nil {
		return next, err
	}
	if err := tx.SaveDispute(ctx, next, cur.Version); err != nil {
		return next, err
	}
	if err := settleFired(ctx, tx, fired, now); err != nil {
		return next, err
	}
	k0, d0 := cur.Deadline()
	k1, d1 := next.Deadline()
	if k0 != k1 || (d0 == nil) != (d1 == nil) || (d0 != nil && !d0.DueAt.Equal(d1.DueAt)) {
		var row *store.Deadline
		if d1 != nil {
			row = &store.Deadline{ID: fmt.Sprintf("%s/%d", cur.ID, next.Version), Kind: k1, Actor: "platform", DueAt: d1.DueAt, OnExpiry: d1.OnExpiry, RuleID: d1.RuleID}
		}
		if err := tx.ReplaceDeadline(ctx, AggDispute, cur.ID, row, now); err != nil {
			return next, err
		}
	}
	return next, nil
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
	var out dispute.State
	var n int
	err := retryStale(func() error {
		return s.st.InTx(ctx, func(tx *store.Tx) error {
			cur, err := tx.GetDisputeForUpdate(ctx, id)
			if err != nil {
				return err
			}
			if !CanSeeDispute(c, cur) {
				return &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("介入案件 %s 不存在 / dispute %s not found", id, id)}
			}
			dc := cmd.Command
			if dc.Actor, err = disputeActor(c); err != nil {
				return err
			}
			now := s.clock.Now()
			if dc.Action == dispute.DoneEvidence {
				dc.SLADueAt = s.reviewDue(now)
			}
			if dc.Action == dispute.Suspend && dc.Ground == dispute.GroundLegal {
				// art. 83(2): the acceptance voucher within 7 working days of the notice.
				dc.ResumeAt = calendar.Default().AddWorkingDays(now, dispute.LegalVoucherWorkingDays)
			}
			if dc.Action == dispute.Advance {
				if dc.Facts, err = advanceOrderFacts(ctx, tx, cur); err != nil {
					return err
				}
			}
			if dc.Action == dispute.Extend && cur.SLADueAt != nil && (dc.Actor.Role == dispute.RoleAgent || dc.Actor.Role == dispute.RoleSenior) {
				if cmd.ExtendWorkingDays < 1 || cmd.ExtendWorkingDays > 10 {
					return fault.Field("working_days", "延期须为1–10个工作日 / extend by 1–10 working days")
				}
				dc.SLADueAt = calendar.Default().AddWorkingDays(*cur.SLADueAt, cmd.ExtendWorkingDays)
			}
			evs, err := dispute.Decide(cur, dc, s.Policy(), now)
			if err != nil {
				return err
			}
			plans, err := s.disputeMoney(ctx, tx, cur, evs, now)
			if err != nil {
				return err
			}
			if out, err = s.persistDispute(ctx, tx, cur, evs, now, nil); err != nil {
				return err
			}
			for _, p := range plans {
				if err := tx.PostPlan(ctx, p); err != nil {
					return err
				}
			}
			n = len(evs)
			if err := s.executeJudgment(ctx, tx, cur, out, now); err != nil {
				return err
			}
			return s.storeIdem(ctx, tx, out)
		})
	})
	if err == nil {
		for i := 0; i < n; i++ {
			s.obs.Transition(AggDispute, string(cmd.Action))
		}
	}
	return out, err
}

// reviewDue is the review SLA: N working days on the official calendar.
func (s *Service) reviewDue(now time.Time) time.Time {
	n, _ := s.Policy().Int("dispute.review_sla")
	return calendar.Default().AddWorkingDays(now, int(n))
}

// executeJudgment carries out a new judgment on the after-sales request.
func (s *Service) executeJudgment(ctx context.Context, tx *store.Tx, before, after dispute.State, now time.Time) error {
	var j *dispute.Judgment
	switch {
	case after.Status == dispute.Judged && before.Status != dispute.Judged:
		j = after.Judgment
	case after.Status == dispute.Final && before.Status == dispute.Appealed && after.Final != nil:
		if after.Final.Revision == nil {
			return nil // upheld (or the same money): the first judgment stands as executed
		}
		// Overturned: the money moved already (overturnMoney); the request follows.
		return s.reviseAftersale(ctx, tx, after, after.Final, now)
	case after.Status == dispute.Withdrawn && before.Status != dispute.Withdrawn && after.Version > 0:
		// The buyer withdrew the intervention: the request closes (撤销维权).
		req, err := tx.GetAftersale(ctx, after.AftersaleID)
		if err != nil || !req.Status.Open() {
			return err
		}
		o, err := tx.GetOrder(ctx, req.OrderID)
		if err != nil {
			return err
		}
		evs, err := aftersale.Decide(req, orderView(o), aftersale.Command{Action: aftersale.Cancel,
			Actor: aftersale.Actor{Role: aftersale.Buyer, ID: req.BuyerID, Via: "dispute:" + after.ID}, Note: "买家撤销平台介入 / the buyer withdrew the intervention"}, s.Policy(), now)
		if err != nil {
			return err
		}
		_, err = s.persistAftersale(ctx, tx, req, o, evs, now, nil)
		return err
	default:
		return nil
	}
	req, err := tx.GetAftersaleForUpdate(ctx, after.AftersaleID)
	if err != nil {
		return err
	}
	o, err := tx.GetOrder(ctx, req.OrderID)
	if err != nil {
		return err
	}
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
	evs, err := aftersale.Decide(req, orderView(o), ac, s.Policy(), now)
	if err != nil {
		return err
	}
	for i := range evs {
		evs[i].RuleIDs = append(evs[i].RuleIDs, j.RuleIDs...)
	}
	if adv := after.Advance; adv != nil && adv.Outcome == dispute.AdvanceReturned && before.Advance != nil && before.Advance.Outcome == "" {
		// The fund paid this refund in advance and the seller's money has
		// repaid it: the request records the refund, no money moves again.
		ctx = withPaidByAdvance(ctx, "dispute:"+after.ID+"/advance")
	}
	_, err = s.persistAftersale(ctx, tx, req, o, evs, now, nil)
	return err
}

// GetDispute reads a case the caller may see.
func (s *Service) GetDispute(ctx context.Context, c Caller, id string) (dispute.State, error) {
	st, err := s.st.GetDispute(ctx, id)
	if err != nil {
		return st, err
	}
	if !CanSeeDispute(c, st) {
		return dispute.State{}, &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("介入案件 %s 不存在 / dispute %s not found", id, id)}
	}
	return st, nil
}

// ListDisputes lists the cases the caller may see; staff get the queue order.
func (s *Service) ListDisputes(ctx context.Context, c Caller, f store.DisputeFilter) ([]dispute.State, error) {
	switch c.Role {
	case RoleBuyer:
		f.BuyerID, f.Queue = c.PartyID, false
	case RoleSeller:
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

// fireDispute applies a due case deadline (evidence window, appeal window).
func (s *Service) fireDispute(ctx context.Context, tx *store.Tx, d *store.Deadline, now time.Time) (bool, error) {
	cur, err := tx.GetDispute(ctx, d.AggregateID)
	if err != nil {
		return false, err
	}
	kind, due := cur.Deadline()
	if due == nil || kind != d.Kind || !due.DueAt.Equal(d.DueAt) {
		_, err := tx.SettleDeadline(ctx, d.ID, store.DeadlineCancelled, "stale", now)
		return false, err
	}
	cmd := dispute.Command{Actor: dispute.Actor{Role: dispute.RoleSystem, Via: "deadline:" + d.ID}}
	switch kind {
	case "evidence_window":
		cmd.Action, cmd.SLADueAt = dispute.ExpireWindow, s.reviewDue(now)
	case "appeal_window":
		cmd.Action = dispute.ExpireAppeals
	case "suspension":
		cmd.Action = dispute.ExpireSuspension
	}
	evs, err := dispute.Decide(cur, cmd, s.Policy(), now)
	if err != nil {
		if fault.Is(err, fault.Conflict) {
			_, serr := tx.SettleDeadline(ctx, d.ID, store.DeadlineCancelled, err.Error(), now)
			return false, serr
		}
		return false, err
	}
	if _, err := s.persistDispute(ctx, tx, cur, evs, now, d); err != nil {
		return false, err
	}
	for _, e := range evs {
		s.obs.Transition(AggDispute, string(e.Type))
	}
	return true, nil
}

// withdrawDispute closes the open case of a request the parties settled.
func (s *Service) withdrawDispute(ctx context.Context, tx *store.Tx, aftersaleID, why string, now time.Time) error {
	id, ok, err := tx.DisputeForAftersale(ctx, aftersaleID)
	if err != nil || !ok {
		return err
	}
	cur, err := tx.GetDispute(ctx, id)
	if err != nil {
		return err
	}
	if cur.Status != dispute.Evidence && cur.Status != dispute.Review && cur.Status != dispute.Suspended {
		return nil
	}
	evs, err := dispute.Decide(cur, dispute.Command{Action: dispute.Withdraw, Actor: dispute.Actor{Role: dispute.RoleSystem, Via: "aftersale:" + aftersaleID},
		Reason: "双方自行协商解决 / settled between the parties (" + why + ")"}, s.Policy(), now)
	if err != nil {
		return err
	}
	_, err = s.persistDispute(ctx, tx, cur, evs, now, nil)
	return err
}

// DecodeDisputeEvents turns stored event records back into case events.
func DecodeDisputeEvents(recs []store.EventRecord) ([]dispute.Event, error) {
	out := make([]dispute.Event, 0, len(recs))
	for _, r := range recs {
		e := dispute.Event{Seq: r.Seq, Type: dispute.EventType(r.Type), At: r.At, Reason: r.Reason, RuleIDs: r.RuleIDs, PolicyVersion: r.PolicyVersion}
		if err := json.Unmarshal(r.Actor, &e.Actor); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r.Data, &e.Data); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
