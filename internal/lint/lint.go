// Package lint checks customer-service agents' drafts before they are sent:
// the seed's forbidden (×) phrasings and blame-shifting (rules from the
// script library, e.g. seed-script-colleague-mistake for "这不关我的事"),
// impatience and rudeness (ours-lint-rude), promises the seed warns against
// ("不保证不承诺不一定", seed-cs-no-promise), off-platform contact or payment
// (ours-lint-off-platform) and extreme words (adlaw-9). Each finding has a
// rune span, a rule ID and a suggested rewrite. Context rules keep ordinary
// replies clean: 最近、最晚、最好先… (adlaw context rules), 安全带, "不能保证"
// (a refusal to promise is what the seed asks for), "质量保证". Brush-offs
// are recognised by form (brushoff.go: 你自己的问题, 平台不管, 没办法 …).
package lint

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/adlaw"
	"github.com/weiquan/weiquan/internal/script"
	"github.com/weiquan/weiquan/internal/textnorm"
)

//go:embed rules.json
var rulesJSON []byte

// Rule IDs.
const (
	RuleBlame       = "ours-lint-blame"
	RuleRude        = "ours-lint-rude"
	RulePromise     = "seed-cs-no-promise"
	RuleOffPlatform = "ours-lint-off-platform"
)

// Finding is one problem in a draft (rune offsets into the draft).
type Finding struct {
	RuleID   string `json:"rule_id"`
	Kind     string `json:"kind"` // forbidden, blame, rude, promise, off_platform, extreme
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Text     string `json:"text"`
	Reason   string `json:"reason"`
	Severity string `json:"severity"`
	Rewrite  string `json:"rewrite"`
}

type rules struct {
	Blame        []string `json:"blame_shifting"`
	Rude         []string `json:"rude"`
	Promise      []string `json:"promise"`
	PromiseAllow []string `json:"promise_allowed_before"`
	OffPlatform  []string `json:"off_platform"`
}

type pat struct {
	rule, kind, reason, severity, rewrite string
}

// Linter checks drafts.
type Linter struct {
	m      *textnorm.Matcher
	pats   []pat
	allow  []string
	adlaw  *adlaw.Scanner
	phone  *regexp.Regexp
	qq     *regexp.Regexp
	wechat *regexp.Regexp
}

const (
	rewriteBlame   = "很抱歉给您添麻烦了，您反映的问题我会记录下来并尽快核实处理，如有给您带来不便，请您谅解！"
	rewriteRude    = "非常理解您的心情，我非常希望能为您解决问题，请您将情况告诉我，让我帮您解决，好吗？"
	rewritePromise = "我们会尽力为您处理，具体结果以核实后的情况为准，有进展第一时间告诉您。"
	rewriteOff     = "为保障您的权益，请在平台内沟通和付款，我在这里为您处理。"
)

// New builds a linter from the script library (its forbidden phrasings)
// and the embedded rule lists.
func New(lib *script.Library) *Linter {
	var r rules
	if err := json.Unmarshal(rulesJSON, &r); err != nil {
		panic("lint: rules.json: " + err.Error())
	}
	l := &Linter{adlaw: adlaw.New(), allow: r.PromiseAllow,
		phone:  regexp.MustCompile(`1[3-9][0-9]{9}`),
		qq:     regexp.MustCompile(`(?i)(qq|扣扣|企鹅)[:：号]?\s*[0-9]{5,11}`),
		wechat: regexp.MustCompile(`(?i)(微信|vx|wx|v信)[:：号]?\s*[a-z][-_a-z0-9]{5,19}`),
	}
	var texts []string
	add := func(t string, p pat) {
		texts = append(texts, t)
		l.pats = append(l.pats, p)
	}
	for _, fp := range lib.Forbidden() {
		rw := ""
		for _, s := range lib.Scenarios {
			if s.RuleID == fp.RuleID && len(s.Recommended) > 0 {
				rw = s.Recommended[0]
			}
		}
		if rw == "" {
			rw = rewriteBlame
		}
		add(fp.Text, pat{fp.RuleID, "forbidden", fp.Why, "high", rw})
	}
	for _, t := range r.Blame {
		add(t, pat{RuleBlame, "blame", "推卸责任 / shifting blame", "high", rewriteBlame})
	}
	for _, t := range r.Rude {
		add(t, pat{RuleRude, "rude", "不耐烦或粗鲁 / impatient or rude", "high", rewriteRude})
	}
	for _, t := range r.Promise {
		add(t, pat{RulePromise, "promise", "不保证、不承诺、不一定 (seed) / do not promise outcomes", "medium", rewritePromise})
	}
	for _, t := range r.OffPlatform {
		add(t, pat{RuleOffPlatform, "off_platform", "引导站外联系或付款 / off-platform contact or payment", "high", rewriteOff})
	}
	l.m = textnorm.NewMatcher(texts)
	return l
}

