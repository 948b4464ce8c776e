// Package replay is policy replay (what-if): the recorded order facts and
// party actions of a period are played again, in their order and at their
// times, into two sandboxes — one under the rule book the history ran
// under (the baseline), one under a proposed rule book — and the outcomes
// are compared: requests auto-agreed or refused, money paid to buyers,
// points and sanctions, SLA breaches, citations per rule ID.
//
// What is replayed: the orders created in the period with every fact the
// integration recorded on them, and every action a buyer or a seller took
// on their after-sales requests (creating, agreeing, refusing, offering,
// modifying, shipping a return, cancelling, escalating …). What the system
// did (deadlines firing: auto-agree, auto-refund, auto-confirmation) is
// not replayed but happens again in each sandbox under its own rule book,
// fired by the same service code as the deadline worker, in due order,
// before the next recorded action. A recorded action the sandbox refuses
// (a seller agreeing after the shorter window already agreed for it) is
// counted as refused, by reason. Not replayed: intervention judgments,
// complaints and evidence files (their ids are of the recorded database).
//
// Both sandboxes get the same input, so the difference between them is
// the rule book's alone; the baseline's own difference from what was
// recorded shows how faithful the replay is.
package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// Options say what to replay and under which rule books.
type Options struct {
	From, To time.Time
	Baseline *policy.Book // the rule book the history ran under
	Proposed *policy.Book
	// Fund is the guarantee fund's capital in each sandbox (default
	// ¥100,000), so that advances can be paid.
	Fund money.Fen
	// Dir holds the sandboxes' SQLite files while they run (default: a
	// temporary directory, removed after).
	Dir string
}

// Run is one sandbox's replay.
type Run struct {
	Book      string           `json:"rule_book"` // version
	Actions   int              `json:"actions"`   // recorded actions played
	Refused   int              `json:"refused"`   // of them, refused by the sandbox
	RefusedBy map[string]int   `json:"refused_by_code"`
	Outcome   service.Outcome  `json:"outcome"`
	Fired     int              `json:"deadlines_fired"`
	Requests  map[string]int64 `json:"requests_by_status"`
}

// Report is a replay's result.
type Report struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Events   int       `json:"recorded_events"`
	Orders   int       `json:"orders"`
	Skipped  int       `json:"system_events_not_replayed"`
	Baseline Run       `json:"baseline"`
	Proposed Run       `json:"proposed"`
}

var replayer = service.Caller{Role: actor.Admin, Via: "replay"}

// Replay reads the period's history from src (an admin read) and plays it
// into the two sandboxes.
func Replay(ctx context.Context, src *service.Service, o Options) (Report, error) {
	if o.Baseline == nil || o.Proposed == nil {
		return Report{}, errors.New("replay: baseline and proposed rule books are both needed")
	}
	if !o.To.After(o.From) {
		return Report{}, fault.Field("since", "回放区间为空 / the replay period is empty")
	}
	hist, err := src.OrderHistory(ctx, replayer, o.From, o.To)
	if err != nil {
		return Report{}, err
	}
	rep := Report{From: o.From, To: o.To, Events: len(hist)}
	orders := map[string]bool{}
	for _, ev := range hist {
		if ev.AggregateType == service.AggOrder {
			orders[ev.AggregateID] = true
		}
		if a := actorOf(ev); a.Role == actor.System || a.Role == actor.Platform {
			rep.Skipped++
		}
	}
	rep.Orders = len(orders)
	if rep.Baseline, err = play(ctx, hist, o.Baseline, o); err != nil {
		return rep, fmt.Errorf("replay under %s: %w", o.Baseline.Version, err)
	}
	if rep.Proposed, err = play(ctx, hist, o.Proposed, o); err != nil {
		return rep, fmt.Errorf("replay under %s: %w", o.Proposed.Version, err)
	}
	return rep, nil
}

