package listing

import (
	"bytes"
	"reflect"
	"testing"
)

// A tiny hand-written corpus: 小米 the maker before phones and chargers,
// 小米 the grain among 五谷杂粮; brands no lexicon holds, learnt from
// their context (before 旗舰店 / 官方正品, before a product word).
func tinyCorpus() []TaggedTitle {
	b := func(text string, spans ...[2]int) TaggedTitle { return TaggedTitle{Text: text, Brands: spans} }
	var out []TaggedTitle
	for range 4 {
		out = append(out,
			b("小米手机 红米note 全网通", [2]int{0, 2}),
			b("小米充电宝 20000毫安 快充", [2]int{0, 2}),
			b("正品小米手环 运动计步", [2]int{2, 4}),
			b("东北小米 五谷杂粮 黄小米 新米"),
			b("有机小米粥 杂粮 小米 500g"),
			b("山西小米 农家 杂粮"),
			b("华为旗舰店 官方正品 手机壳", [2]int{0, 2}),
			b("森马官方正品 t恤 男", [2]int{0, 2}),
			b("太平鸟旗舰店 连衣裙 女", [2]int{0, 3}),
			b("纯棉t恤 男 短袖 夏季"),
			b("加厚保温杯 不锈钢 水杯"),
		)
	}
	return out
}

func TestTaggerLearnsContextAndHomographs(t *testing.T) {
	t.Parallel()
	tg := NewTagger(NewBrandSet([]string{"小米", "华为"}), NewBrandSet([]string{"手机", "充电宝", "杂粮", "t恤", "连衣裙"}))
	tg.Train(tinyCorpus(), 10, 1)
	cases := []struct {
		title string
		want  [][2]int
	}{
		{"小米手机 全新 正品", [][2]int{{0, 2}}},
		{"有机黄小米 杂粮 2斤", nil},                // the grain
		{"罗蒙旗舰店 官方正品 衬衫", [][2]int{{0, 2}}}, // a brand no lexicon holds, by its context
		{"加厚纯棉t恤 短袖", nil},
	}
	for _, c := range cases {
		if got := tg.Find(c.title); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.title, got, c.want)
		}
	}
	titles := make([]string, len(cases))
	for i, c := range cases {
		titles[i] = c.title
	}
	sameAfterRoundTrip(t, tg, titles)
	if _, err := ReadTagger(bytes.NewReader([]byte("not a model")), nil, nil); err == nil {
		t.Error("garbage must be refused")
	}
}

// Consistent: a brand found once is found at its other occurrences in the
// title, never inside a longer latin word or over a span already found.
func TestConsistent(t *testing.T) {
	for _, c := range []struct {
		title string
		spans [][2]int
		want  [][2]int
	}{
		{"合力3吨叉车 自动挡合力叉车", [][2]int{{0, 2}}, [][2]int{{0, 2}, {10, 12}}},
		{"海尔冰箱 海尔 双门", [][2]int{{5, 7}}, [][2]int{{0, 2}, {5, 7}}},
		{"lg显示器 gold边框", [][2]int{{0, 2}}, [][2]int{{0, 2}}},                 // lg inside gold
		{"小米手机 红米 小米", [][2]int{{0, 2}, {8, 10}}, [][2]int{{0, 2}, {8, 10}}}, // both found already
		{"华为 华为技术", [][2]int{{0, 1}}, [][2]int{{0, 1}}},                      // one character: no spread
		{"纯棉t恤", nil, nil},
	} {
		if got := Consistent(c.title, c.spans); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %v: got %v, want %v", c.title, c.spans, got, c.want)
		}
	}
}

// ShiftO trades precision for recall: lowering the O label's score finds
// at least the spans found before, raising it far finds none, and a
// written model keeps the shift.
func TestTaggerShiftO(t *testing.T) {
	t.Parallel()
	tg := NewTagger(NewBrandSet([]string{"小米", "华为"}), NewBrandSet([]string{"手机", "充电宝", "杂粮", "t恤", "连衣裙"}))
	tg.Train(tinyCorpus(), 10, 1)
	titles := []string{"小米手机 全新 正品", "罗蒙旗舰店 官方正品 衬衫", "有机黄小米 杂粮 2斤", "雅鹿羽绒服 男 加厚"}
	before := map[string][][2]int{}
	for _, s := range titles {
		before[s] = tg.Find(s)
	}
	tg.ShiftO(5)
	for _, s := range titles {
		got := map[[2]int]bool{}
		for _, sp := range tg.Find(s) {
			got[sp] = true
		}
		for _, sp := range before[s] {
			// a span found before is still found, or a longer one holds it
			ok := got[sp]
			for g := range got {
				ok = ok || g[0] <= sp[0] && sp[1] <= g[1]
			}
			if !ok {
				t.Errorf("%s: %v lost after lowering O (now %v)", s, sp, tg.Find(s))
			}
		}
	}
	sameAfterRoundTrip(t, tg, titles)
	tg.ShiftO(-1e6)
	for _, s := range titles {
		if got := tg.Find(s); len(got) != 0 {
			t.Errorf("%s: O raised far, still found %v", s, got)
		}
	}
}

// The lexicon n-gram counts: characters by position, bigrams, trigrams,
// over the normalised names.
func TestBrandSetGrams(t *testing.T) {
	g := NewBrandSet([]string{"欧莉娅", "莉娅美", "ＡＢＣ"}).grams()
	for k, want := range map[string]int32{"2莉娅": 2, "2欧莉": 1, "3欧莉娅": 1, "f欧": 1, "f莉": 1, "l娅": 1, "l美": 1, "u莉": 2, "2ab": 1, "2娅美": 1, "2美欧": 0} {
		if g[k] != want {
			t.Errorf("%s: %d, want %d", k, g[k], want)
		}
	}
	if (*BrandSet)(nil).grams() != nil {
		t.Error("a nil set has no counts")
	}
}

// sameAfterRoundTrip writes the tagger out, reads it back and checks that
// it finds the same spans in each title.
func sameAfterRoundTrip(t *testing.T, tg *Tagger, titles []string) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := tg.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTagger(bytes.NewReader(buf.Bytes()), tg.brand, tg.prod)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range titles {
		if got, want := back.Find(s), tg.Find(s); !reflect.DeepEqual(got, want) {
			t.Errorf("read back, %s: %v vs %v", s, got, want)
		}
	}
}
