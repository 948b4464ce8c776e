package lint

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// RuleBrushOff: refusing without helping ("没办法", "不知道", "你自己看吧"),
// the seed's × phrasings "我也没办法" and "我不清楚，您打××电话吧" in their
// general form.
const RuleBrushOff = "ours-lint-brush-off"

// Brush-off forms: the seed's × phrasings (推卸: 这不关我的事 / 不是我的错 /
// 刚才的电话不是我接的; 推脱: 我也没办法 / 我不清楚，您打××电话吧; 不耐烦:
// 有什么事情快说) written as forms over the normalised draft, so that the
// other ways of saying them are caught too (你自己的问题, 平台不管, 找快递去,
// 爱买不买, 爱退不退). The look-alikes they must leave alone: "您的问题我已
// 记录" (问题 = question), "不管您在哪里都包邮" (不管 = regardless), "不知道
// 您收到了吗" (a question), "实在没办法再便宜了" (bargaining), "我帮您联系
// 快递" (help, not a push away).
type brush struct {
	rule, kind, reason, rewrite string
	re                          *regexp.Regexp
	ok                          func(n string, a, b int) bool // context check; nil: always
}

// clause end: particles, then punctuation or the end of the draft
const clauseEnd = `(了|啊|呀|哦|哟|呢|吧|嘛|啦|哈|亲|的|哇|喔|噢)*([,。.!?~;、…\s]|$)`

const (
	reasonBlame  = "推卸责任 / shifting blame"
	reasonRude   = "不耐烦或粗鲁 / impatient or rude"
	reasonBrush  = "推脱、敷衍，没有给出解决办法 / brushing the customer off without a way forward"
	rewriteBrush = "这个问题我马上帮您核实，确认后第一时间给您答复，请您稍等一下好吗？"
)

var others = `(快递|物流|快递公司|快递员|厂家|平台|淘宝|天猫|银行|售后|官方|客服|商家|小二)`

var brushes = []brush{
	// blame on the customer
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`(是|就是|都是|这是|那是|属于|算)(你|您)(自己)?的(问题|原因|责任|错|事)`), nil},
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`(你|您)自己的(问题|原因|责任|错|事)`), nil},
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`怪(你|您)自己|(你|您)自己(没|不)(看|注意|检查|看清|问)|谁(让|叫)(你|您)`), nil},
	// pushing the customer away to someone else
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`(找|问|联系|去找|去问)(` + others + `)+(去|吧去)` + clauseEnd), nil},
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`(你|您)(自己)?(去)?(找|问)` + others + `(吧|去|啊|好了|呗)`), nil},
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`(你|您)自己(去)?(找|问|联系)|自己(去)?(找|问|联系)` + others), textnorm.NotPreceded("我", "我们")},
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`(平台|快递|物流|厂家|我们|我|这边|店里|客服|商家|我们这边)(也)?(不管|管不了|管不着|不负责|不负责任|没法管)(这(个|些)?(事|问题)?)?` + clauseEnd), nil},
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`不(关|干)(我|我们)(的)?(事|屁事)|与(我|我们)无关|(跟|和)(我|我们)(没|没有)(关系|啥关系|什么关系)|不归(我|我们)管`), nil},
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`不是(我|我们|本店|店里|我们家)(的)?(错|问题|责任|事)|不是(我|我们)(能|可以)(解决|处理|决定|管)的`), nil},
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`(是|那是|这是|都是)` + others + `的(事|问题|责任|错)(了)?(,|。|!|$|跟|和|与|不)`), noWayForward},
	{RuleBlame, "blame", reasonBlame, rewriteBlame, regexp.MustCompile(`不是我接的|我(是|还是)新(手|来的)|我刚(来|上班)|忙死了|线路忙`), nil},
	// refusing without a way forward
	{RuleBrushOff, "brush_off", reasonBrush, rewriteBrush, regexp.MustCompile(`(我|我们|这边)?(也|都)?没(有)?(办法|法子|辙)` + clauseEnd), textnorm.All(notBargaining, noWayForward)},
	{RuleBrushOff, "brush_off", reasonBrush, rewriteBrush, regexp.MustCompile(`(我|我们|这边)?(也|都)?不(知道|清楚|晓得)` + clauseEnd), textnorm.All(notCustomerSubject, noWayForward)},
	{RuleBrushOff, "brush_off", reasonBrush, rewriteBrush, regexp.MustCompile(`(不知道|不清楚)(,)?(你|您)(自己)?(去)?(问|找|看|打)`), nil},
	{RuleBrushOff, "brush_off", reasonBrush, rewriteBrush, regexp.MustCompile(`自己(去)?(看|查|找|问|研究)(吧|去|啊|好了|呀|呗)`), nil},
	{RuleBrushOff, "brush_off", reasonBrush, rewriteBrush, regexp.MustCompile(`(你|您)?(打|拨)[^,。!?]{0,12}电话(吧|去)`), textnorm.NotPreceded("给", "我", "会")},
	// rude and impatient
	{RuleRude, "rude", reasonRude, rewriteRude, regexp.MustCompile(`不(买|要|退)(就)?(拉倒|算了|滚|别买)|买不起(就)?(别|不要)买|嫌贵(就)?(别|不要)买`), nil},
	{RuleRude, "rude", reasonRude, rewriteRude, regexp.MustCompile(`随便(你|您)` + clauseEnd + `|(你|您)看着办|有完没完|烦不烦|别烦我|(^|[^尽赶])快(点)?说(吧|啊|呀|嘛)?([,。.!?~;、…\s]|$)|说了(你|您)?也不懂|(听|看)不懂(吗|啊|人话)|(你|您)(是不是)?(傻|瞎)(吗|啊|呀)`), nil},
	{RuleRude, "rude", reasonRude, rewriteRude, regexp.MustCompile(`(随便|你|您)(去)?投诉(吧|好了|去|啊|呗)|随便(你|您)?(去)?投诉|爱投诉(就)?投诉|投诉(也)?没用|差评就差评|随便(你)?(给)?差评|(你|您)?(去)?(给|打)差评(吧|好了|呗)`), notPleading},
}

