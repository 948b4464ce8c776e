package dispute

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/fault"
)

// Evidence assessment (质证): the agent holding a case marks each piece of
// evidence accepted or rejected, with a reason when rejected, before the
// judgment (淘宝平台争议处理规则 art. 9, RuleEvidenceWeighed: the parties
// answer for their evidence's authenticity, relevance, completeness,
// accuracy and timeliness, and the platform decides on that evidence as an
// ordinary person would read it; art. 38: evidence that does not hold is
// 举证无效). An assessment is a fact of the case (EvEvidenceAssessed);
// marking a piece again replaces its earlier verdict, and the parties see
// the verdicts with the judgment.

// AssessEvidence marks one piece of the case's evidence.
const AssessEvidence Action = "assess-evidence"

// EvEvidenceAssessed is an agent's verdict on one piece of evidence.
const EvEvidenceAssessed EventType = "evidence_assessed"

// Verdicts of an assessment.
const (
	VerdictAccepted = "accepted"
	VerdictRejected = "rejected"
)

// RuleEvidenceWeighed is the rule an assessment cites (art. 9).
const RuleEvidenceWeighed = "taobao-dispute-9"

// MaxAssessmentReason bounds an assessment's reason.
const MaxAssessmentReason = 500

// Assessment is the verdict on one piece of evidence.
type Assessment struct {
	EvidenceID string    `json:"evidence_id"`
	Verdict    string    `json:"verdict"` // accepted or rejected
	Reason     string    `json:"reason,omitempty"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// decideAssess: the agent holding the case in review or on appeal marks a
// piece of its evidence — the case's chain, or what the parties gave in the
// negotiation before it (Command.InChain, as the service finds it); a
// rejection needs its reason.
func decideAssess(d decision) ([]Event, error) {
	if err := d.needIn([]Role{RoleAgent, RoleSenior}, Review, Appealed); err != nil {
		return nil, err
	}
	if err := d.holder(); err != nil {
		return nil, err
	}
	c := d.c
	if !slices.Contains(d.s.EvidenceIDs, c.EvidenceID) && !c.InChain {
		return nil, fault.Field("evidence_id", "证据 %q 不在本案证据中 / evidence %q is not among the case's evidence", c.EvidenceID, c.EvidenceID)
	}
	if c.Verdict != VerdictAccepted && c.Verdict != VerdictRejected {
		return nil, fault.Field("verdict", "认定须为 accepted（采信）或 rejected（不予采信） / verdict must be accepted or rejected")
	}
	reason := strings.TrimSpace(c.Reason)
	if c.Verdict == VerdictRejected && reason == "" {
		return nil, fault.Field("reason", "不予采信须说明理由 / a rejected piece needs its reason")
	}
	if utf8.RuneCountInString(reason) > MaxAssessmentReason {
		return nil, fault.Field("reason", "理由不能超过 %d 字 / the reason is at most %d characters", MaxAssessmentReason, MaxAssessmentReason)
	}
	ev := d.event()
	ev.Type, ev.Reason, ev.RuleIDs = EvEvidenceAssessed, reason, []string{RuleEvidenceWeighed}
	ev.Data.Assessment = &Assessment{EvidenceID: c.EvidenceID, Verdict: c.Verdict, Reason: reason, By: c.Actor.ID, At: d.now}
	return []Event{ev}, nil
}

// assessed returns the assessments with a, replacing an earlier verdict on
// the same piece.
func assessed(as []Assessment, a Assessment) []Assessment {
	out := slices.Clone(as)
	for i := range out {
		if out[i].EvidenceID == a.EvidenceID {
			out[i] = a
			return out
		}
	}
	return append(out, a)
}

// AssessmentOf is the verdict on a piece of evidence, if any.
func (s State) AssessmentOf(evidenceID string) (Assessment, bool) {
	for _, a := range s.Assessments {
		if a.EvidenceID == evidenceID {
			return a, true
		}
	}
	return Assessment{}, false
}
