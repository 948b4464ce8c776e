package web_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/demo"
	"github.com/weiquan/weiquan/internal/web"
)

// What a page must never show as text (issue 15: names, not ids; ¥, not
// fen; working days, not "3wd"; no account codes to the parties).
var (
	rawFenRe = regexp.MustCompile(`(?:^|[^\w-])\d+fen\b`) // not inside a rule ID (seed-…-3wd)
	rawWDRe  = regexp.MustCompile(`(?:^|[^\w-])\d+wd\b`)
	// i18n keys are dotted lower-case words (ev.aftersale.judgment_revised,
	// status.wait_seller_agree …); a web address or a file name is not one.
	rawKeyRe = regexp.MustCompile(`(?:^|[\s>(（：:])((?:ev|st|act|status|reason|type|outcome|fault|kind|stage|nav|page|field|err|label|role|rule|action)\.[a-z_]+(?:\.[a-z_]+)*)\b`)
	// ledger account codes, shown to staff only (a party reads "退回您的支付账户").
	accountRe = regexp.MustCompile(`\b(escrow|frozen|seller_available|seller_deposit|buyer_payout|guarantee_fund|fund_receivable|deposit_frozen|insurer):[\w-]+`)
	// a "中文 / English" pair: one language per page (issue 15)
	pairRe   = regexp.MustCompile(`\p{Han}[）」》。]?\s?/\s+[A-Za-z][a-z]+`)
	hrefRe   = regexp.MustCompile(`href="(/[^"#?]*)(?:\?[^"#]*)?"`)
	scriptRe = regexp.MustCompile(`(?s)<(script|style|textarea)\b.*?</(script|style|textarea)>`) // a textarea is input being edited (the rule book's source)
	tagRe    = regexp.MustCompile(`(?s)<[^>]*>`)
	idPartRe = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[A-Z]{2,}-[A-Z0-9-]+\b|\b[a-z]+\d+\b|\d{3,}`)
)

// visibleText is what a reader of the page sees: the text outside tags,
// scripts, styles and text being edited, entities decoded.
func visibleText(page string) string {
	return html.UnescapeString(tagRe.ReplaceAllString(scriptRe.ReplaceAllString(page, " "), " "))
}

// TestDemoWalkShowsNoRawValues signs in as every role of the demo
// marketplace and walks every page reachable from its home page by links
// (a few of each kind: ids vary, templates do not), in both languages:
// every page answers 200 in strict mode (a missing message key is a 500),
// and none shows a raw i18n key, a raw fen amount or working-day count,
// nor, to a buyer or a seller, a ledger account code.
func TestDemoWalkShowsNoRawValues(t *testing.T) {
	env := apitest.Open(t, apitest.SQLiteURL(t))
	sum, err := demo.Fill(context.Background(), env.Svc, env.Store, env.Clock, demo.Options{DataDir: filepath.Join(repoRoot(t), "..", "shared", "data"), Seed: 7})
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	app, err := web.New(env.Svc, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{StrictMessages: true, Text: env.Text, NoStaffTOTP: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.Mount(env.Server.Config.Handler, app.Handler()))
	t.Cleanup(srv.Close)
	b := &bundle{t: t, env: env, srv: srv}

	for _, u := range sum.Users {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(u.Login+"/"+lang, func(t *testing.T) {
				b.t = t
				jar, _ := cookiejar.New(nil)
				c := &client{b: b, hc: &http.Client{Jar: jar}, login: u.Login, lang: lang}
				if res, body := c.post("/login", url.Values{"login": {u.Login}, "password": {u.Password}}); res.StatusCode != 200 || strings.Contains(body, `id="login-error"`) {
					t.Fatalf("sign-in: %d", res.StatusCode)
				}
				party := u.Role == actor.Buyer || u.Role == actor.Seller
				walked := walk(t, c, "/", 8, 240, func(path, page string) {
					text := visibleText(page)
					for _, bad := range []struct {
						what string
						re   *regexp.Regexp
						on   bool
					}{{"a raw fen amount", rawFenRe, true}, {"a raw working-day count", rawWDRe, true}, {"a raw message key", rawKeyRe, true}, {"a ledger account code", accountRe, party}, {"two languages side by side", pairRe, true}} {
						if !bad.on {
							continue
						}
						if m := bad.re.FindAllString(text, 3); m != nil {
							t.Errorf("%s shows %s: %q%s", path, bad.what, m, around(text, m[0]))
						}
					}
				})
				if walked < 3 {
					t.Fatalf("walked only %d pages", walked)
				}
				t.Logf("%d pages", walked)
			})
		}
	}
}

// walk visits the same-origin pages reachable from start by links,
// breadth first, at most perKind pages of one kind (the path with its ids
// folded) and max in all, checks that each answers 200, and hands each to
// check. It returns how many pages it visited.
func walk(t *testing.T, c *client, start string, perKind, max int, check func(path, page string)) int {
	t.Helper()
	seen, kinds := map[string]bool{start: true}, map[string]int{}
	queue := []string{start}
	n := 0
	for len(queue) > 0 && n < max {
		p := queue[0]
		queue = queue[1:]
		res, page := c.get(p)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			continue // evidence files, exports
		}
		n++
		if res.StatusCode != 200 {
			t.Errorf("%s: status %d\n%.400s", p, res.StatusCode, page)
			continue
		}
		check(p, page)
		var next []string
		for _, m := range hrefRe.FindAllStringSubmatch(page, -1) {
			next = append(next, m[1])
		}
		sort.Strings(next)
		for _, q := range next {
			if seen[q] || skipPath(q) {
				continue
			}
			seen[q] = true
			kind := pageKind(q)
			if kinds[kind] >= perKind {
				continue
			}
			kinds[kind]++
			queue = append(queue, q)
		}
	}
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	t.Logf("kinds of page: %s", strings.Join(ks, " "))
	return n
}

// pageKind is the path with its ids folded: /cases/:id, /parties/seller/:id.
func pageKind(p string) string {
	if seg := strings.Split(p, "/"); len(seg) == 4 && seg[1] == "parties" {
		return "/parties/" + seg[2] + "/:id"
	}
	return idPartRe.ReplaceAllString(p, ":id")
}

// skipPath: links a walk must not follow (signing out, static files,
// downloads, the language switch).
func skipPath(p string) bool {
	for _, pre := range []string{"/logout", "/static/", "/evidence/", "/lang", "/v1/", "/metrics", "/healthz", "/readyz"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".png")
}

// around is the text around the first s in text, for the failure message.
func around(text, s string) string {
	i := strings.Index(text, s)
	if i < 0 {
		return ""
	}
	lo, hi := max(0, i-120), min(len(text), i+len(s)+60)
	return "\n  …" + strings.Join(strings.Fields(text[lo:hi]), " ") + "…"
}

// TestRuleIDsLinkToTheRuleBook: a rule the book holds is a link from the
// timeline to its line on /rules (its text in the page's language, its
// value in words); an ID the book does not hold is not linked.
func TestRuleIDsLinkToTheRuleBook(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	reqID, _ := b.story()
	buyer := b.login("buyer")
	_, page := buyer.get("/requests/" + reqID)
	if !strings.Contains(page, `<a class="rule" href="/rules#rule-public-seller-respond-48h">public-seller-respond-48h</a>`) {
		t.Errorf("the seller window's rule is not a link:\n%s", around(page, "public-seller-respond-48h"))
	}
	_, rules := buyer.get("/rules")
	if !strings.Contains(rules, `id="rule-public-seller-respond-48h"`) || !strings.Contains(rules, "48 小时") {
		t.Errorf("/rules lacks the rule or its value in words:\n%.1500s", visibleText(rules))
	}
	if (web.Base{}).RuleLink("taobao-dispute-8") != "" {
		t.Error("an article the book does not hold is linked")
	}
}
