package quality

import (
	"cmp"
	"slices"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/policy"
)

// Factor names a service-quality factor.
type Factor string

// The factors, in the order reports list them.
const (
	DisputeRefund  Factor = "dispute_refund"
	Complaint      Factor = "complaint"
	ChatResponse   Factor = "chat_response"
	OnTimeShipping Factor = "on_time_shipping"
)

// Factors lists the factors.
var Factors = []Factor{DisputeRefund, Complaint, ChatResponse, OnTimeShipping}

// MaliciousRefundType is the complaint type (rule book complaints.types)
// whose upheld complaints exclude the order's refunds.
const MaliciousRefundType = "malicious_refund"

// Refund kinds.
const (
	RefundJudgment = "judgment" // a platform judgment refunded the buyer
	RefundAdvance  = "advance"  // the guarantee fund paid the buyer in advance
)

// OrderFact is what the factors need of an order.
type OrderFact struct {
	ID          string
	SellerID    string
	Category    string
	PaidAt      *time.Time
	ShipBy      *time.Time
	FirstScanAt *time.Time
	CancelledAt *time.Time
}

// RefundFact is a refund the platform decided (an intervention case).
type RefundFact struct {
	CaseID   string
	OrderID  string
	SellerID string
	Kind     string // RefundJudgment or RefundAdvance
	At       time.Time
	// Malicious: the seller's malicious-refund complaint on the order was upheld.
	Malicious bool
}

// ComplaintFact is a complaint against a seller, upheld at DecidedAt.
type ComplaintFact struct {
	ID        string
	OrderID   string
	SellerID  string
	DecidedAt time.Time
}

// ChatFact is a buyer's chat with a seller: when the buyer asked and when
// the seller first answered (nil: not answered).
type ChatFact struct {
	ID         string
	SellerID   string
	AskedAt    time.Time
	AnsweredAt *time.Time
}

// Facts are the facts of the window, for any number of sellers.
type Facts struct {
	Orders     []OrderFact
	Refunds    []RefundFact
	Complaints []ComplaintFact
	Chats      []ChatFact
}

// Params are the rule book values the factors use.
type Params struct {
	Window            time.Duration
	ChatTarget        time.Duration
	DisputeRefundZero int64 // basis points
	ComplaintZero     int64 // basis points
	Weights           map[Factor]int64
	RuleIDs           map[Factor][]string // the rules of each factor
	WindowRule        string
	PolicyVersion     string
}

// ParamsFrom reads the parameters from a rule book.
func ParamsFrom(b *policy.Book) Params {
	p := Params{Weights: map[Factor]int64{}, RuleIDs: map[Factor][]string{}, PolicyVersion: b.Version}
	var id string
	p.Window, p.WindowRule = b.Duration("quality.window")
	var chatRule, refundZeroRule, complaintZeroRule string
	p.ChatTarget, chatRule = b.Duration("quality.chat_response_target")
	p.DisputeRefundZero, refundZeroRule = b.Int("quality.dispute_refund_zero")
	p.ComplaintZero, complaintZeroRule = b.Int("quality.complaint_zero")
	shipRule := b.ID("order.ship_by")
	extra := map[Factor][]string{
		DisputeRefund:  {refundZeroRule, dispute.RuleAdvance},
		Complaint:      {complaintZeroRule},
		ChatResponse:   {chatRule},
		OnTimeShipping: {shipRule},
	}
	for _, f := range Factors {
		p.Weights[f], id = b.Int("quality.weight_" + string(f))
		p.RuleIDs[f] = append([]string{p.WindowRule, id}, extra[f]...)
	}
	return p
}

