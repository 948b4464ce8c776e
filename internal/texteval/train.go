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

// TrainComplaint trains complaint-vs-praise on the training split of the
// reviews (complaint = the negative class).
func TrainComplaint(rv []Review) *nbayes.Model {
	tr := nbayes.NewTrainer(1, 2, 3)
	for _, r := range rv {
		if !HeldOut(r.ID, ReviewHoldout) {
			tr.Add(r.Text, !r.Positive)
		}
	}
	return tr.Model(2)
}

// TrainAspects trains one detector per routing aspect on the training
// split of the aspect reviews.
func TrainAspects(as []AspectReview) map[string]*nbayes.Model {
	out := map[string]*nbayes.Model{}
	for _, a := range script.Aspects {
		tr := nbayes.NewTrainer(1, 2)
		for _, r := range as {
			if HeldOut(strconv.Itoa(r.ID), AspectHoldout) {
				continue
			}
			pos := r.Categories[a.Category]
			if a.ID == "quality" {
				pos = r.Categories["功效"] || r.Categories["使用体验"]
			}
			tr.Add(r.Text, pos)
		}
		m := tr.Model(1)
		m.Threshold = 2 // favour precision: the keyword lexicon carries recall
		out[a.ID] = m
	}
	return out
}

// TrainCold trains the offensive-language model on COLD train minus a
// validation slice (1 in 10 ids), and sets the threshold to the lowest one
// whose validation precision is at least 0.95 (precision first: it highlights other people's messages).
func TrainCold(train []Labelled) *nbayes.Model {
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
