package httpapi_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/policy"
)

// qualityFixture builds a small marketplace through the API: its orders,
// intervention cases, complaints and chats are each placed at a boundary of
// the service-quality window.
type qualityFixture struct {
	t   *testing.T
	e   *apitest.Env
	now time.Time
}

func (q qualityFixture) at(d time.Duration) string { return q.now.Add(d).Format(time.RFC3339Nano) }

// order creates a paid order; scan is the first carrier scan relative to
// the ship-by time (nil: never scanned); delivered takes it to delivery.
func (q qualityFixture) order(id, buyer, seller, category string, paid time.Duration, scan *time.Duration, delivered bool) {
	q.t.Helper()
	e := q.e
	e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + id, Key: e.Integration, Body: map[string]any{
		"buyer_id": buyer, "seller_id": seller, "category": category, "amount": 10000,
		"items": []map[string]any{{"title": "商品 " + id, "quantity": 1, "price": 10000}}}})
	ev := func(b map[string]any) {
		q.t.Helper()
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/events", Key: e.Integration, Body: b})
	}
	ev(map[string]any{"type": "paid", "at": q.at(paid)})
	if scan == nil {
		return
	}
	ev(map[string]any{"type": "shipped", "at": q.at(paid + time.Hour), "carrier": "SF", "tracking_no": "SF" + id})
	ev(map[string]any{"type": "first_scan", "at": q.at(paid + 24*time.Hour + *scan)})
	if delivered {
		ev(map[string]any{"type": "delivered", "at": q.at(paid + 48*time.Hour), "signed_by": "本人"})
	}
}

// judgedRefund takes a delivered order through a refused request, the
// buyer's escalation and an agent's full-refund judgment (seller at fault).
func (q qualityFixture) judgedRefund(orderID, buyer, seller string) {
	q.platformRefund(orderID, buyer, seller, false)
}

// platformRefund is judgedRefund, or with advance the guarantee fund's
// advance payment (先行垫付) instead of a judgment.
func (q qualityFixture) platformRefund(orderID, buyer, seller string, advance bool) {
	q.t.Helper()
	e := q.e
	bk, sk := e.Key(actor.Buyer, buyer), e.Key(actor.Seller, seller)
	as := e.Aftersale(orderID, buyer, map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": 10000})
	id := escalateCase(e, as, bk, sk, map[string]any{"reason": "不同意", "evidence": []string{"说明"}})
	for _, k := range []string{bk, sk} {
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/done-evidence", Key: k})
	}
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/claim", Key: e.Agent})
	if advance {
		topUpFund(e, 100000)
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/advance", Key: e.Agent, Body: map[string]any{"reason": "卖家不配合"}})
		return
	}
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/disputes/" + id + "/judge", Key: e.Agent, Body: map[string]any{"outcome": "refund_full", "fault": "seller",
		"reason": "卖家未提供进货凭证", "rule_ids": []string{"taobao-dispute-66"}}})
}

// upheld files a complaint, lets the respondent answer and has an agent uphold it.
func (q qualityFixture) upheld(filerRole actor.Role, filer string, respondentRole actor.Role, respondent, typ, ruleID, orderID string) {
	q.t.Helper()
	e := q.e
	id := e.Must(201, apitest.Req{Method: "POST", Path: "/v1/complaints", Key: e.Key(filerRole, filer), Body: map[string]any{
		"type": typ, "order_id": orderID, "occurred_at": q.at(-time.Hour), "description": "经过 / what happened", "loss": 0,
		"claim": map[string]any{"text": "请处理"}, "evidence_ids": realEvidence(e, e.Key(filerRole, filer), "draft:"+orderID, []string{"ev-" + orderID})}}).Str("id")
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/respond", Key: e.Key(respondentRole, respondent), Body: map[string]any{"statement": "说明"}})
	e.Must(200, apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/decide", Key: e.Agent, Body: map[string]any{"verdict": "upheld", "reason": "查证属实", "rule_ids": []string{ruleID}}})
}

func (q qualityFixture) chat(seller, ref string, asked time.Duration, answer *time.Duration) apitest.Resp {
	q.t.Helper()
	b := map[string]any{"kind": "chat_response", "ref": ref, "asked_at": q.at(asked), "buyer_id": "QB1"}
	if answer != nil {
		b["answered_at"] = q.at(asked + *answer)
	}
	return q.e.Do(apitest.Req{Method: "POST", Path: "/v1/sellers/" + seller + "/service-facts", Key: q.e.Integration, Body: b})
}

type qualityView struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	Category     string    `json:"category"`
	PaidOrders   int64     `json:"paid_orders"`
	Score        *int64    `json:"score_bp"`
	Rank         int       `json:"rank"`
	CategorySize int       `json:"category_sellers"`
	Percentile   *int64    `json:"percentile_bp"`
	RuleIDs      []string  `json:"rule_ids"`
	WindowStart  time.Time `json:"window_start"`
	Factors      []struct {
		Factor      string   `json:"factor"`
		Numerator   int64    `json:"numerator"`
		Denominator int64    `json:"denominator"`
		Excluded    int64    `json:"excluded"`
		Rate        *int64   `json:"rate_bp"`
		Score       *int64   `json:"score_bp"`
		Weight      int64    `json:"weight"`
		RuleIDs     []string `json:"rule_ids"`
	} `json:"factors"`
}

