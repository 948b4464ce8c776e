package replay

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/weiquan/weiquan/internal/money"
)

// Row is one line of a replay's difference: what, the baseline's figure,
// the proposed rule book's, and whether it is money (fen).
type Row struct {
	Metric   string `json:"metric"`
	Baseline int64  `json:"baseline"`
	Proposed int64  `json:"proposed"`
	Money    bool   `json:"money,omitempty"`
}

// Delta is Proposed − Baseline.
func (r Row) Delta() int64 { return r.Proposed - r.Baseline }

// Rows lists the figures side by side: the headline ones always, then the
// requests by status, and the rule IDs whose citations changed.
func (r Report) Rows() []Row {
	b, p := r.Baseline, r.Proposed
	rows := []Row{
		{Metric: "回放的操作 / actions replayed", Baseline: int64(b.Actions), Proposed: int64(p.Actions)},
		{Metric: "被拒绝的操作 / actions refused in the sandbox", Baseline: int64(b.Refused), Proposed: int64(p.Refused)},
		{Metric: "触发的期限 / deadlines fired", Baseline: int64(b.Fired), Proposed: int64(p.Fired)},
		{Metric: "超时自动同意 / requests auto-agreed", Baseline: b.Outcome.Events["aftersale.auto_agreed"], Proposed: p.Outcome.Events["aftersale.auto_agreed"]},
		{Metric: "超时自动退款 / auto-refunded", Baseline: b.Outcome.Events["aftersale.auto_refunded"], Proposed: p.Outcome.Events["aftersale.auto_refunded"]},
		{Metric: "申请平台介入 / escalated", Baseline: b.Outcome.Events["aftersale.escalated"], Proposed: p.Outcome.Events["aftersale.escalated"]},
		{Metric: "退款 / refunds", Baseline: b.Outcome.PaidToBuyers["refund"], Proposed: p.Outcome.PaidToBuyers["refund"], Money: true},
		{Metric: "保证金赔付 / compensation from deposits", Baseline: b.Outcome.PaidToBuyers["compensation_from_deposit"], Proposed: p.Outcome.PaidToBuyers["compensation_from_deposit"], Money: true},
		{Metric: "先行垫付 / advances from the fund", Baseline: b.Outcome.PaidToBuyers["advance_from_fund"], Proposed: p.Outcome.PaidToBuyers["advance_from_fund"], Money: true},
		{Metric: "违规记录 / violations", Baseline: b.Outcome.Violations, Proposed: p.Outcome.Violations},
		{Metric: "扣分 / points", Baseline: b.Outcome.Points, Proposed: p.Outcome.Points},
		{Metric: "处罚 / sanctions", Baseline: b.Outcome.Sanctions, Proposed: p.Outcome.Sanctions},
		{Metric: "审核超时 / cases past their review SLA", Baseline: b.Outcome.SLABreached, Proposed: p.Outcome.SLABreached},
	}
	for _, st := range union(b.Requests, p.Requests) {
		rows = append(rows, Row{Metric: "售后单 " + st + " / requests " + st, Baseline: b.Requests[st], Proposed: p.Requests[st]})
	}
	for _, id := range union(b.Outcome.Rules, p.Outcome.Rules) {
		if b.Outcome.Rules[id] != p.Outcome.Rules[id] {
			rows = append(rows, Row{Metric: "规则引用 " + id + " / citations of " + id, Baseline: b.Outcome.Rules[id], Proposed: p.Outcome.Rules[id]})
		}
	}
	return rows
}

func union(a, b map[string]int64) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Format prints the report as a table.
func (r Report) Format(w io.Writer) {
	fmt.Fprintf(w, "回放 / replay %s → %s: %d 订单 orders, %d 条记录事件 recorded events (%d 系统事件不回放，由沙箱按各自规则重新产生 / system events not replayed but produced again)\n",
		r.From.Format("2006-01-02 15:04"), r.To.Format("2006-01-02 15:04"), r.Orders, r.Events, r.Skipped)
	fmt.Fprintf(w, "%-52s %16s %16s %16s\n", "", "现行 "+r.Baseline.Book, "拟议 "+r.Proposed.Book, "差异 / Δ")
	for _, row := range r.Rows() {
		f := func(v int64) string {
			if row.Money {
				return money.Fen(v).String()
			}
			return fmt.Sprint(v)
		}
		d := f(row.Delta())
		if row.Delta() > 0 {
			d = "+" + d
		}
		fmt.Fprintf(w, "%-52s %16s %16s %16s\n", truncate(row.Metric, 52), f(row.Baseline), f(row.Proposed), d)
	}
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return strings.TrimSpace(s)
}
