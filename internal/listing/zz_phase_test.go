package listing

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/textnorm"
)

func TestTmpPhases(t *testing.T) {
	f, err := os.Open(os.Getenv("BENCHFILE"))
	if err != nil {
		t.Skip()
	}
	var ls []Listing
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l Listing
		json.Unmarshal(sc.Bytes(), &l)
		ls = append(ls, l)
	}
	s := NewScanner(nil)
	for _, n := range []int{100000, 1000000} {
		x := ls[:n]
		t0 := time.Now()
		keys := make([]string, n)
		norms := make([]string, n)
		for i, l := range x {
			norms[i] = textnorm.String(l.Title)
			keys[i] = textnorm.KeyOf(norms[i])
		}
		t1 := time.Now()
		_, dd := duplicateGroups(x, keys)
		_ = dd
		t2 := time.Now()
		hs := make([]uint64, n)
		for i := range x {
			hs[i] = SimHash(keys[i])
		}
		t3 := time.Now()
		shop := make([]uint64, n)
		for i, l := range x {
			shop[i] = fnv64(l.ShopID)
		}
		np := 0
		nearPairs(hs, shop, func(i int) bool { return true }, 3, 32, func(i, j int) { np++ })
		t4 := time.Now()
		s.limits(x, norms, keys)
		t5 := time.Now()
		t.Logf("n=%d norm %v groups %v simhash %v near %v (%d) limits %v", n, t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3), np, t5.Sub(t4))
	}
}
