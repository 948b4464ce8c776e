package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/complaint"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/store"
)

// The agents' workbench (工作台): search and filter the cases, see each with
// its priority, SLA state and both parties' history, and claim, release or
// reassign them one at a time or in bulk. Every visibility rule is here:
// only staff see the workbench; buyers' names are masked (个人信息保护法
// art. 6: the least intrusive way — the case page shows more to its holder);
// sellers appear under their shop names; staff under their display names.

// NearBreach is how long before its review SLA falls due a case counts as
// near breach (shown amber on the workbench; breached is red).
const NearBreach = 24 * time.Hour

// SLA states of a case on the workbench.
const (
	SLANone     = ""         // no review SLA running (evidence stage, suspended, …)
	SLAOK       = "ok"       // due later than NearBreach from now
	SLANear     = "near"     // due within NearBreach
	SLABreached = "breached" // due time passed
)

// SLAStateAt is the SLA state of a due time at now.
func SLAStateAt(due *time.Time, now time.Time) string {
	switch {
	case due == nil:
		return SLANone
	case !now.Before(*due):
		return SLABreached
	case due.Sub(now) <= NearBreach:
		return SLANear
	}
	return SLAOK
}

// Priority is a work item's priority: the score (higher first) and the
// parts it is the sum of, each with the key of its explanation.
type Priority struct {
	Score int            `json:"score"`
	Parts []PriorityPart `json:"parts"`
}

// PriorityPart is one term of a priority.
type PriorityPart struct {
	Key    string `json:"key"` // sla_breached, sla_4h, sla_24h, sla_72h, waiting_72h, waiting_24h, waiting_4h, amount, premium, large_value, repeat, flagged
	Points int    `json:"points"`
}

// PriorityInput is what a priority is computed from.
type PriorityInput struct {
	Now time.Time
	// SLADue is the review SLA's due time (cases); nil when none runs.
	SLADue *time.Time
	// Waiting is since when the item waits for the platform (complaints,
	// which have no review SLA): the older, the higher.
	Waiting *time.Time
	Amount  money.Fen // the amount in dispute (a complaint's claim or loss)
	Premium bool      // the buyer is a premium member (88VIP …)
	Large   bool      // the amount reaches dispute.senior_threshold
	Repeat  int       // earlier after-sales requests and complaints on the same order
	Flagged bool      // the complainant carries an abuse flag (complaint.Abuse)
}

// ComputePriority is the workbench's priority, the sum of:
//
//	SLA time left   breached 40 · ≤ 4 h 30 · ≤ 24 h 20 · ≤ 72 h 10 · later or none 0
//	  (complaints, without an SLA, by time waiting: ≥ 72 h 30 · ≥ 24 h 20 · ≥ 4 h 10)
//	amount          1 per ¥100 in dispute, at most 15
//	premium buyer   15
//	large value     10 (the amount reaches dispute.senior_threshold)
//	repeat contact  5 per earlier request or complaint on the same order, at most 15
//	flagged         −20 (the complainant's complaints were mostly rejected)
//
// so that a breached SLA outranks anything but a premium, large, repeated
// case near breach; the maximum is 95. The score is not stored: it moves
// with the clock and is computed when the workbench is read.
func ComputePriority(in PriorityInput) Priority {
	var p Priority
	add := func(key string, pts int) {
		if pts != 0 {
			p.Parts = append(p.Parts, PriorityPart{Key: key, Points: pts})
			p.Score += pts
		}
	}
	switch {
	case in.SLADue != nil:
		left := in.SLADue.Sub(in.Now)
		switch {
		case left <= 0:
			add("sla_breached", 40)
		case left <= 4*time.Hour:
			add("sla_4h", 30)
		case left <= 24*time.Hour:
			add("sla_24h", 20)
		case left <= 72*time.Hour:
			add("sla_72h", 10)
		}
	case in.Waiting != nil:
		waited := in.Now.Sub(*in.Waiting)
		switch {
		case waited >= 72*time.Hour:
			add("waiting_72h", 30)
		case waited >= 24*time.Hour:
			add("waiting_24h", 20)
		case waited >= 4*time.Hour:
			add("waiting_4h", 10)
		}
	}
	add("amount", int(min(15, max(0, int64(in.Amount)/10000))))
	if in.Premium {
		add("premium", 15)
	}
	if in.Large {
		add("large_value", 10)
	}
	add("repeat", min(15, 5*max(0, in.Repeat)))
	if in.Flagged {
		add("flagged", -20)
	}
	if p.Parts == nil {
		p.Parts = []PriorityPart{}
	}
	return p
}

