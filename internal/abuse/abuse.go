// Package abuse highlights insults, threats and review extortion ("refund
// me or I leave a bad review", 差评威胁) in chat-log evidence, so that an
// agent sees them at once. Insults and threats come from a lexicon matched
// in one pass; extortion from a condition-plus-consequence pattern; general
// offensive language from a logistic-regression model over character
// 1–3-grams trained on COLD (Apache-2.0, embedded, calibrated: it flags a
// message when P(offensive) ≥ 2/3, i.e. a false flag is taken to cost twice
// a miss). Group names are masked before the model sees a text, in
// training and in use (MaskIdentity: one placeholder per category), so the
// name of a group carries no weight of its own; and the model's flag is
// withheld on counter-speech, a message that names a prejudice to reject it
// (CounterSpeech: "这是地域歧视", "反对种族歧视"), which COLD's labels do
// not separate from the attack. COLD holds only texts about race, gender and region, so the
// model judges only messages that mention a group (AboutGroup): a buyer's
// "这也是你们打包的问题" is outside what it has learnt. Baby-care and body vocabulary is not in the lexicon, so
// "宝宝屁股红了" or "乳头保护罩" are not flagged. Rule IDs: ours-abuse-insult,
// ours-abuse-threat, ours-abuse-extortion, ours-abuse-offensive.
package abuse

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"io"
	"math"
	"regexp"
	"sort"

	"github.com/weiquan/weiquan/internal/charlr"
	"github.com/weiquan/weiquan/internal/textnorm"
)

//go:embed lexicon.json
var lexiconJSON []byte

// coldModelGz is the embedded offensive-language model (trained from COLD
// train, Apache-2.0; regenerate with `go generate ./internal/abuse`),
// gzipped to keep the binary small.
//
//go:generate go run ../../cmd/weiquan train --only cold --data ../../../shared/data --embed cold.lr.gz
//go:embed cold.lr.gz
var coldModelGz []byte

// ColdModel is the embedded model as charlr.Read reads it.
var ColdModel = gunzip(coldModelGz)

// gunzip is the content of an embedded gzip file (a broken one is a build
// error, found by the tests).
func gunzip(b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		panic("abuse: embedded model: " + err.Error())
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		panic("abuse: embedded model: " + err.Error())
	}
	return out
}

// Rule IDs.
const (
	RuleInsult    = "ours-abuse-insult"
	RuleThreat    = "ours-abuse-threat"
	RuleExtortion = "ours-abuse-extortion"
	RuleOffensive = "ours-abuse-offensive"
)

// Finding is one highlighted span (rune offsets).
type Finding struct {
	RuleID   string  `json:"rule_id"`
	Kind     string  `json:"kind"` // insult, threat, extortion, offensive
	Start    int     `json:"start"`
	End      int     `json:"end"`
	Text     string  `json:"text"`
	Reason   string  `json:"reason"`
	Severity string  `json:"severity"`
	Score    float64 `json:"score,omitempty"`
}

// Detector finds abuse.
type Detector struct {
	m     *textnorm.Matcher
	kinds []string
	model *charlr.Model
	extA  *regexp.Regexp
	extB  *regexp.Regexp
}

type lexicon struct {
	Insult, Threat, Allow []string
}

func embeddedLexicon() lexicon {
	var lx lexicon
	if err := json.Unmarshal(lexiconJSON, &lx); err != nil {
		panic("abuse: lexicon.json: " + err.Error())
	}
	return lx
}

// LexiconTerms returns the embedded insult and threat terms.
func LexiconTerms() (insult, threat []string) {
	lx := embeddedLexicon()
	return lx.Insult, lx.Threat
}

// New builds the detector with the embedded lexicon and model.
func New() *Detector { return newWith(embeddedLexicon()) }

// NewWithInsults is New with another insult list (leave-terms-out
// evaluation builds it from part of a word list).
func NewWithInsults(insults []string) *Detector {
	lx := embeddedLexicon()
	lx.Insult = insults
	return newWith(lx)
}

func newWith(lx lexicon) *Detector {
	d := &Detector{}
	var pats []string
	for _, w := range lx.Insult {
		pats, d.kinds = append(pats, w), append(d.kinds, "insult")
	}
	for _, w := range lx.Threat {
		pats, d.kinds = append(pats, w), append(d.kinds, "threat")
	}
	for _, w := range lx.Allow {
		pats, d.kinds = append(pats, w), append(d.kinds, "allow")
	}
	d.m = textnorm.NewMatcher(pats)
	if len(ColdModel) > 0 {
		if m, err := charlr.Read(bytes.NewReader(ColdModel)); err == nil && (m.Prep == "" || m.Prep == PrepIdentityMask) {
			d.model = m
		}
	}
	// condition … consequence: 不退款/不给我退/不赔 … 就/我就/马上 … 差评/曝光
	cond := `(不(给我?|帮我)?(退款|退钱|退|赔偿?|补偿|返现|换|处理|解决|同意)|(退款|退钱|赔偿?|补偿|返现)给我|给我(退款|退钱|赔偿?|补偿|返现|[0-9]+元?)|(赔|补|返|退)我[0-9]*)`
	// Only public harm counts: a complaint to the platform, 12315 or the
	// market regulator is the buyer's right, not extortion.
	conseq := `(差评|中评|一星|1星|曝光|挂你|发微博|发抖音)`
	d.extA = regexp.MustCompile(cond + `[^。！？!?]{0,12}?(就|我就|马上|立刻|直接|必须|否则|不然|要不)[^。！？!?]{0,8}?(给你|给|打|发|去|写)?[^。！？!?]{0,4}?` + conseq)
	d.extB = regexp.MustCompile(`(否则|不然|要不然|要不)[^。！？!?]{0,10}?` + conseq)
	return d
}

