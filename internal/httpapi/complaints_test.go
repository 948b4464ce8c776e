package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/ledgercheck"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// cx is a complaint test bundle: the environment and its keys.
type cx struct {
	t      *testing.T
	e      *apitest.Env
	agent  string
	senior string
}

func newCX(t *testing.T, e *apitest.Env) *cx {
	return &cx{t: t, e: e, agent: e.Key("agent", ""), senior: e.Key("senior_agent", "")}
}

func (c *cx) key(role actor.Role, id string) string { return c.e.Key(role, id) }

// order puts an order and records facts at the given offsets from now.
func (c *cx) order(id, buyer, seller string, amount int64, presale *time.Time, facts ...map[string]any) {
	c.t.Helper()
	body := map[string]any{"buyer_id": buyer, "seller_id": seller, "category": "女装", "amount": amount, "postage": 0,
		"items": []map[string]any{{"title": "测试商品 " + id, "quantity": 1, "price": amount}}}
	if presale != nil {
		body["presale_ship_by"] = presale.Format(time.RFC3339)
	}
	c.e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + id, Key: c.e.Integration, Body: body})
	for _, f := range facts {
		c.e.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/events", Key: c.e.Integration, Body: f})
	}
}

func fact(typ string, at time.Time, extra ...string) map[string]any {
	m := map[string]any{"type": typ, "at": at.Format(time.RFC3339Nano)}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func (c *cx) file(key string, body map[string]any) apitest.Resp {
	c.t.Helper()
	if _, ok := body["occurred_at"]; !ok {
		body["occurred_at"] = c.e.Clock.Now().Add(-time.Hour).Format(time.RFC3339)
	}
	if _, ok := body["description"]; !ok {
		body["description"] = "详细经过 / what happened"
	}
	if _, ok := body["claim"]; !ok {
		body["claim"] = map[string]any{"text": "要求处理 / please act", "amount": 0}
	}
	oid, _ := body["order_id"].(string)
	return c.e.Do(apitest.Req{Method: "POST", Path: "/v1/complaints", Key: key, Body: withEvidence(c.e, key, "draft:"+oid, body)})
}

func (c *cx) act(id, action, key string, body any) apitest.Resp {
	c.t.Helper()
	return c.e.Do(apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/" + action, Key: key, Body: withEvidence(c.e, key, id, body)})
}

func (c *cx) mustAct(id, action, key string, body any) map[string]any {
	c.t.Helper()
	r := c.act(id, action, key, body)
	if r.Status != 200 {
		c.t.Fatalf("%s %s: %d %s", id, action, r.Status, r.Body)
	}
	return r.JSON()
}

func (c *cx) get(id string) map[string]any {
	c.t.Helper()
	return c.e.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + id, Key: c.agent}).JSON()
}

func (c *cx) standing(role actor.Role, id string) map[string]any {
	c.t.Helper()
	return c.e.Must(200, apitest.Req{Method: "GET", Path: "/v1/" + string(role) + "s/" + id + "/standing", Key: c.agent}).JSON()
}

