package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/policy"
)

// TestAdminRulesPreviewReplays: beside the rule-book diff, the admin sees
// what the last 30 days would have come to under an edited book (the
// seller window 24 h instead of 48 h: two requests auto-agreed instead of
// one, a late agreement refused), nothing is put in force, and the form
// keeps the edit.
func TestAdminRulesPreviewReplays(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		e := b.env
		seller := e.Key(actor.Seller, "S1")
		var ids []string
		for _, o := range []string{"PV1", "PV2"} {
			e.NewOrder(o, "B1", "S1", 5000, apitest.Delivered)
			ids = append(ids, e.Aftersale(o, "B1", map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": 5000, "description": "破损"}))
		}
		e.Clock.Set(apitest.Start.Add(30 * time.Hour))
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/aftersales/" + ids[0] + "/agree", Key: seller, Body: map[string]any{}})
		e.Clock.Set(apitest.Start.Add(72 * time.Hour))
		if _, err := e.Svc.FireDue(t.Context(), 100); err != nil {
			t.Fatal(err)
		}
		before := e.Svc.Policy().Version
		edit := strings.Replace(strings.Replace(string(policy.DefaultJSON()), `"value": "48h", "on_expiry": "auto_agree"`, `"value": "24h", "on_expiry": "auto_agree"`, 1),
			`"version": "`+before+`"`, `"version": "2099.2.1"`, 1)

		admin := b.login("admin")
		admin.get("/admin/rules")
		body := admin.mustPost(t, "/admin/rules/preview", url.Values{"book": {edit}}, `id="replay-table"`)
		row := regexp.MustCompile(`<tr class="changed"><td>超时自动同意</td><td>1</td><td>2</td><td>(\+|&#43;)1</td></tr>`)
		if !row.MatchString(body) {
			t.Errorf("no auto-agree row 1 → 2 in the preview:\n%s", body[strings.Index(body, `id="replay"`):])
		}
		for _, want := range []string{`<del>&#34;48h&#34;</del> → <ins>&#34;24h&#34;</ins>`, "规则引用 public-seller-respond-48h", `2099.2.1`, "被拒绝的操作"} {
			if !strings.Contains(body, want) {
				t.Errorf("preview lacks %q", want)
			}
		}
		if strings.Contains(body, "requests auto-agreed") {
			t.Error("the zh-CN page shows the English label too")
		}
		if e.Svc.Policy().Version != before {
			t.Fatalf("the preview put %s in force", e.Svc.Policy().Version)
		}
		// A bad book is refused naming the field, nothing replayed.
		if _, body := admin.post("/admin/rules/preview", url.Values{"book": {"{"}}); strings.Contains(body, `id="replay-table"`) || !strings.Contains(body, `id="form-error"`) {
			t.Error("a bad book was previewed")
		}
		// Only admins.
		agent := b.login("agent")
		agent.get("/workbench")
		if res, _ := agent.post("/admin/rules/preview", url.Values{"book": {edit}}); res.StatusCode == 200 {
			t.Error("an agent previewed a rule book")
		}
	})
}
