package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/store"
)

// Aggregate types of complaints and sanctions in the event log and deadlines.
const (
	AggComplaint = "complaint"
	AggSanction  = "sanction"
)

// CanSeeComplaint: the complaint's two parties and the platform's staff.
func CanSeeComplaint(c Caller, s complaint.State) bool { return seesParties(c, s.BuyerID, s.SellerID) }

func complaintNotFound(id string) error {
	return &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("投诉 %s 不存在 / complaint %s not found", id, id)}
}

// NewComplaint is what a complainant files.
type NewComplaint struct {
	Type        string
	OrderID     string
	OccurredAt  time.Time
	Description string
	Loss        money.Fen
	Claim       complaint.Claim
	ReviewID    string
	EvidenceIDs []string
}

// FileComplaint files a complaint about the other party of an order. Late
// and fake shipment are checked against the order facts at once and the
// findings attached; a complainant whose recent complaints were mostly
// rejected is flagged and its complaint gets a lower priority.
func (s *Service) FileComplaint(ctx context.Context, c Caller, in NewComplaint) (ComplaintView, error) {
	actor, err := actorOf(c)
	if err != nil {
		return ComplaintView{}, err
	}
	if in.OrderID == "" {
		return ComplaintView{}, fault.Field("order_id", "须指定订单 / order_id is required")
	}
	out, err := command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (ComplaintView, error) {
		now := s.now(ctx)
		b := s.Policy()
		o, err := tx.GetOrder(ctx, in.OrderID)
		if err != nil {
			if fault.Is(err, fault.NotFound) {
				return ComplaintView{}, &fault.Error{Code: fault.NotFound, Field: "order_id", Message: fmt.Sprintf("订单 %s 不存在 / order %s not found", in.OrderID, in.OrderID)}
			}
			return ComplaintView{}, err
		}
		if !CanSeeOrder(c, o) {
			return ComplaintView{}, &fault.Error{Code: fault.NotFound, Field: "order_id", Message: fmt.Sprintf("订单 %s 不存在 / order %s not found", in.OrderID, in.OrderID)}
		}
		var findings []complaint.Finding
		if t, ok := b.ComplaintType(in.Type); ok {
			switch t.Detect {
			case "late_shipment":
				findings = append(findings, complaint.LateShipment(o, b, now))
			case "fake_shipment":
				var others []string
				if o.TrackingNo != "" {
					if others, err = tx.OrdersWithTracking(ctx, o.TrackingNo); err != nil {
						return ComplaintView{}, err
					}
				}
				findings = append(findings, complaint.FakeShipment(o, others, b, now))
			}
		}
		win, _ := b.ComplaintDuration("abuse_window")
		decided, rejected, err := tx.ComplainantRecord(ctx, string(actor.Role), actor.ID, now.Add(-win))
		if err != nil {
			return ComplaintView{}, err
		}
		others, err := tx.OrderComplaints(ctx, o.ID)
		if err != nil {
			return ComplaintView{}, err
		}
		var siblings []complaint.Sibling
		for _, x := range others {
			siblings = append(siblings, complaint.Sibling{ID: x.ID, Type: x.Type, Status: x.Status, Outcome: x.Outcome()})
		}
		cmd := complaint.Command{Action: complaint.File, Siblings: siblings, Actor: actor, Type: in.Type, OrderID: o.ID, BuyerID: o.BuyerID, SellerID: o.SellerID,
			OrderPaid: o.PaidAt != nil, OccurredAt: in.OccurredAt, Description: in.Description, Loss: in.Loss, Claim: in.Claim,
			ReviewID: in.ReviewID, EvidenceIDs: in.EvidenceIDs, Findings: findings, Flag: complaint.Abuse(decided, rejected, now, b)}
		cur := complaint.State{ID: newID()}
		evs, err := complaint.Decide(cur, cmd, b, now)
		if err != nil {
			return ComplaintView{}, err
		}
		// The evidence cited exists and is the complainant's: its drafts for
		// the order join the complaint.
		if err := checkComplaintEvidence(ctx, tx, cm, in.EvidenceIDs, actor, o.ID, cur.ID); err != nil {
			return ComplaintView{}, err
		}
		return NewComplaintView(record(cm, complaintAgg, cur, evs, now, nil)), nil
	})
	if err == nil {
		s.obs.Transition(AggComplaint, complaint.EvFiled)
	}
	return out, err
}

