package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/web"
)

// reviewCase opens a case in review on a new delivered order: the buyer
// asks for a refund, the seller refuses, the buyer escalates and both
// finish their evidence.
func reviewCase(t *testing.T, b *bundle, orderID, buyer, seller string, amount int64) string {
	t.Helper()
	e := b.env
	e.NewOrder(orderID, buyer, seller, amount, apitest.Delivered)
	req := e.Aftersale(orderID, buyer, map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": amount, "description": "商品有瑕疵 " + orderID})
	id := e.Escalate(req, e.Key(actor.Buyer, buyer), e.Key(actor.Seller, seller), map[string]any{"reason": "商品完好", "evidence": []string{"照片"}})
	for _, c := range []service.Caller{{Role: actor.Buyer, PartyID: buyer, Via: "test"}, {Role: actor.Seller, PartyID: seller, Via: "test"}} {
		if _, err := e.Svc.ActDispute(context.Background(), c, id, service.DisputeCommand{Command: dispute.Command{Action: dispute.DoneEvidence}}); err != nil {
			t.Fatalf("done-evidence %s: %v", orderID, err)
		}
	}
	return id
}

// workbenchBrowser is newBrowser writing its screenshots to their own
// folder (test-output/web-workbench), so that it leaves the story's alone.
func workbenchBrowser(t *testing.T, base string) *browser {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv(RequireChromiumEnv) == "1" {
			t.Fatalf("%s=1 but %s is missing", RequireChromiumEnv, chromiumPath)
		}
		t.Skipf("browser test skipped: %s not installed (CI sets %s=1)", chromiumPath, RequireChromiumEnv)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.WindowSize(1400, 900), chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"), chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	out := filepath.Join(repoRoot(t), "test-output", "web-workbench")
	_ = os.RemoveAll(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: bctx, base: base, outDir: out}
}

// TestBrowserWorkbench (acceptance d): in a real headless Chromium, a
// senior agent searches a case by keyboard (/), bulk-claims three cases
// with the checkboxes, reassigns one of them to another agent, claims a
// fourth with the c shortcut and reads the shortcut help (?); the page and
// the service agree on who holds each case. Screenshots at 1400 px and
// 390 px (where the table is a list of cards no wider than the screen) go
// to test-output/web-workbench.
func TestBrowserWorkbench(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	if _, err := web.CreateUser(context.Background(), b.env.Svc, web.NewUser{Login: "agent2", Password: password, Role: actor.Agent, DisplayName: "客服小蓝"}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for i, o := range []string{"wbb-1", "wbb-2", "wbb-3", "wbb-4"} {
		ids[o] = reviewCase(t, b, o, []string{"b1", "b2"}[i%2], "s1", int64(10000*(i+1)))
	}
	br := workbenchBrowser(t, b.srv.URL)
	senior := br.user("senior", "senior", password)
	count := func(tb *tab) int {
		n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#wb-table tr.wb-row").length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// 1. The workbench at 1400 px; / goes to the search box; the search
	// finds the one case by its order id.
	senior.do("workbench", chromedp.EmulateViewport(1400, 900), chromedp.Navigate(b.srv.URL+"/workbench"), chromedp.WaitVisible(chromedp.ID("wb-table")))
	if n := count(senior); n != 4 {
		t.Fatalf("the workbench lists %d cases, want 4", n)
	}
	if txt := senior.text("#row-" + ids["wbb-1"]); !strings.Contains(txt, "张**") || !strings.Contains(txt, "云裳女装旗舰店") || strings.Contains(txt, "b1") {
		t.Fatalf("the row does not name the parties: %q", txt)
	}
	senior.shot("workbench-1400")
	senior.do("search by keyboard", chromedp.KeyEvent("/"), chromedp.Sleep(100*time.Millisecond))
	if f, _ := chromedp.Run(senior.ctx, chromedp.Evaluate[string](`document.activeElement.id`)); f != "wb-q" {
		t.Fatalf("/ focused %q, not the search box", f)
	}
	// (DevTools sends a key's character apart from its keydown, so the
	// page's preventDefault cannot keep the "/" out: the value is set.)
	senior.do("type the order id", chromedp.SetValue(chromedp.ID("wb-q"), "wbb-3"), chromedp.KeyEvent("\r"),
		chromedp.WaitNotPresent(chromedp.ID("row-"+ids["wbb-1"])), chromedp.WaitVisible(chromedp.ID("row-"+ids["wbb-3"])))
	if loc := senior.location(); !strings.HasSuffix(loc, "/workbench?q=wbb-3") {
		t.Errorf("the search's address is %s (only the fields filled in)", loc)
	}
	if n := count(senior); n != 1 {
		t.Fatalf("searching wbb-3 lists %d cases", n)
	}
	senior.shot("workbench-search")

	// 2. Bulk claim of three unassigned cases.
	senior.do("the unassigned view", chromedp.Navigate(b.srv.URL+"/workbench?stage=REVIEW&assignee=none"), chromedp.WaitVisible(chromedp.ID("bulk-claim")))
	claimed := []string{ids["wbb-1"], ids["wbb-2"], ids["wbb-3"]}
	for _, id := range claimed {
		senior.do("check "+id, chromedp.Click(chromedp.ID("pick-"+id)))
	}
	if sel := senior.text("#wb-selected strong"); sel != "3" {
		t.Fatalf("selected counter %q", sel)
	}
	senior.do("bulk claim", chromedp.Click(chromedp.ID("bulk-claim")), chromedp.WaitVisible(chromedp.ID("flash")))
	if fl := senior.text("#flash"); !strings.Contains(fl, "已认领 3 件") {
		t.Fatalf("bulk claim flash %q", fl)
	}

	// 3. In "my cases", reassign one of them to 客服小蓝.
	moved := ids["wbb-2"]
	senior.do("my cases", chromedp.Navigate(b.srv.URL+"/workbench?assignee=me"), chromedp.WaitVisible(chromedp.ID("bulk-reassign")))
	if n := count(senior); n != 3 {
		t.Fatalf("my cases lists %d, want 3", n)
	}
	senior.do("reassign one",
		chromedp.Click(chromedp.ID("pick-"+moved)),
		chromedp.SetValue(chromedp.ID("bulk-assignee"), "web:agent2"),
		chromedp.SendKeys(chromedp.ID("bulk-reason"), "买家为其老客户"),
		chromedp.Click(chromedp.ID("bulk-reassign")),
		chromedp.WaitVisible(chromedp.ID("flash")))
	if fl := senior.text("#flash"); !strings.Contains(fl, "已改派 1 件") {
		t.Fatalf("reassign flash %q", fl)
	}
	senior.do("every case", chromedp.Navigate(b.srv.URL+"/workbench"), chromedp.WaitVisible(chromedp.ID("wb-table")))
	want := map[string]string{ids["wbb-1"]: "高级专员", moved: "客服小蓝", ids["wbb-3"]: "高级专员", ids["wbb-4"]: "—"}
	for id, name := range want {
		if got := senior.text("#row-" + id + " .wb-assignee"); got != name {
			t.Errorf("the page shows %s held by %q, want %q", id, got, name)
		}
	}
	// … and so does the service, with the reason on the event.
	staff := service.Caller{Role: actor.Senior, Via: "test"}
	for id, who := range map[string]string{ids["wbb-1"]: "web:senior", moved: "web:agent2", ids["wbb-3"]: "web:senior", ids["wbb-4"]: ""} {
		d, err := b.env.Svc.GetDispute(context.Background(), staff, id)
		if err != nil || d.Assignee != who {
			t.Errorf("the service has %s held by %q (%v), want %q", id, d.Assignee, err, who)
		}
	}
	evs, _ := b.env.Svc.DisputeEvents(context.Background(), staff, moved, 0, 100)
	if last := evs[len(evs)-1]; last.Type != string(dispute.EvReassigned) || last.Reason != "买家为其老客户" {
		t.Errorf("the reassignment event: %s %q", last.Type, last.Reason)
	}

	// 4. The help overlay (?), closed with Esc; j moves to a case and c
	// claims it.
	senior.do("help", chromedp.KeyEvent("?"), chromedp.WaitVisible(chromedp.ID("wb-help")))
	if h := senior.text("#wb-help"); !strings.Contains(h, "认领当前案件") || !strings.Contains(h, "下一个") {
		t.Fatalf("help overlay %q", h)
	}
	senior.shot("workbench-help")
	senior.do("close help", chromedp.KeyEvent("\x1b"), chromedp.WaitNotVisible(chromedp.ID("wb-help")))
	senior.do("claim by keyboard", chromedp.Navigate(b.srv.URL+"/workbench?q=wbb-4"), chromedp.WaitVisible(chromedp.ID("row-"+ids["wbb-4"])),
		chromedp.KeyEvent("j"), chromedp.WaitVisible(chromedp.CSS("tr.wb-row.current")), chromedp.KeyEvent("c"), chromedp.WaitVisible(chromedp.ID("flash")))
	if fl := senior.text("#flash"); !strings.Contains(fl, "已认领 1 件") {
		t.Fatalf("c flash %q", fl)
	}
	if d, _ := b.env.Svc.GetDispute(context.Background(), staff, ids["wbb-4"]); d.Assignee != "web:senior" {
		t.Fatalf("c did not claim: %q", d.Assignee)
	}

	// 5. A plain agent sees no reassign control; 客服小蓝 finds the case in
	// "my cases".
	blue := br.user("agent2", "agent2", password)
	blue.do("my cases", chromedp.Navigate(b.srv.URL+"/workbench?assignee=me"), chromedp.WaitVisible(chromedp.ID("wb-table")))
	if n := count(blue); n != 1 {
		t.Fatalf("客服小蓝 has %d cases", n)
	}
	if has, _ := chromedp.Run(blue.ctx, chromedp.Evaluate[bool](`!!document.getElementById("bulk-reassign")`)); has {
		t.Error("an agent is offered reassignment, which only senior agents and admins may do")
	}

	// 6. At 390 px the rows are cards and nothing is wider than the screen.
	senior.do("phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(b.srv.URL+"/workbench?stage=all"), chromedp.WaitVisible(chromedp.ID("wb-table")))
	wide, err := chromedp.Run(senior.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || wide {
		senior.shot("workbench-too-wide")
		t.Errorf("the workbench is wider than a 390px screen (%v)", err)
	}
	disp, _ := chromedp.Run(senior.ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#wb-table tr.wb-row")).display`))
	if disp != "block" {
		t.Errorf("at 390px a row displays as %q, not as a card", disp)
	}
	senior.shot("workbench-390")
	t.Logf("%d screenshots in %s", len(br.shots), br.outDir)
}