func (c *cx) deposit(seller string, amount money.Fen) {
	c.t.Helper()
	ctx := context.Background()
	lt, err := ledger.TopUpDeposit(ledger.Meta{ID: fmt.Sprintf("deposit:%s:%d", seller, c.e.Clock.Now().UnixNano()), At: c.e.Clock.Now()}, seller, amount)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.e.Store.InTx(ctx, func(tx *store.Tx) error { return tx.PostTransaction(ctx, lt) }); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cx) balance(a ledger.Account) money.Fen {
	c.t.Helper()
	n, err := c.e.Store.AccountBalance(context.Background(), a)
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

func (c *cx) ledgerBalances() {
	c.t.Helper()
	rep, err := ledgercheck.Check(context.Background(), c.e.Store)
	if err != nil {
		c.t.Fatal(err)
	}
	if !rep.OK() {
		c.t.Fatalf("ledger check: %+v", rep.First())
	}
}

func outcomes(v map[string]any, field string) map[string]map[string]any {
	out := map[string]map[string]any{}
	d, _ := v[field].(map[string]any)
	if d == nil {
		return out
	}
	for _, o := range d["outcomes"].([]any) {
		m := o.(map[string]any)
		out[m["kind"].(string)] = m
	}
	return out
}

// replays checks that replaying a complaint's stored events reproduces its stored state.
func (c *cx) replays(id string) {
	c.t.Helper()
	ctx := context.Background()
	recs, err := c.e.Store.Events(ctx, service.AggComplaint, id, 0, 0)
	if err != nil {
		c.t.Fatal(err)
	}
	evs, err := service.DecodeComplaintEvents(recs)
	if err != nil {
		c.t.Fatal(err)
	}
	stored, err := c.e.Store.GetComplaint(ctx, id)
	if err != nil {
		c.t.Fatal(err)
	}
	got, _ := json.Marshal(complaint.Replay(id, evs))
	want, _ := json.Marshal(stored)
	if string(got) != string(want) {
		c.t.Fatalf("replay of %s differs:\nreplayed %s\nstored   %s", id, got, want)
	}
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// orderFor takes an order to the state a complaint type is about.
func (c *cx) orderFor(typ, id, buyer, seller string) {
	now := c.e.Clock.Now()
	switch typ {
	case "unpaid_order":
		c.order(id, buyer, seller, 10000, nil)
	case "late_shipment":
		c.order(id, buyer, seller, 10000, nil, fact("paid", now.Add(-72*time.Hour)), fact("shipped", now.Add(-30*time.Hour), "carrier", "SF", "tracking_no", "SF-"+id),
			fact("first_scan", now.Add(-30*time.Hour)))
	case "fake_shipment":
		c.order(id, buyer, seller, 10000, nil, fact("paid", now.Add(-5*24*time.Hour)), fact("shipped", now.Add(-4*24*time.Hour), "carrier", "SF", "tracking_no", "SF-"+id))
	case "out_of_stock", "price_raise":
		c.order(id, buyer, seller, 10000, nil, fact("paid", now.Add(-2*time.Hour)))
	default:
		c.order(id, buyer, seller, 10000, nil, fact("paid", now.Add(-4*24*time.Hour)), fact("shipped", now.Add(-3*24*time.Hour), "carrier", "SF", "tracking_no", "SF-"+id),
			fact("first_scan", now.Add(-3*24*time.Hour)), fact("delivered", now.Add(-2*24*time.Hour), "signed_by", "本人"))
	}
}

// TestComplaintEveryTypeBothDirections files every complaint type of the
// rule book through the API, has the respondent answer and an agent uphold
// it, and checks the outcomes the rule book names were executed: money,
// points, warnings, hidden reviews and restrictions.
func TestComplaintEveryTypeBothDirections(t *testing.T) {
	book := policy.Default()
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		dirs := map[actor.Role]int{}
		for i, typ := range book.ComplaintTypeKeys() {
			ct, _ := book.ComplaintType(typ)
			t.Run(typ, func(t *testing.T) {
				c.t = t
				buyer, seller := fmt.Sprintf("B%d", i), fmt.Sprintf("S%d", i)
				oid := "O-" + typ
				c.deposit(seller, 100000)
				c.orderFor(typ, oid, buyer, seller)
				filer, respondent := actor.Buyer, actor.Seller
				filerID, respID := buyer, seller
				if ct.Filer == "seller" {
					filer, respondent, filerID, respID = actor.Seller, actor.Buyer, seller, buyer
				}
				dirs[filer]++
				body := map[string]any{"type": typ, "order_id": oid, "claim": map[string]any{"text": "赔偿", "amount": 2000}, "loss": 2000}
				if ct.RequireEvidence {
					// The rule book's evidence is asked for.
					r := c.file(c.key(filer, filerID), map[string]any{"type": typ, "order_id": oid})
					if r.Status != 400 || problemField(r) != "evidence_ids" {
						t.Fatalf("filed without the evidence asked for: %d %s", r.Status, r.Body)
					}
					body["evidence_ids"] = []string{"ev-" + typ}
				}
				if slices.Contains(ct.Outcomes, "hide_review") {
					body["review_id"] = "R-" + typ
				}
				// The respondent cannot file the complainant's type.
				if r := c.file(c.key(respondent, respID), map[string]any{"type": typ, "order_id": oid}); r.Status != 403 {
					t.Fatalf("respondent filed: %d %s", r.Status, r.Body)
				}
				r := c.file(c.key(filer, filerID), body)
				if r.Status != 201 {
					t.Fatalf("file: %d %s", r.Status, r.Body)
				}
				v := r.JSON()
				id := v["id"].(string)
				if v["status"] != "WAIT_RESPONSE" || v["respondent_role"] != string(respondent) || v["respondent_id"] != respID || v["deadline"] == nil {
					t.Fatalf("filed %v", v)
				}
				if ct.Detect != "" {
					f := v["findings"].([]any)[0].(map[string]any)
					if f["kind"] != ct.Detect || f["detected"] != true {
						t.Fatalf("finding %v", f)
					}
				}
				// Only the respondent answers; then an agent decides.
				if r := c.act(id, "respond", c.key(filer, filerID), map[string]any{"statement": "x"}); r.Status != 403 {
					t.Fatalf("complainant answered: %d", r.Status)
				}
				if r := c.act(id, "decide", c.agent, map[string]any{"verdict": "upheld", "reason": "r", "rule_ids": []string{ct.ID}}); r.Status != 409 {
					t.Fatalf("decided before the answer: %d %s", r.Status, r.Body)
				}
				c.mustAct(id, "respond", c.key(respondent, respID), map[string]any{"statement": "情况说明", "evidence_ids": []string{"ev-answer-" + typ}})
				dec := map[string]any{"verdict": "upheld", "reason": "证据充分，投诉成立 / upheld on the evidence", "rule_ids": []string{ct.ID}}
				if slices.Contains(ct.Outcomes, "compensation") && ct.Detect == "" {
					dec["compensation"] = 1500
				}
				if r := c.act(id, "decide", c.key(filer, filerID), dec); r.Status != 403 {
					t.Fatalf("a party decided: %d", r.Status)
				}
				v = c.mustAct(id, "decide", c.agent, dec)
				if v["status"] != "DECIDED" || v["decision"].(map[string]any)["policy_version"] != book.Version {
					t.Fatalf("decided %v", v)
				}
				got := outcomes(v, "decision")
				for _, o := range ct.Outcomes {
					if o == "warning" || o == "violation" || (ct.Minor && o == "purchase_restriction") {
						continue
					}
					if _, ok := got[o]; !ok {
						t.Fatalf("outcome %s missing: %v", o, got)
					}
				}
				st := c.standing(respondent, respID)
				if ct.Violation != "" {
					vt, _ := book.Violation(ct.Violation)
					w, warned := got["warning"]
					switch {
					case ct.Minor:
						// 教育为主，处罚为辅: a first minor offence is a warning without points.
						if !warned || w["violation"] != ct.Violation || got["violation"] != nil || got["purchase_restriction"] != nil {
							t.Fatalf("first minor offence: %v", got)
						}
						if num(st["points"].(map[string]any)["A"]) != 0 || len(st["violations"].([]any)) != 1 {
							t.Fatalf("standing after a warning %v", st)
						}
					default:
						if got["violation"]["points"] != float64(vt.Points) || got["violation"]["violation_id"] == "" {
							t.Fatalf("violation outcome %v", got)
						}
						if num(st["points"].(map[string]any)[vt.Class]) != vt.Points {
							t.Fatalf("standing points %v, want %d", st["points"], vt.Points)
						}
					}
				}
				if o, ok := got["compensation"]; ok {
					want := int64(1500)
					if ct.Detect == "late_shipment" {
						want = 500 // 5 % of ¥100 is ¥5: the minimum
					}
					if num(o["paid"]) != want || c.balance(ledger.BuyerPayout(buyer)) != money.Fen(want) || c.balance(ledger.SellerDeposit(seller)) != money.Fen(100000-want) {
						t.Fatalf("compensation %v, payout %s", o, c.balance(ledger.BuyerPayout(buyer)))
					}
				}
				if o, ok := got["purchase_restriction"]; ok {
					if len(st["active_sanctions"].([]any)) != 1 || o["sanction_id"] == "" {
						t.Fatalf("restriction: %v / %v", o, st["active_sanctions"])
					}
					s := st["active_sanctions"].([]any)[0].(map[string]any)
					if s["kind"] != "purchase_restriction" || s["end_at"] == nil {
						t.Fatalf("restriction sanction %v", s)
					}
				}
				if o, ok := got["hide_review"]; ok && o["review_id"] != "R-"+typ {
					t.Fatalf("hidden review %v", o)
				}
				// Replaying the events reproduces the stored complaint's status and outcomes.
				evs := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + id + "/events", Key: c.agent}).JSON()["items"].([]any)
				types := []string{}
				for _, x := range evs {
					types = append(types, x.(map[string]any)["type"].(string))
				}
				// The respondent's evidence was uploaded to the complaint before its
				// answer cited it: the upload joined the complaint first.
				if !slices.Equal(types, []string{"filed", "evidence_added", "responded", "decided"}) {
					t.Fatalf("events %v", types)
				}
				c.replays(id)
				c.ledgerBalances()
			})
		}
		c.t = t
		if dirs["buyer"] < 7 || dirs["seller"] < 6 {
			t.Fatalf("directions covered %v", dirs)
		}
	})
}

