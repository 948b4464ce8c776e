package web

import (
	"net/url"
	"strings"
	"testing"
)

// A refused form's page gets back what was sent, in the form that sent it
// (among several posting to one path, the one with the action sent), and
// the field in error is marked and described; passwords and other forms
// are left alone.
func TestApplyFormState(t *testing.T) {
	page := `<!doctype html><html><body><main>
<form method="post" action="/r/1/act" id="f-agree"><input type="hidden" name="action" value="agree"><input name="note" id="a-note"></form>
<form method="post" action="/r/1/act" id="f-offer"><input type="hidden" name="action" value="counter-offer">
<input id="amount" name="amount" type="text"><textarea id="note" name="note">old</textarea>
<select id="reason" name="reason"><option value="a" selected>A</option><option value="b">B</option></select>
<fieldset><legend>x</legend><label><input type="radio" name="kind" value="k1" checked>1</label><label><input type="radio" name="kind" value="k2">2</label></fieldset>
<label><input type="checkbox" name="rule_ids" value="r1" checked>r1</label><label><input type="checkbox" name="rule_ids" value="r2">r2</label>
<input type="password" name="password"><input type="file" name="file"></form>
</main></body></html>`
	st := &formState{Path: "/r/1/act", Op: "counter-offer", Page: "/r/1", Field: "amount", Message: "金额过大 / too much",
		Values: url.Values{"action": {"counter-offer"}, "amount": {"150"}, "note": {"部分 <退款>"}, "reason": {"b"}, "kind": {"k2"},
			"rule_ids": {"r2"}, "password": {"secret"}}}
	out := string(applyFormState([]byte(page), st, langZH))
	for _, want := range []string{
		`<body data-page="/r/1">`,
		`<input id="amount" name="amount" type="text" value="150" aria-invalid="true" aria-describedby="err-amount"/><p class="field-error" id="err-amount">金额过大</p>`,
		`<textarea id="note" name="note">部分 &lt;退款&gt;</textarea>`,
		`<option value="a">A</option><option value="b" selected="">B</option>`,
		`<input type="radio" name="kind" value="k2" checked=""/>`,
		`<input type="checkbox" name="rule_ids" value="r2" checked=""/>`,
		`<input type="checkbox" name="rule_ids" value="r1"/>`,
		`<input type="password" name="password"/>`,
		`<input type="hidden" name="_back" value="/r/1"/>`,
		`<input name="note" id="a-note"/>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	if strings.Contains(out, "secret") || strings.Contains(out, "too much") {
		t.Errorf("a password or the other language came back:\n%s", out)
	}
	// A problem naming no control is printed at the form's top, with its
	// path when it is one inside the one text sent.
	st = &formState{Path: "/admin/rules", Page: "/admin/rules", Field: "rules.x.value", Message: "无效 / invalid", Values: url.Values{"book": {"{"}}}
	out = string(applyFormState([]byte(`<html><body><form method="post" action="/admin/rules"><textarea id="book" name="book">ok</textarea><button formaction="/admin/rules/preview">p</button></form></body></html>`), st, langEN))
	if !strings.Contains(out, `<textarea id="book" name="book" aria-invalid="true" aria-describedby="err-book">{</textarea><p class="field-error" id="err-book">rules.x.value：invalid</p>`) {
		t.Errorf("rule book:\n%s", out)
	}
}

// Of several forms with one path and one action (an assessment form on
// each piece of evidence), the one whose hidden fields carry what was sent
// gets it back.
func TestApplyFormStatePicksTheObjectsForm(t *testing.T) {
	form := func(ev string) string {
		return `<form method="post" action="/cases/c1/act"><input type="hidden" name="action" value="assess-evidence"><input type="hidden" name="evidence_id" value="` + ev +
			`"><input type="radio" name="verdict" value="rejected"><input id="r-` + ev + `" name="reason"></form>`
	}
	page := `<html><body>` + form("e1") + form("e2") + form("e3") + `</body></html>`
	st := &formState{Path: "/cases/c1/act", Op: "assess-evidence", Page: "/cases/c1", Field: "reason", Message: "须说明理由 / needs a reason",
		Values: url.Values{"action": {"assess-evidence"}, "evidence_id": {"e2"}, "verdict": {"rejected"}, "reason": {"模糊"}}}
	out := string(applyFormState([]byte(page), st, langZH))
	if !strings.Contains(out, `<input id="r-e2" name="reason" value="模糊" aria-invalid="true"`) {
		t.Errorf("the second form did not get the values back:\n%s", out)
	}
	if strings.Contains(out, `id="r-e1" name="reason" value`) || strings.Contains(out, `id="r-e3" name="reason" value`) {
		t.Errorf("another piece's form got the values:\n%s", out)
	}
}

func TestPickLang(t *testing.T) {
	for _, c := range []struct{ in, lang, want string }{
		{"已同意 / Agreed", langZH, "已同意"}, {"已同意 / Agreed", langEN, "Agreed"}, {"只有中文", langEN, "只有中文"},
		{"缺少物流轨迹 events（可为空数组）/ events is required", langZH, "缺少物流轨迹 events（可为空数组）"},
		{"缺少物流轨迹 events（可为空数组）/ events is required", langEN, "events is required"},
		{"退货/退款 / return/refund", langEN, "return/refund"}, {"退货/退款 / return/refund", langZH, "退货/退款"},
		{"and/ or", langEN, "and/ or"},
	} {
		if got := pickLang(c.in, c.lang); got != c.want {
			t.Errorf("pickLang(%q, %s) = %q, want %q", c.in, c.lang, got, c.want)
		}
	}
}