// ComplaintCommand is a complaint action from the API.
type ComplaintCommand struct {
	complaint.Command
}

// ActComplaint applies an action: the respondent answers or offers a
// settlement, the complainant accepts it, withdraws or files a second
// complaint, an agent (the senior tier for second complaints) decides. A
// decision's outcomes are executed in the same transaction.
func (s *Service) ActComplaint(ctx context.Context, c Caller, id string, cmd ComplaintCommand) (ComplaintView, error) {
	actor, err := actorOf(c)
	if err != nil {
		return ComplaintView{}, err
	}
	var evs []complaint.Event
	out, err := command(ctx, s, c, func(tx *store.Tx, cm *store.Commit) (ComplaintView, error) {
		cur, err := tx.GetComplaint(ctx, id, store.ForUpdate)
		if err != nil {
			return ComplaintView{}, err
		}
		if !CanSeeComplaint(c, cur) {
			return ComplaintView{}, complaintNotFound(id)
		}
		cc := cmd.Command
		cc.Actor = actor
		now := s.now(ctx)
		if cc.Action == complaint.DecideIt {
			vs, err := tx.PartyViolations(ctx, string(cur.RespondentRole), cur.RespondentID)
			if err != nil {
				return ComplaintView{}, err
			}
			for _, v := range vs {
				if v.ComplaintID != cur.ID {
					cc.PriorViolations++
				}
			}
		}
		if evs, err = complaint.Decide(cur, cc, s.Policy(), now); err != nil {
			return ComplaintView{}, err
		}
		if cc.Action == complaint.Respond || cc.Action == complaint.SecondComplaint {
			if err := checkComplaintEvidence(ctx, tx, cm, cc.EvidenceIDs, actor, cur.OrderID, cur.ID); err != nil {
				return ComplaintView{}, err
			}
		}
		for i := range evs {
			if d := evs[i].Data.Decision; d != nil {
				if err := s.executeDecision(ctx, tx, cm, cur, d, now); err != nil {
					return ComplaintView{}, err
				}
			}
		}
		return NewComplaintView(record(cm, complaintAgg, cur, evs, now, nil)), nil
	})
	if err == nil {
		for _, e := range evs {
			s.obs.Transition(AggComplaint, e.Type)
		}
	}
	return out, err
}

// complaintAgg describes complaints to the generic record.
var complaintAgg = aggregate[complaint.State, complaint.Event]{
	typ:     AggComplaint,
	id:      func(s complaint.State) string { return s.ID },
	version: func(s complaint.State) int64 { return s.Version },
	evolve:  complaint.Evolve,
	event:   logged[string, complaint.Data],
	payload: func(next complaint.State, r store.EventRecord) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"complaint_id": next.ID, "type": next.Type, "order_id": next.OrderID,
			"buyer_id": next.BuyerID, "seller_id": next.SellerID, "complainant_role": next.ComplainantRole, "respondent_role": next.RespondentRole,
			"status": next.Status, "event": eventPayload(r)})
		return b
	},
	// An upheld decision that hides a review asks the marketplace to hide it,
	// with the decision attached.
	extra: func(next complaint.State, e complaint.Event, seq int64, now time.Time) []store.OutboxMessage {
		d := e.Data.Decision
		if d == nil || d.Verdict != complaint.Upheld {
			return nil
		}
		var out []store.OutboxMessage
		for _, o := range d.Outcomes {
			if o.Kind == policy.OutcomeHideReview {
				p, _ := json.Marshal(map[string]any{"complaint_id": next.ID, "order_id": next.OrderID, "review_id": o.ReviewID,
					"buyer_id": next.BuyerID, "seller_id": next.SellerID, "decision": d})
				out = append(out, store.OutboxMessage{Topic: AggComplaint + ".review_hidden", AggregateType: AggComplaint + "_review",
					AggregateID: next.ID, AggregateSeq: seq, CreatedAt: now, Payload: p})
			}
		}
		return out
	},
	deadline: func(s complaint.State) *store.Deadline {
		if d := s.Deadline(); d != nil {
			return &store.Deadline{Kind: d.Kind, Actor: string(s.RespondentRole), DueAt: d.DueAt, OnExpiry: d.OnExpiry, RuleID: d.RuleID}
		}
		return nil
	},
	save: func(c *store.Commit, next complaint.State, prev int64) {
		c.Complaints = append(c.Complaints, store.Row[complaint.State]{Value: next, Prev: prev})
	},
}

