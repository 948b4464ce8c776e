package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

var assessFormRe = regexp.MustCompile(`id="form-assess-([0-9a-zA-Z_-]+)"`)

// 质证 on the case page: the agent holding the case gets a form on each
// piece of the case's own evidence chain (not on the negotiation's), a
// rejection without its reason is refused beside the reason field with
// the verdict kept, and the verdict then shows on the piece to staff (with
// who gave it) and to the parties (without). A second verdict replaces the
// first.
func TestAssessEvidenceOnTheCasePage(t *testing.T) {
	t.Parallel()
	onEachEngine(t, func(t *testing.T, b *bundle) {
		b.stopAtClaim = true
		_, caseID := b.story()
		buyer, agent := b.login("buyer"), b.login("agent")
		buyer.get("/cases/" + caseID)
		if res, body := buyer.postFile("/cases/"+caseID+"/evidence", url.Values{"caption": {"开线处特写 / the seam close up"}}, "seam.png", photo(t)); res.StatusCode != 200 {
			t.Fatalf("upload: %d\n%.600s", res.StatusCode, body)
		}
		if _, page := buyer.get("/cases/" + caseID); strings.Contains(page, `form-assess-`) {
			t.Fatal("a party is offered the assessment form")
		}
		_, page := agent.get("/cases/" + caseID)
		// Beside the case, each party's history as the workbench shows it.
		for side, want := range map[string]string{"buyer": "售后 1 · 介入 1 ·", "seller": "售后 1 · 介入 1 ·"} {
			i := strings.Index(page, `id="history-`+side+`"`)
			if i < 0 || !strings.Contains(page[i:i+400], want) {
				t.Fatalf("the %s's history is not beside the case (want %q)", side, want)
			}
		}
		forms := assessFormRe.FindAllStringSubmatch(page, -1)
		if len(forms) != 2 || strings.Count(page, `class="ev-item"`) != 2 {
			t.Fatalf("want an assessment form on each piece (the negotiation's photo and the case upload), got %d", len(forms))
		}
		// the case upload is the piece whose caption the buyer typed
		var ev, negotiation string
		for _, f := range forms {
			i := strings.Index(page, `id="ev-`+f[1]+`"`)
			if i < 0 {
				t.Fatalf("form on %s, which the page does not show", f[1])
			}
			if strings.Contains(page[i:i+1500], "开线处特写") {
				ev = f[1]
			} else {
				negotiation = f[1]
			}
		}
		if ev == "" || negotiation == "" {
			t.Fatal("cannot tell the case upload from the negotiation's photo")
		}

		act := "/cases/" + caseID + "/act"
		refused := agent.mustRefuse(t, act, url.Values{"action": {"assess-evidence"}, "evidence_id": {ev}, "verdict": {"rejected"}}, "reason")
		if !regexp.MustCompile(`<input[^>]*id="as-rej-` + regexp.QuoteMeta(ev) + `"[^>]*checked`).MatchString(refused) {
			t.Fatal("the refused form lost the verdict chosen")
		}
		if strings.Contains(refused, `id="assess-`+ev+`"`) {
			t.Fatal("a refused assessment shows as recorded")
		}

		body := agent.mustPost(t, act, url.Values{"action": {"assess-evidence"}, "evidence_id": {ev}, "verdict": {"rejected"}, "reason": {"照片无法看出开线位置"}}, `id="assess-`+ev+`"`)
		if !strings.Contains(body, "不予采信") || !strings.Contains(body, "照片无法看出开线位置") || !strings.Contains(body, "认定人 客服小二") {
			i := strings.Index(body, `id="assess-`+ev)
			t.Fatalf("the verdict is not shown with its reason and assessor: %.400s", body[max(0, i):])
		}
		// the judgment form no longer relies on a rejected piece by default
		if strings.Contains(body, `name="evidence_ids" value="`+ev+`" checked`) || !strings.Contains(body, `name="evidence_ids" value="`+ev+`"`) {
			t.Fatal("a rejected piece is still ticked in the judgment form (or missing from it)")
		}
		body = agent.mustPost(t, act, url.Values{"action": {"assess-evidence"}, "evidence_id": {ev}, "verdict": {"accepted"}}, `id="assess-`+ev+`"`)
		if !strings.Contains(body, `name="evidence_ids" value="`+ev+`" checked`) {
			t.Fatal("an accepted piece is not ticked in the judgment form")
		}
		if i := strings.Index(body, `id="assess-`+ev+`"`); !strings.Contains(body[i:i+300], "采信") || strings.Contains(body[i:i+300], "不予采信") {
			t.Fatalf("the second verdict did not replace the first: %.300s", body[i:])
		}
		_, bp := buyer.get("/cases/" + caseID)
		if i := strings.Index(bp, `id="assess-`+ev+`"`); i < 0 || strings.Contains(bp[i:i+300], "客服小二") {
			t.Fatal("the buyer does not see the verdict, or sees who gave it")
		}
		// The seller's photo from the negotiation is weighed like the rest.
		agent.mustPost(t, act, url.Values{"action": {"assess-evidence"}, "evidence_id": {negotiation}, "verdict": {"rejected"}, "reason": {"照片未显示衣服缝线"}}, `id="assess-`+negotiation+`"`)
		// A piece outside the request's chain is refused by the service.
		agent.mustRefuse(t, act, url.Values{"action": {"assess-evidence"}, "evidence_id": {"nope"}, "verdict": {"accepted"}}, "")
	})
}

// The judgment form shows the rules a judgment cites — the checklist's,
// pre-selected, and the dispute rules — and folds the rest of the book
// behind 其他规则; a rule of the book has its id as a small link to its text.
func TestJudgmentFormFoldsOtherRules(t *testing.T) {
	t.Parallel()
	b := setup(t, apitest.SQLiteURL(t))
	b.stopAtClaim = true
	_, caseID := b.story()
	_, page := b.login("agent").get("/cases/" + caseID)
	i, j := strings.Index(page, `<fieldset class="rules">`), strings.Index(page, `<details class="more-rules">`)
	k := strings.Index(page[max(j, 0):], `</details>`)
	if i < 0 || j < i || k < 0 {
		t.Fatal("no folded list of other rules in the judgment form")
	}
	main, other := page[i:j], page[j:j+k]
	for _, id := range []string{"taobao-dispute-65", "taobao-dispute-37"} {
		if !strings.Contains(main, `value="`+id+`"`) {
			t.Errorf("%s is not among the rules shown first", id)
		}
	}
	if !strings.Contains(main, `value="taobao-dispute-65" checked`) || !strings.Contains(main, `<a class="rule" href="/rules#rule-taobao-dispute-37"`) {
		t.Errorf("the checklist's rule is not pre-selected, or its id is not a link to its text: %.700s", main)
	}
	if !strings.Contains(other, `value="ours-agree-reason-codes"`) || strings.Contains(main, `value="ours-agree-reason-codes"`) {
		t.Error("a negotiation rule is not folded away")
	}
	if strings.Contains(main, "<code>") {
		t.Error("rule ids are printed as code")
	}
}
