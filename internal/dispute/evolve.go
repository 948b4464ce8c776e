package dispute

import (
	"slices"

	"github.com/weiquan/weiquan/internal/actor"
)

// Evolve applies an event; it never fails, and replay reproduces the state.
func Evolve(s State, e Event) State {
	d := e.Data
	switch e.Type {
	case EvOpened:
		id := s.ID
		s = *d.Opened
		s.ID = id
		s.Checklist = slices.Clone(d.Opened.Checklist)
		s.Windows = slices.Clone(d.Opened.Windows)
		s.EvidenceIDs = []string{}
	case EvEvidenceAdded:
		s.EvidenceIDs = append(slices.Clone(s.EvidenceIDs), d.EvidenceID)
		s.Checklist = slices.Clone(s.Checklist)
		for i := range s.Checklist {
			if s.Checklist[i].Party == d.Party && slices.Contains(d.Satisfies, s.Checklist[i].Key) {
				s.Checklist[i].Satisfied = true
			}
		}
	case EvEvidenceClosed:
		s.Windows = slices.Clone(s.Windows)
		for i := range s.Windows {
			if s.Windows[i].Party == d.Party {
				s.Windows[i].Closed = true
			}
		}
	case EvToReview:
		s.Status, s.SLADueAt = Review, d.SLADueAt
	case EvEvidenceAssessed:
		if d.Assessment != nil {
			s.Assessments = assessed(s.Assessments, *d.Assessment)
		}
	case EvClaimed, EvReassigned:
		s.Assignee = d.Assignee
	case EvReleased:
		s.Assignee = ""
	case EvExtended:
		s.SLADueAt, s.SLAExtended = d.SLADueAt, e.Reason
	case EvJudged:
		s.Status, s.Judgment, s.AppealDueAt, s.Assignee, s.AppealRule = Judged, d.Judgment, d.AppealDue, "", d.AppealRule
		s.Suspension = nil
	case EvAppealed:
		s.Status, s.Appeal, s.Senior, s.Assignee = Appealed, d.Appeal, true, ""
		s.EvidenceIDs = append(slices.Clone(s.EvidenceIDs), d.Appeal.EvidenceIDs...)
	case EvAppealDecided:
		s.Status, s.Final, s.Assignee = Final, d.Judgment, ""
	case EvFinal:
		s.Status, s.Final = Final, s.Judgment
	case EvWithdrawn:
		s.Status, s.Assignee, s.Suspension = Withdrawn, "", nil
	case EvAdvanced, EvAdvanceClosed:
		a := *d.Advance
		s.Advance = &a
	case EvSuspendAsked:
		sus := Suspension{}
		if s.Suspension != nil {
			sus = *s.Suspension
		}
		sus.Requested = append(slices.Clone(sus.Requested), d.Party)
		s.Suspension = &sus
	case EvSuspended, EvLegalAccepted:
		sus := *d.Suspension
		s.Status, s.Suspension = Suspended, &sus
	case EvResumed:
		if s.Suspension != nil && s.Suspension.From != "" {
			s.Status = s.Suspension.From
		}
		s.Suspension = nil
		if d.Windows != nil {
			s.Windows = slices.Clone(d.Windows)
		}
		if d.SLADueAt != nil {
			s.SLADueAt = d.SLADueAt
		}
	}
	s.Version = e.Seq
	s.UpdatedAt = e.At
	return s
}

// Replay folds events into a state.
func Replay(id string, events []Event) State {
	return actor.Replay(State{ID: id}, Evolve, events)
}

// Deadline is the case's live automatic deadline: the evidence window while
// evidence is open, the end of a negotiation suspension, the appeal window
// after a judgment; none otherwise (the
// review SLA is a target that is flagged when breached, not an action).
func (s State) Deadline() (kind string, due *DeadlineAt) {
	switch s.Status {
	case Evidence:
		var first *Window
		for i := range s.Windows {
			if !s.Windows[i].Closed && (first == nil || s.Windows[i].DueAt.Before(first.DueAt)) {
				first = &s.Windows[i]
			}
		}
		if first != nil {
			return "evidence_window", &DeadlineAt{DueAt: first.DueAt, RuleID: first.RuleID, OnExpiry: "close_evidence"}
		}
	case Suspended:
		if s.Suspension != nil && s.Suspension.ResumeAt != nil {
			return "suspension", &DeadlineAt{DueAt: *s.Suspension.ResumeAt, RuleID: s.Suspension.RuleID, OnExpiry: "resume"}
		}
	case Judged:
		if s.AppealDueAt != nil {
			return "appeal_window", &DeadlineAt{DueAt: *s.AppealDueAt, OnExpiry: "final", RuleID: s.AppealRule}
		}
	}
	return "", nil
}