// FactorResult is one factor of a seller's report. Rate and Score are
// basis points; both are nil when the factor has no denominator in the
// window (it then does not count in the score).
type FactorResult struct {
	Factor      Factor   `json:"factor"`
	TitleZH     string   `json:"title_zh"`
	TitleEN     string   `json:"title_en"`
	Better      string   `json:"better"` // "lower" or "higher" rate is better
	Numerator   int64    `json:"numerator"`
	Denominator int64    `json:"denominator"`
	Excluded    int64    `json:"excluded"` // malicious refunds, pending chats, cancelled orders: not counted
	Rate        *int64   `json:"rate_bp"`
	Score       *int64   `json:"score_bp"`
	Weight      int64    `json:"weight"`
	RuleIDs     []string `json:"rule_ids"`
	// MeanResponseSeconds: the mean time to the first answer of the answered
	// chats (chat_response only).
	MeanResponseSeconds *int64 `json:"mean_response_seconds,omitempty"`
}

// Report is a seller's service quality.
type Report struct {
	SellerID    string         `json:"seller_id"`
	Category    string         `json:"category"`
	WindowStart time.Time      `json:"window_start"`
	WindowEnd   time.Time      `json:"window_end"`
	PaidOrders  int64          `json:"paid_orders"`
	Factors     []FactorResult `json:"factors"`
	Score       *int64         `json:"score_bp"`
	// Rank in the category (1 = best; equal scores share a rank), the number
	// of ranked sellers in the category, and the share of the other sellers
	// of the category with a lower score (nil when the seller is alone or
	// unranked).
	Rank          int      `json:"rank,omitempty"`
	CategorySize  int      `json:"category_sellers"`
	Percentile    *int64   `json:"percentile_bp"`
	RuleIDs       []string `json:"rule_ids"`
	PolicyVersion string   `json:"policy_version"`
}

var titles = map[Factor][2]string{
	DisputeRefund:  {"纠纷退款率（平台判定或先行垫付的退款 / 已付款订单）", "Dispute-refund rate (refunds by platform judgment or advance / paid orders)"},
	Complaint:      {"投诉率（成立的投诉 / 已付款订单）", "Complaint rate (upheld complaints / paid orders)"},
	ChatResponse:   {"咨询响应速度（及时回复的咨询 / 咨询）", "Chat response (chats answered in time / chats)"},
	OnTimeShipping: {"按时发货率（发货时限前揽收 / 到期订单）", "On-time shipping (first carrier scan by ship-by / orders due)"},
}

func in(t, start, end time.Time) bool { return !t.Before(start) && !t.After(end) }

// ratio is num / den in basis points, rounded half up (den > 0).
func ratio(num, den int64) int64 { return (num*20000 + den) / (2 * den) }

// acc accumulates one seller's counts.
type acc struct {
	paid, refunds, malicious, upheld int64
	chats, timely, pending, answered int64
	respSum                          time.Duration
	due, onTime, cancelled           int64
	cats, dueCats                    map[string]int
}

