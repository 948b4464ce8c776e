package listing

import (
	"fmt"
	"math/bits"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// Group is a set of listings with the same normalised title.
type Group struct {
	Key string
	IDs []string
}

// DuplicateGroups groups listings (per shop) whose titles are identical
// after normalisation (textnorm.Key: NFKC, lower case, simplified,
// separators removed). Groups of one are omitted. Linear in the input.
func DuplicateGroups(ls []Listing) []Group {
	keys := make([]string, len(ls))
	for i, l := range ls {
		keys[i] = textnorm.Key(l.Title)
	}
	gs, _ := duplicateGroups(ls, keys)
	return gs
}

// duplicateGroups groups by a 64-bit hash of (shop, key) and checks the
// strings, so a hash collision never merges different titles. It also
// returns, per listing, whether an older copy exists.
func duplicateGroups(ls []Listing, keys []string) ([]Group, []bool) {
	first := make(map[uint64]int32, len(ls))
	var members [][]int32 // group → listing indices, only for groups of two or more
	groupOf := map[int32]int32{}
	var spill map[string]int32 // collisions: exact string key → first index
	dup := make([]bool, len(ls))
	for i, l := range ls {
		h := pairHash(l.ShopID, keys[i])
		j, ok := first[h]
		if ok && (ls[j].ShopID != l.ShopID || keys[j] != keys[i]) {
			if spill == nil {
				spill = map[string]int32{}
			}
			sk := l.ShopID + "\x00" + keys[i]
			if j, ok = spill[sk]; !ok {
				spill[sk] = int32(i)
				continue
			}
		} else if !ok {
			first[h] = int32(i)
			continue
		}
		dup[i] = true
		g, ok := groupOf[j]
		if !ok {
			g = int32(len(members))
			groupOf[j] = g
			members = append(members, []int32{j})
		}
		members[g] = append(members[g], int32(i))
	}
	out := make([]Group, 0, len(members))
	for _, m := range members {
		is := make([]int, len(m))
		for k, x := range m {
			is[k] = int(x)
		}
		sortOldest(ls, is)
		g := Group{Key: keys[is[0]], IDs: make([]string, len(is))}
		for k, i := range is {
			g.IDs[k] = ls[i].ID
		}
		out = append(out, g)
	}
	return out, dup
}

func sortOldest(ls []Listing, is []int) {
	sort.SliceStable(is, func(a, b int) bool {
		x, y := ls[is[a]], ls[is[b]]
		if !x.ListedAt.Equal(y.ListedAt) {
			return x.ListedAt.Before(y.ListedAt)
		}
		return x.ID < y.ID
	})
}

// SimHash is the 64-bit SimHash of a text's character 3-shingles (over its
// comparison key).
func SimHash(key string) uint64 {
	var v [64]int32
	add := func(x uint64) {
		x = mix(x) // FNV-1a over the runes, then spread the bits
		for b := 0; b < 64; b++ {
			v[b] += int32(x>>uint(b)&1)*2 - 1
		}
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
		if v[b] > 0 {
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

// pairHash hashes (a, b) without building the concatenation.
func pairHash(a, b string) uint64 { return mix(fnv64(a))*31 ^ fnv64(b) }

var (
	reQQ      = regexp.MustCompile(`q币|qq币|腾讯币`)
	reQQMulti = regexp.MustCompile(`[0-9]+\s*(个|q币|qq币|元)`)
	reTopup   = regexp.MustCompile(`(移动|联通|电信)[^,，]{0,8}?(话费|充值|充值卡)`)
)

// Batch runs the rules that look at several listings: duplicates, near
// duplicates, image duplicates, per-shop limits and bundles.
func (s *Scanner) Batch(ls []Listing) []Finding {
	var out []Finding
	keys := make([]string, len(ls))
	norms := make([]string, len(ls))
	for i, l := range ls {
		norms[i] = textnorm.String(l.Title)
		keys[i] = textnorm.KeyOf(norms[i])
	}
	groups, exactDup := duplicateGroups(ls, keys)
	for _, g := range groups {
		for _, id := range g.IDs[1:] {
			out = append(out, Finding{ListingID: id, RuleID: RuleDuplicate, Kind: "duplicate", Severity: "medium", Action: "delete",
				Related: g.IDs[0], Reason: fmt.Sprintf("与 %s 标题相同(规范化后) / same title as %s after normalisation", g.IDs[0], g.IDs[0])})
		}
	}
	// near duplicates (SimHash within 3 bits, same shop, different key)
	hs := make([]uint64, len(ls))
	shop := make([]uint64, len(ls))
	for i, l := range ls {
		if !exactDup[i] && utf8.RuneCountInString(keys[i]) >= 8 {
			hs[i] = SimHash(keys[i])
		}
		shop[i] = fnv64(l.ShopID)
	}
	nearPairs(hs, shop, func(i int) bool { return hs[i] != 0 }, 3, 32, func(i, j int) {
		if ls[i].ShopID != ls[j].ShopID || keys[i] == keys[j] {
			return
		}
		older, newer := i, j
		if ls[j].ListedAt.Before(ls[i].ListedAt) {
			older, newer = j, i
		}
		out = append(out, Finding{ListingID: ls[newer].ID, RuleID: RuleNearDup, Kind: "near_duplicate", Severity: "low", Action: "demote",
			Related: ls[older].ID, Reason: fmt.Sprintf("与 %s 标题近似(SimHash 距离 %d) / near-duplicate of %s", ls[older].ID, Hamming(hs[i], hs[j]), ls[older].ID)})
	})
	out = append(out, s.imageDuplicates(ls)...)
	out = append(out, s.limits(ls, norms, keys)...)
	out = append(out, bundles(ls)...)
	return out
}

// limit kinds
const (
	limQQ = iota
	limTopup
	limModel
	nLimits
)

// limits applies the per-shop limits in two passes: count per bucket (a
// 64-bit hash of shop and bucket key), then collect the members of the few
// buckets over their limit.
func (s *Scanner) limits(ls []Listing, norms, keys []string) []Finding {
	type meta struct{ rule, kind, what string }
	metas := [nLimits]meta{
		{RuleLimitQQ, "limit_qq_coin", "多个数量的Q币商品 / multi-count QQ-coin listings"},
		{RuleLimitTopup, "limit_topup", "同一运营商的充值商品 / top-up cards of one operator"},
		{RuleLimitModel, "limit_models", "同类商品的不同型号 / models of one product type"},
	}
	limit := [nLimits]int{s.Limits.QQCoin, s.Limits.TopupCards, s.Limits.ModelsOfOne}
	bucket := make([][nLimits]uint64, len(ls)) // 0 = not in a bucket of that kind
	count := make(map[uint64]int32, len(ls))
	type variant struct {
		first int
		seen  map[string]bool
	}
	variants := map[uint64]*variant{}
	var out []Finding
	for i, l := range ls {
		n := norms[i]
		if (strings.Contains(n, "q币") || strings.Contains(n, "腾讯币")) && reQQ.MatchString(n) && reQQMulti.MatchString(n) {
			bucket[i][limQQ] = pairHash(l.ShopID, "\x00qq") | 1
		}
		if strings.Contains(n, "移动") || strings.Contains(n, "联通") || strings.Contains(n, "电信") {
			if m := reTopup.FindStringSubmatch(n); m != nil {
				bucket[i][limTopup] = pairHash(l.ShopID, "\x00topup\x00"+m[1]) | 1
			}
		}
		noModel := stripASCIIAlnum(keys[i])
		if utf8.RuneCountInString(noModel) >= 4 {
			bucket[i][limModel] = pairHash(l.ShopID, noModel) | 1
		}
		for _, h := range bucket[i] {
			if h != 0 {
				count[h]++
			}
		}
		// the same item relisted by colour or "for car model X"
		base, changed := variantBase(noModel)
		if !changed || utf8.RuneCountInString(base) < 3 {
			continue
		}
		vk := pairHash(l.ShopID, base)
		v := variants[vk]
		if v == nil {
			variants[vk] = &variant{first: i, seen: map[string]bool{noModel: true}}
			continue
		}
		if v.seen[noModel] {
			continue
		}
		v.seen[noModel] = true
		out = append(out, Finding{ListingID: l.ID, RuleID: RuleDuplicate, Kind: "variant_duplicate", Severity: "low", Action: "demote",
			Related: ls[v.first].ID, Reason: "同一商品以不同颜色或适用车型重复发布 / the same item relisted by colour or car model, like " + ls[v.first].ID})
	}
	over := map[uint64][]int{}
	var order []uint64
	kindOf := map[uint64]int{}
	for i := range ls {
		for k, h := range bucket[i] {
			if h == 0 || int(count[h]) <= limit[k] {
				continue
			}
			if _, ok := over[h]; !ok {
				order = append(order, h)
				kindOf[h] = k
			}
			over[h] = append(over[h], i)
		}
	}
	for _, h := range order {
		k, is := kindOf[h], over[h]
		sortOldest(ls, is)
		for _, i := range is[limit[k]:] {
			out = append(out, Finding{ListingID: ls[i].ID, RuleID: metas[k].rule, Kind: metas[k].kind, Severity: "medium", Action: "delete",
				Reason: fmt.Sprintf("%s 超过每店 %d 件上限 / over the per-shop limit of %d", metas[k].what, limit[k], limit[k])})
		}
	}
	return out
}

func bundles(ls []Listing) []Finding {
	in := map[string][]int{}
	var items []string
	for i, l := range ls {
		for _, it := range l.BundleItemIDs {
			if _, ok := in[it]; !ok {
				items = append(items, it)
			}
			in[it] = append(in[it], i)
		}
	}
	var out []Finding
	for _, it := range items {
		bs := in[it]
		if len(bs) < 2 {
			continue
		}
		sortOldest(ls, bs)
		for _, i := range bs[1:] {
			out = append(out, Finding{ListingID: ls[i].ID, RuleID: RuleBundle, Kind: "bundle", Severity: "medium", Action: "delist", Related: ls[bs[0]].ID,
				Reason: "商品 " + it + " 同时出现在多个套餐中 / item " + it + " is in more than one bundle"})
		}
	}
	return out
}

// stripASCIIAlnum removes model numbers (ASCII letters and digits) from a
// comparison key.
func stripASCIIAlnum(k string) string {
	b := make([]byte, 0, len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			continue
		}
		b = append(b, c)
	}
	return string(b)
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
