package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/order"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// casePage is an intervention case. Parties see its stage, deadline,
// checklist, evidence and timeline and can add evidence, finish, appeal or
// withdraw; staff also see the parties (personal data masked), the order
// facts, claim / release, and the judgment form with its ledger preview.
type casePage struct {
	Base
	Names     staffNames // the assignee's display name
	Case      dispute.State
	Req       aftersale.State
	Order     order.Order
	Deadline  *deadlineVM
	SLA       *deadlineVM
	Actions   []string
	Checklist []dispute.Item
	Missing   []dispute.Item
	Evidence  []evidenceVM
	Timeline  []eventVM
	Parties   []partyVM
	Rules     []ruleVM
	Outcomes  []dispute.Outcome
	Templates []string
	MyParty   string // buyer or seller for a party, "" for staff
	Mine      bool   // the case is assigned to this agent
	Reveals   []store.PIIReveal
	Scripts   []scriptSuggestion
	// StaffChoices are who a case can be reassigned to.
	StaffChoices []staffChoice
}

// staffChoice is a staff member a case can be given to.
type staffChoice struct{ ID, Name string }

// FinalOnAppeal is the judgment the senior tier gave on appeal (the final
// one), nil before that or when the first judgment simply became final.
func (p *casePage) FinalOnAppeal() *dispute.Judgment {
	if p.Case.Final != nil && p.Case.Appeal != nil && p.Case.Status == dispute.Final {
		return p.Case.Final
	}
	return nil
}

// Overturned reports an appeal decision that changed the first judgment.
func (p *casePage) Overturned() bool {
	f := p.FinalOnAppeal()
	return f != nil && f.Revision != nil
}

// partyVM is a side of the case as staff see it: personal data masked.
type partyVM = service.PartyCard

// ruleVM is a rule of the rule book offered in the judgment form.
type ruleVM struct {
	Key     string
	ID      string
	TitleZH string
	TitleEN string
	Value   string
	// More: not one the judgment usually cites (neither the checklist's
	// nor a dispute rule): offered behind "other rules".
	More bool
}

// Title is the rule's text in the page language.
func (r ruleVM) Title(lang string) string {
	if lang == langEN {
		return r.TitleEN
	}
	return r.TitleZH
}

// Can reports whether the action is possible now for this user.
func (p *casePage) Can(action string) bool { return contains(p.Actions, action) }

// WindowOpen reports whether the user's own evidence window is still open.
func (p *casePage) WindowOpen() bool {
	for _, w := range p.Case.Windows {
		if string(w.Party) == p.MyParty {
			return !w.Closed && p.Case.Status == dispute.Evidence
		}
	}
	return false
}

var reasonTemplates = []string{"tpl.seller_no_proof", "tpl.buyer_proved_quality", "tpl.buyer_no_proof", "tpl.partial_both"}

// caseControls are the case's allowed actions (dispute.Allowed, the
// allowed_actions of the API) that this user can take, each of which the
// page has a control for: nothing allowed is hidden, nothing shown is
// refused for being the wrong kind of action.
//   - a party: finish its evidence (while its window is open), appeal,
//     withdraw (the buyer), ask to suspend for a negotiation and resume it;
//   - staff: claim; the holder releases, extends, judges, advances and
//     resolves the advance, marks the evidence (质证), decides the appeal
//     (the senior tier); the senior tier and admins reassign; agents
//     suspend for legal proceedings and resume such a case.
func caseControls(d dispute.State, c service.Caller) []string {
	var out []string
	me := keyOfCaller(c)
	legal := d.Suspension != nil && d.Suspension.Ground == dispute.GroundLegal
	party := c.Role == actor.Buyer || c.Role == actor.Seller
	for _, act := range dispute.Allowed(d) {
		ok := false
		switch act {
		case dispute.DoneEvidence:
			ok = party && windowOpen(d, string(c.Role))
		case dispute.AppealCase:
			ok = party
		case dispute.Withdraw:
			ok = c.Role == actor.Buyer
		case dispute.Suspend:
			// Staff: on legal proceedings; on a case so suspended, the
			// same action records the acceptance voucher.
			ok = party && !legal || c.Role == actor.Agent || c.Role == actor.Senior
		case dispute.Resume:
			ok = party && !legal || (c.Role == actor.Agent || c.Role == actor.Senior) && legal
		case dispute.Claim:
			ok = !party && (d.Status != dispute.Appealed || c.Role == actor.Senior)
		case dispute.Release, dispute.Extend, dispute.Judge, dispute.Advance, dispute.ResolveAdvance, dispute.AssessEvidence:
			ok = !party && d.Assignee == me
		case dispute.DecideAppeal:
			ok = c.Role == actor.Senior && d.Assignee == me
		case dispute.Reassign:
			ok = c.Role == actor.Senior || c.Role == actor.Admin
		}
		if ok {
			out = append(out, string(act))
		}
	}
	return out
}

