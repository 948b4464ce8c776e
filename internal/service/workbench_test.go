package service_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/service"
)

// wbFixture is a database with cases for the workbench tests.
type wbFixture struct {
	e     *apitest.Env
	ids   map[string]string // order id → case id
	agent service.Caller    // web:agent1 (客服甲)
	other service.Caller    // web:agent2 (客服乙)
	sen   service.Caller    // web:senior1
}

// wbCase opens a case on a new order: the buyer asks for a refund with a
// description, the seller refuses, the buyer escalates; review says whether
// both parties then finish their evidence (the case goes to REVIEW).
func wbCase(t *testing.T, e *apitest.Env, orderID, buyer, seller string, amount int64, premium bool, desc string, review bool) string {
	t.Helper()
	e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + orderID, Key: e.Integration, Body: map[string]any{
		"buyer_id": buyer, "seller_id": seller, "category": "女装", "amount": amount, "postage": 0, "buyer_premium": premium,
		"items": []map[string]any{{"title": "测试商品", "quantity": 1, "price": amount}}}})
	now := e.Clock.Now()
	for _, st := range []map[string]any{{"type": "paid", "at": now.Add(-4 * time.Hour)},
		{"type": "shipped", "at": now.Add(-3 * time.Hour), "carrier": "SF", "tracking_no": "SF" + orderID},
		{"type": "delivered", "at": now.Add(-2 * time.Hour), "signed_by": "本人"}} {
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + orderID + "/events", Key: e.Integration, Body: st})
	}
	req := e.Aftersale(orderID, buyer, map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": amount, "description": desc})
	id := e.Escalate(req, e.Key(actor.Buyer, buyer), e.Key(actor.Seller, seller), map[string]any{"reason": "商品完好", "evidence": []string{"照片"}})
	if review {
		ctx := context.Background()
		for _, c := range []service.Caller{{Role: actor.Buyer, PartyID: buyer, Via: "test"}, {Role: actor.Seller, PartyID: seller, Via: "test"}} {
			if _, err := e.Svc.ActDispute(ctx, c, id, service.DisputeCommand{Command: dispute.Command{Action: dispute.DoneEvidence}}); err != nil {
				t.Fatalf("done-evidence %s: %v", orderID, err)
			}
		}
	}
	return id
}

func newWBFixture(t *testing.T, dbURL string) *wbFixture {
	t.Helper()
	e := apitest.Open(t, dbURL)
	ctx := context.Background()
	for _, u := range []service.NewWebUser{
		{Login: "b1", Role: actor.Buyer, PartyID: "b1", DisplayName: "张晓雨"},
		{Login: "b2", Role: actor.Buyer, PartyID: "b2", DisplayName: "李明"},
		{Login: "s1", Role: actor.Seller, PartyID: "s1", DisplayName: "云裳女装旗舰店"},
		{Login: "s2", Role: actor.Seller, PartyID: "s2", DisplayName: "数码小铺"},
		{Login: "agent1", Role: actor.Agent, DisplayName: "客服甲"},
		{Login: "agent2", Role: actor.Agent, DisplayName: "客服乙"},
		{Login: "senior1", Role: actor.Senior, DisplayName: "专员丙"},
	} {
		u.Password = "correct horse battery"
		if _, err := e.Svc.CreateWebUser(ctx, u); err != nil {
			t.Fatalf("user %s: %v", u.Login, err)
		}
	}
	f := &wbFixture{e: e, ids: map[string]string{},
		agent: service.Caller{Role: actor.Agent, Via: "web:agent1"}, other: service.Caller{Role: actor.Agent, Via: "web:agent2"},
		sen: service.Caller{Role: actor.Senior, Via: "web:senior1"}}
	f.ids["wb-100"] = wbCase(t, e, "wb-100", "b1", "s1", 12900, false, "外套开线了", true)
	f.ids["wb-200"] = wbCase(t, e, "wb-200", "b2", "s2", 600000, true, "屏幕碎了", true) // large: the senior tier
	f.ids["wb-300"] = wbCase(t, e, "wb-300", "b1", "s2", 5900, false, "少发一件", false)
	if _, err := e.Svc.AssignCases(ctx, f.agent, service.BulkAssign{Action: dispute.Claim, IDs: []string{f.ids["wb-100"]}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// orders maps cases back to their order ids, sorted.
func (f *wbFixture) orders(cs []service.WorkbenchCase) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.OrderID)
	}
	sort.Strings(out)
	return out
}