// TestComplaintSettleWithdrawExpireAndSecond covers the flow around the
// decision: settling by agreement before it, withdrawing, the respondent's
// deadline, rejection, and second complaints to the senior tier.
func TestComplaintSettleWithdrawExpireAndSecond(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		ctx := context.Background()
		b1, s1 := c.key("buyer", "B1"), c.key("seller", "S1")
		c.deposit("S1", 100000)
		for _, id := range []string{"O1", "O2", "O3", "O4"} {
			c.orderFor("service_not_delivered", id, "B1", "S1")
		}
		file := func(oid string, claim int64) string {
			r := c.file(b1, map[string]any{"type": "service_not_delivered", "order_id": oid, "evidence_ids": []string{"ev-" + oid},
				"claim": map[string]any{"text": "退一赔三", "amount": claim}})
			if r.Status != 201 {
				t.Fatalf("file: %d %s", r.Status, r.Body)
			}
			return r.Str("id")
		}
		// Settle before the decision: the respondent offers, the complainant accepts.
		id := file("O1", 1000)
		if r := c.act(id, "accept-settlement", b1, nil); r.Status != 409 {
			t.Fatalf("accepted a settlement never offered: %d", r.Status)
		}
		c.mustAct(id, "settle", s1, map[string]any{"terms": "补发赠品并道歉", "amount": 0})
		if r := c.act(id, "accept-settlement", s1, nil); r.Status != 403 {
			t.Fatalf("the respondent accepted its own offer: %d", r.Status)
		}
		v := c.mustAct(id, "accept-settlement", b1, nil)
		if v["status"] != "SETTLED" || v["settlement"].(map[string]any)["accepted_at"] == nil {
			t.Fatalf("settled %v", v)
		}
		if r := c.act(id, "decide", c.agent, map[string]any{"verdict": "upheld", "reason": "r", "rule_ids": []string{"seed-complaint-service-not-delivered"}}); r.Status != 409 {
			t.Fatalf("decided a settled complaint: %d", r.Status)
		}
		// Withdrawn by the complainant.
		id = file("O2", 1000)
		if v := c.mustAct(id, "withdraw", b1, map[string]any{"reason": "已解决"}); v["status"] != "WITHDRAWN" {
			t.Fatalf("withdrawn %v", v)
		}
		// The respondent stays silent: the deadline moves it to an agent.
		id = file("O3", 1000)
		e.Clock.Advance(3*24*time.Hour + time.Minute)
		if st, err := e.Svc.FireDue(ctx, 50); err != nil || st.Fired < 1 {
			t.Fatalf("fire: %+v %v", st, err)
		}
		if v := c.get(id); v["status"] != "IN_REVIEW" || v["deadline"] != nil {
			t.Fatalf("after the deadline %v", v)
		}
		// Rejected first; a second complaint needs new evidence or a changed claim.
		c.mustAct(id, "decide", c.agent, map[string]any{"verdict": "rejected", "reason": "证据不足 / not proven", "rule_ids": []string{"seed-complaint-service-not-delivered"}})
		if r := c.act(id, "second-complaint", b1, map[string]any{"reason": "不服", "evidence_ids": []string{"ev-O3"}}); r.Status != 400 || problemField(r) != "evidence_ids" {
			t.Fatalf("second complaint without anything new: %d %s", r.Status, r.Body)
		}
		v = c.mustAct(id, "second-complaint", b1, map[string]any{"reason": "补充商品页截图", "evidence_ids": []string{"ev-O3", "ev-new"}})
		if v["status"] != "SECOND_REVIEW" || v["senior"] != true {
			t.Fatalf("second %v", v)
		}
		dec := map[string]any{"verdict": "upheld", "reason": "新证据证明卖家承诺未履行 / new evidence", "rule_ids": []string{"seed-complaint-service-not-delivered"}, "compensation": 800}
		if r := c.act(id, "decide", c.agent, dec); r.Status != 403 {
			t.Fatalf("a first-tier agent decided a second complaint: %d", r.Status)
		}
		v = c.mustAct(id, "decide", c.senior, dec)
		if v["status"] != "FINAL" || num(outcomes(v, "final_decision")["compensation"]["paid"]) != 800 {
			t.Fatalf("final %v", v)
		}
		if r := c.act(id, "second-complaint", b1, map[string]any{"reason": "again", "evidence_ids": []string{"ev-3rd"}}); r.Status != 409 {
			t.Fatalf("a third complaint: %d", r.Status)
		}
		// Upheld first with ¥10; the second complaint changes the claim to ¥30: only the difference is paid.
		id = file("O4", 1000)
		c.mustAct(id, "respond", c.key("seller", "S1"), map[string]any{"statement": "已提供服务"})
		v = c.mustAct(id, "decide", c.agent, map[string]any{"verdict": "upheld", "reason": "成立", "rule_ids": []string{"seed-complaint-service-not-delivered"}, "compensation": 1000})
		if v["decision"].(map[string]any)["agent_id"] == "" {
			t.Fatalf("decision %v", v)
		}
		before := c.balance(ledger.BuyerPayout("B1"))
		v = c.mustAct(id, "second-complaint", b1, map[string]any{"reason": "追加赔偿", "claim": map[string]any{"text": "首次仅退款，现要求赔偿", "amount": 3000}})
		if v["second_complaint"].(map[string]any)["claim"].(map[string]any)["amount"] != float64(3000) {
			t.Fatalf("changed claim %v", v["second_complaint"])
		}
		if r := c.act(id, "decide", c.senior, map[string]any{"verdict": "upheld", "reason": "r", "rule_ids": []string{"seed-complaint-service-not-delivered"}, "compensation": 3500}); r.Status != 400 {
			t.Fatalf("compensation above the changed claim: %d", r.Status)
		}
		v = c.mustAct(id, "decide", c.senior, map[string]any{"verdict": "upheld", "reason": "r", "rule_ids": []string{"seed-complaint-service-not-delivered"}, "compensation": 3000})
		if got := c.balance(ledger.BuyerPayout("B1")) - before; got != 2000 {
			t.Fatalf("second decision paid %s, want the difference ¥20", got)
		}
		// One violation per complaint, however many decisions.
		st := c.standing("seller", "S1")
		if num(st["points"].(map[string]any)["A"]) != 6 { // O3 and O4: 3 points each
			t.Fatalf("points %v", st["points"])
		}
		c.replays(id)
		c.ledgerBalances()
	})
}

