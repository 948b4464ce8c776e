package web_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

var secretRe = regexp.MustCompile(`id="secret-value" readonly value="([^"]+)"`)

// The admin creates an API key (shown once; it authenticates against the
// API until revoked), a webhook endpoint (its whsec_ secret shown once;
// disabled, enabled, deleted) and an agent (who signs in; disabling ends
// the agent's session and refuses the sign-in). Every action is an audit
// row naming the admin; agents find none of these pages or forms.
func TestAdminForms(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		ctx, st := context.Background(), b.env.Store
		admin := b.login("admin")

		// API keys.
		admin.get("/admin/keys")
		res, body := admin.post("/admin/keys", url.Values{"name": {"erp"}, "role": {"admin"}})
		m := secretRe.FindStringSubmatch(body)
		if res.StatusCode != 200 || m == nil || !strings.HasPrefix(m[1], "wq_") {
			t.Fatalf("create key: %d\n%.1500s", res.StatusCode, body)
		}
		plain := html.UnescapeString(m[1])
		if _, again := admin.get("/admin/keys"); strings.Contains(html.UnescapeString(again), plain) || !strings.Contains(again, "erp") {
			t.Fatal("the plain key is shown again, or the key is not listed")
		}
		b.env.Must(200, apitest.Req{Method: "GET", Path: "/v1/webhooks", Key: plain})
		keyID := func(name string) string {
			keys, _ := st.ListAPIKeys(ctx)
			for _, k := range keys {
				if k.Name == name {
					return k.ID
				}
			}
			t.Fatalf("no key %q", name)
			return ""
		}
		// A buyer key without a party is refused with the field named.
		if _, body := admin.post("/admin/keys", url.Values{"name": {"x"}, "role": {"buyer"}}); !strings.Contains(body, `id="form-error"`) {
			t.Fatal("a buyer key without a party was not refused on the form")
		}
		// A second key, revoked before its first use, never authenticates.
		admin.lang = "en" // the key shown once, in English too
		admin.get("/admin/keys")
		_, body = admin.post("/admin/keys", url.Values{"name": {"shop-b1"}, "role": {"buyer"}, "party": {"b1"}})
		m = secretRe.FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "Copy it now") {
			t.Fatalf("second key not shown:\n%.1500s", body)
		}
		admin.lang = ""
		admin.get("/admin/keys")
		admin.mustPost(t, "/admin/keys/"+keyID("shop-b1")+"/revoke", url.Values{}, `id="flash"`)
		b.env.Must(401, apitest.Req{Method: "GET", Path: "/v1/orders", Key: html.UnescapeString(m[1])})
		// The first key, used a moment ago, is refused on its very next request.
		admin.get("/admin/keys")
		if res, body := admin.post("/admin/keys/"+keyID("erp")+"/revoke", url.Values{}); res.StatusCode != 200 || !strings.Contains(body, `id="key-`+keyID("erp")+`"`) {
			t.Fatalf("revoke: %d", res.StatusCode)
		}
		b.env.Must(401, apitest.Req{Method: "GET", Path: "/v1/orders", Key: plain})
		if k, err := st.APIKeyByHash(ctx, hashOf(plain)); err != nil || k.RevokedAt == nil {
			t.Fatalf("revoked key: %+v %v", k, err)
		}
		if _, body := admin.post("/admin/keys/"+keyID("erp")+"/revoke", url.Values{}); !strings.Contains(body, `id="form-error"`) {
			t.Fatal("revoking twice is not refused")
		}

		// Webhook endpoints.
		admin.get("/admin/webhooks")
		res, body = admin.post("/admin/webhooks", url.Values{"url": {"https://erp.example/hook"}, "event_types": {"aftersale.*, complaint.filed"}, "description": {"ERP"}})
		m = secretRe.FindStringSubmatch(body)
		if res.StatusCode != 200 || m == nil || !strings.HasPrefix(m[1], store.WebhookSecretPrefix) {
			t.Fatalf("create webhook: %d\n%.1500s", res.StatusCode, body)
		}
		secret := html.UnescapeString(m[1])
		eps, _ := st.ListWebhookEndpoints(ctx, "", 10)
		if len(eps) != 1 || eps[0].Secret != secret || !eps[0].Enabled || strings.Join(eps[0].EventTypes, "|") != "aftersale.*|complaint.filed" {
			t.Fatalf("stored endpoint: %+v", eps)
		}
		epID := eps[0].ID
		if _, again := admin.get("/admin/webhooks"); strings.Contains(html.UnescapeString(again), secret) {
			t.Fatal("the signing secret is shown again")
		}
		if _, body := admin.post("/admin/webhooks", url.Values{"url": {"ftp://x"}}); !strings.Contains(body, `id="form-error"`) {
			t.Fatal("a bad URL was not refused")
		}
		admin.get("/admin/webhooks")
		admin.mustPost(t, "/admin/webhooks/"+epID+"/act", url.Values{"action": {"disable"}}, `value="enable"`)
		if ep, _ := st.GetWebhookEndpoint(ctx, epID); ep.Enabled {
			t.Fatal("the endpoint is still enabled")
		}
		admin.mustPost(t, "/admin/webhooks/"+epID+"/act", url.Values{"action": {"enable"}}, `value="disable"`)
		// Rotation: the new secret is shown once and the old one still signs.
		admin.get("/admin/webhooks")
		_, body = admin.post("/admin/webhooks/"+epID+"/act", url.Values{"action": {"rotate"}})
		if m = secretRe.FindStringSubmatch(body); m == nil || html.UnescapeString(m[1]) == secret {
			t.Fatalf("rotate: %.1500s", body)
		}
		if ep, _ := st.GetWebhookEndpoint(ctx, epID); ep.Secret != html.UnescapeString(m[1]) || len(ep.SigningSecrets(ep.UpdatedAt)) != 2 {
			t.Fatalf("rotated endpoint: %+v", ep)
		}
		// The delivery log shows a dead delivery with its error, and redelivers it.
		now := time.Now()
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			return tx.Apply(ctx, store.Commit{Outbox: []store.OutboxMessage{{Topic: "aftersale.agreed", AggregateType: "aftersale", AggregateID: "W9", AggregateSeq: 1, CreatedAt: now}}})
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.FanOutOutbox(ctx, store.FanOut{Now: now, Webhooks: true}); err != nil {
			t.Fatal(err)
		}
		ds, err := st.ClaimDeliveries(ctx, store.Claim{Now: now, Channels: []string{store.ChannelWebhook}})
		if err != nil || len(ds) != 1 {
			t.Fatalf("claim %v %v", ds, err)
		}
		if _, err := st.RecordDeliveries(ctx, []store.DeliveryOutcome{{MessageID: ds[0].MessageID, Channel: store.ChannelWebhook, EndpointID: epID,
			Attempts: ds[0].Attempts, State: store.DeliveryDead, Status: 502, Error: "bad gateway from the ERP", At: now}}); err != nil {
			t.Fatal(err)
		}
		_, body = admin.get("/admin/webhooks/" + epID + "/deliveries")
		if !strings.Contains(body, `data-state="dead"`) || !strings.Contains(body, "bad gateway from the ERP") || !strings.Contains(body, ">502<") || !strings.Contains(body, `value="retry"`) {
			t.Fatalf("delivery log: %.3000s", body)
		}
		admin.mustPost(t, "/admin/webhooks/"+epID+"/act", url.Values{"action": {"retry"}, "message_id": {ds[0].MessageID}}, `data-state="failing"`)
		admin.mustPost(t, "/admin/webhooks/"+epID+"/act", url.Values{"action": {"delete"}}, `id="flash"`)
		if _, err := st.GetWebhookEndpoint(ctx, epID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("deleted endpoint: %v", err)
		}

		// Agents.
		admin.get("/admin/users")
		admin.mustPost(t, "/admin/users", url.Values{"login": {"agent2"}, "display_name": {"小王"}, "role": {"agent"}, "password": {password}}, `id="user-agent2"`)
		// Admins are staff too: the form creates one.
		admin.mustPost(t, "/admin/users", url.Values{"login": {"boss"}, "role": {"admin"}, "password": {password}}, `id="user-boss"`)
		if _, body := admin.post("/admin/users", url.Values{"login": {"weak"}, "role": {"agent"}, "password": {"password123"}}); !strings.Contains(body, `id="form-error"`) {
			t.Fatal("a common password was accepted")
		}
		agent2 := b.login("agent2")
		if res, _ := agent2.get("/workbench"); res.StatusCode != 200 {
			t.Fatalf("new agent's workbench: %d", res.StatusCode)
		}
		u, _ := st.WebUserByLogin(ctx, "agent2")
		admin.get("/admin/users")
		admin.mustPost(t, "/admin/users/"+u.ID+"/act", url.Values{"action": {"disable"}}, `value="enable"`)
		if res, _ := agent2.get("/workbench"); res.Request.URL.Path != "/login" {
			t.Fatalf("a disabled agent's session still works: %s", res.Request.URL.Path)
		}
		anon := &client{b: b, hc: &http.Client{}}
		if res, body := anon.post("/login", url.Values{"login": {"agent2"}, "password": {password}}); res.StatusCode != http.StatusForbidden || !strings.Contains(body, `id="login-disabled"`) {
			t.Fatalf("disabled sign-in: %d", res.StatusCode)
		}
		// Buyers, sellers and admins are not disabled from this form.
		buyer, _ := st.WebUserByLogin(ctx, "buyer")
		if res, _ := admin.post("/admin/users/"+buyer.ID+"/act", url.Values{"action": {"disable"}}); res.StatusCode != 404 {
			t.Fatalf("disable a buyer: %d, want 404", res.StatusCode)
		}
		admin.get("/admin/users")
		admin.mustPost(t, "/admin/users/"+u.ID+"/act", url.Values{"action": {"enable"}}, `value="disable"`)
		b.login("agent2")

		// Every action is audited with its actor and time.
		audit, err := st.AdminAudits(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range audit {
			if a.ActorLogin != "admin" || a.At.IsZero() || a.TargetID == "" {
				t.Errorf("audit row without actor, time or target: %+v", a)
			}
			actions = append([]string{a.Action}, actions...)
		}
		want := "api_key.created api_key.created api_key.revoked api_key.revoked webhook.created webhook.disabled webhook.enabled webhook.secret_rotated webhook.delivery_retried webhook.deleted user.created user.created user.disabled user.enabled"
		if got := strings.Join(actions, " "); got != want {
			t.Errorf("audit: %s\nwant   %s", got, want)
		}
		if _, body := admin.get("/admin/users"); !strings.Contains(body, `id="audit"`) || !strings.Contains(body, "agent2") {
			t.Error("the people page shows no audit")
		}

		// Agents find no admin page or form; a post without the token is refused.
		agent := b.login("agent")
		agent.get("/workbench")
		for _, p := range []string{"/admin/keys", "/admin/webhooks", "/admin/users"} {
			if res, _ := agent.get(p); res.StatusCode != 404 {
				t.Errorf("agent GET %s: %d, want 404", p, res.StatusCode)
			}
			if res, _ := agent.post(p, url.Values{"name": {"x"}, "role": {"admin"}, "url": {"https://x.example"}, "login": {"x1"}, "password": {password}}); res.StatusCode != 404 {
				t.Errorf("agent POST %s: %d, want 404", p, res.StatusCode)
			}
		}
		admin.get("/admin/keys")
		if res, _ := admin.post("/admin/keys", url.Values{"name": {"forged"}, "role": {"admin"}, "csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("post without the session's token: %d, want 403", res.StatusCode)
		}
		if n := len(audit); n != 14 {
			t.Errorf("%d audit rows, want 14", n)
		}
		keys, _ := st.ListAPIKeys(ctx)
		for _, k := range keys {
			if k.Name == "forged" || k.Name == "x" {
				t.Errorf("a refused form created key %q", k.Name)
			}
		}
	})
}

