package lint

import (
	"testing"

	"github.com/weiquan/weiquan/internal/script"
)

// Reply context rules (context.go): look-alikes that must stay clean and
// the claims, promises and contact details beside them that must still be
// flagged, each with the rule that must flag it.
func TestReplyContextLookAlikes(t *testing.T) {
	t.Parallel()
	l := New(script.Default())
	for _, d := range []string{
		// advice: 最好 = had better
		"您最好分开两次买", "最好分开拍", "亲最好拍两件", "您们最好还是选大一码", "这个最好不要水洗", "大家最好当面签收", "你的意思是最好分开两次买", "建议最好分开洗",
		// bargaining and effort
		"这已经是最大的优惠了", "我们最大的活动力度是满300减50", "已经是最大力度了亲", "我们会尽最大的努力帮您处理",
		// sizes
		"最大的那个尺寸是40码", "最小的型号适合1岁宝宝", "最长的那款有120cm长度",
		// goods and contents
		"保证是正品", "保证全新未拆封", "含棉量百分之百", "成分是百分之百羊毛",
		// the customer's own number read back
		"您的收货电话是13912345678对吗", "您留的手机号13912345678是空号", "收货人电话13912345678，地址没问题吧",
		// full width and traditional characters: the context is read on the normalised text
		"您最好分開兩次買", "您的收貨電話是１３９１２３４５６７８對嗎",
	} {
		if fs := l.Lint(d); len(fs) != 0 {
			t.Errorf("%q flagged: %+v", d, fs)
		}
	}
	for d, rule := range map[string]string{
		"这是最好的":              "adlaw-9",
		"这款最好看":              "adlaw-9",
		"这是您最好的选择":           "adlaw-9",
		"全网最大优惠":             "adlaw-9",
		"全网最低价":              "adlaw-9",
		"我保证明天到":             RulePromise,
		"保证您明天收到":            RulePromise,
		"百分之百过两天有物流":         RulePromise,
		"加我13912345678":      RuleOffPlatform,
		"您有问题可以打13912345678": RuleOffPlatform,
		"我的手机13912345678":    RuleOffPlatform,
	} {
		found := false
		for _, f := range l.Lint(d) {
			found = found || f.RuleID == rule
		}
		if !found {
			t.Errorf("%q: want %s, got %+v", d, rule, l.Lint(d))
		}
	}
}
