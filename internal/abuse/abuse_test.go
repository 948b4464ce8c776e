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

// TestMaskIdentity: the model sees one placeholder per category for every
// group name, so swapping one group for another of the same kind cannot
// change its score; slurs are not names and stay.
func TestMaskIdentity(t *testing.T) {
	d := New()
	for _, pair := range [][2]string{
		{"女性也可能是家暴的受害者，她们同样需要帮助。", "男性也可能是家暴的受害者，她们同样需要帮助。"},
		{"河南人偷井盖的说法没有根据", "上海人偷井盖的说法没有根据"},
		{"黑人邻居帮我搬了家，真是热心", "白人邻居帮我搬了家，真是热心"},
		{"同性恋者也有结婚的愿望", "异性恋者也有结婚的愿望"},
	} {
		a, b := MaskIdentity(pair[0]), MaskIdentity(pair[1])
		if a != b {
			t.Errorf("%q → %q and %q → %q: want one masked text", pair[0], a, pair[1], b)
		}
		if d.Probability(pair[0]) != d.Probability(pair[1]) {
			t.Errorf("%q and %q scored apart", pair[0], pair[1])
		}
	}
	for _, keep := range []string{"黑鬼", "阿三", "基佬", "娘炮", "usb接口", "lesson"} {
		if got := MaskIdentity(keep); got != keep {
			t.Errorf("MaskIdentity(%q) = %q, want it unchanged", keep, got)
		}
	}
	if got := MaskIdentity("黑龙江的女生"); got != "\uE001的\uE002" {
		t.Errorf("longest name first: got %q", got)
	}
}

// TestCounterSpeech: naming a prejudice to reject it is counter-speech; an
// attack that also says 歧视, or a rebuttal turned into a concession, or a
// reply aimed at someone, is not.
func TestCounterSpeech(t *testing.T) {
	for text, want := range map[string]bool{
		"说湖南人都霸蛮，这种说法就是刻板印象。":   true,
		"我们反对一切形式的种族歧视。":        true,
		"残疾人和少数民族都不应该在求职时受到歧视。": true,
		"歧视外地人是不对的，大家都是来打拼的。":   true,
		"以后别用“剩女”去叫单身的女性朋友了。":   true,
		"我就是歧视黑人，怎么了":           false,
		"种族歧视是不对的，但是黑人确实素质低":    false,
		"你这就是地域歧视，别装了":          false,
		"东北人都是流氓，素质低下":          false,
		"这家店的客服态度太差了，我要投诉":      false,
		"他们总说受到歧视，其实就是懒":        false,
	} {
		if got := CounterSpeech(text); got != want {
			t.Errorf("CounterSpeech(%q) = %v, want %v", text, got, want)
		}
	}
	d := New()
	// the model's flag is withheld on counter-speech, a lexicon insult never
	if fs := d.Scan("说某地人都是骗子，这是地域歧视。"); len(fs) == 0 || fs[0].RuleID != RuleInsult {
		t.Errorf("lexicon insult inside counter-speech: got %+v, want %s", fs, RuleInsult)
	}
	for _, text := range []string{"我们反对一切形式的种族歧视，无论针对的是黑人还是白人。", "歧视外地人是不对的，大家都是来打拼的。"} {
		if fs := d.Scan(text); len(fs) != 0 {
			t.Errorf("%q flagged: %+v", text, fs)
		}
	}
}
