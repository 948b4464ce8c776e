package nbayes

import (
	"bytes"
	"testing"
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
