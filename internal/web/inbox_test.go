package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/worker"
)

var unreadRe = regexp.MustCompile(`id="unread-count">(\d+)<`)

// TestNegotiationAndInbox: on the request page the buyer and the seller
// negotiate (协商记录) before any intervention, each seeing the other's
// message; the seller's 站内信 page lists the notifications in the page's
// language with an unread count in the navigation, opening one marks it
// read and lands on the request; staff read the thread but cannot post;
// nothing is posted on a closed request.
func TestNegotiationAndInbox(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		relay := worker.NewOutbox(b.env.Store, worker.OutboxChannels{Static: map[string]notify.Channel{notify.ChannelSite: &notify.SiteChannel{Store: b.env.Store}}},
			slog.New(slog.NewTextHandler(io.Discard, nil)), worker.OutboxConfig{Clock: b.env.Clock})
		b.env.NewOrder("o1", "b1", "s1", 12900, apitest.Delivered)
		buyer, seller, agent := b.login("buyer"), b.login("seller"), b.login("agent")
		res, _ := buyer.post("/orders/o1/request", url.Values{"type": {"refund_only"}, "reason": {"quality_problem"}, "amount": {"129.00"}, "description": {"开线"}})
		reqID := strings.TrimPrefix(res.Request.URL.Path, "/requests/")

		buyer.get("/requests/" + reqID)
		if res, body := buyer.post("/requests/"+reqID+"/messages", url.Values{"text": {"衣服开线了，可以退款吗？"}}); res.StatusCode != 200 || !strings.Contains(body, "衣服开线了，可以退款吗？") {
			t.Fatalf("buyer's message: %d\n%.800s", res.StatusCode, body)
		}
		_, body := seller.get("/requests/" + reqID)
		if !strings.Contains(body, "衣服开线了，可以退款吗？") || !strings.Contains(body, `id="form-message"`) {
			t.Fatalf("the seller does not see the thread or cannot answer:\n%.1500s", body)
		}
		seller.post("/requests/"+reqID+"/messages", url.Values{"text": {"请提供照片"}})
		seller.post("/requests/"+reqID+"/messages", url.Values{"text": {"   "}}) // refused: counted at the end
		_, body = agent.get("/requests/" + reqID)
		if !strings.Contains(body, "请提供照片") || strings.Contains(body, `id="form-message"`) {
			t.Errorf("staff: thread shown %v, post form shown %v", strings.Contains(body, "请提供照片"), strings.Contains(body, `id="form-message"`))
		}
		if res, _ := agent.post("/requests/"+reqID+"/messages", url.Values{"text": {"客服插话"}}); res.StatusCode < 400 {
			t.Errorf("an agent posted a negotiation message: %d", res.StatusCode)
		}

		for range 3 {
			if _, err := relay.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		_, body = seller.get("/messages")
		m := unreadRe.FindStringSubmatch(body)
		if m == nil || m[1] == "0" || !strings.Contains(body, `class="msg unread"`) {
			t.Fatalf("no unread count or unread message:\n%.2000s", body)
		}
		if strings.Contains(visibleText(body), " / ") {
			t.Errorf("the inbox mixes the two languages: %q", around(visibleText(body), " / "))
		}
		id := regexp.MustCompile(`action="/messages/([^"]+)/read"`).FindStringSubmatch(body)
		if id == nil {
			t.Fatal("no message to open")
		}
		if res, _ := seller.post("/messages/"+id[1]+"/read", url.Values{}); res.Request.URL.Path != "/requests/"+reqID && res.Request.URL.Path != "/orders/o1" {
			t.Errorf("opening the message landed on %s", res.Request.URL.Path)
		}
		_, body = seller.get("/messages")
		if m2 := unreadRe.FindStringSubmatch(body); m2 != nil && m2[1] >= m[1] && len(m2[1]) == len(m[1]) {
			t.Errorf("unread %s after opening one (was %s)", m2[1], m[1])
		}
		if res, _ := agent.get("/messages"); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("staff /messages: %d", res.StatusCode)
		}

		// closed: no more messages
		buyer.get("/requests/" + reqID)
		buyer.post("/requests/"+reqID+"/act", url.Values{"action": {"cancel"}})
		_, body = buyer.get("/requests/" + reqID)
		if strings.Contains(body, `id="form-message"`) {
			t.Error("the post form is offered on a closed request")
		}
		buyer.post("/requests/"+reqID+"/messages", url.Values{"text": {"还在吗"}})
		// the empty message, the agent's and the one after closing were refused
		msgs, err := b.env.Svc.Messages(ctx, service.Caller{Role: actor.Agent}, reqID)
		if err != nil || len(msgs) != 2 || msgs[0].Text != "衣服开线了，可以退款吗？" || msgs[1].Text != "请提供照片" {
			t.Errorf("thread %+v (%v), want the buyer's and the seller's messages", msgs, err)
		}
	})
}
