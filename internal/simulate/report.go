package simulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/client"
	"github.com/weiquan/weiquan/internal/money"
)

// Report is a run's result. Everything in it comes from the public API
// (lists, events, ledgers, standings) or the ledger check, but for the
// actors' own counts (Tally) and the ground truth (Population); it holds
// no ids or wall-clock times, so a seed gives the same report.
type Report struct {
	Days         int                        `json:"days"`
	Seed         int64                      `json:"seed"`
	Start        time.Time                  `json:"start"`
	End          time.Time                  `json:"end"`
	Population   map[Kind]int               `json:"population"`
	Titles       string                     `json:"titles"`
	Orders       int                        `json:"orders"`
	LateOrders   int                        `json:"late_orders"`
	FakeOrders   int                        `json:"fake_shipped_orders"`
	Opened       int                        `json:"requests_opened"` // by the buyers, as they counted
	Requests     map[string]int             `json:"requests"`        // "type status" → n, from GET /v1/aftersales
	RequestTotal int                        `json:"requests_listed"`
	Events       map[string]int             `json:"request_events"` // event type → requests with it
	Complaints   map[string]*ComplaintCount `json:"complaints"`
	Filed        int                        `json:"complaints_filed"`
	Cases        int                        `json:"interventions"`
	CasesBy      map[string]int             `json:"interventions_by_outcome"`
	SLA          SLA                        `json:"sla"`
	Money        Money                      `json:"money"`
	Points       Points                     `json:"points"`
	Flags        map[string]*Flags          `json:"abuse_flags"` // by role
	HTTP         int64                      `json:"http_requests"`
	Refused      map[string]int             `json:"api_refusals"`
	TooLate      int                        `json:"actions_too_late"`
	LedgerOK     bool                       `json:"ledger_check_ok"`
	LedgerTx     int64                      `json:"ledger_transactions"`
	LedgerIssues int                        `json:"ledger_violations"`
}

// ComplaintCount counts one complaint type.
type ComplaintCount struct {
	Filed    int `json:"filed"`
	Upheld   int `json:"upheld"`
	Rejected int `json:"rejected"`
	Open     int `json:"open"`
}

// SLA is who answered within their deadline and what the deadline did.
type SLA struct {
	SellerAnswered   int `json:"seller_answered"`    // agreed or refused before seller_respond
	SellerExpired    int `json:"seller_expired"`     // auto-agreed on expiry
	ReturnConfirmed  int `json:"return_confirmed"`   // seller confirmed a return
	ReturnExpired    int `json:"return_expired"`     // auto-refunded on expiry
	RespondentAnswer int `json:"complaint_answered"` // complaint respondents who answered
	RespondentMissed int `json:"complaint_expired"`  // their window ran out
	ReviewMet        int `json:"review_met"`         // cases judged within the review SLA
	ReviewBreached   int `json:"review_breached"`
	Fired            int `json:"deadlines_fired"` // every kind, by the deadline worker's batch
}

// Money is what the ledger moved (fen), summed over the orders' ledgers.
type Money struct {
	Paid        int64 `json:"paid"`
	Released    int64 `json:"released_to_sellers"`
	Refunded    int64 `json:"refunded"`
	Compensated int64 `json:"compensated"`
	Advanced    int64 `json:"advanced_by_fund"`
	FromDeposit int64 `json:"refunded_from_deposit"`
	Unbalanced  int   `json:"orders_unbalanced"`
}

// Points are the violations, points and sanctions of the period.
type Points struct {
	Violations   int   `json:"violations"`
	Warnings     int   `json:"warnings"`
	BuyerPoints  int64 `json:"buyer_points"`
	SellerPoints int64 `json:"seller_points"`
	Sanctions    int   `json:"sanctions"`
}

// Flags compares who the platform flagged with who was really abusive.
type Flags struct {
	Actors         int `json:"actors"`
	Abusive        int `json:"abusive"`
	Flagged        int `json:"flagged"`
	TruePositives  int `json:"true_positives"`
	FalsePositives int `json:"false_positives"`
	Missed         int `json:"missed"`
}

