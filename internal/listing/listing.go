// Package listing scans listings for the marketplace's publishing rules
// (商品发布管理, seed 003 and SPEC §9): Advertising-Law extreme words
// (adlaw-9), brand misuse (seed-listing-brand: another maker's brand,
// "X同厂", comparisons such as "媲美LV"), authorisation claims without a
// licence (seed-listing-authorised: 专卖, 特约经销), duplicates
// (seed-listing-duplicate: identical normalised titles, SimHash
// near-duplicates, perceptual image hashes), the per-shop limits 5 / 15 / 50
// (seed-listing-limit-qq, -topup, -models), one item in several bundles
// (seed-listing-bundle), product words unrelated to the item
// (seed-listing-keyword-unrelated) and stale listings (seed-listing-stale: on shelf
// more than 6 months, no sale in 3). Every finding has a rule ID, a span
// (rune offsets in the title; 0–0 for listing-level findings), a severity
// and an action (demote, delist, delete). Scanning is pure: the clock is a
// parameter.
package listing

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/adlaw"
	"github.com/weiquan/weiquan/internal/textnorm"
)

// Listing is one record to scan.
type Listing struct {
	ID            string    `json:"id"`
	Title         string    `json:"title"`
	ShopID        string    `json:"shop_id,omitempty"`
	Brand         string    `json:"brand,omitempty"`
	Category      string    `json:"category,omitempty"`
	Price         int64     `json:"price,omitempty"` // fen
	ListedAt      time.Time `json:"listed_at,omitzero"`
	LastSaleAt    time.Time `json:"last_sale_at,omitzero"`
	ImagePaths    []string  `json:"image_paths,omitempty"`
	Licensed      bool      `json:"licensed,omitempty"`        // holds a 专卖/特约经销 licence
	BundleItemIDs []string  `json:"bundle_item_ids,omitempty"` // for a bundle: the listings it contains
}

