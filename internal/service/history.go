package service

import (
	"context"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/store"
)

// OrderHistory returns the events of the orders created in [from, to) and
// of their after-sales requests, in the order they happened: the input of
// a policy replay (internal/replay). Admins only. Errors: Forbidden.
func (s *Service) OrderHistory(ctx context.Context, c Caller, from, to time.Time) ([]store.EventRecord, error) {
	if c.Role != actor.Admin {
		return nil, forbidden("只有管理员可以读取订单历史 / only admins read the order history")
	}
	return s.st.OrderHistory(ctx, from, to)
}

// NextDeadline is when the earliest pending deadline can fire; ok false:
// none is pending (a replay, or a test clock, advances to it).
func (s *Service) NextDeadline(ctx context.Context) (at time.Time, ok bool, err error) {
	return s.st.NextDue(ctx)
}

// Outcome is what the database's history came to: requests by status,
// events by type, citations per rule, money paid to buyers by kind,
// violations, points and sanctions, and the intervention cases in review
// past their SLA now. Admins only; meant for a sandbox (it reads every
// event). Errors: Forbidden.
type Outcome struct {
	store.Outcome
	SLABreached int64
}

// Outcome reads it.
func (s *Service) Outcome(ctx context.Context, c Caller) (Outcome, error) {
	if c.Role != actor.Admin {
		return Outcome{}, forbidden("只有管理员可以读取汇总 / only admins read the outcome")
	}
	o, err := s.st.Outcome(ctx)
	if err != nil {
		return Outcome{}, err
	}
	_, breached, err := s.st.DisputeSLAStats(ctx, s.now(ctx))
	return Outcome{Outcome: o, SLABreached: breached}, err
}