// play runs the history into a fresh sandbox under book.
func play(ctx context.Context, hist []store.EventRecord, book *policy.Book, o Options) (Run, error) {
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "weiquan-replay-")
		if err != nil {
			return Run{}, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, fmt.Sprintf("sandbox-%d.db", time.Now().UnixNano())))
	if err != nil {
		return Run{}, err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return Run{}, err
	}
	start := o.From
	if len(hist) > 0 && hist[0].At.Before(start) {
		start = hist[0].At
	}
	clk := clock.NewManual(start)
	svc := service.New(st, book, service.Options{Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	fund := o.Fund
	if fund <= 0 {
		fund = 10_000_000
	}
	if _, err := svc.TopUp(ctx, replayer, ledger.GuaranteeFund(), fund, "replay-capital"); err != nil {
		return Run{}, err
	}
	p := &player{svc: svc, clk: clk, ids: map[string]string{}, run: Run{Book: book.Version, RefusedBy: map[string]int{}}}
	for _, ev := range hist {
		if err := p.advance(ctx, ev.At); err != nil {
			return p.run, err
		}
		if err := p.apply(ctx, ev); err != nil {
			return p.run, err
		}
	}
	if err := p.advance(ctx, o.To); err != nil {
		return p.run, err
	}
	out, err := svc.Outcome(ctx, replayer)
	if err != nil {
		return p.run, err
	}
	p.run.Outcome = out
	p.run.Requests = out.RequestsByStatus
	return p.run, nil
}

type player struct {
	svc *service.Service
	clk *clock.Manual
	ids map[string]string // recorded request id → the sandbox's
	run Run
}

// advance fires every deadline due up to t, in due order, then sets the
// clock to t.
func (p *player) advance(ctx context.Context, t time.Time) error {
	for {
		at, ok, err := p.svc.NextDeadline(ctx)
		if err != nil {
			return err
		}
		if !ok || at.After(t) {
			break
		}
		if at.After(p.clk.Now()) {
			p.clk.Set(at)
		}
		st, err := p.svc.FireDue(ctx, 500)
		if err != nil {
			return err
		}
		if st.Claimed == 0 {
			break // nothing could be claimed: leave it to the next step
		}
		p.run.Fired += st.Claimed
	}
	if t.After(p.clk.Now()) {
		p.clk.Set(t)
	}
	return nil
}

func actorOf(ev store.EventRecord) actor.Actor {
	var a actor.Actor
	_ = json.Unmarshal(ev.Actor, &a)
	return a
}

// apply plays one recorded event, if it is an action of the integration,
// a buyer or a seller.
func (p *player) apply(ctx context.Context, ev store.EventRecord) error {
	a := actorOf(ev)
	var c service.Caller
	switch a.Role {
	case actor.Integration, actor.Admin:
		c = service.Caller{Role: actor.Integration, Via: "replay"}
	case actor.Buyer, actor.Seller:
		c = service.Caller{Role: a.Role, PartyID: a.ID, Via: "replay"}
	default:
		return nil // the system's and the platform's: they happen again by themselves
	}
	var err error
	switch ev.AggregateType {
	case service.AggOrder:
		err = p.orderEvent(ctx, c, ev)
	case service.AggAftersale:
		err = p.aftersaleEvent(ctx, c, ev)
	default:
		return nil
	}
	if errors.Is(err, errNotReplayed) {
		return nil
	}
	p.run.Actions++
	var fe *fault.Error
	switch {
	case err == nil:
	case errors.As(err, &fe):
		p.run.Refused++
		p.run.RefusedBy[string(fe.Code)]++
	default:
		return err
	}
	return nil
}

var errNotReplayed = errors.New("replay: not an action")

func (p *player) orderEvent(ctx context.Context, c service.Caller, ev store.EventRecord) error {
	switch ev.Type {
	case "created", "updated":
		var f order.Facts
		if err := json.Unmarshal(ev.Data, &f); err != nil {
			return err
		}
		_, err := p.svc.PutOrder(ctx, c, ev.AggregateID, f)
		return err
	case "receipt_extended":
		_, err := p.svc.ExtendReceipt(ctx, c, ev.AggregateID)
		return err
	}
	if c.Role != actor.Integration {
		return errNotReplayed
	}
	var f order.Fact
	if err := json.Unmarshal(ev.Data, &f); err != nil || f.Type == "" {
		return errNotReplayed
	}
	_, err := p.svc.RecordOrderFact(ctx, c, ev.AggregateID, f)
	return err
}

// aftersaleEvent turns a party's recorded request event back into the
// command that made it.
func (p *player) aftersaleEvent(ctx context.Context, c service.Caller, ev store.EventRecord) error {
	var d aftersale.Data
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return err
	}
	if aftersale.EventType(ev.Type) == aftersale.EvRequested {
		s, err := p.svc.CreateAftersale(ctx, c, d.OrderID, aftersale.Command{Action: aftersale.Create, Type: d.Type, Reason: d.Reason,
			Amount: d.Amount, Description: d.Description, Items: d.Items})
		if err == nil {
			p.ids[ev.AggregateID] = s.ID
		}
		return err
	}
	cmd, ok := commandOf(ev, d)
	if !ok {
		return errNotReplayed
	}
	id, ok := p.ids[ev.AggregateID]
	if !ok {
		// Its creation was refused in the sandbox: so is what follows.
		return fault.New(fault.NotFound, "售后单 %s 未在回放中创建 / request %s was not created in the replay", ev.AggregateID, ev.AggregateID)
	}
	_, err := p.svc.Act(ctx, c, id, cmd)
	return err
}

