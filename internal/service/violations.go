package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/store"
)

// AggViolation is the aggregate type of violations in the event log and outbox.
const AggViolation = "violation"

// ViolationView is a violation as the API shows it: the sanctions its
// points imposed and the actions possible now.
type ViolationView struct {
	penalty.Violation
	SanctionIDs    []string `json:"sanction_ids"`
	AllowedActions []string `json:"allowed_actions"`
}

func violationView(v penalty.Violation, sanctions []string) ViolationView {
	if sanctions == nil {
		sanctions = []string{}
	}
	return ViolationView{Violation: v, SanctionIDs: sanctions, AllowedActions: actor.Strings(penalty.AllowedOnViolation(v))}
}

func violationNotFound(id string) error {
	return fault.New(fault.NotFound, "违规记录 %s 不存在 / violation %s not found", id, id)
}

// RecordViolation is an agent recording a violation directly (a severe,
// class B one such as leaking personal information, or any type of the rule
// book): the violation with the book's class and points, the sanctions its
// points reach (penalty.thresholds), and the party notified. Errors:
// Forbidden (not an agent), Invalid (penalty.RecordDirect), NotFound (an
// unknown party).
func (s *Service) RecordViolation(ctx context.Context, c Caller, in penalty.DirectInput) (ViolationView, error) {
	who, err := actorOf(c)
	if err != nil {
		return ViolationView{}, err
	}
	if !ValidID(in.PartyID) {
		return ViolationView{}, fault.Field("party_id", "ID须为1–64位字母、数字或 _.:- / ids are 1–64 letters, digits or _.:-")
	}
	return command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (ViolationView, error) {
		now, b := s.now(ctx), s.Policy()
		v, ev, err := penalty.RecordDirect(newID(), in, who, b, now)
		if err != nil {
			return ViolationView{}, err
		}
		if known, err := s.st.PartyHasOrders(ctx, v.PartyRole, v.PartyID); err != nil {
			return ViolationView{}, err
		} else if !known {
			return ViolationView{}, &fault.Error{Code: fault.NotFound, Field: "party_id", Message: fmt.Sprintf("没有当事方 %s 的任何记录 / no record of party %s", v.PartyID, v.PartyID)}
		}
		if err := tx.LockParty(ctx, v.PartyRole, v.PartyID); err != nil {
			return ViolationView{}, err
		}
		if err := tx.InsertViolation(ctx, v); err != nil {
			return ViolationView{}, err
		}
		recordViolationEvents(cm, v, []penalty.ViolationEvent{ev}, now)
		ids, err := s.applyPoints(ctx, tx, cm, v.PartyRole, v.PartyID, v.Class, now)
		if err != nil {
			return ViolationView{}, err
		}
		return violationView(v, ids), nil
	})
}

// GetViolation reads a violation: its party and the platform's staff.
// Errors: NotFound.
func (s *Service) GetViolation(ctx context.Context, c Caller, id string) (ViolationView, error) {
	v, err := s.st.GetViolation(ctx, id)
	v, err = visible(v, err, mayReadViolation(c, v), violationNotFound(id))
	if err != nil {
		return ViolationView{}, err
	}
	return violationView(v, s.sanctionsOf(ctx, v)), nil
}

func mayReadViolation(c Caller, v penalty.Violation) bool {
	if c.Role == actor.Buyer || c.Role == actor.Seller {
		return string(c.Role) == v.PartyRole && c.PartyID == v.PartyID
	}
	return true
}

func (s *Service) sanctionsOf(ctx context.Context, v penalty.Violation) []string {
	sans, err := s.st.PartySanctions(ctx, v.PartyRole, v.PartyID)
	if err != nil {
		return nil
	}
	var ids []string
	for _, x := range sans {
		for _, id := range x.Violations {
			if id == v.ID {
				ids = append(ids, x.ID)
			}
		}
	}
	return ids
}