// Evaluate computes the report of every seller with a fact in the window,
// ranked within its category, sorted by seller ID.
func Evaluate(f Facts, p Params, now time.Time) []Report {
	start := now.Add(-p.Window)
	sellers := map[string]*acc{}
	get := func(id string) *acc {
		a := sellers[id]
		if a == nil {
			a = &acc{cats: map[string]int{}, dueCats: map[string]int{}}
			sellers[id] = a
		}
		return a
	}
	for _, o := range f.Orders {
		if o.PaidAt != nil && in(*o.PaidAt, start, now) {
			a := get(o.SellerID)
			a.paid++
			a.cats[o.Category]++
		}
		if o.ShipBy == nil || !in(*o.ShipBy, start, now) {
			continue
		}
		a := get(o.SellerID)
		a.dueCats[o.Category]++
		scanned := o.FirstScanAt != nil && !o.FirstScanAt.After(now)
		if o.CancelledAt != nil && !o.CancelledAt.After(*o.ShipBy) && (!scanned || o.FirstScanAt.After(*o.CancelledAt)) {
			a.cancelled++
			continue
		}
		a.due++
		if scanned && !o.FirstScanAt.After(*o.ShipBy) {
			a.onTime++
		}
	}
	seenCase := map[string]bool{}
	for _, r := range f.Refunds {
		if !in(r.At, start, now) || seenCase[r.CaseID] {
			continue
		}
		seenCase[r.CaseID] = true
		a := get(r.SellerID)
		if r.Malicious {
			a.malicious++
		} else {
			a.refunds++
		}
	}
	for _, c := range f.Complaints {
		if in(c.DecidedAt, start, now) {
			get(c.SellerID).upheld++
		}
	}
	for _, c := range f.Chats {
		if !in(c.AskedAt, start, now) {
			continue
		}
		a := get(c.SellerID)
		answered := c.AnsweredAt != nil && !c.AnsweredAt.After(now)
		if !answered && now.Sub(c.AskedAt) <= p.ChatTarget {
			a.pending++ // may still be answered in time
			continue
		}
		a.chats++
		if answered {
			d := c.AnsweredAt.Sub(c.AskedAt)
			a.answered++
			a.respSum += d
			if d <= p.ChatTarget {
				a.timely++
			}
		}
	}

	out := make([]Report, 0, len(sellers))
	for id, a := range sellers {
		out = append(out, a.report(id, p, start, now))
	}
	Rank(out)
	slices.SortFunc(out, func(a, b Report) int { return cmp.Compare(a.SellerID, b.SellerID) })
	return out
}

// Empty is the report of a seller without any fact in the window.
func Empty(sellerID string, p Params, now time.Time) Report {
	return (&acc{cats: map[string]int{}, dueCats: map[string]int{}}).report(sellerID, p, now.Add(-p.Window), now)
}

func (a *acc) report(id string, p Params, start, now time.Time) Report {
	r := Report{SellerID: id, WindowStart: start, WindowEnd: now, PaidOrders: a.paid, PolicyVersion: p.PolicyVersion}
	r.Category = primary(a.cats)
	if len(a.cats) == 0 {
		r.Category = primary(a.dueCats) // no payment in the window: the orders due in it
	}
	lower := func(num, zero int64) (*int64, *int64) {
		if a.paid == 0 {
			return nil, nil
		}
		rate := ratio(num, a.paid)
		var g int64
		switch {
		case zero > 0:
			g = max(0, 10000-ratio(num*10000, a.paid*zero))
		case num == 0:
			g = 10000
		}
		return &rate, &g
	}
	higher := func(num, den int64) (*int64, *int64) {
		if den == 0 {
			return nil, nil
		}
		rate := ratio(num, den)
		g := rate
		return &rate, &g
	}
	for _, fc := range Factors {
		fr := FactorResult{Factor: fc, TitleZH: titles[fc][0], TitleEN: titles[fc][1], Weight: p.Weights[fc], RuleIDs: slices.Clone(p.RuleIDs[fc])}
		switch fc {
		case DisputeRefund:
			fr.Better, fr.Numerator, fr.Denominator, fr.Excluded = "lower", a.refunds, a.paid, a.malicious
			fr.Rate, fr.Score = lower(a.refunds, p.DisputeRefundZero)
		case Complaint:
			fr.Better, fr.Numerator, fr.Denominator = "lower", a.upheld, a.paid
			fr.Rate, fr.Score = lower(a.upheld, p.ComplaintZero)
		case ChatResponse:
			fr.Better, fr.Numerator, fr.Denominator, fr.Excluded = "higher", a.timely, a.chats, a.pending
			fr.Rate, fr.Score = higher(a.timely, a.chats)
			if a.answered > 0 {
				m := int64((a.respSum / time.Duration(a.answered) / time.Second))
				fr.MeanResponseSeconds = &m
			}
		case OnTimeShipping:
			fr.Better, fr.Numerator, fr.Denominator, fr.Excluded = "higher", a.onTime, a.due, a.cancelled
			fr.Rate, fr.Score = higher(a.onTime, a.due)
		}
		r.Factors = append(r.Factors, fr)
	}
	r.Score = combine(r.Factors)
	r.RuleIDs = ruleIDs(r.Factors)
	return r
}