// executeDecision carries out an upheld decision's outcomes in tx and
// records on each what was done (ledger transaction, violation, sanctions).
// A second decision executes only what the first did not: the compensation
// above what was already paid, a violation or restriction not yet recorded.
func (s *Service) executeDecision(ctx context.Context, tx *store.Tx, cm *store.Commit, cur complaint.State, d *complaint.Decision, now time.Time) error {
	if d.Verdict != complaint.Upheld {
		return nil
	}
	b := s.Policy()
	var before []complaint.Outcome
	if cur.Decision != nil && cur.Decision.Verdict == complaint.Upheld {
		before = cur.Decision.Outcomes
	}
	prior := func(kind string) *complaint.Outcome {
		for i := range before {
			if before[i].Kind == kind {
				return &before[i]
			}
		}
		return nil
	}
	seq := cur.Version + 1
	for i := range d.Outcomes {
		o := &d.Outcomes[i]
		switch o.Kind {
		case policy.OutcomeCompensation:
			amt := o.Amount
			var already money.Fen
			if p := prior(o.Kind); p != nil {
				already = p.Amount
			}
			rules := []string{o.RuleID}
			if t, _ := b.ComplaintType(cur.Type); complaint.CompensationCause(t) != "" {
				// Paid once per order and cause (complaint.compensation_once),
				// whatever paid it before: another complaint, a judgment, a retry.
				rules = append(rules, b.ID("complaint.late_shipment_rate"))
				if on, rid := b.Switch("complaint.compensation_once"); on {
					paid, err := causePaid(ctx, tx, cur.OrderID, b.ID("complaint.late_shipment_rate"), t.ID)
					if err != nil {
						return err
					}
					already = max(already, paid)
					if already > 0 {
						o.AlreadyPaid = already
						rules = append(rules, rid)
					}
				}
			}
			amt -= already
			if amt <= 0 {
				continue
			}
			bal, err := tx.LedgerBalances(ctx, ledger.SellerDeposit(cur.SellerID))
			if err != nil {
				return err
			}
			bal = cm.Pending(bal) // as this command's plans before leave them
			txID := fmt.Sprintf("complaint:%s/%d", cur.ID, seq)
			plan, err := ledger.CompensateFromDeposit(ledger.Meta{ID: txID, OrderID: cur.OrderID, Ref: cur.ID, RuleIDs: rules, At: now},
				cur.SellerID, cur.BuyerID, amt, bal)
			if err != nil {
				return err
			}
			cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: plan})
			o.LedgerTx = txID
			for _, t := range plan.Transactions {
				for _, p := range t.Postings {
					if p.Amount > 0 {
						o.Paid += p.Amount
					}
				}
			}
			o.Shortfall += plan.Missing()
		case policy.OutcomeViolation, policy.OutcomeWarning:
			// One record per complaint: a second decision keeps what the first recorded.
			if p := prior(policy.OutcomeViolation); p != nil {
				*o = *p
				continue
			}
			if p := prior(policy.OutcomeWarning); p != nil {
				*o = *p
				continue
			}
			vt, _ := b.Violation(o.Violation)
			if err := tx.LockParty(ctx, string(cur.RespondentRole), cur.RespondentID); err != nil {
				return err
			}
			reset := b.Rules["penalty.reset"].Value
			v := penalty.Violation{ID: newID(), PartyRole: string(cur.RespondentRole), PartyID: cur.RespondentID, Type: o.Violation, Class: vt.Class,
				Points: o.Points, Warning: o.Kind == policy.OutcomeWarning, Year: penalty.Year(now, reset), At: now, ComplaintID: cur.ID,
				RuleIDs: []string{o.RuleID}, PolicyVersion: b.Version, TitleZH: vt.TitleZH, TitleEN: vt.TitleEN, Status: "recorded",
				Version: 1, CreatedAt: now, UpdatedAt: now}
			err := tx.InsertViolation(ctx, v)
			if errors.Is(err, store.ErrViolationExists) {
				continue
			}
			if err != nil {
				return err
			}
			o.ViolationID = v.ID
			if v.Points > 0 {
				ids, err := s.applyPoints(ctx, tx, cm, v.PartyRole, v.PartyID, v.Class, now)
				if err != nil {
					return err
				}
				o.SanctionIDs = ids
			}
		case policy.OutcomePurchaseRestriction:
			if p := prior(o.Kind); p != nil {
				*o = *p
				continue
			}
			var vid string
			for _, x := range d.Outcomes {
				if x.Kind == policy.OutcomeViolation && x.ViolationID != "" {
					vid = x.ViolationID
				}
			}
			san := penalty.Restriction(newID(), cur.BuyerID, cur.ID, vid, o.Days, o.RuleID, now, b)
			ok, err := s.imposeSanction(ctx, tx, cm, san, now)
			if err != nil {
				return err
			}
			if ok {
				o.SanctionID = san.ID
			}
		}
	}
	return nil
}

