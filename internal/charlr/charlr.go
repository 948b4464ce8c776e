// Package charlr is a small, deterministic binary text classifier:
// logistic regression over hashed character n-grams of the normalised text
// (textnorm.String, whitespace dropped, "^" and "$" marking the ends), each
// distinct n-gram counting once, the feature vector L2-normalised. It is
// trained in Go (AdaGrad, L2, a fixed shuffle), its raw score calibrated by
// Platt scaling on a validation slice, and saved as 16-bit quantised
// weights (a gzipped file is small: most buckets are near zero). The same
// documents in the same order give byte-identical model files.
package charlr

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// Model is a trained classifier.
type Model struct {
	Bits   int   // 2^Bits hash buckets
	Orders []int // character n-gram orders, e.g. {1, 2, 3}
	Bias   float64
	W      []float64 // len 1<<Bits (dequantised)
	// Platt calibration: P(positive) = σ(A·raw + B).
	A, B float64
	// Threshold is the decision threshold on the calibrated probability.
	Threshold float64
	// Prep names the preprocessing the caller applies to a text before
	// scoring it (the same as in training), e.g. "identity-mask"; empty
	// for none. It is saved in the header; charlr itself does not apply it.
	Prep string
}

// Doc is one labelled training document.
type Doc struct {
	Text  string
	Label bool
}

// hash is FNV-1a over the runes of one n-gram.
func hash(rs []rune) uint32 {
	h := uint32(2166136261)
	for _, r := range rs {
		for r != 0 {
			h ^= uint32(r & 0xff)
			h *= 16777619
			r >>= 8
		}
		h ^= 0xff // rune separator
		h *= 16777619
	}
	return h
}

// Features returns the distinct hashed n-gram buckets of text (sorted) and
// the value each carries (1/√n, so the vector has unit length).
func Features(text string, bits int, orders []int) ([]uint32, float64) {
	rs := make([]rune, 0, len(text)/2+2)
	rs = append(rs, '^')
	for _, r := range textnorm.String(text) {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000' {
			continue
		}
		rs = append(rs, r)
	}
	rs = append(rs, '$')
	mask := uint32(1)<<bits - 1
	out := make([]uint32, 0, len(rs)*len(orders))
	for _, n := range orders {
		for i := 0; i+n <= len(rs); i++ {
			if n == 1 && (i == 0 || i == len(rs)-1) {
				continue // the end marks alone carry nothing
			}
			out = append(out, hash(rs[i:i+n])*uint32(n)&mask)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return out, 0
	}
	return out, 1 / math.Sqrt(float64(len(out)))
}

// Raw is the uncalibrated log-odds of text.
func (m *Model) Raw(text string) float64 {
	fs, v := Features(text, m.Bits, m.Orders)
	s := m.Bias
	for _, f := range fs {
		s += m.W[f] * v
	}
	return s
}

// Prob is the calibrated probability that text is positive.
func (m *Model) Prob(text string) float64 { return sigmoid(m.A*m.Raw(text) + m.B) }

// Positive reports whether the calibrated probability reaches Threshold.
func (m *Model) Positive(text string) bool { return m.Prob(text) >= m.Threshold }

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Options are the training settings.
type Options struct {
	Bits   int     // hash buckets 2^Bits (default 18)
	Orders []int   // default {1, 2, 3}
	Epochs int     // default 8
	Rate   float64 // AdaGrad learning rate (default 0.5)
	L2     float64 // L2 penalty per update of an active weight (default 1e-5)
	Seed   uint64  // shuffle seed
}

func (o *Options) defaults() {
	if o.Bits == 0 {
		o.Bits = 18
	}
	if len(o.Orders) == 0 {
		o.Orders = []int{1, 2, 3}
	}
	if o.Epochs == 0 {
		o.Epochs = 8
	}
	if o.Rate == 0 {
		o.Rate = 0.5
	}
	if o.L2 == 0 {
		o.L2 = 1e-5
	}
}

type vec struct {
	f []uint32
	v float64
	y float64
}

// Train fits the weights on docs (no calibration: A = 1, B = 0,
// Threshold = 0.5; call Calibrate on held-out documents). The weights are
// quantised as in the saved file, so a trained model and the same model
// read back score alike.
func Train(docs []Doc, o Options) *Model {
	o.defaults()
	xs := make([]vec, len(docs))
	for i, d := range docs {
		f, v := Features(d.Text, o.Bits, o.Orders)
		y := 0.0
		if d.Label {
			y = 1
		}
		xs[i] = vec{f, v, y}
	}
	n := 1 << o.Bits
	w := make([]float64, n)
	g2 := make([]float64, n)
	var bias, bg2 float64
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	for ep := 0; ep < o.Epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			x := xs[i]
			s := bias
			for _, f := range x.f {
				s += w[f] * x.v
			}
			g := sigmoid(s) - x.y
			bg2 += g * g
			bias -= o.Rate * g / math.Sqrt(bg2+1e-8)
			for _, f := range x.f {
				gi := g*x.v + o.L2*w[f]
				g2[f] += gi * gi
				w[f] -= o.Rate * gi / math.Sqrt(g2[f]+1e-8)
			}
		}
	}
	m := &Model{Bits: o.Bits, Orders: slices.Clone(o.Orders), Bias: bias, W: w, A: 1, Threshold: 0.5}
	m.quantise()
	return m
}

