// Package textnorm normalises Chinese marketplace text before matching:
// NFKC (full-width letters, digits and punctuation become half-width),
// lower case, and traditional → simplified characters (OpenCC's t2s table,
// dict/TSCharacters.txt, applied character by character so that every
// normalised byte maps back to one character of the input). Matching runs on the normalised text; spans are
// reported as character (rune) offsets into the original text.
package textnorm

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text is a normalised string with a map back to the original characters.
// The map is built on the first Span (most texts have no finding and never
// need it), so a Text is not safe for concurrent use until Span has been
// called once.
type Text struct {
	Orig  string
	Norm  string
	runeN int
	// origRune[i] is the original rune index of normalised byte i;
	// origRune[len(Norm)] is the number of original runes. nil until the
	// first Span.
	origRune []int32
}

// RuneLen is the number of characters of the original text.
func (t *Text) RuneLen() int { return t.runeN }

// Span maps a byte range [bs, be) of Norm to a rune range [s, e) of Orig.
func (t *Text) Span(bs, be int) (s, e int) {
	if bs < 0 {
		bs = 0
	}
	if be > len(t.Norm) {
		be = len(t.Norm)
	}
	offs := t.offsets()
	s = int(offs[bs])
	if be <= bs {
		return s, s
	}
	e = int(offs[be-1]) + 1
	return s, e
}

// offsets builds the byte → original rune map: every original rune
// contributes as many entries as its normalised form has bytes.
func (t *Text) offsets() []int32 {
	if t.origRune != nil {
		return t.origRune
	}
	offs := make([]int32, 0, len(t.Norm)+1)
	ri := int32(0)
	for _, r := range t.Orig {
		v, multi := mapRune(r)
		n := 0
		if multi == nil {
			n = encLen(v)
		} else {
			for _, x := range multi {
				n += encLen(x)
			}
		}
		for range n {
			offs = append(offs, ri)
		}
		ri++
	}
	t.origRune = append(offs, ri)
	return t.origRune
}

// encLen is the number of bytes utf8.EncodeRune writes for r.
func encLen(r rune) int {
	if n := utf8.RuneLen(r); n > 0 {
		return n
	}
	return 3 // EncodeRune writes RuneError
}

// OrigSlice returns the original characters [s, e).
func (t *Text) OrigSlice(s, e int) string {
	return SliceRunes(t.Orig, s, e)
}

// SliceRunes returns runes [s, e) of str.
func SliceRunes(str string, s, e int) string {
	i, bs, be := 0, -1, len(str)
	for b := range str {
		if i == s {
			bs = b
		}
		if i == e {
			be = b
			break
		}
		i++
	}
	if bs < 0 {
		return ""
	}
	return str[bs:be]
}

// New normalises s.
func New(s string) *Text {
	t := &Text{Orig: s}
	t.Norm, t.runeN = normalise(s)
	return t
}

// normalise returns the normalised form of s and its number of runes.
// A text that normalisation leaves unchanged (most simplified-Chinese
// titles) is returned as it is, without a copy.
func normalise(s string) (string, int) {
	var b strings.Builder
	changed := false
	runes := 0
	t2sOnce.Do(buildT2S)
	tab := t2sTable
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				if !changed {
					changed = true
					b.Grow(len(s))
					b.WriteString(s[:i])
				}
				c += 'a' - 'A'
			}
			if changed {
				b.WriteByte(c)
			}
			i++
			runes++
			continue
		}
		if c >= 0xE3 && c <= 0xE9 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			// three bytes, U+3000–U+9FFF: the Chinese characters, mapped
			// by the t2s table alone (fastTable) without decoding
			r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			if r >= t2sLo {
				if v := tab[r-t2sLo]; v != 0 {
					if !changed {
						changed = true
						b.Grow(len(s) + 8)
						b.WriteString(s[:i])
					}
					b.WriteRune(v)
				} else if changed {
					b.WriteString(s[i : i+3])
				}
				i += 3
				runes++
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		v, multi := mapRune(r)
		if !changed && (multi != nil || v != r || size == 1) { // size 1: an invalid byte becomes U+FFFD
			changed = true
			b.Grow(len(s) + 8)
			b.WriteString(s[:i])
		}
		if changed {
			if multi == nil {
				b.WriteRune(v)
			} else {
				for _, x := range multi {
					b.WriteRune(x)
				}
			}
		}
		i += size
		runes++
	}
	if !changed {
		return s, runes
	}
	return b.String(), runes
}

// mapRune is the normalised form of r: one rune (multi nil), or several.
func mapRune(r rune) (v rune, multi []rune) {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r, nil
	}
	if v, ok := fastTable(r); ok {
		return v, nil
	}
	if r <= 0xFFFF {
		if v := bmpTable()[r]; v >= 0 {
			return v, nil
		}
	}
	rs := Rune(r, nil)
	if len(rs) == 1 {
		return rs[0], nil
	}
	return 0, rs
}

// bmpTable caches Rune for the basic multilingual plane: the normalised
// rune, or -1 when the normalised form is not one rune (㈱ → (株)).
var bmpTable = sync.OnceValue(func() []rune {
	tab := make([]rune, 0x10000)
	for r := range rune(0x10000) {
		if rs := Rune(r, nil); len(rs) == 1 {
			tab[r] = rs[0]
		} else {
			tab[r] = -1
		}
	}
	return tab
})

// String returns the normalised form of s.
func String(s string) string { return New(s).Norm }

