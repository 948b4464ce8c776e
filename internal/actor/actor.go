// Package actor names who acts on an aggregate — a party, staff or the
// system — as every event records it, and who calls the service. It is
// the one role vocabulary: the domain packages (aftersale, dispute,
// complaint) alias these types so that an actor reads the same in every
// event log, and service.Caller carries an actor.Role. It also holds what
// those event-sourced aggregates share: the event envelope (Event), the
// fold of a history into a state (Replay), and Strings for their named
// string lists.
package actor

import "time"

// Role is what an actor acts as.
type Role string

// Roles.
const (
	Buyer  Role = "buyer"
	Seller Role = "seller"
	Agent  Role = "agent"
	Senior Role = "senior_agent"
	Admin  Role = "admin"
	System Role = "system"
	// Integration is a marketplace's integration key (it acts for a party
	// with X-Act-As, or feeds orders); it is a caller, never an event actor.
	Integration Role = "integration"
	// Platform is the intervention executing a judgment on an after-sales
	// request (客服介入判定执行).
	Platform Role = "platform"
)

// Actor is who acts: a role, the party or staff id, and through what (an
// integration key acting for the party, a deadline, an escalation).
type Actor struct {
	Role Role   `json:"role"`
	ID   string `json:"id,omitempty"`
	Via  string `json:"via,omitempty"`
}

// Head is what every event records about itself: its place in the log, its
// type, who acted and when, why and under which rules and policy version.
// Event embeds it; an aggregate whose events carry their payload at the top
// level (penalty's sanctions and violations) embeds it too, so that every
// event log encodes its head the same.
type Head[T ~string] struct {
	Seq           int64     `json:"seq"`
	Type          T         `json:"type"`
	Actor         Actor     `json:"actor"`
	At            time.Time `json:"at"`
	Reason        string    `json:"reason,omitempty"`
	RuleIDs       []string  `json:"rule_ids"`
	PolicyVersion string    `json:"policy_version"`
}

// Event is the envelope of one fact in an aggregate's history: its Head and
// the aggregate's own payload. The domain packages alias an instance of it
// (aftersale.Event = actor.Event[aftersale.EventType, aftersale.Data]) so
// that every event log reads, and encodes, the same.
type Event[T ~string, D any] struct {
	Head[T]
	Data D `json:"data"`
}

// Replay folds events into a state with evolve, starting from init (the
// zero state of the aggregate, carrying its id). Evolve functions are total,
// so replay never fails.
func Replay[S, E any](init S, evolve func(S, E) S, events []E) S {
	s := init
	for _, e := range events {
		s = evolve(s, e)
	}
	return s
}

// Strings converts named strings (actions, statuses) to plain strings, as
// an error body or a JSON list wants them; it never returns nil, so an
// empty list encodes as [].
func Strings[T ~string](in []T) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		out = append(out, string(v))
	}
	return out
}