// causePaid is the compensation already paid from the deposit on an order
// for a cause: the compensation_from_deposit transactions of the order that
// cite one of the cause's rule ids, summed as the buyer received them.
func causePaid(ctx context.Context, tx *store.Tx, orderID string, causeRules ...string) (money.Fen, error) {
	recs, err := tx.OrderLedgerTransactions(ctx, orderID)
	if err != nil {
		return 0, err
	}
	var paid money.Fen
	for _, r := range recs {
		lt, err := r.Transaction()
		if err != nil {
			return 0, err
		}
		if lt.Kind != ledger.TxCompensationFromDeposit || !slices.ContainsFunc(causeRules, func(id string) bool { return slices.Contains(lt.RuleIDs, id) }) {
			continue
		}
		for _, p := range lt.Postings {
			if p.Amount > 0 {
				paid += p.Amount
			}
		}
	}
	return paid, nil
}

// applyPoints imposes the sanctions a party's points of one class have
// reached this natural year and that do not exist yet; the caller holds
// the party's lock. It returns the new sanctions' ids.
func (s *Service) applyPoints(ctx context.Context, tx *store.Tx, cm *store.Commit, role, id, class string, now time.Time) ([]string, error) {
	b := s.Policy()
	vs, err := tx.PartyViolations(ctx, role, id)
	if err != nil {
		return nil, err
	}
	reset := b.Rules["penalty.reset"].Value
	var ids []string
	for _, p := range penalty.Due(vs, class, penalty.Year(now, reset), reset, b) {
		san := penalty.NewSanction(newID(), role, id, p, now, b)
		ok, err := s.imposeSanction(ctx, tx, cm, san, now)
		if err != nil {
			return nil, err
		}
		if ok {
			ids = append(ids, san.ID)
		}
	}
	return ids, nil
}

