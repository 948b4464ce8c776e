package web

// Evidence assessment (质证, dispute.AssessEvidence): the agent holding a
// case marks each piece of evidence accepted or rejected with a reason;
// the case page shows the verdicts to everyone who sees the case, and the
// form on each piece of the case's own chain (partials/evidence.html) to
// the agent who holds it (caseControls, caseAct).

func init() {
	for k, v := range map[string]msg{
		"ev.dispute.evidence_assessed": {"证据认定", "Evidence assessed"},
		"assess.title":                 {"质证", "Assessment"},
		"assess.accepted":              {"采信", "Accepted"},
		"assess.rejected":              {"不予采信", "Rejected"},
		"assess.reason":                {"理由（不予采信时必填）", "Reason (needed when rejected)"},
		"assess.submit":                {"认定", "Record"},
		"assess.by":                    {"认定人", "by"},
		"done.assess-evidence":         {"已记录证据认定", "Assessment recorded"},
	} {
		catalogEntries[k] = v
	}
}
