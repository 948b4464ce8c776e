package quality_test

import (
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/quality"
)

var now = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

func tp(t time.Time) *time.Time { return &t }

func params() quality.Params { return quality.ParamsFrom(policy.Default()) }

func factor(t *testing.T, r quality.Report, f quality.Factor) quality.FactorResult {
	t.Helper()
	for _, x := range r.Factors {
		if x.Factor == f {
			return x
		}
	}
	t.Fatalf("no factor %s", f)
	return quality.FactorResult{}
}

func report(t *testing.T, f quality.Facts, seller string) quality.Report {
	t.Helper()
	for _, r := range quality.Evaluate(f, params(), now) {
		if r.SellerID == seller {
			return r
		}
	}
	t.Fatalf("no report for %s", seller)
	return quality.Report{}
}

func paid(id, seller, cat string, at time.Time) quality.OrderFact {
	return quality.OrderFact{ID: id, SellerID: seller, Category: cat, PaidAt: tp(at)}
}

func TestParamsFromDefaultBook(t *testing.T) {
	p := params()
	if p.Window != 30*24*time.Hour || p.ChatTarget != 3*time.Minute || p.DisputeRefundZero != 300 || p.ComplaintZero != 300 {
		t.Fatalf("params %+v", p)
	}
	if p.Weights[quality.DisputeRefund] != 35 || p.Weights[quality.OnTimeShipping] != 25 || p.WindowRule != "ours-quality-window-30d" {
		t.Fatalf("weights %v rule %s", p.Weights, p.WindowRule)
	}
	if got := p.RuleIDs[quality.OnTimeShipping]; len(got) != 3 || got[2] != "seed-ship-within-24h" {
		t.Fatalf("on-time rules %v", got)
	}
}

func TestDisputeRefundWindowAndMalicious(t *testing.T) {
	start := now.Add(-30 * 24 * time.Hour)
	cases := []struct {
		name             string
		at               time.Time
		malicious        bool
		counted, exclude int64
	}{
		{"at the window start", start, false, 1, 0},
		{"just before the window", start.Add(-time.Microsecond), false, 0, 0},
		{"at now", now, false, 1, 0},
		{"after now", now.Add(time.Second), false, 0, 0},
		{"malicious refund excluded", now.Add(-time.Hour), true, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := quality.Facts{Orders: []quality.OrderFact{paid("o1", "S", "女装", now.Add(-time.Hour)), paid("o2", "S", "女装", now.Add(-2*time.Hour))},
				Refunds: []quality.RefundFact{{CaseID: "d1", OrderID: "o1", SellerID: "S", Kind: quality.RefundJudgment, At: c.at, Malicious: c.malicious}}}
			fr := factor(t, report(t, f, "S"), quality.DisputeRefund)
			if fr.Numerator != c.counted || fr.Excluded != c.exclude || fr.Denominator != 2 {
				t.Fatalf("got %d/%d excluded %d, want %d/2 excluded %d", fr.Numerator, fr.Denominator, fr.Excluded, c.counted, c.exclude)
			}
			wantRate := c.counted * 5000
			if *fr.Rate != wantRate {
				t.Fatalf("rate %d, want %d", *fr.Rate, wantRate)
			}
			// 50 % is far above the 3 % zero point: the factor scores 0.
			if want := map[int64]int64{0: 10000, 1: 0}[c.counted]; *fr.Score != want {
				t.Fatalf("score %d, want %d", *fr.Score, want)
			}
		})
	}
}

func TestDisputeRefundScaleAndDuplicates(t *testing.T) {
	var orders []quality.OrderFact
	for i := 0; i < 100; i++ {
		orders = append(orders, paid("o"+string(rune('a'+i%26))+string(rune('a'+i/26)), "S", "女装", now.Add(-time.Duration(i+1)*time.Hour)))
	}
	// One case counted once however often it appears; 1 of 100 = 100 bp,
	// a third of the way to the 300 bp zero point.
	r := quality.RefundFact{CaseID: "d1", OrderID: orders[0].ID, SellerID: "S", At: now.Add(-time.Hour)}
	fr := factor(t, report(t, quality.Facts{Orders: orders, Refunds: []quality.RefundFact{r, r}}, "S"), quality.DisputeRefund)
	if fr.Numerator != 1 || *fr.Rate != 100 || *fr.Score != 6667 {
		t.Fatalf("got %d rate %d score %d", fr.Numerator, *fr.Rate, *fr.Score)
	}
}

