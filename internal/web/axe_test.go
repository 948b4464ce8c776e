package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser tests check every page they screenshot with axe-core (from
// npm, scripts/axe; scripts/test installs it and names the file in
// WEIQUAN_AXE_JS): a serious or critical violation fails the test. With
// WEIQUAN_REQUIRE_AXE=1 (CI) a missing axe-core is a failure, otherwise
// the check is skipped with a message.
const (
	axeJSEnv      = "WEIQUAN_AXE_JS"
	requireAxeEnv = "WEIQUAN_REQUIRE_AXE"
)

var (
	axeOnce sync.Once
	axeJS   string
	axeErr  error
)

// axeSource is axe-core's script, "" when it is not installed.
func axeSource(t testing.TB) string {
	t.Helper()
	axeOnce.Do(func() {
		p := os.Getenv(axeJSEnv)
		if p == "" {
			axeErr = fmt.Errorf("%s is not set (scripts/test installs axe-core from scripts/axe)", axeJSEnv)
			return
		}
		b, err := os.ReadFile(p)
		axeJS, axeErr = string(b), err
	})
	if axeErr != nil {
		if os.Getenv(requireAxeEnv) == "1" {
			t.Fatalf("%s=1: %v", requireAxeEnv, axeErr)
		}
		t.Logf("accessibility check skipped: %v", axeErr)
		return ""
	}
	return axeJS
}

// axeViolation is one failed axe rule with a few of its elements.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

func awaitPromise(p *runtime.EvaluateParams) { t := true; p.AwaitPromise = &t }

// axe runs axe-core on the tab's page and fails the test on every serious
// or critical violation (WCAG 2.x A and AA rules and axe's best practices).
func (tb *tab) axe(name string) {
	tb.b.t.Helper()
	vs, err := tb.axeViolations()
	if err != nil {
		tb.b.t.Errorf("%s: axe-core: %v", name, err)
	}
	for _, v := range vs {
		tb.b.t.Errorf("%s: accessibility (axe %s, %s): %s — %s", name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
	}
}

// axeViolations are the page's serious and critical axe violations (none
// when axe-core is not installed and not required).
func (tb *tab) axeViolations() ([]axeViolation, error) {
	js := axeSource(tb.b.t)
	if js == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js+";true")); err != nil {
		return nil, fmt.Errorf("inject: %w", err)
	}
	return chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))})))`, awaitPromise))
}

// TestAxeCheckFindsViolations: the accessibility check is not vacuous — a
// page with an image without text, an unlabelled field and an empty
// button fails it, the same page mended passes.
func TestAxeCheckFindsViolations(t *testing.T) {
	if axeSource(t) == "" {
		t.Skip("axe-core not installed")
	}
	bad := `<!doctype html><html lang="zh-CN"><head><title>t</title></head><body><main><h1>t</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"><button></button></main></body></html>`
	good := `<!doctype html><html lang="zh-CN"><head><title>t</title></head><body><main><h1>t</h1><img alt="商品照片" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><label for="q">搜索</label><input id="q" type="text"><button>提交</button></main></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/good" {
			_, _ = io.WriteString(w, good)
			return
		}
		_, _ = io.WriteString(w, bad)
	}))
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil { // allocates the tab on the long-lived context
		t.Fatal(err)
	}
	tb := &tab{b: b, ctx: ctx, name: "axe"}
	for path, wantBad := range map[string]bool{"/bad": true, "/good": false} {
		tb.do("open "+path, chromedp.Navigate(srv.URL+path))
		vs, err := tb.axeViolations()
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, v := range vs {
			ids[v.ID] = true
		}
		if wantBad && !(ids["image-alt"] && ids["label"] && ids["button-name"]) {
			t.Errorf("%s: violations %v, want image-alt, label and button-name", path, ids)
		}
		if !wantBad && len(vs) > 0 {
			t.Errorf("%s: violations %+v", path, vs)
		}
	}
}

// shotWidths are the widths every page is saved at: a desktop and a
// 390 px phone.
var shotWidths = []struct {
	w, h   int64
	mobile bool
}{{1400, 900, false}, {390, 844, true}}

// shotAt saves the full page at each width as NN-name-W.png and returns the
// desktop one's path; the viewport goes back to the desktop width.
func (tb *tab) shotAt(n int, name string) (string, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	first := ""
	for _, sw := range shotWidths {
		opts := []chromedp.EmulateViewportOption{}
		if sw.mobile {
			opts = append(opts, chromedp.EmulateMobile)
		}
		if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(sw.w, sw.h, opts...)); err != nil {
			return first, err
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			return first, err
		}
		p := filepath.Join(tb.b.outDir, fmt.Sprintf("%02d-%s-%d.png", n, name, sw.w))
		if err := os.WriteFile(p, png, 0o644); err != nil {
			return first, err
		}
		if first == "" {
			first = p
		}
	}
	_, err := chromedp.Run(ctx, chromedp.EmulateViewport(shotWidths[0].w, shotWidths[0].h))
	return first, err
}
