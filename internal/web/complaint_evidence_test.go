package web_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
)

// A complaint's parties attach evidence with captions (the complainant on
// the complaint page, the respondent with its answer, which cites it); the
// agent sees both inline; another buyer finds neither the complaint nor its
// evidence, and cannot upload to it.
func TestComplaintEvidence(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.env.NewOrder("o1", "b1", "s1", 12900, apitest.Delivered)
		buyer, seller, agent, other := b.login("buyer"), b.login("seller"), b.login("agent"), b.login("buyer2")

		buyer.get("/orders/o1/complaint")
		res, _ := buyer.post("/orders/o1/complaint", url.Values{"type": {"out_of_stock"}, "description": {"缺货 / out of stock"}, "claim": {"按规则处理 / apply the rules"}})
		id := strings.TrimPrefix(res.Request.URL.Path, "/complaints/")
		if res.StatusCode != 200 || id == res.Request.URL.Path {
			t.Fatalf("file: %d %s", res.StatusCode, res.Request.URL)
		}
		res, body := buyer.postFile("/complaints/"+id+"/evidence", url.Values{"caption": {"卖家的缺货通知 / the out-of-stock notice"}}, "notice.png", photo(t))
		if res.StatusCode != 200 || !strings.Contains(body, `<img src="/evidence/`) || !strings.Contains(body, "卖家的缺货通知") {
			t.Fatalf("buyer upload: %d\n%.600s", res.StatusCode, body)
		}
		seller.get("/complaints/" + id)
		res, body = seller.postFile("/complaints/"+id+"/act", url.Values{"action": {"respond"}, "statement": {"已联系买家退款 / refund offered"},
			"caption": {"退款记录 / the refund record"}}, "refund.png", photo(t))
		if res.StatusCode != 200 || !strings.Contains(body, "退款记录") {
			t.Fatalf("respond with evidence: %d\n%.600s", res.StatusCode, body)
		}
		ev, err := b.env.Svc.CaseEvidence(ctx, service.Caller{Role: actor.Seller, PartyID: "s1"}, id)
		if err != nil || len(ev) != 2 || ev[0].UploaderRole != "buyer" || ev[1].UploaderRole != "seller" || ev[0].CaseID != id {
			t.Fatalf("complaint chain: %v %+v", err, ev)
		}
		cv, err := b.env.Svc.GetComplaint(ctx, staffCaller, id)
		if err != nil || cv.Response == nil || len(cv.Response.EvidenceIDs) != 1 || cv.Response.EvidenceIDs[0] != ev[1].ID {
			t.Fatalf("the answer does not cite its evidence: %v %+v", err, cv.Response)
		}
		_, body = agent.get("/complaints/" + id)
		for _, e := range ev {
			if !strings.Contains(body, `id="ev-`+e.ID+`"`) {
				t.Errorf("the agent does not see evidence %s", e.ID)
			}
		}
		if res, _ := agent.get("/evidence/" + ev[1].ID); res.StatusCode != 200 {
			t.Errorf("agent evidence bytes: %d", res.StatusCode)
		}
		// Another buyer: nothing exists.
		other.get("/portal")
		for _, p := range []string{"/complaints/" + id, "/evidence/" + ev[0].ID} {
			if res, _ := other.get(p); res.StatusCode != 404 {
				t.Errorf("buyer2 GET %s: %d, want 404", p, res.StatusCode)
			}
		}
		if res, _ := other.postFile("/complaints/"+id+"/evidence", url.Values{"caption": {"x"}}, "x.png", photo(t)); res.StatusCode != 404 {
			t.Errorf("buyer2 upload: %d, want 404", res.StatusCode)
		}
		if _, err := b.env.Svc.CaseEvidence(ctx, service.Caller{Role: actor.Buyer, PartyID: "b2"}, id); !fault.Is(err, fault.NotFound) {
			t.Errorf("buyer2 lists the complaint's evidence: %v", err)
		}
		if ev, _ := b.env.Svc.CaseEvidence(ctx, staffCaller, id); len(ev) != 2 {
			t.Errorf("buyer2's refused upload was stored: %d items", len(ev))
		}
	})
}
