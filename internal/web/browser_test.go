package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/demo"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/web"
)

// RequireChromiumEnv, when "1", turns a missing Chromium into a failure
// instead of a skip (CI sets it).
const RequireChromiumEnv = "WEIQUAN_REQUIRE_CHROMIUM"

const chromiumPath = "/usr/bin/chromium"

// repoRoot is the module root (where go.mod is).
func repoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// browser starts Debian's Chromium headless; each user gets its own
// browser context (its own cookies).
type browser struct {
	t      *testing.T
	ctx    context.Context
	base   string
	outDir string
	shots  []string
}

func newBrowser(t *testing.T, base string) *browser { return newBrowserIn(t, base, "web") }

// newBrowserIn is newBrowser writing its screenshots to test-output/dir.
func newBrowserIn(t *testing.T, base, dir string) *browser {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv(RequireChromiumEnv) == "1" {
			t.Fatalf("%s=1 but %s is missing: apt-get install -y chromium fonts-wqy-microhei", RequireChromiumEnv, chromiumPath)
		}
		t.Skipf("browser test skipped: %s not installed (apt-get install -y chromium fonts-wqy-microhei; CI sets %s=1)", chromiumPath, RequireChromiumEnv)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"), chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	out := filepath.Join(repoRoot(t), "test-output", dir)
	_ = os.RemoveAll(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: bctx, base: base, outDir: out}
}

// tab is one signed-in user's browser context.
type tab struct {
	b       *browser
	ctx     context.Context
	name    string
	dialogs atomic.Int64 // confirmation dialogs accepted
}

func (b *browser) user(name, login, password string) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	// The first action allocates the tab: it must run on the long-lived
	// context (a cancelled first context closes the tab).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		b.t.Fatalf("%s: new tab: %v", name, err)
	}
	tb := &tab{b: b, ctx: ctx, name: name}
	// A button that settles something asks first (data-confirm): the
	// tests accept, and count, each question.
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev.(type) {
		case *page.EventJavascriptDialogOpening, page.EventJavascriptDialogOpening:
			tb.dialogs.Add(1)
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		b.t.Fatalf("%s: listen: %v", name, err)
	}
	tb.do("sign in "+login,
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("logout")),
	)
	return tb
}

func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
		tb.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		tb.b.t.Fatalf("%s: %s: %v (at %s)", tb.name, what, err, loc)
	}
}

// waitURL waits until the tab's address contains part (a form's GET has
// navigated) and its page has loaded.
func (tb *tab) waitURL(part string) {
	tb.b.t.Helper()
	end := time.Now().Add(30 * time.Second)
	for time.Now().Before(end) {
		loc, err := chromedp.Run(tb.ctx, chromedp.Location())
		if err == nil && strings.Contains(loc, part) {
			if ready, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`document.readyState === "complete"`)); err == nil && ready {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.shot("failed-wait-" + part)
	tb.b.t.Fatalf("%s: the address never contained %q", tb.name, part)
}

func (tb *tab) text(sel string) string {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.b.t.Fatalf("%s: text of %s: %v", tb.name, sel, err)
	}
	return strings.TrimSpace(s)
}

func (tb *tab) location() string {
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.b.t.Fatal(err)
	}
	return loc
}

