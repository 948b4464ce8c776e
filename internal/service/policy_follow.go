package service

import (
	"context"
	"fmt"
	"sync"

	"github.com/weiquan/weiquan/internal/policy"
)

// PolicyFollower keeps a replica's rule book in step with the database:
// a version set through PUT /v1/policy on another replica (a new row of
// policy_changes) is put in force here at the next Poll. Changes that were
// already stored when the follower was made are not re-applied, so that a
// rule book given at start (--policy FILE) stays in force until an admin
// sets a newer one.
type PolicyFollower struct {
	s    *Service
	mu   sync.Mutex
	seen string // ID of the newest policy change looked at
}

// FollowPolicy returns a follower that starts from the newest stored
// change.
func (s *Service) FollowPolicy(ctx context.Context) (*PolicyFollower, error) {
	c, _, err := s.st.LatestPolicyChange(ctx)
	if err != nil {
		return nil, err
	}
	return &PolicyFollower{s: s, seen: c.ID}, nil
}

// Poll looks for a policy change newer than the last one seen; if its rule
// book is not the one in force, it is put in force and returned with
// changed true (the caller logs it). A change made on this replica is seen
// and skipped (its book is already in force).
func (f *PolicyFollower) Poll(ctx context.Context) (book *policy.Book, changed bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok, err := f.s.st.LatestPolicyChange(ctx)
	if err != nil || !ok || c.ID == f.seen {
		return f.s.Policy(), false, err
	}
	if c.Digest == f.s.Policy().Digest {
		f.seen = c.ID
		return f.s.Policy(), false, nil
	}
	b, err := policy.ParseStored(c.Body)
	if err != nil {
		return f.s.Policy(), false, fmt.Errorf("service: stored rule book %s: %w", c.Version, err)
	}
	f.seen = c.ID
	f.s.book.Store(b)
	return b, true, nil
}
