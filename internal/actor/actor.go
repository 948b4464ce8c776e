// Package actor names who acts on an aggregate — a party, staff or the
// system — as every event records it, and who calls the service. It is
// the one role vocabulary: the domain packages (aftersale, dispute,
// complaint) alias these types so that an actor reads the same in every
// event log, and service.Caller carries an actor.Role.
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
