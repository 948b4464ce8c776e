package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
)

// workbenchPage is the agents' workbench: one searchable, filterable,
// sortable list of cases (by the priority service.ComputePriority gives,
// unless another sort is asked), each with its SLA state in colour and in
// words, both parties' names and histories and the claim / release /
// reassign controls the caller may use (one case, or the checked ones in
// bulk), then the complaint queues. Keyboard: j/k move, x checks, c
// claims, o opens, / searches, ? shows the shortcuts (static/workbench.js).
type workbenchPage struct {
	Base
	Query     service.WorkbenchQuery
	Form      workbenchForm // the search form as typed
	Views     []workbenchView
	Cases     []wbRow
	Truncated bool
	// The search form's choices.
	InOptions, SLAOptions, SortOptions []string
	// Error is the refusal of the search, shown by its field.
	Error, ErrorField string
	Assignees         []service.Assignee
	CanReassign       bool
	Stages            []dispute.Status
	Reasons           []aftersale.Reason
	Back              string // this view's URL, where the bulk actions return
	Complaints        []wbComplaint
	Second            []wbComplaint
}

// workbenchForm is the search form's fields as the agent typed them.
type workbenchForm struct {
	Q, In, Stage, Reason, Min, Max, SLA, Assignee, Premium, Sort string
}

// workbenchView is a saved view: a link to a query.
type workbenchView struct {
	Key, Href string
	Current   bool
}

// views are the workbench's fixed views.
var workbenchViews = []struct{ key, query string }{
	{"wb.view.open", ""},
	{"wb.view.mine", "assignee=me"},
	{"wb.view.unassigned", "stage=REVIEW&assignee=none"},
	{"wb.view.near", "sla=near"},
	{"wb.view.breached", "sla=breached"},
	{"wb.view.appeals", "stage=APPEALED"},
}

func (a *App) workbench(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c := r.Context(), s.Caller()
	qv := r.URL.Query()
	v := workbenchPage{Base: a.base(r, s, "title.workbench"), Stages: dispute.Statuses, Reasons: aftersale.Reasons, Back: r.URL.RequestURI(),
		CanReassign: s.role() == actor.Senior || s.role() == actor.Admin,
		InOptions:   service.WorkbenchIn, SLAOptions: service.WorkbenchSLA, SortOptions: service.WorkbenchSorts}
	v.Form = workbenchForm{Q: qv.Get("q"), In: qv.Get("in"), Stage: qv.Get("stage"), Reason: qv.Get("reason"), Min: qv.Get("min"), Max: qv.Get("max"),
		SLA: qv.Get("sla"), Assignee: qv.Get("assignee"), Premium: qv.Get("premium"), Sort: qv.Get("sort")}
	for _, vw := range workbenchViews {
		href := "/workbench"
		if vw.query != "" {
			href += "?" + vw.query
		}
		v.Views = append(v.Views, workbenchView{Key: vw.key, Href: href, Current: r.URL.RawQuery == vw.query})
	}
	var err error
	if v.Assignees, err = a.svc.Assignees(ctx, c); err != nil {
		return err
	}
	q, err := parseWorkbenchQuery(v.Form)
	if err == nil {
		v.Query = q
		var res service.WorkbenchResult
		if res, err = a.svc.WorkbenchCases(ctx, c, q); err == nil {
			v.Truncated = res.Truncated
			for _, wc := range res.Cases {
				v.Cases = append(v.Cases, newWBRow(wc, v.Now))
			}
		}
	}
	if err != nil {
		fe, ok := fault.As(err)
		if !ok || fe.Code != fault.Invalid {
			return err
		}
		v.Error, v.ErrorField = fe.Message, fe.Field
	}
	for _, q := range []struct {
		status string
		into   *[]wbComplaint
	}{{"IN_REVIEW", &v.Complaints}, {"SECOND_REVIEW", &v.Second}} {
		list, err := a.svc.WorkbenchComplaints(ctx, c, q.status)
		if err != nil {
			return err
		}
		for _, wc := range list {
			t, _ := a.svc.Policy().ComplaintType(wc.Type)
			*q.into = append(*q.into, wbComplaint{WorkbenchComplaint: wc, TypeZH: t.TitleZH, TypeEN: t.TitleEN})
		}
	}
	a.render(w, r, http.StatusOK, "workbench", &v)
	return nil
}

// wbRow is one case on the workbench with its running deadline: the
// review SLA, else the stage's own (evidence or appeal window, suspension).
type wbRow struct {
	service.WorkbenchCase
	Due *deadlineVM
}

