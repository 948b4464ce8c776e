package textnorm

import (
	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// Matcher finds many patterns in one pass (Aho-Corasick automaton over the
// normalised text). Patterns are normalised when the matcher is built.
type Matcher struct {
	ac       ahocorasick.AhoCorasick
	patterns []string
	n        int
}

// Hit is one pattern occurrence: Pattern is its index in the list given to
// NewMatcher; Start and End are byte offsets in the normalised text.
type Hit struct {
	Pattern    int
	Start, End int
}

// NewMatcher builds a matcher for patterns (normalised with String). Empty
// patterns are ignored.
func NewMatcher(patterns []string) *Matcher {
	ps := make([]string, len(patterns))
	for i, p := range patterns {
		ps[i] = String(p)
		if ps[i] == "" {
			ps[i] = "\x00\x00never\x00\x00"
		}
	}
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.StandardMatch, DFA: true})
	return &Matcher{ac: b.Build(ps), patterns: ps, n: len(ps)}
}

// Len is the number of patterns.
func (m *Matcher) Len() int { return m.n }

// Pattern returns the normalised pattern i.
func (m *Matcher) Pattern(i int) string { return m.patterns[i] }

// FindAll returns every (overlapping) occurrence in the normalised text s,
// in order of end offset.
func (m *Matcher) FindAll(s string) []Hit {
	if m.n == 0 || s == "" {
		return nil
	}
	var out []Hit
	it := m.ac.IterOverlapping(s)
	for h := it.Next(); h != nil; h = it.Next() {
		out = append(out, Hit{Pattern: h.Pattern(), Start: h.Start(), End: h.End()})
	}
	return out
}