// TestComplainantAbuseFlag: a complainant whose complaints are mostly
// rejected is flagged, with the reason, and its new complaints rank lower.
func TestComplainantAbuseFlag(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		s1 := c.key("seller", "S1")
		for i := 0; i < 4; i++ {
			c.orderFor("malicious_report", fmt.Sprintf("O%d", i), "B1", "S1")
		}
		for i := 0; i < 3; i++ {
			r := c.file(s1, map[string]any{"type": "malicious_report", "order_id": fmt.Sprintf("O%d", i), "evidence_ids": []string{"ev"}})
			if r.Status != 201 || r.JSON()["flag"] != nil {
				t.Fatalf("file %d: %d %s", i, r.Status, r.Body)
			}
			id := r.Str("id")
			c.mustAct(id, "respond", c.key("buyer", "B1"), map[string]any{"statement": "并未恶意举报"})
			verdict := "rejected"
			if i == 2 {
				verdict = "malicious"
			}
			c.mustAct(id, "decide", c.agent, map[string]any{"verdict": verdict, "reason": "不成立", "rule_ids": []string{"seed-complaint-malicious-report"}})
		}
		r := c.file(s1, map[string]any{"type": "malicious_report", "order_id": "O3", "evidence_ids": []string{"ev"}})
		v := r.JSON()
		flag, _ := v["flag"].(map[string]any)
		if r.Status != 201 || flag == nil || num(flag["rejected"]) != 3 || v["priority"] != float64(-1) || flag["reason"] == "" {
			t.Fatalf("flag %d %v", r.Status, v)
		}
		// The agents' queue ranks the flagged complaint last.
		c.orderFor("late_shipment", "OL", "B9", "S9")
		c.file(c.key("buyer", "B9"), map[string]any{"type": "late_shipment", "order_id": "OL"})
		q := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints?order=queue&status=WAIT_RESPONSE", Key: c.agent}).JSON()["items"].([]any)
		if len(q) != 2 || q[1].(map[string]any)["id"] != v["id"] {
			t.Fatalf("queue %v", q)
		}
		if st := c.standing("seller", "S1"); st["complainant_flag"] == nil || num(st["complaints"].(map[string]any)["filed_rejected"]) != 3 {
			t.Fatalf("standing %v", st)
		}
	})
}