func TestComplaintRate(t *testing.T) {
	start := now.Add(-30 * 24 * time.Hour)
	f := quality.Facts{Orders: []quality.OrderFact{paid("o1", "S", "女装", start), paid("o2", "S", "女装", start.Add(-time.Second))},
		Complaints: []quality.ComplaintFact{
			{ID: "c1", OrderID: "o1", SellerID: "S", DecidedAt: start},
			{ID: "c2", OrderID: "o2", SellerID: "S", DecidedAt: start.Add(-time.Microsecond)},
			{ID: "c3", OrderID: "o2", SellerID: "OTHER", DecidedAt: now},
		}}
	r := report(t, f, "S")
	fr := factor(t, r, quality.Complaint)
	// o2 was paid before the window; c2 was decided before it.
	if r.PaidOrders != 1 || fr.Numerator != 1 || fr.Denominator != 1 || *fr.Rate != 10000 || *fr.Score != 0 {
		t.Fatalf("paid %d complaint %d/%d rate %v score %v", r.PaidOrders, fr.Numerator, fr.Denominator, *fr.Rate, *fr.Score)
	}
}

func TestOnTimeShipping(t *testing.T) {
	shipBy := now.Add(-48 * time.Hour)
	cases := []struct {
		name      string
		o         quality.OrderFact
		due, ok   int64
		cancelled int64
	}{
		{"scan exactly at ship-by is on time", quality.OrderFact{ShipBy: tp(shipBy), FirstScanAt: tp(shipBy)}, 1, 1, 0},
		{"scan one microsecond late", quality.OrderFact{ShipBy: tp(shipBy), FirstScanAt: tp(shipBy.Add(time.Microsecond))}, 1, 0, 0},
		{"never scanned", quality.OrderFact{ShipBy: tp(shipBy)}, 1, 0, 0},
		{"cancelled before ship-by", quality.OrderFact{ShipBy: tp(shipBy), CancelledAt: tp(shipBy.Add(-time.Hour))}, 0, 0, 1},
		{"cancelled after ship-by without a scan is late", quality.OrderFact{ShipBy: tp(shipBy), CancelledAt: tp(shipBy.Add(time.Hour))}, 1, 0, 0},
		{"ship-by still ahead: not due", quality.OrderFact{ShipBy: tp(now.Add(time.Hour)), FirstScanAt: tp(now.Add(-time.Hour))}, 0, 0, 0},
		{"ship-by exactly now is due", quality.OrderFact{ShipBy: tp(now), FirstScanAt: tp(now)}, 1, 1, 0},
		{"ship-by at the window start", quality.OrderFact{ShipBy: tp(now.Add(-30 * 24 * time.Hour))}, 1, 0, 0},
		{"ship-by before the window", quality.OrderFact{ShipBy: tp(now.Add(-30*24*time.Hour - time.Microsecond))}, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			o.ID, o.SellerID, o.Category = "o1", "S", "女装"
			o.PaidAt = tp(now.Add(-72 * time.Hour))
			fr := factor(t, report(t, quality.Facts{Orders: []quality.OrderFact{o}}, "S"), quality.OnTimeShipping)
			if fr.Denominator != c.due || fr.Numerator != c.ok || fr.Excluded != c.cancelled {
				t.Fatalf("got %d/%d excluded %d, want %d/%d excluded %d", fr.Numerator, fr.Denominator, fr.Excluded, c.ok, c.due, c.cancelled)
			}
			if c.due == 0 && (fr.Rate != nil || fr.Score != nil) {
				t.Fatalf("no orders due: rate %v score %v, want none", fr.Rate, fr.Score)
			}
		})
	}
}

