package textnorm

import (
	"sync"
	"time"
	"unicode"

	"github.com/go-ego/gse"
)

// WordSegmenter names the segmenter and dictionary behind Words; models
// trained on word features record it so that a model is only ever scored
// with the segmentation it was trained with.
const WordSegmenter = "gse-v0.80.3-zh_s"

var (
	segOnce sync.Once
	seg     gse.Segmenter
	segErr  error
	segLoad time.Duration
)

// LoadWords loads the word segmenter (gse with its embedded simplified
// Chinese dictionary, jieba's, ~350k words) on first call and returns how
// long that load took and its error; later calls return at once with the
// same figures. Words calls it, so nothing pays for the dictionary until a
// word-feature model is used (serve start-up is not slowed).
func LoadWords() (time.Duration, error) {
	segOnce.Do(func() {
		t0 := time.Now()
		seg.SkipLog = true
		segErr = seg.LoadDictEmbed("zh_s")
		segLoad = time.Since(t0)
	})
	return segLoad, segErr
}

// Words returns the words of the normalised text (String(text)) in order,
// as cut by gse's dictionary DAG with its HMM for unknown words; tokens
// without a letter or digit (spaces, punctuation) are left out. If the
// dictionary cannot be loaded it returns nil.
func Words(text string) []string {
	if _, err := LoadWords(); err != nil {
		return nil
	}
	var out []string
	for _, w := range seg.Cut(String(text), true) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, w)
				break
			}
		}
	}
	return out
}
