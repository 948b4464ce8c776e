package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

// A buyer files a complaint on the pages, the seller answers (the draft
// lint flags a rude phrase while typing), an agent upholds it, and the
// seller's portal shows the points; every complaint page renders in both
// languages.
func TestComplaintPages(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	b.env.NewOrder("o1", "b1", "s1", 12900, apitest.Delivered)
	buyer, seller, agent := b.login("buyer"), b.login("seller"), b.login("agent")

	buyer.get("/orders/o1/complaint")
	res, body := buyer.post("/orders/o1/complaint", url.Values{"type": {"out_of_stock"}, "description": {"下单后卖家说缺货 / out of stock after payment"},
		"claim": {"按规则处理 / apply the rules"}})
	if res.StatusCode != 200 || !strings.HasPrefix(res.Request.URL.Path, "/complaints/") {
		t.Fatalf("file: %d %s\n%.800s", res.StatusCode, res.Request.URL, body)
	}
	id := strings.TrimPrefix(res.Request.URL.Path, "/complaints/")
	if !strings.Contains(body, `class="countdown"`) {
		t.Fatal("no countdown for the respondent's window")
	}

	seller.get("/complaints/" + id)
	_, lint := seller.post("/assist/lint", url.Values{"lint_field": {"statement"}, "statement": {"爱买不买，缺货我也没办法"}})
	if !strings.Contains(lint, "<mark>爱买不买</mark>") {
		t.Fatalf("draft lint did not flag the rude phrase:\n%s", lint)
	}
	if res, body := seller.post("/complaints/"+id+"/act", url.Values{"action": {"respond"}, "statement": {"确实缺货，已联系买家退款 / out of stock, refund offered"}}); res.StatusCode != 200 {
		t.Fatalf("respond: %d\n%s", res.StatusCode, body)
	}
	_, wb := agent.get("/workbench")
	if !strings.Contains(wb, "/complaints/"+id) {
		t.Fatal("the complaint is not in the agents' queue")
	}
	agent.get("/complaints/" + id)
	res, body = agent.post("/complaints/"+id+"/act", url.Values{"action": {"decide"}, "verdict": {"upheld"}, "rule_ids": {"taobao-dispute-2"},
		"reason": {"卖家承认缺货 / the seller admits it was out of stock"}})
	if res.StatusCode != 200 || !strings.Contains(body, `id="complaint-verdict"`) {
		t.Fatalf("decide: %d\n%.1500s", res.StatusCode, body)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		for _, c := range []*client{buyer, seller, agent} {
			c.lang = lang
			if res, body := c.get("/complaints/" + id); res.StatusCode != 200 {
				t.Errorf("%s complaint page: %d\n%.400s", lang, res.StatusCode, body)
			}
		}
		if res, body := seller.get("/portal"); res.StatusCode != 200 || !strings.Contains(body, `id="standing"`) || !strings.Contains(body, `id="quality"`) {
			t.Errorf("%s seller portal: %d", lang, res.StatusCode)
		}
		if res, _ := buyer.get("/orders/o1/complaint"); res.StatusCode != 200 {
			t.Errorf("%s complaint form: %d", lang, res.StatusCode)
		}
	}
	// Another buyer cannot see it.
	other := b.login("buyer2")
	if res, _ := other.get("/complaints/" + id); res.StatusCode != 404 {
		t.Errorf("buyer2 complaint page: %d, want 404", res.StatusCode)
	}
}