func TestChatResponse(t *testing.T) {
	asked := now.Add(-time.Hour)
	cases := []struct {
		name            string
		c               quality.ChatFact
		den, ok, pendng int64
	}{
		{"answered exactly at the target", quality.ChatFact{AskedAt: asked, AnsweredAt: tp(asked.Add(3 * time.Minute))}, 1, 1, 0},
		{"answered a microsecond late", quality.ChatFact{AskedAt: asked, AnsweredAt: tp(asked.Add(3*time.Minute + time.Microsecond))}, 1, 0, 0},
		{"never answered", quality.ChatFact{AskedAt: asked}, 1, 0, 0},
		{"unanswered, still within the target", quality.ChatFact{AskedAt: now.Add(-time.Minute)}, 0, 0, 1},
		{"unanswered, the target just reached", quality.ChatFact{AskedAt: now.Add(-3 * time.Minute)}, 0, 0, 1},
		{"answered after now counts as not yet answered", quality.ChatFact{AskedAt: now.Add(-time.Minute), AnsweredAt: tp(now.Add(time.Second))}, 0, 0, 1},
		{"asked before the window", quality.ChatFact{AskedAt: now.Add(-30*24*time.Hour - time.Second), AnsweredAt: tp(now)}, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := c.c
			ch.ID, ch.SellerID = "c1", "S"
			f := quality.Facts{Orders: []quality.OrderFact{paid("o1", "S", "女装", now.Add(-time.Hour))}, Chats: []quality.ChatFact{ch}}
			fr := factor(t, report(t, f, "S"), quality.ChatResponse)
			if fr.Denominator != c.den || fr.Numerator != c.ok || fr.Excluded != c.pendng {
				t.Fatalf("got %d/%d pending %d, want %d/%d pending %d", fr.Numerator, fr.Denominator, fr.Excluded, c.ok, c.den, c.pendng)
			}
		})
	}
	f := quality.Facts{Chats: []quality.ChatFact{
		{ID: "a", SellerID: "S", AskedAt: asked, AnsweredAt: tp(asked.Add(60 * time.Second))},
		{ID: "b", SellerID: "S", AskedAt: asked, AnsweredAt: tp(asked.Add(300 * time.Second))},
		{ID: "c", SellerID: "S", AskedAt: asked},
	}}
	fr := factor(t, report(t, f, "S"), quality.ChatResponse)
	if fr.Numerator != 1 || fr.Denominator != 3 || *fr.Rate != 3333 || fr.MeanResponseSeconds == nil || *fr.MeanResponseSeconds != 180 {
		t.Fatalf("got %d/%d rate %v mean %v", fr.Numerator, fr.Denominator, *fr.Rate, fr.MeanResponseSeconds)
	}
}

func TestScoreWeightsAndMissingFactors(t *testing.T) {
	// Only on-time shipping and the two order rates have a denominator:
	// the chat weight drops out of the mean.
	o := paid("o1", "S", "女装", now.Add(-72*time.Hour))
	o.ShipBy, o.FirstScanAt = tp(now.Add(-48*time.Hour)), tp(now.Add(-47*time.Hour)) // late
	r := report(t, quality.Facts{Orders: []quality.OrderFact{o}}, "S")
	// (35×10000 + 25×10000 + 25×0) / 85 = 7058.8 → 7059
	if r.Score == nil || *r.Score != 7059 {
		t.Fatalf("score %v, want 7059", r.Score)
	}
	if factor(t, r, quality.ChatResponse).Rate != nil {
		t.Fatal("chat rate without chats")
	}
	// A rule book that weighs only on-time shipping scores only it.
	p := params()
	p.Weights = map[quality.Factor]int64{quality.OnTimeShipping: 1}
	rs := quality.Evaluate(quality.Facts{Orders: []quality.OrderFact{o}}, p, now)
	if len(rs) != 1 || *rs[0].Score != 0 {
		t.Fatalf("only on-time weighed: %+v", rs)
	}
	e := quality.Empty("S9", params(), now)
	if e.Score != nil || e.Rank != 0 || len(e.Factors) != 4 || e.WindowStart != now.Add(-30*24*time.Hour) {
		t.Fatalf("empty report %+v", e)
	}
}

