package service

import (
	"context"
	"errors"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/store"
)

// FireStats counts what one batch of due deadlines did.
type FireStats struct {
	Claimed   int // due rows claimed
	Fired     int // applied their automatic action
	Cancelled int // stale: the request had moved on
	Skipped   int // the request was locked by a concurrent command; retried next run
	Failed    int // the action errored; left for the next run
	// FiredCases counts the fired deadlines of intervention cases (included in Fired).
	FiredCases int
	// FiredOrders counts the orders confirmed automatically (自动确认收货, included in Fired).
	FiredOrders int
}

var errSkip = errors.New("service: aggregate busy")

// FireDue fires up to limit deadlines that are due now, in one
// transaction, through the same decide-and-persist path as a party's action.
// Firing is idempotent: a deadline whose request moved on is cancelled, and a
// fired row is never fired again. The batch runs without savepoints; if one
// deadline fails unexpectedly the batch is redone with a savepoint per
// deadline so that the others still fire and the failing one waits.
func (s *Service) FireDue(ctx context.Context, limit int) (FireStats, error) {
	st, fired, err := s.fireBatch(ctx, limit, false)
	if errors.Is(err, errRedo) {
		st, fired, err = s.fireBatch(ctx, limit, true)
	}
	if err != nil {
		return FireStats{}, err
	}
	for _, f := range fired {
		s.obs.DeadlineFired(f.kind, f.late)
		s.observe(f.evs)
	}
	return st, nil
}

var errRedo = errors.New("service: redo the batch with savepoints")

func (s *Service) fireBatch(ctx context.Context, limit int, savepoints bool) (FireStats, []firedInfo, error) {
	var st FireStats
	var fired []firedInfo
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		st, fired = FireStats{}, fired[:0]
		now := s.now(ctx)
		var due []store.Deadline
		var err error
		if id := clockOf(ctx); id != "" {
			due, err = tx.ClaimDueOnClock(ctx, id, now, limit)
		} else {
			due, err = tx.ClaimDue(ctx, now, limit)
		}
		if err != nil {
			return err
		}
		st.Claimed = len(due)
		// The batch's requests and their orders in one locking read.
		var ids []string
		for _, d := range due {
			if d.AggregateType == AggAftersale {
				ids = append(ids, d.AggregateID)
			}
		}
		orders, err := tx.PrefetchAftersales(ctx, ids)
		if err != nil {
			return err
		}
		// And the balances a refund of theirs moves, locked at once in
		// account order: two worker loops (or a loop and a command) then
		// take these rows in one order and do not deadlock on them.
		if len(orders) > 0 {
			accounts := make([]ledger.Account, 0, 3*len(orders))
			for _, o := range orders {
				accounts = append(accounts, ledger.Escrow(o.ID), ledger.SellerAvailable(o.SellerID), ledger.BuyerPayout(o.BuyerID))
			}
			if _, err := tx.LedgerBalances(ctx, accounts...); err != nil {
				return err
			}
		}
		for i := range due {
			d := due[i]
			var evs []aftersale.Event
			one := func() error {
				cm := store.Commit{TestClock: clockOf(ctx)}
				var err error
				if evs, err = s.fireOne(ctx, tx, &cm, &d, now); err != nil {
					return err
				}
				if err := s.recoverReceivables(ctx, tx, &cm); err != nil {
					return err
				}
				return tx.Apply(ctx, cm)
			}
			if savepoints {
				err = tx.Savepoint(ctx, one)
			} else {
				err = one()
			}
			switch {
			case err == nil && evs == nil:
				st.Cancelled++
			case err == nil:
				st.Fired++
				if d.AggregateType == AggDispute {
					st.FiredCases++
				}
				if d.AggregateType == AggOrder {
					st.FiredOrders++
				}
				fired = append(fired, firedInfo{kind: d.Kind, late: now.Sub(d.DueAt), evs: evs, aggType: d.AggregateType, aggID: d.AggregateID, ruleID: d.RuleID, due: d.DueAt})
			case errors.Is(err, errSkip):
				st.Skipped++
			case !savepoints:
				return errRedo
			case store.IsTransient(err):
				// A deadlock with the other loop's batch (two batches lock
				// sellers' balances in different orders): not the deadline's
				// fault; it stays pending and the next run fires it.
				st.Skipped++
			default:
				st.Failed++
				s.log.ErrorContext(ctx, "deadline failed", "deadline", d.ID, "kind", d.Kind, "attempt", d.Attempts+1, "err", err)
				if err := s.deferFailed(ctx, tx, d, now, err); err != nil {
					return err
				}
			}
		}
		// The batch's queued writes go out together; should one of them
		// fail, the batch is redone with a savepoint (and a flush) per
		// deadline, so that the failure is the failing deadline's alone.
		if err := tx.Flush(ctx); err != nil && !savepoints {
			return errRedo
		} else if err != nil {
			return err
		}
		return nil
	})
	return st, fired, err
}

