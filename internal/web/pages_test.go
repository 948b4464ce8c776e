package web_test

import (
	"context"
	"html"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/httpx"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/web"
)

// story drives the whole refund story over HTTP (the pages' own forms)
// and returns the request and case ids.
func (b *bundle) story() (reqID, caseID string) {
	t := b.t
	t.Helper()
	b.env.NewOrder("o1", "b1", "s1", 12900, apitest.Delivered)
	b.env.NewOrder("o2", "b2", "s1", 5900, apitest.Delivered)
	buyer, seller, agent := b.login("buyer"), b.login("seller"), b.login("agent")

	buyer.get("/orders/o1/request")
	res, body := buyer.post("/orders/o1/request", url.Values{"type": {"refund_only"}, "reason": {"quality_problem"}, "amount": {"129.00"},
		"description": {"衣服开线 / the seams came apart"}})
	if res.StatusCode != 200 || !strings.Contains(res.Request.URL.Path, "/requests/") {
		t.Fatalf("open request: %d %s\n%s", res.StatusCode, res.Request.URL, body)
	}
	reqID = strings.TrimPrefix(res.Request.URL.Path, "/requests/")
	if !strings.Contains(body, `class="countdown"`) {
		t.Fatalf("the new request shows no countdown")
	}

	seller.get("/requests/" + reqID)
	res, body = seller.postFile("/requests/"+reqID+"/act", url.Values{"action": {"refuse"}, "note": {"商品发出时完好 / shipped intact"},
		"caption": {"发货前照片 / photo before shipping"}}, "before.png", photo(t))
	if res.StatusCode != 200 || !strings.Contains(body, "SELLER_REFUSE_BUYER") {
		t.Fatalf("refuse: %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, `<img src="/evidence/`) {
		t.Fatalf("the refusal photo is not shown inline")
	}

	buyer.get("/requests/" + reqID)
	res, body = buyer.post("/requests/"+reqID+"/act", url.Values{"action": {"escalate"}, "note": {"卖家拒绝不合理 / the refusal is unfair"}})
	if res.StatusCode != 200 {
		t.Fatalf("escalate: %d\n%s", res.StatusCode, body)
	}
	caseID = idIn(t, "cases", body)

	for _, c := range []*client{buyer, seller} {
		c.get("/cases/" + caseID)
		if res, body := c.post("/cases/"+caseID+"/act", url.Values{"action": {"done-evidence"}}); res.StatusCode != 200 {
			t.Fatalf("done-evidence: %d\n%s", res.StatusCode, body)
		}
	}
	agent.get("/cases/" + caseID)
	if res, body := agent.post("/cases/"+caseID+"/act", url.Values{"action": {"claim"}}); res.StatusCode != 200 || !strings.Contains(body, `id="form-judge"`) {
		t.Fatalf("claim: %d\n%s", res.StatusCode, body)
	}
	if b.stopAtClaim {
		return reqID, caseID
	}
	judgment := url.Values{"outcome": {"refund_full"}, "fault": {"seller"}, "reason": {"卖家未能证明商品无质量问题 / the seller did not disprove the defect"},
		"rule_ids": {"taobao-dispute-37"}}
	_, preview := agent.post("/cases/"+caseID+"/preview", judgment)
	if !strings.Contains(preview, "escrow:o1") || !strings.Contains(preview, "buyer_payout:b1") || !strings.Contains(preview, "¥129.00") {
		t.Fatalf("the preview does not show the refund postings:\n%s", preview)
	}
	res, body = agent.post("/cases/"+caseID+"/judge", judgment)
	if res.StatusCode != 200 || !strings.Contains(body, `id="judgment-outcome"`) {
		t.Fatalf("judge: %d\n%s", res.StatusCode, body)
	}
	return reqID, caseID
}

func TestStoryOverHTTP(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		reqID, _ := b.story()
		buyer := b.login("buyer")
		_, body := buyer.get("/orders/o1")
		if !strings.Contains(body, `id="order-refunded">¥129.00`) || !strings.Contains(body, `class="tx-refund"`) {
			t.Fatalf("the order page does not show the refund and its ledger entry:\n%s", body)
		}
		_, body = buyer.get("/requests/" + reqID)
		if !strings.Contains(body, "SUCCESS") || !strings.Contains(body, `id="request-refunded">¥129.00`) {
			t.Fatalf("the request is not refunded:\n%s", body)
		}
	})
}

// Every page renders in both languages with no missing message key (the
// pages run in strict mode: a missing key is a 500).
func TestEveryPageInBothLanguages(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	reqID, caseID := b.story()
	// A second, open case in review for the workbench's queue.
	b.env.NewOrder("o3", "b1", "s1", 4500, apitest.Delivered)
	pages := map[string][]string{
		"buyer":  {"/portal", "/orders/o1", "/orders/o3/request", "/requests/" + reqID, "/cases/" + caseID},
		"seller": {"/portal", "/orders/o1", "/requests/" + reqID, "/cases/" + caseID},
		"agent":  {"/workbench", "/cases/" + caseID, "/requests/" + reqID, "/dashboard", "/parties/seller/s1", "/parties/buyer/b1"},
		"senior": {"/workbench", "/dashboard"},
		"admin":  {"/dashboard", "/parties/seller/s1", "/admin/rules", "/admin/users", "/admin/keys", "/admin/webhooks", "/workbench", "/no-such-page"},
	}
	for _, lang := range []string{"zh-CN", "en"} {
		anon := &client{b: b, hc: &http.Client{}, lang: lang}
		if res, body := anon.get("/login"); res.StatusCode != 200 || !strings.Contains(body, `lang="`+lang+`"`) {
			t.Fatalf("%s /login: %d", lang, res.StatusCode)
		}
		for login, paths := range pages {
			c := b.login(login)
			c.lang = lang
			for _, p := range paths {
				res, body := c.get(p)
				want := 200
				if p == "/no-such-page" {
					want = 404
				}
				if res.StatusCode != want {
					t.Errorf("%s %s %s: status %d, want %d\n%.600s", lang, login, p, res.StatusCode, want, body)
				}
				if !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Errorf("%s %s %s: not rendered in %s", lang, login, p, lang)
				}
			}
		}
	}
}

func TestCSRFAndIsolation(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		reqID, caseID := b.story()
		buyer2 := b.login("buyer2")
		buyer2.get("/portal")

		// A cross-site form post (another Origin) is refused, even with the token.
		form := url.Values{"action": {"cancel"}, "csrf": {buyer2.csrf}}
		req, _ := http.NewRequest("POST", b.srv.URL+"/lang", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res, _ := buyer2.do(req); res.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site post: status %d, want 403", res.StatusCode)
		}
		seller := b.login("seller")
		seller.get("/portal")
		req, _ = http.NewRequest("POST", b.srv.URL+"/requests/"+reqID+"/act", strings.NewReader(url.Values{"action": {"agree"}, "csrf": {seller.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://attacker.test")
		if res, _ := seller.do(req); res.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin post: status %d, want 403", res.StatusCode)
		}
		// A same-site post without the session's token is refused too.
		if res, _ := seller.post("/logout", url.Values{"csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("post with a wrong token: status %d, want 403", res.StatusCode)
		}

		// Another buyer's case, request, order and evidence do not exist for buyer2.
		ev, err := b.env.Store.CaseEvidence(context.Background(), reqID)
		if err != nil || len(ev) == 0 {
			t.Fatalf("evidence: %v %d", err, len(ev))
		}
		for _, p := range []string{"/cases/" + caseID, "/requests/" + reqID, "/orders/o1", "/evidence/" + ev[0].ID} {
			if res, body := buyer2.get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("buyer2 GET %s: status %d, want 404\n%.300s", p, res.StatusCode, body)
			}
		}
		// Buyers do not reach staff pages.
		if res, _ := buyer2.get("/workbench"); res.StatusCode != http.StatusNotFound {
			t.Errorf("buyer2 /workbench: %d, want 404", res.StatusCode)
		}
		// Buyer2's own order is there.
		if res, _ := buyer2.get("/orders/o2"); res.StatusCode != 200 {
			t.Errorf("buyer2 own order: %d", res.StatusCode)
		}
	})
}

func TestSignInAndCookies(t *testing.T) {
	b := setupWith(t, apitest.SQLiteURL(t), func(o *web.Options) { o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	c := &client{b: b, hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	res, body := c.post("/login", url.Values{"login": {"buyer"}, "password": {"wrong password"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="login-error"`) {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	if res, _ := c.post("/login", url.Values{"login": {"nobody"}, "password": {password}}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown user: %d", res.StatusCode)
	}
	// Over TLS the session cookie is __Host-wq_session: Secure, HttpOnly, SameSite=Lax, Path=/.
	form := url.Values{"login": {"buyer"}, "password": {password}}
	req, _ := http.NewRequest("POST", b.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https") // from a trusted proxy
	res, _ = c.do(req)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	var sess *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "__Host-wq_session" {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.Domain != "" || len(sess.Value) < 40 {
		t.Fatalf("session cookie: %+v", sess)
	}
	// The stored session is the token's hash, not the token.
	if _, _, err := b.env.Store.WebSessionByHash(context.Background(), sess.Value, b.env.Clock.Now()); err == nil {
		t.Fatal("the plain token finds a session: tokens must be stored hashed")
	}
	// Pages need a session.
	if res, _ := c.get("/portal"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous /portal: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// Signing out ends the session.
	u := b.login("buyer")
	u.get("/portal")
	u.post("/logout", url.Values{})
	if res, _ := u.get("/portal"); res.Request.URL.Path != "/login" {
		t.Fatalf("after sign-out /portal ended at %s", res.Request.URL.Path)
	}
}

// Personal data on a need-to-know basis (PIPL art. 6, 51): only the agent
// holding the open case reveals, with a stated purpose, and the reveal is
// logged and listed for admins; on appeal only the senior tier.
func TestPersonalDataMaskedAndRevealLogged(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		if _, err := web.CreateUser(context.Background(), b.env.Svc, web.NewUser{Login: "agent2", Role: actor.Agent, DisplayName: "客服二", Password: password}); err != nil {
			t.Fatal(err)
		}
		b.stopAtClaim = true
		_, caseID := b.story()
		agent := b.login("agent")
		_, body := agent.get("/cases/" + caseID)
		if strings.Contains(body, "13812345678") || !strings.Contains(body, "138****5678") || strings.Contains(body, "文三路100号") {
			t.Fatalf("the agent sees unmasked personal data")
		}
		// reveal posts the form; a refusal comes back as the flash on the case
		// page, so its status is the service's answer to the same caller.
		reveal := func(c *client, purpose string) (int, string) {
			c.get("/cases/" + caseID)
			res, frag := c.post("/cases/"+caseID+"/reveal", url.Values{"party": {"buyer"}, "field": {"phone"}, "purpose": {purpose}})
			if strings.Contains(frag, "13812345678") {
				return res.StatusCode, frag
			}
			u, err := b.env.Store.WebUserByLogin(context.Background(), c.login)
			if err != nil {
				t.Fatal(err)
			}
			_, err = b.env.Svc.RevealContact(context.Background(), service.Caller{Role: actor.Role(u.Role), Via: "web:" + u.Login}, u.ID, caseID, "buyer", "phone", purpose)
			fe, _ := fault.As(err)
			if err == nil || fe == nil || !strings.Contains(html.UnescapeString(frag), zhOf(fe.Message)) {
				t.Fatalf("%s: the page does not show the refusal %v", c.login, err)
			}
			return httpx.Status(fe), fe.Field + " " + fe.Message
		}
		logged := func() []store.PIIReveal {
			log, err := b.env.Store.PIIReveals(context.Background(), caseID)
			if err != nil {
				t.Fatal(err)
			}
			return log
		}
		// Another agent, and the senior tier before an appeal: refused.
		for _, who := range []string{"agent2", "senior", "admin"} {
			if code, frag := reveal(b.login(who), "核实收货地址 / check the address"); code != http.StatusForbidden || strings.Contains(frag, "13812345678") {
				t.Fatalf("%s (not holding the case) revealed: %d %s", who, code, frag)
			}
		}
		// The holder, without a purpose or with one too long: 422 naming purpose.
		for _, p := range []string{"", "   ", strings.Repeat("因", service.MaxPurposeRunes+1)} {
			if code, frag := reveal(agent, p); code != http.StatusUnprocessableEntity || !strings.Contains(frag, "purpose") || strings.Contains(frag, "13812345678") {
				t.Fatalf("purpose %q: %d %s", p, code, frag)
			}
		}
		if n := len(logged()); n != 0 {
			t.Fatalf("refused reveals logged %d rows", n)
		}
		code, frag := reveal(agent, "联系买家补充举证 / ask the buyer for evidence")
		if code != 200 || !strings.Contains(frag, "13812345678") {
			t.Fatalf("reveal: %d %s", code, frag)
		}
		log := logged()
		if len(log) != 1 || log[0].Field != "phone" || log[0].ViewerRole != "agent" || log[0].Purpose != "联系买家补充举证 / ask the buyer for evidence" {
			t.Fatalf("reveal log: %+v", log)
		}
		// The admin sees the reveal with its purpose; the agent may not.
		admin := b.login("admin")
		if res, body := admin.get("/admin/reveals"); res.StatusCode != 200 || !strings.Contains(body, `id="reveal-`+log[0].ID+`"`) || !strings.Contains(body, "联系买家补充举证") {
			t.Fatalf("admin reveal log: %d", res.StatusCode)
		}
		if _, err := b.env.Svc.PIIRevealLog(context.Background(), service.Caller{Role: actor.Agent}, 10); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("an agent reads the reveal log: %v", err)
		}
		// The same log through the API: admin keys only.
		if r := b.env.Do(apitest.Req{Method: "GET", Path: "/v1/pii-reveals", Key: b.env.Admin}); r.Status != 200 ||
			!strings.Contains(string(r.Body), log[0].ID) || !strings.Contains(string(r.Body), "联系买家补充举证") {
			t.Fatalf("GET /v1/pii-reveals as admin: %d %s", r.Status, r.Body)
		}
		if r := b.env.Do(apitest.Req{Method: "GET", Path: "/v1/pii-reveals", Key: b.env.Agent}); r.Status != http.StatusForbidden {
			t.Fatalf("GET /v1/pii-reveals as an agent: %d, want 403", r.Status)
		}
		// The seller sees the buyer only as a masked name, never phone or address.
		seller := b.login("seller")
		for _, p := range []string{"/cases/" + caseID, "/orders/o1"} {
			_, body := seller.get(p)
			for _, secret := range []string{"13812345678", "138****5678", "文三路", "张晓雨"} {
				if strings.Contains(body, secret) {
					t.Errorf("seller %s shows %q", p, secret)
				}
			}
		}
		if _, body := admin.get("/admin/users"); !strings.Contains(body, "buyer2") || strings.Contains(body, "13812345678") || strings.Contains(body, "文三路") {
			t.Error("the people page must list users without their personal data")
		}
		// Judged: the case no longer needs the data, not even its agent.
		judgment := url.Values{"outcome": {"refund_full"}, "fault": {"seller"}, "reason": {"卖家未能证明商品无质量问题 / the seller did not disprove the defect"},
			"rule_ids": {"taobao-dispute-37"}}
		if res, body := agent.post("/cases/"+caseID+"/judge", judgment); res.StatusCode != 200 {
			t.Fatalf("judge: %d %.400s", res.StatusCode, body)
		}
		if code, _ := reveal(agent, "回访 / follow-up"); code != http.StatusForbidden {
			t.Fatalf("the agent revealed on a judged case: %d", code)
		}
		// On appeal: the senior tier reveals, the first agent does not.
		seller.get("/cases/" + caseID)
		if res, body := seller.postFile("/cases/"+caseID+"/act", url.Values{"action": {"appeal"}, "reason": {"补充质检报告 / inspection report"},
			"caption": {"质检报告 / inspection report"}}, "report.png", photo(t)); res.StatusCode != 200 || !strings.Contains(body, "申诉复核中") {
			t.Fatalf("appeal: %d", res.StatusCode)
		}
		if code, _ := reveal(agent, "复核 / review"); code != http.StatusForbidden {
			t.Fatalf("an agent revealed on appeal: %d", code)
		}
		if code, frag := reveal(b.login("senior"), "申诉复核核实 / appeal review"); code != 200 || !strings.Contains(frag, "13812345678") {
			t.Fatalf("senior on appeal: %d %s", code, frag)
		}
		if log := logged(); len(log) != 2 || log[1].ViewerRole != "senior_agent" || log[1].Purpose != "申诉复核核实 / appeal review" {
			t.Fatalf("reveal log after the appeal: %+v", log)
		}
	})
}

// A form value with a NUL character is refused before any handler (422
// naming the field) and nothing is stored.
func TestFormNULRefused(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		b.stopAtClaim = true
		_, caseID := b.story()
		agent := b.login("agent")
		agent.get("/cases/" + caseID)
		res, frag := agent.post("/cases/"+caseID+"/reveal", url.Values{"party": {"buyer"}, "field": {"phone"}, "purpose": {"核实\x00地址"}})
		if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(frag, `class="flash error`) || !strings.Contains(frag, `id="purpose-phone-buyer"`) || strings.Contains(frag, "13812345678") {
			t.Fatalf("NUL in a form value: %d %s", res.StatusCode, frag)
		}
		if log, err := b.env.Store.PIIReveals(context.Background(), caseID); err != nil || len(log) != 0 {
			t.Fatalf("a refused form stored a reveal: %v %+v", err, log)
		}
		// Nor a request: the buyer's new request with a NUL in its description.
		buyer := b.login("buyer2")
		buyer.get("/orders/o2/request")
		res, _ = buyer.post("/orders/o2/request", url.Values{"type": {"refund_only"}, "reason": {"quality_problem"}, "amount": {"59.00"}, "description": {"坏了\x00"}})
		if strings.Contains(res.Request.URL.Path, "/requests/") {
			t.Fatalf("NUL in a request description: %d", res.StatusCode)
		}
		if rs, err := b.env.Svc.ListAftersales(context.Background(), service.Caller{Role: actor.Admin}, store.ListFilter{OrderID: "o2", Limit: 10}); err != nil || len(rs) != 0 {
			t.Fatalf("a refused form stored a request: %v %d", err, len(rs))
		}
	})
}

