package complaint

import (
	"slices"

	"github.com/weiquan/weiquan/internal/actor"
)

// Evolve applies an event; it never fails, and replay reproduces the state.
func Evolve(s State, e Event) State {
	d := e.Data
	switch e.Type {
	case EvFiled:
		id := s.ID
		s = *d.Filed
		s.ID = id
		s.EvidenceIDs = slices.Clone(d.Filed.EvidenceIDs)
		s.Findings = slices.Clone(d.Filed.Findings)
	case EvResponded:
		s.Response = d.Response
		if s.Status == WaitResponse {
			s.Status = InReview
		}
	case EvSettlementOffered:
		s.Settlement = d.Settlement
	case EvSettled:
		s.Settlement, s.Status = d.Settlement, Settled
	case EvWithdrawn:
		s.Status = Withdrawn
	case EvResponseExpired:
		s.Status = InReview
	case EvDecided:
		s.Status, s.Decision, s.SecondDueAt = Decided, d.Decision, d.SecondDue
	case EvSecondFiled:
		s.Status, s.Second, s.Senior = SecondReview, d.Second, true
		s.EvidenceIDs = append(slices.Clone(s.EvidenceIDs), d.Second.EvidenceIDs...)
	case EvFinalDecided:
		s.Status, s.FinalDecision = Final, d.Decision
	case EvEvidenceAdded:
		if d.Evidence.By == s.ComplainantRole {
			s.EvidenceIDs = append(slices.Clone(s.EvidenceIDs), d.Evidence.IDs...)
		} else {
			s.RespondentEvidenceIDs = append(slices.Clone(s.RespondentEvidenceIDs), d.Evidence.IDs...)
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

// Outcome returns the complaint's outcome for the complainant's record:
// "upheld", "rejected" (rejected or malicious), or "" while undecided or
// settled. The last decision counts.
func (s State) Outcome() string {
	d := s.Decision
	if s.FinalDecision != nil {
		d = s.FinalDecision
		if d.Verdict != Upheld && s.Decision != nil && s.Decision.Verdict == Upheld {
			d = s.Decision // a rejected second complaint leaves the first decision standing
		}
	}
	if d == nil {
		return ""
	}
	if d.Verdict == Upheld {
		return "upheld"
	}
	return "rejected"
}