// TestLateShipmentCompensationBoundaries judges late shipment on the first
// carrier scan at the boundaries and pays the bounded 5 % from the seller's
// deposit; the ledger balances after each.
func TestLateShipmentCompensationBoundaries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		paid := e.Clock.Now().Add(-10 * 24 * time.Hour)
		presale := paid.Add(5 * 24 * time.Hour)
		cases := []struct {
			name     string
			amount   int64
			presale  *time.Time
			scan     time.Duration // first scan after payment; 0: none
			refund   int64         // refunded before the complaint
			deposit  int64
			late     bool
			paid     int64
			shortage int64
		}{
			{"scan exactly 24h after payment is on time", 50000, nil, 24 * time.Hour, 0, 10000, false, 0, 0},
			{"scan one second late", 50000, nil, 24*time.Hour + time.Second, 0, 10000, true, 2500, 0},
			{"5 % below the minimum pays ¥5", 5000, nil, 48 * time.Hour, 0, 10000, true, 500, 0},
			{"5 % exactly ¥5", 10000, nil, 48 * time.Hour, 0, 10000, true, 500, 0},
			{"5 % above the maximum pays ¥30", 100000, nil, 48 * time.Hour, 0, 10000, true, 3000, 0},
			{"5 % exactly ¥30", 60000, nil, 48 * time.Hour, 0, 10000, true, 3000, 0},
			{"just under the maximum", 59990, nil, 48 * time.Hour, 0, 10000, true, 3000, 0}, // 2999.5 rounds half up
			{"pre-sale: scanned 3 days after payment but before the date", 50000, &presale, 72 * time.Hour, 0, 10000, false, 0, 0},
			{"pre-sale: scanned exactly on the date", 50000, &presale, 5 * 24 * time.Hour, 0, 10000, false, 0, 0},
			{"pre-sale: scanned after the date", 50000, &presale, 5*24*time.Hour + time.Minute, 0, 10000, true, 2500, 0},
			{"no scan and past ship-by", 30000, nil, 0, 0, 10000, true, 1500, 0},
			{"partial order: 5 % of what was not refunded", 50000, nil, 48 * time.Hour, 30000, 10000, true, 1000, 0},
			{"deposit short: pays what there is", 50000, nil, 48 * time.Hour, 0, 1000, true, 1000, 1500},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c.t = t
				buyer, seller, oid := fmt.Sprintf("LB%d", i), fmt.Sprintf("LS%d", i), fmt.Sprintf("L%d", i)
				c.deposit(seller, money.Fen(tc.deposit))
				facts := []map[string]any{fact("paid", paid)}
				if tc.scan > 0 {
					facts = append(facts, fact("shipped", paid.Add(tc.scan), "carrier", "YTO", "tracking_no", "YT"+oid), fact("first_scan", paid.Add(tc.scan)))
				}
				c.order(oid, buyer, seller, tc.amount, tc.presale, facts...)
				if tc.refund > 0 {
					as := e.Aftersale(oid, buyer, map[string]any{"type": "refund_only", "reason": "seller_agreed", "amount": tc.refund})
					if r := e.Act(as, "agree", c.key("seller", seller), map[string]any{"note": "同意"}); r.Status != 200 {
						t.Fatalf("refund: %d %s", r.Status, r.Body)
					}
				}
				r := c.file(c.key("buyer", buyer), map[string]any{"type": "late_shipment", "order_id": oid})
				if r.Status != 201 {
					t.Fatalf("file: %d %s", r.Status, r.Body)
				}
				v := r.JSON()
				f := v["findings"].([]any)[0].(map[string]any)
				if f["detected"] != tc.late {
					t.Fatalf("late = %v, want %v: %v", f["detected"], tc.late, f["summary"])
				}
				id := v["id"].(string)
				c.mustAct(id, "respond", c.key("seller", seller), map[string]any{"statement": "按时发货"})
				before := c.balance(ledger.BuyerPayout(buyer))
				dec := map[string]any{"verdict": "upheld", "reason": "以首条揽收记录为准 / judged on the first scan", "rule_ids": []string{"seed-complaint-late-shipment"}}
				if !tc.late {
					if r := c.act(id, "decide", c.agent, dec); r.Status != 400 || problemField(r) != "verdict" {
						t.Fatalf("upheld an on-time shipment: %d %s", r.Status, r.Body)
					}
					c.mustAct(id, "decide", c.agent, map[string]any{"verdict": "rejected", "reason": "按时揽收", "rule_ids": []string{"seed-ship-within-24h"}})
				} else {
					v = c.mustAct(id, "decide", c.agent, dec)
					o := outcomes(v, "decision")["compensation"]
					if num(o["amount"]) != tc.paid+tc.shortage || num(o["paid"]) != tc.paid || num(o["shortfall"]) != tc.shortage {
						t.Fatalf("compensation %v", o)
					}
				}
				if got := c.balance(ledger.BuyerPayout(buyer)) - before; got != money.Fen(tc.paid) {
					t.Fatalf("buyer received %s, want %s", got, money.Fen(tc.paid))
				}
				if got := c.balance(ledger.SellerDeposit(seller)); got != money.Fen(tc.deposit-tc.paid) {
					t.Fatalf("deposit %s", got)
				}
				c.ledgerBalances()
			})
		}
	})
}