type firedInfo struct {
	kind           string
	late           time.Duration
	evs            []aftersale.Event
	aggType, aggID string
	ruleID         string
	due            time.Time
}

// fireOne applies one deadline to cm, through the same decide-and-record
// path as a human action. It returns the events of a fired request (empty
// for a case or a complaint, whose transitions are observed where they
// fire), or nil events when the deadline was stale and is now cancelled.
func (s *Service) fireOne(ctx context.Context, tx *store.Tx, cm *store.Commit, d *store.Deadline, now time.Time) ([]aftersale.Event, error) {
	var fired bool
	var err error
	switch d.AggregateType {
	case AggAftersale:
		return s.fireAftersale(ctx, tx, cm, d, now)
	case AggDispute:
		fired, err = s.fireDispute(ctx, tx, cm, d, now)
	case AggComplaint:
		fired, err = s.fireComplaint(ctx, tx, cm, d, now)
	case AggOrder:
		fired, err = s.fireOrder(ctx, tx, cm, d, now)
	default:
		settle(cm, d, store.DeadlineCancelled, "unknown aggregate type "+d.AggregateType, now)
	}
	if err != nil || !fired {
		return nil, err
	}
	return []aftersale.Event{}, nil
}

// fireAftersale applies a due request deadline (seller silence, the buyer's
// return window, …): two store calls, like a party's action — the load
// (served from the batch's prefetch) and the batch's Apply.
func (s *Service) fireAftersale(ctx context.Context, tx *store.Tx, cm *store.Commit, d *store.Deadline, now time.Time) ([]aftersale.Event, error) {
	cmd := aftersale.Command{Action: aftersale.Expire, Actor: aftersale.Actor{Role: aftersale.System, Via: "deadline:" + d.ID},
		DeadlineKind: aftersale.DeadlineKind(d.Kind), DeadlineDueAt: d.DueAt}
	decide := func(cur aftersale.State, o order.Order) ([]aftersale.Event, error) {
		return aftersale.Decide(cur, orderView(o, s.Policy()), cmd, s.Policy(), now)
	}
	dl := &loadDecision{decide: decide}
	ld, err := tx.LoadAftersale(ctx, d.AggregateID, store.LoadOptions{SkipLocked: true, Accounts: dl.accounts})
	if errors.Is(err, store.ErrLocked) {
		return nil, errSkip
	}
	if err != nil {
		return nil, err
	}
	var evs []aftersale.Event
	_, err = fire(cm, aftersaleAgg, ld.Request, d, now, func(aftersale.State) ([]aftersale.Event, error) {
		return dl.evs, dl.err
	}, func(cur aftersale.State, es []aftersale.Event) error {
		evs = es
		_, err := s.recordAftersale(ctx, tx, cm, aftersaleStep{cur: cur, order: ld.Order, evs: es, balances: ld.Balances, fired: d}, now)
		return err
	})
	return evs, err
}

// MaxDeadlineAttempts is how often a failing deadline is tried before it is
// settled as failed (and surfaced in logs and metrics for an operator).
const MaxDeadlineAttempts = 8

// deferFailed backs a failing deadline off exponentially (2 s, 4 s, … 256 s)
// and settles it as failed after MaxDeadlineAttempts.
func (s *Service) deferFailed(ctx context.Context, tx *store.Tx, d store.Deadline, now time.Time, cause error) error {
	note := cause.Error()
	if len(note) > 500 {
		note = note[:500]
	}
	if d.Attempts+1 >= MaxDeadlineAttempts {
		_, err := tx.SettleDeadline(ctx, d.ID, store.DeadlineFailed, note, now)
		return err
	}
	return tx.DeferDeadline(ctx, d.ID, now.Add(time.Duration(2<<d.Attempts)*time.Second), note)
}
