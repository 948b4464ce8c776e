package texteval

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/fnv"
	"math"
	"strings"

	"github.com/weiquan/weiquan/internal/abuse"
	"github.com/weiquan/weiquan/internal/charlr"
)

// ColdThreshold is the decision threshold of the offensive-language model
// on its calibrated probability: flag when P(offensive) ≥ 2/3, the Bayes
// decision when a false flag (a buyer's message marked offensive in the
// evidence view) costs twice a missed one.
const ColdThreshold = 2.0 / 3

// ColdOptions are the training settings of the embedded model: hashed
// character 1–3-grams in 2^18 buckets, 8 AdaGrad epochs.
var ColdOptions = charlr.Options{Bits: 18, Orders: []int{1, 2, 3}, Epochs: 8, Rate: 0.5, L2: 1e-5, Seed: 1}

// coldDocs are the training documents of xs, group names masked
// (abuse.MaskIdentity) as the detector masks them in use.
func coldDocs(xs []Labelled) []charlr.Doc {
	out := make([]charlr.Doc, len(xs))
	for i, x := range xs {
		out[i] = charlr.Doc{Text: abuse.MaskIdentity(x.Text), Label: x.Label}
	}
	return out
}

// TrainCold trains the offensive-language model on COLD train minus a
// calibration slice (1 in ColdValid ids, by hash), fits Platt scaling on
// that slice and sets the threshold to ColdThreshold. Every text has its
// group names masked first (abuse.MaskIdentity: "女性", "男性" are one
// feature, "河南", "上海" another), so that the name of a group carries no
// weight; the model says so in its header (Prep).
func TrainCold(train []Labelled) *charlr.Model {
	var fit, valid []Labelled
	for _, r := range train {
		if HeldOut(r.ID, ColdValid) {
			valid = append(valid, r)
		} else {
			fit = append(fit, r)
		}
	}
	m := charlr.Train(coldDocs(fit), ColdOptions)
	m.Calibrate(coldDocs(valid))
	m.Threshold = ColdThreshold
	m.Prep = abuse.PrepIdentityMask
	return m
}

// ColdModelFile is the embedded file of m: its bytes gzipped without name
// or time, so the same model gives the same file.
func ColdModelFile(m *charlr.Model) ([]byte, error) {
	var b, z bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, err
	}
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(b.Bytes())
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return z.Bytes(), nil
}

// Calibration summarises calibrated probabilities against the truth.
type Calibration struct {
	Brier float64  `json:"brier"`
	Bins  []RelBin `json:"bins"`
	ECE   float64  `json:"ece"` // expected calibration error over the bins
}

// RelBin is one bin of a reliability diagram.
type RelBin struct {
	Lo, Hi   float64
	N        int
	MeanProb float64
	Observed float64
}

// Calibrate computes the Brier score and a 10-bin reliability diagram.
func CalibrationOf(probs []float64, truth []bool) Calibration {
	var c Calibration
	bins := make([]RelBin, 10)
	for i := range bins {
		bins[i].Lo, bins[i].Hi = float64(i)/10, float64(i+1)/10
	}
	for i, p := range probs {
		y := 0.0
		if truth[i] {
			y = 1
		}
		c.Brier += (p - y) * (p - y)
		b := min(int(p*10), 9)
		bins[b].N++
		bins[b].MeanProb += p
		bins[b].Observed += y
	}
	n := float64(max(len(probs), 1))
	c.Brier = round4(c.Brier / n)
	for i := range bins {
		if bins[i].N > 0 {
			bins[i].MeanProb /= float64(bins[i].N)
			bins[i].Observed /= float64(bins[i].N)
			c.ECE += float64(bins[i].N) / n * math.Abs(bins[i].MeanProb-bins[i].Observed)
		}
		bins[i].MeanProb, bins[i].Observed = round4(bins[i].MeanProb), round4(bins[i].Observed)
	}
	c.ECE = round4(c.ECE)
	c.Bins = bins
	return c
}

// String is the reliability diagram on one line.
func (c Calibration) String() string {
	var b []string
	for _, x := range c.Bins {
		if x.N > 0 {
			b = append(b, fmt.Sprintf("%.1f–%.1f: n %d, mean p %.2f, observed %.2f", x.Lo, x.Hi, x.N, x.MeanProb, x.Observed))
		}
	}
	return fmt.Sprintf("Brier %.4f, ECE %.4f; reliability: %s", c.Brier, c.ECE, strings.Join(b, "; "))
}

// accuracy of counts
func (c Counts) Accuracy() float64 { return ratio(c.TP+c.TN, c.TP+c.TN+c.FP+c.FN) }

// scoreCold counts the detector's decisions (lexicon + model) on xs.
func scoreCold(d *abuse.Detector, xs []Labelled) Counts {
	var c Counts
	for _, r := range xs {
		c.Add(len(d.Scan(r.Text)) > 0, r.Label)
	}
	return c
}

// coldFold is the fold (0..k-1) of a COLD id.
func coldFold(id string, k int) int {
	h := fnv.New32a()
	h.Write([]byte("fold:" + id))
	return int(h.Sum32() % uint32(k))
}

// ColdCV runs k-fold cross-validation of TrainCold on train (folds by id
// hash; the detector with lexicon), returning the pooled counts and the
// accuracy of each fold.
func ColdCV(train []Labelled, k int) (Counts, []float64) {
	var all Counts
	var accs []float64
	for f := 0; f < k; f++ {
		var tr, te []Labelled
		for _, r := range train {
			if coldFold(r.ID, k) == f {
				te = append(te, r)
			} else {
				tr = append(tr, r)
			}
		}
		c := scoreCold(abuse.NewWithModel(TrainCold(tr)), te)
		accs = append(accs, round4(c.Accuracy()))
		all.TP, all.FP, all.FN, all.TN = all.TP+c.TP, all.FP+c.FP, all.FN+c.FN, all.TN+c.TN
	}
	return all, accs
}

// AntiBiasShare is the share of the anti-bias regression set the detector
// flags, with the flagged sentences.
func AntiBiasShare(d *abuse.Detector, set []abuse.AntiBiasSentence) (flagged, n int, flags []string) {
	for _, s := range set {
		n++
		if fs := d.Scan(s.Text); len(fs) > 0 {
			flagged++
			flags = append(flags, fmt.Sprintf("%s: %s → %s «%s» (p %.2f)", s.Topic, s.Text, fs[0].RuleID, fs[0].Text, d.Probability(s.Text)))
		}
	}
	return flagged, n, flags
}
