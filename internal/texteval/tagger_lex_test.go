package texteval

import (
	"testing"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// ProductLexicon adds the training titles' PRODUCT spans, except a word
// annotated more often as a BRAND.
func TestProductLexicon(t *testing.T) {
	e := func(typ string, text string, start int) Entity {
		return Entity{Type: typ, Start: start, End: start + len([]rune(text)), Text: text}
	}
	train := []Title{
		{Text: "小米手机 全新", Entities: []Entity{e("BRAND", "小米", 0), e("PRODUCT", "手机", 2)}},
		{Text: "东北小米 杂粮", Entities: []Entity{e("PRODUCT", "小米", 2), e("PRODUCT", "杂粮", 5)}},
		{Text: "小米充电宝", Entities: []Entity{e("BRAND", "小米", 0), e("PRODUCT", "充电宝", 2)}},
	}
	ps := ProductLexicon([]string{"连衣裙"}, train)
	found := func(s string) bool {
		for _, m := range ps.Find(textnorm.New(s)) {
			if m.Text == s {
				return true
			}
		}
		return false
	}
	for _, w := range []string{"连衣裙", "手机", "杂粮", "充电宝"} {
		if !found(w) {
			t.Errorf("%s missing", w)
		}
	}
	if found("小米") {
		t.Error("小米 is more often a brand here")
	}
}