// shot saves the full page under test-output/web at 1400 px and at 390 px
// (axe_test.go) and, but for a failure's picture, checks it with axe-core.
// It returns the desktop picture's path.
func (tb *tab) shot(name string) string {
	tb.b.t.Helper()
	n := len(tb.b.shots) + 1
	p, err := tb.shotAt(n, name)
	if err != nil {
		tb.b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	tb.b.shots = append(tb.b.shots, p)
	if !strings.HasPrefix(name, "failed-") {
		tb.axe(name)
	}
	return p
}

// uploadToCase sends a photo with its caption through the case page's
// upload form, as the party on the page, and returns how many pieces of
// evidence the page then shows.
func (tb *tab) uploadToCase(name, caption string) string {
	tb.b.t.Helper()
	file := filepath.Join(tb.b.t.TempDir(), name)
	if err := os.WriteFile(file, photo(tb.b.t), 0o644); err != nil {
		tb.b.t.Fatal(err)
	}
	tb.do("upload "+name+" to the case",
		chromedp.SetUploadFiles(chromedp.ID("cu-file"), []string{file}),
		chromedp.SendKeys(chromedp.ID("cu-caption"), caption),
		still(`#case-upload button[type=submit]`), chromedp.Click(chromedp.CSS(`#case-upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("flash")))
	return tb.evalString("pieces", `String(document.querySelectorAll(".ev-item").length)`)
}

// demoShapedOrder adds to the demo marketplace one delivered order of the
// seller's, shaped like the demo's own (its id scheme, one of the seller's
// real listing titles and category, a tracking number), so that the story's
// pages — and the README's screenshots taken from them — show what a demo
// page shows, not a test's ids.
func demoShapedOrder(t *testing.T, env *apitest.Env, buyer, seller string, amount int64) string {
	t.Helper()
	ords, err := env.Svc.ListOrders(context.Background(), service.Caller{Role: actor.Seller, PartyID: seller}, store.ListFilter{SellerID: seller, Limit: 1})
	if err != nil || len(ords) == 0 || len(ords[0].Items) == 0 {
		t.Fatalf("no demo order of the seller's to take a title from: %v", err)
	}
	now := env.Clock.Now()
	id := "TB" + now.Format("060102") + "9001"
	env.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/" + id, Key: env.Integration, Body: map[string]any{
		"buyer_id": buyer, "seller_id": seller, "category": ords[0].Category, "amount": amount, "postage": 0,
		"items": []map[string]any{{"title": ords[0].Items[0].Title, "quantity": 1, "price": amount}}}})
	for _, step := range []map[string]any{
		{"type": "paid", "at": now.Add(-50 * time.Hour)},
		{"type": "shipped", "at": now.Add(-40 * time.Hour), "carrier": "SF", "tracking_no": "SF1" + now.Format("0601021504")},
		{"type": "delivered", "at": now.Add(-20 * time.Hour), "signed_by": "本人"},
	} {
		env.Must(200, apitest.Req{Method: "POST", Path: "/v1/orders/" + id + "/events", Key: env.Integration, Body: step})
	}
	return id
}

// TestBrowserStory: in a real headless Chromium, on the demo marketplace,
// a buyer opens a refund, the seller refuses with a photo, the buyer
// escalates, an agent judges for the buyer after previewing the ledger
// postings, and the buyer's order page shows the refund with its ledger
// entry. Every page is saved as a PNG in test-output/web; the workbench,
// case page and dashboard also go to docs/screenshots for the README when
// WEIQUAN_UPDATE_SCREENSHOTS=1.
func TestBrowserStory(t *testing.T) {
	env := apitest.Open(t, apitest.SQLiteURL(t))
	root := repoRoot(t)
	sum, err := demo.Fill(context.Background(), env.Svc, env.Store, env.Clock, demo.Options{DataDir: filepath.Join(root, "..", "shared", "data"), Seed: 7})
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	app, err := web.New(env.Svc, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{StrictMessages: true, Text: env.Text, NoStaffTOTP: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.Mount(env.Server.Config.Handler, app.Handler()))
	t.Cleanup(srv.Close)
	pw := map[string]demo.User{}
	for _, u := range sum.Users {
		pw[u.Login] = u
	}
	buyerU, sellerU := pw["buyer"], pw["seller"]
	storyOrder := demoShapedOrder(t, env, buyerU.Party, sellerU.Party, 12900)

	b := newBrowser(t, srv.URL)
	buyer := b.user("buyer", "buyer", buyerU.Password)
	buyer.shot("buyer-portal")

	// 1. The buyer opens a refund on the order.
	buyer.do("open the order", chromedp.Navigate(srv.URL+"/orders/"+storyOrder), chromedp.WaitVisible(chromedp.ID("open-request")))
	buyer.shot("buyer-order")
	buyer.do("open a request",
		chromedp.Click(chromedp.ID("open-request")),
		chromedp.WaitVisible(chromedp.ID("request-form")),
		chromedp.SetValue(chromedp.ID("type"), "refund_only"),
		chromedp.SetValue(chromedp.ID("reason"), "quality_problem"),
		chromedp.SendKeys(chromedp.ID("description"), "收到的衣服开线了，袖口处裂开约3厘米"),
	)
	buyer.shot("buyer-request-form")
	buyer.do("submit the request", chromedp.Click(chromedp.ID("request-submit")), chromedp.WaitVisible(chromedp.ID("request-status")))
	reqURL := buyer.location()
	if !strings.Contains(reqURL, "/requests/") {
		t.Fatalf("after opening: %s", reqURL)
	}
	if cd := buyer.text(".countdown"); !strings.Contains(cd, ":") {
		t.Fatalf("no live countdown: %q", cd)
	}
	buyer.shot("buyer-request-opened")

	// 2. The seller refuses with a photo.
	photoPath := filepath.Join(t.TempDir(), "seller-photo.png")
	if err := os.WriteFile(photoPath, photo(t), 0o644); err != nil {
		t.Fatal(err)
	}
	seller := b.user("seller", "seller", sellerU.Password)
	seller.do("refuse with a photo",
		chromedp.Navigate(reqURL),
		chromedp.WaitVisible(chromedp.ID("form-refuse")),
		chromedp.SendKeys(chromedp.ID("refuse-note"), "商品发出前检查完好，见照片"),
		chromedp.SetUploadFiles(chromedp.ID("refuse-file"), []string{photoPath}),
		chromedp.SendKeys(chromedp.ID("refuse-caption"), "发货前实拍"),
		chromedp.Click(chromedp.ID("refuse-submit")),
		chromedp.WaitVisible(chromedp.CSS(".ev-item img")),
	)
	if st := seller.text("#request-status"); !strings.Contains(st, "卖家已拒绝") {
		t.Fatalf("after refusing the status is %q", st)
	}
	seller.shot("seller-refused-with-photo")

	// 3. The buyer escalates; both parties finish their evidence.
	buyer.do("escalate",
		chromedp.Navigate(reqURL),
		chromedp.WaitVisible(chromedp.ID("form-escalate")),
		chromedp.SendKeys(chromedp.ID("esc-note"), "质量问题明显，卖家拒绝不合理"),
		chromedp.Click(chromedp.ID("escalate-submit")),
		chromedp.WaitVisible(chromedp.ID("case-link")),
		chromedp.Click(chromedp.ID("case-link")),
		chromedp.WaitVisible(chromedp.ID("case-status")),
	)
	caseURL := buyer.location()
	buyer.shot("buyer-case-evidence")
	if n := buyer.uploadToCase("buyer-seam.png", "开线部位近照"); n != "2" {
		t.Fatalf("the case shows %s pieces of evidence, want the seller's photo and the buyer's", n)
	}
	buyer.do("finish evidence", chromedp.Click(chromedp.ID("done-submit")), chromedp.WaitVisible(chromedp.ID("flash")))
	seller.do("the seller opens the case", chromedp.Navigate(caseURL), chromedp.WaitVisible(chromedp.ID("case-upload")))
	if n := seller.uploadToCase("seller-packing.png", "打包发货视频截图"); n != "3" {
		t.Fatalf("the case shows %s pieces of evidence after the seller's upload, want 3", n)
	}
	seller.do("finish evidence", chromedp.WaitVisible(chromedp.ID("done-submit")),
		chromedp.Click(chromedp.ID("done-submit")), chromedp.WaitVisible(chromedp.ID("flash")))

	// 4. The agent works the queue, claims the case, previews and judges.
	agent := b.user("agent", "agent", pw["agent"].Password)
	agent.do("workbench", chromedp.Navigate(srv.URL+"/workbench"), chromedp.WaitVisible(chromedp.CSS("table.queue")))
	wb := agent.shot("agent-workbench")
	caseID := caseURL[strings.LastIndex(caseURL, "/")+1:]
	agent.do("search the order id", chromedp.SendKeys(chromedp.ID("wb-q"), storyOrder+"\r"))
	agent.waitURL("q=" + storyOrder)
	agent.do("the search's answer", chromedp.WaitVisible(chromedp.CSS("#row-"+caseID+" a.wb-open")))
	if n := agent.evalString("rows", `String(document.querySelectorAll("tr.wb-row").length)`); n != "1" {
		t.Fatalf("searching the order id lists %s cases, want 1", n)
	}
	agent.do("open and claim",
		chromedp.Click(chromedp.CSS("#row-"+caseID+" a.wb-open")),
		chromedp.WaitVisible(chromedp.ID("claim-submit")),
		chromedp.Click(chromedp.ID("claim-submit")),
		chromedp.WaitVisible(chromedp.ID("form-judge")),
	)
	if loc := agent.location(); !strings.HasSuffix(loc, "/cases/"+caseID) {
		t.Fatalf("the search's row led to %s", loc)
	}
	agent.do("reveal the buyer's phone", chromedp.SendKeys(chromedp.ID("purpose-phone-buyer"), "联系买家补充举证"), chromedp.Click(chromedp.ID("reveal-phone-buyer")), chromedp.WaitVisible(chromedp.CSS("#phone-buyer .revealed")))
	// 质证: each piece has its form, the negotiation's photo too; the agent
	// accepts the buyer's close-up and rejects the seller's picture with a
	// reason, and both verdicts show on the pieces.
	ids := agent.evalString("assessable pieces", `Array.from(document.querySelectorAll("form.assess-form")).map(f => f.querySelector("input[name=evidence_id]").value + "=" + f.closest(".ev-item").querySelector(".caption").textContent.trim()).join("|")`)
	var buyerEv, sellerEv string
	for _, kv := range strings.Split(ids, "|") {
		id, caption, _ := strings.Cut(kv, "=")
		switch caption {
		case "开线部位近照":
			buyerEv = id
		case "打包发货视频截图":
			sellerEv = id
		}
	}
	if buyerEv == "" || sellerEv == "" || strings.Count(ids, "|") != 2 || !strings.Contains(ids, "=发货前实拍") {
		t.Fatalf("assessment forms on %q, want one on each piece: the seller's photo from the negotiation and each party's case upload", ids)
	}
	agent.do("accept the buyer's photo",
		chromedp.Click(chromedp.ID("as-acc-"+buyerEv)),
		still("#assess-submit-"+buyerEv), chromedp.Click(chromedp.ID("assess-submit-"+buyerEv)),
		chromedp.WaitVisible(chromedp.ID("assess-"+buyerEv)))
	agent.do("reject the seller's picture",
		chromedp.Click(chromedp.ID("as-rej-"+sellerEv)),
		chromedp.SendKeys(chromedp.ID("as-reason-"+sellerEv), "截图看不出发货时商品完好"),
		still("#assess-submit-"+sellerEv), chromedp.Click(chromedp.ID("assess-submit-"+sellerEv)),
		chromedp.WaitVisible(chromedp.ID("assess-"+sellerEv)))
	if a, r := agent.text("#assess-"+buyerEv), agent.text("#assess-"+sellerEv); !strings.Contains(a, "采信") || strings.Contains(a, "不予") || !strings.Contains(r, "不予采信") || !strings.Contains(r, "截图看不出") {
		t.Fatalf("verdicts shown: %q / %q", a, r)
	}
	agent.do("fill the judgment",
		chromedp.Click(chromedp.CSS(`input[name=outcome][value=refund_full]`)),
		chromedp.SetValue(chromedp.ID("judge-fault"), "seller"),
		chromedp.SetValue(chromedp.ID("judge-template"), "卖家未能在举证期内提供有效凭证，根据举证规则支持买家。"),
		chromedp.SendKeys(chromedp.ID("judge-reason"), "买家照片显示开线"),
		chromedp.Click(chromedp.CSS(`input[name=rule_ids][value=taobao-dispute-37]`)),
		chromedp.WaitVisible(chromedp.CSS("#preview table.postings")),
	)
	if pv := agent.text("#preview"); !strings.Contains(pv, "escrow:"+storyOrder) || !strings.Contains(pv, "buyer_payout:"+buyerU.Party) || !strings.Contains(pv, "¥129.00") {
		t.Fatalf("ledger preview: %q", pv)
	}
	cs := agent.shot("agent-case-judgment-preview")
	agent.do("judge", chromedp.Click(chromedp.ID("judge-submit")), chromedp.WaitVisible(chromedp.ID("judgment-outcome")))
	if o := agent.text("#judgment-outcome"); !strings.Contains(o, "全额退款") {
		t.Fatalf("judgment outcome %q", o)
	}
	agent.shot("agent-case-judged")

	// 5. The buyer sees the refund with its ledger entry.
	buyer.do("order after the judgment", chromedp.Navigate(srv.URL+"/orders/"+storyOrder), chromedp.WaitVisible(chromedp.CSS("#order-ledger tr.tx-refund")))
	if got := buyer.text("#order-refunded"); got != "¥129.00" {
		t.Fatalf("refunded %q, want ¥129.00", got)
	}
	if row := buyer.text("#order-ledger tr.tx-refund"); !strings.Contains(row, "退款") {
		t.Fatalf("refund ledger row %q", row)
	}
	if href := buyer.evalString("the refund's rule link", `(document.querySelector("#order-ledger tr.tx-refund a.rule[href*='taobao-dispute-37']") || {}).href || ""`); !strings.Contains(href, "/rules#rule-taobao-dispute-37") {
		t.Fatalf("the refund's ledger row does not link the judgment's rule to its text (%q)", href)
	}
	buyer.shot("buyer-order-refunded")
	buyer.do("phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(reqURL), chromedp.WaitVisible(chromedp.ID("request-status")))
	buyer.shot("buyer-request-phone-width")

	// 6. The dashboard (admin) with the demo's cases and this one.
	admin := b.user("admin", "admin", pw["admin"].Password)
	admin.do("dashboard", chromedp.Navigate(srv.URL+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`body[data-charts=ready]`)), chromedp.Sleep(300*time.Millisecond))
	db := admin.shot("admin-dashboard")
	admin.do("english", chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.CSS(`html[lang=en] body[data-charts=ready]`)))
	admin.shot("admin-dashboard-en")

	// 7. At phone width, by keyboard only: the admin creates an API key
	// (shown once) and reads the seller's service quality; no admin page
	// is wider than the screen.
	admin.do("phone width", chromedp.EmulateViewport(390, 844))
	admin.do("create a key by keyboard",
		chromedp.Navigate(srv.URL+"/admin/keys"),
		chromedp.WaitVisible(chromedp.ID("key-name")),
		chromedp.Focus(chromedp.ID("key-name")),
		chromedp.KeyEvent("story-key\t\t"), // the name, then Tab past the role to the party field
		chromedp.KeyEvent("\r"),            // Enter submits the form
		chromedp.WaitVisible(chromedp.ID("created-secret")),
	)
	if v, err := chromedp.Run(admin.ctx, chromedp.Evaluate[string](`document.getElementById("secret-value").value`)); err != nil || !strings.HasPrefix(v, "wq_") {
		t.Fatalf("the new key is not shown: %q %v", v, err)
	}
	admin.shot("admin-key-created-phone-width")
	for _, p := range []string{"/admin/keys", "/admin/webhooks", "/admin/users", "/dashboard", "/parties/seller/" + sellerU.Party} {
		admin.do("open "+p, chromedp.Navigate(srv.URL+p), chromedp.WaitVisible(chromedp.ID("main")))
		wide, err := chromedp.Run(admin.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil || wide {
			admin.shot("too-wide-" + strings.ReplaceAll(strings.Trim(p, "/"), "/", "-"))
			t.Errorf("%s is wider than a 390px screen (%v)", p, err)
		}
	}
	admin.shot("admin-seller-quality-phone-width")

	// Copies for the README, only when asked (WEIQUAN_UPDATE_SCREENSHOTS=1),
	// so that a test run leaves the checkout as it was.
	docs := filepath.Join(root, "docs", "screenshots")
	shots := map[string]string{"workbench.png": wb, "case.png": cs, "dashboard.png": db}
	if os.Getenv("WEIQUAN_UPDATE_SCREENSHOTS") != "1" {
		shots = nil
	} else if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range shots {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(docs, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reveals, err := env.Store.PIIReveals(context.Background(), caseID)
	if err != nil || len(reveals) != 1 {
		t.Fatalf("reveal log: %v %d", err, len(reveals))
	}
	t.Logf("%d screenshots in %s", len(b.shots), b.outDir)
}
