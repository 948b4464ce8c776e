package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// dashboardPage is the management dashboard: cases by reason and by
// outcome per week, SLA adherence, median time to judgment and the
// advance payments outstanding, drawn with ECharts from the embedded
// static folder.
type dashboardPage struct {
	Base
	Data           dashData
	Cases          int
	Judged         int
	MedianHours    float64
	SLAOnTime      int
	SLALate        int
	SLABreachedNow int
	Advances       money.Fen // open advances: paid by the fund, not yet resolved
	AdvanceCases   int
	Receivable     money.Fen // what sellers still owe the fund
	AdvanceSellers int64
	Fund           money.Fen
	Complaints     int
}

// dashData is handed to the charts as JSON. Disputes are counted by the
// week they were opened (by reason) and judged (by outcome); complaints by
// the week filed (by type) and closed (by outcome: the verdict of the
// last decision, or settled / withdrawn); points are the parties' points
// of the current penalty year per class, in bands between the sanction
// thresholds.
type dashData struct {
	Weeks      []string          `json:"weeks"`
	ByReason   map[string][]int  `json:"by_reason"`
	ByOutcome  map[string][]int  `json:"by_outcome"`
	MedianWeek []*float64        `json:"median_week"` // null: no judgment that week
	SLA        map[string]int    `json:"sla"`
	CWeeks     []string          `json:"complaint_weeks"`
	CByType    map[string][]int  `json:"complaints_by_type"`
	CByOutcome map[string][]int  `json:"complaints_by_outcome"` // keys: verdict.<v>, kstatus.SETTLED, kstatus.WITHDRAWN
	PointsYear int               `json:"points_year"`
	Bands      []string          `json:"point_bands"`
	Points     map[string][]int  `json:"points"` // "buyer.A" → parties per band
	Labels     map[string]string `json:"labels"`
}

