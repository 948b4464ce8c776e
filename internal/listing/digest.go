package listing

import (
	"fmt"
	"hash/maphash"
	"math"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/textnorm"
)

// digest is what the batch rules keep of one listing: a few hashes and the
// fields the findings name, not the title. A scan holds one digest per
// listing (about 150 bytes) and one window of whole listings, so memory
// follows the window, not the file.
type digest struct {
	id       string    // a slice of one string per window (no allocation per listing)
	shopH    uint64    // the shop (64-bit hash)
	key      [2]uint64 // two independent 64-bit hashes of (shop, comparison key)
	sim      uint64    // SimHash of the key; 0 when the key is under 8 runes
	listedAt int64     // Unix nanoseconds; noTime when not given
	price    int64
	img      uint64 // pHash of the first image
	hasImg   bool
	limit    [nLimits]uint64 // bucket per limit kind; 0 = none
	variant  uint64          // (shop, variant base) when the title is a colour/car-model variant
	model    uint64          // the key without model numbers
	bundle   []string
}

var keySeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func keyHash(seed maphash.Seed, shop string, key []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(shop)
	h.WriteByte(0)
	h.Write(key)
	return h.Sum64()
}

// Digest words: the keywords that make a limit or variant check worth
// running, found by the scanner's one pass over the normalised title
// (digestBits finds them where no scan ran).
const (
	digQQ      = 1 << (iota + 8) // q币, 腾讯币: the QQ-coin limit
	digTopup                     // 移动, 联通, 电信: the top-up limit
	digVariant                   // 用, 色: a colour / car-model variant
)

var digestWords = []struct {
	w    string
	rule int
}{
	{"q币", digQQ}, {"腾讯币", digQQ}, {"移动", digTopup}, {"联通", digTopup}, {"电信", digTopup}, {"用", digVariant}, {"色", digVariant},
}

var digestMatcher = sync.OnceValue(func() *textnorm.Matcher {
	var ws []string
	for _, x := range digestWords {
		ws = append(ws, x.w)
	}
	return textnorm.NewMatcher(ws)
})

// digestBits returns the dig* bits of the words in the normalised text n.
func digestBits(n string) int {
	bits := 0
	for _, h := range digestMatcher().FindAll(n) {
		bits |= digestWords[h.Pattern].rule
	}
	return bits
}

// digestOf computes a listing's digest from its normalised title; bits
// are the dig* words the title holds (digestBits(norm)).
func digestOf(l Listing, norm string, bits int, sc *scratch) digest {
	sc.key = textnorm.AppendKey(sc.key[:0], norm)
	key := sc.key
	d := digest{id: l.ID, shopH: fnv64(l.ShopID), listedAt: unixNano(l.ListedAt), price: l.Price, bundle: l.BundleItemIDs,
		key: [2]uint64{keyHash(keySeeds[0], l.ShopID, key), keyHash(keySeeds[1], l.ShopID, key)}}
	if atLeastRunes(key, 8) {
		d.sim = simHash(key)
	}
	if len(l.ImagePaths) > 0 {
		if h, err := ImageHash(l.ImagePaths[0]); err == nil {
			d.img, d.hasImg = h, true
		}
	}
	if bits&digQQ != 0 && reQQ.MatchString(norm) && reQQMulti.MatchString(norm) {
		d.limit[limQQ] = pairHash(l.ShopID, "\x00qq") | 1
	}
	if bits&digTopup != 0 {
		if m := reTopup.FindStringSubmatch(norm); m != nil {
			d.limit[limTopup] = pairHash(l.ShopID, "\x00topup\x00"+m[1]) | 1
		}
	}
	sc.strip = appendStripASCIIAlnum(sc.strip[:0], key)
	noModel := sc.strip
	if atLeastRunes(noModel, 4) {
		d.limit[limModel] = mix(fnv64(l.ShopID))*31 ^ fnvBytes(noModel) | 1 // pairHash(l.ShopID, noModel)
	}
	// the same item relisted by colour or "for car model X" (用 and 色
	// survive the key and the stripping, so bits tell whether noModel has them)
	if bits&digVariant != 0 {
		var changed bool
		sc.base, changed = appendVariantBase(sc.base[:0], noModel, &sc.vrunes)
		if changed && atLeastRunes(sc.base, 3) {
			d.variant, d.model = mix(fnv64(l.ShopID))*31^fnvBytes(sc.base)|1, fnvBytes(noModel) // pairHash(l.ShopID, base)
		}
	}
	return d
}

