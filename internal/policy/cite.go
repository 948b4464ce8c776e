package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/weiquan/weiquan/internal/fault"
)

// What the decisions of every aggregate (dispute judgments, complaint
// decisions, sanction appeals) share about the rules they cite and about
// appeals, so that one rule reads and refuses the same everywhere.

// CheckCited checks the rule IDs a staff decision cites: each must have the
// form of a rule ID (a known source and a slug, as in the rule book). The
// error is Invalid naming the first bad one as the field rule_ids[i].
func CheckCited(ids []string) error {
	for i, r := range ids {
		if !ruleIDPattern.MatchString(r) {
			return fault.Field(fmt.Sprintf("rule_ids[%d]", i), "%q 不是规则编号 / %q is not a rule ID", r, r)
		}
	}
	return nil
}

// CheckStated checks what every staff decision states: a written reason
// and the rules applied, each a rule ID (CheckCited). zh and en name the
// decision in the refusal ("判定", "a judgment"). Errors: Invalid.
func CheckStated(zh, en, reason string, ids []string) error {
	if strings.TrimSpace(reason) == "" {
		return fault.Field("reason", "%s须附书面理由 / %s needs a written reason", zh, en)
	}
	if len(ids) == 0 {
		return fault.Field("rule_ids", "%s须引用规则 / %s must cite the rules applied", zh, en)
	}
	return CheckCited(ids)
}

// Cite adds a rule ID to a decision's citations, once; an empty ID (a rule
// that does not apply) is left out.
func Cite(ids []string, id string) []string {
	if id == "" || slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}

// CheckAppealGrounds applies the appeal rule (appeal.window) to an appeal's
// grounds: it needs new evidence (fresh: the evidence not already on record)
// or a named procedural error, since a bare disagreement is not accepted,
// and a written reason. Errors: Invalid.
func (b *Book) CheckAppealGrounds(fresh []string, procedural, reason string) error {
	if len(fresh) == 0 && strings.TrimSpace(procedural) == "" {
		return &fault.Error{Code: fault.Invalid, Field: "evidence_ids", Rule: b.ID("appeal.window"),
			Message: "申诉须提供新证据或指出程序错误，仅表示不同意不予受理 / an appeal needs new evidence or a named procedural error: a bare disagreement is not accepted"}
	}
	if strings.TrimSpace(reason) == "" {
		return fault.Field("reason", "须说明申诉理由 / an appeal needs a reason")
	}
	return nil
}