func weekOf(t time.Time) string {
	t = t.In(cst)
	y, w := t.ISOWeek()
	return time.Date(y, 1, 1, 0, 0, 0, 0, cst).Format("2006") + "-W" + twoDigits(w)
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (a *App) allDisputes(ctx context.Context, r *http.Request, s *session) ([]dispute.State, error) {
	var out []dispute.State
	for after := ""; ; {
		page, err := a.svc.ListDisputes(ctx, s.Caller(), store.DisputeFilter{After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 500 {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

func (a *App) dashboard(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx := r.Context()
	v := dashboardPage{Base: a.base(r, s, "title.dashboard")}
	list, err := a.allDisputes(ctx, r, s)
	if err != nil {
		return err
	}
	weeks := map[string]bool{}
	for _, d := range list {
		weeks[weekOf(d.CreatedAt)] = true
		if d.Judgment != nil {
			weeks[weekOf(d.Judgment.At)] = true
		}
	}
	var idx map[string]int
	v.Data.Weeks, idx = weekAxis(weeks)
	v.Data.ByReason, v.Data.ByOutcome = map[string][]int{}, map[string][]int{}
	v.Data.SLA = map[string]int{}
	perWeek := make([][]float64, len(v.Data.Weeks))
	var all []float64
	for _, d := range list {
		v.Cases++
		if v.Data.ByReason[d.Reason] == nil {
			v.Data.ByReason[d.Reason] = make([]int, len(v.Data.Weeks))
		}
		v.Data.ByReason[d.Reason][idx[weekOf(d.CreatedAt)]]++
		if d.Status == dispute.Review && d.SLADueAt != nil && v.Now.After(*d.SLADueAt) {
			v.SLABreachedNow++
		}
		if adv := d.Advance; adv != nil && adv.Status == dispute.AdvancePaid && adv.Outcome == "" {
			v.Advances += adv.Amount
			v.AdvanceCases++
		}
		j := d.Judgment
		if j == nil {
			continue
		}
		v.Judged++
		o := string(j.Outcome)
		if v.Data.ByOutcome[o] == nil {
			v.Data.ByOutcome[o] = make([]int, len(v.Data.Weeks))
		}
		wi := idx[weekOf(j.At)]
		v.Data.ByOutcome[o][wi]++
		h := j.At.Sub(d.CreatedAt).Hours()
		all = append(all, h)
		perWeek[wi] = append(perWeek[wi], h)
		if d.SLADueAt != nil && j.At.After(*d.SLADueAt) {
			v.SLALate++
		} else {
			v.SLAOnTime++
		}
	}
	v.MedianHours = median(all)
	for _, xs := range perWeek {
		var m *float64
		if len(xs) > 0 {
			x := median(xs)
			m = &x
		}
		v.Data.MedianWeek = append(v.Data.MedianWeek, m)
	}
	v.Data.SLA["on_time"], v.Data.SLA["late"], v.Data.SLA["breached_open"] = v.SLAOnTime, v.SLALate, v.SLABreachedNow
	v.Data.Labels = map[string]string{}
	for k := range v.Data.ByReason {
		v.Data.Labels["reason."+k], _ = v.T("reason." + k)
	}
	for k := range v.Data.ByOutcome {
		v.Data.Labels["outcome."+k], _ = v.T("outcome." + k)
	}
	for _, k := range []string{"dash.on_time", "dash.late", "dash.breached_open", "dash.median_hours", "dash.by_reason", "dash.by_outcome", "dash.sla"} {
		v.Data.Labels[k], _ = v.T(k)
	}
	if err := a.complaintCharts(ctx, s, &v); err != nil {
		return err
	}
	if err := a.pointsChart(ctx, s, &v); err != nil {
		return err
	}
	for _, k := range []string{"dash.complaints_by_type", "dash.complaints_by_outcome", "dash.points", "dash.parties"} {
		v.Data.Labels[k], _ = v.T(k)
	}
	if v.Receivable, v.AdvanceSellers, err = a.svc.AccountKindTotal(ctx, s.Caller(), ledger.KindFundReceivable); err != nil {
		return err
	}
	fund, err := a.svc.Balances(ctx, s.Caller(), ledger.GuaranteeFund())
	if err != nil {
		return err
	}
	v.Fund = fund[ledger.GuaranteeFund()]
	a.render(w, r, http.StatusOK, "dashboard", &v)
	return nil
}

// complaintOutcome is the key of a closed complaint's outcome and when it
// closed ("" while open).
func complaintOutcome(k service.ComplaintView) (string, time.Time) {
	switch k.Status {
	case complaint.Settled, complaint.Withdrawn:
		return "kstatus." + string(k.Status), k.UpdatedAt
	}
	d := k.FinalDecision
	if d == nil {
		d = k.Decision
	}
	if d == nil {
		return "", time.Time{}
	}
	return "verdict." + string(d.Verdict), d.At
}

// complaintCharts counts every complaint by type per week filed and by
// outcome per week closed.
func (a *App) complaintCharts(ctx context.Context, s *session, v *dashboardPage) error {
	var list []service.ComplaintView
	for after := ""; ; {
		page, err := a.svc.ListComplaints(ctx, s.Caller(), store.ComplaintFilter{After: after, Limit: 500})
		if err != nil {
			return err
		}
		list = append(list, page...)
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	weeks := map[string]bool{}
	for _, k := range list {
		weeks[weekOf(k.CreatedAt)] = true
		if o, at := complaintOutcome(k); o != "" {
			weeks[weekOf(at)] = true
		}
	}
	var idx map[string]int
	v.Data.CWeeks, idx = weekAxis(weeks)
	v.Data.CByType, v.Data.CByOutcome = map[string][]int{}, map[string][]int{}
	b := a.svc.Policy()
	for _, k := range list {
		v.Complaints++
		if v.Data.CByType[k.Type] == nil {
			v.Data.CByType[k.Type] = make([]int, len(v.Data.CWeeks))
			t, _ := b.ComplaintType(k.Type)
			v.Data.Labels["ctype."+k.Type] = t.TitleZH
			if v.Lang == langEN {
				v.Data.Labels["ctype."+k.Type] = t.TitleEN
			}
			if v.Data.Labels["ctype."+k.Type] == "" {
				v.Data.Labels["ctype."+k.Type] = k.Type
			}
		}
		v.Data.CByType[k.Type][idx[weekOf(k.CreatedAt)]]++
		o, at := complaintOutcome(k)
		if o == "" {
			continue
		}
		if v.Data.CByOutcome[o] == nil {
			v.Data.CByOutcome[o] = make([]int, len(v.Data.CWeeks))
			v.Data.Labels[o], _ = v.T(o)
		}
		v.Data.CByOutcome[o][idx[weekOf(at)]]++
	}
	return nil
}

// pointsChart is the distribution of the current penalty year's points:
// for each party role and class, how many parties with a violation this
// year have points in each band between the sanction thresholds.
func (a *App) pointsChart(ctx context.Context, s *session, v *dashboardPage) error {
	b := a.svc.Policy()
	reset := b.Rules["penalty.reset"].Value
	year := penalty.Year(v.Now, reset)
	v.Data.PointsYear = year
	thresholds, _ := b.List("penalty.thresholds")
	v.Data.Bands = pointBands(thresholds)
	vs, err := a.svc.ViolationsSince(ctx, s.Caller(), penalty.YearStart(year, reset))
	if err != nil {
		return err
	}
	byParty := map[[2]string][]penalty.Violation{}
	var order [][2]string
	for _, x := range vs {
		k := [2]string{x.PartyRole, x.PartyID}
		if byParty[k] == nil {
			order = append(order, k)
		}
		byParty[k] = append(byParty[k], x)
	}
	v.Data.Points = map[string][]int{}
	for _, role := range []string{string(actor.Buyer), string(actor.Seller)} {
		for _, cls := range []string{"A", "B"} {
			v.Data.Points[role+"."+cls] = make([]int, len(v.Data.Bands))
			lbl, _ := v.T("role." + role)
			cl, _ := v.T("standing.class")
			v.Data.Labels["points."+role+"."+cls] = lbl + " · " + cl + " " + cls
		}
	}
	for _, k := range order {
		st := penalty.StandingAt(byParty[k], v.Now, b)
		for cls, pts := range st.Points {
			key := k[0] + "." + cls
			if v.Data.Points[key] == nil {
				continue
			}
			if pts == 0 && !hasClass(byParty[k], cls) {
				continue // no violation of this class this year
			}
			v.Data.Points[key][bandOf(pts, thresholds)]++
		}
	}
	return nil
}

func hasClass(vs []penalty.Violation, cls string) bool {
	for _, x := range vs {
		if x.Class == cls {
			return true
		}
	}
	return false
}

// pointBands names the bands between the thresholds: 0–11, 12–23, …, 48+.
func pointBands(thresholds []int64) []string {
	var out []string
	lo := int64(0)
	for _, t := range thresholds {
		out = append(out, fmt.Sprintf("%d–%d", lo, t-1))
		lo = t
	}
	return append(out, fmt.Sprintf("%d+", lo))
}

// bandOf is the band index of a points total.
func bandOf(pts int64, thresholds []int64) int {
	for i, t := range thresholds {
		if pts < t {
			return i
		}
	}
	return len(thresholds)
}

// weekAxis is a chart's x axis: the weeks seen, in order, and each week's
// position on it.
func weekAxis[V any](weeks map[string]V) ([]string, map[string]int) {
	axis := make([]string, 0, len(weeks))
	for wk := range weeks {
		axis = append(axis, wk)
	}
	sort.Strings(axis)
	idx := make(map[string]int, len(axis))
	for i, wk := range axis {
		idx[wk] = i
	}
	return axis, idx
}
