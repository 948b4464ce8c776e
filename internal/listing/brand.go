package listing

import (
	"strings"
	"sync"
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

	gramOnce sync.Once
	gramN    map[string]int32
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

// grams counts, over the set's names, their characters by position ("f"
// first, "l" last, "u" any), bigrams ("2") and trigrams ("3"): how much a
// piece of a title looks like a piece of a name, for names the set does
// not hold (欧莉娅 shares 莉 and 娅 with many brand names).
func (b *BrandSet) grams() map[string]int32 {
	if b == nil {
		return nil
	}
	b.gramOnce.Do(func() {
		m := map[string]int32{}
		for _, n := range b.names {
			rs := []rune(n)
			m["f"+string(rs[0])]++
			m["l"+string(rs[len(rs)-1])]++
			for i := range rs {
				m["u"+string(rs[i])]++
				if i+1 < len(rs) {
					m["2"+string(rs[i:i+2])]++
				}
				if i+2 < len(rs) {
					m["3"+string(rs[i:i+3])]++
				}
			}
		}
		b.gramN = m
	})
	return b.gramN
}
