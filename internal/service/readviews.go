package service

import (
	"context"
	"time"

	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/store"
)

// This file holds read models the pages and the API show that belong to no
// single command: an order's event log, a request's case, the year's
// violations.

// OrderEvents lists an order's events after a sequence number. Errors:
// NotFound (an order the caller may not see).
func (s *Service) OrderEvents(ctx context.Context, c Caller, orderID string, afterSeq int64, limit int) ([]store.EventRecord, error) {
	if _, err := s.GetOrder(ctx, c, orderID); err != nil {
		return nil, err
	}
	return s.st.Events(ctx, AggOrder, orderID, afterSeq, limit)
}

// DisputeIDForAftersale is the case (dispute) opened on a request, if any.
// Errors: NotFound (a request the caller may not see).
func (s *Service) DisputeIDForAftersale(ctx context.Context, c Caller, aftersaleID string) (string, bool, error) {
	if _, err := s.GetAftersale(ctx, c, aftersaleID); err != nil {
		return "", false, err
	}
	return s.st.DisputeIDForAftersale(ctx, aftersaleID)
}

// ViolationsSince lists every party's violations at or after a time, by
// party and time (the dashboard's points distribution). Errors: Forbidden
// (not staff).
func (s *Service) ViolationsSince(ctx context.Context, c Caller, since time.Time) ([]penalty.Violation, error) {
	if err := staffOnly(c); err != nil {
		return nil, err
	}
	return s.st.ViolationsSince(ctx, since)
}
