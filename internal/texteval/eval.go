package texteval

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/weiquan/weiquan/internal/abuse"
	"github.com/weiquan/weiquan/internal/adlaw"
	"github.com/weiquan/weiquan/internal/lint"
	"github.com/weiquan/weiquan/internal/listing"
	"github.com/weiquan/weiquan/internal/nbayes"
	"github.com/weiquan/weiquan/internal/script"
	"github.com/weiquan/weiquan/internal/textnorm"
)

// Result is the figure of one task.
type Result struct {
	Task string `json:"task"`
	// Variant names how a task's figure was taken when a task has several
	// (as before issue 16, de-duplicated, leave-terms-out …); empty for
	// the primary figure.
	Variant  string   `json:"variant,omitempty"`
	Accuracy *float64 `json:"accuracy,omitempty"`
	Dropped  *int     `json:"dropped,omitempty"` // evaluation items dropped by de-duplication
	// RecallOnly: a term-recall figure (every item is a positive; TP of N
	// found); precision and F1 are not defined.
	RecallOnly bool `json:"recall_only,omitempty"`
	// Issue is 16 for the goals of issue 16 (reported met / not met; the
	// older targets, Issue 0, are the ones the test suite holds).
	Issue     int      `json:"issue,omitempty"`
	Dataset   string   `json:"dataset"`
	Split     string   `json:"split"`
	N         int      `json:"n"`
	TP        int      `json:"tp"`
	FP        int      `json:"fp"`
	FN        int      `json:"fn"`
	Precision float64  `json:"precision"`
	Recall    float64  `json:"recall"`
	F1        float64  `json:"f1"`
	Rate      *float64 `json:"rate,omitempty"` // flag rate, for false-positive tasks
	Target    string   `json:"target"`
	Met       *bool    `json:"met,omitempty"`
	Absent    bool     `json:"absent,omitempty"`
	Skipped   string   `json:"skipped,omitempty"` // why an absent task was skipped: "evaluation data absent" or "training data absent"
	Note      string   `json:"note,omitempty"`
	Flags     []string `json:"flags,omitempty"` // every flag, for tasks whose flags must be justified
}

func fromCounts(task, ds, split string, c Counts, target string, met bool) Result {
	return Result{Task: task, Dataset: ds, Split: split, N: c.TP + c.FP + c.FN + c.TN, TP: c.TP, FP: c.FP, FN: c.FN,
		Precision: round4(c.Precision()), Recall: round4(c.Recall()), F1: round4(c.F1()), Target: target, Met: &met}
}

// Options names the folders of a run: models are trained on Train and
// evaluated on Data. When both are the same folder, every task uses the
// held-out split of that folder (as in development); when they differ,
// every model is trained on the whole Train folder and evaluated on every
// file of the Data folder, which is never trained on.
type Options struct {
	Train string
	Data  string
}

// Separate reports whether the training and evaluation folders differ.
func (o Options) Separate() bool { return !SameDir(o.Train, o.Data) }

// Mode describes how o splits training from evaluation data.
func (o Options) Mode() string {
	if o.Separate() {
		return "separate folders: trained on all of --train, evaluated on all of --data"
	}
	return "one folder: held-out splits"
}

// SameDir reports whether a and b name the same folder.
func SameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// skipEval is the result of a task whose evaluation files are absent.
func skipEval(task, ds string, err error) Result {
	return Result{Task: task, Dataset: ds, Absent: true, Skipped: "evaluation data absent", Note: "跳过：评测数据缺失 / skipped: evaluation data absent (--data): " + err.Error()}
}

// skipTrain is the result of a task whose training files are absent.
func skipTrain(task, ds string, err error) Result {
	return Result{Task: task, Dataset: ds, Absent: true, Skipped: "training data absent", Note: "跳过：训练数据缺失 / skipped: training data absent (--train): " + err.Error()}
}

// Run evaluates every task on the data folder dir with its held-out splits.
func Run(dir string) ([]Result, error) { return RunWith(Options{Train: dir, Data: dir}) }

