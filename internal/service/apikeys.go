package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"

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

// newKey makes a key: "wq_" + base64 of 32 random bytes, stored as its
// SHA-256 (hex).
func (s *Service) newKey(role actor.Role, party, name string) (string, store.APIKey, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", store.APIKey{}, err
	}
	plain := "wq_" + base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(plain))
	return plain, store.APIKey{ID: newID(), Hash: hex.EncodeToString(sum[:]), Role: string(role), PartyID: party, Name: name, CreatedAt: s.clock.Now()}, nil
}

// APIKeyByHash finds a key by the SHA-256 (hex) of the plain key, revoked
// or not (the caller checks RevokedAt). Errors: NotFound.
func (s *Service) APIKeyByHash(ctx context.Context, hash string) (store.APIKey, error) {
	return s.st.APIKeyByHash(ctx, hash)
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
