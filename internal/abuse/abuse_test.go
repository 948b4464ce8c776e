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

// TestOffensiveModel: attacks on a group without any lexicon word are
// flagged by the model; the same groups mentioned neutrally or defended,
// and ordinary complaints, are not.
func TestOffensiveModel(t *testing.T) {
	d := New()
	for _, c := range []struct {
		text      string
		offensive bool
	}{
		{"黑人都是好吃懒做的，别来我们这里", true},
		{"河南人没一个好东西，全是小偷", true},
		{"女人就该待在家里生孩子，出来工作干什么", true},
		{"东北人素质太低了，一个个都像流氓", true},
		{"我的好朋友是同性恋，他是一个非常善良的人。", false},
		{"河南人勤劳朴实，我身边的河南朋友都很靠谱。", false},
		{"快递什么时候到，我等了三天了还没到", false},
		{"这个衣服质量太差了，我要退货退款", false},
		// complaints about the shop mention no group: outside the model's scope
		{"这都是你们打包的问题，别跟我说这些没用的", false},
		{"你们这不是骗人吗，说好的降价又不算数了", false},
	} {
		fs := d.Scan(c.text)
		got := len(fs) > 0
		if got != c.offensive {
			t.Errorf("%q: flagged %v (p %.3f), want %v", c.text, got, d.Probability(c.text), c.offensive)
			continue
		}
		if got && (fs[0].RuleID != RuleOffensive || fs[0].Score <= 0) {
			t.Errorf("%q: finding %+v, want %s with a positive score", c.text, fs[0], RuleOffensive)
		}
	}
}

func TestAntiBiasSetIsWellFormed(t *testing.T) {
	topics := map[string]int{}
	seen := map[string]bool{}
	for _, s := range AntiBias() {
		topics[s.Topic]++
		if seen[s.Text] {
			t.Errorf("repeated sentence %q", s.Text)
		}
		seen[s.Text] = true
	}
	for _, tp := range []string{"gender", "region", "race", "lgbt"} {
		if topics[tp] < 20 {
			t.Errorf("topic %s: %d sentences, want ≥ 20", tp, topics[tp])
		}
	}
	if len(topics) != 4 || len(seen) < 100 {
		t.Errorf("topics %v, %d sentences (want the four topics, ≥ 100 sentences)", topics, len(seen))
	}
}

func TestAboutGroup(t *testing.T) {
	for text, want := range map[string]bool{
		"河南人都这样":     true,
		"女司机开车":      true,
		"黑人朋友":       true,
		"同性恋者":       true,
		"這都是你們打包的問題": false,
		"快递三天了还没到，什么时候发货": false,
	} {
		if got := AboutGroup(text); got != want {
			t.Errorf("AboutGroup(%q) = %v, want %v", text, got, want)
		}
	}
}
