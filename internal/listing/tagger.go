package listing

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// Tagger finds brand mentions in titles with a sequence model: a
// structured (averaged) perceptron over character features — the
// character and its neighbours, bigrams and a trigram, character classes,
// the position in its space-separated token, whether a brand or product
// lexicon match covers it (begin / inside / end), and how far the next
// product word and the next digit are (a brand runs up to a product word or
// a model number), and how often the character's bigrams and trigrams
// occur in other names of the brand and product lexicons (a brand no list
// holds still looks like brand names) — with BIO labels decoded by
// Viterbi (ShiftO lowers the O label to trade precision for recall), and every other
// occurrence of a found brand in the same title added (Consistent). The lexicons make it reach known brands; the
// context features (what comes before and after a brand: 正品, 官方,
// 旗舰, a product word) make it reach brands no list holds, and tell a homograph
// (小米 the grain before 粥, 小米 the maker before 手机) by its neighbours.
// Training data and lexicons come from data that may not be shipped, so a
// model is trained by `weiquan train` into a model folder, never embedded.
type Tagger struct {
	w     []float32 // feature slot × label
	trans [nLabels + 1][nLabels]float32
	brand *BrandSet
	prod  *BrandSet
}

const (
	lblO = iota
	lblB
	lblI
	nLabels
	taggerBits  = 20
	taggerSlots = 1 << taggerBits
)

// TaggedTitle is one training title: its text and its brand spans (rune
// offsets, end exclusive).
type TaggedTitle struct {
	Text   string
	Brands [][2]int
	// Lex, when set, is the brand lexicon to compute this title's features
	// with. Training titles should use a lexicon built without their own
	// brand spans (cross-fitting), or the model learns to trust the lexicon
	// and never learns the context of a brand it has not seen.
	Lex *BrandSet
	// Prod, when set, is the product lexicon to compute this title's
	// features with (cross-fitted like Lex).
	Prod *BrandSet
}

// NewTagger returns an untrained tagger over the given lexicons (either
// may be nil).
func NewTagger(brands, products *BrandSet) *Tagger {
	return &Tagger{w: make([]float32, taggerSlots*nLabels), brand: brands, prod: products}
}

// features returns, per rune of text, the hashed feature slots.
func (t *Tagger) features(text string) [][]uint32 { return t.featuresLex(text, t.brand, t.prod) }