// scale of the 16-bit weights
func (m *Model) scale() float64 {
	mx := 0.0
	for _, x := range m.W {
		mx = max(mx, math.Abs(x))
	}
	if mx == 0 {
		return 1
	}
	return mx / qmax
}

func (m *Model) quantise() {
	sc := m.scale()
	for i, x := range m.W {
		m.W[i] = math.Round(x/sc) * sc
	}
	m.Bias = round6(m.Bias)
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// Calibrate fits the Platt parameters A, B on held-out documents
// (Newton's method on the log loss, with Platt's smoothed targets).
func (m *Model) Calibrate(docs []Doc) {
	if len(docs) == 0 {
		return
	}
	raw := make([]float64, len(docs))
	var npos, nneg float64
	for i, d := range docs {
		raw[i] = m.Raw(d.Text)
		if d.Label {
			npos++
		} else {
			nneg++
		}
	}
	hi, lo := (npos+1)/(npos+2), 1/(nneg+2)
	a, b := 1.0, 0.0
	for it := 0; it < 50; it++ {
		var ga, gb, haa, hab, hbb float64
		for i, d := range docs {
			t := lo
			if d.Label {
				t = hi
			}
			p := sigmoid(a*raw[i] + b)
			e := p - t
			q := max(p*(1-p), 1e-12)
			ga += e * raw[i]
			gb += e
			haa += q * raw[i] * raw[i]
			hab += q * raw[i]
			hbb += q
		}
		haa += 1e-9
		hbb += 1e-9
		det := haa*hbb - hab*hab
		if det == 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a -= da
		b -= db
		if math.Abs(da) < 1e-9 && math.Abs(db) < 1e-9 {
			break
		}
	}
	m.A, m.B = round6(a), round6(b)
}

const magic = "charlr\t1"

// qmax is the largest quantised weight magnitude (weights are saved as int8).
const qmax = 127

// WriteTo writes the model: a text header line, then the 2^Bits weights
// as little-endian int16 (weight = int16 · scale).
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	ords := make([]string, len(m.Orders))
	for i, o := range m.Orders {
		ords[i] = strconv.Itoa(o)
	}
	sc := m.scale()
	prep := ""
	if m.Prep != "" {
		prep = "\tprep=" + m.Prep
	}
	fmt.Fprintf(bw, "%s\tbits=%d\torders=%s\tbias=%s\tscale=%s\ta=%s\tb=%s\tthreshold=%s%s\n", magic, m.Bits, strings.Join(ords, ","),
		fmtF(m.Bias), fmtF(sc), fmtF(m.A), fmtF(m.B), fmtF(m.Threshold), prep)
	for _, x := range m.W {
		bw.WriteByte(byte(int8(math.Round(x / sc))))
	}
	return 0, bw.Flush()
}

func fmtF(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// Read parses a model written by WriteTo.
func Read(r io.Reader) (*Model, error) {
	br := bufio.NewReader(r)
	head, err := br.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("charlr: header: %w", err)
	}
	parts := strings.Split(strings.TrimSuffix(head, "\n"), "\t")
	if len(parts) < 3 || parts[0]+"\t"+parts[1] != magic {
		return nil, fmt.Errorf("charlr: bad header %q", head)
	}
	m := &Model{}
	var sc float64
	for _, kv := range parts[2:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "bits":
			if m.Bits, err = strconv.Atoi(v); err != nil || m.Bits < 1 || m.Bits > 26 {
				return nil, fmt.Errorf("charlr: bad bits %q", v)
			}
		case "prep":
			if strings.ContainsAny(v, " \t") || v == "" {
				return nil, fmt.Errorf("charlr: bad prep %q", v)
			}
			m.Prep = v
		case "orders":
			for _, o := range strings.Split(v, ",") {
				n, err := strconv.Atoi(o)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("charlr: bad orders %q", v)
				}
				m.Orders = append(m.Orders, n)
			}
		default:
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("charlr: bad %s %q", k, v)
			}
			switch k {
			case "bias":
				m.Bias = x
			case "scale":
				sc = x
			case "a":
				m.A = x
			case "b":
				m.B = x
			case "threshold":
				m.Threshold = x
			}
		}
	}
	if m.Bits == 0 || len(m.Orders) == 0 {
		return nil, errors.New("charlr: header lacks bits or orders")
	}
	m.W = make([]float64, 1<<m.Bits)
	buf := make([]byte, len(m.W))
	if _, err := io.ReadFull(br, buf); err != nil {
		return nil, fmt.Errorf("charlr: weights: %w", err)
	}
	for i, q := range buf {
		m.W[i] = float64(int8(q)) * sc
	}
	return m, nil
}
