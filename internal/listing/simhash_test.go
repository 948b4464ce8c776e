package listing

import (
	"math/rand/v2"
	"testing"
)

// simHashByDefinition is SimHash written the plain way: ±1 per bit per
// shingle hash, bit set when the sum is positive.
func simHashByDefinition(key string) uint64 {
	var v [64]int32
	add := func(x uint64) {
		x = mix(x)
		for b := 0; b < 64; b++ {
			v[b] += int32(x>>uint(b)&1)*2 - 1
		}
	}
	rs := []rune(key)
	if len(rs) == 0 {
		return 0
	}
	if len(rs) < 3 {
		add(runeHash(rs))
	}
	for i := 2; i < len(rs); i++ {
		add(runeHash(rs[i-2 : i+1]))
	}
	var out uint64
	for b := 0; b < 64; b++ {
		if v[b] > 0 {
			out |= 1 << uint(b)
		}
	}
	return out
}

// TestSimHashLanesMatchDefinition: the lane-counted SimHash equals the
// definition, on short keys and on keys long enough to flush the lanes.
func TestSimHashLanesMatchDefinition(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	chars := []rune("夏季新款韩版宽松纯棉短袖t恤女学生百搭上衣不锈钢保温杯0123abc")
	for _, n := range []int{0, 1, 2, 3, 4, 10, 40, 254, 255, 256, 257, 600, 1000} {
		for range 20 {
			rs := make([]rune, n)
			for i := range rs {
				rs[i] = chars[rng.IntN(len(chars))]
			}
			if got, want := SimHash(string(rs)), simHashByDefinition(string(rs)); got != want {
				t.Fatalf("len %d %q: %064b want %064b", n, string(rs), got, want)
			}
		}
	}
}
