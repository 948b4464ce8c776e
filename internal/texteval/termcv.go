package texteval

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/weiquan/weiquan/internal/abuse"
	"github.com/weiquan/weiquan/internal/adlaw"
	"github.com/weiquan/weiquan/internal/textnorm"
)

// TermFoldsK is the k of every leave-terms-out cross-validation.
const TermFoldsK = 5

// ExtremeBuilder builds the extreme-word recogniser from the dictionary
// terms it may know (leave-terms-out calls it with k−1 folds): the
// scanner's forms (最…, 第一, 之王, 开光, 100% … with their context rules)
// plus only the known terms (adlaw.NewWithTerms), never the held-out ones.
var ExtremeBuilder TermBuilder = func(known []string) TermMatcher {
	sc := adlaw.NewWithTerms(known)
	return func(text string) bool { return len(sc.Scan(text, adlaw.Listing)) > 0 }
}

// AbuseBuilder builds the abusive-word recogniser from the insult terms it
// may know: the detector with that insult list (its threats, extortion
// patterns and model unchanged) on the bare term, or the model alone when
// the term is too short for Scan to consult it.
var AbuseBuilder TermBuilder = func(known []string) TermMatcher {
	d := abuse.NewWithInsults(known)
	return func(text string) bool {
		if len(d.Scan(text)) > 0 {
			return true
		}
		_, ok := d.Offensive(text)
		return ok
	}
}

// superlativeForm: the superlative forms of issue 16 (最…, …之最, 第一,
// 首个, 唯一, 顶级, 极致, 独家, 全网 / 全国 / 世界 + rank, TOP / NO.1).
var superlativeForm = regexp.MustCompile(`最|之最|第一|首[个家款选创发]|唯一|独一|顶级|顶尖|极致|极品|极佳|独家|全网|全国|全球|世界|宇宙|top|no\.?1|冠军|之王|王者|王牌|至尊|巅峰|绝无仅有|史无前例|无敌`)

// IsSuperlative reports whether a term is a superlative by its form.
func IsSuperlative(term string) bool { return superlativeForm.MatchString(textnorm.String(term)) }

// extremeHonest are the honest figures of the extreme-word list ws (the
// --data term list): recall on the terms the dictionary does not hold, and
// leave-terms-out over dictionary ∪ list, all terms and superlatives.
// termRecall scans each of terms alone as a listing with the ad-law
// scanner: every term is a positive, found or missed.
func termRecall(terms []string) (c Counts, miss []string) {
	sc := adlaw.New()
	for _, w := range terms {
		hit := len(sc.Scan(w, adlaw.Listing)) > 0
		c.Add(hit, true)
		if !hit {
			miss = append(miss, w)
		}
	}
	return c, miss
}