// legacyReturnAddress stands for the return address of an agreement
// recorded before sellers gave one (the replay needs one to agree to a
// return; on other requests the sandbox ignores it).
var legacyReturnAddress = &aftersale.ReturnAddress{Name: "历史记录未载明 / not recorded", Phone: "13800000000", Address: "历史记录未载明 / not recorded"}

// commandOf is the command a party's event records.
func commandOf(ev store.EventRecord, d aftersale.Data) (aftersale.Command, bool) {
	cmd := aftersale.Command{}
	switch aftersale.EventType(ev.Type) {
	case aftersale.EvAgreed:
		cmd.Action, cmd.ReasonCode, cmd.ReturnAddress = aftersale.Agree, d.ReasonCode, d.ReturnAddress
		if cmd.ReturnAddress == nil {
			// Recorded before return addresses were asked for.
			cmd.ReturnAddress = legacyReturnAddress
		}
	case aftersale.EvRefused:
		cmd.Action, cmd.Note, cmd.ReasonCode = aftersale.Refuse, ev.Reason, "other"
		if d.Refusal != nil {
			cmd.Note, cmd.Evidence = d.Refusal.Reason, d.Refusal.Evidence
			if d.Refusal.Code != "" {
				cmd.ReasonCode = d.Refusal.Code
			}
		}
	case aftersale.EvCounterOffered:
		cmd.Action = aftersale.CounterOffer
		if d.Offer != nil {
			cmd.Amount, cmd.Note = d.Offer.Amount, d.Offer.Note
		}
	case aftersale.EvOfferAccepted:
		cmd.Action = aftersale.AcceptOffer
	case aftersale.EvModified:
		cmd.Action, cmd.Type, cmd.Reason, cmd.Amount, cmd.Description, cmd.Note = aftersale.Modify, d.Type, d.Reason, d.Amount, d.Description, ev.Reason
	case aftersale.EvReturnShipped:
		cmd.Action = aftersale.ShipReturn
		if d.Return != nil {
			cmd.Carrier, cmd.TrackingNo = d.Return.Carrier, d.Return.TrackingNo
		}
	case aftersale.EvCancelled:
		cmd.Action, cmd.Note = aftersale.Cancel, ev.Reason
	case aftersale.EvEscalated:
		cmd.Action, cmd.Note = aftersale.Escalate, ev.Reason
		if d.Intervention != nil && d.Intervention.Reason != "" {
			cmd.Note = d.Intervention.Reason
		}
	case aftersale.EvReturnConfirmed:
		cmd.Action = aftersale.ConfirmReturn
	case aftersale.EvReceiptRefused:
		cmd.Action, cmd.Note = aftersale.RefuseReceipt, ev.Reason
	default:
		return cmd, false
	}
	return cmd, true
}
