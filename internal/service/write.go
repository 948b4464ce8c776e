package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/store"
)

// The write path (CONTRIBUTING.md, "The write path"): a command loads what
// it decides on, decides with the pure domain package, and adds everything
// it writes to one store.Commit with the generic record below; run
// applies the Commit in the command's transaction. An aggregate takes part
// through a descriptor: how it evolves, how its events are logged and
// notified, which deadline its state wants and how its row is saved.

// aggregate describes one aggregate type (S its state, E its event) to the
// generic record.
type aggregate[S, E any] struct {
	typ     string                                            // aggregate type in the event log, outbox and deadline table
	id      func(S) string                                    // the aggregate's id
	version func(S) int64                                     // its version (the sequence of its last event)
	evolve  func(S, E) S                                      // the domain's Evolve
	event   func(*E) (*int64, store.EventRecord)              // the event's Seq field and its log fields (type, actor, time, reason, rules, policy, data)
	payload func(next S, r store.EventRecord) json.RawMessage // the outbox body of a logged event
	// extra are further outbox messages an event asks for (a hidden review, say).
	extra func(next S, e E, seq int64, now time.Time) []store.OutboxMessage
	// deadline is the pending deadline row the state wants (nil: none); its
	// ID is set by record from deadlineSeq.
	deadline func(S) *store.Deadline
	// deadlineSeq is the event sequence that names a new deadline row
	// ("<id>/<seq>"); nil: the aggregate's new version.
	deadlineSeq func(next S, evs []E) int64
	save        func(c *store.Commit, next S, prev int64)
}

// record evolves cur through evs (numbering them), and adds to c the events,
// their outbox messages, the new state row (version-checked against cur),
// the settlement of the deadline being fired (fired, or nil) and the change
// of the pending deadline the new state wants.
func record[S, E any](c *store.Commit, a aggregate[S, E], cur S, evs []E, now time.Time, fired *store.Deadline) S {
	next := cur
	id := a.id(cur)
	for i := range evs {
		seq, r := a.event(&evs[i])
		*seq = a.version(next) + 1
		next = a.evolve(next, evs[i])
		r.AggregateType, r.AggregateID, r.Seq, r.ID = a.typ, id, *seq, newID()
		c.Events = append(c.Events, r)
		c.Outbox = append(c.Outbox, store.OutboxMessage{Topic: a.typ + "." + r.Type, AggregateType: a.typ, AggregateID: id,
			AggregateSeq: r.Seq, CreatedAt: now, Payload: a.payload(next, r)})
		if a.extra != nil {
			c.Outbox = append(c.Outbox, a.extra(next, evs[i], r.Seq, now)...)
		}
	}
	a.save(c, next, a.version(cur))
	if fired != nil {
		c.Settled = append(c.Settled, store.DeadlineSettle{ID: fired.ID, State: store.DeadlineFired, At: now})
	}
	d0, d1 := a.deadline(cur), a.deadline(next)
	// A fired deadline was the pending row and is settled above: with no new
	// deadline there is nothing left to cancel.
	if !sameDeadlineRow(d0, d1) && (fired == nil || d1 != nil) {
		if d1 != nil {
			seq := a.version(next)
			if a.deadlineSeq != nil {
				seq = a.deadlineSeq(next, evs)
			}
			d1.ID = fmt.Sprintf("%s/%d", id, seq)
		}
		// The state wanted none before: there is no pending row to cancel.
		c.Deadlines = append(c.Deadlines, store.DeadlineChange{AggregateType: a.typ, AggregateID: id, Row: d1, Insert: d0 == nil, At: now})
	}
	return next
}

func sameDeadlineRow(a, b *store.Deadline) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Kind == b.Kind && a.DueAt.Equal(b.DueAt)
}

// logged is an event's log fields and its Seq to number, for the domain
// events that share actor.Event's envelope.
func logged[T ~string, D any](e *actor.Event[T, D]) (*int64, store.EventRecord) {
	return &e.Seq, logFields(string(e.Type), e.Actor, e.At, e.Reason, e.RuleIDs, e.PolicyVersion, e.Data)
}

// logFields are the fields every domain event carries, as the event log
// stores them.
func logFields(typ string, actor any, at time.Time, reason string, rules []string, policyVersion string, data any) store.EventRecord {
	a, _ := json.Marshal(actor)
	d, _ := json.Marshal(data)
	return store.EventRecord{Type: typ, Actor: a, At: at, Reason: reason, RuleIDs: rules, PolicyVersion: policyVersion, Data: d}
}