func newWBRow(wc service.WorkbenchCase, now time.Time) wbRow {
	row := wbRow{WorkbenchCase: wc}
	if wc.SLADueAt != nil && wc.Status == dispute.Review {
		row.Due = &deadlineVM{Kind: "review_sla", Actor: "platform", DueAt: *wc.SLADueAt, OnExpiry: "sla_breach", Now: now}
	} else if k, d := wc.State.Deadline(); d != nil {
		row.Due = &deadlineVM{Kind: k, DueAt: d.DueAt, OnExpiry: d.OnExpiry, RuleID: d.RuleID, Now: now}
	}
	return row
}

// wbComplaint is a complaint in a workbench queue with its type's title.
type wbComplaint struct {
	service.WorkbenchComplaint
	TypeZH, TypeEN string
}

// TypeTitle is the type's name in the language.
func (c wbComplaint) TypeTitle(lang string) string {
	if lang == langEN {
		return c.TypeEN
	}
	return c.TypeZH
}

// parseWorkbenchQuery reads the search form (amounts in yuan).
func parseWorkbenchQuery(f workbenchForm) (service.WorkbenchQuery, error) {
	q := service.WorkbenchQuery{Text: f.Q, In: f.In, Stage: f.Stage, Reason: f.Reason, SLA: f.SLA, Assignee: f.Assignee, Premium: f.Premium, Sort: f.Sort}
	var err error
	if q.MinAmount, err = parseYuan(f.Min, "min"); err != nil {
		return q, err
	}
	if q.MaxAmount, err = parseYuan(f.Max, "max"); err != nil {
		return q, err
	}
	return q, nil
}

// workbenchAssign is the workbench's claim / release / reassign: of the
// one case a row's button names (row=ACTION:ID), or of the checked cases
// (action, ids) — one service call either way; the outcome is the flash.
func (a *App) workbenchAssign(w http.ResponseWriter, r *http.Request, s *session) error {
	if err := r.ParseForm(); err != nil {
		return fault.Field("ids", "表单无效 / invalid form")
	}
	in := service.BulkAssign{Action: dispute.Action(r.PostForm.Get("action")), IDs: r.PostForm["ids"],
		AssignTo: strings.TrimSpace(r.PostForm.Get("assign_to")), Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	if row := r.PostForm.Get("row"); row != "" {
		act, id, _ := strings.Cut(row, ":")
		in.Action, in.IDs = dispute.Action(act), []string{id}
	}
	out, err := a.svc.AssignCases(r.Context(), s.Caller(), in)
	if err != nil {
		return err
	}
	back := r.PostForm.Get("back")
	if !localPath(back) || !strings.HasPrefix(back, "/workbench") {
		back = "/workbench"
	}
	return flashTo(w, r, bulkMessage(langOf(r), in.Action, out), back)
}

// bulkMessage says what a bulk action did, in the page's language.
func bulkMessage(lang string, act dispute.Action, out service.BulkOutcome) string {
	verb := catalogEntries["wb.done."+string(act)]
	if lang == langEN {
		m := fmt.Sprintf("%s: %d", verb.EN, len(out.Done))
		if len(out.Refused) > 0 {
			m += fmt.Sprintf("; %d not done:", len(out.Refused))
		}
		for _, x := range out.Refused {
			m += " " + shortID(x.ID) + " " + pickLang(x.Message, lang) + ";"
		}
		return m
	}
	m := fmt.Sprintf("%s %d 件", verb.ZH, len(out.Done))
	if len(out.Refused) > 0 {
		m += fmt.Sprintf("；%d 件未处理：", len(out.Refused))
	}
	for _, x := range out.Refused {
		m += " " + shortID(x.ID) + " " + pickLang(x.Message, lang) + "；"
	}
	return m
}

// shortID is the first block of an id (enough to tell cases apart).
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

// Selected reports whether a select's option is the one typed.
func (f workbenchForm) Selected(field, value string) bool {
	switch field {
	case "in":
		return f.In == value
	case "stage":
		return f.Stage == value
	case "reason":
		return f.Reason == value
	case "sla":
		return f.SLA == value
	case "assignee":
		return f.Assignee == value
	case "premium":
		return f.Premium == value
	case "sort":
		return f.Sort == value
	}
	return false
}

// SortHref is this view sorted by key.
func (p *workbenchPage) SortHref(key string) string {
	u, _ := url.Parse(p.Back)
	q := u.Query()
	q.Set("sort", key)
	return "/workbench?" + q.Encode()
}