// Lint returns the findings of a draft, in order of position.
func (l *Linter) Lint(draft string) []Finding {
	tx := textnorm.New(draft)
	n := tx.Norm
	var out []Finding
	type span struct{ a, b int }
	var taken []span
	overl := func(a, b int) bool {
		for _, s := range taken {
			if a < s.b && s.a < b {
				return true
			}
		}
		return false
	}
	hits := l.m.FindAll(n)
	// longest first so "这不关我的事" wins over "不关我的事"
	sort.SliceStable(hits, func(i, j int) bool {
		return hits[i].End-hits[i].Start > hits[j].End-hits[j].Start
	})
	for _, h := range hits {
		p := l.pats[h.Pattern]
		if p.kind == "promise" && l.promiseAllowed(n, h.Start, h.End) {
			continue
		}
		if overl(h.Start, h.End) {
			continue
		}
		taken = append(taken, span{h.Start, h.End})
		s, e := tx.Span(h.Start, h.End)
		out = append(out, Finding{RuleID: p.rule, Kind: p.kind, Start: s, End: e, Text: tx.OrigSlice(s, e), Reason: p.reason, Severity: p.severity, Rewrite: p.rewrite})
	}
	for _, b := range brushes {
		for _, m := range b.re.FindAllStringIndex(n, -1) {
			a, e := m[0], m[1]
			if b.ok != nil && !b.ok(n, a, e) {
				continue
			}
			a, e = trimSpan(n, a, e)
			if a >= e || overl(a, e) {
				continue
			}
			taken = append(taken, span{a, e})
			s, e2 := tx.Span(a, e)
			out = append(out, Finding{RuleID: b.rule, Kind: b.kind, Start: s, End: e2, Text: tx.OrigSlice(s, e2), Reason: b.reason, Severity: "high", Rewrite: b.rewrite})
		}
	}
	for _, m := range loveNot(n) {
		if overl(m[0], m[1]) {
			continue
		}
		taken = append(taken, span{m[0], m[1]})
		s, e := tx.Span(m[0], m[1])
		out = append(out, Finding{RuleID: RuleRude, Kind: "rude", Start: s, End: e, Text: tx.OrigSlice(s, e), Reason: reasonRude, Severity: "high", Rewrite: rewriteRude})
	}
	for _, re := range []*regexp.Regexp{l.phone, l.qq, l.wechat} {
		for _, m := range re.FindAllStringIndex(n, -1) {
			if overl(m[0], m[1]) {
				continue
			}
			if re == l.phone && (m[0] > 0 && isDigit(n[m[0]-1]) || m[1] < len(n) && isDigit(n[m[1]])) {
				continue // cut from a longer digit string (an order or tracking number)
			}
			if re == l.phone && ownNumber(n, m[0]) {
				continue // the customer's own number read back to them
			}
			taken = append(taken, span{m[0], m[1]})
			s, e := tx.Span(m[0], m[1])
			out = append(out, Finding{RuleID: RuleOffPlatform, Kind: "off_platform", Start: s, End: e, Text: tx.OrigSlice(s, e),
				Reason: "站外联系方式 / off-platform contact details", Severity: "high", Rewrite: rewriteOff})
		}
	}
	for _, f := range l.adlaw.ScanNorm(tx, adlaw.Reply) {
		if f.Class == "superstition" || f.Class == "bait" {
			continue // listing-only classes
		}
		if a, b := normRange(tx, f.Start, f.End); notAClaimInReply(n, a, b) {
			continue // advice, bargaining or a size (context.go)
		}
		out = append(out, Finding{RuleID: f.RuleID, Kind: "extreme", Start: f.Start, End: f.End, Text: f.Text,
			Reason: "广告法第九条极限用语 / Advertising Law art. 9 extreme word", Severity: "low",
			Rewrite: "改用客观描述，例如“很受欢迎”“口碑不错” / use a factual description"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	if out == nil {
		out = []Finding{}
	}
	return out
}

// promiseAllowed: "不保证", "无法承诺", "质量保证", "保证金" are not promises;
// nor are "质量有保证" / "质量是保证的" (an assurance about the goods),
// "百分百纯棉" (a fibre content), or a commitment about our own conduct
// next time ("下次绝对不会漏发", the seed's "我会在今后的服务中不断改进").
func (l *Linter) promiseAllowed(n string, a, b int) bool {
	before := n[:a]
	clause := before
	if i := strings.LastIndexAny(clause, ",。.!?~;、 "); i >= 0 {
		clause = clause[i+1:]
	}
	for _, w := range []string{"质量", "品质", "正品", "货源", "下次", "以后", "今后", "往后"} {
		if strings.Contains(clause, w) {
			return true
		}
	}
	if adlaw.FibreContent(n, a, b) || contentStated(n, a) {
		return true
	}
	if strings.HasSuffix(n[a:b], "保证") && goodsAssurance(n, b) {
		return true // 保证是正品: an assurance about the goods
	}
	if strings.HasPrefix(n[b:], "的") && !strings.HasPrefix(n[b:], "的话") && (a == 0 || strings.ContainsAny(before[len(before)-1:], ",.!?~; ")) {
		return true // 保证的运费…: an attribute at the start of a clause
	}
	for _, w := range l.allow {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	after := n[b:]
	for _, w := range []string{"金", "书", "期", "不了", "卡"} {
		if strings.HasPrefix(after, w) {
			return true
		}
	}
	return false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// trimSpan drops the clause-end punctuation, whitespace and a leading
// non-Han context byte a form matched.
func trimSpan(n string, a, b int) (int, int) {
	for b > a && strings.ContainsRune(",。.!?~;、… \t\n", rune(n[b-1])) {
		b--
	}
	for b > a && strings.HasSuffix(n[a:b], "。") || b > a && strings.HasSuffix(n[a:b], "、") || b > a && strings.HasSuffix(n[a:b], "…") {
		_, sz := utf8.DecodeLastRuneInString(n[a:b])
		b -= sz
	}
	if a < b && n[a] < 0x80 && !isDigit(n[a]) && (n[a] < 'a' || n[a] > 'z') {
		a++
	}
	return a, b
}
