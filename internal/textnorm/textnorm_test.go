package textnorm

import "testing"

func TestNormaliseWidthCaseTraditional(t *testing.T) {
	in := "ＮＯ．１ 國家級　最佳產品"
	tx := New(in)
	if tx.Norm != "no.1 国家级 最佳产品" {
		t.Fatalf("norm = %q", tx.Norm)
	}
	// every normalised byte maps back to an original character
	i := indexOf(tx.Norm, "国家级")
	s, e := tx.Span(i, i+len("国家级"))
	if got := tx.OrigSlice(s, e); got != "國家級" {
		t.Fatalf("span %d-%d = %q", s, e, got)
	}
}

func TestKeyIgnoresSeparators(t *testing.T) {
	a := Key("飞利浦 QC-5510/理发器·配件")
	b := Key("飞利浦qc5510理发器配件")
	if a != b {
		t.Fatalf("%q != %q", a, b)
	}
}

func TestMatcherOverlapping(t *testing.T) {
	m := NewMatcher([]string{"最好", "最好用", "好用"})
	hits := m.FindAll(String("这款最好用"))
	seen := map[string]bool{}
	for _, h := range hits {
		seen[m.Pattern(h.Pattern)] = true
	}
	for _, p := range []string{"最好", "最好用", "好用"} {
		if !seen[p] {
			t.Fatalf("missing %s in %v", p, hits)
		}
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
