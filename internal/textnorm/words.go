package textnorm

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode"

	"github.com/go-ego/gse"
)

// zhSDict is gse v0.80.3's simplified-Chinese dictionary
// (data/dict/zh/s_1.txt, from jieba), gzipped: the only dictionary Words
// uses. Loading it ourselves instead of through gse.LoadDictEmbed keeps
// gse's other embedded sets (Japanese, traditional, IDF; ~33 MB) out of the
// binary, because nothing reachable refers to them any more.
//
//go:embed dict/zh_s.txt.gz
var zhSDict []byte

// ZhSDictSHA256 is the SHA-256 of the uncompressed dictionary: gse
// v0.80.3's data/dict/zh/s_1.txt byte for byte.
const ZhSDictSHA256 = "2b3063ec552327520bee3c0c5819d6e131ab3db50a60b94641ec90f611c24bcd"

// zhSText returns the uncompressed dictionary, checking its digest.
func zhSText() (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(zhSDict))
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return "", err
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != ZhSDictSHA256 {
		return "", fmt.Errorf("textnorm: embedded dictionary digest %x, want %s", sum, ZhSDictSHA256)
	}
	return string(b), nil
}

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

// LoadWords loads the word segmenter (gse with the simplified Chinese
// dictionary embedded here, jieba's, ~350k words) on first call and returns how
// long that load took and its error; later calls return at once with the
// same figures. Words calls it, so nothing pays for the dictionary until a
// word-feature model is used (serve start-up is not slowed).
func LoadWords() (time.Duration, error) {
	segOnce.Do(func() {
		t0 := time.Now()
		seg.SkipLog = true
		var dict string
		if dict, segErr = zhSText(); segErr == nil {
			segErr = seg.LoadDictStr(dict) // what LoadDictEmbed("zh_s") does with gse's copy
		}
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
