package service

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/store"
)

// A command's writes are one value: these tests build Commits without a
// store and compare them with what the command must write.

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func paidOrder() order.Order {
	paid := t0.Add(-time.Hour)
	return order.Order{ID: "O1", Facts: order.Facts{BuyerID: "B1", SellerID: "S1", Amount: 5000}, Status: order.WaitSellerSendGoods,
		PaidAt: &paid, Version: 2, CreatedAt: paid, UpdatedAt: paid}
}

// decideAll runs commands through aftersale.Decide and Evolve from the zero
// state, returning the state before the last command and its events.
func decideAll(t *testing.T, o order.Order, cmds ...aftersale.Command) (aftersale.State, []aftersale.Event) {
	t.Helper()
	st := aftersale.State{ID: "A1"}
	b := policy.Default()
	for i, c := range cmds {
		evs, err := aftersale.Decide(st, orderView(o, b), c, b, t0)
		if err != nil {
			t.Fatalf("command %d (%s): %v", i, c.Action, err)
		}
		if i == len(cmds)-1 {
			return st, evs
		}
		var cm store.Commit
		st = record(&cm, aftersaleAgg, st, evs, t0, nil)
	}
	t.Fatal("no command")
	return st, nil
}

var (
	buyerB1  = aftersale.Actor{Role: aftersale.Buyer, ID: "B1"}
	sellerS1 = aftersale.Actor{Role: aftersale.Seller, ID: "S1"}
	create   = aftersale.Command{Action: aftersale.Create, Actor: buyerB1, Type: aftersale.RefundOnly, Reason: aftersale.OtherReason, Amount: 3000}
)

func TestRecordCommits(t *testing.T) {
	t.Parallel()
	o := paidOrder()
	tests := []struct {
		name string
		cmds []aftersale.Command
		// what the last command's Commit must hold
		prev     int64
		topics   []string
		deadline string // kind of the new pending row ("" none)
		insert   bool   // the state wanted no deadline before
	}{
		{name: "create", cmds: []aftersale.Command{create}, prev: 0,
			topics: []string{"aftersale.requested"}, deadline: string(aftersale.SellerRespond), insert: true},
		{name: "refuse", cmds: []aftersale.Command{create, {Action: aftersale.Refuse, Actor: sellerS1, ReasonCode: "goods_intact", Note: "已发货 / shipped", Evidence: []string{"E1"}}}, prev: 1,
			topics: []string{"aftersale.refused"}, deadline: string(aftersale.BuyerAnswerRefusal)},
		{name: "cancel", cmds: []aftersale.Command{create, {Action: aftersale.Cancel, Actor: buyerB1}}, prev: 1,
			topics: []string{"aftersale.cancelled"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cur, evs := decideAll(t, o, tc.cmds...)
			var cm store.Commit
			next := record(&cm, aftersaleAgg, cur, evs, t0, nil)
			if len(cm.Aftersales) != 1 || cm.Aftersales[0].Prev != tc.prev || cm.Aftersales[0].Value.Version != next.Version || next.Version != tc.prev+int64(len(evs)) {
				t.Fatalf("state rows %+v, next version %d", cm.Aftersales, next.Version)
			}
			if len(cm.Events) != len(evs) || len(cm.Outbox) != len(tc.topics) {
				t.Fatalf("%d events, %d outbox messages", len(cm.Events), len(cm.Outbox))
			}
			for i, r := range cm.Events {
				if r.AggregateType != AggAftersale || r.AggregateID != "A1" || r.Seq != tc.prev+int64(i)+1 || r.ID == "" || r.Type != string(evs[i].Type) {
					t.Errorf("event %d: %+v", i, r)
				}
				var a aftersale.Actor
				if err := json.Unmarshal(r.Actor, &a); err != nil || a != evs[i].Actor {
					t.Errorf("event %d actor %s (%v)", i, r.Actor, err)
				}
			}
			for i, m := range cm.Outbox {
				if m.Topic != tc.topics[i] || m.AggregateSeq != cm.Events[i].Seq || !json.Valid(m.Payload) {
					t.Errorf("outbox %d: %s seq %d", i, m.Topic, m.AggregateSeq)
				}
			}
			switch {
			case len(cm.Deadlines) != 1:
				t.Fatalf("deadline changes %+v", cm.Deadlines)
			case tc.deadline == "":
				if d := cm.Deadlines[0]; d.Row != nil || d.Insert {
					t.Fatalf("want the pending row cancelled: %+v", d)
				}
			default:
				d := cm.Deadlines[0]
				if d.Row == nil || d.Row.Kind != tc.deadline || d.Insert != tc.insert || d.Row.ID != "A1/"+strconv.FormatInt(cm.Events[len(cm.Events)-1].Seq, 10) ||
					!d.Row.DueAt.Equal(next.Deadline.DueAt) || d.Row.RuleID == "" {
					t.Fatalf("deadline change %+v row %+v", d, d.Row)
				}
			}
			if len(cm.Ledger) != 0 || len(cm.Orders) != 0 || len(cm.Settled) != 0 || cm.Idem != nil {
				t.Fatalf("unexpected writes %+v", cm)
			}
		})
	}
}

