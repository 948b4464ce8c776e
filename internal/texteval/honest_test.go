package texteval

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestDedup: repeats are found through normalisation (full width, case,
// traditional characters, separators); a test item whose text is in the
// training split is dropped, the first of repeated items kept.
func TestDedup(t *testing.T) {
	t.Parallel()
	train := []string{"物流很快，好评", "質量很差", "物流很快 好评", "客服态度好"}
	test := []string{"物流很快好评", "质量很差！", "包装破损", "包装 破损", "ＯＫ不错", "ok不错", "全新的评价"}
	tr, te, st := Dedup(train, test, func(s string) string { return s })
	if want := []string{"物流很快，好评", "質量很差", "客服态度好"}; !slices.Equal(tr, want) {
		t.Errorf("train kept %q, want %q", tr, want)
	}
	if want := []string{"包装破损", "ＯＫ不错", "全新的评价"}; !slices.Equal(te, want) {
		t.Errorf("test kept %q, want %q", te, want)
	}
	if st.TrainRepeats != 1 || st.InTrain != 2 || st.TestRepeats != 2 || st.TestKept != 3 || st.Dropped() != 4 {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(st.String(), "dropped 4 of 7 test items") {
		t.Errorf("report %q", st.String())
	}
}

// TestLeaveTermsOut: every term is in exactly one fold, folds do not
// depend on order, a bare dictionary finds no unseen term (unless a known
// term is part of it) and a recogniser of the form finds them all.
func TestLeaveTermsOut(t *testing.T) {
	t.Parallel()
	terms := []string{"最好", "最佳", "最强", "最优", "最低价", "最高级", "最棒", "最美", "最全", "最正宗", "最佳", "ＮＯ.1"}
	folds := TermFolds(terms, 5)
	rev := slices.Clone(terms)
	slices.Reverse(rev)
	if !slices.EqualFunc(folds, TermFolds(rev, 5), slices.Equal[[]string]) {
		t.Error("folds depend on the order of the terms")
	}
	n := 0
	for _, f := range folds {
		n += len(f)
	}
	if n != 11 {
		t.Errorf("%d terms dealt, want 11 distinct", n)
	}
	var asked []string
	dict := LeaveTermsOut(terms, 5, func(known []string) TermMatcher {
		d := DictionaryBuilder(known)
		return func(text string) bool { asked = append(asked, text); return d(text) }
	}, nil)
	slices.Sort(asked)
	if len(asked) != 11 || dict.Terms != 11 {
		t.Errorf("asked about %q (%d terms)", asked, dict.Terms)
	}
	// 最佳 holds no other term; only 最低价/最高级 … could contain a known one: none here
	if dict.Found != 0 || dict.Recall != 0 {
		t.Errorf("a dictionary without the term found it: %+v", dict)
	}
	form := LeaveTermsOut(terms, 5, func([]string) TermMatcher {
		return func(text string) bool { return strings.HasPrefix(text, "最") }
	}, nil)
	if form.Found != 10 || len(form.Missed) != 1 || form.Missed[0] != "ＮＯ.1" {
		t.Errorf("form recogniser: %+v", form)
	}
	sub := LeaveTermsOut([]string{"最", "最好"}, 2, DictionaryBuilder, func(s string) string { return "这是" + s + "的" })
	if sub.Terms != 2 {
		t.Fatalf("%+v", sub)
	}
	// 最好 is found through a known 最 when the two are in different folds;
	// 最 is never found through 最好
	apart := len(TermFolds([]string{"最", "最好"}, 2)[0]) == 1
	if apart && (sub.Found != 1 || !slices.Equal(sub.Missed, []string{"最"})) || !apart && sub.Found != 0 {
		t.Errorf("substring case (folds apart %v): %+v", apart, sub)
	}
	un, dropped := Unseen([]string{"最佳", "国家级", "ＴＯＰ1", "国家级"}, []string{"最佳", "top1"})
	if !slices.Equal(un, []string{"国家级"}) || dropped != 3 {
		t.Errorf("unseen %q dropped %d", un, dropped)
	}
}

func TestCalibrationOf(t *testing.T) {
	t.Parallel()
	c := CalibrationOf([]float64{0.05, 0.05, 0.95, 0.95, 0.55, 0.55}, []bool{false, false, true, true, true, false})
	// Brier: (4 × 0.05² + 0.45² + 0.55²) / 6 = 0.515 / 6
	if math.Abs(c.Brier-0.0858) > 1e-4 {
		t.Errorf("Brier %v", c.Brier)
	}
	if c.Bins[0].N != 2 || c.Bins[9].N != 2 || c.Bins[5].N != 2 || c.Bins[5].Observed != 0.5 {
		t.Errorf("bins %+v", c.Bins)
	}
	// ECE: |0.05-0| , |0.95-1|, |0.55-0.5| each weighted 1/3 = 0.05
	if math.Abs(c.ECE-0.05) > 1e-4 {
		t.Errorf("ECE %v", c.ECE)
	}
}
