package texteval

import (
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// NormKey is the key items are de-duplicated by: the normalised text
// (textnorm: NFKC, lower case, simplified) without separators.
func NormKey(s string) string { return textnorm.Key(s) }

// DedupStats counts what Dedup dropped.
type DedupStats struct {
	TrainRepeats int `json:"train_repeats"` // training items repeating an earlier training item
	TestRepeats  int `json:"test_repeats"`  // test items repeating an earlier test item
	InTrain      int `json:"in_train"`      // test items whose text is in the training split
	TestKept     int `json:"test_kept"`
}

// Dropped is the number of test items dropped.
func (s DedupStats) Dropped() int { return s.TestRepeats + s.InTrain }

// String is "dropped N of M test items (…)".
func (s DedupStats) String() string {
	return fmt.Sprintf("de-duplicated by normalised text: dropped %d of %d test items (%d also in train, %d repeated within test); %d repeated training items dropped",
		s.Dropped(), s.Dropped()+s.TestKept, s.InTrain, s.TestRepeats, s.TrainRepeats)
}

// Dedup de-duplicates both splits by NormKey(text(item)): within a split
// the first item of a text is kept, and a test item whose text appears in
// the training split is dropped. The order of items is kept.
func Dedup[T any](train, test []T, text func(T) string) (tr, te []T, st DedupStats) {
	seen := make(map[string]bool, len(train))
	for _, x := range train {
		k := NormKey(text(x))
		if seen[k] {
			st.TrainRepeats++
			continue
		}
		seen[k] = true
		tr = append(tr, x)
	}
	seenTest := map[string]bool{}
	for _, x := range test {
		k := NormKey(text(x))
		switch {
		case seen[k]:
			st.InTrain++
		case seenTest[k]:
			st.TestRepeats++
		default:
			seenTest[k] = true
			te = append(te, x)
		}
	}
	st.TestKept = len(te)
	return tr, te, st
}

// TermMatcher reports whether a recogniser finds something in text.
type TermMatcher func(text string) bool

// TermBuilder builds a recogniser from the terms it may know (a word-list
// tool: dictionary, gazetteer, lexicon). Leave-terms-out evaluation calls
// it with k−1 folds of the terms and asks about the unseen fold.
type TermBuilder func(known []string) TermMatcher

// DictionaryBuilder is the bare dictionary: an Aho-Corasick automaton over
// the known terms (normalised), finding a term anywhere in the text.
func DictionaryBuilder(known []string) TermMatcher {
	m := textnorm.NewMatcher(known)
	return func(text string) bool { return len(m.FindAll(textnorm.String(text))) > 0 }
}

// TermFolds de-duplicates terms by NormKey and deals them into k folds by
// FNV-1a hash of the key (stable under reordering and additions). Each
// fold is sorted.
func TermFolds(terms []string, k int) [][]string {
	folds := make([][]string, k)
	seen := map[string]bool{}
	for _, t := range terms {
		key := NormKey(t)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		h := fnv.New32a()
		h.Write([]byte(key))
		i := int(h.Sum32() % uint32(k))
		folds[i] = append(folds[i], t)
	}
	for _, f := range folds {
		sort.Strings(f)
	}
	return folds
}

// TermCV is the outcome of a leave-terms-out cross-validation.
type TermCV struct {
	K      int       `json:"k"`
	Terms  int       `json:"terms"` // distinct terms
	Found  int       `json:"found"` // unseen terms recognised
	Recall float64   `json:"recall"`
	Folds  []float64 `json:"folds"` // recall per fold
	Missed []string  `json:"missed,omitempty"`
}

// LeaveTermsOut runs k-fold leave-terms-out cross-validation: for each
// fold, the recogniser is built from the other k−1 folds and asked about
// each term of the unseen fold (probe(term) is the text shown to it: the
// term itself when probe is nil, or the term in a context).
func LeaveTermsOut(terms []string, k int, build TermBuilder, probe func(term string) string) TermCV {
	folds := TermFolds(terms, k)
	cv := TermCV{K: k}
	for i := range folds {
		var known []string
		for j, f := range folds {
			if j != i {
				known = append(known, f...)
			}
		}
		m := build(known)
		found := 0
		for _, t := range folds[i] {
			text := t
			if probe != nil {
				text = probe(t)
			}
			if m(text) {
				found++
			} else {
				cv.Missed = append(cv.Missed, t)
			}
		}
		cv.Terms += len(folds[i])
		cv.Found += found
		cv.Folds = append(cv.Folds, round4(ratio(found, len(folds[i]))))
	}
	cv.Recall = round4(ratio(cv.Found, cv.Terms))
	return cv
}

// Unseen returns the terms whose normalised key is not among known's
// (evaluation terms a dictionary does not already hold).
func Unseen(terms, known []string) (unseen []string, dropped int) {
	k := make(map[string]bool, len(known))
	for _, t := range known {
		k[NormKey(t)] = true
	}
	seen := map[string]bool{}
	for _, t := range terms {
		key := NormKey(t)
		if k[key] || seen[key] {
			dropped++
			continue
		}
		seen[key] = true
		unseen = append(unseen, t)
	}
	return unseen, dropped
}
