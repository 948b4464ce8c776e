package adlaw

// Patterns returns the dictionary the scanner's automaton is built from
// (terms, allow-list entries and 最), normalised: the scan benchmark runs a
// bare Aho-Corasick pass over it as its anchor.
func Patterns() []string {
	s := New()
	out := make([]string, s.m.Len())
	for i := range out {
		out[i] = s.m.Pattern(i)
	}
	return out
}
