package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/demo"
	"github.com/weiquan/weiquan/internal/web"
)

func TestZZProbe2(t *testing.T) {
	env := apitest.Open(t, apitest.SQLiteURL(t))
	t0 := time.Now()
	sum, err := demo.Fill(context.Background(), env.Svc, env.Clock, demo.Options{Seed: 7})
	t.Logf("fill %v %v", time.Since(t0), err)
	app, _ := web.New(env.Svc, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{StrictMessages: true})
	srv := httptest.NewServer(web.Mount(env.Server.Config.Handler, app.Handler()))
	defer srv.Close()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.WindowSize(1280, 900))
	actx, c1 := chromedp.NewExecAllocator(context.Background(), opts...)
	defer c1()
	bctx, c2 := chromedp.NewContext(actx)
	defer c2()
	chromedp.Do(bctx, chromedp.Navigate("about:blank"))
	uctx, c3 := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	defer c3()
	t0 = time.Now()
	err = chromedp.Do(uctx, chromedp.Navigate(srv.URL+"/login"), chromedp.SendKeys(chromedp.ID("login"), "buyer"), chromedp.SendKeys(chromedp.ID("password"), sum.Users[0].Password), chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("logout")))
	t.Logf("login %v %v", time.Since(t0), err)
	for _, p := range []string{"/portal", "/login"} {
		chromedp.Do(uctx, chromedp.Navigate(srv.URL+p))
		h, _ := chromedp.Run(uctx, chromedp.Evaluate[float64]("document.body.scrollHeight"))
		t0 = time.Now()
		ctx, cancel := context.WithTimeout(uctx, 60*time.Second)
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		t.Logf("%s height %v: full %d bytes %v in %v", p, h, len(b), err, time.Since(t0))
		os.WriteFile("/tmp/probe"+p[1:]+".png", b, 0o644)
	}
}
