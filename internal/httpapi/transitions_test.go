package httpapi_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"fmt"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

// setupStep is one action taken to bring a request into a state.
type setupStep struct {
	action string
	seller bool
	body   map[string]any
}

var (
	refuse       = setupStep{"refuse", true, map[string]any{"reason_code": "goods_intact", "reason": "商品无质量问题", "evidence": []string{"ev-photo-1"}}}
	counterOffer = setupStep{"counter-offer", true, map[string]any{"amount": 5000, "reason": "可部分退款"}}
	agree        = setupStep{"agree", true, agreeReturn}
	escalate     = setupStep{"escalate", false, map[string]any{"reason": "卖家拒绝"}}
	shipReturn   = setupStep{"ship-return", false, map[string]any{"carrier": "圆通", "tracking_no": "YT123"}}
	refuseRcpt   = setupStep{"refuse-receipt", true, map[string]any{"reason": "退回商品已损坏", "evidence": []string{"ev-photo-2"}}}
	cancel       = setupStep{"cancel", false, map[string]any{"reason": "不想退了"}}
)

// startStates are the states of the table, each reached from a fresh request.
var startStates = []struct {
	name   string
	typ    string
	steps  []setupStep
	status string
	inIntv bool
}{
	{"WAIT_SELLER_AGREE", "return_and_refund", nil, "WAIT_SELLER_AGREE", false},
	{"SELLER_REFUSE_BUYER", "return_and_refund", []setupStep{refuse}, "SELLER_REFUSE_BUYER", false},
	{"SELLER_REFUSE_BUYER+offer", "return_and_refund", []setupStep{counterOffer}, "SELLER_REFUSE_BUYER", false},
	{"SELLER_REFUSE_BUYER+intervention", "return_and_refund", []setupStep{refuse, escalate}, "SELLER_REFUSE_BUYER", true},
	{"WAIT_BUYER_RETURN_GOODS", "return_and_refund", []setupStep{agree}, "WAIT_BUYER_RETURN_GOODS", false},
	{"WAIT_SELLER_CONFIRM_GOODS", "return_and_refund", []setupStep{agree, shipReturn}, "WAIT_SELLER_CONFIRM_GOODS", false},
	{"WAIT_SELLER_CONFIRM_GOODS+intervention", "return_and_refund", []setupStep{agree, shipReturn, refuseRcpt}, "WAIT_SELLER_CONFIRM_GOODS", true},
	{"SUCCESS", "refund_only", []setupStep{agree}, "SUCCESS", false},
	{"CLOSED", "return_and_refund", []setupStep{cancel}, "CLOSED", false},
}

// actionSpec is every action with a valid body and the role that takes it.
var actionSpecs = []struct {
	action string
	seller bool
	body   map[string]any
}{
	{"agree", true, agreeReturn},
	{"refuse", true, refuse.body},
	{"counter-offer", true, counterOffer.body},
	{"accept-offer", false, map[string]any{}},
	{"modify", false, map[string]any{"amount": 9000, "note": "补充照片"}},
	{"ship-return", false, shipReturn.body},
	{"cancel", false, cancel.body},
	{"escalate", false, escalate.body},
	{"confirm-return", true, map[string]any{}},
	{"refuse-receipt", true, refuseRcpt.body},
}

// allowed is the expected table, written out independently of the domain
// code: start state → action → resulting status ("" = refused with 409).
var allowed = map[string]map[string]string{
	"WAIT_SELLER_AGREE":                      {"agree": "WAIT_BUYER_RETURN_GOODS", "refuse": "SELLER_REFUSE_BUYER", "counter-offer": "SELLER_REFUSE_BUYER", "cancel": "CLOSED"},
	"SELLER_REFUSE_BUYER":                    {"agree": "WAIT_BUYER_RETURN_GOODS", "modify": "WAIT_SELLER_AGREE", "escalate": "SELLER_REFUSE_BUYER", "cancel": "CLOSED"},
	"SELLER_REFUSE_BUYER+offer":              {"agree": "WAIT_BUYER_RETURN_GOODS", "modify": "WAIT_SELLER_AGREE", "escalate": "SELLER_REFUSE_BUYER", "cancel": "CLOSED", "accept-offer": "SUCCESS"},
	"SELLER_REFUSE_BUYER+intervention":       {"agree": "WAIT_BUYER_RETURN_GOODS", "cancel": "CLOSED"},
	"WAIT_BUYER_RETURN_GOODS":                {"ship-return": "WAIT_SELLER_CONFIRM_GOODS", "cancel": "CLOSED"},
	"WAIT_SELLER_CONFIRM_GOODS":              {"confirm-return": "SUCCESS", "refuse-receipt": "WAIT_SELLER_CONFIRM_GOODS", "cancel": "CLOSED"},
	"WAIT_SELLER_CONFIRM_GOODS+intervention": {"confirm-return": "SUCCESS", "cancel": "CLOSED"},
	"SUCCESS":                                {},
	"CLOSED":                                 {},
}

