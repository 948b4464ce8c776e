package listing

import (
	"strings"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// BrandSet finds brand mentions in titles (one Aho-Corasick pass, the
// longest match at each position wins). Brand lists come from data whose
// licence does not allow shipping, so a BrandSet is built at run time from
// a list the caller supplies.
type BrandSet struct {
	m     *textnorm.Matcher
	names []string
}

// Mention is a brand found in a title (rune offsets).
type Mention struct {
	Start, End int
	Text       string
}

// NewBrandSet builds a set from names; names shorter than two characters
// (or two ASCII letters) are dropped as too ambiguous.
func NewBrandSet(names []string) *BrandSet {
	var keep []string
	seen := map[string]bool{}
	for _, n := range names {
		k := textnorm.String(strings.TrimSpace(n))
		if utf8.RuneCountInString(k) < 2 || seen[k] {
			continue
		}
		if isASCII(k) && len(k) < 3 {
			continue
		}
		seen[k] = true
		keep = append(keep, k)
	}
	return &BrandSet{m: textnorm.NewMatcher(keep), names: keep}
}

// Len is the number of brands.
func (b *BrandSet) Len() int { return len(b.names) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Find returns the brand mentions of a normalised title: leftmost, then
// longest, non-overlapping; ASCII names must not be glued to other letters.
func (b *BrandSet) Find(tx *textnorm.Text) []Mention {
	hits := b.m.FindAll(tx.Norm)
	n := tx.Norm
	best := map[int]int{} // start → end
	for _, h := range hits {
		p := b.names[h.Pattern]
		if isASCII(p) && ((h.Start > 0 && isLetter(n[h.Start-1])) || (h.End < len(n) && isLetter(n[h.End]))) {
			continue
		}
		if e, ok := best[h.Start]; !ok || h.End > e {
			best[h.Start] = h.End
		}
	}
	var out []Mention
	last := -1
	for i := 0; i < len(n); i++ {
		e, ok := best[i]
		if !ok || i < last {
			continue
		}
		last = e
		s, en := tx.Span(i, e)
		out = append(out, Mention{Start: s, End: en, Text: tx.OrigSlice(s, en)})
	}
	return out
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') }
