package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// The workbench over plain HTTP on both engines: a bad filter is refused
// next to its field with the form kept; a row's claim button and the bulk
// form each make one service call whose outcome is the flash; a buyer has
// no workbench.
func TestWorkbenchForms(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		ids := []string{reviewCase(t, b, "wf-1", "b1", "s1", 12900), reviewCase(t, b, "wf-2", "b2", "s1", 5900)}
		agent := b.login("agent")
		_, page := agent.get("/workbench?min=abc&q=wf")
		if !strings.Contains(page, `role="alert" id="wb-error"`) || !strings.Contains(page, `id="wb-min" name="min" value="abc" placeholder="0.00" aria-invalid="true"`) ||
			!strings.Contains(page, `id="wb-q" name="q" value="wf"`) {
			i := strings.Index(page, `id="wb-search"`)
			t.Fatalf("a bad amount is not shown by its field: %.1200s", page[max(0, i):])
		}
		_, page = agent.get("/workbench?q=wf-1")
		if !strings.Contains(page, `id="row-`+ids[0]+`"`) || strings.Contains(page, `id="row-`+ids[1]+`"`) {
			t.Fatal("the search does not find exactly wf-1")
		}
		body := agent.mustPost(t, "/workbench/assign", url.Values{"row": {"claim:" + ids[0]}, "back": {"/workbench?q=wf-1"}}, "已认领 1 件")
		if !strings.Contains(body, `class="wb-assignee">客服小二<`) {
			t.Fatal("the claimed case does not show its holder")
		}
		agent.get("/workbench")
		agent.mustPost(t, "/workbench/assign", url.Values{"action": {"claim"}, "ids": {ids[0], ids[1]}}, "已认领 1 件；1 件未处理")
		// An agent may not reassign (the form has no such control for it).
		agent.mustPost(t, "/workbench/assign", url.Values{"action": {"reassign"}, "ids": {ids[1]}, "assign_to": {"web:senior"}}, "已改派 0 件；1 件未处理")
		if body := agent.mustRefuse(t, "/workbench/assign", url.Values{"action": {"claim"}}, ""); !strings.Contains(body, "请至少选择一个案件") {
			t.Error("the refusal does not say why")
		}
		// Back only to the workbench.
		res, _ := agent.post("/workbench/assign", url.Values{"action": {"release"}, "ids": {ids[0]}, "back": {"https://evil.example/"}})
		if res.Request.URL.Path != "/workbench" {
			t.Fatalf("redirected to %s", res.Request.URL)
		}
		// In English, the page and the flash are English only.
		agent.lang = "en"
		agent.get("/workbench")
		body = agent.mustPost(t, "/workbench/assign", url.Values{"action": {"claim"}, "ids": {ids[1]}}, "Claimed: 0; 1 not done:")
		if !strings.Contains(body, "you hold this case already") || strings.Contains(body, "你已认领") || !strings.Contains(body, "How priority is computed") {
			i := strings.Index(body, `id="flash"`)
			t.Fatalf("English workbench: %.300s", body[max(0, i):])
		}
		buyer := b.login("buyer")
		if res, _ := buyer.get("/workbench"); res.StatusCode != 404 {
			t.Fatalf("a buyer's workbench: %d", res.StatusCode)
		}
	})
}
