package simulate

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/weiquan/weiquan/internal/demo"
)

// Kind is an actor's behaviour: the simulator's ground truth, never told
// to the server.
type Kind string

// Buyer kinds.
const (
	HonestBuyer       Kind = "honest_buyer"        // claims only real problems, with evidence
	MaliciousRefunder Kind = "malicious_refunder"  // 恶意退款: frequent refund-only claims of non-receipt after delivery
	Extortionist      Kind = "review_extortionist" // 差评敲诈: threatens a bad review unless paid back
)

// Seller kinds.
const (
	HonestSeller Kind = "honest_seller" // ships on time, agrees to real claims, refuses false ones with evidence
	LateShipper  Kind = "late_shipper"  // ships most orders after the 24 h ship-by time
	FakeShipper  Kind = "fake_shipper"  // 虚假发货: a tracking number that never moves on many orders
	SilentSeller Kind = "silent_seller" // never answers anything: the deadlines answer for it
)

// Abusive says whether the kind is one of the adversarial behaviours the
// platform should flag (a silent seller is negligent, not abusive).
func (k Kind) Abusive() bool {
	switch k {
	case MaliciousRefunder, Extortionist, LateShipper, FakeShipper:
		return true
	}
	return false
}

// Actor is one simulated party.
type Actor struct {
	ID       string
	Role     string // buyer or seller
	Kind     Kind
	Category int // sellers: index into the catalogue
}

// mix is a population's shares by kind, in the order actors are assigned.
type mix []struct {
	kind  Kind
	share float64
}

var (
	buyerMix  = mix{{MaliciousRefunder, 0.10}, {Extortionist, 0.10}, {HonestBuyer, 0.80}}
	sellerMix = mix{{LateShipper, 0.17}, {FakeShipper, 0.12}, {SilentSeller, 0.21}, {HonestSeller, 0.50}}
)

// kinds assigns n actors their kinds: every adversarial kind at least once
// when n allows (so that a small run still has something to catch), the
// rest by share, then shuffled.
func (m mix) kinds(n int, r *rand.Rand) []Kind {
	out := make([]Kind, 0, n)
	for _, k := range m[:len(m)-1] {
		c := int(float64(n)*k.share + 0.5)
		if c == 0 && n >= len(m) {
			c = 1
		}
		for i := 0; i < c && len(out) < n; i++ {
			out = append(out, k.kind)
		}
	}
	for len(out) < n {
		out = append(out, m[len(m)-1].kind)
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// population makes the shops and buyers.
func population(shops, buyers, categories int, r *rand.Rand) (sellers, bs []*Actor) {
	for i, k := range sellerMix.kinds(shops, r) {
		sellers = append(sellers, &Actor{ID: fmt.Sprintf("S%03d", i+1), Role: "seller", Kind: k, Category: r.IntN(max(categories, 1))})
	}
	for i, k := range buyerMix.kinds(buyers, r) {
		bs = append(bs, &Actor{ID: fmt.Sprintf("B%04d", i+1), Role: "buyer", Kind: k})
	}
	return sellers, bs
}

// fallbackCatalogue is used when the demo catalogue has nothing (it always
// has built-in titles; this only guards an empty list).
var fallbackCatalogue = []demo.Category{{Name: "家居", MinYuan: 19, MaxYuan: 299, Titles: []string{"纯棉四件套 简约床上用品", "加厚保温杯 大容量", "北欧陶瓷餐具套装"}}}

// between is a uniformly random duration in [lo, hi).
func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)))
}

// chance is true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }
