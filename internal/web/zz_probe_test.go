package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

func TestZZProbe(t *testing.T) {
	bu := setup(t, "sqlite:"+t.TempDir()+"/x.db")
	srv := bu.srv
	_ = http.StatusOK
	_ = httptest.NewServer
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.WindowSize(1280, 900), chromedp.Flag("lang", "zh-CN"), chromedp.UserDataDir(t.TempDir()))
	actx, c1 := chromedp.NewExecAllocator(context.Background(), opts...)
	defer c1()
	bctx, c2 := chromedp.NewContext(actx)
	defer c2()
	try := func(name string, ctx context.Context, a chromedp.Action[[]byte]) {
		ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
		defer cancel()
		b, err := chromedp.Run(ctx, a)
		t.Logf("%s: %d bytes, %v", name, len(b), err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/login")); err != nil {
		t.Fatal(err)
	}
	try("first tab full", bctx, chromedp.FullScreenshot(100))
	try("first tab capture", bctx, chromedp.CaptureScreenshot())
	uctx, c3 := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	defer c3()
	if err := chromedp.Do(uctx, chromedp.Navigate(srv.URL+"/login"), chromedp.SendKeys(chromedp.ID("login"), "buyer"), chromedp.SendKeys(chromedp.ID("password"), password), chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("logout"))); err != nil {
		t.Fatal(err)
	}
	try("new ctx full", uctx, chromedp.FullScreenshot(100))
	try("new ctx capture", uctx, chromedp.CaptureScreenshot())
	_, err := chromedp.Call(uctx, page.BringToFront, cdp.Empty{})
	t.Logf("bring to front: %v", err)
	try("new ctx full after front", uctx, chromedp.FullScreenshot(100))
}
