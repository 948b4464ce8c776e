// Package nbayes is a small, deterministic binary text classifier:
// multinomial naive Bayes over character n-grams of the normalised text
// (optionally also its words, segmented by textnorm.Words), with binarised
// counts (each n-gram counts once per document) and Laplace
// smoothing. Training is reproducible: the same documents in the same order
// give byte-identical model files.
package nbayes

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// Features returns the distinct character n-grams (orders given) of the
// normalised text; spaces are skipped, a boundary mark "^" starts the text.
func Features(text string, orders []int) []string {
	rs := make([]rune, 0, len(text)/2+2)
	rs = append(rs, '^')
	for _, r := range textnorm.String(text) {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			continue
		}
		rs = append(rs, r)
	}
	seen := make(map[string]struct{}, len(rs)*len(orders))
	out := make([]string, 0, len(rs)*len(orders))
	for _, n := range orders {
		for i := 0; i+n <= len(rs); i++ {
			if n == 1 && i == 0 {
				continue
			}
			f := string(rs[i : i+n])
			if _, ok := seen[f]; ok {
				continue
			}
			seen[f] = struct{}{}
			out = append(out, f)
		}
	}
	return out
}

// WordPrefix marks word features ("w:物流") apart from character n-grams.
const WordPrefix = "w:"

// FeaturesWords is Features plus, when words is set, one "w:"-prefixed
// feature per distinct word of the text (textnorm.Words).
func FeaturesWords(text string, orders []int, words bool) []string {
	out := Features(text, orders)
	if !words {
		return out
	}
	seen := make(map[string]struct{}, 16)
	for _, w := range textnorm.Words(text) {
		if _, ok := seen[w]; ok {
			continue
		}
		seen[w] = struct{}{}
		out = append(out, WordPrefix+w)
	}
	return out
}

// Trainer accumulates labelled documents.
type Trainer struct {
	Orders []int   // n-gram orders, e.g. {1, 2}
	Words  bool    // also word features (textnorm.Words); set before Add
	Alpha  float64 // Laplace smoothing, e.g. 1
	counts [2]map[string]int
	docs   [2]int
}

// NewTrainer returns a trainer over n-grams of the given orders.
func NewTrainer(orders ...int) *Trainer {
	return &Trainer{Orders: orders, Alpha: 1, counts: [2]map[string]int{{}, {}}}
}

// Add adds one document with its label (true = the positive class).
func (t *Trainer) Add(text string, positive bool) {
	c := 0
	if positive {
		c = 1
	}
	t.docs[c]++
	for _, f := range FeaturesWords(text, t.Orders, t.Words) {
		t.counts[c][f]++
	}
}

// Docs returns the number of negative and positive documents seen.
func (t *Trainer) Docs() (neg, pos int) { return t.docs[0], t.docs[1] }

