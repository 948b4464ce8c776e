package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
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
}

// dashData is handed to the charts as JSON.
type dashData struct {
	Weeks      []string          `json:"weeks"`
	ByReason   map[string][]int  `json:"by_reason"`
	ByOutcome  map[string][]int  `json:"by_outcome"`
	MedianWeek []*float64        `json:"median_week"` // null: no judgment that week
	SLA        map[string]int    `json:"sla"`
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
	v.Data.Weeks = make([]string, 0, len(weeks))
	for wk := range weeks {
		v.Data.Weeks = append(v.Data.Weeks, wk)
	}
	sort.Strings(v.Data.Weeks)
	idx := map[string]int{}
	for i, wk := range v.Data.Weeks {
		idx[wk] = i
	}
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
	st := a.svc.Store()
	if v.Receivable, v.AdvanceSellers, err = st.AccountKindTotal(ctx, string(ledger.KindFundReceivable)); err != nil {
		return err
	}
	if v.Fund, err = st.AccountBalance(ctx, ledger.GuaranteeFund()); err != nil {
		return err
	}
	a.render(w, r, http.StatusOK, "dashboard", &v)
	return nil
}