// NewWithModel is New with another offensive-language model in place of
// the embedded one (evaluation of a model retrained on other data).
func NewWithModel(m *charlr.Model) *Detector {
	d := New()
	d.model = m
	return d
}

// HasModel reports whether the offensive-language model is loaded.
func (d *Detector) HasModel() bool { return d.model != nil }

// Offensive returns the model's score (calibrated log-odds minus the
// log-odds of the threshold) and decision for a whole message.
func (d *Detector) Offensive(text string) (float64, bool) {
	if d.model == nil {
		return 0, false
	}
	p := d.prob(text)
	s := logit(p) - logit(d.model.Threshold)
	return s, p >= d.model.Threshold
}

// Probability is the model's calibrated probability that text is
// offensive (0 without a model).
func (d *Detector) Probability(text string) float64 {
	if d.model == nil {
		return 0
	}
	return d.prob(text)
}

// PrepIdentityMask is the charlr.Model Prep of a model trained on
// MaskIdentity'd texts.
const PrepIdentityMask = "identity-mask"

func (d *Detector) prob(text string) float64 {
	if d.model.Prep == PrepIdentityMask {
		return d.model.Prob(MaskIdentity(text))
	}
	return d.model.Prob(text)
}

func logit(p float64) float64 {
	p = min(max(p, 1e-9), 1-1e-9)
	return math.Log(p / (1 - p))
}

// Scan returns the findings of one message, by position.
func (d *Detector) Scan(text string) []Finding {
	tx := textnorm.New(text)
	n := tx.Norm
	hits := d.m.FindAll(n)
	var allow [][2]int
	for _, h := range hits {
		if d.kinds[h.Pattern] == "allow" {
			allow = append(allow, [2]int{h.Start, h.End})
		}
	}
	var out []Finding
	var taken [][2]int
	free := func(a, b int) bool {
		for _, s := range append(allow, taken...) {
			if a < s[1] && s[0] < b {
				return false
			}
		}
		return true
	}
	push := func(a, b int, rule, kind, reason, sev string, score float64) {
		taken = append(taken, [2]int{a, b})
		s, e := tx.Span(a, b)
		out = append(out, Finding{RuleID: rule, Kind: kind, Start: s, End: e, Text: tx.OrigSlice(s, e), Reason: reason, Severity: sev, Score: score})
	}
	for _, re := range []*regexp.Regexp{d.extA, d.extB} {
		for _, m := range re.FindAllStringIndex(n, -1) {
			if free(m[0], m[1]) {
				push(m[0], m[1], RuleExtortion, "extortion", "以差评或曝光要挟退款或赔偿 / demands money under threat of a bad review or public exposure", "high", 0)
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].End-hits[i].Start > hits[j].End-hits[j].Start })
	for _, h := range hits {
		k := d.kinds[h.Pattern]
		if k == "allow" || !free(h.Start, h.End) {
			continue
		}
		if isASCIIWord(n, h.Start, h.End) {
			continue // "sb", "nc" only as a word of their own
		}
		if k == "insult" {
			push(h.Start, h.End, RuleInsult, k, "辱骂 / insult", "medium", 0)
		} else {
			push(h.Start, h.End, RuleThreat, k, "威胁 / threat", "high", 0)
		}
	}
	if len(out) == 0 && textnorm.HanCount(n) >= minModelHan && aboutGroupNorm(n) && !counterSpeechNorm(n) {
		if s, ok := d.Offensive(text); ok {
			push(0, len(n), RuleOffensive, "offensive", "模型判定为攻击性言论 / offensive language (model)", "low", float64(int(s*100))/100)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	if out == nil {
		out = []Finding{}
	}
	return out
}

// isASCIIWord reports whether an ASCII-letter hit is glued to other ASCII
// letters (so "sb" inside "usb" is not an insult).
func isASCIIWord(n string, a, b int) bool {
	if a >= len(n) || n[a] >= 0x80 {
		return false
	}
	letter := func(c byte) bool { return c >= 'a' && c <= 'z' }
	return (a > 0 && letter(n[a-1])) || (b < len(n) && letter(n[b]))
}

// minModelHan: the model was trained on social-media comments; on short
// chat turns ("好", "在吗") it has too little evidence, so it only judges
// messages with at least this many Chinese characters.
const minModelHan = 8
