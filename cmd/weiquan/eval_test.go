package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvalSeparateTrainAndData: `eval --train A --data B --json` evaluates
// only what B holds (here the real ECD agent replies and half the extreme
// word list, under held-out-style names), names both folders, and reports
// every other task as skipped because its --data files are absent.
func TestEvalSeparateTrainAndData(t *testing.T) {
	shared := "../../../shared/data"
	if d := os.Getenv("WEIQUAN_TEST_DATA"); d != "" {
		shared = d
	}
	data, train := t.TempDir(), t.TempDir()
	for _, c := range []struct{ src, dst string }{
		{"taobao_cs_dialogue_ecd_sample/ecd_sample_train.jsonl", "taobao_cs_dialogue_ecd_sample/ecd_sample_test.jsonl"},
		{"adlaw_extreme_words/extreme_words_dev.txt", "adlaw_extreme_words/extreme_words_test.txt"},
	} {
		b, err := os.ReadFile(filepath.Join(shared, c.src))
		if errors.Is(err, os.ErrNotExist) {
			t.Skipf("data absent (../shared/data): %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		os.MkdirAll(filepath.Join(data, filepath.Dir(c.dst)), 0o755)
		if err := os.WriteFile(filepath.Join(data, c.dst), []byte(strings.Join(lines[:len(lines)/2], "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"eval", "--train", train, "--data", data, "--json"}, &out, &errb); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	var doc struct {
		Data, Train, Mode string
		Results           []struct {
			Task, Split, Note, Skipped string
			Absent                     bool
			N                          int
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if doc.Data != data || doc.Train != train || !strings.Contains(doc.Mode, "separate") {
		t.Errorf("folders: %+v", doc)
	}
	got := map[string]bool{}
	for _, r := range doc.Results {
		if r.Absent {
			if r.Skipped != "evaluation data absent" || !strings.Contains(r.Note, data) {
				t.Errorf("%s: skip must name the absent --data files: %+v", r.Task, r)
			}
			continue
		}
		got[r.Task] = true
		if r.N == 0 || !strings.Contains(r.Split, "_test.") {
			t.Errorf("%s evaluated on %q (n %d)", r.Task, r.Split, r.N)
		}
	}
	if !got["lint"] || !got["extreme/term-recall"] || !got["lint/brush-off-recall"] || len(got) != 5 {
		t.Errorf("evaluated tasks %v, want lint, abuse/buyer-turns, lint/brush-off-recall, lint/look-alikes, extreme/term-recall", got)
	}

	// the text report says which folders were used and what was skipped
	out.Reset()
	if err := run(context.Background(), []string{"eval", "--train", train, "--data", data}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "trained on: "+train) || !strings.Contains(out.String(), "skipped: evaluation data absent") {
		t.Errorf("text report: %s", out.String())
	}
}

// TestEvalRefusesUnknownColumns: `weiquan eval` on a folder whose COLD file
// has a column it does not know stops with an error naming the column and
// the file, instead of scoring the file by position.
func TestEvalRefusesUnknownColumns(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, "cold_offensive")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "cold_test.csv"), []byte("id,split,topic,source,label,text\n1,test,race,weibo,1,你们都是废物\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"eval", "--train", t.TempDir(), "--data", data}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), `"source"`) || !strings.Contains(err.Error(), "cold_test.csv") || !strings.Contains(err.Error(), "unknown column") {
		t.Fatalf("want an error naming column source of cold_test.csv, got %v\n%s", err, out.String())
	}
}

// TestEvalReportsDedupAndGoals: on a small hand-made COLD folder, a dev
// comment that repeats a training comment (in another width and script)
// is dropped from the de-duplicated figure, the count is printed for the
// task, and the issue-16 goals are listed with met / not met.
func TestEvalReportsDedupAndGoals(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, "cold_offensive")
	os.MkdirAll(dir, 0o755)
	var train, dev strings.Builder
	train.WriteString("id,split,topic,label,text\n")
	bad := []string{"这些人就是垃圾，滚出我们城市", "一群废物，只会拖后腿", "这种人不配活在世上", "全都是骗子和小偷"}
	good := []string{"今天的天气真不错，适合出去走走", "这家店的面条很好吃", "我们周末一起去爬山吧", "谢谢你昨天帮我搬家"}
	id := 0
	for i := 0; i < 10; i++ {
		for _, b := range bad {
			id++
			fmt.Fprintf(&train, "%d,train,region,1,%s%d\n", id, b, i)
		}
		for _, g := range good {
			id++
			fmt.Fprintf(&train, "%d,train,region,0,%s%d\n", id, g, i)
		}
	}
	// dev: one comment repeats training comment 今天的天气真不错，适合出去走走3
	// in full-width digits and traditional characters
	dev.WriteString("id,split,topic,label,text\n9001,dev,region,0,今天的天氣真不錯，適合出去走走３\n9002,dev,region,1,这些人就是垃圾\n9003,dev,region,0,这家店的面条真好吃\n")
	os.WriteFile(filepath.Join(dir, "cold_train.csv"), []byte(train.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "cold_dev.csv"), []byte(dev.String()), 0o644)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"eval", "--data", data, "--train", data}, &out, &errb); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	s := out.String()
	for _, want := range []string{
		"offensive                    dropped 1\n",
		"dropped 1 of 3 test items (1 also in train, 0 repeated within test)",
		"goals of issue 16:",
		"accuracy ≥ 0.85, offensive F1 ≥ 0.83 — offensive [de-duplicated]",
		"≤ 10% flagged — offensive [anti-bias regression set]",
		"before: lexicon + naive Bayes (issue 5), de-duplicated",
		"5-fold cross-validation on train",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	for _, l := range strings.Split(s[strings.Index(s, "goals of issue 16:"):], "\n")[1:] {
		if l != "" && !strings.HasPrefix(l, "  met ") && !strings.HasPrefix(l, "  NOT met ") {
			t.Errorf("goal line without met / NOT met: %q", l)
		}
	}
}
