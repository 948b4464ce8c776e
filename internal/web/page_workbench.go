package web

import (
	"net/http"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/store"
)

// workbenchPage is the agents' queues, in priority order (premium members
// first, then the SLA due time, then the amount — the order of
// GET /v1/disputes?order=queue) with SLA countdowns.
type workbenchPage struct {
	Base
	Review     []queueRow
	Appeals    []queueRow
	Evidence   []queueRow
	Complaints []complaintRow
	Second     []complaintRow
	Me         string
	Names      staffNames // assignees' display names
}

// queueRow is one case in a queue.
type queueRow struct {
	dispute.State
	SLA      *deadlineVM
	Deadline *deadlineVM
	Breached bool
	Mine     bool
}

func (a *App) workbench(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c := r.Context(), s.Caller()
	v := workbenchPage{Base: a.base(r, s, "title.workbench"), Me: keyOfCaller(c), Names: a.staffNames(ctx)}
	load := func(status dispute.Status) ([]queueRow, error) {
		list, err := a.svc.ListDisputes(ctx, c, store.DisputeFilter{Status: string(status), Queue: true, Limit: 100})
		if err != nil {
			return nil, err
		}
		rows := make([]queueRow, 0, len(list))
		for _, d := range list {
			row := queueRow{State: d, Deadline: caseDeadline(d, v.Now), Mine: d.Assignee == v.Me}
			if d.SLADueAt != nil {
				row.SLA = &deadlineVM{Kind: "review_sla", Actor: "platform", DueAt: *d.SLADueAt, OnExpiry: "sla_breach", Now: v.Now}
				row.Breached = !v.Now.Before(*d.SLADueAt)
			}
			rows = append(rows, row)
		}
		return rows, nil
	}
	var err error
	if v.Review, err = load(dispute.Review); err != nil {
		return err
	}
	if v.Appeals, err = load(dispute.Appealed); err != nil {
		return err
	}
	if v.Evidence, err = load(dispute.Evidence); err != nil {
		return err
	}
	if v.Complaints, err = a.listComplaints(r, s, "IN_REVIEW"); err != nil {
		return err
	}
	if v.Second, err = a.listComplaints(r, s, "SECOND_REVIEW"); err != nil {
		return err
	}
	a.render(w, r, http.StatusOK, "workbench", &v)
	return nil
}
