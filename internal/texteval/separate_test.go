package texteval

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sliceLines copies the lines of src (a file under dataDir) for which keep
// reports true into dst; header lines (the first, when header is set) are
// always kept. edit, when given, rewrites each kept data line.
func sliceLines(t *testing.T, src, dst string, header bool, keep func(i int) bool, edit func(string) string) int {
	t.Helper()
	in, err := os.Open(filepath.Join(dataDir, src))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("data absent (../shared/data): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for i := 0; sc.Scan(); i++ {
		line := sc.Text()
		if header && i == 0 {
			w.WriteString(line + "\n")
			continue
		}
		if !keep(i) {
			continue
		}
		if edit != nil {
			line = edit(line)
		}
		w.WriteString(line + "\n")
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return n
}

// separateFolders builds a training folder and a disjoint evaluation folder
// from slices of ../shared/data; the evaluation files carry other names
// (…_test…), as a held-out folder may.
func separateFolders(t *testing.T) (train, data string) {
	train, data = t.TempDir(), t.TempDir()
	rv := "ecommerce_reviews_sentiment/online_shopping_10_cats_dev.csv"
	sliceLines(t, rv, filepath.Join(train, ReviewsSet, "part.csv"), true, func(i int) bool { return i%10 < 4 }, nil)
	sliceLines(t, rv, filepath.Join(data, ReviewsSet, "online_shopping_10_cats_test.csv"), true, func(i int) bool { return i%10 == 5 }, nil)
	as := "ecommerce_review_aspects_zhijiang2019/reviews_aspects_dev.jsonl"
	sliceLines(t, as, filepath.Join(train, AspectsSet, "a.jsonl"), false, func(i int) bool { return i%4 != 0 }, nil)
	sliceLines(t, as, filepath.Join(data, AspectsSet, "reviews_aspects_test.jsonl"), false, func(i int) bool { return i%4 == 0 }, nil)
	sliceLines(t, "cold_offensive/cold_dev.csv", filepath.Join(data, ColdSet, "cold_test.csv"), true, func(i int) bool { return i%4 == 0 }, nil)
	sliceLines(t, "cold_offensive/cold_train.csv", filepath.Join(train, ColdSet, "cold_part.csv"), true, func(i int) bool { return i%2 == 0 }, nil)
	sliceLines(t, "taobao_cs_dialogue_ecd_sample/ecd_sample_train.jsonl", filepath.Join(data, ECDSet, "ecd_sample_test.jsonl"), false, func(int) bool { return true }, nil)
	ti := "taobao_title_ner/titles_ner_dev.jsonl"
	sliceLines(t, ti, filepath.Join(train, TitlesSet, "t.jsonl"), false, func(i int) bool { return i%5 != 0 }, nil)
	sliceLines(t, ti, filepath.Join(data, TitlesSet, "titles_ner_test.jsonl"), false, func(i int) bool { return i%5 == 0 }, nil)
	for i := 1; i <= 4; i++ {
		f := "brand" + string(rune('0'+i)) + ".txt"
		sliceLines(t, filepath.Join(GazetteerSet, f), filepath.Join(train, GazetteerSet, f), false, func(int) bool { return true }, nil)
	}
	sliceLines(t, "abusive_lexicons/ldnoobw_zh.txt", filepath.Join(data, AbusiveSet, "ldnoobw_zh_test.txt"), false, func(int) bool { return true }, nil)
	sliceLines(t, "adlaw_extreme_words/extreme_words_dev.txt", filepath.Join(data, ExtremeSet, "extreme_words_test.txt"), false, func(i int) bool { return i%2 == 0 }, nil)
	return train, data
}

// TestEvalSeparateFolders: with --train and --data apart, every task is
// evaluated on every file of the evaluation folder (named differently from
// the development files) and trained on the training folder only.
func TestEvalSeparateFolders(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	train, data := separateFolders(t)
	o := Options{Train: train, Data: data}
	if !o.Separate() || (Options{Train: data, Data: data + "/."}).Separate() {
		t.Fatal("Separate: folders misjudged")
	}
	rs, err := RunWith(o)
	if err != nil {
		t.Fatal(err)
	}
	byTask := map[string]Result{}
	for _, r := range rs {
		if r.Absent {
			t.Errorf("%s skipped although its files exist: %s", r.Task, r.Note)
		}
		if !strings.Contains(r.Split, "test") || !strings.Contains(r.Split, "in --data") {
			t.Errorf("%s: split %q does not name the evaluated --data files", r.Task, r.Split)
		}
		if _, ok := byTask[r.Task]; !ok {
			byTask[r.Task] = r
		}
	}
	for _, task := range []string{"complaint", "routing/logistics", "offensive", "offensive (retrained on --train)", "lint", "brands", "extreme/title-flag-rate", "extreme/term-recall", "duplicates", "extortion/hard-negatives"} {
		if _, ok := byTask[task]; !ok {
			t.Errorf("task %s missing", task)
		}
	}
	// figures on the disjoint slice are in the range of the development ones
	if r := byTask["complaint"]; r.F1 < 0.85 || !strings.Contains(r.Split, "part.csv") {
		t.Errorf("complaint on a disjoint folder: %+v", r)
	}
	if r := byTask["routing/logistics"]; r.F1 < 0.6 || !strings.Contains(r.Split, "a.jsonl") {
		t.Errorf("routing on a disjoint folder: %+v", r)
	}
	if r := byTask["brands"]; r.TP == 0 || r.Precision < 0.4 {
		t.Errorf("brands on a disjoint folder: %+v", r)
	}
	if r := byTask["offensive"]; r.N < 1000 || r.Precision < 0.7 {
		t.Errorf("offensive on cold_test.csv: %+v", r)
	}
	if r := byTask["offensive (retrained on --train)"]; r.N != byTask["offensive"].N || r.Precision < 0.7 || !strings.Contains(r.Split, "cold_part.csv") {
		t.Errorf("offensive retrained on --train: %+v", r)
	}

	// Never trained on --data: with every evaluation label inverted the
	// complaint figure collapses (a model fitted on --data would follow
	// the inverted labels and keep a high F1).
	flipped := t.TempDir()
	sliceLines(t, "ecommerce_reviews_sentiment/online_shopping_10_cats_dev.csv", filepath.Join(flipped, ReviewsSet, "x_test.csv"), true,
		func(i int) bool { return i%10 == 5 }, func(line string) string {
			f := strings.SplitN(line, ",", 4)
			if len(f) == 4 {
				f[2] = map[string]string{"0": "1", "1": "0"}[f[2]]
			}
			return strings.Join(f, ",")
		})
	fr, err := evalComplaint(Options{Train: train, Data: flipped})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("complaint F1 %.3f, routing/logistics F1 %.3f, brands P %.3f R %.3f, offensive P %.3f R %.3f (retrained P %.3f R %.3f); inverted labels F1 %.3f",
		byTask["complaint"].F1, byTask["routing/logistics"].F1, byTask["brands"].Precision, byTask["brands"].Recall,
		byTask["offensive"].Precision, byTask["offensive"].Recall, byTask["offensive (retrained on --train)"].Precision, byTask["offensive (retrained on --train)"].Recall, fr[0].F1)
	if len(fr) == 0 {
		t.Fatal("no complaint figure")
	}
	for _, r := range fr {
		if r.F1 > 0.2 {
			t.Errorf("complaint [%s] on inverted --data labels: %+v (trained on --data?)", r.Variant, r)
		}
	}
}

// TestEvalSkipsNameTheMissingFolder: an evaluation folder holding only some
// sets, and a training folder holding none, say per task what is missing.
func TestEvalSkipsNameTheMissingFolder(t *testing.T) {
	train, data := t.TempDir(), t.TempDir()
	sliceLines(t, "ecommerce_review_aspects_zhijiang2019/reviews_aspects_dev.jsonl", filepath.Join(data, AspectsSet, "only_test.jsonl"), false,
		func(i int) bool { return i%8 == 0 }, nil)
	rs, err := RunWith(Options{Train: train, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	var evalSkips, trainSkips, routed int
	for _, r := range rs {
		switch {
		case r.Skipped == "evaluation data absent":
			evalSkips++
			if !strings.Contains(r.Note, data) || !strings.Contains(r.Note, "--data") {
				t.Errorf("%s: skip note does not name the --data folder: %s", r.Task, r.Note)
			}
		case r.Skipped == "training data absent":
			trainSkips++
			if r.Task != "routing (keyword+model)" || !strings.Contains(r.Note, train) || !strings.Contains(r.Note, AspectsSet) {
				t.Errorf("training skip: %+v", r)
			}
		case strings.HasPrefix(r.Task, "routing/"):
			routed++
			if !strings.Contains(r.Note, "keyword only") || !strings.Contains(r.Split, "only_test.jsonl") {
				t.Errorf("routing without training data must be the keyword router on the --data file: %+v", r)
			}
		default:
			t.Errorf("unexpected result %+v", r)
		}
	}
	if trainSkips != 1 || routed == 0 || evalSkips < 6 {
		t.Errorf("skips: %d evaluation, %d training; %d routing figures", evalSkips, trainSkips, routed)
	}
}