// atLeastRunes reports whether b has at least n runes (utf8.RuneCount(b)
// >= n, counting no further than n).
func atLeastRunes(b []byte, n int) bool {
	if len(b) >= utf8.UTFMax*n {
		return true // no rune is longer
	}
	for i := 0; i < len(b) && n > 0; n-- {
		if b[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRune(b[i:])
			i += size
		}
	}
	return n <= 0
}

// digests is a growing array of digests in fixed blocks: adding one never
// copies the others (a doubling slice would copy every digest about twice
// and, while it grows, hold two copies).
type digests struct {
	blocks [][]digest
	n      int
}

const digestBlock = 1 << 12

func (s *digests) add(d digest) {
	if s.n%digestBlock == 0 {
		s.blocks = append(s.blocks, make([]digest, 0, digestBlock))
	}
	b := &s.blocks[len(s.blocks)-1]
	*b = append(*b, d)
	s.n++
}

func (s *digests) at(i int) *digest { return &s.blocks[i/digestBlock][i%digestBlock] }

// noTime sorts before every real time, as the zero time.Time did.
const noTime = math.MinInt64

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.UnixNano()
}

// internIDs makes the ids of ds slices of one string, so that a window's
// digests hold one allocation for their ids, not one each.
func internIDs(ds []digest) {
	n := 0
	for i := range ds {
		n += len(ds[i].id)
	}
	b := make([]byte, 0, n)
	for i := range ds {
		b = append(b, ds[i].id...)
	}
	all, at := string(b), 0
	for i := range ds {
		k := len(ds[i].id)
		ds[i].id = all[at : at+k]
		at += k
	}
}

// Group is a set of listings with the same normalised title.
type Group struct {
	Key string
	IDs []string
}

// DuplicateGroups groups listings (per shop) whose titles are identical
// after normalisation (textnorm.Key: NFKC, lower case, simplified,
// separators removed). Groups of one are omitted. Linear in the input.
func DuplicateGroups(ls []Listing) []Group {
	ds := &digests{}
	sc := &scratch{}
	for _, l := range ls {
		n := textnorm.String(l.Title)
		ds.add(digestOf(Listing{ID: l.ID, ShopID: l.ShopID, ListedAt: l.ListedAt}, n, digestBits(n), sc))
	}
	members, _ := duplicateGroups(ds)
	out := make([]Group, len(members))
	for g, is := range members {
		out[g] = Group{Key: textnorm.Key(ls[is[0]].Title), IDs: make([]string, len(is))}
		for k, i := range is {
			out[g].IDs[k] = ds.at(i).id
		}
	}
	return out
}

// duplicateGroups groups digests by their 128-bit (shop, key) hash — two
// independent 64-bit hashes, so two different titles merge with a
// probability under 2⁻⁶⁴ even at millions of listings — oldest first. It
// also returns, per listing, whether an older copy exists.
func duplicateGroups(ds *digests) ([][]int, []bool) {
	first := make(map[[2]uint64]int32, ds.n)
	var members [][]int
	groupOf := map[int32]int{}
	dup := make([]bool, ds.n)
	for i := range ds.n {
		j, ok := first[ds.at(i).key]
		if !ok {
			first[ds.at(i).key] = int32(i)
			continue
		}
		dup[i] = true
		g, ok := groupOf[j]
		if !ok {
			g = len(members)
			groupOf[j] = g
			members = append(members, []int{int(j)})
		}
		members[g] = append(members[g], i)
	}
	for _, m := range members {
		sortOldest(ds, m)
	}
	return members, dup
}

func sortOldest(ds *digests, is []int) {
	sort.SliceStable(is, func(a, b int) bool {
		x, y := ds.at(is[a]), ds.at(is[b])
		if x.listedAt != y.listedAt {
			return x.listedAt < y.listedAt
		}
		return x.id < y.id
	})
}

// Batch runs the rules that look at several listings: duplicates, near
// duplicates, image duplicates, per-shop limits and bundles.
func (s *Scanner) Batch(ls []Listing) []Finding {
	ds := &digests{}
	sc := &scratch{}
	for _, l := range ls {
		n := textnorm.String(l.Title)
		ds.add(digestOf(l, n, digestBits(n), sc))
	}
	return s.batch(ds)
}