func TestAdminPublishesRuleBook(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	admin := b.login("admin")
	_, body := admin.get("/admin/rules")
	if !strings.Contains(body, `id="rules-form"`) {
		t.Fatal("no rule book form")
	}
	m := regexp.MustCompile(`(?s)<textarea id="book"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no book in the form")
	}
	raw := html.UnescapeString(m[1])
	old := b.env.Svc.Policy().Version
	edited := strings.Replace(strings.Replace(raw, `"version": "`+old+`"`, `"version": "web-test-2"`, 1), `"value": "48h"`, `"value": "72h"`, 1)
	if edited == raw || !strings.Contains(edited, "web-test-2") {
		t.Fatalf("could not edit the book (version %q)", old)
	}
	res, body := admin.post("/admin/rules", url.Values{"book": {edited}})
	if res.StatusCode != 200 || !strings.Contains(body, `id="policy-version">web-test-2<`) || !strings.Contains(body, "<ins>") {
		t.Fatalf("publish: %d\n%.2000s", res.StatusCode, body)
	}
	// A broken book is refused with the reason, and nothing changes.
	res, body = admin.post("/admin/rules", url.Values{"book": {`{"version": "x"`}})
	if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="form-error"`) || !strings.Contains(body, `id="policy-version">web-test-2<`) || !strings.Contains(body, `{&#34;version&#34;: &#34;x&#34;</textarea>`) {
		t.Fatalf("broken book: %d\n%.800s", res.StatusCode, body)
	}
	// Not for agents.
	agent := b.login("agent")
	agent.get("/workbench")
	if res, _ := agent.post("/admin/rules", url.Values{"book": {edited}}); res.StatusCode != 404 {
		t.Fatalf("agent publish: %d, want 404", res.StatusCode)
	}
}

// Chat-log evidence is shown as a conversation with the extortion and
// insult spans marked for the agent.
func TestChatLogHighlightsAbuse(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	reqID, caseID := b.story()
	seller := b.login("seller")
	seller.get("/requests/" + reqID)
	chat := `{"messages":[{"sender_role":"buyer","time":"2026-03-02T09:00:00+08:00","text":"你好，衣服开线了"},` +
		`{"sender_role":"buyer","time":"2026-03-02T09:05:00+08:00","text":"不给我退款我就给你差评"}]}`
	res, body := seller.postFile("/cases/"+caseID+"/evidence", url.Values{"caption": {"与买家的聊天记录 / chat with the buyer"}}, "chat.json", []byte(chat))
	if res.StatusCode != 200 {
		t.Fatalf("upload chat log: %d\n%.600s", res.StatusCode, body)
	}
	agent := b.login("agent")
	_, body = agent.get("/cases/" + caseID)
	if !strings.Contains(body, `<mark class="abuse extortion"`) || !strings.Contains(body, "你好，衣服开线了") {
		t.Fatalf("the chat log is not shown with the extortion marked:\n%s", body[strings.Index(body, `id="ev-h"`):][:1500])
	}
}

// zhOf is the Chinese half of a "中文 / English" message (a page shows one
// language).
func zhOf(m string) string {
	zh, _, _ := strings.Cut(m, " / ")
	return zh
}