// WorkbenchQuery is a workbench search. Zero values mean "any".
type WorkbenchQuery struct {
	// Text is searched in In: "all" (default), "order", "buyer", "seller",
	// "tracking" or "text" (see store.WorkbenchFilter).
	Text string
	In   string
	// Stage: "" the open work (evidence, review, appeal, suspended), "all"
	// every status, or one status (REVIEW, APPEALED, …).
	Stage     string
	Reason    string
	MinAmount money.Fen
	MaxAmount money.Fen
	// SLA: "breached", "near" (within NearBreach), "ok", "none" or "" any.
	SLA string
	// Assignee: "me", "none" (nobody holds it), a staff id, or "" anyone.
	Assignee string
	// Premium: "yes", "no" or "".
	Premium string
	// Sort: "priority" (default), "sla", "amount", "newest", "oldest".
	Sort  string
	Limit int // 1–500; default 200
}

// Workbench search vocabularies.
var (
	WorkbenchIn    = []string{"all", "order", "buyer", "seller", "tracking", "text"}
	WorkbenchSLA   = []string{SLABreached, SLANear, SLAOK, "none"}
	WorkbenchSorts = []string{"priority", "sla", "amount", "newest", "oldest"}
	// WorkbenchOpen are the stages of the default view.
	WorkbenchOpen = []dispute.Status{dispute.Evidence, dispute.Review, dispute.Appealed, dispute.Suspended}
)

// PartyHistory is a party's history as the workbench shows it beside a case.
type PartyHistory struct {
	Requests           int   `json:"requests"`
	Cases              int   `json:"cases"`
	ComplaintsFiled    int   `json:"complaints_filed"`
	ComplaintsReceived int   `json:"complaints_received"`
	PointsA            int64 `json:"points_a"` // this year's points, class A (一般违规)
	PointsB            int64 `json:"points_b"` // class B (严重违规)
	// AbuseFlag: most of the complaints the party filed lately were
	// rejected (complaint.Abuse).
	AbuseFlag bool `json:"abuse_flag"`
}

// WorkbenchCase is one case on the workbench.
type WorkbenchCase struct {
	dispute.State
	Priority   Priority `json:"priority"`
	SLAState   string   `json:"sla_state"`
	BuyerName  string   `json:"buyer_name"`  // masked (张**)
	SellerName string   `json:"seller_name"` // the shop's name
	// AssigneeName is the holder's display name ("" when nobody holds it).
	AssigneeName     string       `json:"assignee_name"`
	TrackingNo       string       `json:"tracking_no"`
	ReturnTrackingNo string       `json:"return_tracking_no"`
	Buyer            PartyHistory `json:"buyer_history"`
	Seller           PartyHistory `json:"seller_history"`
	Mine             bool         `json:"mine"`
	// Allowed are the workbench actions the caller may take on the case
	// now: claim, release, reassign.
	Allowed []string `json:"allowed"`
}

// WorkbenchResult is a workbench search's answer.
type WorkbenchResult struct {
	Cases []WorkbenchCase `json:"cases"`
	// Truncated: more cases matched than were returned (narrow the search).
	Truncated bool `json:"truncated"`
}

// Assignee is a staff member who can be handed a case.
type Assignee struct {
	ID   string     `json:"id"` // the id cases record: web:<login> or key:<id>
	Name string     `json:"name"`
	Role actor.Role `json:"role"`
}