// Rune returns the normalised form of one character (usually one rune; NFKC
// may expand, e.g. ㈱ → (株)).
func Rune(r rune, _ []byte) []rune {
	if r < utf8.RuneSelf {
		return []rune{unicode.ToLower(r)}
	}
	if v, ok := fastTable(r); ok {
		return []rune{v}
	}
	out := []rune(norm.NFKC.String(string(r)))
	for i, x := range out {
		x = unicode.ToLower(x)
		if s, ok := t2s(x); ok {
			x = s
		}
		out[i] = x
	}
	return out
}

// fastTable handles the common single-rune cases without allocation.
func fastTable(r rune) (rune, bool) {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return unicode.ToLower(r - 0xFF01 + 0x21), true
	case r == 0x3000:
		return ' ', true
	case r >= 0x3400 && r <= 0x9FFF, r >= 0xF900 && r <= 0xFAFF:
		if r >= 0xF900 {
			return 0, false // compatibility ideographs: NFKC first
		}
		if s, ok := t2s(r); ok {
			return s, true
		}
		return r, true
	}
	return 0, false
}

const t2sLo, t2sHi = 0x3400, 0x9FFF

var (
	t2sOnce  sync.Once
	t2sTable []rune // index r-t2sLo → simplified rune, 0 when unchanged
)

// t2s converts one traditional character to simplified (character level).
func t2s(r rune) (rune, bool) {
	if r < t2sLo || r > t2sHi {
		return 0, false
	}
	t2sOnce.Do(buildT2S)
	s := t2sTable[r-t2sLo]
	return s, s != 0
}

// tsCharacters is OpenCC's traditional → simplified character table
// (TSCharacters.txt, Apache-2.0, as shipped by
// github.com/longbridgeapp/opencc v0.3.13): "trad\tsimp [alternatives]" a
// line. It is all of OpenCC's t2s that applies to one character alone
// (t2s's other dictionary, TSPhrases, has no one-character entry), so the
// table is OpenCC's, rune for rune (TestT2SMatchesOpenCC), without linking
// OpenCC's ~1.1 MB of dictionaries for other conversions.
//
//go:embed dict/TSCharacters.txt
var tsCharacters string

func buildT2S() {
	t2sTable = make([]rune, t2sHi-t2sLo+1)
	t2sTable = t2sFrom(tsCharacters, t2sTable)
}

// t2sFrom fills table from an OpenCC dictionary the way OpenCC reads it
// (github.com/liuzl/da): whole lines only, trimmed, tab-separated; the
// first candidate converts; a later line for the same character wins.
func t2sFrom(dict string, table []rune) []rune {
	for dict != "" {
		line, rest, ok := strings.Cut(dict, "\n")
		if !ok {
			break // OpenCC's reader drops a last line without a newline
		}
		dict = rest
		items := strings.Split(strings.TrimSpace(line), "\t")
		if len(items) < 2 {
			continue
		}
		k := []rune(items[0])
		if len(k) != 1 || k[0] < t2sLo || k[0] > t2sHi {
			continue
		}
		vals := items[1:]
		if len(items) == 2 {
			vals = strings.Fields(items[1])
		}
		var v []rune
		if len(vals) > 0 {
			v = []rune(vals[0])
		}
		if len(v) == 1 && v[0] != k[0] {
			table[k[0]-t2sLo] = v[0]
		} else {
			table[k[0]-t2sLo] = 0
		}
	}
	return table
}

// IsSeparator reports whether r is ignored when comparing titles for
// duplicates: spaces, punctuation and symbols.
func IsSeparator(r rune) bool {
	if r < utf8.RuneSelf {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}
	if r >= 0x4E00 && r <= 0x9FFF {
		return false
	}
	if r <= 0xFFFF {
		return sepTable()[r>>6]>>(r&63)&1 != 0
	}
	return isSeparatorSlow(r)
}

func isSeparatorSlow(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// sepTable is IsSeparator for the basic multilingual plane, one bit a rune.
var sepTable = sync.OnceValue(func() []uint64 {
	tab := make([]uint64, 0x10000/64)
	for r := range rune(0x10000) {
		if isSeparatorSlow(r) {
			tab[r>>6] |= 1 << (r & 63)
		}
	}
	return tab
})

// Key is the comparison key of a title: normalised, without separators.
func Key(s string) string { return KeyOf(String(s)) }

// KeyOf is Key of an already normalised string.
func KeyOf(n string) string { return string(AppendKey(make([]byte, 0, len(n)), n)) }

// AppendKey appends KeyOf(n) to b (a caller's buffer) and returns it.
func AppendKey(b []byte, n string) []byte {
	for i := 0; i < len(n); {
		c := n[i]
		if c < utf8.RuneSelf { // ASCII: letters and digits stay
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				b = append(b, c)
			}
			i++
			continue
		}
		if c >= 0xE4 && c <= 0xE9 && i+2 < len(n) && n[i+1]&0xC0 == 0x80 && n[i+2]&0xC0 == 0x80 {
			// three bytes, U+4000–U+9FFF: from U+4E00 on a Chinese
			// character, never a separator
			if r := rune(c&0x0F)<<12 | rune(n[i+1]&0x3F)<<6 | rune(n[i+2]&0x3F); r >= 0x4E00 {
				b = append(b, n[i:i+3]...)
				i += 3
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(n[i:])
		if !IsSeparator(r) {
			b = append(b, n[i:i+size]...)
		}
		i += size
	}
	return b
}

// HanCount is the number of Chinese characters (IsHan) in s.
func HanCount(s string) int {
	n := 0
	for _, r := range s {
		if IsHan(r) {
			n++
		}
	}
	return n
}

// IsHan reports whether r is a Chinese character (unicode.Han; the
// unified ideographs and extension A without a table search).
func IsHan(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF:
		return true
	}
	return unicode.Is(unicode.Han, r)
}
