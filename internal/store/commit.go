package store

import (
	"context"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/penalty"
)

// The write path. A command loads what it decides on (one locking read),
// decides with the pure domain package, and describes everything it writes
// as one Commit value, built without I/O; Tx.Apply writes the Commit in a
// fixed order. On PostgreSQL every statement of Apply but the ledger's
// posted-before checks is a queued write (pipeline.go), so the whole
// Commit leaves as one pipeline at commit. The save, append, enqueue,
// deadline and idempotency statements are unexported parts of Apply.

// Row is a state row to write with its optimistic version check: Prev is
// the version the command read (0: insert a new row).
type Row[T any] struct {
	Value T
	Prev  int64
}

// LedgerPost is a ledger plan to post. Fresh: every transaction id was
// minted by the command (a UUIDv7), so none can have been posted before and
// the posted-before checks are skipped.
type LedgerPost struct {
	Plan  ledger.Plan
	Fresh bool
}

// DeadlineChange sets an aggregate's pending deadline: Row nil cancels it;
// Insert means the aggregate's state wanted none before (no pending row to
// cancel: one statement instead of two).
type DeadlineChange struct {
	AggregateType string
	AggregateID   string
	Row           *Deadline
	Insert        bool
	At            time.Time
}

// DeadlineSettle marks a pending deadline settled. Fired deadlines (the
// command applied them) must still be pending: another run that settled
// them first makes the command stale (ErrStale). A cancelled or failed
// settle of a row no longer pending does nothing.
type DeadlineSettle struct {
	ID    string
	State string // DeadlineFired, DeadlineCancelled or DeadlineFailed
	Note  string
	At    time.Time
}

// InterventionClose gives an after-sales request's open intervention
// requests a final status.
type InterventionClose struct {
	AftersaleID string
	Status      string
}

// Commit is everything one command writes, as one value. Tx.Apply writes it
// in this order: ledger postings (the only part that reads: balances and
// posted-before checks), state rows (orders, requests, cases, complaints,
// sanctions, violations, service facts, scripts), events, outbox messages, settled and
// changed deadlines, intervention records, manual-intervention refunds,
// evidence and claimed drafts, rule book changes, calendar imports, personal-data reveals,
// redactions and evidence purges, and the idempotency record last.
type Commit struct {
	Ledger             []LedgerPost
	Orders             []Row[order.Order]
	Aftersales         []Row[aftersale.State]
	Disputes           []Row[dispute.State]
	Complaints         []Row[complaint.State]
	Sanctions          []Row[penalty.Sanction]  // updates of sanctions (new ones: Tx.InsertSanction)
	Violations         []Row[penalty.Violation] // updates of violations (new ones: Tx.InsertViolation)
	ServiceFacts       []Row[ServiceFact]
	Scripts            []Row[ScriptRow]
	Events             []EventRecord
	Outbox             []OutboxMessage
	Settled            []DeadlineSettle
	Deadlines          []DeadlineChange
	CloseInterventions []InterventionClose
	Interventions      []Intervention
	ManualRefunds      []ManualInterventionRefund
	Evidence           []Evidence
	EvidenceClaims     []EvidenceClaim // draft evidence joining the complaint that cites it
	PolicyChanges      []PolicyChange
	CalendarImports    []CalendarImport
	PIIReveals         []PIIReveal     // the reveal log (PIPL art. 51(4))
	PIIRedactions      []PIIRedaction  // retention: phone and address erased
	EvidencePurges     []EvidencePurge // retention: blobs deleted, rows kept
	Idem               *IdemRecord
	// TestClock is the sandbox test clock the command ran on ("" wall
	// time): the deadlines it sets carry it, and an order it creates is
	// put on it.
	TestClock string
}

// Pending returns balances b moved by the Commit's ledger plans, so that a
// command that plans a second movement after a first sees the first.
func (c *Commit) Pending(b ledger.Balances) ledger.Balances {
	plans := make([]ledger.Plan, len(c.Ledger))
	for i, lp := range c.Ledger {
		plans[i] = lp.Plan
	}
	return b.After(plans...)
}