// settle adds the settlement of a deadline the command did not apply
// (cancelled: its aggregate moved on) to c.
func settle(c *store.Commit, d *store.Deadline, state, note string, now time.Time) {
	c.Settled = append(c.Settled, store.DeadlineSettle{ID: d.ID, State: state, Note: note, At: now})
}

// command runs one command: build (load → decide → record into the Commit
// it is given) and Apply, in one transaction, retried when it lost an
// optimistic race; the caller's idempotency record (if any) goes into the
// same Commit, rendered from build's result.
func command[T any](ctx context.Context, s *Service, c Caller, build func(tx *store.Tx, cm *store.Commit) (T, error)) (T, error) {
	var out T
	err := s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		var err error
		if out, err = build(tx, cm); err != nil {
			return err
		}
		return s.respond(c, cm, out)
	})
	return out, err
}

// fire applies a due deadline d to cur, the aggregate it belongs to, adding
// to cm: a state that no longer wants this deadline, or a refusal by the
// domain (Conflict), cancels it; otherwise decide's events are recorded by
// rec, which settles d as fired. It reports whether d fired.
func fire[S, E any](cm *store.Commit, a aggregate[S, E], cur S, d *store.Deadline, now time.Time,
	decide func(S) ([]E, error), rec func(S, []E) error) (bool, error) {
	if w := a.deadline(cur); w == nil || w.Kind != d.Kind || !w.DueAt.Equal(d.DueAt) {
		settle(cm, d, store.DeadlineCancelled, "stale: 期限已失效 / the deadline is no longer live", now)
		return false, nil
	}
	evs, err := decide(cur)
	if fault.Is(err, fault.Conflict) {
		settle(cm, d, store.DeadlineCancelled, err.Error(), now)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, rec(cur, evs)
}

// run is command for builds that return only an error (they set their
// result themselves and hand it to respond).
func (s *Service) run(ctx context.Context, build func(tx *store.Tx, cm *store.Commit) error) error {
	return retryStale(func() error {
		return s.st.InTx(ctx, func(tx *store.Tx) error {
			cm := store.Commit{TestClock: clockOf(ctx)}
			if err := build(tx, &cm); err != nil {
				return err
			}
			if err := s.recoverReceivables(ctx, tx, &cm); err != nil {
				return err
			}
			return tx.Apply(ctx, cm)
		})
	})
}

// respond stores result, in cm, as the response to the caller's
// idempotency key (if it has one).
func (s *Service) respond(c Caller, cm *store.Commit, result any) error {
	cm.Idem = s.idemRecord(c, result)
	return nil
}

// decodeEvents turns stored records back into domain events (for replay):
// head fills an event's log fields from its record and says where its
// actor and data decode to.
func decodeEvents[E any](recs []store.EventRecord, head func(store.EventRecord, *E) (actor, data any)) ([]E, error) {
	out := make([]E, len(recs))
	for i, r := range recs {
		a, d := head(r, &out[i])
		if err := json.Unmarshal(r.Actor, a); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r.Data, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recoverReceivables adds to cm, before it is applied, the recovery of what
// sellers owe the guarantee fund from the money cm pays them (an escrow
// release, a deposit top-up, 调帐): the receivable is repaid first,
// automatically, as its own repay_receivable transaction citing
// ledger.recover_receivable and arts. 86–87 (ledger.Recover). Every command
// and every fired deadline passes here, so no payment to a seller that owes
// the fund escapes it.
func (s *Service) recoverReceivables(ctx context.Context, tx *store.Tx, cm *store.Commit) error {
	on, rid := s.Policy().Switch("ledger.recover_receivable")
	if !on || len(cm.Ledger) == 0 {
		return nil
	}
	var txs []ledger.Transaction
	for _, lp := range cm.Ledger {
		txs = append(txs, lp.Plan.Transactions...)
	}
	accts := ledger.RecoveryAccounts(txs)
	if len(accts) == 0 {
		return nil
	}
	b, err := tx.LedgerBalances(ctx, accts...)
	if err != nil {
		return err
	}
	if p := ledger.Recover(txs, b, []string{rid}); len(p.Transactions) > 0 {
		cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p})
	}
	return nil
}