// primary is the category with the most orders (ties: the first by name).
func primary(cats map[string]int) string {
	best, n := "", 0
	for c, k := range cats {
		if k > n || (k == n && c < best) {
			best, n = c, k
		}
	}
	return best
}

// combine is the weighted mean of the scores of the factors with a
// denominator, rounded half up; nil when none has one or their weights are 0.
func combine(fs []FactorResult) *int64 {
	var sum, w int64
	for _, f := range fs {
		if f.Score == nil || f.Weight <= 0 {
			continue
		}
		sum += *f.Score * f.Weight
		w += f.Weight
	}
	if w == 0 {
		return nil
	}
	s := (2*sum + w) / (2 * w)
	return &s
}

func ruleIDs(fs []FactorResult) []string {
	var out []string
	for _, f := range fs {
		for _, id := range f.RuleIDs {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// Rank sets the rank, category size and percentile of every report with a
// category and a score, within its category. Reports without either are
// unranked (rank 0).
func Rank(rs []Report) {
	byCat := map[string][]int{}
	for i := range rs {
		rs[i].Rank, rs[i].CategorySize, rs[i].Percentile = 0, 0, nil
		if rs[i].Category != "" && rs[i].Score != nil {
			byCat[rs[i].Category] = append(byCat[rs[i].Category], i)
		}
	}
	for _, idx := range byCat {
		n := len(idx)
		for _, i := range idx {
			higher, lower := 0, 0
			for _, j := range idx {
				switch {
				case *rs[j].Score > *rs[i].Score:
					higher++
				case *rs[j].Score < *rs[i].Score:
					lower++
				}
			}
			rs[i].Rank, rs[i].CategorySize = higher+1, n
			if n > 1 {
				pct := ratio(int64(lower), int64(n-1))
				rs[i].Percentile = &pct
			}
		}
	}
}

// Ranking returns the ranked reports of a category ("" : every category),
// best first (by category, then rank, then seller ID).
func Ranking(rs []Report, category string) []Report {
	var out []Report
	for _, r := range rs {
		if r.Rank > 0 && (category == "" || r.Category == category) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Report) int {
		return cmp.Or(cmp.Compare(a.Category, b.Category), cmp.Compare(a.Rank, b.Rank), cmp.Compare(a.SellerID, b.SellerID))
	})
	return out
}

// PlatformRefund says whether an intervention case refunded the buyer by the
// platform's decision, and when that took effect (see the package comment).
// req is the case's after-sales request.
func PlatformRefund(d dispute.State, req aftersale.State) (RefundFact, bool) {
	f := RefundFact{CaseID: d.ID, OrderID: d.OrderID, SellerID: d.SellerID}
	var at *time.Time
	// Every advance the fund paid counts (SPEC §5: 人工介入退款), however it
	// was resolved later.
	if adv := d.Advance; adv != nil && adv.Amount > 0 && (adv.Status == dispute.AdvancePaid || adv.Status == dispute.AdvanceSettled || adv.Status == dispute.AdvanceClosed) {
		t := adv.At
		at, f.Kind = &t, RefundAdvance
	}
	j := d.Final
	if j == nil {
		j = d.Judgment
	}
	if j != nil && j.Fault != dispute.BuyerFault {
		var t *time.Time
		switch j.Outcome {
		case dispute.RefundFull, dispute.RefundPartial:
			if j.Amount > 0 {
				t = &j.At
			}
		case dispute.ReturnThenRefund:
			if req.Status == aftersale.Success && req.Refunded > 0 {
				t = &req.UpdatedAt
			}
		}
		if t != nil && (at == nil || t.Before(*at)) {
			at, f.Kind = t, RefundJudgment
		}
	}
	if at == nil {
		return RefundFact{}, false
	}
	f.At = *at
	return f, true
}