// imposeSanction inserts a sanction with its imposed event, unless the same
// sanction (threshold and year, or complaint) exists: then it does nothing.
func (s *Service) imposeSanction(ctx context.Context, tx *store.Tx, cm *store.Commit, san penalty.Sanction, now time.Time) (bool, error) {
	evs, err := penalty.Decide(penalty.Sanction{}, penalty.Command{Action: penalty.Impose, Actor: penalty.Actor{Role: "system", Via: "penalty"}, Sanction: san}, s.Policy(), now)
	if err != nil {
		return false, err
	}
	evs[0].Seq = 1
	next := penalty.Evolve(penalty.Sanction{ID: san.ID}, evs[0])
	ok, err := tx.InsertSanction(ctx, next)
	if err != nil || !ok {
		return false, err
	}
	recordSanctionEvents(cm, next, evs, now)
	return true, nil
}

// recordSanctionEvents adds a sanction's events and their notifications to cm.
func recordSanctionEvents(cm *store.Commit, st penalty.Sanction, evs []penalty.Event, now time.Time) {
	recs := make([]store.EventRecord, 0, len(evs))
	outbox := make([]store.OutboxMessage, 0, len(evs))
	for _, e := range evs {
		actor, _ := json.Marshal(e.Actor)
		data, _ := json.Marshal(map[string]any{"sanction": e.Sanction, "appeal": e.Appeal, "decision": e.Decision})
		r := store.EventRecord{AggregateType: AggSanction, AggregateID: st.ID, Seq: e.Seq, ID: newID(), Type: e.Type, Actor: actor, At: e.At,
			Reason: e.Reason, RuleIDs: e.RuleIDs, PolicyVersion: e.PolicyVersion, Data: data}
		recs = append(recs, r)
		p := map[string]any{"sanction_id": st.ID, "party_role": st.PartyRole, "party_id": st.PartyID, "kind": st.Kind,
			"status": st.Status, "start_at": st.StartAt, "end_at": st.EndAt, "violations": st.Violations,
			"event": map[string]any{"id": r.ID, "type": r.Type, "seq": r.Seq, "at": r.At, "reason": r.Reason, "rule_ids": r.RuleIDs, "policy_version": r.PolicyVersion}}
		p[st.PartyRole+"_id"] = st.PartyID // the sanctioned party is notified
		payload, _ := json.Marshal(p)
		outbox = append(outbox, store.OutboxMessage{Topic: AggSanction + "." + e.Type, AggregateType: AggSanction, AggregateID: st.ID,
			AggregateSeq: e.Seq, CreatedAt: now, Payload: payload})
	}
	cm.Events = append(cm.Events, recs...)
	cm.Outbox = append(cm.Outbox, outbox...)
}

// fireComplaint applies a due respondent deadline to cm: the complaint goes
// to an agent.
func (s *Service) fireComplaint(ctx context.Context, tx *store.Tx, cm *store.Commit, d *store.Deadline, now time.Time) (bool, error) {
	cur, err := tx.GetComplaint(ctx, d.AggregateID, store.ForUpdate)
	if err != nil {
		return false, err
	}
	return fire(cm, complaintAgg, cur, d, now, func(cur complaint.State) ([]complaint.Event, error) {
		return complaint.Decide(cur, complaint.Command{Action: complaint.ExpireResponse, Actor: complaint.Actor{Role: complaint.RoleSystem, Via: "deadline:" + d.ID}}, s.Policy(), now)
	}, func(cur complaint.State, evs []complaint.Event) error {
		record(cm, complaintAgg, cur, evs, now, d)
		s.obs.Transition(AggComplaint, complaint.EvResponseExpired)
		return nil
	})
}

// GetComplaint reads a complaint the caller may see.
func (s *Service) GetComplaint(ctx context.Context, c Caller, id string) (ComplaintView, error) {
	st, err := s.st.GetComplaint(ctx, id)
	st, err = visible(st, err, CanSeeComplaint(c, st), complaintNotFound(id))
	if err != nil {
		return ComplaintView{}, err
	}
	return NewComplaintView(st), nil
}

