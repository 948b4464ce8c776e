package service

import (
	"context"
	"time"

	"github.com/weiquan/weiquan/internal/store"
)

// This file holds what the HTTP layer and the workers need of the
// platform itself: readiness and the Idempotency-Key records of requests
// whose handlers run outside a service transaction (internal/httpapi
// reserves a key, waits on it, and stores the response after the handler).

// Ready pings the database and names its engine. Errors: the ping's.
func (s *Service) Ready(ctx context.Context) (engine string, err error) {
	return string(s.st.Dialect()), s.st.Ping(ctx)
}

// ReserveIdem reserves an Idempotency-Key (a pending record); false when
// the key is already reserved or used.
func (s *Service) ReserveIdem(ctx context.Context, r store.IdemRecord) (bool, error) {
	return s.st.ReserveIdem(ctx, r)
}

// GetIdem loads the record of a key (pending or complete).
func (s *Service) GetIdem(ctx context.Context, principal, key string) (store.IdemRecord, bool, error) {
	return s.st.GetIdem(ctx, principal, key)
}

// TakeOverIdem takes over an abandoned reservation (its token still
// oldToken); false when another request took it first.
func (s *Service) TakeOverIdem(ctx context.Context, principal, key, oldToken, newToken string, now time.Time) (bool, error) {
	return s.st.TakeOverIdem(ctx, principal, key, oldToken, newToken, now)
}

// TouchIdem renews a reservation's lease.
func (s *Service) TouchIdem(ctx context.Context, principal, key, token string, now time.Time) error {
	return s.st.TouchIdem(ctx, principal, key, token, now)
}

// ReleaseIdem drops a reservation whose request failed, so that a retry
// executes again.
func (s *Service) ReleaseIdem(ctx context.Context, principal, key, token string) error {
	return s.st.ReleaseIdem(ctx, principal, key, token)
}

// PutIdem stores a key's response, completing its reservation. Errors:
// store.ErrIdemExists when the key was completed by another request.
func (s *Service) PutIdem(ctx context.Context, r store.IdemRecord) error {
	return s.st.PutIdem(ctx, r)
}

// PurgeIdem deletes the Idempotency-Key records created before a time and
// returns how many.
func (s *Service) PurgeIdem(ctx context.Context, before time.Time) (int64, error) {
	return s.st.PurgeIdem(ctx, before)
}