func decodeQuality(t *testing.T, r apitest.Resp) qualityView {
	t.Helper()
	var v qualityView
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return v
}

func dur(d time.Duration) *time.Duration { return &d }

// TestSellerQualityEngines: each factor at its boundaries, the malicious
// refund excluded, the ranking within a category and who may see what, on
// both engines.
func TestSellerQualityEngines(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		q := qualityFixture{t: t, e: e, now: e.Clock.Now()}
		day := 24 * time.Hour
		win := -30 * day
		// QA (女装): five orders paid in the window, six due to ship in it.
		q.order("QA1", "QB1", "QA", "女装", -10*day, dur(0), false)            // scanned exactly at ship-by: on time
		q.order("QA2", "QB1", "QA", "女装", -5*day, dur(time.Second), false)   // one second late
		q.order("QA3", "QB1", "QA", "女装", win, dur(-22*time.Hour), false)    // paid exactly at the window start
		q.order("QA4", "QB1", "QA", "女装", win-time.Second, nil, false)       // paid just before it; due in it, never scanned
		q.order("QA5", "QB2", "QA", "女装", -4*day, dur(-time.Hour), true)     // refunded by a judgment
		q.order("QA6", "QB3", "QA", "女装", -3*day, dur(-time.Hour), true)     // refunded by a judgment, judged malicious
		q.order("QA7", "QB1", "QA", "女装", win-2*day, dur(-time.Hour), false) // outside the window altogether
		q.judgedRefund("QA5", "QB2", "QA")
		q.judgedRefund("QA6", "QB3", "QA")
		q.upheld(actor.Seller, "QA", actor.Buyer, "QB3", "malicious_refund", "seed-complaint-malicious-refund", "QA6")
		q.upheld(actor.Buyer, "QB1", actor.Seller, "QA", "seller_harassment", "seed-complaint-seller-harassment", "QA1")
		// Chats: answered exactly at the 3-minute target; 5 minutes late;
		// unanswered for a minute (pending); asked before the window.
		for _, c := range []struct {
			ref    string
			asked  time.Duration
			answer *time.Duration
		}{{"QC-1", -2 * time.Hour, dur(3 * time.Minute)}, {"QC-2", -time.Hour, dur(5 * time.Minute)}, {"QC-3", -time.Minute, nil}, {"QC-4", win - time.Second, dur(time.Second)}} {
			if r := q.chat("QA", c.ref, c.asked, c.answer); r.Status != 200 {
				t.Fatalf("chat %s: %d %s", c.ref, r.Status, r.Body)
			}
		}
		// QB (女装): one order shipped on time. QZ (数码): one order scanned late
		// (ranked above QE). QD: an order long before the window only.
		q.order("QB1-1", "QB1", "QB", "女装", -day-time.Hour, dur(-time.Hour), false)
		q.order("QZ1", "QB1", "QZ", "数码", -day-time.Hour, dur(time.Hour), false)
		q.order("QD1", "QB1", "QD", "女装", -60*day, nil, false)
		// QE (数码): an advance payment counts as a manual-intervention refund.
		q.order("QE1", "QB4", "QE", "数码", -3*day, dur(-time.Hour), true)
		q.order("QE2", "QB4", "QE", "数码", -3*day, dur(-time.Hour), true)
		q.platformRefund("QE1", "QB4", "QE", true)

		get := func(key, seller, actAs string, want int) apitest.Resp {
			t.Helper()
			return e.Must(want, apitest.Req{Method: "GET", Path: "/v1/sellers/" + seller + "/quality", Key: key, ActAs: actAs})
		}
		qa := decodeQuality(t, get(e.Key(actor.Seller, "QA"), "QA", "", 200))
		want := map[string][3]int64{ // numerator, denominator, excluded
			"dispute_refund": {1, 5, 1}, "complaint": {1, 5, 0}, "chat_response": {1, 2, 1}, "on_time_shipping": {4, 6, 0},
		}
		if len(qa.Factors) != 4 {
			t.Fatalf("factors %+v", qa.Factors)
		}
		for _, f := range qa.Factors {
			w := want[f.Factor]
			if f.Numerator != w[0] || f.Denominator != w[1] || f.Excluded != w[2] || f.Rate == nil || *f.Rate != (w[0]*20000+w[1])/(2*w[1]) {
				t.Errorf("%s: %d/%d excluded %d rate %v, want %v", f.Factor, f.Numerator, f.Denominator, f.Excluded, f.Rate, w)
			}
			if len(f.RuleIDs) < 2 || f.RuleIDs[0] != "ours-quality-window-30d" || f.RuleIDs[1] != "ours-quality-weight-"+map[string]string{"dispute_refund": "dispute-refund", "complaint": "complaint", "chat_response": "chat-response", "on_time_shipping": "on-time-shipping"}[f.Factor] {
				t.Errorf("%s rules %v", f.Factor, f.RuleIDs)
			}
		}
		// 20 % refunds and complaints score 0; chats 5000; on time 6667:
		// (15 × 5000 + 25 × 6667) / 100 = 2416.75.
		if qa.Status != "ranked" || qa.Category != "女装" || qa.PaidOrders != 5 || qa.Score == nil || *qa.Score != 2417 ||
			qa.Rank != 2 || qa.CategorySize != 2 || qa.Percentile == nil || *qa.Percentile != 0 || !qa.WindowStart.Equal(q.now.Add(win)) {
			t.Fatalf("QA %+v", qa)
		}
		qb := decodeQuality(t, get(e.Agent, "QB", "", 200))
		if *qb.Score != 10000 || qb.Rank != 1 || *qb.Percentile != 10000 {
			t.Fatalf("QB %+v", qb)
		}
		qz := decodeQuality(t, get(e.Admin, "QZ", "", 200))
		if qz.Category != "数码" || qz.Rank != 1 || qz.CategorySize != 2 || *qz.Percentile != 10000 {
			t.Fatalf("QZ %+v", qz)
		}
		qe := decodeQuality(t, get(e.Agent, "QE", "", 200))
		if f := qe.Factors[0]; f.Numerator != 1 || f.Denominator != 2 || *f.Rate != 5000 || qe.Rank != 2 || *qe.Percentile != 0 {
			t.Fatalf("QE %+v", qe)
		}
		qd := decodeQuality(t, get(e.Integration, "QD", "", 200))
		if qd.Status != "unranked" || qd.PaidOrders != 0 || qd.Score != nil || qd.Rank != 0 || qd.Factors[0].Rate != nil {
			t.Fatalf("QD %+v", qd)
		}

		// Who may see: the seller itself, staff, the integration (also
		// acting for that seller); another seller or a buyer learns nothing.
		get(e.Integration, "QA", "seller:QA", 200)
		get(e.Key(actor.Senior, ""), "QA", "", 200)
		get(e.Key(actor.Seller, "QB"), "QA", "", 404)
		get(e.Integration, "QA", "seller:QB", 404)
		get(e.Key(actor.Buyer, "QB1"), "QA", "", 404)
		get(e.Agent, "nobody", "", 404)

		// The ranking of a category, best first, paginated; staff only.
		rk := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/quality/rankings?category=" + "%E5%A5%B3%E8%A3%85" + "&limit=1", Key: e.Agent}).JSON()
		items := rk["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["id"] != "QB" || rk["next_cursor"] == nil {
			t.Fatalf("ranking page 1 %v", rk)
		}
		rk = e.Must(200, apitest.Req{Method: "GET", Path: "/v1/quality/rankings?category=%E5%A5%B3%E8%A3%85&limit=1&cursor=" + rk["next_cursor"].(string), Key: e.Agent}).JSON()
		if items := rk["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != "QA" {
			t.Fatalf("ranking page 2 %v", rk)
		}
		all := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/quality/rankings", Key: e.Integration}).JSON()["items"].([]any)
		if len(all) != 4 || all[0].(map[string]any)["category"] != "女装" || all[2].(map[string]any)["id"] != "QZ" || all[3].(map[string]any)["id"] != "QE" {
			t.Fatalf("all rankings %v", all)
		}
		e.Must(403, apitest.Req{Method: "GET", Path: "/v1/quality/rankings", Key: e.Key(actor.Seller, "QA")})

		// Service facts: the same fact again changes nothing; a pending
		// chat gets its answer (version 2); other changes are refused.
		r := q.chat("QA", "QC-1", -2*time.Hour, dur(3*time.Minute))
		if r.Status != 200 || r.JSON()["version"] != float64(1) {
			t.Fatalf("same fact again: %d %s", r.Status, r.Body)
		}
		if r := q.chat("QA", "QC-1", -2*time.Hour, dur(4*time.Minute)); r.Status != 409 {
			t.Fatalf("changed answer: %d %s", r.Status, r.Body)
		}
		r = q.chat("QA", "QC-3", -time.Minute, dur(30*time.Second))
		if r.Status != 200 || r.JSON()["version"] != float64(2) || r.Str("status") != "answered" {
			t.Fatalf("answer added: %d %s", r.Status, r.Body)
		}
		if r := q.chat("QA", "QC-9", -time.Minute, dur(-time.Second)); r.Status != 400 || r.JSON()["errors"].([]any)[0].(map[string]any)["field"] != "answered_at" {
			t.Fatalf("answer before the question: %d %s", r.Status, r.Body)
		}
		e.Must(403, apitest.Req{Method: "POST", Path: "/v1/sellers/QA/service-facts", Key: e.Key(actor.Seller, "QA"),
			Body: map[string]any{"kind": "chat_response", "ref": "self", "asked_at": q.at(-time.Hour)}})
		e.Must(400, apitest.Req{Method: "POST", Path: "/v1/sellers/QA/service-facts", Key: e.Integration,
			Body: map[string]any{"kind": "phone_call", "ref": "x", "asked_at": q.at(-time.Hour)}})
		qa = decodeQuality(t, get(e.Agent, "QA", "", 200))
		if f := qa.Factors[2]; f.Numerator != 2 || f.Denominator != 3 || f.Excluded != 0 {
			t.Fatalf("chat after the answer %+v", f)
		}

		// One microsecond later QA3's payment has left the window.
		e.Clock.Advance(time.Microsecond)
		qa = decodeQuality(t, get(e.Agent, "QA", "", 200))
		if qa.PaidOrders != 4 || qa.Factors[0].Denominator != 4 {
			t.Fatalf("after the window moved: %+v", qa)
		}
		// A month later nothing is left in the window: unranked.
		e.Clock.Advance(31 * day)
		if qa = decodeQuality(t, get(e.Agent, "QA", "", 200)); qa.Status != "unranked" || qa.PaidOrders != 0 {
			t.Fatalf("a month later: %+v", qa)
		}

		// The window and the weights are the rule book's: a 7-day window
		// weighing only on-time shipping scores QA by QA2, QA5 and QA6.
		e.Clock.Set(q.now)
		var book map[string]any
		_ = json.Unmarshal(policy.DefaultJSON(), &book)
		book["version"] = "quality-test-2"
		rules := book["rules"].(map[string]any)
		rules["quality.window"].(map[string]any)["value"] = "7d"
		for _, k := range []string{"dispute_refund", "complaint", "chat_response"} {
			rules["quality.weight_"+k].(map[string]any)["value"] = "0"
		}
		e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/policy", Key: e.Admin, Body: book})
		v := get(e.Agent, "QA", "", 200)
		qa = decodeQuality(t, v)
		if qa.PaidOrders != 3 || *qa.Score != 6667 || !qa.WindowStart.Equal(q.now.Add(-7*day)) || v.JSON()["policy_version"] != "quality-test-2" {
			t.Fatalf("7-day window, on-time only: %+v", qa)
		}
	})
}
