package charlr

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

// toy is a small, separable set: insults against polite remarks, each
// sentence built from a few shared frames so that n-grams must generalise.
func toy() []Doc {
	var docs []Doc
	for _, who := range []string{"你", "客服", "老板", "店家", "卖家", "这人"} {
		for _, bad := range []string{"真是垃圾", "是个废物", "脑子有病", "去死吧"} {
			docs = append(docs, Doc{Text: who + bad, Label: true})
		}
		for _, good := range []string{"真是热心", "服务很好", "回复很快", "谢谢啦"} {
			docs = append(docs, Doc{Text: who + good, Label: false})
		}
	}
	return docs
}

func TestTrainSeparatesUnseenCombinations(t *testing.T) {
	m := Train(toy(), Options{Bits: 12, Epochs: 20})
	for _, c := range []struct {
		text string
		pos  bool
	}{
		{"快递员真是垃圾", true},
		{"那个司机是个废物", true},
		{"快递员服务很好", false},
		{"那个司机回复很快", false},
	} {
		if got := m.Raw(c.text) > 0; got != c.pos {
			t.Errorf("%q: raw %.3f, want positive %v", c.text, m.Raw(c.text), c.pos)
		}
	}
}

func TestFeaturesNormalised(t *testing.T) {
	a, _ := Features("這個 客服 ＡＢＣ", 16, []int{1, 2, 3})
	b, _ := Features("这个客服abc", 16, []int{1, 2, 3})
	if !slices.Equal(a, b) {
		t.Errorf("traditional / full-width / spaced text gives other features:\n%v\n%v", a, b)
	}
	fs, v := Features("好", 16, []int{1, 2, 3})
	// 好, ^好, 好$, ^好$: end marks alone are no features
	if len(fs) != 4 || math.Abs(v-0.5) > 1e-12 {
		t.Errorf("features of one character: %v, value %v", fs, v)
	}
}

func TestWriteReadRoundTripAndReproducible(t *testing.T) {
	docs := toy()
	m := Train(docs, Options{Bits: 12, Epochs: 5, Seed: 3})
	m.Calibrate(docs)
	var a, b bytes.Buffer
	if _, err := m.WriteTo(&a); err != nil {
		t.Fatal(err)
	}
	m2 := Train(docs, Options{Bits: 12, Epochs: 5, Seed: 3})
	m2.Calibrate(docs)
	m2.WriteTo(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same documents, same options: model files differ")
	}
	r, err := Read(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if got, want := r.Prob(d.Text), m.Prob(d.Text); math.Abs(got-want) > 1e-9 {
			t.Errorf("%q: read back %.6f, trained %.6f", d.Text, got, want)
		}
	}
	if r.Prep != "" {
		t.Errorf("no preprocessing set, read back %q", r.Prep)
	}
	m.Prep = "identity-mask"
	var c bytes.Buffer
	m.WriteTo(&c)
	if r, err := Read(bytes.NewReader(c.Bytes())); err != nil || r.Prep != "identity-mask" {
		t.Errorf("prep not read back: %v %+v", err, r)
	}
	if _, err := Read(bytes.NewReader([]byte("nbayes\t1\n"))); err == nil {
		t.Error("a file of another format must not load")
	}
	if _, err := Read(bytes.NewReader(a.Bytes()[:len(a.Bytes())-10])); err == nil {
		t.Error("a truncated file must not load")
	}
}

func TestCalibrateFitsProbabilities(t *testing.T) {
	docs := toy()
	m := Train(docs, Options{Bits: 12, Epochs: 20})
	m.Calibrate(docs)
	if m.A <= 0 {
		t.Fatalf("Platt slope %.3f: higher raw scores must mean higher probability", m.A)
	}
	for _, d := range docs {
		if p := m.Prob(d.Text); (p >= 0.5) != d.Label {
			t.Errorf("%q: calibrated p %.3f", d.Text, p)
		}
	}
}