func (t *Tagger) featuresLex(text string, brands, prods *BrandSet) [][]uint32 {
	rs := []rune(text)
	n := len(rs)
	norm := make([]string, n)
	class := make([]byte, n)
	for i, r := range rs {
		nr := textnorm.Rune(r, nil)
		if len(nr) == 0 {
			nr = []rune{r}
		}
		norm[i] = string(nr)
		class[i] = charClass(nr[0])
	}
	at := func(i int) string {
		if i < 0 {
			return "^"
		}
		if i >= n {
			return "$"
		}
		return norm[i]
	}
	cl := func(i int) byte {
		if i < 0 || i >= n {
			return 'x'
		}
		return class[i]
	}
	lex := func(bs *BrandSet) []byte {
		m := make([]byte, n)
		if bs == nil {
			return m
		}
		for _, h := range bs.Find(textnorm.New(text)) {
			for i := h.Start; i < h.End && i < n; i++ {
				m[i] = 'i'
			}
			if h.Start < n {
				m[h.Start] = 'b'
			}
			if h.End-1 < n && h.End-1 > h.Start {
				m[h.End-1] = 'e'
			}
			if h.End-h.Start == 1 && h.Start < n {
				m[h.Start] = 's'
			}
		}
		return m
	}
	bl, pl := lex(brands), lex(prods)
	// position in the space/comma-separated token
	tokPos, tokLen, tokWord := make([]int, n), make([]int, n), make([]string, n)
	for i := 0; i < n; {
		if class[i] == 's' {
			i++
			continue
		}
		j := i
		for j < n && class[j] != 's' {
			j++
		}
		w := strings.Join(norm[i:j], "")
		for k := i; k < j; k++ {
			tokPos[k], tokLen[k], tokWord[k] = k-i, j-i, w
		}
		i = j
	}
	// distance to the next product-word start and from the last product-word
	// end, and to the next digit (a brand often runs from the start of the
	// title or a separator up to a product word or a model number)
	pNext, pPrev, dNext := make([]int, n), make([]int, n), make([]int, n)
	{
		d := 9
		for i := n - 1; i >= 0; i-- {
			pNext[i] = d
			if pl[i] == 'b' || pl[i] == 's' {
				d = 0
			}
			d = min(d+1, 9)
		}
		d = 9
		for i := n - 1; i >= 0; i-- {
			dNext[i] = d
			if class[i] == 'd' {
				d = 0
			}
			d = min(d+1, 9)
		}
		d = 9
		for i := 0; i < n; i++ {
			pPrev[i] = d
			if pl[i] == 'e' || pl[i] == 's' {
				d = 0
			}
			d = min(d+1, 9)
		}
	}
	bg, pg := brands.grams(), prods.grams()
	// within spans [a, b] a lexicon match covers, the matched name itself
	// is not counted (a name the lexicon holds must look like one the
	// lexicon does not: the counts say how other names look)
	within := func(m []byte, a, b int) bool {
		if a < 0 || b >= n || (m[a] != 'b' && m[a] != 'i') || (m[b] != 'i' && m[b] != 'e') {
			return false
		}
		for k := a + 1; k < b; k++ {
			if m[k] != 'i' {
				return false
			}
		}
		return true
	}
	bucket := func(g map[string]int32, m []byte, a, b int, kind string) string {
		var k strings.Builder
		k.WriteString(kind)
		for x := a; x <= b; x++ {
			k.WriteString(at(x))
		}
		c := g[k.String()]
		switch {
		case kind == "f" && m[a] == 'b', kind == "l" && m[a] == 'e', kind != "f" && kind != "l" && a < b && within(m, a, b):
			c--
		}
		switch {
		case c <= 0:
			return "0"
		case c < 2:
			return "1"
		case c < 4:
			return "2"
		case c < 10:
			return "3"
		case c < 30:
			return "4"
		default:
			return "5"
		}
	}
	out := make([][]uint32, n)
	var b strings.Builder
	for i := 0; i < n; i++ {
		fs := make([]uint32, 0, 24)
		add := func(parts ...string) {
			b.Reset()
			for _, p := range parts {
				b.WriteString(p)
				b.WriteByte(0)
			}
			fs = append(fs, slot(b.String()))
		}
		add("bias")
		add("c0", at(i))
		add("c-1", at(i-1))
		add("c+1", at(i+1))
		add("c-2", at(i-2))
		add("c+2", at(i+2))
		add("b-1", at(i-1), at(i))
		add("b+1", at(i), at(i+1))
		add("b-2", at(i-2), at(i-1))
		add("b+2", at(i+1), at(i+2))
		add("t0", at(i-1), at(i), at(i+1))
		add("k", string([]byte{cl(i - 1), cl(i), cl(i + 1)}))
		add("k2", string([]byte{cl(i - 2), cl(i - 1), cl(i), cl(i + 1), cl(i + 2)}))
		add("lb", string([]byte{bl[i]}))
		add("lbc", string([]byte{bl[i]}), at(i))
		add("lp", string([]byte{pl[i]}))
		add("lbp", string([]byte{bl[i], pl[i]}))
		if i+1 < n {
			add("lp+1", string([]byte{pl[i+1]}))
		}
		if i > 0 {
			add("lp-1", string([]byte{pl[i-1]}))
			add("lb-1", string([]byte{bl[i-1]}))
		}
		add("tok", fmt.Sprint(min(tokPos[i], 4)), fmt.Sprint(min(tokLen[i], 8)))
		add("tokc", fmt.Sprint(min(tokPos[i], 2)), at(i))
		if tokLen[i] <= 12 {
			add("tokw", tokWord[i], fmt.Sprint(min(tokPos[i], 3)))
		}
		add("pn", fmt.Sprint(pNext[i]), string([]byte{cl(i)}))
		add("pp", fmt.Sprint(pPrev[i]))
		add("dn", fmt.Sprint(dNext[i]))
		add("pnd", fmt.Sprint(pNext[i]), fmt.Sprint(min(i, 5)))
		// how much the character and its neighbours look like pieces of
		// brand names (and of product words) in the lexicons
		// (only when some count is not zero: a feature on every character
		// is a bias the other features must learn around)
		addG := func(name string, bs ...string) {
			for _, x := range bs {
				if x != "0" {
					add(append([]string{name}, bs...)...)
					return
				}
			}
		}
		addG("gb", bucket(bg, bl, i-1, i, "2"), bucket(bg, bl, i, i+1, "2"))
		addG("gp", bucket(pg, pl, i-1, i, "2"), bucket(pg, pl, i, i+1, "2"))
		if x, y := bucket(bg, bl, i, i+1, "2"), bucket(pg, pl, i, i+1, "2"); x != "0" || y != "0" {
			add("gbp", x, y, string([]byte{cl(i)}))
		}
		addG("gb3", bucket(bg, bl, i-1, i+1, "3"), bucket(bg, bl, i, i+2, "3"), bucket(bg, bl, i-2, i, "3"))
		addG("gu", bucket(bg, bl, i, i, "f"), bucket(bg, bl, i, i, "l"), bucket(pg, pl, i, i, "u"))
		add("q-1", at(i-3), at(i-2), at(i-1))
		add("q+1", at(i+1), at(i+2), at(i+3))
		out[i] = fs
	}
	return out
}

