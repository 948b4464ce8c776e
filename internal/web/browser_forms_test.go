package web_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/weiquan/weiquan/internal/apitest"
)

// Browser flows of issue 15, in real headless Chromium against the pages of
// a test marketplace (setup's users): (b) a seller files 差评敲诈 with a chat
// log, (c) a buyer appeals with new evidence and the senior tier overturns,
// (e) refused forms keep what was typed and show the error by its field.

// evalBool runs a script in the tab and returns its boolean answer.
func (tb *tab) evalBool(what, js string) bool {
	tb.b.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		tb.b.t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
	return v
}

// still waits until no htmx request is in flight and the element named by
// sel has kept its place for 800 ms (longer than the forms' htmx delays), so
// that a click lands on it and not where it was before a swap moved it.
func still(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.PollFunction[chromedp.Void](`(sel) => {
		const el = document.querySelector(sel);
		if (!el) return false;
		if (document.querySelector(".htmx-request")) { window.__wqStill = null; return false; }
		const r = el.getBoundingClientRect();
		const k = [r.x, r.y, r.width, r.height, document.documentElement.scrollHeight].join(",");
		const now = performance.now(), s = window.__wqStill;
		if (!s || s.k !== k || s.sel !== sel) { window.__wqStill = {k: k, sel: sel, t: now}; return false; }
		return now - s.t >= 800;
	}`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingArgs(sel))
}

func (tb *tab) evalString(what, js string) string {
	tb.b.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		tb.b.t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
	return v
}

