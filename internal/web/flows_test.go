package web_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/service"
)

func (c *client) mustPost(t *testing.T, path string, form url.Values, want string) string {
	t.Helper()
	res, body := c.post(path, form)
	if res.StatusCode != 200 || !strings.Contains(body, want) {
		flash := ""
		if i := strings.Index(body, `id="flash"`); i >= 0 {
			flash = body[i:min(len(body), i+400)]
		}
		t.Fatalf("POST %s %v: %d, want %q on the page; flash: %s", path, form, res.StatusCode, want, flash)
	}
	return body
}

// mustRefuse posts a form the server refuses: the page it came from comes
// back with a 4xx status, the problem in the red banner (role=alert) and,
// when field is given, that control marked invalid and described by the
// error printed beside it; what was typed is in the form again.
func (c *client) mustRefuse(t *testing.T, path string, form url.Values, field string) string {
	t.Helper()
	res, body := c.post(path, form)
	if res.StatusCode < 400 || res.StatusCode > 499 || !strings.Contains(body, `id="form-error"`) || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("POST %s %v: %d, want a refusal in the red banner\n%.600s", path, form, res.StatusCode, body)
	}
	if field != "" {
		re := regexp.MustCompile(`<(?:input|textarea|select)[^>]*name="` + regexp.QuoteMeta(field) + `"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*err-`)
		if !re.MatchString(body) {
			t.Fatalf("POST %s: field %q is not marked beside its error\n%s", path, field, body)
		}
	}
	for k, vs := range form {
		if k == "csrf" || k == "action" || k == "password" {
			continue
		}
		for _, v := range vs {
			if !strings.Contains(html.UnescapeString(body), v) {
				t.Fatalf("POST %s: the refused form lost %s=%q", path, k, v)
			}
		}
	}
	return body
}

// The negotiation forms: a return (agree, ship the return, confirm it) and
// a counter-offer the buyer accepts, each ending in a refund.
func TestReturnAndCounterOfferForms(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	b.env.NewOrder("o1", "b1", "s1", 20000, apitest.Delivered)
	b.env.NewOrder("o2", "b1", "s1", 10000, apitest.Delivered)
	buyer, seller := b.login("buyer"), b.login("seller")

	buyer.get("/orders/o1/request")
	res, _ := buyer.post("/orders/o1/request", url.Values{"type": {"return_and_refund"}, "reason": {"not_as_described"}, "amount": {"200"}})
	r1 := strings.TrimPrefix(res.Request.URL.Path, "/requests/")
	seller.get("/requests/" + r1)
	seller.mustPost(t, "/requests/"+r1+"/act", url.Values{"action": {"agree"}, "return_name": {"售后部"}, "return_phone": {"13800000000"}, "return_address": {"浙江省杭州市文三路1号"}}, "WAIT_BUYER_RETURN_GOODS")
	if _, body := buyer.get("/requests/" + r1); !strings.Contains(body, `id="request-return-address">售后部 13800000000 · 浙江省杭州市文三路1号`) {
		t.Fatal("the buyer's request page lacks the seller's return address")
	}
	buyer.mustPost(t, "/requests/"+r1+"/act", url.Values{"action": {"ship-return"}, "carrier": {"SF"}, "tracking_no": {"SF123"}}, "WAIT_SELLER_CONFIRM_GOODS")
	seller.get("/requests/" + r1)
	seller.mustPost(t, "/requests/"+r1+"/act", url.Values{"action": {"confirm-return"}}, `id="request-refunded">¥200.00`)

	buyer.get("/orders/o2/request")
	res, _ = buyer.post("/orders/o2/request", url.Values{"type": {"refund_only"}, "reason": {"quality_problem"}, "amount": {"100"}})
	r2 := strings.TrimPrefix(res.Request.URL.Path, "/requests/")
	seller.get("/requests/" + r2)
	// A bad amount is refused with the reason, on the same page.
	seller.mustRefuse(t, "/requests/"+r2+"/act", url.Values{"action": {"counter-offer"}, "amount": {"150"}}, "amount")
	seller.mustPost(t, "/requests/"+r2+"/act", url.Values{"action": {"counter-offer"}, "amount": {"30"}, "note": {"部分退款 / partial"}}, "SELLER_REFUSE_BUYER")
	buyer.get("/requests/" + r2)
	buyer.mustPost(t, "/requests/"+r2+"/act", url.Values{"action": {"accept-offer"}}, `id="request-refunded">¥30.00`)
}

