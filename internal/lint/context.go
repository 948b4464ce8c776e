package lint

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// Reply context for the extreme-word scanner's findings: in an agent's
// chat some 最… are not claims about the goods.
//
//   - advice: 最好 after the person addressed, after a frame reporting advice
//     (意思是, 建议), or opening a clause, before a verb ("您最好分开两次买", "最好分开拍") — but 最好看的, 最好的 claim;
//   - bargaining and effort: 最大(的)优惠 / 力度 / 折扣 / 诚意 / 努力 / 限度
//     ("这已经是最大的优惠了", "最大的活动力度", like 已经是最低价了) unless a scope makes it a
//     ranking (全网最大优惠);
//   - a size stated later in the clause ("最大的那个尺寸是40码").

// clauseStart is the byte index where the clause holding byte a begins.
func clauseStart(n string, a int) int {
	if i := strings.LastIndexAny(n[:a], ",。.!?~;、…:： \t\n"); i >= 0 {
		_, sz := utf8.DecodeRuneInString(n[i:])
		return i + sz
	}
	return 0
}

// clauseEndAt is the byte index where the clause holding byte b ends.
func clauseEndAt(n string, b int) int {
	if i := strings.IndexAny(n[b:], ",。.!?~;、…:： \t\n"); i >= 0 {
		return b + i
	}
	return len(n)
}

var addressees = []string{"您", "你", "亲", "您们", "你们", "大家", "客官", "宝宝", "亲亲", "亲爱的"}

// adviceBest: 最好 at [a, b) is "had better" (advice), not "the best".
func adviceBest(n string, a, b int) bool {
	if !strings.HasPrefix(n[a:], "最好") {
		return false
	}
	p := a + len("最好")
	rest := n[p:clauseEndAt(n, p)]
	if rest == "" || textnorm.HasPrefixAny(rest, "的", "了", "啦", "呢", "哦", "啊", "吧") {
		return false // 最好的, 是最好的了: the best
	}
	if _, sz := utf8.DecodeRuneInString(rest); strings.HasPrefix(rest[sz:], "的") {
		return false // 最好看的, 最好用的: a claim
	}
	before := strings.TrimSuffix(n[clauseStart(n, a):a], "还是")
	before = strings.TrimSuffix(before, "们")
	// …or after a frame that reports advice ("你的意思是最好…", "建议最好…")
	return before == "" || textnorm.HasSuffixAny(before, addressees...) || textnorm.HasSuffixAny(before, "意思是", "建议", "建议是", "说是", "一般", "通常", "那")
}

var effortNouns = []string{"优惠", "力度", "折扣", "让利", "诚意", "努力", "限度", "程度", "帮助", "能力", "让步"}

// Scopes that turn a price or promotion word into a ranking (全网最大优惠).
var rankScopes = []string{"全网", "淘宝", "全国", "史上", "天猫", "市场", "同行", "全球", "世界", "全场", "行业", "网上", "历史"}

// bargainMost: 最大 / 最高 before an offer or an effort word.
func bargainMost(n string, a, b int) bool {
	if !textnorm.HasPrefixAny(n[a:], "最大", "最高") {
		return false
	}
	rest := strings.TrimPrefix(n[a+len("最大"):], "的")
	for _, w := range []string{"活动", "促销", "优惠"} {
		if r := strings.TrimPrefix(rest, w); r != rest && textnorm.HasPrefixAny(r, effortNouns...) {
			rest = r
		}
	}
	if !textnorm.HasPrefixAny(rest, effortNouns...) {
		return false
	}
	return !textnorm.HasSuffixAny(n[clauseStart(n, a):a], rankScopes...)
}

var sizeWords = []string{"码", "尺寸", "尺码", "号", "容量", "规格", "型号", "承重", "重量", "长度", "宽度", "高度"}

// sizeMost: 最大 / 最小 / 最长 … whose clause goes on to state a size.
func sizeMost(n string, a, b int) bool {
	if !textnorm.HasPrefixAny(n[a:], "最大", "最小", "最长", "最短", "最宽", "最高", "最重", "最轻") {
		return false
	}
	rest := n[a+len("最大") : clauseEndAt(n, a+len("最大"))]
	for _, w := range sizeWords {
		if strings.Contains(rest, w) {
			return true
		}
	}
	return false
}

// notAClaimInReply applies the reply context rules above to an extreme-word
// finding at norm bytes [a, b).
func notAClaimInReply(n string, a, b int) bool {
	return adviceBest(n, a, b) || bargainMost(n, a, b) || sizeMost(n, a, b)
}

// ownNumber: a phone number the customer gave us ("您的收货电话是…对吗",
// "您留的手机号…"), read back to them, is not off-platform contact.
func ownNumber(n string, a int) bool {
	return ownNumberRe.MatchString(n[clauseStart(n, a):a])
}

var ownNumberRe = regexp.MustCompile(`((您|你)(的|留的|填的|预留的|下单的|收货的)|收货|收件|买家)(收货|收件)?(人)?(的)?(电话|手机|号码|联系方式|联系电话|手机号)`)

// goodsAssurance: 保证 before the goods' authenticity or quality
// ("保证是正品", "保证全新") is an assurance about the goods, like 质量有
// 保证, not a promise of an outcome.
func goodsAssurance(n string, b int) bool {
	rest := strings.TrimPrefix(n[b:], "是")
	rest = strings.TrimPrefix(rest, "都是")
	return textnorm.HasPrefixAny(rest, "正品", "原装", "真品", "全新", "新品", "新的", "质量", "品质", "正版", "官方正品")
}

// contentStated: 百分百 / 100% in a clause that states a content
// ("含棉量百分之百", "成分百分之百羊毛").
func contentStated(n string, a int) bool {
	before := n[clauseStart(n, a):a]
	for _, w := range []string{"含量", "含棉", "棉量", "成分", "面料", "材质", "材料", "纯度"} {
		if strings.Contains(before, w) {
			return true
		}
	}
	return false
}

// normRange maps a finding's rune range [s, e) of the original text back to
// bytes of tx.Norm.
func normRange(tx *textnorm.Text, s, e int) (int, int) {
	a, b := -1, len(tx.Norm)
	for i := range tx.Norm {
		r, _ := tx.Span(i, i)
		if a < 0 && r >= s {
			a = i
		}
		if r >= e {
			b = i
			break
		}
	}
	if a < 0 {
		a = len(tx.Norm)
	}
	return a, b
}