// ListComplaints lists the complaints the caller may see: a party's own
// (filed or received); staff get every complaint, in queue order on request.
func (s *Service) ListComplaints(ctx context.Context, c Caller, f store.ComplaintFilter) ([]ComplaintView, error) {
	switch c.Role {
	case actor.Buyer, actor.Seller:
		f.PartyRole, f.PartyID, f.Queue = string(c.Role), c.PartyID, false
	case actor.Integration, actor.Agent, actor.Senior, actor.Admin:
	default:
		return nil, forbidden("无权查看投诉 / not allowed")
	}
	list, err := s.st.ListComplaints(ctx, f)
	out := make([]ComplaintView, len(list))
	for i := range list {
		out[i] = NewComplaintView(list[i])
	}
	return out, err
}

// ComplaintEvents returns a visible complaint's history.
func (s *Service) ComplaintEvents(ctx context.Context, c Caller, id string, afterSeq int64, limit int) ([]store.EventRecord, error) {
	if _, err := s.GetComplaint(ctx, c, id); err != nil {
		return nil, err
	}
	return s.st.Events(ctx, AggComplaint, id, afterSeq, limit)
}

// ---- standing and sanctions ----

// SanctionView is a sanction with the violations behind it and whether it
// is in force.
type SanctionView struct {
	penalty.Sanction
	Active         bool                `json:"active"`
	ViolationsList []penalty.Violation `json:"violations_behind"`
	AllowedActions []string            `json:"allowed_actions"`
}

// Standing is a party's record (SPEC §8): points per class in the natural
// year, the violations, the sanctions in force with the violations behind
// each, and the complaint counts.
type Standing struct {
	PartyRole        string                `json:"party_role"`
	PartyID          string                `json:"party_id"`
	penalty.Standing                       // year, points, next thresholds
	Violations       []penalty.Violation   `json:"violations"`
	ActiveSanctions  []SanctionView        `json:"active_sanctions"`
	Sanctions        []SanctionView        `json:"sanctions"`
	Complaints       store.ComplaintCounts `json:"complaints"`
	Flag             *complaint.Flag       `json:"complainant_flag"`
	// Money is a seller's money on the platform: its deposit and what it
	// owes the guarantee fund (recovered first from its next releases and
	// top-ups, ledger.recover_receivable). Sellers only.
	Money         *SellerMoney `json:"money,omitempty"`
	PolicyVersion string       `json:"policy_version"`
	AsOf          time.Time    `json:"as_of"`
}

// SellerMoney is a seller's balances in its standing.
type SellerMoney struct {
	Deposit   money.Fen `json:"deposit"`
	Available money.Fen `json:"available"`
	// FundReceivable is what the seller owes the guarantee fund (先行垫付 not
	// yet recovered, arts. 86–87); RecoveryRule names the rule that collects it.
	FundReceivable money.Fen `json:"fund_receivable"`
	RecoveryRule   string    `json:"recovery_rule_id"`
	// DepositFrozen is the part of the deposit frozen for open cases
	// (protection.deposit_freeze); DepositRequired the deposit the rule book
	// asks for (protection.deposit_required) and DepositShort whether the
	// seller holds less (deposit + frozen), with the rule.
	DepositFrozen   money.Fen `json:"deposit_frozen"`
	DepositRequired money.Fen `json:"deposit_required"`
	DepositShort    bool      `json:"deposit_short"`
	DepositRule     string    `json:"deposit_rule_id"`
	// Pledge is the shop's counterfeit pledge (假一赔十).
	Pledge *Pledge `json:"pledge,omitempty"`
}