// The seller appeals with new evidence; a senior agent claims the appeal
// from the queue and upholds the judgment.
func TestAppealForms(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	_, caseID := b.story()
	seller := b.login("seller")
	seller.get("/cases/" + caseID)
	// A bare disagreement is refused.
	seller.mustRefuse(t, "/cases/"+caseID+"/act", url.Values{"action": {"appeal"}, "reason": {"不同意 / I disagree"}}, "")
	res, body := seller.postFile("/cases/"+caseID+"/act", url.Values{"action": {"appeal"}, "reason": {"补充质检报告 / inspection report"},
		"caption": {"质检报告 / inspection report"}}, "report.png", photo(t))
	if res.StatusCode != 200 || !strings.Contains(body, "申诉复核中") {
		t.Fatalf("appeal: %d\n%.600s", res.StatusCode, body)
	}
	senior := b.login("senior")
	_, wb := senior.get("/workbench")
	if !strings.Contains(wb, "/cases/"+caseID) {
		t.Fatal("the appeal is not in the senior's queue")
	}
	senior.get("/cases/" + caseID)
	senior.mustPost(t, "/cases/"+caseID+"/act", url.Values{"action": {"claim"}}, `name="uphold"`)
	senior.mustPost(t, "/cases/"+caseID+"/judge", url.Values{"outcome": {"refund_full"}, "fault": {"seller"}, "uphold": {"1"},
		"reason": {"新证据不足以推翻原判 / the new evidence does not overturn"}, "rule_ids": {"taobao-dispute-37"}}, "终局")
}

// An agent advances the refund from the guarantee fund (先行垫付) and later
// resolves it; the dashboard counts the fund's money.
func TestAdvanceForms(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	b.stopAtClaim = true
	_, caseID := b.story()
	if _, err := b.env.Svc.TopUp(context.Background(), service.Caller{Role: actor.Admin, Via: "test"}, ledger.GuaranteeFund(), 100000, "capital"); err != nil {
		t.Fatal(err)
	}
	agent := b.login("agent")
	// The claimed case shows its assignee by display name, not by the
	// id the service records ("web:agent"; it is only the value of the
	// assignee choices).
	if _, wb := agent.get("/workbench"); !strings.Contains(wb, `class="wb-assignee">客服小二<`) || strings.Contains(wb, ">web:agent") {
		i := strings.Index(wb, "/cases/"+caseID)
		t.Fatalf("workbench assignee: %.400s", wb[max(0, i):])
	}
	// The timeline names who acted too, the recorded id (the audit
	// trail's) kept in its title.
	if _, cp := agent.get("/cases/" + caseID); !strings.Contains(cp, "处理人 客服小二") || strings.Contains(cp, "处理人 web:agent") {
		t.Fatal("case page shows the assignee's id instead of the name")
	} else if !strings.Contains(cp, `<span class="actor" title="web:agent">客服 客服小二</span>`) {
		t.Fatal("the timeline does not name the agent who claimed the case")
	}
	agent.get("/cases/" + caseID)
	body := agent.mustPost(t, "/cases/"+caseID+"/act", url.Values{"action": {"advance"}, "amount": {"129"}, "reason": {"卖家不配合 / the seller does not cooperate"}}, `id="flash"`)
	if !strings.Contains(body, `id="advance"`) {
		i := strings.Index(body, `id="flash"`)
		t.Fatalf("advance not shown: %s", body[i:min(len(body), i+300)])
	}
	admin := b.login("admin")
	if _, dash := admin.get("/dashboard"); !strings.Contains(dash, `id="kpi-advances">¥129.00<`) {
		t.Fatal("the dashboard does not count the open advance")
	}
	agent.mustPost(t, "/cases/"+caseID+"/act", url.Values{"action": {"resolve-advance"}, "advance_outcome": {"kept"}, "reason": {"买家保留商品 / kept"}}, "买家确认保留商品")
	if _, dash := admin.get("/dashboard"); !strings.Contains(dash, `id="kpi-advances">¥0.00<`) {
		t.Fatal("the resolved advance is still counted")
	}
}