// notBargaining: "没办法" about a price ("实在没办法再便宜了", "最低价了没办法")
// is an ordinary refusal in bargaining.
func notBargaining(n string, a, b int) bool {
	for _, w := range []string{"价", "便宜", "优惠", "折", "钱", "包邮", "最低", "赠", "送", "少", "元", "块"} {
		if strings.Contains(n, w) {
			return false
		}
	}
	return true
}

// notCustomerSubject: "您不清楚的话" or "亲不知道" is about the customer.
func notCustomerSubject(n string, a, b int) bool {
	r, _ := utf8.DecodeLastRuneInString(n[:a])
	return a == 0 || (r != '您' && r != '你' && r != '亲' && r != '还' && r != '都' && r != '可')
}

// notPleading: "请不要给差评吧" pleads, it does not provoke.
func notPleading(n string, a, b int) bool {
	before := n[:a]
	return !strings.HasSuffix(before, "不要") && !strings.HasSuffix(before, "别") && !strings.HasSuffix(before, "请勿") && !strings.HasSuffix(before, "不")
}

// loveNot: 爱X不X (爱买不买, 爱要不要, 爱退不退): take it or leave it.
func loveNot(n string) [][2]int {
	var out [][2]int
	for i := 0; ; {
		j := strings.Index(n[i:], "爱")
		if j < 0 {
			return out
		}
		a := i + j
		p := a + len("爱")
		r, sz := utf8.DecodeRuneInString(n[p:])
		if sz > 0 && r != '不' && strings.HasPrefix(n[p+sz:], "不"+string(r)) {
			out = append(out, [2]int{a, p + sz + len("不") + sz})
		}
		i = p
	}
}

// noWayForward: "我这边不清楚，白天的客服会联系您" offers a way forward; only
// a refusal that leaves the customer with nothing is a brush-off.
func noWayForward(n string, a, b int) bool {
	for _, w := range []string{"会联系", "联系您", "帮您", "为您", "给您", "马上", "稍后", "稍等", "核实", "查一下", "查询", "反馈", "转达", "确认一下", "问一下", "咨询一下", "处理", "安排"} {
		if strings.Contains(n, w) {
			return false
		}
	}
	return true
}
