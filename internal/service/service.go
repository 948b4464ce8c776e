// Package service holds weiquan's use cases. Each command runs in one
// transaction: load the aggregate, decide with the pure domain package,
// persist the events, the new state, the deadlines it wants (cancelling those
// it no longer wants), the order's refund total and the idempotent response —
// all or nothing. The deadline worker fires timeouts through the same path.
package service

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/netguard"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/store"
)

// Aggregate type names in the event log and deadline table.
const (
	AggOrder     = "order"
	AggAftersale = "aftersale"
)

// Observer is told about committed transitions and fired deadlines (metrics).
type Observer interface {
	Transition(aggType, eventType string)
	DeadlineFired(kind string, late time.Duration)
}

type nopObserver struct{}

func (nopObserver) Transition(string, string)           {}
func (nopObserver) DeadlineFired(string, time.Duration) {}

// Service is the application core.
type Service struct {
	st    *store.Store
	book  atomic.Pointer[policy.Book]
	clock clock.Clock
	obs   Observer
	log   *slog.Logger
	blobs *evidence.Blobs
	// keyTouched: key id → when this process last wrote its last use (a
	// write limiter only: never consulted for whether a key is valid).
	keyTouched sync.Map
	// signInSecret is the marketplace's shared secret for sign-in tokens
	// (SetSignInSecret); empty: only links minted by POST /v1/sign-in-links.
	signInSecret []byte
	// hookNets allow-lists webhook addresses beyond the public ones.
	hookNets netguard.Policy
	// cal is the working-day calendar in force (see calendar.go).
	cal atomic.Pointer[calState]
	// sandbox: this is the sandbox's service (test clocks, sandbox keys).
	sandbox bool
}

// Options configure a Service.
type Options struct {
	Clock    clock.Clock
	Observer Observer
	Logger   *slog.Logger
	// Sandbox makes the service the sandbox's (testclocks.go): its keys
	// begin with SandboxKeyPrefix and it keeps test clocks.
	Sandbox bool
}

// New returns a service over an open, migrated store.
func New(st *store.Store, book *policy.Book, o Options) *Service {
	s := &Service{st: st, clock: o.Clock, obs: o.Observer, log: o.Logger, sandbox: o.Sandbox}
	if s.clock == nil {
		s.clock = clock.System{}
	}
	if s.obs == nil {
		s.obs = nopObserver{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.book.Store(book)
	return s
}

// Policy returns the rule book in force.
func (s *Service) Policy() *policy.Book { return s.book.Load() }

// Now returns the service clock's time.
func (s *Service) Now() time.Time { return s.clock.Now() }

// RecordPolicy stores the rule book in force in the policy history.
func (s *Service) RecordPolicy(ctx context.Context) error {
	b := s.Policy()
	return s.st.RecordPolicy(ctx, b.Digest, b.Version, b.JSON(), s.now(ctx))
}

// Caller is who calls: a role and, for buyers and sellers, their party ID.
// An integration key acting for a party arrives here as that party, with Via
// naming the key.
type Caller struct {
	Role    actor.Role // integration, buyer, seller, agent, senior_agent, admin
	PartyID string
	Via     string
	// Idem, when set, is the request's Idempotency-Key: a command stores its
	// response with its writes.
	Idem *Idem
}

// Roles lists the valid caller roles.
var Roles = []actor.Role{actor.Integration, actor.Buyer, actor.Seller, actor.Agent, actor.Senior, actor.Admin}

func (c Caller) actorJSON() json.RawMessage {
	b, _ := json.Marshal(aftersale.Actor{Role: aftersale.Role(c.Role), ID: c.PartyID, Via: c.Via})
	return b
}

// Idem carries an Idempotency-Key through a command (Caller.Idem) so that
// the response is stored in the command's own Commit. Render turns the
// command's result into the HTTP status and body; after a successful
// command Status and Body hold what was stored.
type Idem struct {
	Principal string
	Key       string
	Method    string
	Path      string
	BodyHash  string
	Render    func(result any) (int, []byte)
	Status    int
	Body      []byte
	// Token is the key's reservation (store.ReserveIdem) the response completes.
	Token string
}

// idemRecord renders result for the caller's idempotency key, if it has
// one, as the record the command's Commit stores.
func (s *Service) idemRecord(c Caller, result any) *store.IdemRecord {
	i := c.Idem
	if i == nil {
		return nil
	}
	i.Status, i.Body = i.Render(result)
	// A key already used comes back as ErrIdemRace, here or at commit.
	return &store.IdemRecord{Principal: i.Principal, Key: i.Key, Method: i.Method, Path: i.Path,
		BodyHash: i.BodyHash, Status: i.Status, Response: i.Body, CreatedAt: s.clock.Now(), Token: i.Token}
}

// ErrIdemRace: a concurrent request with the same Idempotency-Key committed
// first; the caller replays the stored response. It is the store's
// ErrIdemExists, which a command's transaction may report only when its
// queued writes are sent (at commit).
var ErrIdemRace = store.ErrIdemExists

// retryStale runs a command again when it lost an optimistic race: the next
// attempt re-reads the state and either succeeds or is refused by the
// domain with the current status and allowed actions.
func retryStale(fn func() error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = fn()
		if err == nil || !errors.Is(err, store.ErrStale) {
			return err
		}
	}
	return err
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

// ValidID reports whether an externally chosen ID (order, party) is acceptable.
func ValidID(id string) bool { return idPattern.MatchString(id) }

func forbidden(msg string) error { return fault.New(fault.Forbidden, "%s", msg) }

// eventPayload is an event as notifications carry it (the "event" member
// of every aggregate's outbox payload).
func eventPayload(r store.EventRecord) map[string]any {
	return map[string]any{"id": r.ID, "type": r.Type, "seq": r.Seq, "actor": r.Actor, "at": r.At, "reason": r.Reason,
		"rule_ids": r.RuleIDs, "policy_version": r.PolicyVersion, "data": r.Data}
}