// Model builds the classifier, keeping features seen at least minCount
// times in total.
func (t *Trainer) Model(minCount int) *Model {
	vocab := map[string]struct{}{}
	for c := 0; c < 2; c++ {
		for f, n := range t.counts[c] {
			if n+t.counts[1-c][f] >= minCount {
				vocab[f] = struct{}{}
			}
		}
	}
	v := float64(len(vocab) + 1)
	var tot [2]float64
	for f := range vocab {
		tot[0] += float64(t.counts[0][f])
		tot[1] += float64(t.counts[1][f])
	}
	m := &Model{Orders: append([]int(nil), t.Orders...), Words: t.Words, W: make(map[string]float64, len(vocab))}
	d0, d1 := float64(t.docs[0])+1, float64(t.docs[1])+1
	m.Bias = math.Log(d1) - math.Log(d0)
	den0, den1 := math.Log(tot[0]+t.Alpha*v), math.Log(tot[1]+t.Alpha*v)
	// Features outside the vocabulary are ignored (Unk = 0): out-of-domain
	// text must not be pushed towards the class with fewer tokens.
	m.Unk = 0
	for f := range vocab {
		w := (math.Log(float64(t.counts[1][f])+t.Alpha) - den1) - (math.Log(float64(t.counts[0][f])+t.Alpha) - den0)
		m.W[f] = round6(w)
	}
	m.Bias, m.Unk = round6(m.Bias), round6(m.Unk)
	return m
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// Model is a trained classifier: Score = Bias + Σ weight(feature), with Unk
// for features outside the vocabulary.
type Model struct {
	Orders []int
	// Words: the model also uses word features (textnorm.Words); its file
	// records the segmenter (textnorm.WordSegmenter).
	Words bool
	Bias  float64
	Unk   float64
	// Threshold is the decision threshold on Score (0 = equal odds); chosen
	// on validation data by the trainer's caller and saved with the model.
	Threshold float64
	W         map[string]float64
}

// Score returns the log-odds that text belongs to the positive class.
func (m *Model) Score(text string) float64 {
	return m.ScoreFeatures(m.Features(text))
}

// Features returns the features of text as this model sees them.
func (m *Model) Features(text string) []string {
	return FeaturesWords(text, m.Orders, m.Words)
}

// FeatureKey identifies the feature extraction of the model: models with
// equal keys can share one Features result (ScoreFeatures).
func (m *Model) FeatureKey() string {
	return fmt.Sprint(m.Orders, m.Words)
}

// ScoreFeatures is Score over features computed by Features (of this
// model or of one with the same FeatureKey).
func (m *Model) ScoreFeatures(fs []string) float64 {
	s := m.Bias
	for _, f := range fs {
		if w, ok := m.W[f]; ok {
			s += w
		} else {
			s += m.Unk
		}
	}
	return s
}

// Positive reports whether the score reaches the model's threshold.
func (m *Model) Positive(text string) bool { return m.Score(text) >= m.Threshold }

// Probability maps a score to (0, 1).
func Probability(score float64) float64 { return 1 / (1 + math.Exp(-score)) }

// Contributions returns the features of text with the largest positive
// weights (the evidence for the positive class), best first.
func (m *Model) Contributions(text string, k int) []string {
	type fw struct {
		f string
		w float64
	}
	var xs []fw
	for _, f := range FeaturesWords(text, m.Orders, m.Words) {
		if w, ok := m.W[f]; ok && w > 0 {
			xs = append(xs, fw{f, w})
		}
	}
	sort.Slice(xs, func(i, j int) bool {
		if xs[i].w != xs[j].w {
			return xs[i].w > xs[j].w
		}
		return xs[i].f < xs[j].f
	})
	var out []string
	for i := 0; i < len(xs) && i < k; i++ {
		out = append(out, xs[i].f)
	}
	return out
}

// WriteTo writes the model as text: a header line, then one
// "feature<TAB>weight" line per feature in sorted order.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	ords := make([]string, len(m.Orders))
	for i, o := range m.Orders {
		ords[i] = strconv.Itoa(o)
	}
	fmt.Fprintf(bw, "nbayes\t1\torders=%s\tbias=%s\tunk=%s\tthreshold=%s", strings.Join(ords, ","),
		fmtF(m.Bias), fmtF(m.Unk), fmtF(m.Threshold))
	if m.Words {
		fmt.Fprintf(bw, "\twords=%s", textnorm.WordSegmenter)
	}
	bw.WriteByte('\n')
	keys := make([]string, 0, len(m.W))
	for f := range m.W {
		keys = append(keys, f)
	}
	sort.Strings(keys)
	for _, f := range keys {
		bw.WriteString(f)
		bw.WriteByte('\t')
		bw.WriteString(fmtF(m.W[f]))
		bw.WriteByte('\n')
	}
	return 0, bw.Flush()
}

func fmtF(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Read parses a model written by WriteTo.
func Read(r io.Reader) (*Model, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	if !sc.Scan() {
		return nil, fmt.Errorf("nbayes: empty model")
	}
	head := strings.Split(sc.Text(), "\t")
	if len(head) < 5 || head[0] != "nbayes" || head[1] != "1" {
		return nil, fmt.Errorf("nbayes: bad header %q", sc.Text())
	}
	m := &Model{W: map[string]float64{}}
	for _, kv := range head[2:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "orders":
			for _, o := range strings.Split(v, ",") {
				n, err := strconv.Atoi(o)
				if err != nil {
					return nil, fmt.Errorf("nbayes: bad orders %q", v)
				}
				m.Orders = append(m.Orders, n)
			}
		case "words":
			if v != textnorm.WordSegmenter {
				return nil, fmt.Errorf("nbayes: model trained with segmenter %q, this build segments with %q: retrain it", v, textnorm.WordSegmenter)
			}
			m.Words = true
		case "bias", "unk", "threshold":
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("nbayes: bad %s %q", k, v)
			}
			switch k {
			case "bias":
				m.Bias = x
			case "unk":
				m.Unk = x
			default:
				m.Threshold = x
			}
		}
	}
	for sc.Scan() {
		f, v, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("nbayes: bad weight for %q", f)
		}
		m.W[f] = x
	}
	return m, sc.Err()
}
