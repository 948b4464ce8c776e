package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

// A party without a web user is named as the marketplace names it on its
// orders (seller_nick, buyer_nick): the shop by its name in the workbench,
// on the case's party card and on the buyer's order page; the buyer masked
// in the queue and for the seller; the workbench search finds the case by
// the shop's name. A name too long or with control characters is refused.
func TestPartiesNamedByTheMarketplacesNicks(t *testing.T) {
	t.Parallel()
	onEachEngine(t, func(t *testing.T, b *bundle) {
		e := b.env
		caseID := reviewCase(t, b, "o-nick", "b1", "s-nick", 8800)
		facts := map[string]any{"buyer_id": "b1", "seller_id": "s-nick", "category": "女装", "amount": 8800, "postage": 0,
			"items": []map[string]any{{"title": "测试商品 o-nick", "quantity": 1, "price": 8800}}}
		for _, bad := range []map[string]any{{"seller_nick": strings.Repeat("店", 65)}, {"buyer_nick": "林\x01"}, {"seller_nick": " 简居 "}} {
			body := map[string]any{}
			for k, v := range facts {
				body[k] = v
			}
			for k, v := range bad {
				body[k] = v
			}
			var field string
			for k := range bad {
				field = k
			}
			if res := e.Do(apitest.Req{Method: "PUT", Path: "/v1/orders/o-nick", Key: e.Integration, Body: body}); res.Status != 422 && res.Status != 400 || !strings.Contains(string(res.Body), field) {
				t.Fatalf("bad %s: %d %s", field, res.Status, res.Body)
			}
		}
		facts["seller_nick"], facts["buyer_nick"] = "简居生活家居馆", "林小满"
		e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/o-nick", Key: e.Integration, Body: facts})
		// A buyer without a web user, named by its nick on its order.
		case2 := reviewCase(t, b, "o-nick2", "b-nick", "s-nick", 6600)
		e.Must(200, apitest.Req{Method: "PUT", Path: "/v1/orders/o-nick2", Key: e.Integration, Body: map[string]any{"buyer_id": "b-nick", "seller_id": "s-nick",
			"category": "女装", "amount": 6600, "postage": 0, "buyer_nick": "林小满", "seller_nick": "简居生活家居馆",
			"items": []map[string]any{{"title": "测试商品 o-nick2", "quantity": 1, "price": 6600}}}})

		agent := b.login("agent")
		_, wb := agent.get("/workbench")
		row := func(id string) string {
			i := strings.Index(wb, `id="row-`+id+`"`)
			if i < 0 {
				t.Fatalf("case %s is not in the workbench", id)
			}
			j := strings.Index(wb[i+1:], `id="row-`)
			if j < 0 {
				j = min(len(wb)-i-1, 4000)
			}
			return wb[i : i+1+j]
		}
		// b1 has a web user: its own name wins over the order's nick.
		if r := row(caseID); !strings.Contains(r, "简居生活家居馆") || strings.Contains(r, "林") || !strings.Contains(r, "张*") {
			t.Fatalf("workbench row of b1: %s", r)
		}
		if r := row(case2); !strings.Contains(r, "简居生活家居馆") || strings.Contains(r, "林小满") || !strings.Contains(r, "林*") {
			t.Fatalf("workbench row of the buyer known by its nick (want it masked): %s", r)
		}
		_, found := agent.get("/workbench?" + url.Values{"q": {"简居"}}.Encode())
		if !strings.Contains(found, `id="row-`+caseID+`"`) || !strings.Contains(found, `id="row-`+case2+`"`) {
			t.Fatal("searching the shop's name does not find its cases")
		}
		if _, cp := agent.get("/cases/" + case2); !strings.Contains(cp, "简居生活家居馆") || !strings.Contains(cp, "林小满") {
			t.Fatal("the case's party cards do not name the parties as the marketplace does")
		}
		if _, op := b.login("buyer").get("/orders/o-nick"); !strings.Contains(op, "简居生活家居馆") {
			t.Fatal("the buyer's order page does not name the shop")
		}
	})
}