// A fired deadline is settled in the same Commit; a state that then wants
// no deadline needs no other deadline write.
func TestRecordFiredDeadline(t *testing.T) {
	t.Parallel()
	o := paidOrder()
	cur, evs := decideAll(t, o, create, aftersale.Command{Action: aftersale.Cancel, Actor: buyerB1})
	d := cur.Deadline
	fired := &store.Deadline{ID: "A1/1", AggregateType: AggAftersale, AggregateID: "A1", Kind: string(d.Kind), DueAt: d.DueAt}
	var cm store.Commit
	record(&cm, aftersaleAgg, cur, evs, t0, fired)
	if len(cm.Settled) != 1 || cm.Settled[0] != (store.DeadlineSettle{ID: "A1/1", State: store.DeadlineFired, At: t0}) {
		t.Fatalf("settled %+v", cm.Settled)
	}
	if len(cm.Deadlines) != 0 {
		t.Fatalf("deadline changes %+v", cm.Deadlines)
	}
}

// A refund adds its money (a fresh plan from the loaded balances), the
// order's new total and its event to the same Commit, after the request's.
func TestRecordRefundCommit(t *testing.T) {
	t.Parallel()
	o := paidOrder()
	cur, evs := decideAll(t, o, create, aftersale.Command{Action: aftersale.Agree, Actor: sellerS1})
	if refundOf(evs) != 3000 {
		t.Fatalf("agree refunds %d", refundOf(evs))
	}
	b := ledger.Balances{ledger.Escrow("O1"): 5000, ledger.SellerAvailable("S1"): 0, ledger.BuyerPayout("B1"): 0}
	s := &Service{}
	s.book.Store(policy.Default())
	var cm store.Commit
	next, err := s.recordAftersale(nil, nil, &cm, aftersaleStep{cur: cur, order: o, evs: evs, balances: b}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if next.Status != aftersale.Success {
		t.Fatalf("status %s", next.Status)
	}
	if len(cm.Ledger) != 1 || !cm.Ledger[0].Fresh || len(cm.Ledger[0].Plan.Transactions) != 1 {
		t.Fatalf("ledger %+v", cm.Ledger)
	}
	var moved money.Fen
	for _, p := range cm.Ledger[0].Plan.Transactions[0].Postings {
		if p.Account == ledger.Escrow("O1") {
			moved -= p.Amount
		}
	}
	if moved != 3000 {
		t.Fatalf("escrow moved %d", moved)
	}
	if len(cm.Orders) != 1 || cm.Orders[0].Prev != o.Version || cm.Orders[0].Value.Refunded != 3000 {
		t.Fatalf("order rows %+v", cm.Orders)
	}
	last := cm.Events[len(cm.Events)-1]
	if last.AggregateType != AggOrder || last.Type != "refunded" || last.Seq != o.Version+1 {
		t.Fatalf("order event %+v", last)
	}
	var data map[string]any
	_ = json.Unmarshal(last.Data, &data)
	if data["ledger_transaction"] != cm.Ledger[0].Plan.Transactions[0].ID || data["shortfall"] != float64(0) {
		t.Fatalf("order event data %v", data)
	}
	if got := cm.Outbox[len(cm.Outbox)-1].Topic; got != "order.refunded" {
		t.Fatalf("last outbox topic %s", got)
	}
	// Paid by the guarantee fund in advance: the request records the
	// refund, no money moves again.
	cm = store.Commit{}
	if _, err := s.recordAftersale(nil, nil, &cm, aftersaleStep{cur: cur, order: o, evs: evs, balances: b, paidBy: "dispute:D1/advance"}, t0); err != nil {
		t.Fatal(err)
	}
	if len(cm.Ledger) != 0 || len(cm.Orders) != 1 {
		t.Fatalf("advance-paid refund: ledger %+v orders %d", cm.Ledger, len(cm.Orders))
	}
}

// Pending shows a later plan of the same command the balances an earlier
// plan leaves.
func TestCommitPending(t *testing.T) {
	t.Parallel()
	var cm store.Commit
	p, err := ledger.Refund(ledger.Meta{ID: "refund:x", OrderID: "O1", At: t0}, "B1", "S1", 2000,
		ledger.Balances{ledger.Escrow("O1"): 5000, ledger.SellerAvailable("S1"): 0, ledger.BuyerPayout("B1"): 0})
	if err != nil {
		t.Fatal(err)
	}
	cm.Ledger = append(cm.Ledger, store.LedgerPost{Plan: p, Fresh: true})
	got := cm.Pending(ledger.Balances{ledger.Escrow("O1"): 5000, ledger.SellerDeposit("S1"): 100})
	if got[ledger.Escrow("O1")] != 3000 || got[ledger.SellerDeposit("S1")] != 100 || len(got) != 2 {
		t.Fatalf("pending %v", got)
	}
}