// Finding is one rule breach.
type Finding struct {
	ListingID string `json:"listing_id"`
	RuleID    string `json:"rule_id"`
	Kind      string `json:"kind"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
	Text      string `json:"text"`
	Severity  string `json:"severity"` // low, medium, high
	Action    string `json:"action"`   // demote, delist, delete
	Reason    string `json:"reason"`
	Related   string `json:"related,omitempty"` // e.g. the listing this one duplicates
}

// Severities in increasing order.
var Severities = []string{"low", "medium", "high"}

// SeverityRank orders severities (-1 for unknown).
func SeverityRank(s string) int {
	for i, x := range Severities {
		if x == s {
			return i
		}
	}
	return -1
}

// Rule IDs.
const (
	RuleBrand      = "seed-listing-brand"
	RuleAuthorised = "seed-listing-authorised"
	RuleDuplicate  = "seed-listing-duplicate"
	RuleNearDup    = "seed-listing-near-duplicate"
	RuleImageDup   = "seed-listing-image-duplicate"
	RuleLimitQQ    = "seed-listing-limit-qq"
	RuleLimitTopup = "seed-listing-limit-topup"
	RuleLimitModel = "seed-listing-limit-models"
	RuleBundle     = "seed-listing-bundle"
	RuleStale      = "seed-listing-stale"
	RuleStuffing   = "seed-listing-keyword-stuffing"
)

// Limits are the per-shop duplicate limits of seed 003.
type Limits struct {
	QQCoin      int // multi-count QQ-coin listings
	TopupCards  int // phone top-up cards of one operator
	ModelsOfOne int // models of one product type
}

// DefaultLimits are 5 / 15 / 50.
var DefaultLimits = Limits{QQCoin: 5, TopupCards: 15, ModelsOfOne: 50}

// Scanner holds the matchers; it is safe for concurrent use.
type Scanner struct {
	ad     *adlaw.Scanner
	brands *BrandSet
	Limits Limits
	// StaleListed and StaleNoSale are 6 and 3 months (seed).
	StaleListed, StaleNoSale time.Duration
	cmp                      *regexp.Regexp
	sameFactory              *regexp.Regexp
	authorised               *regexp.Regexp
	// words finds, in one pass over the normalised title, the words that
	// make a regular-expression rule worth running (most titles have none),
	// the digest's keywords (digestWords), from adFrom on the
	// Advertising-Law dictionary (the adlaw scanner's automaton patterns,
	// in its order) and, from unrelatedFrom on, the product-type words of
	// the unrelated rule (unrelatedMatcher's patterns, in its order).
	words         *textnorm.Matcher
	wordBit       []int // pattern index → trig* / dig* bit (0 for the others)
	adFrom        int
	unrelatedFrom int
	unrelated     *unrelatedMatcher
}

const (
	trigCmp = 1 << iota
	trigSameFactory
	trigAuthorised
)

var triggerWords = []struct {
	w    string
	rule int
}{
	{"媲美", trigCmp}, {"堪比", trigCmp}, {"秒杀", trigCmp}, {"完胜", trigCmp}, {"不输", trigCmp}, {"比肩", trigCmp}, {"超越", trigCmp}, {"吊打", trigCmp}, {"平替", trigCmp},
	{"同厂", trigSameFactory}, {"同工厂", trigSameFactory}, {"代工厂", trigSameFactory},
	{"专卖", trigAuthorised}, {"特约经销", trigAuthorised}, {"授权经销", trigAuthorised}, {"官方授权", trigAuthorised},
}

// NewScanner returns a scanner; brands may be nil (then only declared-brand
// and pattern checks run).
func NewScanner(brands *BrandSet) *Scanner {
	var tw []string
	var tr []int
	for _, x := range triggerWords {
		tw, tr = append(tw, x.w), append(tr, x.rule)
	}
	for _, x := range digestWords {
		tw, tr = append(tw, x.w), append(tr, x.rule)
	}
	ad := adlaw.New()
	adFrom := len(tw)
	tw = append(tw, ad.MatcherPatterns()...)
	tr = append(tr, make([]int, len(tw)-adFrom)...)
	u := newUnrelatedMatcher()
	from := len(tw)
	tw = append(tw, u.patterns...)
	tr = append(tr, make([]int, len(u.patterns))...)
	return &Scanner{
		words: textnorm.NewMatcher(tw), wordBit: tr, adFrom: adFrom, unrelatedFrom: from,
		ad: ad, brands: brands, Limits: DefaultLimits, unrelated: u,
		StaleListed: 183 * 24 * time.Hour, StaleNoSale: 91 * 24 * time.Hour,
		cmp:         regexp.MustCompile(`(可?媲美|堪比|秒杀|完胜|不输|比肩|超越|吊打|平替)\s*([a-z0-9]+|[\p{Han}]{1,4})`),
		sameFactory: regexp.MustCompile(`([a-z0-9]+|[\p{Han}]{1,6}?)\s*(同厂|同工厂|代工厂)(出品|生产)?`),
		authorised:  regexp.MustCompile(`(淘宝专卖|专卖店?|特约经销商?|特约经销|授权经销商?|官方授权)`),
	}
}

// Brands returns the scanner's brand set (nil if none).
func (s *Scanner) Brands() *BrandSet { return s.brands }

// ScanTitle runs the per-listing text rules.
func (s *Scanner) ScanTitle(l Listing) []Finding {
	out, _ := s.scanTitle(l, textnorm.New(l.Title), nil, &scratch{})
	return out
}

// scratch is one worker's reusable buffers: the scan of a title allocates
// little beyond its findings.
type scratch struct {
	hits, adhits, uhits []textnorm.Hit
	key, strip, base    []byte
	vrunes              []variantRune
	stuff               *stuffTable
	catFamily           map[string]string // declared category → its product family ("" for none)
}

// scanTitle appends the per-listing findings of l (normalised as tx) to
// out; it also returns the bits of the digest words the title holds.
func (s *Scanner) scanTitle(l Listing, tx *textnorm.Text, out []Finding, sc *scratch) ([]Finding, int) {
	from := len(out)
	n := tx.Norm
	sc.hits = s.words.AppendAll(sc.hits[:0], n)
	trig := 0
	sc.uhits, sc.adhits = sc.uhits[:0], sc.adhits[:0]
	for _, h := range sc.hits {
		switch {
		case h.Pattern >= s.unrelatedFrom:
			h.Pattern -= s.unrelatedFrom
			sc.uhits = append(sc.uhits, h)
		case h.Pattern >= s.adFrom:
			h.Pattern -= s.adFrom
			sc.adhits = append(sc.adhits, h)
		default:
			trig |= s.wordBit[h.Pattern]
		}
	}
	for _, f := range s.ad.ScanHits(tx, adlaw.Listing, sc.adhits) {
		act := "demote"
		if f.Severity == "high" {
			act = "delist"
		}
		out = append(out, Finding{ListingID: l.ID, RuleID: f.RuleID, Kind: "extreme_word", Start: f.Start, End: f.End, Text: f.Text,
			Severity: f.Severity, Action: act, Reason: "广告法第九条极限用语(" + f.Class + ") / Advertising Law art. 9 extreme word"})
	}
	span := func(a, b int) (int, int, string) {
		x, y := tx.Span(a, b)
		return x, y, tx.OrigSlice(x, y)
	}
	for _, m := range matchIf(trig&trigCmp != 0, s.cmp, n) {
		a, b, t := span(m[0], m[1])
		out = append(out, Finding{ListingID: l.ID, RuleID: RuleBrand, Kind: "brand_comparison", Start: a, End: b, Text: t,
			Severity: "medium", Action: "demote", Reason: "与其他品牌或商品比较 / comparison with another brand"})
	}
	for _, m := range matchIf(trig&trigSameFactory != 0, s.sameFactory, n) {
		a, b, t := span(m[0], m[1])
		out = append(out, Finding{ListingID: l.ID, RuleID: RuleBrand, Kind: "brand_same_factory", Start: a, End: b, Text: t,
			Severity: "high", Action: "delist", Reason: "使用非本商品品牌(X同厂) / another maker's brand (same factory)"})
	}
	if !l.Licensed {
		for _, m := range matchIf(trig&trigAuthorised != 0, s.authorised, n) {
			a, b, t := span(m[0], m[1])
			out = append(out, Finding{ListingID: l.ID, RuleID: RuleAuthorised, Kind: "unlicensed_claim", Start: a, End: b, Text: t,
				Severity: "high", Action: "delist", Reason: "未取得专卖或特约经销资格 / claims authorised dealership without a licence"})
		}
	}
	if l.Brand != "" && s.brands != nil {
		declared := textnorm.Key(l.Brand)
		for _, m := range s.brands.Find(tx) {
			k := textnorm.Key(m.Text)
			if k == declared || strings.Contains(declared, k) || strings.Contains(k, declared) {
				continue
			}
			out = append(out, Finding{ListingID: l.ID, RuleID: RuleBrand, Kind: "brand_other", Start: m.Start, End: m.End, Text: m.Text,
				Severity: "medium", Action: "demote", Reason: "标题含非申报品牌 " + l.Brand + " 的品牌 / a brand other than the declared one"})
		}
	}
	if f, ok := stuffing(tx, sc); ok {
		f.ListingID = l.ID
		out = append(out, f)
	}
	if f, ok := s.unrelated.unrelated(tx, l.Category, sc.uhits, sc); ok {
		f.ListingID = l.ID
		out = append(out, f)
	}
	if mine := out[from:]; len(mine) > 1 {
		slices.SortStableFunc(mine, func(a, b Finding) int { return cmp.Compare(a.Start, b.Start) })
	}
	return out, trig
}

// stuffing flags keyword stuffing (乱用关键词): one word of two or more
// Chinese characters repeated stuffingRepeats times or more in a title (at
// non-overlapping places). A longer repeated word implies its first two
// characters repeat, so bigrams are counted in a small open-addressing table
// on the stack (no allocation), and the span is widened to the longest
// extension (≤ 4 characters) shared by all occurrences; it marks the
// occurrence that reaches the limit.
func stuffing(tx *textnorm.Text, sc *scratch) (Finding, bool) {
	n := tx.Norm
	if len(n) < 12*3 {
		return Finding{}, false
	}
	if sc.stuff == nil {
		sc.stuff = &stuffTable{}
	}
	st := sc.stuff
	st.gen++
	if st.gen == 0 { // wrapped: every stamp is stale again
		*st = stuffTable{gen: 1}
	}
	tab := &st.slots
	used := 0
	var prev rune
	prevAt := -1
	prevHan := false
	for b, r := range n {
		han := r >= 0x4E00 && r <= 0x9FFF || r >= 0x2E80 && textnorm.IsHan(r)
		if prevAt >= 0 && prevHan && han {
			k := uint64(prev)<<21 | uint64(r)
			h := int(mix(k) & 127)
			for tab[h].gen == st.gen && tab[h].cnt != 0 && tab[h].k != k {
				h = (h + 1) & 127
			}
			sl := &tab[h]
			if sl.gen != st.gen {
				sl.gen, sl.cnt = st.gen, 0
			}
			if sl.cnt == 0 {
				if used == len(tab)-1 {
					break // a very long title: the table is full
				}
				used++
			}
			if sl.cnt == 0 || prevAt >= sl.at[sl.cnt-1]+len(string(prev))+utf8.RuneLen(r) {
				sl.k = k
				sl.at[sl.cnt] = prevAt
				sl.cnt++
				if sl.cnt == stuffingRepeats {
					return stuffingFinding(tx, sl.at[:]), true
				}
			}
		}
		prev, prevAt, prevHan = r, b, han
	}
	return Finding{}, false
}

// stuffTable is stuffing's open-addressing table of bigrams, kept by a
// worker: a slot whose stamp is not the current generation is empty, so a
// title does not clear the table.
type stuffTable struct {
	gen   uint32
	slots [128]struct {
		gen uint32
		cnt int
		k   uint64
		at  [stuffingRepeats]int // byte offsets of the counted occurrences
	}
}

// stuffingFinding widens the repeated bigram at the given byte offsets to
// the longest shared word (≤ 4 characters) and reports the last occurrence.
func stuffingFinding(tx *textnorm.Text, at []int) Finding {
	n := tx.Norm
	width := func(i, w int) int { // byte length of w runes from i
		j := i
		for k := 0; k < w && j < len(n); k++ {
			_, sz := utf8.DecodeRuneInString(n[j:])
			j += sz
		}
		return j - i
	}
	w := 2
	for w < 4 {
		r0, _ := utf8.DecodeRuneInString(n[min(at[0]+width(at[0], w), len(n)):])
		ok := textnorm.IsHan(r0)
		for k, i := range at {
			e := i + width(i, w)
			r, _ := utf8.DecodeRuneInString(n[min(e, len(n)):])
			if e >= len(n) || r != r0 || (k+1 < len(at) && e+utf8.RuneLen(r) > at[k+1]) {
				ok = false
				break
			}
		}
		if !ok {
			break
		}
		w++
	}
	last := at[len(at)-1]
	s, e := tx.Span(last, last+width(last, w))
	return Finding{RuleID: RuleStuffing, Kind: "keyword_stuffing", Start: s, End: e, Text: tx.OrigSlice(s, e), Severity: "low", Action: "demote",
		Reason: "同一关键词在标题中重复四次以上 / the same keyword repeated four or more times"}
}

func matchIf(on bool, re *regexp.Regexp, n string) [][]int {
	if !on {
		return nil
	}
	return re.FindAllStringIndex(n, -1)
}

// Stale reports the stale-listing rule at time now.
func (s *Scanner) Stale(l Listing, now time.Time) (Finding, bool) {
	if l.ListedAt.IsZero() || now.Sub(l.ListedAt) <= s.StaleListed {
		return Finding{}, false
	}
	if !l.LastSaleAt.IsZero() && now.Sub(l.LastSaleAt) <= s.StaleNoSale {
		return Finding{}, false
	}
	return Finding{ListingID: l.ID, RuleID: RuleStale, Kind: "stale", Severity: "low", Action: "demote",
		Reason: "上架超过6个月且3个月内无成交，编辑前不在搜索中展示 / on shelf > 6 months with no sale in 3 months: hidden from search until edited"}, true
}

// Scan runs every rule over a batch: per-listing rules, then the
// batch-level duplicate, limit and bundle rules. now is the scan time.
// ScanStream does the same over input that does not fit in memory.
func (s *Scanner) Scan(ls []Listing, now time.Time, progress func(int)) []Finding {
	var out []Finding
	ds := &digests{}
	sc := &scratch{}
	for i, l := range ls {
		var d digest
		out, d = s.scanOne(l, now, out, sc)
		ds.add(d)
		if progress != nil && (i+1)%1000 == 0 {
			progress(1000)
		}
	}
	if progress != nil {
		progress(len(ls) % 1000)
	}
	return append(out, s.batch(ds)...)
}

// scanOne runs the per-listing rules on l (the title normalised once) and
// returns its digest for the batch rules.
func (s *Scanner) scanOne(l Listing, now time.Time, out []Finding, sc *scratch) ([]Finding, digest) {
	tx := textnorm.New(l.Title)
	out, bits := s.scanTitle(l, tx, out, sc)
	if f, ok := s.Stale(l, now); ok {
		out = append(out, f)
	}
	return out, digestOf(l, tx.Norm, bits, sc)
}

// stuffingRepeats: real titles often repeat the product word three times
// (9 % of taobao_title_ner titles do); four or more is stuffing.
const stuffingRepeats = 4
