package listing

import (
	"fmt"
	"hash/fnv"
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
	idx := map[string][]int{}
	var order []string
	for i, l := range ls {
		k := l.ShopID + "\x00" + textnorm.Key(l.Title)
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
	var v [64]int
	n := 0
	for i := 0; i+3 <= len(rs) || (i == 0 && len(rs) > 0); i++ {
		j := i + 3
		if j > len(rs) {
			j = len(rs)
		}
		h := fnv.New64a()
		h.Write([]byte(string(rs[i:j])))
		x := h.Sum64()
		for b := 0; b < 64; b++ {
			if x&(1<<uint(b)) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
		n++
		if j == len(rs) {
			break
		}
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

// nearPairs finds pairs of hashes within maxDist (≤ 3) by banding: four
// 16-bit bands, so two hashes within 3 bits share at least one band
// exactly. Buckets are capped so that time stays near-linear on repetitive
// data; fn is called once per pair (i < j).
func nearPairs(hs []uint64, valid func(i int) bool, maxDist, capBucket int, fn func(i, j int)) {
	seen := map[[2]int]bool{}
	for band := 0; band < 4; band++ {
		buckets := map[uint64][]int{}
		for i, h := range hs {
			if !valid(i) {
				continue
			}
			k := (h >> (16 * uint(band))) & 0xFFFF
			b := buckets[k]
			for _, j := range b {
				if Hamming(hs[i], hs[j]) <= maxDist {
					p := [2]int{j, i}
					if !seen[p] {
						seen[p] = true
						fn(j, i)
					}
				}
			}
			if len(b) < capBucket {
				buckets[k] = append(b, i)
			}
		}
	}
}

var (
	reAlnum   = regexp.MustCompile(`[a-z0-9]+`)
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
	for i, l := range ls {
		keys[i] = textnorm.Key(l.Title)
	}
	exactDup := make([]bool, len(ls))
	for _, g := range DuplicateGroups(ls) {
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
	nearPairs(hs, func(i int) bool { return hs[i] != 0 && !exactDup[i] }, 3, 32, func(i, j int) {
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
	out = append(out, s.limits(ls, keys)...)
	out = append(out, bundles(ls)...)
	return out
}

func (s *Scanner) limits(ls []Listing, keys []string) []Finding {
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
	variants := map[string]map[string]int{} // shop+variant key → distinct model-less keys → first index
	for i, l := range ls {
		n := textnorm.String(l.Title)
		if reQQ.MatchString(n) && reQQMulti.MatchString(n) {
			put("qq\x00"+l.ShopID, RuleLimitQQ, "limit_qq_coin", "多个数量的Q币商品 / multi-count QQ-coin listings", s.Limits.QQCoin, i)
		}
		if m := reTopup.FindStringSubmatch(n); m != nil {
			put("topup\x00"+l.ShopID+"\x00"+m[1], RuleLimitTopup, "limit_topup", m[1]+"充值商品 / top-up cards of "+m[1], s.Limits.TopupCards, i)
		}
		noModel := reAlnum.ReplaceAllString(keys[i], "")
		if len([]rune(noModel)) >= 4 {
			put("model\x00"+l.ShopID+"\x00"+noModel, RuleLimitModel, "limit_models", "同类商品的不同型号 / models of one product type", s.Limits.ModelsOfOne, i)
		}
		vk := l.ShopID + "\x00" + reVariant.ReplaceAllString(noModel, "")
		if len([]rune(vk)) >= 6 && vk != l.ShopID+"\x00"+noModel {
			if variants[vk] == nil {
				variants[vk] = map[string]int{}
			}
			if first, ok := variants[vk][noModel]; !ok {
				if len(variants[vk]) > 0 {
					// another colour / "for model X" variant of an item already listed
					prev := -1
					for _, j := range variants[vk] {
						if prev < 0 || j < prev {
							prev = j
						}
					}
					out = append(out, Finding{ListingID: l.ID, RuleID: RuleDuplicate, Kind: "variant_duplicate", Severity: "low", Action: "demote",
						Related: ls[prev].ID, Reason: "同一商品以不同颜色或适用车型重复发布 / the same item relisted by colour or car model, like " + ls[prev].ID})
				}
				variants[vk][noModel] = i
			} else {
				_ = first
			}
		}
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
