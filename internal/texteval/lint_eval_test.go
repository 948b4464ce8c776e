package texteval

import (
	"errors"
	"strings"
	"testing"
)

// The lint's flag rate is taken on every distinct agent reply, not only on
// the responses: more replies than the responses alone, every flag listed,
// the de-duplication count and the rate's interval printed.
func TestLintEvalCoversAllAgentReplies(t *testing.T) {
	if _, err := LoadECD(dataDir); errors.Is(err, ErrNoData) {
		t.Skipf("data absent: %v", err)
	}
	rs, err := evalLint(Options{Data: dataDir, Train: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	var all, resp *Result
	for i := range rs {
		switch {
		case rs[i].Task == "lint" && rs[i].Variant == "":
			all = &rs[i]
		case rs[i].Task == "lint":
			resp = &rs[i]
		}
	}
	if all == nil || resp == nil {
		t.Fatalf("lint rows missing: %+v", rs)
	}
	if all.N <= resp.N {
		t.Errorf("all agent replies (%d) should outnumber the distinct responses (%d)", all.N, resp.N)
	}
	if len(all.Flags) != all.FP || all.Met == nil || all.Rate == nil || all.Dropped == nil || all.Issue != 16 {
		t.Errorf("lint row incomplete: %+v", *all)
	}
	if !strings.Contains(all.Note, "95% interval") {
		t.Errorf("note without the rate's interval: %s", all.Note)
	}
	for _, f := range all.Flags {
		t.Log(f)
	}
	t.Logf("lint: %d/%d flagged (%.2f%%); %s; responses only %d/%d", all.FP, all.N, *all.Rate*100, all.Note, resp.FP, resp.N)
}

func TestWilson(t *testing.T) {
	if lo, hi := wilson(0, 100); lo != 0 || hi < 0.03 || hi > 0.04 {
		t.Errorf("wilson(0,100) = %.4f, %.4f", lo, hi)
	}
	if lo, hi := wilson(50, 100); lo > 0.41 || lo < 0.40 || hi < 0.59 || hi > 0.60 {
		t.Errorf("wilson(50,100) = %.4f, %.4f", lo, hi)
	}
}
