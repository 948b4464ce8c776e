package web

// Evidence assessment (质证, dispute.AssessEvidence): the agent holding a
// case marks each piece of evidence accepted or rejected with a reason;
// the case page shows the verdicts to everyone who sees the case.

func init() {
	for k, v := range map[string]msg{
		"ev.dispute.evidence_assessed": {"证据认定", "Evidence assessed"},
	} {
		catalogEntries[k] = v
	}
}
