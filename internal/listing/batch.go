package listing

import (
	"fmt"
	"math/bits"
	"regexp"
	"sort"
	"strings"

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
	return duplicateGroups(ls, keys)
}

func duplicateGroups(ls []Listing, keys []string) []Group {
	idx := map[string][]int{}
	var order []string
	for i, l := range ls {
		k := l.ShopID + "\x00" + keys[i]
		if _, ok := idx[k]; !ok {
			order = append(order, k)
		}
		idx[k] = append(idx[k], i)
	}
	var out []Group
	for _, k := range order {
		is := idx[k]
		if len(is) < 2 {
			continue
		}
		sortOldest(ls, is)
		g := Group{Key: k[strings.IndexByte(k, 0)+1:]}
		for _, i := range is {
			g.IDs = append(g.IDs, ls[i].ID)
		}
		out = append(out, g)
	}
	return out
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
	rs := []rune(key)
	var v [64]int32
	add := func(sh []rune) {
		x := uint64(14695981039346656037)
		for _, r := range sh {
			x ^= uint64(r)
			x *= 1099511628211
		}
		x ^= x >> 33 // spread the low bits (FNV-1a over runes, then a mix)
		x *= 0xff51afd7ed558ccd
		x ^= x >> 33
		for b := 0; b < 64; b++ {
			v[b] += int32(x>>uint(b)&1)*2 - 1
		}
	}
	if len(rs) <= 3 {
		add(rs)
	}
	for i := 0; i+3 <= len(rs); i++ {
		add(rs[i : i+3])
	}
	var out uint64
	for b := 0; b < 64; b++ {
		if v[b] > 0 {
			out |= 1 << uint(b)
		}
	}
	return out
}

// Hamming is the number of differing bits.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// nearPairs finds pairs of hashes of the same group (shop) within maxDist
// (≤ 3) by banding: four 16-bit bands, so two hashes within 3 bits share at
// least one band exactly. Buckets are arrays (head per band value, next per item) and are
// capped at capBucket members, so time stays linear on repetitive data; a
// pair sharing several bands is reported once (in its first shared band).
// fn is called with i < j.
func nearPairs(hs []uint64, group []uint64, valid func(i int) bool, maxDist, capBucket int, fn func(i, j int)) {
	const bits = 20
	const nb = 1 << bits
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

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return x
}

func sharesEarlierBand(a, b uint64, band uint) bool {
	for e := uint(0); e < band; e++ {
		if (a>>(16*e))&0xFFFF == (b>>(16*e))&0xFFFF {
			return true
		}
	}
	return false
}

var (
	reVariant = regexp.MustCompile(`[\p{Han}a-z0-9]{0,5}?(专用|适用于?|通用)|(红|黑|白|蓝|绿|黄|紫|粉|灰|棕|橙|金|银|米|咖啡|卡其|酒红|藏青|军绿)色`)
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
	exactDup := make([]bool, len(ls))
	for _, g := range duplicateGroups(ls, keys) {
		for _, id := range g.IDs[1:] {
			out = append(out, Finding{ListingID: id, RuleID: RuleDuplicate, Kind: "duplicate", Severity: "medium", Action: "delete",
				Related: g.IDs[0], Text: "", Reason: fmt.Sprintf("与 %s 标题相同(规范化后) / same title as %s after normalisation", g.IDs[0], g.IDs[0])})
		}
	}
	{
		pos := map[string]int{}
		for i, l := range ls {
			k := l.ShopID + "\x00" + keys[i]
			if _, ok := pos[k]; ok {
				exactDup[i] = true
			} else {
				pos[k] = i
			}
		}
	}
	// near duplicates (SimHash within 3 bits, same shop, different key)
	hs := make([]uint64, len(ls))
	for i := range ls {
		if len([]rune(keys[i])) >= 8 {
			hs[i] = SimHash(keys[i])
		}
	}
	shop := make([]uint64, len(ls))
	for i, l := range ls {
		shop[i] = fnv64(l.ShopID)
	}
	nearPairs(hs, shop, func(i int) bool { return hs[i] != 0 && !exactDup[i] }, 3, 32, func(i, j int) {
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

func (s *Scanner) limits(ls []Listing, norms, keys []string) []Finding {
	var out []Finding
	type bucket struct {
		rule, kind, what string
		limit            int
		is               []int
	}
	buckets := map[string]*bucket{}
	var order []string
	put := func(k, rule, kind, what string, limit, i int) {
		b := buckets[k]
		if b == nil {
			b = &bucket{rule: rule, kind: kind, what: what, limit: limit}
			buckets[k] = b
			order = append(order, k)
		}
		b.is = append(b.is, i)
	}
	type variant struct {
		first int             // the oldest-seen listing of the base item
		seen  map[string]bool // model-less keys already listed
	}
	variants := map[string]*variant{} // shop + base item (colour / "for model X" removed)
	for i, l := range ls {
		n := norms[i]
		if (strings.Contains(n, "q币") || strings.Contains(n, "腾讯币")) && reQQ.MatchString(n) && reQQMulti.MatchString(n) {
			put("qq\x00"+l.ShopID, RuleLimitQQ, "limit_qq_coin", "多个数量的Q币商品 / multi-count QQ-coin listings", s.Limits.QQCoin, i)
		}
		if strings.Contains(n, "移动") || strings.Contains(n, "联通") || strings.Contains(n, "电信") {
			if m := reTopup.FindStringSubmatch(n); m != nil {
				put("topup\x00"+l.ShopID+"\x00"+m[1], RuleLimitTopup, "limit_topup", m[1]+"充值商品 / top-up cards of "+m[1], s.Limits.TopupCards, i)
			}
		}
		noModel := stripASCIIAlnum(keys[i])
		if len([]rune(noModel)) >= 4 {
			put("model\x00"+l.ShopID+"\x00"+noModel, RuleLimitModel, "limit_models", "同类商品的不同型号 / models of one product type", s.Limits.ModelsOfOne, i)
		}
		if !strings.Contains(noModel, "用") && !strings.Contains(noModel, "色") {
			continue
		}
		base := reVariant.ReplaceAllString(noModel, "")
		if len([]rune(base)) < 3 || base == noModel {
			continue
		}
		vk := l.ShopID + "\x00" + base
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
	for _, k := range order {
		b := buckets[k]
		if len(b.is) <= b.limit {
			continue
		}
		sortOldest(ls, b.is)
		for _, i := range b.is[b.limit:] {
			out = append(out, Finding{ListingID: ls[i].ID, RuleID: b.rule, Kind: b.kind, Severity: "medium", Action: "delete",
				Reason: fmt.Sprintf("%s 超过每店 %d 件上限 / over the per-shop limit of %d", b.what, b.limit, b.limit)})
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

func fnv64(s string) uint64 {
	x := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	return x
}
