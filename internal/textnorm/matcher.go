package textnorm

import "math"

// Matcher finds many patterns in one pass: an Aho-Corasick automaton over
// the bytes of the normalised text, compiled to a dense DFA over byte
// classes (the bytes the patterns use; every other byte is one class), with
// each state's matches (its own patterns, then those of its failure chain,
// longest first) in one flat array. A search is one table lookup per byte
// and allocates only the hits it returns. Patterns are normalised when the
// matcher is built. (The automaton is checked against the
// petar-dambovaliev/aho-corasick library, which the scan benchmark also uses
// as its anchor.)
type Matcher struct {
	patterns []string
	n        int
	class    [256]uint8
	nclass   int
	// delta[s + class] is the next state, premultiplied (state × nclass),
	// with the sign bit set when that state has matches: a search step is
	// two loads, a mask and a sign test.
	delta []int32
	outAt []int32 // state → first index in out; outAt[state+1] ends it
	out   []int32 // pattern indices
	plen  []int32 // pattern byte lengths
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
	m := &Matcher{patterns: make([]string, len(patterns)), n: len(patterns), plen: make([]int32, len(patterns))}
	used := [256]bool{}
	for i, p := range patterns {
		m.patterns[i] = String(p)
		m.plen[i] = int32(len(m.patterns[i]))
		for k := 0; k < len(m.patterns[i]); k++ {
			used[m.patterns[i][k]] = true
		}
	}
	m.nclass = 1 // class 0: bytes no pattern uses
	for b := 0; b < 256; b++ {
		if used[b] {
			m.class[b] = uint8(m.nclass)
			m.nclass++
		}
	}
	if m.nclass > 256 {
		panic("textnorm: more than 255 byte classes")
	}
	// trie (children in the dense table, -1 = none), own matches per node
	nc := m.nclass
	delta := make([]int32, nc)
	for k := range delta {
		delta[k] = -1
	}
	own := [][]int32{nil}
	for i, p := range m.patterns {
		if p == "" {
			continue
		}
		s := int32(0)
		for k := 0; k < len(p); k++ {
			c := int32(m.class[p[k]])
			nx := delta[s*int32(nc)+c]
			if nx < 0 {
				nx = int32(len(own))
				own = append(own, nil)
				for range nc {
					delta = append(delta, -1)
				}
				delta[s*int32(nc)+c] = nx
			}
			s = nx
		}
		own[s] = append(own[s], int32(i))
	}
	// breadth-first: failure links, missing edges, inherited matches
	states := len(own)
	fail := make([]int32, states)
	matches := make([][]int32, states)
	matches[0] = own[0]
	queue := make([]int32, 0, states)
	for c := 0; c < nc; c++ {
		if nx := delta[c]; nx < 0 {
			delta[c] = 0
		} else {
			fail[nx] = 0
			queue = append(queue, nx)
		}
	}
	for q := 0; q < len(queue); q++ {
		s := queue[q]
		matches[s] = append(append([]int32(nil), own[s]...), matches[fail[s]]...)
		for c := 0; c < nc; c++ {
			i := s*int32(nc) + int32(c)
			f := delta[fail[s]*int32(nc)+int32(c)]
			if nx := delta[i]; nx < 0 {
				delta[i] = f
			} else {
				fail[nx] = f
				queue = append(queue, nx)
			}
		}
	}
	for i, nx := range delta {
		v := nx * int32(nc)
		if len(matches[nx]) > 0 {
			v |= math.MinInt32
		}
		delta[i] = v
	}
	m.delta = delta
	m.outAt = make([]int32, states+1)
	for s := 0; s < states; s++ {
		m.outAt[s+1] = m.outAt[s] + int32(len(matches[s]))
		m.out = append(m.out, matches[s]...)
	}
	return m
}

// Len is the number of patterns.
func (m *Matcher) Len() int { return m.n }

// Pattern returns the normalised pattern i.
func (m *Matcher) Pattern(i int) string { return m.patterns[i] }

// FindAll returns every (overlapping) occurrence in the normalised text s,
// in order of end offset (longest first at one end).
func (m *Matcher) FindAll(s string) []Hit { return m.AppendAll(nil, s) }

// AppendAll appends the hits of FindAll(s) to out (a caller's buffer,
// reused from text to text) and returns it.
func (m *Matcher) AppendAll(out []Hit, s string) []Hit {
	if m.n == 0 || s == "" {
		return out
	}
	at := int32(0) // the state, premultiplied
	delta, class := m.delta, &m.class
	for i := 0; i < len(s); i++ {
		v := delta[at+int32(class[s[i]])]
		at = v & math.MaxInt32
		if v < 0 {
			st := at / int32(m.nclass)
			for _, p := range m.out[m.outAt[st]:m.outAt[st+1]] {
				out = append(out, Hit{Pattern: int(p), Start: i + 1 - int(m.plen[p]), End: i + 1})
			}
		}
	}
	return out
}