func TestRankingWithinCategory(t *testing.T) {
	var f quality.Facts
	add := func(seller, cat string, n, late int) {
		for i := 0; i < n; i++ {
			id := seller + "-" + string(rune('a'+i))
			o := paid(id, seller, cat, now.Add(-72*time.Hour))
			o.ShipBy = tp(now.Add(-48 * time.Hour))
			scan := now.Add(-49 * time.Hour)
			if i < late {
				scan = now.Add(-47 * time.Hour)
			}
			o.FirstScanAt = &scan
			f.Orders = append(f.Orders, o)
		}
	}
	add("A", "女装", 4, 0) // all on time
	add("B", "女装", 4, 1)
	add("C", "女装", 4, 1) // ties with B
	add("D", "女装", 4, 4)
	add("E", "数码", 4, 2) // alone in its category
	// F sells mostly 数码 but once 女装: its category is 数码.
	add("F", "数码", 3, 0)
	f.Orders = append(f.Orders, paid("F-x", "F", "女装", now.Add(-time.Hour)))
	rs := quality.Evaluate(f, params(), now)
	by := map[string]quality.Report{}
	for _, r := range rs {
		by[r.SellerID] = r
	}
	want := map[string]struct {
		cat        string
		rank, size int
		pct        int64
	}{
		"A": {"女装", 1, 4, 10000}, "B": {"女装", 2, 4, 3333}, "C": {"女装", 2, 4, 3333}, "D": {"女装", 4, 4, 0},
		"E": {"数码", 2, 2, 0}, "F": {"数码", 1, 2, 10000},
	}
	for id, w := range want {
		r := by[id]
		if r.Category != w.cat || r.Rank != w.rank || r.CategorySize != w.size || r.Percentile == nil || *r.Percentile != w.pct {
			t.Errorf("%s: category %s rank %d of %d percentile %v, want %+v", id, r.Category, r.Rank, r.CategorySize, r.Percentile, w)
		}
	}
	rk := quality.Ranking(rs, "女装")
	if len(rk) != 4 || rk[0].SellerID != "A" || rk[1].SellerID != "B" || rk[2].SellerID != "C" || rk[3].SellerID != "D" {
		t.Fatalf("ranking %v", rk)
	}
	if len(quality.Ranking(rs, "")) != 6 || len(quality.Ranking(rs, "图书")) != 0 {
		t.Fatal("ranking of all / of an empty category")
	}
	// No payment in the window, only an order due in it: the category of that order.
	due := quality.OrderFact{ID: "g", SellerID: "G", Category: "家居", PaidAt: tp(now.Add(-31 * 24 * time.Hour)), ShipBy: tp(now.Add(-29 * 24 * time.Hour))}
	if g := quality.Evaluate(quality.Facts{Orders: []quality.OrderFact{due}}, params(), now); g[0].Category != "家居" || g[0].Rank != 1 || g[0].PaidOrders != 0 {
		t.Fatalf("due only %+v", g[0])
	}
	// Alone in a category: ranked first, no percentile.
	solo := quality.Evaluate(quality.Facts{Orders: []quality.OrderFact{paid("z", "Z", "图书", now)}}, params(), now)
	if solo[0].Rank != 1 || solo[0].CategorySize != 1 || solo[0].Percentile != nil {
		t.Fatalf("solo %+v", solo[0])
	}
}