func extremeHonest(o Options, ws, wrels []string) []Result {
	dict := adlaw.Terms()
	var dictTerms []string
	for _, t := range dict {
		dictTerms = append(dictTerms, t.Text)
	}
	split := splitLabel(o, "dev list", wrels, nil)
	unseen, dropped := Unseen(ws, dictTerms)
	c, miss := termRecall(unseen)
	r := fromCounts("extreme/term-recall", ExtremeSet, split, c, "recall ≥ 0.80 on unseen terms", c.Recall() >= 0.80)
	r.Precision, r.F1, r.RecallOnly = 0, 0, true
	r.Variant, r.Dropped, r.Issue = "de-duplicated: list terms the dictionary does not hold", ptr(dropped), 16
	r.Note = fmt.Sprintf("%d list terms dropped (in the dictionary by normalised text, or repeated); missed: %s", dropped, strings.Join(miss, " "))
	out := []Result{r}

	all := append(append([]string(nil), dictTerms...), ws...)
	var supers []string
	for _, t := range all {
		if IsSuperlative(t) {
			supers = append(supers, t)
		}
	}
	cvRow := func(task, variant, target string, goal float64, terms []string, build TermBuilder, what string) Result {
		cv := LeaveTermsOut(terms, TermFoldsK, build, nil)
		rc := Result{Task: task, Variant: variant, Dataset: ExtremeSet, Split: split + " ∪ the shipped dictionary", N: cv.Terms, TP: cv.Found, FN: cv.Terms - cv.Found,
			Recall: cv.Recall, RecallOnly: true, Target: target}
		if goal > 0 {
			met := cv.Recall >= goal
			rc.Met, rc.Issue = &met, 16
		} else {
			rc.Target = "(reference) " + target
		}
		rc.Note = fmt.Sprintf("%s; %d distinct terms in %d folds by hash, recall per fold %v; missed: %s", what, cv.Terms, cv.K, cv.Folds, strings.Join(cv.Missed, " "))
		return rc
	}
	const lto = "leave-terms-out k=5"
	out = append(out,
		cvRow("extreme/term-recall", lto+", bare dictionary (the automaton alone)", "recall on unseen terms", 0, all, DictionaryBuilder, "dictionary of the other folds only"),
		cvRow("extreme/term-recall", lto+", scanner", "recall ≥ 0.80 on unseen terms", 0.80, all, ExtremeBuilder, "ExtremeBuilder: the scanner's forms + a dictionary of the other folds"),
		cvRow("extreme/term-recall", lto+", scanner, superlatives", "recall ≥ 0.95 on unseen superlatives", 0.95, supers, ExtremeBuilder, fmt.Sprintf("the %d superlatives by form (最…, 第一, 首X, 唯一, 顶级, 独家, TOP/NO.1 …) among dictionary ∪ list", len(TermFolds(supers, 1)[0]))))
	return out
}

// LoadAbusiveTermFiles reads abusive_lexicons/ldnoobw*.txt (the insult
// list; the sexual and spam lists are other tasks).
func LoadAbusiveTermFiles(dir string) ([]string, []string, error) {
	return loadAll(dir, AbusiveSet, "ldnoobw*.txt", readLines)
}

// AbusiveSet is the folder of the abusive word lists.
const AbusiveSet = "abusive_lexicons"

// evalAbusiveWords: leave-terms-out over the insult list of --data.
func evalAbusiveWords(o Options) ([]Result, error) {
	const task = "abusive-words/term-recall"
	ws, rels, err := LoadAbusiveTermFiles(o.Data)
	if err != nil {
		return handle(task, AbusiveSet, err)
	}
	split := splitLabel(o, "the LDNOOBW zh list", rels, nil)
	row := func(variant string, build TermBuilder, what string) Result {
		cv := LeaveTermsOut(ws, TermFoldsK, build, nil)
		return Result{Task: task, Variant: variant, Dataset: AbusiveSet, Split: split, N: cv.Terms, TP: cv.Found, FN: cv.Terms - cv.Found,
			Recall: cv.Recall, RecallOnly: true, Target: "(reference: recall on unseen terms)",
			Note: fmt.Sprintf("%s; %d distinct terms in %d folds by hash, recall per fold %v", what, cv.Terms, cv.K, cv.Folds)}
	}
	// as shipped: the embedded lexicon (part of it comes from this list)
	d := abuse.New()
	found := 0
	for _, w := range TermFolds(ws, 1)[0] {
		if len(d.Scan(w)) > 0 {
			found++
		} else if _, ok := d.Offensive(w); ok {
			found++
		}
	}
	n := len(TermFolds(ws, 1)[0])
	r0 := Result{Task: task, Dataset: AbusiveSet, Split: split, N: n, TP: found, FN: n - found, Recall: round4(ratio(found, n)), RecallOnly: true,
		Target: "(reference: the shipped lexicon holds a hand-picked part of this list)", Note: "as shipped: lexicon + model on each bare term (anatomical and neutral terms of the list are left out on purpose)"}
	return []Result{r0,
		row("leave-terms-out k=5, bare dictionary", DictionaryBuilder, "dictionary of the other folds only"),
		row("leave-terms-out k=5, detector", AbuseBuilder, "AbuseBuilder: the detector with the other folds as its insult list, and its model")}, nil
}