func charClass(r rune) byte {
	switch {
	case r == ' ' || r == ',' || r == '，' || r == '/' || r == '|' || unicode.IsSpace(r):
		return 's'
	case r >= '0' && r <= '9':
		return 'd'
	case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		return 'a'
	case textnorm.IsHan(r):
		return 'h'
	case unicode.IsPunct(r) || unicode.IsSymbol(r):
		return 'p'
	}
	return 'o'
}

func slot(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32() & (taggerSlots - 1)
}

func (t *Tagger) score(fs []uint32, l int) float32 {
	var s float32
	for _, f := range fs {
		s += t.w[int(f)*nLabels+l]
	}
	return s
}

// viterbi returns the best label sequence (O, B, I; I only after B or I).
func (t *Tagger) viterbi(feats [][]uint32) []int {
	n := len(feats)
	if n == 0 {
		return nil
	}
	const neg = float32(-1e30)
	dp := make([][nLabels]float32, n)
	bp := make([][nLabels]int, n)
	for l := 0; l < nLabels; l++ {
		dp[0][l] = t.trans[nLabels][l] + t.score(feats[0], l)
		if l == lblI {
			dp[0][l] = neg
		}
	}
	for i := 1; i < n; i++ {
		for l := 0; l < nLabels; l++ {
			em := t.score(feats[i], l)
			best, arg := neg, 0
			for p := 0; p < nLabels; p++ {
				if l == lblI && p == lblO {
					continue
				}
				if v := dp[i-1][p] + t.trans[p][l]; v > best {
					best, arg = v, p
				}
			}
			dp[i][l], bp[i][l] = best+em, arg
		}
	}
	ys := make([]int, n)
	best := 0
	for l := 1; l < nLabels; l++ {
		if dp[n-1][l] > dp[n-1][best] {
			best = l
		}
	}
	ys[n-1] = best
	for i := n - 1; i > 0; i-- {
		ys[i-1] = bp[i][ys[i]]
	}
	return ys
}

func labels(n int, spans [][2]int) []int {
	ys := make([]int, n)
	for _, s := range spans {
		if s[0] < 0 || s[1] > n || s[0] >= s[1] {
			continue
		}
		ys[s[0]] = lblB
		for i := s[0] + 1; i < s[1]; i++ {
			ys[i] = lblI
		}
	}
	return ys
}

func spansOf(ys []int) [][2]int {
	var out [][2]int
	for i := 0; i < len(ys); i++ {
		if ys[i] != lblB {
			continue
		}
		j := i + 1
		for j < len(ys) && ys[j] == lblI {
			j++
		}
		out = append(out, [2]int{i, j})
		i = j - 1
	}
	return out
}

// Train runs epochs of the averaged structured perceptron over titles
// (shuffled with seed each epoch) and leaves the averaged weights.
func (t *Tagger) Train(titles []TaggedTitle, epochs int, seed uint64) {
	type ex struct {
		f  [][]uint32
		ys []int
	}
	exs := make([]ex, 0, len(titles))
	for _, tt := range titles {
		lx := tt.Lex
		if lx == nil {
			lx = t.brand
		}
		px := tt.Prod
		if px == nil {
			px = t.prod
		}
		f := t.featuresLex(tt.Text, lx, px)
		exs = append(exs, ex{f, labels(len(f), tt.Brands)})
	}
	// averaged perceptron with lazy sums: acc holds Σ c·Δw, avg = w − acc/c
	acc := make([]float32, len(t.w))
	var accT [nLabels + 1][nLabels]float32
	c := float32(1)
	rng := rand.New(rand.NewPCG(seed, seed^0xabcdef))
	upd := func(fs []uint32, l int, d float32) {
		for _, f := range fs {
			k := int(f)*nLabels + l
			t.w[k] += d
			acc[k] += c * d
		}
	}
	updT := func(p, l int, d float32) {
		t.trans[p][l] += d
		accT[p][l] += c * d
	}
	for e := 0; e < epochs; e++ {
		rng.Shuffle(len(exs), func(i, j int) { exs[i], exs[j] = exs[j], exs[i] })
		for _, x := range exs {
			pred := t.viterbi(x.f)
			for i := range pred {
				if pred[i] != x.ys[i] {
					upd(x.f[i], x.ys[i], 1)
					upd(x.f[i], pred[i], -1)
				}
				pp, pg := nLabels, nLabels
				if i > 0 {
					pp, pg = pred[i-1], x.ys[i-1]
				}
				if pp != pg || pred[i] != x.ys[i] {
					updT(pg, x.ys[i], 1)
					updT(pp, pred[i], -1)
				}
			}
			c++
		}
	}
	for k := range t.w {
		t.w[k] -= acc[k] / c
	}
	for p := range t.trans {
		for l := range t.trans[p] {
			t.trans[p][l] -= accT[p][l] / c
		}
	}
}

