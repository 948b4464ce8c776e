package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/service"
)

type dashJSON struct {
	Weeks      []string           `json:"weeks"`
	ByReason   map[string][]int   `json:"by_reason"`
	ByOutcome  map[string][]int   `json:"by_outcome"`
	MedianWeek []*float64         `json:"median_week"`
	SLA        map[string]int     `json:"sla"`
	CWeeks     []string           `json:"complaint_weeks"`
	CByType    map[string][]int   `json:"complaints_by_type"`
	CByOutcome map[string][]int   `json:"complaints_by_outcome"`
	PointsYear int                `json:"points_year"`
	Bands      []string           `json:"point_bands"`
	Points     map[string][]int   `json:"points"`
	Labels     map[string]string  `json:"labels"`
	_          map[string]float64 // keep the struct open to new fields
}

var dashRe = regexp.MustCompile(`(?s)<script type="application/json" id="dash-data">(.*?)</script>`)

func isoWeek(t time.Time) string {
	y, w := t.In(time.FixedZone("CST", 8*3600)).ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// at returns the count of week wk in a weekly series (0 when absent).
func at(weeks []string, series []int, wk string) int {
	for i, w := range weeks {
		if w == wk && i < len(series) {
			return series[i]
		}
	}
	return 0
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// The numbers behind every dashboard chart match the data: disputes by
// reason and by outcome per week, SLA adherence, median time to judgment,
// complaints by type and by outcome per week, and the points distribution.
func TestDashboardNumbers(t *testing.T) {
	onEachEngine(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.stopAtClaim = true
		_, caseID := b.story()
		// The agent judges 30 hours after claiming.
		b.env.Clock.Advance(30 * time.Hour)
		judge := b.login("agent")
		judge.get("/cases/" + caseID)
		judge.mustPost(t, "/cases/"+caseID+"/judge", url.Values{"outcome": {"refund_full"}, "fault": {"seller"}, "reason": {"卖家未举证 / no proof"},
			"rule_ids": {"taobao-dispute-37"}}, `id="judgment-outcome"`)
		b.env.NewOrder("o4", "b2", "s1", 3000, apitest.Delivered)
		buyer, buyer2, seller, agent := b.login("buyer"), b.login("buyer2"), b.login("seller"), b.login("agent")

		file := func(c *client, order string) string {
			c.get("/orders/" + order + "/complaint")
			res, _ := c.post("/orders/"+order+"/complaint", url.Values{"type": {"out_of_stock"}, "description": {"缺货 / out of stock"}, "claim": {"处理 / act"}})
			id := strings.TrimPrefix(res.Request.URL.Path, "/complaints/")
			if res.StatusCode != 200 || id == res.Request.URL.Path {
				t.Fatalf("file on %s: %d", order, res.StatusCode)
			}
			return id
		}
		k1 := file(buyer, "o1")
		b.env.Clock.Advance(2 * time.Hour)
		// Two hours idle is past the 30-minute idle timeout: sign in again.
		buyer2, seller, agent = b.login("buyer2"), b.login("seller"), b.login("agent")
		seller.get("/complaints/" + k1)
		seller.mustPost(t, "/complaints/"+k1+"/act", url.Values{"action": {"respond"}, "statement": {"确实缺货 / it was out of stock"}}, `id="flash"`)
		agent.get("/complaints/" + k1)
		agent.mustPost(t, "/complaints/"+k1+"/act", url.Values{"action": {"decide"}, "verdict": {"upheld"}, "rule_ids": {"taobao-dispute-2"}, "reason": {"卖家承认 / admitted"}}, `id="complaint-verdict"`)
		k2 := file(buyer2, "o4")
		buyer2.get("/complaints/" + k2)
		buyer2.mustPost(t, "/complaints/"+k2+"/act", url.Values{"action": {"withdraw"}, "reason": {"已解决 / solved"}}, `id="flash"`)
		k3 := file(buyer2, "o2") // still open

		admin := b.login("admin")
		for _, lang := range []string{"zh-CN", "en"} {
			admin.lang = lang
			_, body := admin.get("/dashboard")
			m := dashRe.FindStringSubmatch(body)
			if m == nil {
				t.Fatal("no chart data on the dashboard")
			}
			var d dashJSON
			if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
				t.Fatalf("chart data: %v\n%s", err, m[1])
			}
			for _, id := range []string{"chart-reason", "chart-outcome", "chart-sla", "chart-median", "chart-ctype", "chart-coutcome", "chart-points"} {
				if !strings.Contains(body, `id="`+id+`"`) {
					t.Errorf("no %s chart", id)
				}
			}

			// Disputes: the one case, opened for a quality problem, judged for the buyer.
			ds, err := b.env.Svc.GetDispute(ctx, staffCaller, caseID)
			if err != nil || ds.Judgment == nil {
				t.Fatalf("dispute: %v", err)
			}
			if got := at(d.Weeks, d.ByReason["quality_problem"], isoWeek(ds.CreatedAt)); got != 1 || len(d.ByReason) != 1 {
				t.Errorf("by reason: %v (weeks %v)", d.ByReason, d.Weeks)
			}
			if got := at(d.Weeks, d.ByOutcome["refund_full"], isoWeek(ds.Judgment.At)); got != 1 || len(d.ByOutcome) != 1 {
				t.Errorf("by outcome: %v", d.ByOutcome)
			}
			onTime := ds.SLADueAt == nil || !ds.Judgment.At.After(*ds.SLADueAt)
			if wantOn := map[bool]int{true: 1}[onTime]; d.SLA["on_time"] != wantOn || d.SLA["late"] != 1-wantOn || d.SLA["breached_open"] != 0 {
				t.Errorf("SLA: %v (on time %v)", d.SLA, onTime)
			}
			hours := ds.Judgment.At.Sub(ds.CreatedAt).Hours()
			var med *float64
			for i, w := range d.Weeks {
				if w == isoWeek(ds.Judgment.At) {
					med = d.MedianWeek[i]
				}
			}
			if hours < 30 || med == nil || *med != hours || !strings.Contains(body, fmt.Sprintf(`id="kpi-median">%.1f<`, hours)) {
				t.Errorf("median time to judgment: %v, want %.2f h", med, hours)
			}

			// Complaints: three filed (out of stock), one upheld, one withdrawn, one open.
			ks := map[string]service.ComplaintView{}
			for _, id := range []string{k1, k2, k3} {
				ks[id], _ = b.env.Svc.GetComplaint(ctx, staffCaller, id)
			}
			if n := sum(d.CByType["out_of_stock"]); n != 3 || len(d.CByType) != 1 || at(d.CWeeks, d.CByType["out_of_stock"], isoWeek(ks[k3].CreatedAt)) < 1 {
				t.Errorf("complaints by type: %v (weeks %v)", d.CByType, d.CWeeks)
			}
			if at(d.CWeeks, d.CByOutcome["verdict.upheld"], isoWeek(ks[k1].Decision.At)) != 1 || sum(d.CByOutcome["kstatus.WITHDRAWN"]) != 1 || len(d.CByOutcome) != 2 {
				t.Errorf("complaints by outcome: %v", d.CByOutcome)
			}
			if !strings.Contains(body, `id="kpi-complaints">3<`) {
				t.Error("the complaints figure is not 3")
			}
			if d.Labels["verdict.upheld"] == "" || d.Labels["ctype.out_of_stock"] == "" {
				t.Errorf("labels: %v", d.Labels)
			}

			// Points: the seller's upheld complaint, in its band; nobody else has points.
			st, err := b.env.Svc.PartyStanding(ctx, staffCaller, "seller", "s1")
			if err != nil {
				t.Fatal(err)
			}
			thresholds, _ := b.env.Svc.Policy().List("penalty.thresholds")
			parties := 0
			for cls, pts := range st.Points {
				counts := d.Points["seller."+cls]
				if pts == 0 {
					if sum(counts) != 0 {
						t.Errorf("seller class %s: %v, want none", cls, counts)
					}
					continue
				}
				band := 0
				for _, th := range thresholds {
					if pts >= th {
						band++
					}
				}
				if len(counts) != len(thresholds)+1 || counts[band] != 1 || sum(counts) != 1 {
					t.Errorf("seller class %s with %d points: %v (bands %v)", cls, pts, counts, d.Bands)
				}
				parties++
			}
			if parties != 1 || sum(d.Points["buyer.A"])+sum(d.Points["buyer.B"]) != 0 {
				t.Errorf("points: %v, standing %v", d.Points, st.Points)
			}
			if d.PointsYear != st.Year {
				t.Errorf("points year %d, want %d", d.PointsYear, st.Year)
			}
		}
	})
}
