package texteval

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestTaggerDev measures the brand tagger inside the training split only
// (a fifth of the training titles held out by normalised text, then
// de-duplicated against the rest): the figures settings are chosen on.
// Set WEIQUAN_TAGGER_DEV=1 to run it.
func TestTaggerDev(t *testing.T) {
	if os.Getenv("WEIQUAN_TAGGER_DEV") == "" {
		t.Skip("set WEIQUAN_TAGGER_DEV=1")
	}
	ts, _, err := LoadTitleFiles(dataDir)
	if err != nil {
		t.Skip(err)
	}
	gaz, err := LoadGazetteerBrands(dataDir)
	if err != nil {
		t.Skip(err)
	}
	prods, _ := LoadGazetteerProducts(dataDir)
	train, _ := splitTitles(ts)
	var tr, he []Title
	for _, x := range train {
		if fold(x.Text, 5) == 0 {
			he = append(he, x)
		} else {
			tr = append(tr, x)
		}
	}
	_, he, _ = Dedup(tr, he, func(t Title) string { return t.Text })
	start := time.Now()
	shifts := []float32{-30, -10, -5, 0, 5, 10, 20} // relative to TaggerShiftO
	ct, lt := devCounts(gaz, prods, tr, he, shifts)
	for i, s := range shifts {
		t.Logf("shift %.1f  held %d  tagger P/R %.3f/%.3f  unseen %.3f/%.3f", s, len(he), ct[i].Precision(), ct[i].Recall(), lt[i].Precision(), lt[i].Recall())
	}
	t.Logf("%v", time.Since(start).Round(time.Second))
}

// devCounts is TaggerCounts at several O shifts (cumulative shift values).
func devCounts(gaz, prods []string, train, test []Title, shifts []float32) (ct, lt []Counts) {
	ct, lt = make([]Counts, len(shifts)), make([]Counts, len(shifts))
	tg := TrainBrandTagger(gaz, prods, train)
	if os.Getenv("WEIQUAN_TAGGER_ERR") != "" {
		kinds := map[string]int{}
		for _, t := range test {
			found := tg.Find(t.Text)
			fd := map[[2]int]bool{}
			for _, f := range found {
				fd[f] = true
			}
			rs := []rune(t.Text)
			for _, g := range brandSpans(t) {
				if fd[g] {
					continue
				}
				k := "none"
				for _, f := range found {
					if f[0] < g[1] && g[0] < f[1] {
						k = "overlap"
					}
				}
				w := string(rs[g[0]:g[1]])
				cls := "han"
				for _, r := range w {
					if r < 0x80 {
						cls = "latin/mixed"
					}
				}
				pos := "mid"
				if g[0] == 0 {
					pos = "start"
				}
				kinds[k+" "+cls+" "+pos]++
				if k == "overlap" {
					fmt.Printf("OV %s | gold %s | found %v\n", t.Text, w, found)
				} else if len(kinds)%7 == 0 {
					fmt.Printf("MISS %s | gold %s\n", t.Text, w)
				}
			}
		}
		fmt.Println(kinds)
	}
	prev := float32(0)
	for i, s := range shifts {
		tg.ShiftO(s - prev)
		prev = s
		for _, t := range test {
			spanCounts(&ct[i], tg.Find(t.Text), brandSpans(t), nil)
		}
	}
	const k = 5
	for f := 0; f < k; f++ {
		heldSpans, tr, g := brandFold(train, gaz, f, k)
		ftg := TrainBrandTagger(g, prods, tr)
		prev := float32(0)
		for i, s := range shifts {
			ftg.ShiftO(s - prev)
			prev = s
			for _, t := range test {
				only := heldSpans(t)
				if only == nil {
					continue
				}
				spanCounts(&lt[i], ftg.Find(t.Text), brandSpans(t), only)
			}
		}
	}
	return ct, lt
}

// TestTaggerEval prints the brand-tagger rows of `weiquan eval` (official
// dev titles): set WEIQUAN_TAGGER_EVAL=1.
func TestTaggerEval(t *testing.T) {
	if os.Getenv("WEIQUAN_TAGGER_EVAL") == "" {
		t.Skip("set WEIQUAN_TAGGER_EVAL=1")
	}
	start := time.Now()
	rs, err := evalBrandTagger(Options{Data: dataDir, Train: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		t.Logf("%s [%s] P %.3f R %.3f F1 %.3f (TP %d FP %d FN %d)", r.Task, r.Variant, r.Precision, r.Recall, r.F1, r.TP, r.FP, r.FN)
	}
	t.Logf("%v", time.Since(start).Round(time.Second))
}
