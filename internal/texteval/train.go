// Package texteval trains the text models reproducibly and measures every
// text task of issue 5 on a folder laid out like ../shared/data: precision,
// recall and F1 on held-out splits (never on training data), flag rates on
// real titles and agent replies, and the scan benchmark.
package texteval

import (
	"sort"
	"strconv"

	"github.com/weiquan/weiquan/internal/nbayes"
	"github.com/weiquan/weiquan/internal/script"
)

// Split sizes: 1 in N items (by id hash) is held out.
const (
	ReviewHoldout = 5 // ecommerce_reviews_sentiment: 20 % held out
	AspectHoldout = 4 // aspects: 25 % held out
	ColdValid     = 10
)

// SplitReviews splits reviews into the training part and the held-out
// part (1 in ReviewHoldout by id hash).
func SplitReviews(rv []Review) (train, test []Review) {
	for _, r := range rv {
		if HeldOut(r.ID, ReviewHoldout) {
			test = append(test, r)
		} else {
			train = append(train, r)
		}
	}
	return train, test
}

// SplitAspects splits aspect reviews into the training part and the
// held-out part (1 in AspectHoldout by id hash).
func SplitAspects(as []AspectReview) (train, test []AspectReview) {
	for _, r := range as {
		if HeldOut(strconv.Itoa(r.ID), AspectHoldout) {
			test = append(test, r)
		} else {
			train = append(train, r)
		}
	}
	return train, test
}

// TrainComplaint trains complaint-vs-praise on every review given
// (complaint = the negative class); evaluation passes only a training part.
func TrainComplaint(rv []Review) *nbayes.Model {
	tr := nbayes.NewTrainer(1, 2, 3)
	for _, r := range rv {
		tr.Add(r.Text, !r.Positive)
	}
	return tr.Model(2)
}

// AspectFeatures are the features of the routing aspect models.
type AspectFeatures struct {
	Orders []int // character n-gram orders
	Words  bool  // also gse words (textnorm.Words)
}

// RouterFeatures are the features `weiquan train` and `weiquan eval` use
// for the aspect models: gse words plus character 1–2-grams.
var RouterFeatures = AspectFeatures{Orders: []int{1, 2}, Words: true}

// CharFeatures are the character-only features of the aspect models before
// word segmentation (kept for the before/after comparison in eval).
var CharFeatures = AspectFeatures{Orders: []int{1, 2}}

// TrainAspects trains one detector per routing aspect on every aspect
// review given, with RouterFeatures; evaluation passes only a training part.
func TrainAspects(as []AspectReview) map[string]*nbayes.Model {
	return TrainAspectsWith(as, RouterFeatures)
}

// TrainAspectsWith is TrainAspects with the given features.
func TrainAspectsWith(as []AspectReview, f AspectFeatures) map[string]*nbayes.Model {
	out := map[string]*nbayes.Model{}
	for _, a := range script.Aspects {
		tr := nbayes.NewTrainer(f.Orders...)
		tr.Words = f.Words
		for _, r := range as {
			tr.Add(r.Text, AspectTruth(r, a))
		}
		m := tr.Model(1)
		m.Threshold = 2 // favour precision: the keyword lexicon carries recall
		out[a.ID] = m
	}
	return out
}

// TrainColdNB is the naive-Bayes offensive-language model embedded before
// issue 16 (kept for the before/after figures of `weiquan eval`): trained on
// COLD train minus a validation slice (1 in 10 ids), its threshold the
// lowest whose validation precision is at least 0.95.
func TrainColdNB(train []Labelled) *nbayes.Model {
	tr := nbayes.NewTrainer(1, 2)
	var valid []Labelled
	for _, r := range train {
		if HeldOut(r.ID, ColdValid) {
			valid = append(valid, r)
			continue
		}
		tr.Add(r.Text, r.Label)
	}
	m := tr.Model(3)
	type sc struct {
		s float64
		y bool
	}
	xs := make([]sc, len(valid))
	for i, r := range valid {
		xs[i] = sc{m.Score(r.Text), r.Label}
	}
	if len(xs) == 0 {
		return m // no validation slice (a tiny training set): equal odds
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].s > xs[j].s })
	tp, fp := 0, 0
	best := xs[0].s
	for _, x := range xs {
		if x.y {
			tp++
		} else {
			fp++
		}
		if float64(tp)/float64(tp+fp) >= 0.95 && tp > 50 {
			best = x.s
		}
	}
	m.Threshold = best
	return m
}
