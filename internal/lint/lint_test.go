package lint

import (
	"testing"

	"github.com/weiquan/weiquan/internal/script"
)

func TestLintFlagsSeedForbiddenAndRules(t *testing.T) {
	l := New(script.Default())
	cases := map[string]string{
		"喂，这不关我的事，我不清楚":   "seed-script-colleague-mistake",
		"不好意思，我是新手啦":      "seed-script-own-mistake",
		"我保证明天一定到":        RulePromise,
		"加我微信 abc12345 聊": RuleOffPlatform,
		"你打13912345678":   RuleOffPlatform,
		"爱买不买":            "seed-script-authenticity",
		"这是全网最好的":         "adlaw-9",
	}
	for draft, rule := range cases {
		fs := l.Lint(draft)
		found := false
		for _, f := range fs {
			if f.RuleID == rule {
				found = true
				if f.Rewrite == "" || f.End <= f.Start {
					t.Errorf("%q: finding without rewrite or span: %+v", draft, f)
				}
				if got := []rune(draft)[f.Start:f.End]; string(got) != f.Text {
					t.Errorf("%q: span %d-%d = %q, text %q", draft, f.Start, f.End, string(got), f.Text)
				}
			}
		}
		if !found {
			t.Errorf("%q: want %s, got %+v", draft, rule, fs)
		}
	}
}

func TestLintKeepsOrdinaryRepliesClean(t *testing.T) {
	l := New(script.Default())
	for _, d := range []string{
		"亲，最近快递比较慢，最晚后天到哦",
		"您最好先拍照留证，我们马上处理",
		"开车记得系好安全带哦",
		"这个我们不能保证，具体以物流为准",
		"质量保证，请放心",
		"非常抱歉，今天咨询的客户比较多，非常感谢您的耐心等候，请问有什么可以帮到您？",
	} {
		if fs := l.Lint(d); len(fs) != 0 {
			t.Errorf("%q flagged: %+v", d, fs)
		}
	}
}