// TestPolicyChangeKeepsPastDecisions: a new rule book version (author and
// diff recorded) changes later decisions only.
func TestPolicyChangeKeepsPastDecisions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		b := policy.Default()
		decideLate := func(oid, buyer, seller string) map[string]any {
			c.deposit(seller, 100000)
			c.orderFor("late_shipment", oid, buyer, seller)
			c.order(oid+"x", buyer, seller, 100000, nil) // unrelated
			id := c.file(c.key("buyer", buyer), map[string]any{"type": "late_shipment", "order_id": oid}).Str("id")
			c.mustAct(id, "respond", c.key("seller", seller), map[string]any{"statement": "s"})
			c.mustAct(id, "decide", c.agent, map[string]any{"verdict": "upheld", "reason": "r", "rule_ids": []string{"seed-complaint-late-shipment"}})
			return c.get(id)
		}
		first := decideLate("P1", "B1", "S1")
		var m map[string]any
		_ = json.Unmarshal(policy.DefaultJSON(), &m)
		m["version"] = "2026.12.1"
		m["rules"].(map[string]any)["complaint.late_shipment_min"].(map[string]any)["value"] = "800fen"
		raw, _ := json.Marshal(m)
		if r := e.Do(apitest.Req{Method: "PUT", Path: "/v1/policy", Key: c.agent, Body: raw}); r.Status != 403 {
			t.Fatalf("an agent changed the rule book: %d", r.Status)
		}
		bad := map[string]any{}
		_ = json.Unmarshal(raw, &bad)
		bad["complaints"].(map[string]any)["types"].(map[string]any)["late_shipment"].(map[string]any)["respond"] = "soon"
		if r := e.Do(apitest.Req{Method: "PUT", Path: "/v1/policy", Key: e.Admin, Body: bad}); r.Status != 400 || problemField(r) != "complaints.types.late_shipment.respond" {
			t.Fatalf("bad book: %d %s", r.Status, r.Body)
		}
		r := e.Do(apitest.Req{Method: "PUT", Path: "/v1/policy", Key: e.Admin, Body: raw})
		if r.Status != 200 {
			t.Fatalf("put policy: %d %s", r.Status, r.Body)
		}
		ch := r.JSON()
		diff := ch["diff"].([]any)
		keys := []string{}
		for _, d := range diff {
			keys = append(keys, d.(map[string]any)["key"].(string))
		}
		if ch["author"] == "" || ch["prev_version"] != b.Version || !slices.Equal(keys, []string{"rules.complaint.late_shipment_min.value", "version"}) {
			t.Fatalf("change %v", ch)
		}
		if r := e.Do(apitest.Req{Method: "PUT", Path: "/v1/policy", Key: e.Admin, Body: raw}); r.Status != 409 {
			t.Fatalf("same book again: %d", r.Status)
		}
		if v := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/policy", Key: c.agent}).JSON(); v["version"] != "2026.12.1" {
			t.Fatalf("policy in force %v", v["version"])
		}
		second := decideLate("P2", "B2", "S2")
		// The past decision is unchanged: its version, its cited rules with their values, its money.
		again := c.get(first["id"].(string))
		if fmt.Sprint(again["decision"]) != fmt.Sprint(first["decision"]) {
			t.Fatalf("past decision changed:\n%v\n%v", first["decision"], again["decision"])
		}
		fd, sd := first["decision"].(map[string]any), second["decision"].(map[string]any)
		if fd["policy_version"] != b.Version || sd["policy_version"] != "2026.12.1" {
			t.Fatalf("versions %v %v", fd["policy_version"], sd["policy_version"])
		}
		cited := func(d map[string]any, id string) string {
			for _, x := range d["cited_rules"].([]any) {
				if x.(map[string]any)["id"] == id {
					return x.(map[string]any)["value"].(string)
				}
			}
			return ""
		}
		if cited(fd, "ours-late-shipment-min") != "500fen" || cited(sd, "ours-late-shipment-min") != "800fen" {
			t.Fatalf("cited %v / %v", fd["cited_rules"], sd["cited_rules"])
		}
		if num(outcomes(first, "decision")["compensation"]["paid"]) != 500 || num(outcomes(second, "decision")["compensation"]["paid"]) != 800 {
			t.Fatalf("compensation %v / %v", outcomes(first, "decision"), outcomes(second, "decision"))
		}
		// The events keep the version they were decided under.
		evs := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/complaints/" + first["id"].(string) + "/events", Key: c.agent}).JSON()["items"].([]any)
		if evs[len(evs)-1].(map[string]any)["policy_version"] != b.Version {
			t.Fatalf("event version %v", evs[len(evs)-1])
		}
		c.ledgerBalances()
	})
}

