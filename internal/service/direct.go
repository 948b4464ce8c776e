package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"fmt"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/store"
)

// DirectDispute is a case the integration opens for a buyer without a
// refused request first (dispute.DirectReasons).
type DirectDispute struct {
	OrderID     string
	Type        aftersale.Type
	Reason      aftersale.Reason
	Amount      money.Fen
	Description string
}

// OpenDirectDispute opens a case directly, in one transaction: the SPEC §4
// eligibility check (dispute.CheckDirect, naming the failed condition),
// the buyer's after-sales request (aftersale.Decide, so its own checks
// apply) and its escalation, which opens the case as an escalation does.
// Only a buyer (or the integration acting for one) opens a case.
func (s *Service) OpenDirectDispute(ctx context.Context, c Caller, in DirectDispute) (dispute.State, error) {
	if c.Role != actor.Buyer {
		if c.Role == actor.Integration {
			return dispute.State{}, forbidden("集成方须以 X-Act-As: buyer:<ID> 代表买家申请介入 / the integration opens a case for a buyer with X-Act-As: buyer:<id>")
		}
		return dispute.State{}, forbidden("只有买家可以直接申请平台介入 / only a buyer opens a case directly")
	}
	actor, err := actorFor(c)
	if err != nil {
		return dispute.State{}, err
	}
	if in.Type == "" {
		in.Type = aftersale.RefundOnly
	}
	var out dispute.State
	err = s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		o, err := tx.GetOrder(ctx, in.OrderID)
		if err != nil || !CanSeeOrder(c, o) {
			if err == nil || fault.Is(err, fault.NotFound) {
				return &fault.Error{Code: fault.NotFound, Field: "order_id", Message: fmt.Sprintf("订单 %s 不存在 / order %s not found", in.OrderID, in.OrderID)}
			}
			return err
		}
		now := s.now(ctx)
		if err := dispute.CheckDirect(string(in.Reason), dispute.DirectFacts{PaidAt: o.PaidAt, ShippedAt: o.ShippedAt, CompletedAt: o.CompletedAt,
			Refundable: o.Refundable()}, s.Policy(), now); err != nil {
			return err
		}
		if openID, ok, err := tx.OpenAftersaleForOrder(ctx, o.ID); err != nil {
			return err
		} else if ok {
			return &fault.Error{Code: fault.Conflict, Field: "order_id",
				Message: fmt.Sprintf("该订单已有进行中的售后申请 %s：请在该申请上申请介入 / the order already has an open request %s: escalate it", openID, openID)}
		}
		reqID := newID()
		evs, err := aftersale.Decide(aftersale.State{ID: reqID}, orderView(o, s.Policy()), aftersale.Command{Action: aftersale.Create, Actor: actor,
			Type: in.Type, Reason: in.Reason, Amount: in.Amount, Description: in.Description}, s.Policy(), now)
		if err != nil {
			return err
		}
		// The escalation the eligibility check allowed: the request goes
		// to the platform at once, without the seller's deadline.
		evs = append(evs, aftersale.Event{Head: aftersale.Head{Type: aftersale.EvEscalated, Actor: actor, At: now, PolicyVersion: s.Policy().Version,
			Reason:  "直接申请平台介入 / platform intervention requested directly",
			RuleIDs: []string{"taobao-dispute-2"}},
			Data: aftersale.Data{Intervention: &aftersale.Intervention{RequestedBy: aftersale.Buyer, RequestedAt: now, Reason: in.Description}}})
		if _, err := s.recordAftersale(ctx, tx, cm, aftersaleStep{cur: aftersale.State{ID: reqID}, order: o, evs: evs}, now); err != nil {
			return err
		}
		opened := false
		for _, d := range cm.Disputes {
			if d.Value.AftersaleID == reqID {
				out, opened = d.Value, true
			}
		}
		if !opened {
			return fmt.Errorf("service: direct case for request %s was not opened", reqID)
		}
		return s.respond(c, cm, out)
	})
	return out, err
}
