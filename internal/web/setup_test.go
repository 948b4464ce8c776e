package web_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/web"
)

// bundle is what a web test needs: the API environment (service, store,
// manual clock), the pages server and the users of every role.
type bundle struct {
	t   *testing.T
	env *apitest.Env
	srv *httptest.Server
	// stopAtClaim ends story() once the agent has claimed the case.
	stopAtClaim bool
}

const password = "correct horse battery"

// users of the tests: login → role, party.
var testUsers = []web.NewUser{
	{Login: "buyer", Role: actor.Buyer, PartyID: "b1", DisplayName: "张晓雨", Phone: "13812345678", Address: "浙江省杭州市西湖区文三路100号5幢301"},
	{Login: "buyer2", Role: actor.Buyer, PartyID: "b2", DisplayName: "李明", Phone: "13987654321", Address: "上海市浦东新区张江路88弄6号"},
	{Login: "seller", Role: actor.Seller, PartyID: "s1", DisplayName: "云裳女装旗舰店", Phone: "057188886666", Address: "浙江省杭州市余杭区仓前街道1号"},
	{Login: "agent", Role: actor.Agent, DisplayName: "客服小二"},
	{Login: "senior", Role: actor.Senior, DisplayName: "高级专员"},
	{Login: "admin", Role: actor.Admin, DisplayName: "管理员"},
}

// onEachEngine runs f on a fresh bundle (setup) on each engine.
func onEachEngine(t *testing.T, f func(t *testing.T, b *bundle)) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) { f(t, setup(t, eng.URL(t))) })
}

func setup(t *testing.T, dbURL string) *bundle {
	t.Helper()
	return setupWith(t, dbURL, nil)
}

// setupWith is setup with options of the pages changed by opt (TOTP off
// unless opt turns it on).
func setupWith(t *testing.T, dbURL string, opt func(*web.Options)) *bundle {
	t.Helper()
	env := apitest.Open(t, dbURL)
	var lw io.Writer = io.Discard
	if os.Getenv("WEB_TEST_LOG") != "" {
		lw = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(lw, nil))
	o := web.Options{StrictMessages: true, Text: env.Text, NoStaffTOTP: true}
	if opt != nil {
		opt(&o)
	}
	app, err := web.New(env.Svc, log, o)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	srv := httptest.NewServer(web.Mount(env.Server.Config.Handler, app.Handler()))
	t.Cleanup(srv.Close)
	for _, u := range testUsers {
		u.Password = password
		if _, err := web.CreateUser(context.Background(), env.Svc, u); err != nil {
			t.Fatalf("user %s: %v", u.Login, err)
		}
	}
	return &bundle{t: t, env: env, srv: srv}
}

// client is a signed-in browser-like HTTP client (cookie jar, same-origin
// requests).
type client struct {
	b     *bundle
	hc    *http.Client
	csrf  string
	lang  string
	page  string // the last page fetched: the Referer of the next post
	login string // who signed in
}

func (b *bundle) login(login string) *client {
	b.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{b: b, hc: &http.Client{Jar: jar}, login: login}
	res, body := c.post("/login", url.Values{"login": {login}, "password": {password}})
	if res.StatusCode != 200 || strings.Contains(body, `id="login-error"`) {
		b.t.Fatalf("login %s: %d %s", login, res.StatusCode, body)
	}
	return c
}

var csrfRe = regexp.MustCompile(`data-csrf="([^"]+)"`)

func (c *client) get(path string) (*http.Response, string) {
	c.b.t.Helper()
	c.page = path
	req, _ := http.NewRequest("GET", c.b.srv.URL+path, nil)
	if c.lang != "" {
		req.AddCookie(&http.Cookie{Name: "wq_lang", Value: c.lang})
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.b.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfRe.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res, string(b)
}

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.b.t.Helper()
	if c.lang != "" {
		req.AddCookie(&http.Cookie{Name: "wq_lang", Value: c.lang})
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfRe.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res, string(b)
}

// post sends a form with the session's CSRF token, from the site's own
// pages (Referer), and follows the redirect.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.b.t.Helper()
	if c.csrf != "" && form.Get("csrf") == "" {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest("POST", c.b.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", c.b.srv.URL+c.referer(path))
	return c.do(req)
}

// postFile sends a multipart form with one file.
func (c *client) postFile(path string, form url.Values, name string, data []byte) (*http.Response, string) {
	c.b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.b.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Referer", c.b.srv.URL+c.referer(path))
	return c.do(req)
}

// photo is a small real PNG (a "damaged goods" photo).
func photo(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(180 + x), uint8(60 + y), 40, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var idRe = regexp.MustCompile(`/(requests|cases)/([0-9a-f-]{36})`)

// idIn returns the first request or case id linked from a page.
func idIn(t testing.TB, kind, body string) string {
	t.Helper()
	for _, m := range idRe.FindAllStringSubmatch(body, -1) {
		if m[1] == kind {
			return m[2]
		}
	}
	t.Fatalf("no /%s/ link in page", kind)
	return ""
}

func (c *client) referer(path string) string {
	if c.page != "" {
		return c.page
	}
	return path
}