// RunWith evaluates every task under o. Tasks whose data is absent are
// reported as skipped with the reason; other errors stop the run.
func RunWith(o Options) ([]Result, error) {
	var out []Result
	steps := []func(Options) ([]Result, error){evalComplaint, evalRouting, evalOffensive, evalLint, evalBrands, evalBrandTagger, evalExtreme, evalAbusiveWords, evalDuplicates, evalExtortion}
	for _, st := range steps {
		rs, err := st(o)
		if err != nil {
			return out, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// handle turns an absent evaluation set into a skipped result.
func handle(task, ds string, err error) ([]Result, error) {
	if errors.Is(err, ErrNoData) {
		return []Result{skipEval(task, ds, err)}, nil
	}
	return nil, err
}

// files lists data files for a Split label.
func files(rels []string) string {
	var b []string
	for _, r := range rels {
		b = append(b, filepath.Base(r))
	}
	return strings.Join(b, "+")
}

// splitLabel describes the evaluation part under o.
func splitLabel(o Options, same string, evalFiles, trainFiles []string) string {
	if !o.Separate() {
		return same
	}
	if trainFiles == nil {
		return "all of " + files(evalFiles) + " in --data"
	}
	return "all of " + files(evalFiles) + " in --data; trained on all of " + files(trainFiles) + " in --train"
}

// trainTest loads the training and evaluation parts of one set under o:
// the held-out split of one folder, or the whole of each folder. skip is
// set (and the slices nil) when either part is absent.
func trainTest[T any](o Options, task, ds string, load func(string) ([]T, []string, error), split func([]T) ([]T, []T)) (train, test []T, trainFiles, testFiles []string, skip *Result, err error) {
	test, testFiles, err = load(o.Data)
	if errors.Is(err, ErrNoData) {
		r := skipEval(task, ds, err)
		return nil, nil, nil, nil, &r, nil
	}
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	if !o.Separate() {
		train, test = split(test)
		return train, test, testFiles, testFiles, nil, nil
	}
	train, trainFiles, err = load(o.Train)
	if errors.Is(err, ErrNoData) {
		r := skipTrain(task, ds, err)
		return nil, test, nil, testFiles, &r, nil
	}
	return train, test, trainFiles, testFiles, nil, err
}

func evalComplaint(o Options) ([]Result, error) {
	const task, ds = "complaint", ReviewsSet
	train, test, trf, tef, skip, err := trainTest(o, task, ds, LoadReviewFiles, SplitReviews)
	if err != nil || skip != nil {
		return results(skip), err
	}
	score := func(train, test []Review) Counts {
		m := TrainComplaint(train)
		var c Counts
		for _, r := range test {
			c.Add(m.Positive(r.Text), !r.Positive)
		}
		return c
	}
	c := score(train, test)
	split := splitLabel(o, "held-out 20% by id hash", tef, trf)
	r := fromCounts(task, ds, split, c, "F1 ≥ 0.88", c.F1() >= 0.88)
	r.Note = fmt.Sprintf("naive Bayes, char 1–3-grams, trained on %d reviews", len(train))
	if !o.Separate() {
		r.Note += " (the other 80%)"
	}
	trD, teD, st := Dedup(train, test, func(x Review) string { return x.Text })
	cd := score(trD, teD)
	rd := fromCounts(task, ds, split, cd, "F1 ≥ 0.88", cd.F1() >= 0.88)
	rd.Variant, rd.Dropped, rd.Issue, rd.Note = "de-duplicated", ptr(st.Dropped()), 16, st.String()+"; retrained on the de-duplicated training part"
	return []Result{r, rd}, nil
}

func results(r *Result) []Result {
	if r == nil {
		return nil
	}
	return []Result{*r}
}

// RoutingTargets are the F1 targets per aspect.
var RoutingTargets = map[string]float64{"logistics": 0.75, "packaging": 0.5, "authenticity": 0.5, "service": 0.5}

func evalRouting(o Options) ([]Result, error) {
	const task, ds = "routing", AspectsSet
	train, test, trf, tef, skip, err := trainTest(o, task, ds, LoadAspectFiles, SplitAspects)
	if err != nil {
		return nil, err
	}
	if skip != nil && skip.Skipped != "training data absent" {
		return results(skip), nil
	}
	lib := script.Default()
	type variant struct {
		name string
		r    *script.Router
		ref  bool
		test []AspectReview // nil: the whole test part
		tag  string         // Variant of the results
		drop *int
	}
	var variants []variant
	var out []Result
	if skip == nil {
		load, err := textnorm.LoadWords()
		if err != nil {
			return nil, fmt.Errorf("routing: word segmenter: %w", err)
		}
		variants = append(variants,
			variant{fmt.Sprintf("keyword+model (gse words + char 1–2-grams; dictionary loaded once in %.2fs)", load.Seconds()),
				script.NewRouter(lib, &script.Models{Aspect: TrainAspectsWith(train, RouterFeatures)}), false, nil, "", nil},
			variant{"keyword+model, char 1–2-grams only (before gse)", script.NewRouter(lib, &script.Models{Aspect: TrainAspectsWith(train, CharFeatures)}), true, nil, "", nil})
		trD, teD, st := Dedup(train, test, func(x AspectReview) string { return x.Text })
		variants = append(variants, variant{"keyword+model (gse words + char 1–2-grams), retrained on the de-duplicated training part; " + st.String(),
			script.NewRouter(lib, &script.Models{Aspect: TrainAspectsWith(trD, RouterFeatures)}), false, teD, "de-duplicated", ptr(st.Dropped())})
	} else {
		// training data absent: the keyword router (no training) is still
		// evaluated, the model variant is reported skipped.
		skip.Task = "routing (keyword+model)"
		out = append(out, *skip)
	}
	variants = append(variants, variant{"keyword only (what ships embedded)", script.NewRouter(lib, nil), true, nil, "", nil})
	split := splitLabel(o, "held-out 25% by id hash", tef, trf)
	for _, v := range variants {
		counts := map[string]*Counts{}
		for _, a := range script.Aspects {
			counts[a.ID] = &Counts{}
		}
		vt := test
		if v.test != nil {
			vt = v.test
		}
		for _, rv := range vt {
			res := v.r.Suggest(rv.Text)
			got := map[string]bool{}
			for _, s := range res.Suggestions {
				if s.Confidence < 0.5 {
					continue
				}
				for _, a := range script.Aspects {
					for _, sid := range a.Scenarios {
						if sid == s.Scenario {
							got[a.ID] = true
						}
					}
				}
			}
			for _, a := range script.Aspects {
				counts[a.ID].Add(got[a.ID], AspectTruth(rv, a))
			}
		}
		for _, a := range script.Aspects {
			tgt, ok := RoutingTargets[a.ID]
			target := "(no target)"
			if ok {
				target = fmt.Sprintf("F1 ≥ %.2f", tgt)
			}
			sp := split
			if v.r.Models() == nil && o.Separate() {
				sp = splitLabel(o, "", tef, nil)
			}
			r := fromCounts("routing/"+a.ID, ds, sp, *counts[a.ID], target, !ok || counts[a.ID].F1() >= tgt)
			r.Note = v.name + "; aspect " + a.Category + " detected irrespective of polarity"
			r.Variant, r.Dropped = v.tag, v.drop
			if v.tag != "" && ok {
				r.Issue = 16
			}
			if !ok {
				r.Met = nil
			}
			if v.ref {
				r.Met = nil
				r.Target = "(reference)"
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// AspectTruth reports whether review r carries aspect a (quality = 功效 or
// 使用体验).
func AspectTruth(r AspectReview, a script.Aspect) bool {
	if a.ID == "quality" {
		return r.Categories["功效"] || r.Categories["使用体验"]
	}
	return r.Categories[a.Category]
}

func evalOffensive(o Options) ([]Result, error) {
	const task, ds = "offensive", ColdSet
	var (
		dev  []Labelled
		rels []string
		err  error
	)
	split := "official dev (model trained on official train)"
	if o.Separate() {
		dev, rels, err = LoadCOLDFiles(o.Data)
		split = splitLabel(o, "", rels, nil) + " (embedded model, trained on the official COLD train of the development data)"
	} else {
		dev, rels, err = withFiles(LoadCOLD(o.Data, "dev"))("cold_dev.csv")
	}
	if err != nil {
		return handle(task, ds, err)
	}
	d := abuse.New()
	if !d.HasModel() {
		return nil, errors.New("offensive: no embedded COLD model; run `go generate ./internal/abuse`")
	}
	const goal = "accuracy ≥ 0.85, offensive F1 ≥ 0.83"
	goalMet := func(c Counts) bool { return c.Accuracy() >= 0.85 && c.F1() >= 0.83 }
	c := scoreCold(d, dev)
	res := fromCounts(task, ds, split, c, goal, goalMet(c))
	res.Accuracy, res.Issue = ptr(round4(c.Accuracy())), 16
	res.Note = "lexicon + embedded logistic regression (hashed char 1–3-grams, group names masked, Platt-calibrated, flags P ≥ 2/3, withheld on counter-speech; Apache-2.0 data)"
	out := []Result{res}

	// training split: the official train of the same folder, or every COLD
	// file of --train
	var train []Labelled
	var trels []string
	if o.Separate() {
		train, trels, err = LoadCOLDFiles(o.Train)
	} else {
		train, trels, err = withFiles(LoadCOLD(o.Train, "train"))("cold_train.csv")
	}
	if errors.Is(err, ErrNoData) {
		out = append(out, skipTrain("offensive (retrained on --train)", ds, err))
	} else if err != nil {
		return nil, err
	}
	if train != nil {
		_, devD, st := Dedup(train, dev, func(x Labelled) string { return x.Text })
		cd := scoreCold(d, devD)
		rd := fromCounts(task, ds, split, cd, goal, goalMet(cd))
		rd.Variant, rd.Accuracy, rd.Dropped, rd.Issue = "de-duplicated", ptr(round4(cd.Accuracy())), ptr(st.Dropped()), 16
		rd.Note = st.String()
		out = append(out, rd)

		before := abuse.NewWithModel(nil)
		nb := TrainColdNB(train)
		var cb Counts
		for _, r := range devD {
			hit := len(before.Scan(r.Text)) > 0
			if !hit && textnorm.HanCount(r.Text) >= 8 {
				hit = nb.Positive(r.Text)
			}
			cb.Add(hit, r.Label)
		}
		rb := fromCounts(task, ds, split, cb, "(before)", true)
		rb.Met, rb.Variant, rb.Accuracy, rb.Dropped = nil, "before: lexicon + naive Bayes (issue 5), de-duplicated", ptr(round4(cb.Accuracy())), ptr(st.Dropped())
		rb.Note = "the model embedded before issue 16, retrained in memory on the same training split"
		out = append(out, rb)

		if o.Separate() {
			rc := scoreCold(abuse.NewWithModel(TrainCold(train)), dev)
			rr := fromCounts("offensive (retrained on --train)", ds, splitLabel(o, "", rels, trels), rc, "(reference)", true)
			rr.Met, rr.Accuracy = nil, ptr(round4(rc.Accuracy()))
			rr.Note = "lexicon + logistic regression trained on all of --train (calibrated on 1 in 10 of it)"
			out = append(out, rr)
		}

	}
	if train != nil && !o.Separate() {
		cv, accs := ColdCV(train, 5)
		rcv := fromCounts(task, ds, "5-fold CV on "+files(trels), cv, "(reference: generalisation within train)", true)
		rcv.Met, rcv.Variant, rcv.Accuracy = nil, "5-fold cross-validation on train", ptr(round4(cv.Accuracy()))
		rcv.Note = fmt.Sprintf("folds by id hash; accuracy per fold %v", accs)
		out = append(out, rcv)
	}

	// calibration of the shipped model on the evaluated split
	probs, truth := make([]float64, len(dev)), make([]bool, len(dev))
	for i, r := range dev {
		probs[i], truth[i] = d.Probability(r.Text), r.Label
	}
	cal := CalibrationOf(probs, truth)
	out = append(out, Result{Task: task, Variant: "calibration", Dataset: ds, Split: split, N: len(dev), Target: "(reference: Brier, reliability)", Note: cal.String()})

	// the anti-bias regression sets (written for this project)
	for _, set := range []struct {
		name, file string
		s          []abuse.AntiBiasSentence
		goal       bool
	}{
		{"anti-bias regression set", "antibias_zh.txt", abuse.AntiBias(), true},
		{"anti-bias check set (written after the model was chosen)", "antibias_zh_b.txt", abuse.AntiBiasB(), false},
		{"anti-bias check set C (written before the identity-masked model and the counter-speech rule)", "antibias_zh_c.txt", abuse.AntiBiasC(), false},
		{"anti-bias check set D (written after the identity-masked model and the counter-speech rule)", "antibias_zh_d.txt", abuse.AntiBiasD(), false},
	} {
		fl, n, flags := AntiBiasShare(d, set.s)
		rate := round4(float64(fl) / float64(max(n, 1)))
		met := rate <= 0.10
		r := Result{Task: task, Variant: set.name, Dataset: "internal/abuse/testdata/" + set.file, Split: "hand-written sentences (not from the data)" + map[bool]string{true: ", reported beside " + splitLabel(o, "", rels, nil)}[o.Separate()],
			N: n, FP: fl, Rate: &rate, Target: "≤ 10% flagged", Met: &met, Issue: 16, Flags: flags,
			Note: "sentences mentioning a group (gender, region, race, LGBT) neutrally or in its defence; every flag listed with -v"}
		if !set.goal {
			r.Met, r.Issue, r.Target = nil, 0, "(reference: ≤ 10% flagged)"
		}
		out = append(out, r)
	}
	return out, nil
}

func ptr[T any](x T) *T { return &x }

// withFiles adds the file list to a Load… result that has none.
func withFiles[T any](xs []T, err error) func(rel string) ([]T, []string, error) {
	return func(rel string) ([]T, []string, error) { return xs, []string{rel}, err }
}

// evalLint measures the agent-reply lint's flag rate on every real agent
// reply the ECD sample holds: the responses of all rows (a label-0 row's
// response is a real reply from another dialogue) and the context turns
// inferred to be the agent's, de-duplicated by normalised text (a text also
// seen as a buyer turn is left out: its role is uncertain). The responses
// alone (135 distinct) were the sample before: too few to resolve 0.5 %.
func evalLint(o Options) ([]Result, error) {
	ds, rels, err := LoadECDFiles(o.Data)
	if err != nil {
		return handle("lint", ECDSet, err)
	}
	l := lint.New(script.Default())
	d := abuse.New()
	buyerKey := map[string]bool{}
	for _, x := range ds {
		for _, t := range x.Context {
			if t.Role == "buyer" {
				buyerKey[textnorm.Key(t.Text)] = true
			}
		}
	}
	type reply struct{ id, text string }
	var replies []reply
	seen := map[string]bool{}
	total, respN, respFlag := 0, 0, 0
	respSeen := map[string]bool{}
	add := func(id, text string, response bool) {
		k := textnorm.Key(text)
		if k == "" {
			return
		}
		total++
		if response && !respSeen[text] {
			respSeen[text] = true // as before: distinct raw response texts
			respN++
			if len(l.Lint(text)) > 0 {
				respFlag++
			}
		}
		if seen[k] || buyerKey[k] {
			return
		}
		seen[k] = true
		replies = append(replies, reply{id, text})
	}
	for _, x := range ds {
		add(x.ContextID+"/response", x.Response.Text, true)
		for i, t := range x.Context {
			if t.Role == "seller" {
				add(fmt.Sprintf("%s/turn-%d", x.ContextID, i+1), t.Text, false)
			}
		}
	}
	n, flagged := len(replies), 0
	var flags []string
	for _, r := range replies {
		if fs := l.Lint(r.text); len(fs) > 0 {
			flagged++
			var parts []string
			for _, f := range fs {
				parts = append(parts, f.RuleID+" «"+f.Text+"»")
			}
			flags = append(flags, r.id+": "+r.text+" → "+strings.Join(parts, ", "))
		}
	}
	buyerN, buyerFlag := 0, 0
	var buyerFlags []string
	for _, x := range ds {
		if x.Label != 1 {
			continue
		}
		for _, t := range x.Context {
			if t.Role != "buyer" {
				continue
			}
			buyerN++
			if fs := d.Scan(t.Text); len(fs) > 0 {
				buyerFlag++
				buyerFlags = append(buyerFlags, x.ContextID+": "+t.Text+" → "+fs[0].RuleID+" «"+fs[0].Text+"»")
			}
		}
	}
	rate := round4(float64(flagged) / float64(max(n, 1)))
	lo, hi := wilson(flagged, n)
	met := rate <= 0.005 // issue 16: a lint a team keeps switched on (was ≤ 1 %)
	r1 := Result{Task: "lint", Dataset: ECDSet, Issue: 16, Split: splitLabel(o, "all distinct real agent replies (responses + agent context turns)", rels, nil), N: n, FP: flagged,
		Dropped: ptr(total - n), Rate: &rate, Target: "≤ 0.5% flagged", Met: &met, Flags: flags,
		Note: fmt.Sprintf("%d agent replies read, %d distinct by normalised text (roles of context turns are inferred); 95%% interval of the rate %.2f%%–%.2f%%; the goal allows %d flag(s) in %d replies, so the sample barely resolves 0.5%%; every flag listed (each must be justified)",
			total, n, lo*100, hi*100, int(0.005*float64(n)), n)}
	rrate := round4(float64(respFlag) / float64(max(respN, 1)))
	r0 := Result{Task: "lint", Variant: "responses only (the sample before)", Dataset: ECDSet, Split: splitLabel(o, "distinct response texts", rels, nil), N: respN, FP: respFlag, Rate: &rrate,
		Target: "(reference)"}
	// the lint on the customers' turns: more ordinary chat text of the same
	// dialogues (a reference; a customer's 不知道 is not a brush-off)
	bl, blN, blFlag := map[string]bool{}, 0, 0
	var blFlags []string
	for _, x := range ds {
		for i, t := range x.Context {
			k := textnorm.Key(t.Text)
			if t.Role != "buyer" || k == "" || bl[k] || seen[k] {
				continue
			}
			bl[k] = true
			blN++
			if fs := l.Lint(t.Text); len(fs) > 0 {
				blFlag++
				blFlags = append(blFlags, fmt.Sprintf("%s/turn-%d: %s → %s «%s»", x.ContextID, i+1, t.Text, fs[0].RuleID, fs[0].Text))
			}
		}
	}
	blRate := round4(float64(blFlag) / float64(max(blN, 1)))
	rb := Result{Task: "lint", Variant: "customers' turns (reference: ordinary chat)", Dataset: ECDSet, Split: splitLabel(o, "distinct buyer turns", rels, nil), N: blN, FP: blFlag, Rate: &blRate,
		Target: "(reference)", Flags: blFlags}
	brate := round4(float64(buyerFlag) / float64(max(buyerN, 1)))
	r2 := Result{Task: "abuse/buyer-turns", Dataset: ECDSet, Split: splitLabel(o, "buyer turns of true dialogues", rels, nil), N: buyerN, FP: buyerFlag,
		Rate: &brate, Target: "(reference: ordinary buyer turns)", Flags: buyerFlags}
	return append([]Result{r1, r0, rb, r2}, lintLists(o, rels, l)...), nil
}

// lintLists measures the lint on its hand-written lists (not from the
// data): brush-off recall (issue 16: ≥ 90 %) and the look-alikes flagged.
func lintLists(o Options, rels []string, l *lint.Linter) []Result {
	beside := map[bool]string{true: ", reported beside " + splitLabel(o, "", rels, nil)}[o.Separate()]
	caught := 0
	for _, d := range lint.BrushOffExamples {
		for _, f := range l.Lint(d) {
			if lint.IsBrushOff(f) {
				caught++
				break
			}
		}
	}
	n := len(lint.BrushOffExamples)
	rec := round4(float64(caught) / float64(max(n, 1)))
	met := n >= 50 && rec >= 0.9
	flagged := 0
	var flags []string
	for _, d := range lint.LookAlikeExamples {
		if fs := l.Lint(d); len(fs) > 0 {
			flagged++
			flags = append(flags, d+" → "+fs[0].RuleID+" «"+fs[0].Text+"»")
		}
	}
	rate := round4(float64(flagged) / float64(max(len(lint.LookAlikeExamples), 1)))
	return []Result{
		{Task: "lint/brush-off-recall", Issue: 16, Dataset: "internal/lint (hand-written list)", Split: "brush-off phrasings from the seed's × examples" + beside, RecallOnly: true,
			N: n, TP: caught, FN: n - caught, Recall: rec, Target: "≥ 50 phrasings, ≥ 90% caught", Met: &met},
		{Task: "lint/look-alikes", Dataset: "internal/lint (hand-written list)", Split: "ordinary replies sharing words with the forms" + beside, N: len(lint.LookAlikeExamples), FP: flagged,
			Rate: &rate, Target: "(reference: none flagged)", Flags: flags},
	}
}

// wilson is the 95 % Wilson score interval of k successes in n.
func wilson(k, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.96
	p, nf := float64(k)/float64(n), float64(n)
	den := 1 + z*z/nf
	c := (p + z*z/(2*nf)) / den
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return math.Max(0, c-h), math.Min(1, c+h)
}

// BrandLexicon builds the brand set used in evaluation: the gazetteer plus
// the BRAND spans of the training titles, minus names that the training
// titles tag as PRODUCT more often than as BRAND.
func BrandLexicon(gaz []string, train []Title) *listing.BrandSet {
	brand, product := map[string]int{}, map[string]int{}
	for _, t := range train {
		for _, e := range t.Entities {
			k := textnorm.String(e.Text)
			switch e.Type {
			case "BRAND":
				brand[k]++
			case "PRODUCT", "MODEL", "MISC":
				product[k]++
			}
		}
	}
	names := append(notOutvoted(gaz, product, brand), outvoting(brand, product)...)
	// Drop names that, matched over the training titles, are more often not
	// a brand mention than a brand mention (generic words in the gazetteer).
	first := listing.NewBrandSet(names)
	good, bad := map[string]int{}, map[string]int{}
	for _, t := range train {
		spans := map[[2]int]bool{}
		for _, e := range t.Entities {
			if e.Type == "BRAND" {
				spans[[2]int{e.Start, e.End}] = true
			}
		}
		for _, m := range first.Find(textnorm.New(t.Text)) {
			k := textnorm.String(m.Text)
			if spans[[2]int{m.Start, m.End}] {
				good[k]++
			} else {
				bad[k]++
			}
		}
	}
	return listing.NewBrandSet(notOutvoted(names, bad, good))
}

// outvoting lists, sorted, the names counted at least as often in win as
// in lose.
func outvoting(win, lose map[string]int) []string {
	var out []string
	for n, c := range win {
		if lose[n] <= c {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// notOutvoted returns the names, in order, whose normalised form is counted
// no more often in against than in support.
func notOutvoted(names []string, against, support map[string]int) []string {
	var keep []string
	for _, n := range names {
		if k := textnorm.String(n); against[k] <= support[k] {
			keep = append(keep, n)
		}
	}
	return keep
}

// splitTitles splits one folder's titles into the official train and dev
// parts.
func splitTitles(ts []Title) (train, test []Title) {
	for _, t := range ts {
		switch t.Split {
		case "train":
			train = append(train, t)
		case "dev":
			test = append(test, t)
		}
	}
	return train, test
}

func evalBrands(o Options) ([]Result, error) {
	const task, ds = "brands", TitlesSet
	train, test, trf, tef, skip, err := trainTest(o, task, ds, LoadTitleFiles, splitTitles)
	if err != nil || skip != nil {
		return results(skip), err
	}
	gaz, err := LoadGazetteerBrands(o.Train)
	if errors.Is(err, ErrNoData) {
		return []Result{skipTrain(task, GazetteerSet, err)}, nil
	}
	if err != nil {
		return nil, err
	}
	bs := BrandLexicon(gaz, train)
	var c Counts
	for _, t := range test {
		truth := map[[2]int]bool{}
		for _, e := range t.Entities {
			if e.Type == "BRAND" {
				truth[[2]int{e.Start, e.End}] = true
			}
		}
		found := map[[2]int]bool{}
		for _, m := range bs.Find(textnorm.New(t.Text)) {
			found[[2]int{m.Start, m.End}] = true
		}
		for s := range found {
			if truth[s] {
				c.TP++
			} else {
				c.FP++
			}
		}
		for s := range truth {
			if !found[s] {
				c.FN++
			}
		}
	}
	r := fromCounts(task, ds, splitLabel(o, "official dev titles (lexicon from gazetteer + train titles)", tef, trf), c, "precision ≥ 0.6, recall ≥ 0.5", c.Precision() >= 0.6 && c.Recall() >= 0.5)
	r.Note = fmt.Sprintf("exact span match; %d lexicon entries from the --train gazetteer + %d --train titles, built at eval time (data not shippable)", bs.Len(), len(train))
	return []Result{r}, nil
}

func evalExtreme(o Options) ([]Result, error) {
	var out []Result
	ts, rels, err := LoadTitleFiles(o.Data)
	if err != nil {
		for _, task := range []string{"extreme/title-flag-rate", "stuffing/title-flag-rate", "unrelated/title-flag-rate"} {
			r, err := handle(task, TitlesSet, err)
			if err != nil {
				return nil, err
			}
			out = append(out, r...)
		}
	} else {
		out = append(out, titleFlagRates(o, ts, rels)...)
	}
	ws, wrels, err := LoadExtremeTermFiles(o.Data)
	if err != nil {
		r, err := handle("extreme/term-recall", ExtremeSet, err)
		return append(out, r...), err
	}
	c, miss := termRecall(ws)
	r := fromCounts("extreme/term-recall", ExtremeSet, splitLabel(o, "dev list (not used to build the dictionary)", wrels, nil), c, "(reference)", true)
	r.Met = nil
	r.Note = "missed (context-dependent by design or not covered): " + strings.Join(miss, " ")
	out = append(out, r)
	out = append(out, extremeHonest(o, ws, wrels)...)
	return out, nil
}

func titleFlagRates(o Options, ts []Title, rels []string) []Result {
	sc := adlaw.New()
	flagged := 0
	var flags []string
	for _, t := range ts {
		if fs := sc.Scan(t.Text, adlaw.Listing); len(fs) > 0 {
			flagged++
			if len(flags) < 400 {
				flags = append(flags, t.ID+": «"+fs[0].Text+"» in "+t.Text)
			}
		}
	}
	split := splitLabel(o, "all real titles", rels, nil)
	rate := round4(float64(flagged) / float64(max(len(ts), 1)))
	met := rate <= 0.03
	out := []Result{{Task: "extreme/title-flag-rate", Dataset: TitlesSet, Split: split, N: len(ts), FP: flagged, Rate: &rate,
		Target: "≤ 3% of titles flagged", Met: &met, Flags: flags}}
	ls := listing.NewScanner(nil)
	stuffed := 0
	var sflags []string
	for _, t := range ts {
		for _, f := range ls.ScanTitle(listing.Listing{ID: t.ID, Title: t.Text}) {
			if f.Kind == "keyword_stuffing" {
				stuffed++
				if len(sflags) < 400 {
					sflags = append(sflags, t.ID+": «"+f.Text+"» in "+t.Text)
				}
				break
			}
		}
	}
	srate := round4(float64(stuffed) / float64(max(len(ts), 1)))
	out = append(out, Result{Task: "stuffing/title-flag-rate", Dataset: TitlesSet, Split: split, N: len(ts), FP: stuffed, Rate: &srate,
		Target: "(reference: a word repeated ≥ 4 times; low severity, demote)", Flags: sflags})
	unrelated := func(title string) (listing.Finding, bool) {
		for _, f := range ls.ScanTitle(listing.Listing{Title: title}) {
			if f.RuleID == listing.RuleUnrelated {
				return f, true
			}
		}
		return listing.Finding{}, false
	}
	un := 0
	var uflags []string
	for _, t := range ts {
		if f, ok := unrelated(t.Text); ok {
			un++
			uflags = append(uflags, t.ID+": «"+f.Text+"» in "+t.Text)
		}
	}
	urate := round4(float64(un) / float64(max(len(ts), 1)))
	umet := urate <= 0.03
	out = append(out, Result{Task: "unrelated/title-flag-rate", Dataset: TitlesSet, Split: split, N: len(ts), FP: un, Rate: &urate,
		Target: "≤ 3% of titles flagged", Met: &umet, Flags: uflags,
		Note: "product words of an unrelated family (hand-written lexicon of 13 families); every flag listed with -v"})
	// Sensitivity (no labelled data exists): each title with the PRODUCT
	// span of another, pseudo-randomly chosen title appended. Many such
	// pairs are of one family, so this is a reference, not a recall.
	var products []string
	for _, t := range ts {
		for _, e := range t.Entities {
			if e.Type == "PRODUCT" && len([]rune(e.Text)) >= 2 {
				products = append(products, e.Text)
				break
			}
		}
	}
	if len(products) > 0 {
		inj := 0
		for i, t := range ts {
			if _, ok := unrelated(t.Text + " " + products[(i*7919+13)%len(products)]); ok {
				inj++
			}
		}
		irate := round4(float64(inj) / float64(max(len(ts), 1)))
		out = append(out, Result{Task: "unrelated/injected-flag-rate", Dataset: TitlesSet, Split: split + " + another title's PRODUCT word appended", N: len(ts), FP: inj, Rate: &irate,
			Target: "(reference: sensitivity; the appended word is often of the same family)"})
	}
	return out
}

// readmeKey is the normalisation named in the data README: lower case,
// spaces , / - _ . · removed.
func readmeKey(s string) string {
	s = strings.ToLower(s)
	return strings.NewReplacer(" ", "", ",", "", "/", "", "-", "", "_", "", ".", "", "·", "").Replace(s)
}

func evalDuplicates(o Options) ([]Result, error) {
	ts, rels, err := LoadTitleFiles(o.Data)
	if err != nil {
		return handle("duplicates", TitlesSet, err)
	}
	ls := make([]listing.Listing, len(ts))
	truth := map[string][]int{}
	for i, t := range ts {
		ls[i] = listing.Listing{ID: strconv.Itoa(i), Title: t.Text}
		k := readmeKey(t.Text)
		truth[k] = append(truth[k], i)
	}
	groupOf := map[string]int{}
	gs := listing.DuplicateGroups(ls)
	for gi, g := range gs {
		for _, id := range g.IDs {
			groupOf[id] = gi
		}
	}
	var c Counts
	for _, is := range truth {
		if len(is) < 2 {
			continue
		}
		g0, ok := groupOf[strconv.Itoa(is[0])]
		all := ok
		for _, i := range is[1:] {
			if g, ok := groupOf[strconv.Itoa(i)]; !ok || g != g0 {
				all = false
			}
		}
		c.Add(all, true)
	}
	r := fromCounts("duplicates", TitlesSet, splitLabel(o, "all titles", rels, nil), c, "every duplicate group found (recall = 1)", c.FN == 0)
	r.Note = fmt.Sprintf("%d groups under the README normalisation; ours (NFKC, simplified, all separators) finds %d groups, each README group inside one of ours", c.TP+c.FN, len(gs))
	return []Result{r}, nil
}

func evalExtortion(o Options) ([]Result, error) {
	rv, rels, err := LoadReviewFiles(o.Data)
	if err != nil {
		return handle("extortion/hard-negatives", ReviewsSet, err)
	}
	d := abuse.New()
	n, flagged := 0, 0
	var flags []string
	for _, r := range rv {
		if !strings.Contains(r.Text, "差评") && !strings.Contains(r.Text, "投诉") {
			continue
		}
		n++
		for _, f := range d.Scan(r.Text) {
			if f.Kind == "extortion" {
				flagged++
				flags = append(flags, r.ID+": «"+f.Text+"»")
				break
			}
		}
	}
	rate := round4(float64(flagged) / float64(max(n, 1)))
	return []Result{{Task: "extortion/hard-negatives", Dataset: ReviewsSet, Split: splitLabel(o, "reviews", rels, nil) + " mentioning 差评/投诉", N: n, FP: flagged, Rate: &rate,
		Target: "(reference: reviews are not extortion; no labelled extortion data exists)", Flags: flags}}, nil
}

// SaveModels writes the router's models (trained from data that may not be
// shipped) to files in the layout script.LoadModels reads.
func SaveModels(complaint *nbayes.Model, aspects map[string]*nbayes.Model, write func(name string, data []byte) error) error {
	var b bytes.Buffer
	if complaint != nil {
		if _, err := complaint.WriteTo(&b); err != nil {
			return err
		}
		if err := write("complaint.nbm", b.Bytes()); err != nil {
			return err
		}
	}
	for id, m := range aspects {
		b.Reset()
		if _, err := m.WriteTo(&b); err != nil {
			return err
		}
		if err := write("aspect-"+id+".nbm", b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}
