package script

import (
	"strings"
	"testing"
)

func TestDefaultLibraryHasEveryScenarioAndStep(t *testing.T) {
	l := Default()
	for _, id := range []string{"logistics_delay", "lost_parcel", "poor_quality", "damaged_in_transit", "rude_service", "slow_response", "abusive_customer", "colleague_mistake", "own_mistake", "refund_return"} {
		s, ok := l.Scenario(id)
		if !ok {
			t.Fatalf("scenario %s missing", id)
		}
		for _, ch := range ChannelIDs {
			r, err := l.Render(s, ch)
			if err != nil || len(r.Steps) != 6 || r.Steps[0].Step != "soothe" || r.Steps[5].Step != "thank" {
				t.Fatalf("%s/%s: %+v %v", id, ch, r, err)
			}
		}
	}
	bad, _ := l.Scenario("own_mistake")
	delete(bad.Steps, "apologise")
	if err := l.ValidateScenario(bad); err == nil {
		t.Fatal("a scenario without 真诚道歉 must be refused")
	}
}

func TestRouterKeywords(t *testing.T) {
	r := NewRouter(Default(), nil)
	for text, want := range map[string]string{"快递三天了还没到": "logistics_delay", "收到盒子压坏了，瓶子漏液": "damaged_in_transit", "客服态度太差": "rude_service"} {
		res := r.Suggest(text)
		if len(res.Suggestions) == 0 || res.Suggestions[0].Scenario != want {
			t.Errorf("%q → %+v, want %s", text, res.Suggestions, want)
		}
	}
}

// Delivery-delay wording (issue 16: 迟到, 等了两个小时, 还没到) reaches
// logistics_delay, and wrong or missing items (发错货 / 少发 / 漏发) reach
// wrong_item; the look-alikes go elsewhere.
func TestRouterDelayAndWrongItem(t *testing.T) {
	t.Parallel()
	r := NewRouter(Default(), nil)
	for _, c := range []struct{ text, want string }{
		{"外卖迟到了", "logistics_delay"},
		{"我的包裹迟到好几天了", "logistics_delay"},
		{"等了两个小时了还没到", "logistics_delay"},
		{"都三天了还没送到", "logistics_delay"},
		{"已经一个星期了还没收到货", "logistics_delay"},
		{"等了半个月了，怎么还没有", "logistics_delay"},
		{"还没到啊，什么时候到", "logistics_delay"},
		{"下单五天了物流一直不更新", "logistics_delay"},
		{"说好昨天到的，延误了", "logistics_delay"},
		{"你们发错货了，我要的是黑色", "wrong_item"},
		{"少发了一件，订单是两件", "wrong_item"},
		{"漏发了赠品", "wrong_item"},
		{"买了三瓶只收到两瓶", "wrong_item"},
		{"盒子里少了两个", "wrong_item"},
		{"收到的不是我买的那款，尺码不对", "wrong_item"},
		{"颜色发错了", "wrong_item"},
		{"缺件，少配件", "wrong_item"},
		// look-alikes: waiting for a reply is slow response, not delivery
		{"等了两个小时客服都没人回复", "slow_response"},
		{"收到盒子压坏了，瓶子漏液", "damaged_in_transit"},
	} {
		res := r.Suggest(c.text)
		if len(res.Suggestions) == 0 || res.Suggestions[0].Scenario != c.want {
			t.Errorf("%q → %+v, want %s first", c.text, res.Suggestions, c.want)
		}
	}
}

func TestWrongItemScenarioScripts(t *testing.T) {
	t.Parallel()
	l := Default()
	s, ok := l.Scenario("wrong_item")
	if !ok {
		t.Fatal("wrong_item scenario missing")
	}
	r, err := l.Render(s, "chat")
	if err != nil || len(r.Steps) != 6 || len(r.Recommended) == 0 || len(r.Forbidden) == 0 {
		t.Fatalf("render: %+v %v", r, err)
	}
	if r.RuleIDs[0] != "seed-script-wrong-item" || !strings.HasPrefix(r.Recommended[0], "亲，您好，") {
		t.Errorf("render: %+v", r)
	}
}
