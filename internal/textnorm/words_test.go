package textnorm

import (
	"slices"
	"testing"
)

// TestWordsSegmentsWithGse: dictionary words come out whole, punctuation
// is dropped, traditional characters and full-width forms are normalised
// first, and the dictionary is loaded only once.
func TestWordsSegmentsWithGse(t *testing.T) {
	ws := Words("快遞太慢了，包裝破損！客服態度很差")
	for _, w := range []string{"快递", "包装", "破损", "客服", "态度"} {
		if !slices.Contains(ws, w) {
			t.Errorf("%q not segmented out of %v", w, ws)
		}
	}
	for _, w := range ws {
		if w == "，" || w == "!" || w == "！" {
			t.Errorf("punctuation kept: %v", ws)
		}
	}
	if got := Words("ＡＢＣ１２３"); len(got) == 0 || got[0] != "abc123" {
		t.Errorf("full-width latin: %v", got)
	}
	d1, err1 := LoadWords()
	d2, err2 := LoadWords()
	if err1 != nil || err2 != nil || d1 != d2 || d1 <= 0 {
		t.Errorf("LoadWords must load once: %v %v %v %v", d1, d2, err1, err2)
	}
	t.Logf("gse dictionary (%s) loaded in %v", WordSegmenter, d1)
}