func TestEveryStatusActionActor(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		buyer, seller := e.Key(actor.Buyer, "B1"), e.Key(actor.Seller, "S1")
		otherBuyer, otherSeller := e.Key(actor.Buyer, "B9"), e.Key(actor.Seller, "S9")
		n := 0
		newRequest := func(t *testing.T, st int) string {
			n++
			oid := fmt.Sprintf("T%d", n)
			e.NewOrder(oid, "B1", "S1", 19900, apitest.Delivered)
			id := e.Aftersale(oid, "B1", map[string]any{"type": startStates[st].typ, "reason": "quality_problem", "amount": 19900})
			for _, s := range startStates[st].steps {
				k := buyer
				if s.seller {
					k = seller
				}
				if res := e.Act(id, s.action, k, s.body); res.Status != 200 {
					t.Fatalf("setup %s: %d %s", s.action, res.Status, res.Body)
				}
			}
			return id
		}
		snapshot := func(id string) (string, int) {
			res := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id, Key: e.Agent})
			ev := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id + "/events", Key: e.Agent})
			return string(res.Body), len(ev.JSON()["items"].([]any))
		}
		for si, st := range startStates {
			t.Run(st.name, func(t *testing.T) {
				for _, a := range actionSpecs {
					t.Run(a.action, func(t *testing.T) {
						id := newRequest(t, si)
						if got := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/aftersales/" + id, Key: buyer}).Str("status"); got != st.status {
							t.Fatalf("setup reached %s, want %s", got, st.status)
						}
						own, wrongRole, otherParty := buyer, seller, otherBuyer
						if a.seller {
							own, wrongRole, otherParty = seller, buyer, otherSeller
						}
						before, beforeEvents := snapshot(id)
						// Actors who may never take this action here change nothing.
						for _, c := range []struct {
							who  string
							key  string
							want int
						}{{"other party", otherParty, 404}, {"wrong role", wrongRole, 403}, {"agent", e.Agent, 403}, {"integration without X-Act-As", e.Integration, 403}} {
							if res := e.Act(id, a.action, c.key, a.body); res.Status != c.want {
								t.Errorf("%s: status %d, want %d: %s", c.who, res.Status, c.want, res.Body)
							}
						}
						if after, afterEvents := snapshot(id); after != before || afterEvents != beforeEvents {
							t.Fatalf("a refused actor changed the request")
						}
						res := e.Act(id, a.action, own, a.body)
						want, ok := allowed[st.name][a.action]
						if !ok {
							if res.Status != 409 {
								t.Fatalf("status %d, want 409: %s", res.Status, res.Body)
							}
							p := res.JSON()
							if p["current_status"] != st.status || p["allowed_actions"] == nil {
								t.Fatalf("409 does not name the status and allowed actions: %s", res.Body)
							}
							if res.Header.Get("Content-Type") != "application/problem+json" {
								t.Fatalf("content type %q", res.Header.Get("Content-Type"))
							}
							if after, afterEvents := snapshot(id); after != before || afterEvents != beforeEvents {
								t.Fatalf("a refused action changed the request")
							}
							return
						}
						if res.Status != 200 || res.Str("status") != want {
							t.Fatalf("status %d → %q, want 200 → %s: %s", res.Status, res.Str("status"), want, res.Body)
						}
						if _, afterEvents := snapshot(id); afterEvents != beforeEvents+1 {
							t.Fatalf("events %d → %d, want one more", beforeEvents, afterEvents)
						}
					})
				}
			})
		}
	})
}
