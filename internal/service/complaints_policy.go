package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/store"
)

// PolicyChange is the result of setting a new rule book version.
type PolicyChange struct {
	Version     string          `json:"version"`
	Digest      string          `json:"digest"`
	PrevVersion string          `json:"prev_version"`
	PrevDigest  string          `json:"prev_digest"`
	Author      string          `json:"author"`
	Diff        []policy.Change `json:"diff"`
	CreatedAt   string          `json:"created_at"`
}

// PolicyError turns a rule book validation error into an Invalid fault
// naming the key.
func PolicyError(err error) error {
	var pe *policy.Error
	if errors.As(err, &pe) {
		field := pe.Key
		if field == "" {
			field = "body"
		}
		return &fault.Error{Code: fault.Invalid, Field: field, Message: fmt.Sprintf("规则书无效：%s / invalid rule book: %s", pe.Error(), pe.Error()), Cause: err}
	}
	return err
}

// SetPolicy makes a new rule book version the one in force (admins only):
// it is validated, stored with its author and its diff against the version
// it replaces, and used by every later decision. Earlier decisions keep the
// version and the rule values they were made under (they are recorded on
// them). Errors: Forbidden, Invalid (naming the bad key), Conflict (the
// version name is taken, or nothing changed).
func (s *Service) SetPolicy(ctx context.Context, c Caller, raw []byte) (PolicyChange, error) {
	if c.Role != actor.Admin {
		return PolicyChange{}, forbidden("只有管理员可以修改规则书 / only admins change the rule book")
	}
	next, err := policy.Parse(raw)
	if err != nil {
		return PolicyChange{}, PolicyError(err)
	}
	var out PolicyChange
	err = s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		cur := s.Policy()
		if next.Digest == cur.Digest {
			return &fault.Error{Code: fault.Conflict, Field: "version", Message: "规则书未变化 / the rule book is unchanged"}
		}
		if next.Version == cur.Version {
			return &fault.Error{Code: fault.Conflict, Field: "version", Message: fmt.Sprintf("规则书版本 %s 已在使用，请使用新的版本号 / version %s is in force: name the new version", cur.Version, cur.Version)}
		}
		diff := policy.Diff(cur, next)
		d, _ := json.Marshal(diff)
		now := s.now(ctx)
		out = PolicyChange{Version: next.Version, Digest: next.Digest, PrevVersion: cur.Version, PrevDigest: cur.Digest, Author: keyOf(c),
			Diff: diff, CreatedAt: now.Format("2006-01-02T15:04:05.999999Z07:00")}
		// The version in force is recorded once, so that decisions made under it stay readable.
		cm.PolicyChanges = append(cm.PolicyChanges, store.PolicyChange{ID: newID(), Version: next.Version, Digest: next.Digest, PrevDigest: cur.Digest,
			Author: out.Author, Diff: d, Body: next.JSON(), CreatedAt: now})
		return s.respond(c, cm, out)
	})
	if err != nil {
		return PolicyChange{}, err
	}
	if err := s.RecordPolicy(ctx); err != nil { // the previous version, if never recorded
		s.log.WarnContext(ctx, "record previous policy", "err", err)
	}
	s.book.Store(next)
	return out, nil
}

// PolicyVersion returns a stored rule book version by name (the one in
// force, or one set earlier through SetPolicy or recorded at start).
func (s *Service) PolicyVersion(ctx context.Context, version string) (*policy.Book, error) {
	if b := s.Policy(); b.Version == version {
		return b, nil
	}
	body, err := s.st.PolicyVersionBody(ctx, version)
	if err != nil {
		return nil, err
	}
	return policy.ParseStored(body)
}

// LoadStoredPolicy puts in force the newest rule book version set through
// SetPolicy, if the database has one whose version differs from the book in
// force, so that a restart keeps an admin's change. It reports whether it
// changed the book. (Call it at start, after RecordPolicy.)
func (s *Service) LoadStoredPolicy(ctx context.Context) (bool, error) {
	c, ok, err := s.st.LatestPolicyChange(ctx)
	if err != nil || !ok || c.Digest == s.Policy().Digest {
		return false, err
	}
	b, err := policy.ParseStored(c.Body)
	if err != nil {
		return false, fmt.Errorf("service: stored rule book %s: %w", c.Version, err)
	}
	s.book.Store(b)
	return true, nil
}