func TestPlatformRefund(t *testing.T) {
	jAt, advAt, done := now.Add(-10*time.Hour), now.Add(-20*time.Hour), now.Add(-time.Hour)
	base := dispute.State{ID: "d1", OrderID: "o1", SellerID: "S"}
	judged := func(o dispute.Outcome, amount int64, f dispute.Fault) *dispute.Judgment {
		return &dispute.Judgment{Outcome: o, Amount: moneyFen(amount), Fault: f, At: jAt}
	}
	cases := []struct {
		name string
		mod  func(d *dispute.State, r *aftersale.State)
		ok   bool
		kind string
		at   time.Time
	}{
		{"full refund by judgment", func(d *dispute.State, r *aftersale.State) {
			d.Judgment = judged(dispute.RefundFull, 100, dispute.SellerFault)
		}, true, quality.RefundJudgment, jAt},
		{"partial refund, both at fault", func(d *dispute.State, r *aftersale.State) {
			d.Judgment = judged(dispute.RefundPartial, 50, dispute.BothFault)
		}, true, quality.RefundJudgment, jAt},
		{"buyer at fault", func(d *dispute.State, r *aftersale.State) {
			d.Judgment = judged(dispute.RefundPartial, 50, dispute.BuyerFault)
		}, false, "", time.Time{}},
		{"released to the seller", func(d *dispute.State, r *aftersale.State) {
			d.Judgment = judged(dispute.ReleaseToSeller, 0, dispute.BuyerFault)
		}, false, "", time.Time{}},
		{"return then refund, refunded", func(d *dispute.State, r *aftersale.State) {
			d.Judgment = judged(dispute.ReturnThenRefund, 100, dispute.SellerFault)
			r.Status, r.Refunded, r.UpdatedAt = aftersale.Success, 100, done
		}, true, quality.RefundJudgment, done},
		{"return then refund, never returned", func(d *dispute.State, r *aftersale.State) {
			d.Judgment = judged(dispute.ReturnThenRefund, 100, dispute.SellerFault)
			r.Status = aftersale.Closed
		}, false, "", time.Time{}},
		{"advance paid, not yet judged", func(d *dispute.State, r *aftersale.State) {
			d.Advance = &dispute.AdvanceInfo{Status: dispute.AdvancePaid, Amount: 100, At: advAt}
		}, true, quality.RefundAdvance, advAt},
		{"advance settled then judged: the advance's time", func(d *dispute.State, r *aftersale.State) {
			d.Advance = &dispute.AdvanceInfo{Status: dispute.AdvanceSettled, Amount: 100, At: advAt}
			d.Judgment = judged(dispute.RefundFull, 100, dispute.SellerFault)
		}, true, quality.RefundAdvance, advAt},
		{"advance resolved by the buyer keeping the goods still counts", func(d *dispute.State, r *aftersale.State) {
			d.Advance = &dispute.AdvanceInfo{Status: dispute.AdvanceClosed, Amount: 100, At: advAt}
			d.Judgment = judged(dispute.ReleaseToSeller, 0, dispute.BuyerFault)
		}, true, quality.RefundAdvance, advAt},
		{"an advance of nothing", func(d *dispute.State, r *aftersale.State) {
			d.Advance = &dispute.AdvanceInfo{Status: dispute.AdvancePaid, Amount: 0, At: advAt}
		}, false, "", time.Time{}},
		{"the final judgment after an appeal stands", func(d *dispute.State, r *aftersale.State) {
			d.Judgment = judged(dispute.ReleaseToSeller, 0, dispute.BuyerFault)
			d.Final = judged(dispute.RefundFull, 100, dispute.SellerFault)
		}, true, quality.RefundJudgment, jAt},
		{"no judgment yet", func(d *dispute.State, r *aftersale.State) {}, false, "", time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, r := base, aftersale.State{ID: "a1", Status: aftersale.WaitSellerAgree}
			c.mod(&d, &r)
			f, ok := quality.PlatformRefund(d, r)
			if ok != c.ok || f.Kind != c.kind || !f.At.Equal(c.at) {
				t.Fatalf("got %v %+v, want %v %s at %s", ok, f, c.ok, c.kind, c.at)
			}
			if ok && (f.CaseID != "d1" || f.OrderID != "o1" || f.SellerID != "S") {
				t.Fatalf("fact %+v", f)
			}
		})
	}
}

func moneyFen(n int64) money.Fen { return money.Fen(n) }