// Apply writes c in the transaction (see Commit for the order). Errors:
// Conflict (ErrStale) when a version check fails, an event sequence or an
// outbox key is taken, or a fired deadline was settled by another run;
// ErrIdemExists when the idempotency key was recorded first; the ledger's
// errors (Invalid, Conflict with *ledger.InsufficientError). On PostgreSQL
// some of them are reported only when the transaction commits.
func (t *Tx) Apply(ctx context.Context, c Commit) error {
	steps := []func() error{
		func() error { return each(ctx, c.Ledger, t.post) },
		func() error { return each(ctx, c.Orders, saveRow(t.saveOrder)) },
		func() error { return t.clockOrders(ctx, c) },
		func() error { return each(ctx, c.Aftersales, saveRow(t.saveAftersale)) },
		func() error { return each(ctx, c.Disputes, saveRow(t.saveDispute)) },
		func() error { return each(ctx, c.Complaints, saveRow(t.saveComplaint)) },
		func() error { return each(ctx, c.Sanctions, saveRow(t.saveSanction)) },
		func() error { return each(ctx, c.Violations, saveRow(t.saveViolation)) },
		func() error { return each(ctx, c.ServiceFacts, saveRow(t.saveServiceFact)) },
		func() error { return each(ctx, c.Scripts, saveRow(t.saveScript)) },
		func() error { return t.appendEvents(ctx, c.Events) },
		func() error { return t.enqueueOutbox(ctx, c.Outbox...) },
		func() error { return each(ctx, c.Settled, t.settle) },
		func() error {
			return each(ctx, c.Deadlines, func(ctx context.Context, d DeadlineChange) error { return t.setDeadline(ctx, d, c.TestClock) })
		},
		func() error { return each(ctx, c.CloseInterventions, t.closeIntervention) },
		func() error { return each(ctx, c.Interventions, t.insertIntervention) },
		func() error { return each(ctx, c.ManualRefunds, t.recordManualInterventionRefund) },
		func() error { return each(ctx, c.Evidence, t.insertEvidenceValue) },
		func() error { return each(ctx, c.EvidenceClaims, t.claimEvidence) },
		func() error { return each(ctx, c.PolicyChanges, t.insertPolicyChange) },
		func() error { return each(ctx, c.CalendarImports, t.insertCalendarImport) },
		func() error { return each(ctx, c.PIIReveals, t.insertPIIReveal) },
		func() error { return each(ctx, c.PIIRedactions, t.redactPII) },
		func() error { return each(ctx, c.EvidencePurges, t.purgeEvidence) },
		func() error {
			if c.Idem == nil {
				return nil
			}
			return t.putIdem(ctx, *c.Idem)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// each writes the items of one part of a Commit in order.
func each[T any](ctx context.Context, items []T, write func(context.Context, T) error) error {
	for _, it := range items {
		if err := write(ctx, it); err != nil {
			return err
		}
	}
	return nil
}

// saveRow adapts a version-checked save to a Row.
func saveRow[T any](save func(context.Context, T, int64) error) func(context.Context, Row[T]) error {
	return func(ctx context.Context, r Row[T]) error { return save(ctx, r.Value, r.Prev) }
}

// post posts a ledger plan (fresh: without the posted-before checks).
func (t *Tx) post(ctx context.Context, lp LedgerPost) error {
	if lp.Fresh {
		return t.PostFreshPlan(ctx, lp.Plan)
	}
	return t.PostPlan(ctx, lp.Plan)
}

// setDeadline writes one DeadlineChange.
func (t *Tx) setDeadline(ctx context.Context, d DeadlineChange, clockID string) error {
	if d.Insert {
		return t.insertDeadline(ctx, d.AggregateType, d.AggregateID, d.Row, d.At, clockID)
	}
	return t.replaceDeadline(ctx, d.AggregateType, d.AggregateID, d.Row, d.At, clockID)
}

// clockOrders puts the orders c creates on c's test clock.
func (t *Tx) clockOrders(ctx context.Context, c Commit) error {
	if c.TestClock == "" {
		return nil
	}
	for _, o := range c.Orders {
		if o.Prev == 0 {
			if err := t.setOrderClock(ctx, o.Value.ID, c.TestClock); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Tx) closeIntervention(ctx context.Context, ic InterventionClose) error {
	return t.closeInterventions(ctx, ic.AftersaleID, ic.Status)
}

func (t *Tx) insertEvidenceValue(ctx context.Context, e Evidence) error {
	return t.InsertEvidence(ctx, &e)
}

// settle writes one DeadlineSettle.
func (t *Tx) settle(ctx context.Context, s DeadlineSettle) error {
	if s.State == DeadlineFired {
		return t.settleFired(ctx, s.ID, s.At)
	}
	return t.execLater(ctx, `UPDATE deadlines SET state = ?, settled_at = ?, note = ? WHERE id = ? AND state = ?`,
		plainErr, s.State, micros(s.At), s.Note, s.ID, DeadlinePending)
}