// TestConcurrentViolationsCrossThresholdOnce: two upheld complaints decided
// at the same time carry a seller from 9 to 15 points across the 12-point
// threshold; exactly one sanction is imposed, naming its violations.
func TestConcurrentViolationsCrossThresholdOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		upheld := func(oid string) string {
			c.orderFor("out_of_stock", oid, "B-"+oid, "S1")
			id := c.file(c.key("buyer", "B-"+oid), map[string]any{"type": "out_of_stock", "order_id": oid}).Str("id")
			c.mustAct(id, "respond", c.key("seller", "S1"), map[string]any{"statement": "缺货"})
			return id
		}
		dec := map[string]any{"verdict": "upheld", "reason": "付款未发货", "rule_ids": []string{"seed-complaint-out-of-stock"}}
		for _, oid := range []string{"A1", "A2", "A3"} {
			c.mustAct(upheld(oid), "decide", c.agent, dec)
		}
		for round := 0; round < 3; round++ {
			ids := []string{upheld(fmt.Sprintf("C%da", round)), upheld(fmt.Sprintf("C%db", round))}
			var wg sync.WaitGroup
			res := make([]apitest.Resp, 2)
			for i, id := range ids {
				wg.Go(func() {
					res[i] = e.Do(apitest.Req{Method: "POST", Path: "/v1/complaints/" + id + "/decide", Key: c.agent, Body: dec})
				})
			}
			wg.Wait()
			for _, r := range res {
				if r.Status != 200 {
					t.Fatalf("decide: %d %s", r.Status, r.Body)
				}
			}
		}
		// Two agents decide the same complaint at once: exactly one wins, the other is told it is decided.
		same := upheld("D1")
		var wg sync.WaitGroup
		res := make([]apitest.Resp, 2)
		for i := range res {
			wg.Go(func() {
				res[i] = e.Do(apitest.Req{Method: "POST", Path: "/v1/complaints/" + same + "/decide", Key: c.agent, Body: dec})
			})
		}
		wg.Wait()
		if codes := []int{res[0].Status, res[1].Status}; !(slices.Contains(codes, 200) && slices.Contains(codes, 409)) {
			t.Fatalf("concurrent decisions of one complaint: %v", codes)
		}
		// 3 + 6 + 1 violations of 3 points: 30 points, thresholds 12 and 24 reached once each.
		st := c.standing("seller", "S1")
		if num(st["points"].(map[string]any)["A"]) != 30 {
			t.Fatalf("points %v", st["points"])
		}
		year := int(num(st["year"]))
		for _, th := range []int64{12, 24, 36} {
			n, err := e.Store.CountSanctions(context.Background(), "seller", "S1", "A", year, th)
			want := 1
			if th == 36 {
				want = 0
			}
			if err != nil || n != want {
				t.Fatalf("threshold %d: %d sanctions (%v), want %d", th, n, err, want)
			}
		}
		sans := st["sanctions"].([]any)
		first := sans[0].(map[string]any)
		if first["kind"] != "public_warning" || len(first["violations_behind"].([]any)) != 4 || first["end_at"] == nil {
			t.Fatalf("sanction %v", first)
		}
	})
}

// TestPointsResetAtTheYearBoundary: points count per natural year (China
// time), from the violations' dates: violations of 31 December stop
// counting at midnight of 1 January, and a new year starts from zero.
func TestPointsResetAtTheYearBoundary(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		cst := time.FixedZone("CST", 8*3600)
		e.Clock.Set(time.Date(2026, 12, 31, 22, 0, 0, 0, cst))
		dec := map[string]any{"verdict": "upheld", "reason": "成立", "rule_ids": []string{"seed-complaint-fake-shipment"}}
		for i := 0; i < 3; i++ {
			oid := fmt.Sprintf("Y%d", i)
			c.orderFor("fake_shipment", oid, "B"+oid, "S1")
			id := c.file(c.key("buyer", "B"+oid), map[string]any{"type": "fake_shipment", "order_id": oid}).Str("id")
			c.mustAct(id, "respond", c.key("seller", "S1"), map[string]any{"statement": "s"})
			c.mustAct(id, "decide", c.agent, dec)
			if i == 1 {
				e.Clock.Set(time.Date(2027, 1, 1, 0, 0, 0, 0, cst)) // midnight in China, 16:00 UTC on 31 December
			}
		}
		st := c.standing("seller", "S1")
		if num(st["year"]) != 2027 || num(st["points"].(map[string]any)["A"]) != 6 || len(st["violations"].([]any)) != 1 {
			t.Fatalf("2027 standing %v", st)
		}
		// The 12 points of 2026 reached the threshold in 2026: that sanction stays, no new one in 2027.
		sans := st["sanctions"].([]any)
		if len(sans) != 1 || num(sans[0].(map[string]any)["year"]) != 2026 {
			t.Fatalf("sanctions %v", sans)
		}
		e.Clock.Set(time.Date(2027, 12, 31, 23, 59, 0, 0, cst))
		if st := c.standing("seller", "S1"); num(st["points"].(map[string]any)["A"]) != 6 {
			t.Fatalf("late 2027 %v", st["points"])
		}
		e.Clock.Set(time.Date(2028, 1, 1, 0, 0, 0, 0, cst))
		if st := c.standing("seller", "S1"); num(st["points"].(map[string]any)["A"]) != 0 || num(st["next_threshold"].(map[string]any)["A"]) != 12 {
			t.Fatalf("2028 %v", st["points"])
		}
	})
}