// windowOpen reports whether a party's evidence window is open.
func windowOpen(d dispute.State, party string) bool {
	for _, w := range d.Windows {
		if string(w.Party) == party {
			return !w.Closed && d.Status == dispute.Evidence
		}
	}
	return false
}

func (a *App) caseView(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c := r.Context(), s.Caller()
	d, err := a.svc.GetDispute(ctx, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	q, err := a.svc.GetAftersale(ctx, c, d.AftersaleID)
	if err != nil {
		return err
	}
	o, err := a.svc.GetOrder(ctx, c, d.OrderID)
	if err != nil {
		return err
	}
	v := casePage{Base: a.base(r, s, "title.case"), Names: a.staffNames(r.Context()), Case: d, Req: q, Order: o, Checklist: d.Checklist, Missing: dispute.Missing(d),
		Outcomes: dispute.Outcomes, Templates: reasonTemplates}
	v.Deadline = caseDeadline(d, v.Now)
	if d.Status == dispute.Review && d.SLADueAt != nil {
		v.SLA = &deadlineVM{Kind: "review_sla", Actor: "platform", DueAt: *d.SLADueAt, OnExpiry: "sla_breach", Now: v.Now}
	}
	staff := v.Staff()
	v.Actions = caseControls(d, c)
	v.Mine = staff && d.Assignee == keyOfCaller(c)
	if slices.Contains(v.Actions, string(dispute.Reassign)) {
		for id, name := range v.Names {
			if strings.HasPrefix(id, "web:") {
				v.StaffChoices = append(v.StaffChoices, staffChoice{ID: id, Name: name})
			}
		}
		sort.Slice(v.StaffChoices, func(i, j int) bool { return v.StaffChoices[i].Name < v.StaffChoices[j].Name })
	}
	if !staff {
		v.MyParty = string(c.Role)
	}
	if v.Evidence, err = a.loadEvidence(ctx, c, d.ID); err != nil {
		return err
	}
	markAssessments(v.Evidence, d, v.Can(string(dispute.AssessEvidence)), staff, v.Names)
	drecs, err := a.svc.DisputeEvents(ctx, c, d.ID, 0, 500)
	if err != nil {
		return err
	}
	arecs, err := a.svc.AftersaleEvents(ctx, c, q.ID, 0, 500)
	if err != nil {
		return err
	}
	var names staffNames
	if staff {
		names = v.Names
	}
	v.Timeline = append(eventsVM(arecs, names), eventsVM(drecs, names)...)
	sort.SliceStable(v.Timeline, func(i, j int) bool { return v.Timeline[i].At.Before(v.Timeline[j].At) })
	if staff {
		for _, side := range []string{string(actor.Buyer), string(actor.Seller)} {
			pid := d.BuyerID
			if side == string(actor.Seller) {
				pid = d.SellerID
			}
			p, err := a.svc.CaseParty(ctx, c, side, pid)
			if err != nil {
				return err
			}
			v.Parties = append(v.Parties, p)
		}
		v.Rules = judgmentRules(a.svc.Policy().Rules, d.Checklist)
		if v.Reveals, err = a.svc.PIIReveals(ctx, c, d.ID); err != nil {
			return err
		}
		text := []string{q.Description}
		if q.Refusal != nil {
			text = append(text, q.Refusal.Reason)
		}
		if q.Intervention != nil {
			text = append(text, q.Intervention.Reason)
		}
		v.Scripts = a.suggestScripts(ctx, strings.Join(text, "\n"))
	}
	a.render(w, r, http.StatusOK, "case", &v)
	return nil
}

// markAssessments puts the case's verdicts on its evidence (everyone who
// sees the case sees them; staff also see who gave them) and, for the
// agent who may assess, the form on each piece: the case's own and what the
// parties gave in the negotiation before it.
func markAssessments(evs []evidenceVM, d dispute.State, canAssess, staff bool, names staffNames) {
	for i := range evs {
		e := &evs[i]
		if a, ok := d.AssessmentOf(e.ID); ok {
			e.Assessment = &a
			if staff {
				e.AssessedBy = names.Who(a.By)
			}
		}
		if canAssess { // every piece shown is of the request's chain: the case's, or the negotiation's
			e.AssessCase = d.ID
		}
	}
}

// keyOfCaller names a staff caller as the service does (assignee).
func keyOfCaller(c service.Caller) string {
	if c.PartyID != "" {
		return c.PartyID
	}
	return c.Via
}

// DefaultRule reports whether a rule is pre-selected in the judgment form:
// the rules the case's checklist cites.
func (p *casePage) DefaultRule(id string) bool {
	for _, it := range p.Checklist {
		if it.RuleID == id {
			return true
		}
	}
	return false
}

// EvidenceIDsOfCase lists the case's evidence (to cite in a judgment).
func (p *casePage) InCase(id string) bool { return slices.Contains(p.Case.EvidenceIDs, id) }

func trimForm(r *http.Request, k string) string { return strings.TrimSpace(r.FormValue(k)) }

// judgmentRules offers the rules a judgment may cite: the checklist's
// burden-of-proof rules first (pre-selected), then the dispute rules of
// the rule book, then the rest (More: the form folds them), each with its
// text.
func judgmentRules(book map[string]policy.Rule, checklist []dispute.Item) []ruleVM {
	var out []ruleVM
	seen := map[string]bool{}
	for _, it := range checklist {
		if it.RuleID == "" || seen[it.RuleID] {
			continue
		}
		seen[it.RuleID] = true
		out = append(out, ruleVM{Key: it.Key, ID: it.RuleID, TitleZH: it.TitleZH, TitleEN: it.TitleEN})
	}
	keys := make([]string, 0, len(book))
	for k := range book {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch {
		case strings.HasPrefix(book[k].ID, "taobao-dispute"):
			return 0
		case strings.HasPrefix(k, "dispute.") || strings.HasPrefix(k, "aftersale.") || strings.HasPrefix(k, "appeal."):
			return 1
		}
		return 2
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		rule := book[k]
		if seen[rule.ID] {
			continue
		}
		seen[rule.ID] = true
		out = append(out, ruleVM{Key: k, ID: rule.ID, TitleZH: rule.TitleZH, TitleEN: rule.TitleEN, Value: rule.Value, More: rank(k) > 0})
	}
	return out
}

// MainRules are the rules the judgment form shows first: the checklist's
// and the dispute rules; OtherRules the rest of the book, folded.
func (p *casePage) MainRules() []ruleVM  { return p.rulesWhere(false) }
func (p *casePage) OtherRules() []ruleVM { return p.rulesWhere(true) }

func (p *casePage) rulesWhere(more bool) []ruleVM {
	var out []ruleVM
	for _, r := range p.Rules {
		if r.More == more {
			out = append(out, r)
		}
	}
	return out
}