// Precision is the share of flagged actors that were abusive (1 when none
// was flagged).
func (f Flags) Precision() float64 {
	if f.Flagged == 0 {
		return 1
	}
	return float64(f.TruePositives) / float64(f.Flagged)
}

// Recall is the share of abusive actors that were flagged (1 when there
// were none).
func (f Flags) Recall() float64 {
	if f.Abusive == 0 {
		return 1
	}
	return float64(f.TruePositives) / float64(f.Abusive)
}

// RepeatUpheld is how many upheld complaints against a party make a
// pattern the report counts as a flag even without points (late-shipment
// complaints compensate the buyer but record no violation): one late
// parcel is an accident, three are a habit.
const RepeatUpheld = 3

// flagged says whether a standing shows the platform acted against the
// party: a violation or warning, the complainant flag, or RepeatUpheld
// upheld complaints against it.
func flagged(st *client.Standing) bool {
	return len(st.Violations) > 0 || st.Flag != nil || st.Complaints.ReceivedUpheld >= RepeatUpheld
}

func (s *Sim) report(ctx context.Context) (Report, error) {
	api := s.h.api
	r := Report{Days: s.o.Days, Seed: s.o.Seed, Start: s.o.Start, End: s.end, Population: map[Kind]int{}, Orders: s.tally.ordersPut,
		LateOrders: s.tally.lateOrders, FakeOrders: s.tally.fakeOrders, Opened: s.tally.requests, Filed: s.tally.complaints,
		Requests: map[string]int{}, Events: map[string]int{}, Complaints: map[string]*ComplaintCount{}, CasesBy: map[string]int{},
		Flags: map[string]*Flags{}, Refused: s.tally.refused, TooLate: s.tally.tooLate}
	r.SLA.Fired = s.tally.fired
	r.Titles = "built-in generic titles / 内置通用标题"
	if s.titles != "" {
		n := 0
		for _, c := range s.cats {
			n += len(c.Titles)
		}
		r.Titles = fmt.Sprintf("%d real listing titles from %s", n, s.titles)
	}
	for _, a := range append(append([]*Actor{}, s.sellers...), s.buyers...) {
		r.Population[a.Kind]++
	}
	// Requests and their histories.
	for a, err := range client.List[client.Aftersale](ctx, api, "/v1/aftersales") {
		if err != nil {
			return r, err
		}
		r.RequestTotal++
		r.Requests[a.Type+" "+a.Status]++
		evs, err := api.AftersaleEvents(ctx, a.ID)
		if err != nil {
			return r, err
		}
		seen := map[string]bool{}
		for _, e := range evs {
			if !seen[e.Type] {
				seen[e.Type] = true
				r.Events[e.Type]++
			}
			switch {
			case e.Type == "agreed" && e.Actor.Role == "seller", e.Type == "refused" && e.Actor.Role == "seller":
				r.SLA.SellerAnswered++
			case e.Type == "auto_agreed":
				r.SLA.SellerExpired++
			case e.Type == "return_confirmed":
				r.SLA.ReturnConfirmed++
			case e.Type == "auto_refunded":
				r.SLA.ReturnExpired++
			}
		}
	}
	// Complaints.
	for c, err := range client.List[client.Complaint](ctx, s.h.agent, "/v1/complaints") {
		if err != nil {
			return r, err
		}
		cc := entry(r.Complaints, c.Type)
		cc.Filed++
		switch {
		case c.Decision != nil && c.Decision.Verdict == "upheld":
			cc.Upheld++
		case c.Decision != nil:
			cc.Rejected++
		default:
			cc.Open++
		}
		full, err := s.h.agent.GetComplaint(ctx, c.ID)
		if err != nil {
			return r, err
		}
		if full.Status != "WAIT_RESPONSE" {
			if len(full.RespondentEvidenceIDs) > 0 || respondedIn(ctx, s.h.agent, c.ID) {
				r.SLA.RespondentAnswer++
			} else {
				r.SLA.RespondentMissed++
			}
		}
	}
	// Intervention cases.
	for d, err := range client.List[client.Dispute](ctx, s.h.agent, "/v1/disputes") {
		if err != nil {
			return r, err
		}
		r.Cases++
		switch {
		case d.Judgment != nil:
			r.CasesBy[d.Judgment.Outcome]++
			if d.SLABreached {
				r.SLA.ReviewBreached++
			} else {
				r.SLA.ReviewMet++
			}
		default:
			r.CasesBy[strings.ToLower(d.Status)]++
			if d.SLABreached {
				r.SLA.ReviewBreached++
			}
		}
	}
	// Money, order by order.
	for _, o := range s.orders {
		if _, ok := s.byOrder[o.id]; !ok || o.amount == 0 {
			continue
		}
		l, err := api.OrderLedger(ctx, o.id)
		if err != nil {
			if s.soft(err) == nil {
				continue
			}
			return r, err
		}
		t := l.Totals
		r.Money.Paid += t.Paid
		r.Money.Released += t.Released
		r.Money.Refunded += t.Refunded
		r.Money.Compensated += t.Compensated
		r.Money.Advanced += t.Advanced
		r.Money.FromDeposit += t.RefundedFromDeposit
		if !l.Balanced {
			r.Money.Unbalanced++
		}
	}
	// Standings against the ground truth.
	for _, a := range append(append([]*Actor{}, s.sellers...), s.buyers...) {
		st, err := api.GetStanding(ctx, a.Role, a.ID)
		var pr *client.Problem
		if errors.As(err, &pr) && pr.Status == 404 {
			st, err = &client.Standing{}, nil // no record of the party: nothing against it
		}
		if err != nil {
			return r, err
		}
		f := entry(r.Flags, a.Role)
		f.Actors++
		fl := flagged(st)
		switch {
		case a.Kind.Abusive() && fl:
			f.Abusive++
			f.Flagged++
			f.TruePositives++
		case a.Kind.Abusive():
			f.Abusive++
			f.Missed++
		case fl:
			f.Flagged++
			f.FalsePositives++
		}
		for _, v := range st.Violations {
			r.Points.Violations++
			if v.Warning {
				r.Points.Warnings++
			}
			if a.Role == "buyer" {
				r.Points.BuyerPoints += v.Points
			} else {
				r.Points.SellerPoints += v.Points
			}
		}
		r.Points.Sanctions += len(st.Sanctions)
	}
	r.HTTP = s.h.requests.Load()
	lc, err := s.h.ledgerCheck(ctx)
	if err != nil {
		return r, err
	}
	r.LedgerOK, r.LedgerTx, r.LedgerIssues = lc.OK(), lc.Transactions, lc.ViolationCount
	return r, nil
}

