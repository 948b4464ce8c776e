package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/replay"
)

// replayPeriod is how far back the admin page's preview replays.
const replayPeriod = 30 * 24 * time.Hour

// replayVM is a preview of an edited rule book: its diff against the one
// in force and what the last 30 days would have come to under it.
type replayVM struct {
	Version string
	Changes []ruleChange
	Report  replay.Report
	Rows    []replayRowVM
}

type replayRowVM struct {
	Metric             string
	Baseline, Proposed string
	Delta              string
	Changed            bool
}

// adminRulesPreview shows, beside the rule-book diff, the policy replay
// of the last 30 days under the edited book (nothing is put in force; the
// form keeps the edit).
func (a *App) adminRulesPreview(w http.ResponseWriter, r *http.Request, s *session) error {
	body := r.FormValue("book")
	next, err := policy.Parse([]byte(body))
	if err != nil {
		return fault.Field("book", "规则书无效，未预演 / the rule book is not valid, nothing replayed: %v", err)
	}
	cur := a.svc.Policy()
	now := a.svc.Now()
	rep, err := replay.Replay(r.Context(), a.svc, replay.Options{From: now.Add(-replayPeriod), To: now, Baseline: cur, Proposed: next})
	if err != nil {
		return err
	}
	vm := &replayVM{Version: next.Version, Report: rep}
	for _, ch := range policy.Diff(cur, next) {
		vm.Changes = append(vm.Changes, ruleChange{Key: ch.Key, Old: ch.Old, New: ch.New})
	}
	for _, row := range rep.Rows() {
		f := func(v int64) string {
			if row.Money {
				return money.Fen(v).String()
			}
			return strconv.FormatInt(v, 10)
		}
		d := f(row.Delta())
		if row.Delta() > 0 {
			d = "+" + d
		}
		vm.Rows = append(vm.Rows, replayRowVM{Metric: row.Metric, Baseline: f(row.Baseline), Proposed: f(row.Proposed), Delta: d, Changed: row.Delta() != 0})
	}
	lang := a.base(r, s, "title.admin_rules").Lang
	for i := range vm.Rows {
		vm.Rows[i].Metric = pickLang(vm.Rows[i].Metric, lang)
	}
	return a.renderRules(w, r, s, body, vm)
}
