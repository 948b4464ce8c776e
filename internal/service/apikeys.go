package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/store"
)

// NewAPIKey creates a key bound to a role (and, for buyers and sellers, a
// party) and returns the plain key, shown once; only its SHA-256 is stored.
// It is the command line's (no caller, no audit row); admins on the pages
// use IssueAPIKey. Errors: Invalid (role, party).
func (s *Service) NewAPIKey(ctx context.Context, role actor.Role, party, name string) (plain, id string, err error) {
	if err := CheckKeyRole(role, party); err != nil {
		return "", "", err
	}
	plain, k, err := s.newKey(role, party, name)
	if err != nil {
		return "", "", err
	}
	return plain, k.ID, s.st.CreateAPIKey(ctx, k, nil)
}

// newKey makes a key: "wq_" (the sandbox's: SandboxKeyPrefix) + base64 of
// 32 random bytes, stored as its SHA-256 (hex).
func (s *Service) newKey(role actor.Role, party, name string) (string, store.APIKey, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", store.APIKey{}, err
	}
	prefix := "wq_"
	if s.sandbox {
		prefix = SandboxKeyPrefix
	}
	plain := prefix + base64.RawURLEncoding.EncodeToString(b[:])
	if !s.sandbox && strings.HasPrefix(plain, SandboxKeyPrefix) {
		return s.newKey(role, party, name) // a production key never looks like a sandbox key
	}
	sum := sha256.Sum256([]byte(plain))
	return plain, store.APIKey{ID: newID(), Hash: hex.EncodeToString(sum[:]), Role: string(role), PartyID: party, Name: name, CreatedAt: s.clock.Now()}, nil
}

// APIKeyByHash finds a key by the SHA-256 (hex) of the plain key, revoked
// or not (the caller checks RevokedAt). Errors: NotFound.
func (s *Service) APIKeyByHash(ctx context.Context, hash string) (store.APIKey, error) {
	return s.st.APIKeyByHash(ctx, hash)
}

// KeyTouchEvery is how coarsely a key's last use is written: at most once
// per key per interval (per process; the store's conditional update keeps
// replicas from writing more often than that between them).
const KeyTouchEvery = time.Minute

// ErrKeyRefused: no such key, or revoked, or expired.
var ErrKeyRefused = fault.New(fault.Unauthorized, "API 密钥无效、已吊销或已过期 / invalid, revoked or expired API key")

// AuthenticateKey finds the live key of a SHA-256 (hex) of a plain key. It
// reads the database on every call — no cache that could outlive a
// revocation — so a revoked or expired key is refused from its next
// request on every replica; its last use is recorded at most once per
// KeyTouchEvery (a failed write is logged). Errors: ErrKeyRefused,
// storage failures.
func (s *Service) AuthenticateKey(ctx context.Context, hash string) (store.APIKey, error) {
	k, err := s.st.APIKeyByHash(ctx, hash)
	now := s.now(ctx)
	if fault.Is(err, fault.NotFound) || (err == nil && !k.Live(now)) {
		return store.APIKey{}, ErrKeyRefused
	}
	if err != nil {
		return k, err
	}
	if last, ok := s.keyTouched.Load(k.ID); !ok || now.Sub(last.(time.Time)) >= KeyTouchEvery {
		if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= KeyTouchEvery {
			if err := s.st.TouchAPIKey(ctx, k.ID, now, now.Add(-KeyTouchEvery)); err != nil {
				s.log.Warn("api key: last use not recorded", "key", k.ID, "err", err)
			}
		}
		s.keyTouched.Store(k.ID, now)
	}
	return k, nil
}

// CheckKeyRole validates the role and party of a key to be created.
func CheckKeyRole(role actor.Role, party string) error {
	if !slices.Contains(Roles, role) {
		return fault.Field("role", "角色 %q 无效，须为 integration / buyer / seller / agent / senior_agent / admin / role %q is not one of integration, buyer, seller, agent, senior_agent, admin", role, role)
	}
	if (role == actor.Buyer || role == actor.Seller) && !ValidID(party) {
		return fault.Field("party", "买家/卖家密钥须绑定 --party ID / buyer and seller keys need --party ID")
	}
	if role != actor.Buyer && role != actor.Seller && party != "" {
		return fault.Field("party", "只有买家/卖家密钥绑定参与方 / only buyer and seller keys are bound to a party")
	}
	return nil
}