// TestSanctionAppeal: a sanction is appealed like a judgment: once, within
// the window, with new evidence or a procedural error, decided by the senior tier.
func TestSanctionAppeal(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		c.orderFor("review_extortion", "E1", "B1", "S1")
		id := c.file(c.key("seller", "S1"), map[string]any{"type": "review_extortion", "order_id": "E1", "evidence_ids": []string{"chat-1"}, "review_id": "R1"}).Str("id")
		c.mustAct(id, "respond", c.key("buyer", "B1"), map[string]any{"statement": "没有威胁"})
		v := c.mustAct(id, "decide", c.agent, map[string]any{"verdict": "upheld", "reason": "聊天记录显示以差评要挟", "rule_ids": []string{"seed-complaint-review-extortion"}})
		sid := outcomes(v, "decision")["purchase_restriction"]["sanction_id"].(string)
		path := "/v1/sanctions/" + sid
		b1 := c.key("buyer", "B1")
		if r := e.Do(apitest.Req{Method: "GET", Path: path, Key: c.key("buyer", "B2")}); r.Status != 404 {
			t.Fatalf("another buyer sees the sanction: %d", r.Status)
		}
		known := anyStrings(c.get(id)["evidence_ids"]) // the complaint's own evidence is not new
		if r := e.Do(apitest.Req{Method: "POST", Path: path + "/appeal", Key: b1, Body: map[string]any{"reason": "不同意", "evidence_ids": known}}); r.Status != 400 {
			t.Fatalf("bare disagreement: %d %s", r.Status, r.Body)
		}
		r := e.Do(apitest.Req{Method: "POST", Path: path + "/appeal", Key: b1, Body: map[string]any{"reason": "聊天记录被截取", "evidence_ids": []string{"chat-full"}}})
		if r.Status != 200 || r.Str("status") != "APPEALED" {
			t.Fatalf("appeal: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Req{Method: "POST", Path: path + "/appeal", Key: b1, Body: map[string]any{"reason": "again", "evidence_ids": []string{"x"}}}); r.Status != 409 {
			t.Fatalf("second appeal: %d", r.Status)
		}
		body := map[string]any{"revoke": true, "reason": "完整记录显示并非要挟 / not extortion", "rule_ids": []string{"seed-appeal-once"}}
		if r := e.Do(apitest.Req{Method: "POST", Path: path + "/decide-appeal", Key: c.agent, Body: body}); r.Status != 403 {
			t.Fatalf("agent decided the appeal: %d", r.Status)
		}
		r = e.Do(apitest.Req{Method: "POST", Path: path + "/decide-appeal", Key: c.senior, Body: body})
		if r.Status != 200 || r.Str("status") != "REVOKED" || r.JSON()["active"] != false {
			t.Fatalf("decide: %d %s", r.Status, r.Body)
		}
		if st := c.standing("buyer", "B1"); len(st["active_sanctions"].([]any)) != 0 {
			t.Fatalf("revoked sanction still active %v", st["active_sanctions"])
		}
	})
}

// TestFakeShipmentDetection: a tracking number with no carrier movement for
// the rule book's days, or one tracking number on several orders, is
// surfaced on the complaint; a parcel that moved on its own number is not.
func TestFakeShipmentDetection(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		c := newCX(t, e)
		now := e.Clock.Now()
		shipped := func(id, buyer, no string, scan bool, ago time.Duration) {
			facts := []map[string]any{fact("paid", now.Add(-ago-time.Hour)), fact("shipped", now.Add(-ago), "carrier", "ZTO", "tracking_no", no)}
			if scan {
				facts = append(facts, fact("first_scan", now.Add(-ago+time.Hour)))
			}
			c.order(id, buyer, "S1", 6000, nil, facts...)
		}
		shipped("F1", "B1", "ZT-SHARED", true, 48*time.Hour)
		shipped("F2", "B2", "ZT-SHARED", true, 24*time.Hour)
		shipped("F3", "B3", "ZT-OWN", true, 96*time.Hour)
		shipped("F4", "B4", "ZT-SILENT", false, 72*time.Hour-time.Minute)
		shipped("F5", "B5", "ZT-SILENT-2", false, 72*time.Hour)
		cases := []struct {
			order, buyer string
			detected     bool
			others       int
		}{{"F2", "B2", true, 1}, {"F3", "B3", false, 0}, {"F4", "B4", false, 0}, {"F5", "B5", true, 0}}
		for _, tc := range cases {
			r := c.file(c.key("buyer", tc.buyer), map[string]any{"type": "fake_shipment", "order_id": tc.order})
			if r.Status != 201 {
				t.Fatalf("%s: %d %s", tc.order, r.Status, r.Body)
			}
			f := r.JSON()["findings"].([]any)[0].(map[string]any)
			others, _ := f["other_orders"].([]any)
			if f["detected"] != tc.detected || len(others) != tc.others {
				t.Errorf("%s: %v", tc.order, f)
			}
			if tc.others > 0 && others[0] != "F1" {
				t.Errorf("%s: other orders %v", tc.order, others)
			}
		}
	})
}
