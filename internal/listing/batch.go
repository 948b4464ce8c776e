package listing

import (
	"math/bits"
	"regexp"
	"strings"
	"unicode/utf8"
)

// SimHash is the 64-bit SimHash of a text's character 3-shingles (over its
// comparison key): bit b is set when more than half of the shingle hashes
// have it. The bits are counted eight at a time in byte lanes (acc[j]
// lane k counts bit 8k+j), flushed before a lane can overflow.
func SimHash(key string) uint64 { return simHash([]byte(key)) }

func simHash(key []byte) uint64 {
	var acc [8]uint64
	var cnt [64]int32
	total, pending := int32(0), 0
	flush := func() {
		for j := range acc {
			for k := 0; k < 8; k++ {
				cnt[8*k+j] += int32(acc[j] >> (8 * k) & 0xFF)
			}
			acc[j] = 0
		}
		pending = 0
	}
	add := func(x uint64) {
		x = mix(x) // FNV-1a over the runes, then spread the bits
		for j := range acc {
			acc[j] += x >> j & 0x0101010101010101
		}
		total++
		if pending++; pending == 255 {
			flush()
		}
	}
	var win [3]rune
	n := 0
	for i := 0; i < len(key); {
		r, size := rune(key[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(key[i:])
		}
		i += size
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
	flush()
	var out uint64
	for b := 0; b < 64; b++ {
		if 2*cnt[b] > total {
			out |= 1 << uint(b)
		}
	}
	return out
}

func runeHash(rs []rune) uint64 {
	x := uint64(14695981039346656037)
	for _, r := range rs {
		x ^= uint64(r)
		x *= 1099511628211
	}
	return x
}

// Hamming is the number of differing bits.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// nearPairs finds pairs of hashes of the same group (shop) within maxDist
// (≤ 3) by banding: four 16-bit bands, so two hashes within 3 bits share at
// least one band exactly. Buckets are arrays (head per band value, next per
// item) capped at capBucket members, so time stays linear on repetitive
// data; a pair sharing several bands is reported once (in its first shared
// band). fn is called with i < j.
func nearPairs(hs []uint64, group []uint64, valid func(i int) bool, maxDist, capBucket int, fn func(i, j int)) {
	const nb = 1 << 20
	head := make([]int32, nb)
	size := make([]int32, nb)
	next := make([]int32, len(hs))
	for band := uint(0); band < 4; band++ {
		for k := range head {
			head[k], size[k] = -1, 0
		}
		for i, h := range hs {
			if !valid(i) {
				continue
			}
			k := mix((h>>(16*band))&0xFFFF^group[i]) & (nb - 1)
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

func sharesEarlierBand(a, b uint64, band uint) bool {
	for e := uint(0); e < band; e++ {
		if (a>>(16*e))&0xFFFF == (b>>(16*e))&0xFFFF {
			return true
		}
	}
	return false
}

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return x
}

func fnv64(s string) uint64 {
	x := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	return x
}

func fnvBytes(s []byte) uint64 {
	x := uint64(14695981039346656037)
	for _, c := range s {
		x ^= uint64(c)
		x *= 1099511628211
	}
	return x
}

// pairHash hashes (a, b) without building the concatenation.
func pairHash(a, b string) uint64 { return mix(fnv64(a))*31 ^ fnv64(b) }

var (
	reQQ      = regexp.MustCompile(`q币|qq币|腾讯币`)
	reQQMulti = regexp.MustCompile(`[0-9]+\s*(个|q币|qq币|元)`)
	reTopup   = regexp.MustCompile(`(移动|联通|电信)[^,，]{0,8}?(话费|充值|充值卡)`)
)

// appendStripASCIIAlnum appends the comparison key k without its model
// numbers (ASCII letters and digits) to b.
func appendStripASCIIAlnum(b, k []byte) []byte {
	for _, c := range k {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			continue
		}
		b = append(b, c)
	}
	return b
}

var colours = []string{"咖啡", "卡其", "酒红", "藏青", "军绿", "红", "黑", "白", "蓝", "绿", "黄", "紫", "粉", "灰", "棕", "橙", "金", "银", "米"}

// variantBase removes what makes a relisting look new without changing the
// item: "X专用" / "适用于X" / "X通用" (up to five characters of X before the
// word) and colours ("红色"). It reports whether anything was removed.
func variantBase(k string) (string, bool) {
	if !strings.Contains(k, "用") && !strings.Contains(k, "色") {
		return k, false
	}
	rs := []rune(k)
	drop := make([]bool, len(rs))
	changed := false
	for i := 0; i+1 < len(rs); i++ {
		w := string(rs[i : i+2])
		switch {
		case w == "专用" || w == "适用" || w == "通用":
			from := max(i-5, 0)
			to := i + 2
			if w == "适用" && to < len(rs) && rs[to] == '于' {
				to++
			}
			for j := from; j < to; j++ {
				drop[j] = true
			}
			changed = true
		case rs[i+1] == '色':
			for _, c := range colours {
				cr := []rune(c)
				if i+1-len(cr) >= 0 && string(rs[i+1-len(cr):i+1]) == c {
					for j := i + 1 - len(cr); j <= i+1; j++ {
						drop[j] = true
					}
					changed = true
					break
				}
			}
		}
	}
	if !changed {
		return k, false
	}
	var b strings.Builder
	for i, r := range rs {
		if !drop[i] {
			b.WriteRune(r)
		}
	}
	return b.String(), true
}
