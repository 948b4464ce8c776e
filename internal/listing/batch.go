package listing

import (
	"bytes"
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
	var w0, w1, w2 rune // the last three runes
	n := 0
	for i := 0; i < len(key); {
		r, size := rune(key[i]), 1
		if c := key[i]; c >= 0xE1 && c <= 0xEC && i+2 < len(key) && key[i+1]&0xC0 == 0x80 && key[i+2]&0xC0 == 0x80 {
			// three bytes (U+1000–U+CFFF, no surrogates or overlong forms
			// there): decoded inline
			r, size = rune(c&0x0F)<<12|rune(key[i+1]&0x3F)<<6|rune(key[i+2]&0x3F), 3
		} else if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(key[i:])
		}
		i += size
		w0, w1, w2 = w1, w2, r
		if n++; n < 3 {
			continue
		}
		// FNV-1a over the three runes, then spread the bits
		x := (((14695981039346656037^uint64(w0))*1099511628211^uint64(w1))*1099511628211 ^ uint64(w2)) * 1099511628211
		x = mix(x)
		const lanes = 0x0101010101010101
		acc[0] += x & lanes
		acc[1] += x >> 1 & lanes
		acc[2] += x >> 2 & lanes
		acc[3] += x >> 3 & lanes
		acc[4] += x >> 4 & lanes
		acc[5] += x >> 5 & lanes
		acc[6] += x >> 6 & lanes
		acc[7] += x >> 7 & lanes
		total++
		if pending++; pending == 255 {
			flushLanes(&acc, &cnt)
			pending = 0
		}
	}
	if n == 0 {
		return 0
	}
	if n < 3 {
		win := [3]rune{w0, w1, w2}
		x := mix(runeHash(win[3-n:]))
		for j := range acc {
			acc[j] += x >> j & 0x0101010101010101
		}
		total++
	}
	flushLanes(&acc, &cnt)
	var out uint64
	for b := 0; b < 64; b++ {
		if 2*cnt[b] > total {
			out |= 1 << uint(b)
		}
	}
	return out
}

// flushLanes adds the byte lanes of acc (acc[j] lane k counts bit 8k+j) to
// cnt and clears them.
func flushLanes(acc *[8]uint64, cnt *[64]int32) {
	for j := range acc {
		a := acc[j]
		for k := 0; k < 8; k++ {
			cnt[8*k+j] += int32(a >> (8 * k) & 0xFF)
		}
		acc[j] = 0
	}
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
	// The buckets are the nBuckets values of k; only the few in use are
	// kept, in an open-addressing table sized to the input (a table of
	// every bucket costs 8 MB to clear and fault in on every scan).
	nv := 0
	for i := range hs {
		if valid(i) {
			nv++
		}
	}
	tsize, shift := 16, uint(28)
	for tsize < 2*nv {
		tsize, shift = tsize<<1, shift-1
	}
	mask := tsize - 1
	keys := make([]uint32, tsize) // bucket k + 1 (0: free slot)
	head := make([]int32, tsize)  // first member + 1 (0: none)
	size := make([]int32, tsize)
	next := make([]int32, len(hs)) // next member + 1
	for band := uint(0); band < 4; band++ {
		clear(keys)
		clear(head)
		clear(size)
		for i, h := range hs {
			if !valid(i) {
				continue
			}
			k := uint32(mix((h>>(16*band))&0xFFFF^group[i])&(nBuckets-1)) + 1
			p := int((k * 0x9E3779B1) >> shift)
			for keys[p] != 0 && keys[p] != k {
				p = (p + 1) & mask
			}
			keys[p] = k
			for j := head[p] - 1; j >= 0; j = next[j] - 1 {
				o := hs[j]
				if group[j] != group[i] || Hamming(h, o) > maxDist || sharesEarlierBand(h, o, band) {
					continue
				}
				fn(int(j), i)
			}
			if size[p] < int32(capBucket) {
				next[i] = head[p]
				head[p] = int32(i) + 1
				size[p]++
			}
		}
	}
}

// nBuckets is the number of band buckets (a power of two).
const nBuckets = 1 << 20

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
	start := 0 // the run of kept bytes being gathered, appended at once
	for i, c := range k {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b = append(b, k[start:i]...)
			start = i + 1
		}
	}
	return append(b, k[start:]...)
}

var colours = []string{"咖啡", "卡其", "酒红", "藏青", "军绿", "红", "黑", "白", "蓝", "绿", "黄", "紫", "粉", "灰", "棕", "橙", "金", "银", "米"}

// appendVariantBase appends variantBase(k) to dst (a caller's buffer):
// the same answer on the bytes of k (valid UTF-8), without converting it
// to runes or allocating; rs and drop are the caller's scratch.
func appendVariantBase(dst, k []byte, rs *[]variantRune) ([]byte, bool) {
	if !bytes.Contains(k, useBytes) && !bytes.Contains(k, colourBytes) {
		return dst, false
	}
	r := (*rs)[:0]
	for i := 0; i < len(k); {
		c, size := rune(k[i]), 1
		if c >= utf8.RuneSelf {
			c, size = utf8.DecodeRune(k[i:])
		}
		r = append(r, variantRune{r: c, at: int32(i), size: int8(size)})
		i += size
	}
	*rs = r
	changed := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i].r, r[i+1].r
		switch {
		case b == '用' && (a == '专' || a == '适' || a == '通'):
			to := i + 2
			if a == '适' && to < len(r) && r[to].r == '于' {
				to++
			}
			for j := max(i-5, 0); j < to; j++ {
				r[j].drop = true
			}
			changed = true
		case b == '色':
			for _, c := range colourRunes {
				if i+1-len(c) < 0 {
					continue
				}
				match := true
				for x, cr := range c {
					if r[i+1-len(c)+x].r != cr {
						match = false
						break
					}
				}
				if match {
					for j := i + 1 - len(c); j <= i+1; j++ {
						r[j].drop = true
					}
					changed = true
					break
				}
			}
		}
	}
	if !changed {
		return dst, false
	}
	for _, x := range r {
		if !x.drop {
			dst = append(dst, k[x.at:int(x.at)+int(x.size)]...)
		}
	}
	return dst, true
}

// variantRune is one rune of appendVariantBase's input.
type variantRune struct {
	r    rune
	at   int32
	size int8
	drop bool
}

var (
	useBytes    = []byte("用")
	colourBytes = []byte("色")
	colourRunes = func() [][]rune {
		out := make([][]rune, len(colours))
		for i, c := range colours {
			out[i] = []rune(c)
		}
		return out
	}()
)

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