// PartyStanding returns a party's standing: the party itself and staff
// may see it.
func (s *Service) PartyStanding(ctx context.Context, c Caller, role, id string) (Standing, error) {
	if (c.Role == actor.Buyer || c.Role == actor.Seller) && (string(c.Role) != role || c.PartyID != id) {
		return Standing{}, forbidden("只能查看自己的违规记录 / you may see only your own standing")
	}
	if !ValidID(id) {
		return Standing{}, fault.Field("id", "ID须为1–64位字母、数字或 _.:- / ids are 1–64 letters, digits or _.:-")
	}
	b, now := s.Policy(), s.now(ctx)
	vs, err := s.st.PartyViolations(ctx, role, id)
	if err != nil {
		return Standing{}, err
	}
	sans, err := s.st.PartySanctions(ctx, role, id)
	if err != nil {
		return Standing{}, err
	}
	counts, err := s.st.PartyComplaintCounts(ctx, role, id)
	if err != nil {
		return Standing{}, err
	}
	if len(vs) == 0 && len(sans) == 0 && counts.Filed+counts.Received == 0 {
		known, err := s.st.PartyHasOrders(ctx, role, id)
		if err != nil {
			return Standing{}, err
		}
		if !known {
			return Standing{}, &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("没有当事方 %s 的任何记录 / no record of party %s", id, id)}
		}
	}
	st := Standing{PartyRole: role, PartyID: id, Standing: penalty.StandingAt(vs, now, b), Violations: []penalty.Violation{},
		ActiveSanctions: []SanctionView{}, Sanctions: []SanctionView{}, Complaints: counts, PolicyVersion: b.Version, AsOf: now}
	for _, v := range vs {
		if v.Year == st.Year {
			st.Violations = append(st.Violations, v)
		}
	}
	if role == string(actor.Seller) {
		m := &SellerMoney{}
		_, m.RecoveryRule = b.Switch("ledger.recover_receivable")
		for _, x := range []struct {
			a ledger.Account
			v *money.Fen
		}{{ledger.SellerDeposit(id), &m.Deposit}, {ledger.SellerAvailable(id), &m.Available}, {ledger.FundReceivable(id), &m.FundReceivable},
			{ledger.DepositFrozen(id), &m.DepositFrozen}} {
			if *x.v, err = s.st.AccountBalance(ctx, x.a); err != nil {
				return Standing{}, err
			}
		}
		req, rid := b.Int("protection.deposit_required")
		m.DepositRequired, m.DepositRule = money.Fen(req), rid
		m.DepositShort = m.Deposit+m.DepositFrozen < m.DepositRequired
		if pl, err := s.GetPledge(ctx, c, id); err == nil {
			m.Pledge = &pl
		} else if !fault.Is(err, fault.NotFound) {
			return Standing{}, err
		}
		st.Money = m
	}
	for _, x := range sans {
		sv := sanctionView(x, vs, now)
		st.Sanctions = append(st.Sanctions, sv)
		if sv.Active {
			st.ActiveSanctions = append(st.ActiveSanctions, sv)
		}
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		win, _ := b.ComplaintDuration("abuse_window")
		decided, rejected, err := tx.ComplainantRecord(ctx, role, id, now.Add(-win))
		st.Flag = complaint.Abuse(decided, rejected, now, b)
		return err
	})
	return st, err
}

func sanctionView(x penalty.Sanction, vs []penalty.Violation, now time.Time) SanctionView {
	sv := SanctionView{Sanction: x, Active: x.Active(now), ViolationsList: []penalty.Violation{}, AllowedActions: []string{}}
	for _, v := range vs {
		if slices.Contains(x.Violations, v.ID) {
			sv.ViolationsList = append(sv.ViolationsList, v)
		}
	}
	for _, a := range penalty.Allowed(x) {
		sv.AllowedActions = append(sv.AllowedActions, string(a))
	}
	return sv
}