// respondedIn says whether a complaint's history has the respondent's answer.
func respondedIn(ctx context.Context, c *client.Client, id string) bool {
	for e, err := range client.List[client.Event](ctx, c, "/v1/complaints/"+id+"/events") {
		if err != nil {
			return false
		}
		if e.Type == "responded" {
			return true
		}
	}
	return false
}

func yuan(f int64) string { return money.Fen(f).String() }

// Format prints the report as text (Chinese first, English second).
func (r Report) Format(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("模拟市场 / simulated marketplace: %d 天 / days from %s to %s, seed %d", r.Days, r.Start.Format("2006-01-02"), r.End.Format("2006-01-02"), r.Seed)
	var pop []string
	for _, k := range slices.Sorted(maps.Keys(r.Population)) {
		pop = append(pop, fmt.Sprintf("%s %d", k, r.Population[k]))
	}
	p("  actors: %s", strings.Join(pop, ", "))
	p("  titles: %s", r.Titles)
	p("订单 / orders: %d (shipped late %d, fake shipments %d)", r.Orders, r.LateOrders, r.FakeOrders)
	p("售后申请 / after-sales requests: %d opened by buyers, %d listed by the API", r.Opened, r.RequestTotal)
	for _, k := range slices.Sorted(maps.Keys(r.Requests)) {
		p("  %-40s %5d", k, r.Requests[k])
	}
	var evs []string
	for _, k := range slices.Sorted(maps.Keys(r.Events)) {
		evs = append(evs, fmt.Sprintf("%s %d", k, r.Events[k]))
	}
	p("  requests with an event: %s", strings.Join(evs, ", "))
	p("投诉 / complaints: %d filed by the actors", r.Filed)
	for _, k := range slices.Sorted(maps.Keys(r.Complaints)) {
		c := r.Complaints[k]
		p("  %-22s filed %4d  upheld %4d  rejected %4d  open %4d", k, c.Filed, c.Upheld, c.Rejected, c.Open)
	}
	var cb []string
	for _, k := range slices.Sorted(maps.Keys(r.CasesBy)) {
		cb = append(cb, fmt.Sprintf("%s %d", k, r.CasesBy[k]))
	}
	p("平台介入 / interventions: %d (%s)", r.Cases, strings.Join(cb, ", "))
	p("时效 / SLA (met / on expiry):")
	p("  seller answers a request (48h)   %5d / %d auto-agreed", r.SLA.SellerAnswered, r.SLA.SellerExpired)
	p("  seller confirms a return          %5d / %d auto-refunded", r.SLA.ReturnConfirmed, r.SLA.ReturnExpired)
	p("  complaint respondent answers      %5d / %d expired", r.SLA.RespondentAnswer, r.SLA.RespondentMissed)
	p("  case reviewed within its SLA      %5d / %d breached", r.SLA.ReviewMet, r.SLA.ReviewBreached)
	p("  deadlines fired (all kinds)       %5d", r.SLA.Fired)
	p("资金 / money (ledger): paid %s, released to sellers %s, refunded %s, compensated %s, advanced by the fund %s, refunded from deposits %s; unbalanced orders %d",
		yuan(r.Money.Paid), yuan(r.Money.Released), yuan(r.Money.Refunded), yuan(r.Money.Compensated), yuan(r.Money.Advanced), yuan(r.Money.FromDeposit), r.Money.Unbalanced)
	p("扣分与处罚 / points and sanctions: %d violations (%d warnings), buyer points %d, seller points %d, %d sanctions",
		r.Points.Violations, r.Points.Warnings, r.Points.BuyerPoints, r.Points.SellerPoints, r.Points.Sanctions)
	p("滥用标记 / abuse flags against the ground truth:")
	for _, role := range slices.Sorted(maps.Keys(r.Flags)) {
		f := r.Flags[role]
		p("  %-6s %3d actors, %3d abusive, %3d flagged: %d true, %d false, %d missed; precision %.2f, recall %.2f",
			role, f.Actors, f.Abusive, f.Flagged, f.TruePositives, f.FalsePositives, f.Missed, f.Precision(), f.Recall())
	}
	var ref []string
	for _, k := range slices.Sorted(maps.Keys(r.Refused)) {
		ref = append(ref, fmt.Sprintf("%s ×%d", k, r.Refused[k]))
	}
	if len(ref) == 0 {
		ref = []string{"none"}
	}
	p("API: %d HTTP requests; refused: %s; actions that came too late: %d", r.HTTP, strings.Join(ref, ", "), r.TooLate)
	status := "clean / 无异常"
	if !r.LedgerOK {
		status = fmt.Sprintf("%d VIOLATIONS / 发现异常", r.LedgerIssues)
	}
	p("ledger check: %s (%d transactions)", status, r.LedgerTx)
}

// entry is m's value at k, a new zero value put there first when m has none.
func entry[K comparable, V any](m map[K]*V, k K) *V {
	v := m[k]
	if v == nil {
		v = new(V)
		m[k] = v
	}
	return v
}
