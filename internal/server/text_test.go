package server_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/script"
	"github.com/weiquan/weiquan/internal/server"
	"github.com/weiquan/weiquan/internal/texteval"
	"github.com/weiquan/weiquan/internal/web"
)

// efficacy is a review the keyword lexicon does not route: only the trained
// quality model sends it to poor_quality.
const efficacy = "用了一周皮肤变得很水润，效果不错"

// trainRouter writes small router models into dir with the project's own
// training code (what `weiquan train --only router` runs), character
// features only so that the test loads no segmenter dictionary.
func trainRouter(t *testing.T, dir string) {
	t.Helper()
	quality := []string{efficacy, "效果很好，皮肤水润", "用了皮肤变得很好，效果明显", "精华效果一般，皮肤没有变化", "涂了一周效果不错皮肤水润", "用完皮肤干，效果差"}
	other := []string{"物流很快，第二天就到了", "快递员态度很好", "包装完好没有破损", "客服回复很及时", "发货慢，等了一周", "正品，有防伪码", "盒子压坏了", "客服不理人"}
	var as []texteval.AspectReview
	for i, s := range quality {
		as = append(as, texteval.AspectReview{ID: i, Text: s, Categories: map[string]bool{"功效": true}})
	}
	for i, s := range other {
		as = append(as, texteval.AspectReview{ID: 100 + i, Text: s, Categories: map[string]bool{"物流": true}})
	}
	err := texteval.SaveModels(nil, texteval.TrainAspectsWith(as, texteval.CharFeatures), func(name string, b []byte) error {
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSameSuggestionsOnBothSurfaces: with a model directory configured, the
// JSON API (POST /v1/scripts/suggest) and the agent's case page suggest the
// same scenarios with the same scripts for the same text: one router, built
// once at start-up from config.ModelDir, serves both.
func TestSameSuggestionsOnBothSurfaces(t *testing.T) {
	dir := t.TempDir()
	models := filepath.Join(dir, "models")
	if err := os.MkdirAll(models, 0o755); err != nil {
		t.Fatal(err)
	}
	trainRouter(t, models)
	if r := script.NewRouter(script.Default(), nil).Suggest(efficacy); len(r.Suggestions) != 0 {
		t.Fatalf("the keywords already route the text: %+v", r.Suggestions)
	}
	cfg := config.Default()
	cfg.DB = "sqlite:" + filepath.Join(dir, "w.db")
	cfg.Addr = "127.0.0.1:0"
	cfg.ModelDir = models
	ctx := context.Background()
	s, err := server.Start(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	base := "http://" + s.Addr
	key := func(role actor.Role, party string) string {
		k, _, err := s.Svc.NewAPIKey(ctx, role, party, "test")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	call := func(method, path, key string, body any) map[string]any {
		t.Helper()
		r := do(t, base, method, path, key, body)
		if r.Status >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
		}
		return r.JSON()
	}

	// A case whose request text is the efficacy review.
	integ, buyer, seller, agent := key(actor.Integration, ""), key(actor.Buyer, "b1"), key(actor.Seller, "s1"), key(actor.Agent, "")
	now := time.Now().UTC()
	call("PUT", "/v1/orders/o1", integ, map[string]any{"buyer_id": "b1", "seller_id": "s1", "category": "美妆", "amount": 9900, "postage": 0,
		"items": []map[string]any{{"title": "精华液", "quantity": 1, "price": 9900}}})
	for _, ev := range []map[string]any{{"type": "paid", "at": now.Add(-4 * time.Hour)}, {"type": "shipped", "at": now.Add(-3 * time.Hour), "carrier": "SF", "tracking_no": "SF1"},
		{"type": "delivered", "at": now.Add(-2 * time.Hour), "signed_by": "本人"}} {
		call("POST", "/v1/orders/o1/events", integ, ev)
	}
	req := call("POST", "/v1/aftersales", buyer, map[string]any{"order_id": "o1", "type": "refund_only", "reason": "quality_problem", "amount": 9900, "description": efficacy})
	id := req["id"].(string)
	call("POST", "/v1/aftersales/"+id+"/refuse", seller, map[string]any{"reason_code": "goods_intact", "reason": "正常使用", "evidence": []string{"说明"}})
	call("POST", "/v1/aftersales/"+id+"/escalate", buyer, map[string]any{"reason": "不认可"})
	cases := call("GET", "/v1/disputes", agent, nil)["items"].([]any)
	if len(cases) != 1 {
		t.Fatalf("%d cases", len(cases))
	}
	caseID := cases[0].(map[string]any)["id"].(string)
	text := strings.Join([]string{efficacy, "正常使用", "不认可"}, "\n") // what the case page routes

	// The API's suggestions.
	got := call("POST", "/v1/scripts/suggest", agent, map[string]any{"text": text, "channel": "chat"})
	if got["models_loaded"] != true {
		t.Fatalf("the API did not load the models of %s: %v", models, got)
	}
	var apiSaid []string
	for _, v := range got["suggestions"].([]any) {
		sg := v.(map[string]any)
		// The case page is in one language (zh-CN here): the API's
		// "中文 / English" names compare by their Chinese half.
		zh := func(v any) string { s, _, _ := strings.Cut(v.(string), " / "); return s }
		line := zh(sg["name"])
		for _, st := range sg["script"].(map[string]any)["steps"].([]any) {
			line += fmt.Sprintf(" | %s %s", zh(st.(map[string]any)["name"]), zh(st.(map[string]any)["text"]))
		}
		apiSaid = append(apiSaid, line)
	}
	if len(apiSaid) > 3 {
		apiSaid = apiSaid[:3] // the case page shows the best three
	}
	if len(apiSaid) == 0 || !strings.Contains(fmt.Sprint(got["suggestions"]), "poor_quality") {
		t.Fatalf("the API's router with models does not suggest poor_quality: %v", got["suggestions"])
	}

	// The case page's suggestions, for a signed-in agent.
	if _, err := web.CreateUser(ctx, s.Svc, web.NewUser{Login: "agent", Password: "correct horse battery", Role: actor.Agent, DisplayName: "客服"}); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	res, err := hc.PostForm(base+"/login", url.Values{"login": {"agent"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	// Staff sign in with a TOTP code: enrol at this first sign-in.
	step, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindSubmatch(step)
	if m == nil {
		t.Fatalf("no TOTP enrolment after the password:\n%.800s", step)
	}
	code, err := totp.GenerateCode(string(m[1]), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	res, err = hc.PostForm(base+"/login/totp", url.Values{"code": {code}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = hc.Get(base + "/cases/" + caseID)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("case page: %d\n%s", res.StatusCode, page)
	}
	var webSaid []string
	for _, m := range scriptRe.FindAllStringSubmatch(string(page), -1) {
		line := html.UnescapeString(m[1])
		for _, st := range stepRe.FindAllStringSubmatch(m[2], -1) {
			line += " | " + html.UnescapeString(st[1]) + " " + html.UnescapeString(st[2])
		}
		webSaid = append(webSaid, line)
	}
	if strings.Join(webSaid, "\n") != strings.Join(apiSaid, "\n") {
		t.Fatalf("the surfaces disagree for %q:\nAPI  %q\nweb  %q", text, apiSaid, webSaid)
	}
}

var (
	scriptRe = regexp.MustCompile(`(?s)<details class="script"><summary>(.*?) <small>.*?<ol>(.*?)</ol>`)
	stepRe   = regexp.MustCompile(`<li><b>(.*?)</b> (.*?)</li>`)
)
