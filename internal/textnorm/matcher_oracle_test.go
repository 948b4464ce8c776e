package textnorm

import (
	"math/rand/v2"
	"testing"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// TestMatcherAgreesWithLibrary: the compiled automaton finds exactly the
// overlapping matches the aho-corasick library finds, in the same order,
// on random texts over random dictionaries that nest and overlap.
func TestMatcherAgreesWithLibrary(t *testing.T) {
	t.Parallel()
	alphabet := []string{"最", "好", "国", "家", "级", "第", "一", "a", "b", "1", "品", "牌"}
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		s := ""
		for range n {
			s += alphabet[rng.IntN(len(alphabet))]
		}
		return s
	}
	for round := 0; round < 200; round++ {
		var pats []string
		for range 1 + rng.IntN(30) {
			pats = append(pats, word(1+rng.IntN(4)))
		}
		m := NewMatcher(pats)
		b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.StandardMatch, DFA: true})
		lib := b.Build(m.patterns)
		for range 20 {
			text := word(rng.IntN(40))
			var want []Hit
			it := lib.IterOverlapping(text)
			for h := it.Next(); h != nil; h = it.Next() {
				want = append(want, Hit{Pattern: h.Pattern(), Start: h.Start(), End: h.End()})
			}
			got := m.FindAll(text)
			if len(got) != len(want) {
				t.Fatalf("patterns %q text %q: got %v want %v", pats, text, got, want)
			}
			for k := range got {
				if got[k] != want[k] {
					t.Fatalf("patterns %q text %q: got %v want %v", pats, text, got, want)
				}
			}
		}
	}
}

func TestMatcherEmptyAndNoPatterns(t *testing.T) {
	t.Parallel()
	if hs := NewMatcher(nil).FindAll("最好"); hs != nil {
		t.Errorf("no patterns: %v", hs)
	}
	m := NewMatcher([]string{"", "最"})
	if hs := m.FindAll("最最"); len(hs) != 2 || hs[0].Pattern != 1 || hs[1].Start != 3 {
		t.Errorf("empty pattern ignored, 最 twice: %v", hs)
	}
}
