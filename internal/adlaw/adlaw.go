// Package adlaw finds Advertising-Law "extreme words" (广告法 第九条(三):
// "国家级"、"最高级"、"最佳"等用语, rule adlaw-9) and related forbidden claims
// (authority, medical, superstition, guarantees) in listing titles and
// agent replies. A dictionary of terms and the article's patterns (最X, X级)
// are matched in one Aho-Corasick pass over the normalised text; context
// rules keep ordinary words clean: temporal 最 (最近、最晚、最新款 …, which
// only state an order in time), 最好 meaning "had better" before a verb,
// words that merely contain a term (半永久, 万能表, 安全带 — 安全 is not a
// term at all), and model numbers after "no". The forms of forms.go reach
// terms the dictionary does not hold (最…, 之最, 第一, 国家级, 100%, 开光 …).
package adlaw

import (
	_ "embed"
	"encoding/json"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/textnorm"
)

//go:embed terms.json
var termsJSON []byte

// RuleID is the rule every finding cites.
const RuleID = "adlaw-9"

// Finding is one extreme word: rune span in the original text.
type Finding struct {
	RuleID   string `json:"rule_id"`
	Class    string `json:"class"` // superlative, authority, medical, superstition, guarantee, bait
	Severity string `json:"severity"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Text     string `json:"text"`
	Via      string `json:"via"` // dictionary or pattern
}

type term struct {
	T string `json:"t"`
	C string `json:"c"`
	S string `json:"s"`
}

// Scanner matches the dictionary and patterns.
type Scanner struct {
	m       *textnorm.Matcher
	pats    []string // the automaton's patterns as given to NewMatcher
	kind    []int    // pattern index → -1 allow, -2 trigger 最, -3 trigger 级, ≥0 term index
	terms   []term
	allowed []string
}

// Mode tunes the context rules: in Reply mode (agents' chat) 最好 before a
// verb is advice ("您最好先拍照"), not a claim.
type Mode int

// Modes.
const (
	Listing Mode = iota
	Reply
)

// New builds the scanner from the embedded dictionary.
func New() *Scanner {
	d := dictionary()
	return build(d.Terms, d.Allow)
}

type dict struct {
	Terms []term   `json:"terms"`
	Allow []string `json:"allow"`
}

func dictionary() dict {
	var d dict
	if err := json.Unmarshal(termsJSON, &d); err != nil {
		panic("adlaw: terms.json: " + err.Error())
	}
	return d
}

// kinds of automaton patterns below the term indices
const (
	kindAllow = -1
	kindMost  = -2
	kindCue   = -100 // kindCue - i is cues[i]
)

func build(terms []term, allow []string) *Scanner {
	s := &Scanner{terms: terms}
	var pats []string
	for i, t := range terms {
		pats = append(pats, t.T)
		s.kind = append(s.kind, i)
	}
	for _, a := range allow {
		pats = append(pats, a)
		s.kind = append(s.kind, kindAllow)
	}
	pats = append(pats, "最")
	s.kind = append(s.kind, kindMost)
	for i, c := range cues {
		pats = append(pats, c.t)
		s.kind = append(s.kind, kindCue-i)
	}
	s.m = textnorm.NewMatcher(pats)
	s.pats = pats
	return s
}

// Temporal or quantity words after 最 that state an order, not a quality
// claim.
var temporal = map[rune]bool{'近': true, '晚': true, '后': true, '终': true, '早': true, '初': true, '新': true,
	'多': true, '少': true, '迟': true, '快': true, '长': true, '末': true, '先': false, '爱': true, '喜': true}

// Verbs and pronouns after 最好 in advice ("最好先…", "最好您…").
var adviceAfter = []string{"是", "先", "能", "不要", "别", "还是", "提前", "选", "用", "在", "给", "等", "把", "拍", "联系", "咨询",
	"亲自", "当面", "收到", "您", "你", "亲", "自己", "备注", "留言", "告诉", "确认", "检查", "核对", "保留", "签收", "验货", "放", "按", "不", "再", "多", "少", "去", "找", "问", "买", "拿", "穿", "试"}

// Scan returns the findings in text, in order.
func (s *Scanner) Scan(text string, mode Mode) []Finding {
	return s.ScanNorm(textnorm.New(text), mode)
}

// ScanNorm is Scan over an already normalised text.
func (s *Scanner) ScanNorm(tx *textnorm.Text, mode Mode) []Finding {
	return s.ScanHits(tx, mode, s.m.FindAll(tx.Norm))
}

// MatcherPatterns returns the patterns of the scanner's automaton, in
// order, as they were given to textnorm.NewMatcher: a caller that runs one
// automaton for several dictionaries includes them and hands the hits of
// these patterns to ScanHits.
func (s *Scanner) MatcherPatterns() []string { return s.pats }

// ScanHits is ScanNorm given the automaton's hits in tx.Norm: what
// textnorm.Matcher.FindAll of MatcherPatterns returns (pattern indices into
// MatcherPatterns, in FindAll's order).
func (s *Scanner) ScanHits(tx *textnorm.Text, mode Mode, hits []textnorm.Hit) []Finding {
	if len(hits) == 0 {
		return nil
	}
	n := tx.Norm
	var allow [][2]int
	for _, h := range hits {
		if s.kind[h.Pattern] == kindAllow {
			allow = append(allow, [2]int{h.Start, h.End})
		}
	}
	covered := func(a, b int) bool {
		for _, x := range allow {
			if x[0] <= a && b <= x[1] {
				return true
			}
		}
		return false
	}
	type cand struct {
		a, b int
		t    term
		via  string
	}
	var cs []cand
	add := func(a, b int, t term, via string) {
		if !covered(a, b) && !quoted(n, a, b) {
			cs = append(cs, cand{a, b, t, via})
		}
	}
	for _, h := range hits {
		k := s.kind[h.Pattern]
		switch {
		case k >= 0:
			t := s.terms[k]
			if strings.HasPrefix(t.T, "no") && h.End < len(n) && isDigit(n[h.End]) {
				continue // no.10, no12: a model number
			}
			if t.T == "绝对" && strings.HasPrefix(n[h.End:], "值") {
				continue // 绝对值
			}
			if mode == Reply && t.T == "绝对" {
				continue // in replies 绝对… is a promise; the lint's promise rules judge it
			}
			if c, ok := cueOf[textnorm.String(t.T)]; ok && c.ok != nil && !c.ok(n, h.Start, h.End) {
				continue // the form's context rule holds for the term too (王者荣耀, 100%棉)
			}
			add(h.Start, h.End, t, "dictionary")
		case k == kindMost:
			end, ok := superlativeAfter(n, h.End, mode)
			if ok {
				add(h.Start, end, term{C: "superlative", S: "medium"}, "pattern")
			}
		case k <= kindCue:
			c := cues[kindCue-k]
			if mode == Reply && (c.class != "superlative" && c.class != "authority" || c.t == "绝对") {
				continue // guarantees and the rest: the lint's own rules judge replies
			}
			if c.ok == nil || c.ok(n, h.Start, h.End) {
				add(h.Start, h.End, term{T: c.t, C: c.class, S: "medium"}, "form")
			}
		}
	}
	// overlapping candidates: the leftmost, then the longest, wins
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].a != cs[j].a {
			return cs[i].a < cs[j].a
		}
		return cs[i].b > cs[j].b
	})
	var out []Finding
	lastEnd := -1
	for _, c := range cs {
		if c.a < lastEnd {
			continue
		}
		if k := len(out) - 1; k >= 0 && c.a == lastEnd && out[k].Class == c.t.C {
			// adjacent parts of one claim (全国 + 第一, 全网 + 首发): one finding
			lastEnd = c.b
			_, re := tx.Span(c.a, c.b)
			out[k].End, out[k].Text = re, tx.OrigSlice(out[k].Start, re)
			if c.via == "dictionary" {
				out[k].Via = c.via
			}
			continue
		}
		lastEnd = c.b
		rs, re := tx.Span(c.a, c.b)
		out = append(out, Finding{RuleID: RuleID, Class: c.t.C, Severity: c.t.S, Start: rs, End: re, Text: tx.OrigSlice(rs, re), Via: c.via})
	}
	return out
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// superlativeAfter decides whether 最 at byte i of n starts a claim, and
// where it ends (the next one or two Han characters).
func superlativeAfter(n string, i int, mode Mode) (int, bool) {
	r, sz := utf8.DecodeRuneInString(n[i:])
	if sz == 0 || !unicode.Is(unicode.Han, r) || temporal[r] && !techAfter(n, i, r) {
		return 0, false
	}
	end := i + sz
	if spec(n, i, r, end) {
		return 0, false // 最大码, 最大容量 50l, 最高温度: a specification
	}
	if r == '新' {
		rest := n[end:]
		for _, w := range []string{"科学", "科技", "技术", "研发", "工艺", "配方", "专利", "发明"} {
			if strings.HasPrefix(rest, w) {
				return end + len(w), true // 最新科技: a claim, unlike 最新款 (latest)
			}
		}
	}
	if r == '好' && textnorm.HasSuffixAny(n[:i-len("最")], "做到", "做得", "做的", "做", "尽量", "争取", "努力", "尽力", "力求", "希望") {
		return 0, false // 做到最好, 尽量做到最好: effort, not a claim about the goods
	}
	if mode == Reply && (r == '低' || r == '便' || r == '优' || r == '实' || r == '划') && !textnorm.HasSuffixAny(n[:i-len("最")], scopes...) {
		return 0, false // 已经是最低价了, 最便宜了: bargaining, not a claim (全网最低 still is)
	}
	if mode == Reply && !replyClaim[r] {
		return 0, false // 力气最小的, 最喜欢: not a claim about the goods
	}
	if r == '好' {
		rest := n[end:]
		if mode == Reply || strings.HasPrefix(rest, "是") || strings.HasPrefix(rest, "不") {
			for _, v := range adviceAfter {
				if strings.HasPrefix(rest, v) {
					return 0, false
				}
			}
		}
		if mode == Reply && (rest == "" || strings.HasPrefix(rest, "了") || strings.HasPrefix(rest, "啦")) {
			return 0, false
		}
	}
	if r2, sz2 := utf8.DecodeRuneInString(n[end:]); sz2 > 0 && unicode.Is(unicode.Han, r2) && !stop[r2] {
		end += sz2
	}
	return end, true
}

// In agents' replies only these after 最 make a claim about the goods.
var replyClaim = map[rune]bool{'好': true, '佳': true, '优': true, '强': true, '便': true, '低': true, '正': true, '专': true, '权': true, '高': true, '大': true, '全': true}

// Characters that end a 最X span rather than extend it.
var stop = map[rune]bool{'的': true, '了': true, '款': true, '是': true, '和': true, '与': true, '之': true, '也': true, '呢': true, '哦': true, '啊': true}

// Spec nouns after 最大 / 最小 / 最高 … that make a specification, not a
// claim (最大码, 最大承重 150kg, 最高转速).
var specNouns = []string{"码", "号", "尺", "容量", "承重", "载重", "功率", "电流", "电压", "转速", "速度", "温度", "压力", "负载", "深度",
	"高度", "宽度", "长度", "直径", "口径", "行程", "扭矩", "分辨率", "像素", "支持", "可", "能", "适合", "适用", "到", "达", "限", "值",
	"输出", "输入", "频率", "扬程", "流量", "内存", "存储", "重量", "厚度", "尺寸", "规格", "范围", "倍", "角度", "距离", "亮度", "音量", "档", "量程", "载荷", "拉力", "风速", "续航"}

var specAfter = map[rune]bool{'大': true, '小': true, '高': true, '低': true, '长': true, '短': true, '宽': true, '窄': true, '重': true, '轻': true, '多': true, '少': true}

func spec(n string, i int, r rune, end int) bool {
	if !specAfter[r] {
		return false
	}
	rest := n[end:]
	rest = strings.TrimLeft(rest, " :")
	if rest != "" && (isDigit(rest[0]) || rest[0] == '.') {
		return true // 最大 50kg
	}
	for _, w := range specNouns {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}

// Scopes that turn a price word into a claim (全网最低价, 淘宝最便宜).
var scopes = []string{"全网", "淘宝", "全国", "史上", "全淘宝", "全天猫", "天猫", "市场", "同行", "全球", "世界", "全场", "行业", "网上", "全网都", "全国都"}

// FibreContent reports whether 100% / 百分百 at byte range [a, b) of the
// normalised text n states a fibre or material content (100%棉, 百分百纯棉):
// a specification, not a guarantee.
func FibreContent(n string, a, b int) bool { return !material(n, a, b) }

// techAfter: 最新 before a technology word (最新科学, 最新技术) claims, it
// does not date.
func techAfter(n string, i int, r rune) bool {
	if r != '新' {
		return false
	}
	rest := n[i+len("新"):]
	for _, w := range []string{"科学", "科技", "技术", "研发", "工艺", "配方", "专利", "发明"} {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}
