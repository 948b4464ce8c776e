package abuse

import "testing"

func TestAbuseSpans(t *testing.T) {
	d := New()
	cases := map[string]string{
		"不给我退款我就给你差评":   "extortion",
		"退我50块，不然就给你一星": "extortion",
		"你个傻逼客服":        "insult",
		"你等着，我找人弄死你":    "threat",
	}
	for text, kind := range cases {
		fs := d.Scan(text)
		if len(fs) == 0 || fs[0].Kind != kind {
			t.Errorf("%q: want %s, got %+v", text, kind, fs)
			continue
		}
		if got := string([]rune(text)[fs[0].Start:fs[0].End]); got != fs[0].Text {
			t.Errorf("%q: span text %q != %q", text, got, fs[0].Text)
		}
	}
}

func TestBabyAndBodyVocabularyNotFlagged(t *testing.T) {
	d := New()
	for _, text := range []string{
		"宝宝屁股红了，护臀膏怎么用",
		"乳头保护罩是硅胶的吗",
		"奶嘴和奶瓶可以一起消毒吗",
		"哺乳期胸部涨奶用这个吸奶器可以吗",
		"给差评是我的权利，东西确实不好",
		"usb数据线多长",
		"不给退款我就投诉到12315",
	} {
		if fs := d.Scan(text); len(fs) != 0 {
			t.Errorf("%q flagged: %+v", text, fs)
		}
	}
}

func TestEmbeddedModelLoads(t *testing.T) {
	if !New().HasModel() {
		t.Fatal("embedded COLD model missing or unreadable")
	}
}
