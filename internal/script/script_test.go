package script

import "testing"

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