// ViolationCommand is an appeal or its decision.
type ViolationCommand = SanctionCommand

// ActViolation applies the party's appeal or the senior tier's decision on
// it; a revoked violation's points stop counting and the sanctions they
// imposed are revoked with it. Errors: NotFound, Forbidden, Conflict,
// Invalid (penalty.DecideViolation).
func (s *Service) ActViolation(ctx context.Context, c Caller, id string, cmd ViolationCommand) (ViolationView, error) {
	who, err := actorOf(c)
	if err != nil {
		return ViolationView{}, err
	}
	return command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (ViolationView, error) {
		now, b := s.now(ctx), s.Policy()
		cur, err := tx.GetViolation(ctx, id, store.ForUpdate)
		if err != nil {
			return ViolationView{}, err
		}
		if !mayReadViolation(c, cur) {
			return ViolationView{}, violationNotFound(id)
		}
		ev, err := penalty.DecideViolation(cur, cmd.Action, who, cmd.Reason, cmd.Procedural, cmd.EvidenceIDs, cmd.Revoke, cmd.RuleIDs, b, now)
		if err != nil {
			return ViolationView{}, err
		}
		next := penalty.EvolveViolation(cur, ev)
		cm.Violations = append(cm.Violations, store.Row[penalty.Violation]{Value: next, Prev: cur.Version})
		recordViolationEvents(cm, next, []penalty.ViolationEvent{ev}, now)
		var ids []string
		sans, err := s.st.PartySanctions(ctx, cur.PartyRole, cur.PartyID)
		if err != nil {
			return ViolationView{}, err
		}
		for _, x := range sans {
			if ev.Type == penalty.EvViolationRevoked {
				if evs := penalty.RevokeFor(x, cur.ID, *ev.Decision, b, now); evs != nil {
					nx := penalty.Evolve(x, evs[0])
					cm.Sanctions = append(cm.Sanctions, store.Row[penalty.Sanction]{Value: nx, Prev: x.Version})
					recordSanctionEvents(cm, nx, evs, now)
				}
			}
			for _, vid := range x.Violations {
				if vid == cur.ID {
					ids = append(ids, x.ID)
				}
			}
		}
		return violationView(next, ids), nil
	})
}

// recordViolationEvents adds a violation's events and their notifications
// (the party is addressed: "<role>_id") to cm.
func recordViolationEvents(cm *store.Commit, v penalty.Violation, evs []penalty.ViolationEvent, now time.Time) {
	for _, e := range evs {
		who, _ := json.Marshal(e.Actor)
		data, _ := json.Marshal(map[string]any{"violation": e.Violation, "appeal": e.Appeal, "decision": e.Decision})
		r := store.EventRecord{AggregateType: AggViolation, AggregateID: v.ID, Seq: e.Seq, ID: newID(), Type: e.Type, Actor: who, At: e.At,
			Reason: e.Reason, RuleIDs: e.RuleIDs, PolicyVersion: e.PolicyVersion, Data: data}
		cm.Events = append(cm.Events, r)
		p := map[string]any{"violation_id": v.ID, "party_role": v.PartyRole, "party_id": v.PartyID, "type": v.Type, "class": v.Class,
			"points": v.Points, "status": v.Status, "appeal_due_at": v.AppealDueAt, "title_zh": v.TitleZH, "title_en": v.TitleEN,
			"event": map[string]any{"id": r.ID, "type": r.Type, "seq": r.Seq, "at": r.At, "reason": r.Reason, "rule_ids": r.RuleIDs, "policy_version": r.PolicyVersion}}
		p[v.PartyRole+"_id"] = v.PartyID // the party is notified
		payload, _ := json.Marshal(p)
		cm.Outbox = append(cm.Outbox, store.OutboxMessage{Topic: AggViolation + "." + e.Type, AggregateType: AggViolation, AggregateID: v.ID,
			AggregateSeq: e.Seq, CreatedAt: now, Payload: payload})
	}
}