// The workbench search and filters on both engines: each field finds
// exactly the cases it names; bad fields are refused by name.
func TestWorkbenchCasesSearchAndFilters(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		f := newWBFixture(t, eng.URL(t))
		ctx := context.Background()
		all := []string{"wb-100", "wb-200", "wb-300"}
		for _, tc := range []struct {
			name string
			q    service.WorkbenchQuery
			want []string
		}{
			{"the open work", service.WorkbenchQuery{}, all},
			{"order id", service.WorkbenchQuery{Text: "WB-2", In: "order"}, []string{"wb-200"}},
			{"buyer by name", service.WorkbenchQuery{Text: "李", In: "buyer"}, []string{"wb-200"}},
			{"buyer by id", service.WorkbenchQuery{Text: "b1", In: "buyer"}, []string{"wb-100", "wb-300"}},
			{"seller by shop name", service.WorkbenchQuery{Text: "云裳", In: "seller"}, []string{"wb-100"}},
			{"seller by id", service.WorkbenchQuery{Text: "s2", In: "seller"}, []string{"wb-200", "wb-300"}},
			{"tracking no.", service.WorkbenchQuery{Text: "sfwb-300", In: "tracking"}, []string{"wb-300"}},
			{"description", service.WorkbenchQuery{Text: "开线", In: "text"}, []string{"wb-100"}},
			{"any field", service.WorkbenchQuery{Text: "屏幕"}, []string{"wb-200"}},
			{"a LIKE wildcard is a character", service.WorkbenchQuery{Text: "%"}, nil},
			{"a name is not an order id", service.WorkbenchQuery{Text: "李", In: "order"}, nil},
			{"stage", service.WorkbenchQuery{Stage: "REVIEW"}, []string{"wb-100", "wb-200"}},
			{"evidence stage", service.WorkbenchQuery{Stage: "EVIDENCE"}, []string{"wb-300"}},
			{"every stage", service.WorkbenchQuery{Stage: "all"}, all},
			{"closed stage", service.WorkbenchQuery{Stage: "FINAL"}, nil},
			{"reason", service.WorkbenchQuery{Reason: "quality_problem"}, all},
			{"another reason", service.WorkbenchQuery{Reason: "not_received"}, nil},
			{"amount range", service.WorkbenchQuery{MinAmount: 10000, MaxAmount: 20000}, []string{"wb-100"}},
			{"minimum amount", service.WorkbenchQuery{MinAmount: 12900}, []string{"wb-100", "wb-200"}},
			{"premium", service.WorkbenchQuery{Premium: "yes"}, []string{"wb-200"}},
			{"not premium", service.WorkbenchQuery{Premium: "no"}, []string{"wb-100", "wb-300"}},
			{"my cases", service.WorkbenchQuery{Assignee: "me"}, []string{"wb-100"}},
			{"unassigned", service.WorkbenchQuery{Assignee: "none"}, []string{"wb-200", "wb-300"}},
			{"one assignee", service.WorkbenchQuery{Assignee: "web:agent1"}, []string{"wb-100"}},
			{"SLA on time", service.WorkbenchQuery{SLA: "ok"}, []string{"wb-100", "wb-200"}},
			{"no SLA", service.WorkbenchQuery{SLA: "none"}, []string{"wb-300"}},
			{"SLA breached", service.WorkbenchQuery{SLA: "breached"}, nil},
			{"combined", service.WorkbenchQuery{Text: "b1", In: "buyer", Stage: "REVIEW", Assignee: "me"}, []string{"wb-100"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, err := f.e.Svc.WorkbenchCases(ctx, f.agent, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				if got := f.orders(res.Cases); !slices.Equal(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
		for _, tc := range []struct {
			q     service.WorkbenchQuery
			field string
		}{
			{service.WorkbenchQuery{Stage: "BOGUS"}, "stage"},
			{service.WorkbenchQuery{In: "phone"}, "in"},
			{service.WorkbenchQuery{SLA: "soon"}, "sla"},
			{service.WorkbenchQuery{Sort: "random"}, "sort"},
			{service.WorkbenchQuery{Premium: "maybe"}, "premium"},
			{service.WorkbenchQuery{MinAmount: 500, MaxAmount: 100}, "max_amount"},
			{service.WorkbenchQuery{MinAmount: -1}, "min_amount"},
		} {
			_, err := f.e.Svc.WorkbenchCases(ctx, f.agent, tc.q)
			if fe, ok := fault.As(err); !ok || fe.Code != fault.Invalid || fe.Field != tc.field {
				t.Errorf("%+v: %v, want invalid %s", tc.q, err, tc.field)
			}
		}
		if _, err := f.e.Svc.WorkbenchCases(ctx, service.Caller{Role: actor.Buyer, PartyID: "b1", Via: "test"}, service.WorkbenchQuery{}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("a buyer read the workbench: %v", err)
		}

		// What each row shows: names (the buyer masked), the holder's
		// name, histories (with a class B violation of seller s2), the
		// actions allowed to this agent.
		if _, err := f.e.Svc.RecordViolation(ctx, f.agent, penalty.DirectInput{PartyRole: "seller", PartyID: "s2", Violation: "personal_data_leak", Class: "B", Points: 12,
			RuleIDs: []string{"seed-violation-personal-data"}, EvidenceIDs: []string{"ev-leak-1"}, Reason: "卖家公开买家手机号", OrderID: "wb-200"}); err != nil {
			t.Fatal(err)
		}
		res, _ := f.e.Svc.WorkbenchCases(ctx, f.agent, service.WorkbenchQuery{Sort: "amount"})
		if got := []string{res.Cases[0].OrderID, res.Cases[1].OrderID, res.Cases[2].OrderID}; !slices.Equal(got, []string{"wb-200", "wb-100", "wb-300"}) {
			t.Fatalf("by amount: %v", got)
		}
		big, mine, ev := res.Cases[0], res.Cases[1], res.Cases[2]
		if big.BuyerName != "李*" || big.SellerName != "数码小铺" || mine.BuyerName != "张**" || mine.SellerName != "云裳女装旗舰店" {
			t.Errorf("names: %q %q %q %q", big.BuyerName, big.SellerName, mine.BuyerName, mine.SellerName)
		}
		if mine.AssigneeName != "客服甲" || !mine.Mine || big.AssigneeName != "" || big.Mine {
			t.Errorf("assignees: %+v / %+v", mine.AssigneeName, big.AssigneeName)
		}
		if mine.Buyer.Requests != 2 || mine.Buyer.Cases != 2 || mine.Seller.Cases != 1 || big.Seller.Cases != 2 || big.Buyer.Requests != 1 {
			t.Errorf("histories: buyer b1 %+v, seller s1 %+v, seller s2 %+v", mine.Buyer, mine.Seller, big.Seller)
		}
		if big.Seller.PointsB != 12 || big.Seller.PointsA != 0 || mine.Seller.PointsB != 0 || ev.Seller.PointsB != 12 {
			t.Errorf("points: s2 %+v, s1 %+v", big.Seller, mine.Seller)
		}
		if mine.TrackingNo != "SFwb-100" {
			t.Errorf("tracking %q", mine.TrackingNo)
		}
		// The agent may release its own case, not claim the senior tier's;
		// nothing can be claimed in the evidence stage.
		if !slices.Equal(mine.Allowed, []string{"release"}) || !slices.Equal(big.Allowed, []string{}) || !slices.Equal(ev.Allowed, []string{}) {
			t.Errorf("allowed: %v %v %v", mine.Allowed, big.Allowed, ev.Allowed)
		}
		if sen, _ := f.e.Svc.WorkbenchCases(ctx, f.sen, service.WorkbenchQuery{Text: "wb-200"}); !slices.Equal(sen.Cases[0].Allowed, []string{"claim", "reassign"}) {
			t.Errorf("the senior's actions on a senior-tier case: %v", sen.Cases[0].Allowed)
		}

		// Priority: the premium, large case first (due within 72 h, ¥6,000,
		// premium, large); past the SLA every case
		// in review gains the breach points and the "breached" filter finds it.
		res, _ = f.e.Svc.WorkbenchCases(ctx, f.agent, service.WorkbenchQuery{})
		if res.Cases[0].OrderID != "wb-200" || res.Cases[0].Priority.Score != 10+15+15+10 {
			t.Fatalf("first by priority: %s %+v", res.Cases[0].OrderID, res.Cases[0].Priority)
		}
		f.e.Clock.Advance(15 * 24 * time.Hour)
		res, _ = f.e.Svc.WorkbenchCases(ctx, f.agent, service.WorkbenchQuery{SLA: "breached"})
		if got := f.orders(res.Cases); !slices.Equal(got, []string{"wb-100", "wb-200"}) {
			t.Fatalf("breached: %v", got)
		}
		for _, c := range res.Cases {
			if c.SLAState != service.SLABreached || c.Priority.Parts[0] != (service.PriorityPart{Key: "sla_breached", Points: 40}) {
				t.Errorf("%s: %s %+v", c.OrderID, c.SLAState, c.Priority)
			}
		}
	})
}

// The priority formula, term by term.
func TestComputePriority(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	for _, tc := range []struct {
		name string
		in   service.PriorityInput
		want int
	}{
		{"nothing", service.PriorityInput{}, 0},
		{"breached", service.PriorityInput{SLADue: at(-time.Minute)}, 40},
		{"due in 3 h", service.PriorityInput{SLADue: at(3 * time.Hour)}, 30},
		{"due in 20 h", service.PriorityInput{SLADue: at(20 * time.Hour)}, 20},
		{"due in 2 days", service.PriorityInput{SLADue: at(48 * time.Hour)}, 10},
		{"due in 5 days", service.PriorityInput{SLADue: at(120 * time.Hour)}, 0},
		{"waiting 3 days", service.PriorityInput{Waiting: at(-73 * time.Hour)}, 30},
		{"waiting 5 h", service.PriorityInput{Waiting: at(-5 * time.Hour)}, 10},
		{"¥129", service.PriorityInput{Amount: 12900}, 1},
		{"¥99.99", service.PriorityInput{Amount: 9999}, 0},
		{"¥40,000 caps at 15", service.PriorityInput{Amount: money.Fen(4000000)}, 15},
		{"premium", service.PriorityInput{Premium: true}, 15},
		{"large", service.PriorityInput{Large: true}, 10},
		{"two repeats", service.PriorityInput{Repeat: 2}, 10},
		{"repeats cap", service.PriorityInput{Repeat: 9}, 15},
		{"flagged", service.PriorityInput{Flagged: true, Amount: 50000}, 5 - 20},
		{"everything", service.PriorityInput{SLADue: at(-time.Hour), Amount: 9000000, Premium: true, Large: true, Repeat: 3}, 40 + 15 + 15 + 10 + 15},
	} {
		tc.in.Now = now
		if got := service.ComputePriority(tc.in); got.Score != tc.want {
			t.Errorf("%s: %d (%+v), want %d", tc.name, got.Score, got.Parts, tc.want)
		}
	}
}

// Bulk claim, release and reassign: each case its own event with the actor
// and the reason; refusals are per case; a reassignment names real staff
// and the senior tier's cases go to senior agents only.
func TestAssignCases(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		f := newWBFixture(t, eng.URL(t))
		e, ctx := f.e, context.Background()
		c4 := wbCase(t, e, "wb-400", "b2", "s1", 8800, false, "颜色不对", true)
		c5 := wbCase(t, e, "wb-500", "b2", "s1", 7700, false, "尺码不对", true)
		ids := []string{f.ids["wb-100"], f.ids["wb-200"], c4, c5}
		out, err := e.Svc.AssignCases(ctx, f.other, service.BulkAssign{Action: dispute.Claim, IDs: append(ids, c4), Reason: "早班认领"})
		if err != nil {
			t.Fatal(err)
		}
		// wb-100 is agent1's, wb-200 is the senior tier's: refused alone.
		if !slices.Equal(out.Done, []string{c4, c5}) || len(out.Refused) != 2 || out.Refused[0].ID != f.ids["wb-100"] || out.Refused[1].ID != f.ids["wb-200"] {
			t.Fatalf("outcome %+v", out)
		}
		evs, err := e.Svc.DisputeEvents(ctx, f.other, c4, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		if last.Type != string(dispute.EvClaimed) || last.Reason != "早班认领" || !strings.Contains(string(last.Actor), "web:agent2") {
			t.Fatalf("claim event: %s %q %s", last.Type, last.Reason, last.Actor)
		}
		// Agents may not reassign; seniors name someone real.
		if out, err := e.Svc.AssignCases(ctx, f.other, service.BulkAssign{Action: dispute.Reassign, IDs: []string{c4}, AssignTo: "web:agent1"}); err != nil || len(out.Refused) != 1 {
			t.Fatalf("an agent reassigned: %+v %v", out, err)
		}
		for _, to := range []string{"", "web:nobody", "web:b1"} {
			_, err := e.Svc.AssignCases(ctx, f.sen, service.BulkAssign{Action: dispute.Reassign, IDs: []string{c4}, AssignTo: to})
			if fe, ok := fault.As(err); !ok || fe.Field != "assign_to" {
				t.Errorf("reassign to %q: %v", to, err)
			}
		}
		out, err = e.Svc.AssignCases(ctx, f.sen, service.BulkAssign{Action: dispute.Reassign, IDs: []string{c4, f.ids["wb-200"]}, AssignTo: "web:agent1"})
		if err != nil || !slices.Equal(out.Done, []string{c4}) || len(out.Refused) != 1 || out.Refused[0].ID != f.ids["wb-200"] {
			t.Fatalf("reassign: %+v %v", out, err)
		}
		if d, _ := e.Svc.GetDispute(ctx, f.sen, c4); d.Assignee != "web:agent1" {
			t.Fatalf("c4 held by %q", d.Assignee)
		}
		evs, _ = e.Svc.DisputeEvents(ctx, f.sen, c4, 0, 100)
		if last := evs[len(evs)-1]; last.Type != string(dispute.EvReassigned) || last.Reason != "从工作台改派给 客服甲 / reassigned to 客服甲 from the workbench" {
			t.Fatalf("reassign event: %s %q", last.Type, last.Reason)
		}
		// Release: only what the caller holds.
		out, _ = e.Svc.AssignCases(ctx, f.other, service.BulkAssign{Action: dispute.Release, IDs: []string{c4, c5}})
		if !slices.Equal(out.Done, []string{c5}) || len(out.Refused) != 1 {
			t.Fatalf("release: %+v", out)
		}
		for _, in := range []service.BulkAssign{{Action: dispute.Judge, IDs: []string{c4}}, {Action: dispute.Claim}} {
			if _, err := e.Svc.AssignCases(ctx, f.other, in); !fault.Is(err, fault.Invalid) {
				t.Errorf("%+v: %v", in, err)
			}
		}
	})
}

// Two agents claiming the same case at the same time: exactly one wins,
// the other is refused with a conflict and the case keeps the winner.
func TestConcurrentClaimsOneWins(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		f := newWBFixture(t, eng.URL(t))
		e, ctx := f.e, context.Background()
		for i, order := range []string{"wb-610", "wb-620", "wb-630"} {
			id := wbCase(t, e, order, "b2", "s1", int64(1000+i), false, "并发", true)
			var wg sync.WaitGroup
			outs := make([]service.BulkOutcome, 2)
			errs := make([]error, 2)
			start := make(chan struct{})
			for j, c := range []service.Caller{f.agent, f.other} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					outs[j], errs[j] = e.Svc.AssignCases(ctx, c, service.BulkAssign{Action: dispute.Claim, IDs: []string{id}})
				}()
			}
			close(start)
			wg.Wait()
			won := -1
			for j := range outs {
				if errs[j] != nil {
					t.Fatalf("claim %d: %v", j, errs[j])
				}
				if len(outs[j].Done) == 1 {
					if won >= 0 {
						t.Fatalf("%s: both agents won", order)
					}
					won = j
				} else if len(outs[j].Refused) != 1 || !strings.HasPrefix(outs[j].Refused[0].Message, "已由 客服") {
					t.Fatalf("%s: outcome %+v", order, outs[j])
				}
			}
			if won < 0 {
				t.Fatalf("%s: nobody won: %+v", order, outs)
			}
			d, _ := e.Svc.GetDispute(ctx, f.sen, id)
			if want := []string{"web:agent1", "web:agent2"}[won]; d.Assignee != want {
				t.Fatalf("%s held by %q, the winner was %s", order, d.Assignee, want)
			}
			evs, _ := e.Svc.DisputeEvents(ctx, f.sen, id, 0, 100)
			claims := 0
			for _, ev := range evs {
				if ev.Type == string(dispute.EvClaimed) {
					claims++
				}
			}
			if claims != 1 {
				t.Fatalf("%s: %d claim events", order, claims)
			}
		}
	})
}
