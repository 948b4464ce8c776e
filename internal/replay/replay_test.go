package replay_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/replay"
	"github.com/weiquan/weiquan/internal/service"
)

// TestReplayShorterSellerWindow: a fixed history of five refund requests
// (the seller agrees after 10 h and after 30 h, refuses after 40 h, never
// answers one, the buyer cancels one after 20 h) replayed under a rule
// book whose seller window is 24 h instead of 48 h: the two late answers
// and the silence become auto-agreements (3 instead of 1), the two late
// answers are refused by the sandbox, and ¥100 more is refunded. The
// baseline replay ends where the recorded history ended.
func TestReplayShorterSellerWindow(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		e := apitest.Open(t, eng.URL(t))
		seller := e.Key(actor.Seller, "S1")
		ids := map[string]string{}
		for _, o := range []string{"R1", "R2", "R3", "R4", "R5"} {
			e.NewOrder(o, "B1", "S1", 10000, apitest.Delivered)
			ids[o] = e.Aftersale(o, "B1", map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": 10000, "description": "质量问题"})
		}
		at := func(h int, f func()) {
			e.Clock.Set(apitest.Start.Add(time.Duration(h) * time.Hour))
			if _, err := e.Svc.FireDue(ctx, 100); err != nil {
				t.Fatal(err)
			}
			f()
		}
		at(10, func() {
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + ids["R1"] + "/agree", Key: seller, Body: map[string]any{}})
		})
		at(20, func() {
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + ids["R5"] + "/cancel", Key: e.Key(actor.Buyer, "B1"), Body: map[string]any{"reason": "不要了"}})
		})
		at(30, func() {
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + ids["R2"] + "/agree", Key: seller, Body: map[string]any{}})
		})
		at(40, func() {
			e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + ids["R3"] + "/refuse", Key: seller, Body: map[string]any{"reason_code": "goods_intact", "reason": "商品无质量问题，已提供检测报告", "evidence": []string{"inspection-report-1"}}})
		})
		at(24*10, func() {})

		base := policy.Default()
		shorter, err := policy.Parse(bytes.Replace(bytes.Replace(policy.DefaultJSON(),
			[]byte(`"value": "48h", "on_expiry": "auto_agree"`), []byte(`"value": "24h", "on_expiry": "auto_agree"`), 1),
			[]byte(`"version": "`+base.Version+`"`), []byte(`"version": "2099.1.1"`), 1))
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := shorter.Duration("aftersale.seller_respond"); d != 24*time.Hour {
			t.Fatalf("proposed seller window %v", d)
		}
		admin := service.Caller{Role: actor.Admin}
		rep, err := replay.Replay(ctx, e.Svc, replay.Options{From: apitest.Start.Add(-time.Hour), To: e.Clock.Now().Add(time.Hour),
			Baseline: base, Proposed: shorter, Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Orders != 5 {
			t.Errorf("orders %d, want 5", rep.Orders)
		}
		b, p := rep.Baseline, rep.Proposed
		if got, want := [2]int64{b.Outcome.Events["aftersale.auto_agreed"], p.Outcome.Events["aftersale.auto_agreed"]}, [2]int64{1, 3}; got != want {
			t.Errorf("auto-agreed baseline/proposed %v, want %v", got, want)
		}
		if b.Refused != 0 || p.Refused != 2 || p.RefusedBy["conflict"] != 2 {
			t.Errorf("refused baseline %d, proposed %d (%v); want 0 and 2 conflicts", b.Refused, p.Refused, p.RefusedBy)
		}
		if got, want := [2]int64{b.Outcome.PaidToBuyers["refund"], p.Outcome.PaidToBuyers["refund"]}, [2]int64{30000, 40000}; got != want {
			t.Errorf("refunds baseline/proposed %v, want %v", got, want)
		}
		// The baseline reproduces the recorded outcome.
		rec, err := e.Svc.Outcome(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		for st, n := range rec.RequestsByStatus {
			if b.Requests[st] != n {
				t.Errorf("baseline %s: %d requests, recorded %d", st, b.Requests[st], n)
			}
		}
		if rec.Events["aftersale.auto_agreed"] != 1 {
			t.Errorf("recorded auto-agreements %d", rec.Events["aftersale.auto_agreed"])
		}
		var out strings.Builder
		rep.Format(&out)
		for _, want := range []string{"超时自动同意 / requests auto-agreed", "+2", "+¥100.00"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("report lacks %q:\n%s", want, out.String())
			}
		}
		// Only admins read the history.
		if _, err := e.Svc.OrderHistory(ctx, service.Caller{Role: actor.Agent}, apitest.Start, e.Clock.Now()); err == nil {
			t.Error("an agent read the order history")
		}
		t.Logf("\n%s", out.String())
	})
}