// Assignees lists the staff who can hold cases: enabled agents and senior
// agents who sign in to the pages, and live API keys of those roles, by
// name. Errors: Forbidden (not staff).
func (s *Service) Assignees(ctx context.Context, c Caller) ([]Assignee, error) {
	if err := staffOnly(c); err != nil {
		return nil, err
	}
	users, err := s.st.ListWebUsers(ctx, 1000)
	if err != nil {
		return nil, err
	}
	var out []Assignee
	for _, u := range users {
		if r := actor.Role(u.Role); (r == actor.Agent || r == actor.Senior) && u.DisabledAt == nil {
			out = append(out, Assignee{ID: "web:" + u.Login, Name: cmp.Or(u.DisplayName, u.Login), Role: r})
		}
	}
	keys, err := s.st.ListAPIKeys(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for _, k := range keys {
		if r := actor.Role(k.Role); (r == actor.Agent || r == actor.Senior) && k.Live(now) {
			out = append(out, Assignee{ID: "key:" + k.ID, Name: cmp.Or(k.Name, k.ID), Role: r})
		}
	}
	slices.SortFunc(out, func(a, b Assignee) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// toFilter checks a query and turns it into the store's filter.
func (s *Service) toFilter(c Caller, q WorkbenchQuery, now time.Time) (store.WorkbenchFilter, error) {
	f := store.WorkbenchFilter{Text: strings.TrimSpace(q.Text), In: q.In, Reason: strings.TrimSpace(q.Reason), Limit: 500}
	if f.In != "" && !slices.Contains(WorkbenchIn, f.In) {
		return f, fault.Field("in", "搜索范围须为 %s / in is one of %s", strings.Join(WorkbenchIn, ", "), strings.Join(WorkbenchIn, ", "))
	}
	if len([]rune(f.Text)) > 100 {
		return f, fault.Field("q", "搜索内容最多100个字符 / the search is at most 100 characters")
	}
	switch q.Stage {
	case "":
		for _, st := range WorkbenchOpen {
			f.Statuses = append(f.Statuses, string(st))
		}
	case "all":
	default:
		if !slices.Contains(dispute.Statuses, dispute.Status(q.Stage)) {
			return f, fault.Field("stage", "未知阶段 %q / unknown stage %q", q.Stage, q.Stage)
		}
		f.Statuses = []string{q.Stage}
	}
	if f.Reason != "" && !ValidID(f.Reason) {
		return f, fault.Field("reason", "未知原因 %q / unknown reason %q", f.Reason, f.Reason)
	}
	if q.MinAmount < 0 {
		return f, fault.Field("min_amount", "金额不能为负 / the amount cannot be negative")
	}
	if q.MaxAmount < 0 || (q.MaxAmount > 0 && q.MaxAmount < q.MinAmount) {
		return f, fault.Field("max_amount", "最高金额须不低于最低金额 / the maximum is at least the minimum")
	}
	f.MinClaim, f.MaxClaim = int64(q.MinAmount), int64(q.MaxAmount)
	near := now.Add(NearBreach)
	switch q.SLA {
	case "":
	case SLABreached:
		f.SLABefore = &now
	case SLANear:
		f.SLAAfter, f.SLABefore = &now, &near
	case SLAOK:
		f.SLAAfter = &near
	case "none":
		f.NoSLA = true
	default:
		return f, fault.Field("sla", "时限筛选须为 %s / sla is one of %s", strings.Join(WorkbenchSLA, ", "), strings.Join(WorkbenchSLA, ", "))
	}
	switch q.Assignee {
	case "":
	case "me":
		f.Assignee = keyOf(c)
	case "none":
		f.Unassigned = true
	default:
		f.Assignee = q.Assignee
	}
	switch q.Premium {
	case "":
	case "yes", "no":
		p := q.Premium == "yes"
		f.Premium = &p
	default:
		return f, fault.Field("premium", "须为 yes 或 no / premium is yes or no")
	}
	if q.Sort != "" && !slices.Contains(WorkbenchSorts, q.Sort) {
		return f, fault.Field("sort", "排序须为 %s / sort is one of %s", strings.Join(WorkbenchSorts, ", "), strings.Join(WorkbenchSorts, ", "))
	}
	return f, nil
}

// WorkbenchCases searches the cases for the workbench: filtered and sorted
// as the query asks, each with its priority (ComputePriority), SLA state,
// the parties' names (buyers masked) and histories, its holder's name and
// the actions the caller may take. At most q.Limit cases (default 200) of
// the first 500 that match in queue order are returned. Errors: Forbidden
// (not staff), Invalid (a query field, named).
func (s *Service) WorkbenchCases(ctx context.Context, c Caller, q WorkbenchQuery) (WorkbenchResult, error) {
	if err := staffOnly(c); err != nil {
		return WorkbenchResult{}, err
	}
	now, b := s.clock.Now(), s.Policy()
	f, err := s.toFilter(c, q, now)
	if err != nil {
		return WorkbenchResult{}, err
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	rows, err := s.st.WorkbenchCases(ctx, f)
	if err != nil {
		return WorkbenchResult{}, err
	}
	var buyers, sellers []string
	for _, r := range rows {
		buyers, sellers = append(buyers, r.Case.BuyerID), append(sellers, r.Case.SellerID)
	}
	bh, err := s.partyHistories(ctx, string(actor.Buyer), buyers, now)
	if err != nil {
		return WorkbenchResult{}, err
	}
	sh, err := s.partyHistories(ctx, string(actor.Seller), sellers, now)
	if err != nil {
		return WorkbenchResult{}, err
	}
	names := s.partyNames(ctx, buyers, sellers)
	staff := s.StaffNames(ctx)
	threshold, _ := b.Int("dispute.senior_threshold")
	me := keyOf(c)
	res := WorkbenchResult{Cases: make([]WorkbenchCase, 0, len(rows)), Truncated: len(rows) >= f.Limit}
	for _, r := range rows {
		d := r.Case
		var due *time.Time
		if d.Status == dispute.Review {
			due = d.SLADueAt // the review SLA runs in review alone
		}
		w := WorkbenchCase{State: d, SLAState: SLAStateAt(due, now), TrackingNo: r.TrackingNo, ReturnTrackingNo: r.ReturnTrackingNo,
			Buyer: bh[d.BuyerID], Seller: sh[d.SellerID], Mine: d.Assignee != "" && d.Assignee == me, Allowed: workbenchAllowed(c, d)}
		w.BuyerName = MaskName(cmp.Or(names["buyer:"+d.BuyerID], d.BuyerID))
		w.SellerName = cmp.Or(names["seller:"+d.SellerID], d.SellerID)
		if d.Assignee != "" {
			w.AssigneeName = cmp.Or(staff[d.Assignee], d.Assignee)
		}
		w.Priority = ComputePriority(PriorityInput{Now: now, SLADue: due, Amount: d.Claim, Premium: d.Premium,
			Large: threshold > 0 && int64(d.Claim) >= threshold, Repeat: r.OrderRequests - 1 + r.OrderComplaints})
		res.Cases = append(res.Cases, w)
	}
	sortWorkbench(res.Cases, q.Sort)
	if len(res.Cases) > limit {
		res.Cases, res.Truncated = res.Cases[:limit], true
	}
	return res, nil
}

// sortWorkbench orders cases by the sort key; ties keep queue order.
func sortWorkbench(cs []WorkbenchCase, by string) {
	far := time.Unix(1<<40, 0)
	due := func(w WorkbenchCase) time.Time {
		if w.SLAState == SLANone || w.SLADueAt == nil {
			return far
		}
		return *w.SLADueAt
	}
	slices.SortStableFunc(cs, func(a, b WorkbenchCase) int {
		switch by {
		case "sla":
			return due(a).Compare(due(b))
		case "amount":
			return cmp.Compare(b.Claim, a.Claim)
		case "newest":
			return b.CreatedAt.Compare(a.CreatedAt)
		case "oldest":
			return a.CreatedAt.Compare(b.CreatedAt)
		}
		return cmp.Compare(b.Priority.Score, a.Priority.Score)
	})
}

// workbenchAllowed are the workbench actions c may take on d now: the
// case's allowed actions (dispute.Allowed) that c's role and tier permit.
func workbenchAllowed(c Caller, d dispute.State) []string {
	out := []string{}
	tierOK := !d.Senior || c.Role == actor.Senior
	for _, a := range dispute.Allowed(d) {
		switch a {
		case dispute.Claim:
			if (c.Role == actor.Agent || c.Role == actor.Senior) && tierOK {
				out = append(out, string(a))
			}
		case dispute.Release:
			if d.Assignee == keyOf(c) && (c.Role == actor.Agent || c.Role == actor.Senior) {
				out = append(out, string(a))
			}
		case dispute.Reassign:
			if c.Role == actor.Senior || c.Role == actor.Admin {
				out = append(out, string(a))
			}
		}
	}
	return out
}

// partyNames maps "buyer:<id>" and "seller:<id>" of the parties named to
// the display names of their web users (buyers' names unmasked: the caller
// masks). A lookup failure leaves the ids: names are a courtesy.
func (s *Service) partyNames(ctx context.Context, buyers, sellers []string) map[string]string {
	n := map[string]string{}
	for _, x := range []struct {
		role string
		ids  []string
	}{{string(actor.Buyer), buyers}, {string(actor.Seller), sellers}} {
		m, err := s.st.PartyDisplayNames(ctx, x.role, x.ids)
		if err != nil {
			continue
		}
		for id, name := range m {
			n[x.role+":"+id] = name
		}
	}
	return n
}

// partyHistories computes the history of each party of a role among ids.
func (s *Service) partyHistories(ctx context.Context, role string, ids []string, now time.Time) (map[string]PartyHistory, error) {
	b := s.Policy()
	win, _ := b.ComplaintDuration("abuse_window")
	acts, err := s.st.PartyActivities(ctx, role, ids, now.Add(-win))
	if err != nil {
		return nil, err
	}
	reset := b.Rules["penalty.reset"].Value
	out := make(map[string]PartyHistory, len(acts))
	for id, a := range acts {
		out[id] = PartyHistory{Requests: a.Requests, Cases: a.Cases, ComplaintsFiled: a.ComplaintsFiled, ComplaintsReceived: a.ComplaintsReceived,
			PointsA: penalty.Points(a.Violations, "A", now, reset), PointsB: penalty.Points(a.Violations, "B", now, reset),
			AbuseFlag: complaint.Abuse(a.DecidedSince, a.RejectedSince, now, b) != nil}
	}
	return out, nil
}

// WorkbenchComplaint is a complaint in the workbench's queues with its
// computed priority and the parties' names.
type WorkbenchComplaint struct {
	ComplaintView
	Score           Priority `json:"computed_priority"`
	ComplainantName string   `json:"complainant_name"`
	RespondentName  string   `json:"respondent_name"`
}

// WorkbenchComplaints lists the complaints of a status (IN_REVIEW,
// SECOND_REVIEW) for the workbench, highest priority first
// (ComputePriority: time waiting since filed or answered, the amount
// claimed or lost, the other complaints on the same order in the queue as
// repeat contacts, a flagged complainant lower). Errors: Forbidden
// (not staff).
func (s *Service) WorkbenchComplaints(ctx context.Context, c Caller, status string) ([]WorkbenchComplaint, error) {
	if err := staffOnly(c); err != nil {
		return nil, err
	}
	list, err := s.ListComplaints(ctx, c, store.ComplaintFilter{Status: status, Queue: true, Limit: 200})
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	threshold, _ := s.Policy().Int("dispute.senior_threshold")
	perOrder := map[string]int{}
	var buyers, sellers []string
	for _, cv := range list {
		perOrder[cv.OrderID]++
		buyers, sellers = append(buyers, cv.BuyerID), append(sellers, cv.SellerID)
	}
	names := s.partyNames(ctx, buyers, sellers)
	name := func(role complaint.Party, id string) string {
		n := cmp.Or(names[string(role)+":"+id], id)
		if actor.Role(role) == actor.Buyer {
			return MaskName(n)
		}
		return n
	}
	out := make([]WorkbenchComplaint, 0, len(list))
	for _, cv := range list {
		amount := cmp.Or(cv.Claim.Amount, cv.Loss)
		since := cv.CreatedAt
		if cv.Response != nil && !cv.Response.At.IsZero() {
			since = cv.Response.At
		}
		out = append(out, WorkbenchComplaint{ComplaintView: cv, ComplainantName: name(cv.ComplainantRole, cv.ComplainantID), RespondentName: name(cv.RespondentRole, cv.RespondentID),
			Score: ComputePriority(PriorityInput{Now: now, Waiting: &since, Amount: amount, Large: threshold > 0 && int64(amount) >= threshold,
				Repeat: perOrder[cv.OrderID] - 1, Flagged: cv.Flag != nil})})
	}
	slices.SortStableFunc(out, func(a, b WorkbenchComplaint) int { return cmp.Compare(b.Score.Score, a.Score.Score) })
	return out, nil
}

// BulkAssign is one workbench action on several cases.
type BulkAssign struct {
	Action   dispute.Action // claim, release or reassign
	IDs      []string       // the cases, at most MaxBulk
	AssignTo string         // reassign: the staff id (see Assignees)
	Reason   string         // recorded on each case's event; a default names the workbench
}

// MaxBulk bounds the cases of one bulk action.
const MaxBulk = 100

// BulkOutcome is what became of each case of a bulk action.
type BulkOutcome struct {
	Done    []string      `json:"done"`
	Refused []BulkRefusal `json:"refused"`
}

// BulkRefusal is a case a bulk action left as it was, and why.
type BulkRefusal struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// AssignCases claims, releases or reassigns cases: each case is its own
// command (one transaction, one event with the caller as actor and the
// reason), so that a case another agent claimed first is refused alone
// and the others go ahead. Of two agents claiming one case exactly one
// wins: the case row is locked and version-checked, and the second finds
// it held (Conflict). A reassignment names an enabled agent or senior agent
// (Assignees); a senior-tier case goes only to a senior agent. Errors:
// Forbidden (not staff), Invalid (action, ids, assign_to — named); the
// refusals of single cases are in the outcome.
func (s *Service) AssignCases(ctx context.Context, c Caller, in BulkAssign) (BulkOutcome, error) {
	out := BulkOutcome{Done: []string{}, Refused: []BulkRefusal{}}
	if err := staffOnly(c); err != nil {
		return out, err
	}
	reason := strings.TrimSpace(in.Reason)
	var target *Assignee
	switch in.Action {
	case dispute.Claim:
		reason = cmp.Or(reason, "从工作台认领 / claimed from the workbench")
	case dispute.Release:
		reason = cmp.Or(reason, "从工作台放回队列 / released from the workbench")
	case dispute.Reassign:
		if in.AssignTo == "" {
			return out, fault.Field("assign_to", "须指定处理人 / choose whom to assign the cases to")
		}
		staff, err := s.Assignees(ctx, c)
		if err != nil {
			return out, err
		}
		for i := range staff {
			if staff[i].ID == in.AssignTo {
				target = &staff[i]
			}
		}
		if target == nil {
			return out, fault.Field("assign_to", "处理人 %q 不是在岗的客服或高级专员 / %q is not an enabled agent or senior agent", in.AssignTo, in.AssignTo)
		}
		reason = cmp.Or(reason, fmt.Sprintf("从工作台改派给 %s / reassigned to %s from the workbench", target.Name, target.Name))
	default:
		return out, fault.Field("action", "批量操作须为 claim、release 或 reassign / the bulk action is claim, release or reassign")
	}
	var ids []string
	for _, id := range in.IDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		return out, fault.Field("ids", "请至少选择一个案件 / select at least one case")
	case len(ids) > MaxBulk:
		return out, fault.Field("ids", "一次最多操作 %d 个案件 / at most %d cases at once", MaxBulk, MaxBulk)
	}
	for _, id := range ids {
		if target != nil && target.Role != actor.Senior {
			if d, err := s.GetDispute(ctx, c, id); err == nil && d.Senior {
				out.Refused = append(out.Refused, BulkRefusal{ID: id, Message: "此案件由高级专员处理，只能改派给高级专员 / a senior-tier case goes to a senior agent only"})
				continue
			}
		}
		cmd := DisputeCommand{Command: dispute.Command{Action: in.Action, Reason: reason, AssignTo: in.AssignTo}}
		if _, err := s.ActDispute(ctx, c, id, cmd); err != nil {
			fe, ok := fault.As(err)
			if !ok {
				return out, err
			}
			msg := fe.Message
			if d, err := s.GetDispute(ctx, c, id); err == nil && fe.Code == fault.Conflict && in.Action == dispute.Claim && d.Assignee != "" {
				// The usual race: say who was first.
				who := cmp.Or(s.StaffNames(ctx)[d.Assignee], d.Assignee)
				msg = fmt.Sprintf("已由 %s 认领 / already claimed by %s", who, who)
				if d.Assignee == keyOf(c) {
					msg = "你已认领此案件 / you hold this case already"
				}
			}
			out.Refused = append(out.Refused, BulkRefusal{ID: id, Message: msg})
			continue
		}
		out.Done = append(out.Done, id)
	}
	return out, nil
}