func (s *Scanner) batch(ds *digests) []Finding {
	var out []Finding
	groups, exactDup := duplicateGroups(ds)
	for _, g := range groups {
		first := ds.at(g[0]).id
		for _, i := range g[1:] {
			out = append(out, Finding{ListingID: ds.at(i).id, RuleID: RuleDuplicate, Kind: "duplicate", Severity: "medium", Action: "delete",
				Related: first, Reason: fmt.Sprintf("与 %s 标题相同(规范化后) / same title as %s after normalisation", first, first)})
		}
	}
	// near duplicates (SimHash within 3 bits, same shop, different key)
	hs := make([]uint64, ds.n)
	shop := make([]uint64, ds.n)
	for i := range ds.n {
		if !exactDup[i] {
			hs[i] = ds.at(i).sim
		}
		shop[i] = ds.at(i).shopH
	}
	nearPairs(hs, shop, func(i int) bool { return hs[i] != 0 }, 3, 32, func(i, j int) {
		if ds.at(i).shopH != ds.at(j).shopH || ds.at(i).key == ds.at(j).key {
			return
		}
		older, newer := i, j
		if ds.at(j).listedAt < ds.at(i).listedAt {
			older, newer = j, i
		}
		o := ds.at(older).id
		out = append(out, Finding{ListingID: ds.at(newer).id, RuleID: RuleNearDup, Kind: "near_duplicate", Severity: "low", Action: "demote",
			Related: o, Reason: fmt.Sprintf("与 %s 标题近似(SimHash 距离 %d) / near-duplicate of %s", o, Hamming(hs[i], hs[j]), o)})
	})
	out = append(out, imageDuplicates(ds)...)
	out = append(out, s.limits(ds)...)
	out = append(out, bundles(ds)...)
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
// buckets over their limit; and reports colour / car-model relistings.
func (s *Scanner) limits(ds *digests) []Finding {
	type meta struct{ rule, kind, what string }
	metas := [nLimits]meta{
		{RuleLimitQQ, "limit_qq_coin", "多个数量的Q币商品 / multi-count QQ-coin listings"},
		{RuleLimitTopup, "limit_topup", "同一运营商的充值商品 / top-up cards of one operator"},
		{RuleLimitModel, "limit_models", "同类商品的不同型号 / models of one product type"},
	}
	limit := [nLimits]int{s.Limits.QQCoin, s.Limits.TopupCards, s.Limits.ModelsOfOne}
	count := make(map[uint64]int32, ds.n)
	type variant struct {
		first int
		seen  map[uint64]bool
	}
	variants := map[uint64]*variant{}
	var out []Finding
	for i := range ds.n {
		d := ds.at(i)
		for _, h := range d.limit {
			if h != 0 {
				count[h]++
			}
		}
		if d.variant == 0 {
			continue
		}
		v := variants[d.variant]
		if v == nil {
			variants[d.variant] = &variant{first: i, seen: map[uint64]bool{d.model: true}}
			continue
		}
		if v.seen[d.model] {
			continue
		}
		v.seen[d.model] = true
		out = append(out, Finding{ListingID: d.id, RuleID: RuleDuplicate, Kind: "variant_duplicate", Severity: "low", Action: "demote",
			Related: ds.at(v.first).id, Reason: "同一商品以不同颜色或适用车型重复发布 / the same item relisted by colour or car model, like " + ds.at(v.first).id})
	}
	over := map[uint64][]int{}
	var order []uint64
	kindOf := map[uint64]int{}
	for i := range ds.n {
		for k, h := range ds.at(i).limit {
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
		sortOldest(ds, is)
		for _, i := range is[limit[k]:] {
			out = append(out, Finding{ListingID: ds.at(i).id, RuleID: metas[k].rule, Kind: metas[k].kind, Severity: "medium", Action: "delete",
				Reason: fmt.Sprintf("%s 超过每店 %d 件上限 / over the per-shop limit of %d", metas[k].what, limit[k], limit[k])})
		}
	}
	return out
}

// groupsInOrder groups the digests under each key keysOf gives them, the
// keys in order of first appearance, the members oldest first.
func groupsInOrder[K comparable](ds *digests, keysOf func(d *digest, emit func(K))) ([]K, map[K][]int) {
	members := map[K][]int{}
	var order []K
	for i := range ds.n {
		keysOf(ds.at(i), func(k K) {
			if _, ok := members[k]; !ok {
				order = append(order, k)
			}
			members[k] = append(members[k], i)
		})
	}
	for _, k := range order {
		sortOldest(ds, members[k])
	}
	return order, members
}

func bundles(ds *digests) []Finding {
	items, in := groupsInOrder(ds, func(d *digest, emit func(string)) {
		for _, it := range d.bundle {
			emit(it)
		}
	})
	var out []Finding
	for _, it := range items {
		bs := in[it]
		for _, i := range bs[1:] {
			out = append(out, Finding{ListingID: ds.at(i).id, RuleID: RuleBundle, Kind: "bundle", Severity: "medium", Action: "delist", Related: ds.at(bs[0]).id,
				Reason: "商品 " + it + " 同时出现在多个套餐中 / item " + it + " is in more than one bundle"})
		}
	}
	return out
}