// GetSanction reads a sanction: its party and staff may see it.
func (s *Service) GetSanction(ctx context.Context, c Caller, id string) (SanctionView, error) {
	x, err := s.st.GetSanction(ctx, id)
	if err != nil {
		return SanctionView{}, err
	}
	if (c.Role == actor.Buyer || c.Role == actor.Seller) && (string(c.Role) != x.PartyRole || c.PartyID != x.PartyID) {
		return SanctionView{}, &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("处罚 %s 不存在 / sanction %s not found", id, id)}
	}
	vs, err := s.st.PartyViolations(ctx, x.PartyRole, x.PartyID)
	if err != nil {
		return SanctionView{}, err
	}
	return sanctionView(x, vs, s.now(ctx)), nil
}

// SanctionCommand is a sanction action from the API.
type SanctionCommand struct {
	Action      penalty.Action
	Reason      string
	EvidenceIDs []string
	Procedural  string
	Revoke      bool
	RuleIDs     []string
}

// ActSanction appeals a sanction (its party) or decides the appeal (the
// senior tier), like a judgment's appeal.
func (s *Service) ActSanction(ctx context.Context, c Caller, id string, cmd SanctionCommand) (SanctionView, error) {
	var out SanctionView
	err := s.run(ctx, func(tx *store.Tx, cm *store.Commit) error {
		cur, err := tx.GetSanctionForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if (c.Role == actor.Buyer || c.Role == actor.Seller) && (string(c.Role) != cur.PartyRole || c.PartyID != cur.PartyID) {
			return &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("处罚 %s 不存在 / sanction %s not found", id, id)}
		}
		who := penalty.Actor{Role: c.Role, ID: c.PartyID, Via: c.Via}
		if c.Role != actor.Buyer && c.Role != actor.Seller {
			who.ID = keyOf(c)
		}
		var known []string
		if cur.ComplaintID != "" {
			if cs, err := tx.GetComplaint(ctx, cur.ComplaintID); err == nil {
				known = append(known, cs.EvidenceIDs...)
			}
		}
		now := s.now(ctx)
		evs, err := penalty.Decide(cur, penalty.Command{Action: cmd.Action, Actor: who, Reason: cmd.Reason, EvidenceIDs: cmd.EvidenceIDs,
			Procedural: cmd.Procedural, Revoke: cmd.Revoke, RuleIDs: cmd.RuleIDs, Known: known}, s.Policy(), now)
		if err != nil {
			return err
		}
		next := cur
		for i := range evs {
			evs[i].Seq = next.Version + 1
			next = penalty.Evolve(next, evs[i])
		}
		cm.Sanctions = append(cm.Sanctions, store.Row[penalty.Sanction]{Value: next, Prev: cur.Version})
		recordSanctionEvents(cm, next, evs, now)
		vs, err := tx.PartyViolations(ctx, next.PartyRole, next.PartyID)
		if err != nil {
			return err
		}
		out = sanctionView(next, vs, now)
		return s.respond(c, cm, out)
	})
	return out, err
}

// ComplaintView is a complaint with its live deadline and the actions
// possible now, as the API shows it.
type ComplaintView struct {
	complaint.State
	Deadline       *complaint.Deadline `json:"deadline"`
	AllowedActions []string            `json:"allowed_actions"`
}

// NewComplaintView builds the view of a complaint.
func NewComplaintView(s complaint.State) ComplaintView {
	v := ComplaintView{State: s, Deadline: s.Deadline(), AllowedActions: []string{}}
	for _, a := range complaint.Allowed(s) {
		v.AllowedActions = append(v.AllowedActions, string(a))
	}
	return v
}

// DecodeComplaintEvents turns stored events back into complaint events (for
// replay).
func DecodeComplaintEvents(recs []store.EventRecord) ([]complaint.Event, error) {
	return decodeEvents(recs, func(r store.EventRecord, e *complaint.Event) (actor, data any) {
		*e = complaint.Event{Head: complaint.Head{Seq: r.Seq, Type: r.Type, At: r.At, Reason: r.Reason, RuleIDs: r.RuleIDs, PolicyVersion: r.PolicyVersion}}
		return &e.Actor, &e.Data
	})
}
