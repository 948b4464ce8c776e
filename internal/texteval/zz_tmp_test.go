package texteval

import (
	"bytes"
	"os"
	"testing"
)

func TestTmpWriteCold(t *testing.T) {
	tr, err := LoadCOLD("../../../shared/data", "train")
	if err != nil {
		t.Skip(err)
	}
	m := TrainCold(tr)
	var b bytes.Buffer
	m.WriteTo(&b)
	os.WriteFile("../abuse/cold.nbm", b.Bytes(), 0o644)
	t.Logf("features %d threshold %v", len(m.W), m.Threshold)
}

func TestTmpRun(t *testing.T) {
	rs, err := Run("../../../shared/data")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		rate := -1.0
		if r.Rate != nil {
			rate = *r.Rate
		}
		t.Logf("%-26s P=%.3f R=%.3f F1=%.3f rate=%.4f n=%d fp=%d %s | %s", r.Task, r.Precision, r.Recall, r.F1, rate, r.N, r.FP, r.Target, r.Note)
		if r.Task == "lint" || r.Task == "abuse/buyer-turns" || r.Task == "extortion/hard-negatives" {
			for _, f := range r.Flags {
				t.Logf("   %s", f)
			}
		}
	}
}
