package textnorm

import (
	"strings"
	"testing"

	"github.com/longbridgeapp/opencc"
)

// TestT2SMatchesOpenCC: the character table read from the embedded
// TSCharacters.txt is exactly what OpenCC's t2s conversion does to each
// character of the range alone (how the table was built before), so
// normalisation is unchanged.
func TestT2SMatchesOpenCC(t *testing.T) {
	cc, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]rune, t2sHi-t2sLo+1)
	var sb strings.Builder
	for r := rune(t2sLo); r <= t2sHi; r++ {
		sb.WriteRune(r)
		sb.WriteByte('\n')
	}
	out, err := cc.Convert(sb.String())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(out, "\n")
	for i := range want {
		r := rune(t2sLo + i)
		if p := []rune(parts[i]); len(p) == 1 && p[0] != r {
			want[i] = p[0]
		}
	}
	got := t2sFrom(tsCharacters, make([]rune, len(want)))
	changed, diff := 0, 0
	for i := range want {
		if want[i] != 0 {
			changed++
		}
		if got[i] != want[i] {
			if diff++; diff <= 10 {
				t.Errorf("%c (U+%04X): table %q, OpenCC %q", rune(t2sLo+i), t2sLo+i, got[i], want[i])
			}
		}
	}
	if diff > 0 || changed < 2000 {
		t.Fatalf("%d of %d characters differ (OpenCC converts %d)", diff, len(want), changed)
	}
	if s, ok := t2s('體'); !ok || s != '体' {
		t.Errorf("t2s(體) = %q, %v", s, ok)
	}
}