// ShiftO lowers the score of the O (outside) label by d at every
// character, kept in the transition weights (so a written model keeps it):
// d > 0 trades precision for recall.
func (t *Tagger) ShiftO(d float32) {
	for p := range t.trans {
		t.trans[p][lblO] -= d
	}
}

// Find returns the brand spans of a title (rune offsets in text): the
// decoded spans, then the title made consistent with itself (Consistent).
func (t *Tagger) Find(text string) [][2]int {
	return Consistent(text, spansOf(t.viterbi(t.features(text))))
}

// Consistent adds to spans (rune offsets) every other occurrence, in the
// same title, of a brand of two or more characters already found there
// (合力3吨叉车 … 自动挡合力叉车: a title names its brand more than once,
// and the decoder judges each occurrence by its own neighbours). An
// occurrence never overlaps a span already there, and a latin one must not
// be part of a longer latin word (ge inside gel). The result is sorted.
func Consistent(text string, spans [][2]int) [][2]int {
	if len(spans) == 0 {
		return spans
	}
	rs := []rune(text)
	n := len(rs)
	taken := make([]bool, n+1)
	for _, s := range spans {
		for i := s[0]; i < s[1] && i < n; i++ {
			taken[i] = true
		}
	}
	free := func(a, b int) bool {
		for i := a; i < b; i++ {
			if taken[i] {
				return false
			}
		}
		return true
	}
	isLatin := func(i int) bool {
		if i < 0 || i >= n {
			return false
		}
		r := rs[i]
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0xFF21 && r <= 0xFF3A || r >= 0xFF41 && r <= 0xFF5A
	}
	out := append([][2]int(nil), spans...)
	add := func(a, b int) {
		for i := a; i < b; i++ {
			taken[i] = true
		}
		out = append(out, [2]int{a, b})
	}
	for _, s := range spans {
		w := rs[s[0]:s[1]]
		if len(w) < 2 {
			continue
		}
		for i := 0; i+len(w) <= n; i++ {
			if string(rs[i:i+len(w)]) != string(w) || !free(i, i+len(w)) {
				continue
			}
			if isLatin(i) && isLatin(i-1) || isLatin(i+len(w)-1) && isLatin(i+len(w)) {
				continue
			}
			add(i, i+len(w))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Mentions is Find with the mention texts.
func (t *Tagger) Mentions(text string) []Mention {
	rs := []rune(text)
	var out []Mention
	for _, s := range t.Find(text) {
		out = append(out, Mention{Start: s[0], End: s[1], Text: string(rs[s[0]:s[1]])})
	}
	return out
}

const taggerMagic = "WQTAG1\n"

// WriteTo writes the model (gzipped: magic, transition weights, then the
// non-zero weights as (index, value) pairs). The lexicons are not part of
// it: pass the same ones to ReadTagger.
func (t *Tagger) WriteTo(w io.Writer) (int64, error) {
	zw := gzip.NewWriter(w)
	if _, err := io.WriteString(zw, taggerMagic); err != nil {
		return 0, err
	}
	if err := binary.Write(zw, binary.LittleEndian, t.trans); err != nil {
		return 0, err
	}
	for k, v := range t.w {
		if v != 0 {
			if err := binary.Write(zw, binary.LittleEndian, struct {
				K uint32
				V float32
			}{uint32(k), v}); err != nil {
				return 0, err
			}
		}
	}
	return 0, zw.Close()
}

// ReadTagger reads a model written by WriteTo.
func ReadTagger(r io.Reader, brands, products *BrandSet) (*Tagger, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	magic := make([]byte, len(taggerMagic))
	if _, err := io.ReadFull(zr, magic); err != nil || string(magic) != taggerMagic {
		return nil, errors.New("listing: not a brand tagger model")
	}
	t := NewTagger(brands, products)
	if err := binary.Read(zr, binary.LittleEndian, &t.trans); err != nil {
		return nil, err
	}
	for {
		var kv struct {
			K uint32
			V float32
		}
		err := binary.Read(zr, binary.LittleEndian, &kv)
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		if int(kv.K) >= len(t.w) || math.IsNaN(float64(kv.V)) {
			return nil, errors.New("listing: corrupt brand tagger model")
		}
		t.w[kv.K] = kv.V
	}
}