// fieldMarked checks, in the page, that the control is aria-invalid and
// described by a visible error printed right beside it (its own next
// element, or its label's or fieldset's), and that the red banner is an
// alert.
func (tb *tab) fieldMarked(sel string) string {
	tb.b.t.Helper()
	js := `(function(){
	  var el = document.querySelector(` + jsString(sel) + `);
	  if (!el || el.getAttribute("aria-invalid") !== "true") return "not aria-invalid";
	  var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/);
	  var err = null;
	  ids.forEach(function(id){ var e = document.getElementById(id); if (e && e.classList.contains("field-error")) err = e; });
	  if (!err || !err.textContent.trim() || err.offsetParent === null) return "no visible error describing it";
	  var at = el; while (at.parentElement && at.parentElement.tagName !== "FORM" && /^(LABEL|FIELDSET)$/.test(at.parentElement.tagName)) at = at.parentElement;
	  if (at.nextElementSibling !== err && el.nextElementSibling !== err) return "the error is not beside the field";
	  var b = document.getElementById("form-error");
	  if (!b || b.getAttribute("role") !== "alert") return "no alert banner";
	  var c = getComputedStyle(b).backgroundColor;
	  if (c === "rgb(236, 253, 245)") return "the banner is the success colour";
	  return "ok:" + err.textContent.trim();
	})()`
	got := tb.evalString("field marked "+sel, js)
	if !strings.HasPrefix(got, "ok:") {
		tb.shot("not-marked")
		tb.b.t.Fatalf("%s: %s: %s", tb.name, sel, got)
	}
	return strings.TrimPrefix(got, "ok:")
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// browserBundle is a test marketplace with a browser on it.
func browserBundle(t *testing.T, dir string) (*bundle, *browser) {
	b := setup(t, apitest.SQLiteURL(t))
	return b, newBrowserIn(t, b.srv.URL, dir)
}

// (b) and (e): a seller files 差评敲诈 (review extortion) against a buyer.
// The form shows the evidence the type asks for; filed without the chat log
// it is refused by the file field with everything typed kept; with the
// chat-log file it is filed; the buyer answers, an agent upholds it, and the
// buyer's standing shows the points.
func TestBrowserComplaintWithEvidence(t *testing.T) {
	b, br := browserBundle(t, "web-complaint")
	b.env.NewOrder("o-ext", "b1", "s1", 12900, apitest.Delivered)
	chat := filepath.Join(t.TempDir(), "chat.json")
	if err := os.WriteFile(chat, []byte(`{"messages":[{"sender_role":"buyer","time":"2026-03-02T09:00:00+08:00","text":"不给我退款我就给你差评"},`+
		`{"sender_role":"seller","time":"2026-03-02T09:03:00+08:00","text":"亲，商品没有问题"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	seller := br.user("seller", "seller", password)
	const desc = "买家以差评要挟全额退款，聊天记录为证。"
	seller.do("open the complaint form",
		chromedp.Navigate(br.base+"/orders/o-ext"),
		chromedp.WaitVisible(chromedp.ID("open-complaint")),
		chromedp.Click(chromedp.ID("open-complaint")),
		chromedp.WaitVisible(chromedp.ID("complaint-form")),
		chromedp.SetValue(chromedp.ID("k-type"), "review_extortion"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("k-type").dispatchEvent(new Event("change", {bubbles: true}))`),
		chromedp.WaitVisible(chromedp.CSS(`.asks[data-type=review_extortion]`)),
	)
	seller.axe("complaint-form")
	if asks := seller.text(`.asks[data-type=review_extortion]`); !strings.Contains(asks, "聊天记录") || !strings.Contains(asks, "必须上传") {
		t.Fatalf("the form does not say which evidence 差评敲诈 needs: %q", asks)
	}
	if seller.evalBool("other asks hidden", `Array.from(document.querySelectorAll(".asks")).some(function(e){return e.dataset.type!=="review_extortion" && e.offsetParent!==null})`) {
		t.Fatal("the asks of other types are shown too")
	}
	seller.do("fill in, no file",
		chromedp.SendKeys(chromedp.ID("k-desc"), desc),
		chromedp.SendKeys(chromedp.ID("k-claim"), "隐藏差评并处罚买家"),
		chromedp.SendKeys(chromedp.ID("k-claim-amount"), "0"),
		chromedp.Click(chromedp.ID("complaint-submit")),
		chromedp.WaitVisible(chromedp.ID("form-error")),
	)
	seller.shot("complaint-refused-no-evidence")
	seller.axe("complaint-form-refused")
	msg := seller.fieldMarked("#k-files")
	if !strings.Contains(msg, "证据") {
		t.Errorf("the file field's error %q does not speak of evidence", msg)
	}
	if got := seller.evalString("kept", `document.getElementById("k-desc").value + "|" + document.getElementById("k-claim").value + "|" + document.getElementById("k-type").value`); got != desc+"|隐藏差评并处罚买家|review_extortion" {
		t.Fatalf("the refused form lost what was typed: %q", got)
	}
	if loc := seller.location(); !strings.HasSuffix(loc, "/orders/o-ext/complaint") {
		t.Errorf("after the refusal the address is %s", loc)
	}
	seller.do("attach the chat log and file",
		chromedp.SetUploadFiles(chromedp.ID("k-files"), []string{chat}),
		chromedp.SendKeys(chromedp.ID("k-caption"), "买家威胁差评的聊天记录"),
		// The banner of the first refusal goes, so the wait below is for
		// the answer to this post.
		chromedp.Evaluate[chromedp.Void](`document.getElementById("form-error").remove()`),
		chromedp.Click(chromedp.ID("complaint-submit")),
		chromedp.WaitVisible(chromedp.ID("form-error")),
	)
	// 差评敲诈 names the review: refused again, by that field, and the chat
	// log already sent is kept as a draft, ticked.
	seller.fieldMarked("#k-review")
	if !seller.evalBool("draft kept", `Array.from(document.querySelectorAll("#k-drafts input[name=draft_ids]")).some(function(e){return e.checked && e.parentElement.textContent.indexOf("chat.json")>=0})`) {
		t.Fatal("the chat log sent with the refused form is not kept")
	}
	seller.shot("complaint-refused-no-review")
	seller.do("name the review and file",
		chromedp.SendKeys(chromedp.ID("k-review"), "review-778"),
		chromedp.Click(chromedp.ID("complaint-submit")),
		chromedp.WaitVisible(chromedp.ID("complaint-status")),
	)
	kURL := seller.location()
	if !strings.Contains(kURL, "/complaints/") {
		t.Fatalf("after filing: %s", kURL)
	}
	if ev := seller.text(".evidence"); !strings.Contains(ev, "不给我退款我就给你差评") {
		t.Fatalf("the chat log is not on the complaint: %q", ev)
	}
	seller.shot("complaint-filed-with-chat-log")
	seller.axe("complaint")

	buyer := br.user("buyer", "buyer", password)
	buyer.do("answer", chromedp.Navigate(kURL), chromedp.WaitVisible(chromedp.ID("form-respond")),
		chromedp.SendKeys(chromedp.ID("k-statement"), "我只是表达不满"),
		still(`#form-respond button[type=submit]`),
		chromedp.Click(chromedp.CSS(`#form-respond button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("flash")))

	agent := br.user("agent", "agent", password)
	agent.do("decide", chromedp.Navigate(kURL), chromedp.WaitVisible(chromedp.ID("form-decide")),
		chromedp.Click(chromedp.CSS(`#form-decide input[name=verdict][value=upheld]`)),
		chromedp.SendKeys(chromedp.ID("k-reason"), "聊天记录显示买家以差评要挟退款，投诉成立。"),
		still("#decide-submit"),
		chromedp.Click(chromedp.ID("decide-submit")),
		chromedp.WaitVisible(chromedp.ID("complaint-verdict")))
	if v := agent.text("#complaint-verdict"); !strings.Contains(v, "成立") {
		t.Fatalf("verdict %q", v)
	}
	agent.shot("complaint-decided")
	agent.axe("complaint-decided")

	buyer.do("standing", chromedp.Navigate(br.base+"/portal"), chromedp.WaitVisible(chromedp.ID("standing")))
	if st := buyer.text("#standing"); !strings.Contains(st, "6 分") || !strings.Contains(st, "被投诉 1 (1/0)") {
		t.Fatalf("the buyer's standing does not show the upheld complaint: %q", st)
	}
	buyer.shot("buyer-standing-after-complaint")
	buyer.axe("portal-standing")
}

// (c): the agent judges for the seller; the buyer appeals in the browser
// with new evidence (two files); the senior agent claims the appeal and
// overturns; the case page shows the final judgment, what changed and the
// money that moved, and the timeline reads in one language.
func TestBrowserAppealOverturned(t *testing.T) {
	b, br := browserBundle(t, "web-appeal")
	b.stopAtClaim = true
	_, caseID := b.story()
	agent := b.login("agent")
	agent.get("/cases/" + caseID)
	agent.mustPost(t, "/cases/"+caseID+"/judge", url.Values{"outcome": {"release_to_seller"}, "amount": {"0"}, "fault": {"buyer"},
		"reason": {"买家未能证明质量问题 / the buyer did not prove the defect"}, "rule_ids": {"taobao-dispute-37"}}, `id="judgment-outcome"`)

	dir := t.TempDir()
	var files []string
	for _, n := range []string{"seam-1.png", "seam-2.png"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, photo(t), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	buyer := br.user("buyer", "buyer", password)
	caseURL := br.base + "/cases/" + caseID
	buyer.do("appeal without evidence", chromedp.Navigate(caseURL), chromedp.WaitVisible(chromedp.ID("form-appeal")),
		chromedp.SendKeys(chromedp.ID("ap-reason"), "我不同意"),
		chromedp.Click(chromedp.CSS(`#form-appeal button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("form-error")))
	if got := buyer.evalString("kept", `document.getElementById("ap-reason").value`); got != "我不同意" {
		t.Fatalf("the refused appeal lost its reason: %q", got)
	}
	buyer.shot("appeal-refused")
	buyer.axe("case-appeal-refused")
	buyer.do("appeal with new evidence",
		chromedp.SetValue(chromedp.ID("ap-reason"), "补充开线部位的近照，原判未看到"),
		chromedp.SetUploadFiles(chromedp.ID("ap-file"), files),
		chromedp.SendKeys(chromedp.ID("ap-caption"), "开线近照"),
		chromedp.Click(chromedp.CSS(`#form-appeal button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("appeal")))
	if st := buyer.text("#case-status"); !strings.Contains(st, "申诉") {
		t.Fatalf("after appealing the status is %q", st)
	}
	if a := buyer.text("#appeal"); !strings.Contains(a, "2") {
		t.Errorf("the appeal does not count its two files: %q", a)
	}

	senior := br.user("senior", "senior", password)
	senior.do("claim the appeal", chromedp.Navigate(caseURL), chromedp.WaitVisible(chromedp.ID("claim-submit")),
		chromedp.Click(chromedp.ID("claim-submit")), chromedp.WaitVisible(chromedp.ID("form-judge")))
	if senior.evalBool("no withdraw for staff", `!!document.getElementById("form-withdraw")`) {
		t.Error("the senior agent is offered 撤销介入")
	}
	senior.do("overturn",
		chromedp.Click(chromedp.CSS(`input[name=outcome][value=refund_full]`)),
		chromedp.SetValue(chromedp.ID("judge-amount"), "129.00"),
		chromedp.SetValue(chromedp.ID("judge-fault"), "seller"),
		chromedp.SendKeys(chromedp.ID("judge-reason"), "新证据显示开线，改判全额退款。"),
		// The preview and the reason's lint arrive by htmx and push
		// the button down: click it where it has come to rest.
		still("#judge-submit"),
		chromedp.Click(chromedp.ID("judge-submit")),
		chromedp.WaitVisible(chromedp.ID("final-judgment")))
	if senior.dialogs.Load() == 0 {
		t.Error("submitting the judgment did not ask for confirmation")
	}
	senior.shot("senior-overturned")
	senior.axe("case-senior-final")

	buyer.do("the case after the appeal", chromedp.Navigate(caseURL), chromedp.WaitVisible(chromedp.ID("final-judgment")))
	if o := buyer.text("#final-outcome"); !strings.Contains(o, "全额退款") {
		t.Fatalf("final outcome %q", o)
	}
	if ch := buyer.text("#revision-changes"); !strings.Contains(ch, "打款卖家") || !strings.Contains(ch, "全额退款") || !strings.Contains(ch, "¥129.00") {
		t.Fatalf("what changed: %q", ch)
	}
	if m := buyer.text("#revision-money"); !strings.Contains(m, "¥129.00") {
		t.Fatalf("the money moved: %q", m)
	}
	if h := buyer.text("#jd-h"); !strings.Contains(h, "原判定") {
		t.Errorf("the first judgment is not marked as the first: %q", h)
	}
	tl := buyer.text("#tl-h + .timeline")
	for _, raw := range []string{"ev.", "judgment_revised", "Executing an overturn", " / "} {
		if strings.Contains(tl, raw) {
			t.Errorf("the timeline shows %q", raw)
		}
	}
	if !strings.Contains(tl, "申诉改判执行") {
		t.Errorf("the timeline lacks the revision: %.400s", tl)
	}
	buyer.shot("buyer-case-final-judgment")
	buyer.axe("case-final")
	buyer.do("phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(caseURL), chromedp.WaitVisible(chromedp.ID("final-judgment")))
	buyer.shot("buyer-case-final-judgment-390")
	buyer.axe("case-final-390")
}

// (e): the 25 KB rule-book edit an admin got wrong comes back whole, with
// the error by the text; a refused counter-offer keeps its amount and note.
func TestBrowserRefusedFormsKeepInput(t *testing.T) {
	b, br := browserBundle(t, "web-refusals")
	admin := br.user("admin", "admin", password)
	admin.do("rule book", chromedp.Navigate(br.base+"/admin/rules"), chromedp.WaitVisible(chromedp.ID("book")))
	// A broken book of about 25 KB: the published one, padded, with its
	// closing brace cut.
	admin.do("break the book", chromedp.Evaluate[chromedp.Void](`(function(){
	  var t = document.getElementById("book"); var s = t.value.trim();
	  while (s.length < 25000) s = s.replace(/^\{/, '{"_pad": "' + "x".repeat(2000) + '",');
	  t.value = s.slice(0, -1);
	})()`))
	sent := admin.evalString("book", `document.getElementById("book").value`)
	if len(sent) < 25000 {
		t.Fatalf("the edited book is %d bytes", len(sent))
	}
	admin.do("publish it", chromedp.Click(chromedp.ID("rules-submit")), chromedp.WaitVisible(chromedp.ID("form-error")))
	if got := admin.evalString("book", `document.getElementById("book").value`); got != sent {
		t.Fatalf("the refused rule book came back as %d bytes, sent %d", len(got), len(sent))
	}
	admin.fieldMarked("#book")
	admin.shot("rule-book-refused")
	admin.axe("rule-book-refused")
	if loc := admin.location(); !strings.HasSuffix(loc, "/admin/rules") {
		t.Errorf("after the refusal the address is %s", loc)
	}

	b.env.NewOrder("o-off", "b1", "s1", 10000, apitest.Delivered)
	buyerC := b.login("buyer")
	buyerC.get("/orders/o-off/request")
	res, _ := buyerC.post("/orders/o-off/request", url.Values{"type": {"refund_only"}, "reason": {"quality_problem"}, "amount": {"100"}})
	reqURL := br.base + res.Request.URL.Path
	seller := br.user("seller", "seller", password)
	seller.do("offer too much", chromedp.Navigate(reqURL), chromedp.WaitVisible(chromedp.ID("form-offer")),
		chromedp.SendKeys(chromedp.ID("offer-amount"), "150"),
		chromedp.SendKeys(chromedp.ID("offer-note"), "部分退款，请确认"),
		chromedp.Click(chromedp.ID("offer-submit")),
		chromedp.WaitVisible(chromedp.ID("form-error")))
	seller.fieldMarked("#offer-amount")
	if got := seller.evalString("kept", `document.getElementById("offer-amount").value + "|" + document.getElementById("offer-note").value`); got != "150|部分退款，请确认" {
		t.Fatalf("the refused offer lost its input: %q", got)
	}
	if cls := seller.evalString("button kinds", `["agree-submit","refuse-submit","offer-submit"].map(function(id){var e=document.getElementById(id);return e?getComputedStyle(e).backgroundColor+"/"+getComputedStyle(e).color:"-"}).join("|")`); uniq(strings.Split(cls, "|")) != 3 || strings.Contains(cls, "-") {
		t.Errorf("agree, refuse and offer look alike: %s", cls)
	}
	seller.shot("offer-refused")
	seller.axe("request-offer-refused")
	// The page works on: the next form posts from the page's own address.
	seller.do("offer again", chromedp.SetValue(chromedp.ID("offer-amount"), "30"), chromedp.Click(chromedp.ID("offer-submit")),
		chromedp.WaitVisible(chromedp.ID("flash")))
	if st := seller.text("#request-status"); !strings.Contains(st, "卖家已拒绝") {
		t.Errorf("after the offer the status is %q", st)
	}
}

func uniq(ss []string) int {
	m := map[string]bool{}
	for _, s := range ss {
		m[s] = true
	}
	return len(m)
}
