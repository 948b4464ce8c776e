package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/calendar"
)

// art. 82(2) and 83(2)(5): a party tells the platform it went to court,
// the police or arbitration; an agent suspends the case at once. Without
// the case acceptance voucher within 7 working days of the notice the case
// resumes by itself; with it a court case stays suspended until an agent
// resumes it, a police case at most six months.
func TestLegalProceedingsSuspension(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		buyer := e.Key("buyer", "B1")
		_, id := caseOf(e, "LP1", 8000, "quality_problem", true)
		legal := map[string]any{"ground": "legal_proceedings", "party": "buyer", "forum": "court", "reason": "买家称已向人民法院起诉"}
		if r := disputeAct(e, id, "suspend", buyer, legal); r.Status != 403 {
			t.Fatalf("a party suspending on legal proceedings: %d %s", r.Status, r.Body)
		}
		if r := disputeAct(e, id, "suspend", e.Agent, map[string]any{"ground": "legal_proceedings", "party": "buyer", "reason": "x"}); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"forum"`) {
			t.Fatalf("no forum: %d %s", r.Status, r.Body)
		}
		if r := disputeAct(e, id, "suspend", e.Agent, map[string]any{"ground": "lawsuit", "reason": "x"}); r.Status != 400 {
			t.Fatalf("unknown ground: %d %s", r.Status, r.Body)
		}
		now := e.Clock.Now()
		r := disputeAct(e, id, "suspend", e.Agent, legal)
		if r.Status != 200 || r.Str("status") != "SUSPENDED" {
			t.Fatalf("suspend: %d %s", r.Status, r.Body)
		}
		v := r.JSON()
		sus := v["suspension"].(map[string]any)
		want := calendar.Default().AddWorkingDays(now, 7)
		due, _ := time.Parse(time.RFC3339Nano, sus["resume_at"].(string))
		if sus["ground"] != "legal_proceedings" || sus["notified_by"] != "buyer" || sus["forum"] != "court" || !due.Equal(want) || due.Sub(now) < 9*24*time.Hour {
			t.Fatalf("suspension %v (want resume at %s: 7 working days)", sus, want)
		}
		if d := v["deadline"].(map[string]any); d["kind"] != "suspension" || d["rule_id"] != "taobao-dispute-83" {
			t.Fatalf("deadline %v", d)
		}
		if r := disputeAct(e, id, "resume", buyer, nil); r.Status != 403 {
			t.Fatalf("a party resuming a legal suspension: %d", r.Status)
		}
		// No voucher: one minute before the deadline nothing happens, after it the case resumes.
		e.Clock.Advance(due.Sub(now) - time.Minute)
		if _, err := e.Svc.FireDue(ctx, 50); err != nil {
			t.Fatal(err)
		}
		if s := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: e.Agent}).Str("status"); s != "SUSPENDED" {
			t.Fatalf("before the deadline: %s", s)
		}
		e.Clock.Advance(2 * time.Minute)
		if _, err := e.Svc.FireDue(ctx, 50); err != nil {
			t.Fatal(err)
		}
		if s := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id, Key: e.Agent}).Str("status"); s != "REVIEW" {
			t.Fatalf("after the deadline: %s", s)
		}
		evs := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id + "/events", Key: e.Agent}).JSON()["items"].([]any)
		if last := evs[len(evs)-1].(map[string]any); last["type"] != "resumed" || !strings.Contains(last["reason"].(string), "83(2)") {
			t.Fatalf("last event %v", last)
		}

		// With the voucher: a court case stays suspended past any period until an agent resumes it.
		_, id2 := caseOf(e, "LP2", 8000, "quality_problem", true)
		legal["party"] = "seller"
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/suspend", Key: e.Agent, Body: legal})
		if r := disputeAct(e, id2, "suspend", e.Agent, map[string]any{"ground": "legal_proceedings", "reason": "受理通知书"}); r.Status != 400 {
			t.Fatalf("voucher without evidence: %d", r.Status)
		}
		v = e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/suspend", Key: e.Agent, Body: map[string]any{"ground": "legal_proceedings", "evidence_id": "ev-court-notice", "reason": "法院受理通知书"}}).JSON()
		if s := v["suspension"].(map[string]any); s["acceptance_evidence_id"] != "ev-court-notice" || s["resume_at"] != nil || v["deadline"] != nil {
			t.Fatalf("after the voucher: %v", v)
		}
		if r := disputeAct(e, id2, "suspend", e.Agent, map[string]any{"ground": "legal_proceedings", "evidence_id": "again", "reason": "x"}); r.Status != 409 {
			t.Fatalf("a second voucher: %d", r.Status)
		}
		e.Clock.Advance(60 * 24 * time.Hour)
		if _, err := e.Svc.FireDue(ctx, 50); err != nil {
			t.Fatal(err)
		}
		if s := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id2, Key: e.Agent}).Str("status"); s != "SUSPENDED" {
			t.Fatalf("court case after 60 days: %s", s)
		}
		if r := disputeAct(e, id2, "resume", e.Agent, map[string]any{}); r.Status != 400 {
			t.Fatalf("resume without a reason: %d", r.Status)
		}
		if r := disputeAct(e, id2, "resume", e.Agent, map[string]any{"reason": "卖家撤诉（第八十三条第三项）"}); r.Status != 200 || r.Str("status") != "REVIEW" {
			t.Fatalf("resume: %d %s", r.Status, r.Body)
		}

		// A police case with the voucher resumes six months after the acceptance.
		_, id3 := caseOf(e, "LP3", 8000, "counterfeit", true)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id3 + "/suspend", Key: e.Agent, Body: map[string]any{"ground": "legal_proceedings", "party": "buyer", "forum": "police", "reason": "买家已报案"}})
		acc := e.Clock.Now()
		v = e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id3 + "/suspend", Key: e.Agent, Body: map[string]any{"ground": "legal_proceedings", "evidence_id": "ev-police", "reason": "受案回执"}}).JSON()
		d := v["deadline"].(map[string]any)
		if due, err := time.Parse(time.RFC3339Nano, fmt.Sprint(d["due_at"])); err != nil || !due.Equal(acc.AddDate(0, 6, 0)) {
			t.Fatalf("police deadline %v (want %s)", d, acc.AddDate(0, 6, 0))
		}
		checkLedger(t, e)
	})
}

// SPEC §5: an advance counts against the seller as a manual-intervention
// refund (人工介入退款): on the case, in the event's rules, and in the
// per-seller count a service-quality computation reads.
func TestAdvanceCountsAsManualInterventionRefund(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		since := e.Clock.Now()
		topUpFund(e, 100000)
		_, id := caseOf(e, "MI1", 7000, "quality_problem", true)
		if c, err := e.Store.ManualInterventionRefunds(ctx, "S1", since); err != nil || c.Count != 0 {
			t.Fatalf("before: %+v %v", c, err)
		}
		v := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/advance", Key: e.Agent, Body: map[string]any{"reason": "卖家不配合", "amount": 5000}}).JSON()
		if a := v["advance"].(map[string]any); a["manual_intervention_refund"] != true {
			t.Fatalf("advance %v", a)
		}
		_, id2 := caseOf(e, "MI2", 3000, "quality_problem", true)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/advance", Key: e.Agent, Body: map[string]any{"reason": "卖家不配合"}})
		// Resolving the advance (either way) does not undo the count.
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id2 + "/resolve-advance", Key: e.Agent, Body: map[string]any{"outcome": "kept", "reason": "买家保留商品"}})
		c, err := e.Store.ManualInterventionRefunds(ctx, "S1", since)
		if err != nil || c.Count != 2 || c.Amount != 8000 {
			t.Fatalf("count %+v %v", c, err)
		}
		if c, _ := e.Store.ManualInterventionRefunds(ctx, "S2", since); c.Count != 0 {
			t.Fatalf("another seller: %+v", c)
		}
		if c, _ := e.Store.ManualInterventionRefunds(ctx, "S1", e.Clock.Now().Add(time.Second)); c.Count != 0 {
			t.Fatalf("a later window: %+v", c)
		}
		evs := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/disputes/" + id + "/events", Key: e.Agent}).JSON()["items"].([]any)
		if last := evs[len(evs)-1].(map[string]any); last["type"] != "advanced" || !strings.Contains(fmt.Sprint(last["rule_ids"]), "seed-manual-intervention-refund") {
			t.Fatalf("advanced event %v", last)
		}
		checkLedger(t, e)
	})
}
