// Package actor names who acts on an aggregate — a party, staff or the
// system — as every event records it. The domain packages (dispute,
// complaint) alias these types so that an actor reads the same in every
// event log.
package actor

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
)

// Actor is who acts: a role, the party or staff id, and through what (an
// integration key acting for the party, a deadline, an escalation).
type Actor struct {
	Role Role   `json:"role"`
	ID   string `json:"id,omitempty"`
	Via  string `json:"via,omitempty"`
}
