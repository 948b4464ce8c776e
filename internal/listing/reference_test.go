package listing

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// referenceSimHash is SimHash as first written (closures, a rune window):
// the fast one must give the same bits.
func referenceSimHash(key string) uint64 {
	var cnt [64]int32
	total := int32(0)
	add := func(x uint64) {
		x = mix(x)
		for b := 0; b < 64; b++ {
			cnt[b] += int32(x >> b & 1)
		}
		total++
	}
	var win [3]rune
	n := 0
	for _, r := range key {
		win[0], win[1], win[2] = win[1], win[2], r
		n++
		if n >= 3 {
			add(runeHash(win[:]))
		}
	}
	if n == 0 {
		return 0
	}
	if n < 3 {
		add(runeHash(win[3-n:]))
	}
	var out uint64
	for b := 0; b < 64; b++ {
		if 2*cnt[b] > total {
			out |= 1 << uint(b)
		}
	}
	return out
}

func TestSimHashEqualsReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	pool := []rune("ab1夏季新款连衣裙雪纺红色专用😀\uFFFD")
	for _, k := range []string{"", "a", "ab", "abc", "夏季新款连衣裙", "bad\xffutf8", string(make([]rune, 600))} {
		if got, want := SimHash(k), referenceSimHash(k); got != want {
			t.Fatalf("%q: %x, reference %x", k, got, want)
		}
	}
	for range 5000 {
		rs := make([]rune, rng.IntN(700)) // past 255 shingles: the lanes flush
		for i := range rs {
			rs[i] = pool[rng.IntN(len(pool))]
		}
		if got, want := SimHash(string(rs)), referenceSimHash(string(rs)); got != want {
			t.Fatalf("%q: %x, reference %x", string(rs), got, want)
		}
	}
}

// referenceNearPairs is nearPairs with a dense array of every bucket.
func referenceNearPairs(hs []uint64, group []uint64, valid func(i int) bool, maxDist, capBucket int, fn func(i, j int)) {
	head := make([]int32, nBuckets)
	size := make([]int32, nBuckets)
	next := make([]int32, len(hs))
	for band := uint(0); band < 4; band++ {
		for k := range head {
			head[k], size[k] = -1, 0
		}
		for i, h := range hs {
			if !valid(i) {
				continue
			}
			k := mix((h>>(16*band))&0xFFFF^group[i]) & (nBuckets - 1)
			for j := head[k]; j >= 0; j = next[j] {
				o := hs[j]
				if group[j] != group[i] || Hamming(h, o) > maxDist || sharesEarlierBand(h, o, band) {
					continue
				}
				fn(int(j), i)
			}
			if size[k] < int32(capBucket) {
				next[i] = head[k]
				head[k] = int32(i)
				size[k]++
			}
		}
	}
}

// TestNearPairsEqualsReference: the same pairs in the same order, with
// full buckets (few groups, many near copies) and zero (invalid) hashes.
func TestNearPairsEqualsReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2, 3))
	for _, n := range []int{0, 1, 50, 3000} {
		hs := make([]uint64, n)
		group := make([]uint64, n)
		bases := []uint64{rng.Uint64(), rng.Uint64(), rng.Uint64()}
		for i := range hs {
			h := bases[rng.IntN(len(bases))]
			for range rng.IntN(5) {
				h ^= 1 << rng.IntN(64)
			}
			if rng.IntN(10) == 0 {
				h = 0
			}
			hs[i], group[i] = h, uint64(rng.IntN(3))
		}
		valid := func(i int) bool { return hs[i] != 0 }
		var got, want [][2]int
		nearPairs(hs, group, valid, 3, 32, func(i, j int) { got = append(got, [2]int{i, j}) })
		referenceNearPairs(hs, group, valid, 3, 32, func(i, j int) { want = append(want, [2]int{i, j}) })
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("n=%d: %d pairs, reference %d", n, len(got), len(want))
		}
		if n == 3000 && len(want) < 100 {
			t.Fatalf("the fixture should have many pairs: %d", len(want))
		}
	}
}