// The seller's page and the staff's standing page show the seller's
// service quality (each factor's counts, rate, score and weight; score,
// rank, percentile), points and sanctions — the numbers of the service's
// quality report; nobody else sees them.
func TestSellerQualityPages(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		b.story() // a platform judgment refunds the buyer of o1: a dispute refund of s1
		q, err := b.env.Svc.GetSellerQuality(context.Background(), staffCaller, "s1")
		if err != nil {
			t.Fatal(err)
		}
		var dr *struct{ num, den int64 }
		for _, f := range q.Factors {
			if f.Factor == "dispute_refund" {
				dr = &struct{ num, den int64 }{f.Numerator, f.Denominator}
			}
		}
		if dr == nil || dr.num != 1 || dr.den != 2 {
			t.Fatalf("quality report: %+v", q.Factors)
		}
		check := func(who, body string) {
			t.Helper()
			if !strings.Contains(body, `id="quality"`) || !strings.Contains(body, `id="standing"`) {
				t.Fatalf("%s: no quality or standing section", who)
			}
			for _, f := range q.Factors {
				row := regexp.MustCompile(`(?s)<tr id="qf-` + string(f.Factor) + `">(.*?)</tr>`).FindStringSubmatch(body)
				if row == nil {
					t.Fatalf("%s: no row for %s", who, f.Factor)
				}
				cells := html.UnescapeString(row[1])
				for _, want := range []string{
					`class="qf-count">` + itoa(f.Numerator) + " / " + itoa(f.Denominator),
					`class="qf-rate">` + bpText(f.Rate), `class="qf-score">` + bpText(f.Score), `class="qf-weight">` + itoa(f.Weight),
				} {
					if !strings.Contains(cells, want) {
						t.Errorf("%s %s: want %q in %s", who, f.Factor, want, cells)
					}
				}
			}
			if !strings.Contains(body, `id="quality-score"><strong>`+bpText(q.Score)+`<`) || !strings.Contains(body, `id="quality-percentile">`+bpText(q.Percentile)+`<`) {
				t.Errorf("%s: score or percentile differ from %v / %v", who, bpText(q.Score), bpText(q.Percentile))
			}
		}
		seller := b.login("seller")
		agent := b.login("agent")
		for _, lang := range []string{"zh-CN", "en"} {
			seller.lang, agent.lang = lang, lang
			_, body := seller.get("/portal")
			check(lang+" seller portal", body)
			res, body := agent.get("/parties/seller/s1")
			if res.StatusCode != 200 {
				t.Fatalf("%s staff standing page: %d", lang, res.StatusCode)
			}
			check(lang+" staff page", body)
		}
		// The case page links the agent to it.
		_, caseBody := agent.get("/cases/" + idIn(t, "cases", mustGet(t, b.login("buyer"), "/portal")))
		if !strings.Contains(caseBody, `href="/parties/seller/s1"`) {
			t.Error("the case page does not link to the seller's standing")
		}
		// Parties do not reach it; an unknown party is 404.
		for _, c := range []*client{seller, b.login("buyer")} {
			if res, _ := c.get("/parties/seller/s1"); res.StatusCode != 404 {
				t.Errorf("party GET /parties/seller/s1: %d, want 404", res.StatusCode)
			}
		}
		if res, _ := agent.get("/parties/seller/nobody"); res.StatusCode != 404 {
			t.Errorf("unknown seller: %d, want 404", res.StatusCode)
		}
	})
}

func mustGet(t *testing.T, c *client, p string) string {
	t.Helper()
	res, body := c.get(p)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", p, res.StatusCode)
	}
	return body
}

func hashOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var staffCaller = service.Caller{Role: actor.Agent, Via: "test"}

func bpText(v *int64) string {
	if v == nil {
		return "—"
	}
	frac := *v % 100
	s := itoa(*v/100) + "."
	if frac < 10 {
		s += "0"
	}
	return s + itoa(frac) + "%"
}
