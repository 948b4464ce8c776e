package texteval

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/weiquan/weiquan/internal/abuse"
	"github.com/weiquan/weiquan/internal/listing"
	"github.com/weiquan/weiquan/internal/script"
)

// dataDir is ../shared/data seen from the repository root (or
// $WEIQUAN_TEST_DATA, for a worktree elsewhere).
var dataDir = func() string {
	if d := os.Getenv("WEIQUAN_TEST_DATA"); d != "" {
		return d
	}
	return "../../../shared/data"
}()

// TestTargetsOnDevelopmentData runs the whole evaluation on held-out splits
// of ../shared/data and checks every issue-5 target; it skips when the data
// folder is absent.
func TestTargetsOnDevelopmentData(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	rs, err := Run(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	reported := map[string]bool{}
	for _, r := range rs {
		if r.Absent {
			t.Skipf("data absent: %s", r.Note)
		}
		key := r.Task
		if r.Variant != "" {
			key += " [" + r.Variant + "]"
		}
		if r.Met != nil && !*r.Met {
			if knownUnmet[key] {
				rate := "-"
				if r.Rate != nil {
					rate = fmt.Sprintf("%.4f", *r.Rate)
				}
				t.Logf("%s: issue-16 goal %s not met yet (P %.3f R %.3f F1 %.3f rate %s)", key, r.Target, r.Precision, r.Recall, r.F1, rate)
				reported[key] = true
				continue
			}
			rate := "-"
			if r.Rate != nil {
				rate = fmt.Sprintf("%.4f", *r.Rate)
			}
			t.Errorf("%s: target %s not met (P %.3f R %.3f F1 %.3f rate %s)", key, r.Target, r.Precision, r.Recall, r.F1, rate)
		}
	}
	for task := range knownUnmet {
		if !reported[task] {
			t.Errorf("%s is listed as a goal not met yet but is met or not reported: update knownUnmet", task)
		}
	}
}

// knownUnmet are the issue-16 goals that eval measures and prints as "not
// met" today (honest figures on de-duplicated and leave-out splits); the
// test fails as soon as one is met or stops being reported, so the list
// cannot go stale.
// Keys are the task, with " [variant]" for a variant row.
var knownUnmet = map[string]bool{
	"brands/tagger [de-duplicated]":                true,
	"brands/tagger-unseen [leave-brands-out, k=5]": true,
	"lint": true, // 3 of 397 distinct real agent replies flagged (0.76 %, 95 % interval 0.26–2.2 %), each justified: two bare 不知道/不清楚 with no next step, one 百分之百过两天有物流 (a promise about the courier); goal ≤ 0.5 %
}

func TestAbsentData(t *testing.T) {
	rs, err := Run(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if !r.Absent {
			t.Errorf("%s not reported absent", r.Task)
		}
	}
	if _, err := LoadReviews(t.TempDir()); !errors.Is(err, ErrNoData) {
		t.Errorf("want ErrNoData, got %v", err)
	}
}

// TestEmbeddedColdModelIsReproducible retrains the offensive-language model
// from COLD train and compares it byte for byte with the embedded file.
func TestEmbeddedColdModelIsReproducible(t *testing.T) {
	train, err := LoadCOLD(dataDir, "train")
	if errors.Is(err, ErrNoData) {
		t.Skipf("data absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := TrainCold(train).WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), abuse.ColdModel) {
		t.Fatal("internal/abuse/cold.lr.gz differs from a fresh training run: run `go generate ./internal/abuse`")
	}
}

// TestRouterModelsRoundTrip: models written by SaveModels load back and
// move routing (a review the keywords miss is routed by the model).
func TestRouterModelsRoundTrip(t *testing.T) {
	as, err := LoadAspects(dataDir)
	if errors.Is(err, ErrNoData) {
		t.Skipf("data absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	err = SaveModels(nil, TrainAspects(as), func(name string, data []byte) error {
		return os.WriteFile(filepath.Join(dir, name), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := script.LoadModels(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Aspect) != len(script.Aspects) {
		t.Fatalf("loaded %d aspect models", len(m.Aspect))
	}
	text := "用了一周皮肤变得很水润，效果不错"
	kw := script.NewRouter(script.Default(), nil).Suggest(text)
	md := script.NewRouter(script.Default(), m).Suggest(text)
	found := func(r script.Result) bool {
		for _, s := range r.Suggestions {
			if s.Scenario == "poor_quality" {
				return true
			}
		}
		return false
	}
	if found(kw) || !found(md) {
		t.Errorf("efficacy review: keywords %+v, with models %+v", kw.Suggestions, md.Suggestions)
	}
}

func TestSyntheticTitlesReproducible(t *testing.T) {
	real := []Title{{Text: "夏季新款韩版宽松纯棉短袖t恤女"}, {Text: "不锈钢保温杯男女学生便携水杯"}}
	var a, b bytes.Buffer
	if _, err := WriteSyntheticTitles(&a, real, 500, 1); err != nil {
		t.Fatal(err)
	}
	WriteSyntheticTitles(&b, real, 500, 1)
	if !bytes.Equal(a.Bytes(), b.Bytes()) || bytes.Count(a.Bytes(), []byte("\n")) != 500 {
		t.Fatal("synthetic titles not reproducible")
	}
	n := 0
	if err := ReadListings(&a, "jsonl", func(l listing.Listing) error { n++; return nil }); err != nil || n != 500 {
		t.Fatalf("read back %d: %v", n, err)
	}
}
