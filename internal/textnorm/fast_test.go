package textnorm

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// referenceNew is New as it was before the unchanged-text fast path and the
// lazy span map: every rune through fastTable or Rune, the map built at once.
func referenceNew(s string) (string, int, []int32) {
	var b strings.Builder
	offs := make([]int32, 0, len(s)+1)
	ri := int32(0)
	var buf [utf8.UTFMax]byte
	put := func(nr rune) {
		n := utf8.EncodeRune(buf[:], nr)
		b.Write(buf[:n])
		for k := 0; k < n; k++ {
			offs = append(offs, ri)
		}
	}
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			put(r)
		default:
			if v, ok := fastTable(r); ok {
				put(v)
			} else {
				for _, nr := range Rune(r, nil) {
					put(nr)
				}
			}
		}
		ri++
	}
	return b.String(), int(ri), append(offs, ri)
}

func checkSame(t *testing.T, s string) {
	t.Helper()
	norm, n, offs := referenceNew(s)
	tx := New(s)
	if tx.Norm != norm || tx.RuneLen() != n {
		t.Fatalf("%q: norm %q (%d runes), reference %q (%d)", s, tx.Norm, tx.RuneLen(), norm, n)
	}
	if got := tx.offsets(); !reflect.DeepEqual(got, offs) {
		t.Fatalf("%q: span map %v, reference %v", s, got, offs)
	}
}

// TestNewEqualsReference: the fast normaliser gives the reference's text
// and span map on every BMP character alone, on hand-written mixtures
// (full width, traditional, compatibility ideographs, expansions, invalid
// UTF-8, astral characters), on random strings and on real titles.
func TestNewEqualsReference(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= 0xFFFF; r++ {
		checkSame(t, "a"+string(r)+"最")
	}
	cases := []string{"", "abc", "ABC", "纯棉T恤", "ＮＯ．１ 國家級　最佳產品", "㈱ＡＢＣ", "豈更車", "ﬁ fl Ⅻ ①", "bad \xff utf8 \xe4\xb8", "😀𠀀𪜶", "\uFFFD", "最好用的【正品】《书》…"}
	for _, c := range cases {
		checkSame(t, c)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pool := []rune("aZ0 ，。、【】《》ＡＱ０國電話最好用㈱豈ﬁ😀\uFFFD·—％")
	for range 20000 {
		rs := make([]rune, rng.IntN(20))
		for i := range rs {
			rs[i] = pool[rng.IntN(len(pool))]
		}
		s := string(rs)
		if rng.IntN(10) == 0 && len(s) > 0 {
			k := rng.IntN(len(s))
			s = s[:k] + s[k+1:] // may cut a character: invalid UTF-8
		}
		checkSame(t, s)
	}
	dir := os.Getenv("WEIQUAN_TEST_DATA") // as in texteval: ../shared/data from the repository root
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data")
	}
	b, err := os.ReadFile(filepath.Join(dir, "taobao_title_ner", "titles_ner_dev.jsonl"))
	if err != nil {
		t.Logf("real titles absent (%v): the hand-written and random cases only", err)
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		checkSame(t, line) // whole JSON lines: titles with their punctuation
	}
}

// TestClassTablesEqualUnicode: IsHan and IsSeparator give unicode's answer
// on every rune.
func TestClassTablesEqualUnicode(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= unicode.MaxRune+1; r++ {
		if IsHan(r) != unicode.Is(unicode.Han, r) {
			t.Fatalf("IsHan(%U)", r)
		}
		want := !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		if r >= utf8.RuneSelf {
			want = !(r >= 0x4E00 && r <= 0x9FFF) && (unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r))
		}
		if IsSeparator(r) != want {
			t.Fatalf("IsSeparator(%U)", r)
		}
	}
}

// TestAppendAllReusesBuffer: AppendAll appends FindAll's hits.
func TestAppendAllReusesBuffer(t *testing.T) {
	m := NewMatcher([]string{"最好", "好用"})
	buf := []Hit{{Pattern: 9}}
	got := m.AppendAll(buf, "最好用")
	if want := append([]Hit{{Pattern: 9}}, m.FindAll("最好用")...); !reflect.DeepEqual(got, want) || len(want) != 3 {
		t.Fatalf("%v, want %v", got, want)
	}
}
