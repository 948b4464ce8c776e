package nbayes

import (
	"bytes"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/textnorm"
)

func TestTrainReproducibleAndRoundTrip(t *testing.T) {
	docs := []struct {
		s string
		y bool
	}{{"质量太差了退货", true}, {"非常好用推荐", false}, {"快递太慢差评", true}, {"物美价廉很满意", false}}
	build := func() []byte {
		tr := NewTrainer(1, 2)
		for _, d := range docs {
			tr.Add(d.s, d.y)
		}
		var b bytes.Buffer
		tr.Model(1).WriteTo(&b)
		return b.Bytes()
	}
	a, b := build(), build()
	if !bytes.Equal(a, b) {
		t.Fatal("training is not reproducible")
	}
	m, err := Read(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if m.Score("太差了") <= m.Score("很满意") {
		t.Errorf("scores: %v %v", m.Score("太差了"), m.Score("很满意"))
	}
}

// TestWordFeaturesRoundTrip: a model with word features records the
// segmenter in its file, scores identically after reading it back, and a
// file naming another segmenter is refused.
func TestWordFeaturesRoundTrip(t *testing.T) {
	tr := NewTrainer(1)
	tr.Words = true
	tr.Add("快递太慢了，物流三天不动", true)
	tr.Add("物流很快，包装完好", true)
	tr.Add("颜色很漂亮，质量不错", false)
	tr.Add("味道好闻，很滋润", false)
	m := tr.Model(1)
	if !strings.Contains(strings.Join(m.Features("物流太慢"), " "), WordPrefix+"物流") {
		t.Fatalf("no word features: %v", m.Features("物流太慢"))
	}
	var b bytes.Buffer
	m.WriteTo(&b)
	head, _, _ := strings.Cut(b.String(), "\n")
	if !strings.Contains(head, "words="+textnorm.WordSegmenter) {
		t.Fatalf("header %q", head)
	}
	m2, err := Read(bytes.NewReader(b.Bytes()))
	if err != nil || !m2.Words {
		t.Fatalf("read back: %v %+v", err, m2)
	}
	for _, s := range []string{"物流太慢了", "质量很好"} {
		if m.Score(s) != m2.Score(s) {
			t.Errorf("%s: %v vs %v", s, m.Score(s), m2.Score(s))
		}
	}
	if m.Score("物流太慢了") <= m.Score("质量很好") {
		t.Error("word model does not separate the classes")
	}
	bad := strings.Replace(b.String(), "words="+textnorm.WordSegmenter, "words=other-seg", 1)
	if _, err := Read(strings.NewReader(bad)); err == nil {
		t.Error("a model from another segmenter must be refused")
	}
	// character-only models keep their old header (embedded files unchanged)
	c := NewTrainer(1)
	c.Add("差", true)
	b.Reset()
	c.Model(1).WriteTo(&b)
	if strings.Contains(b.String(), "words=") {
		t.Error("character model header mentions words")
	}
}
