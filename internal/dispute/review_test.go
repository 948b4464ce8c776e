package dispute_test

import (
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
)

// TestReviewRefusals checks the refusals of the review actions, each
// decided by its own function, on a case in review claimed by agent.
func TestReviewRefusals(t *testing.T) {
	senior := dispute.Actor{Role: dispute.RoleSenior, ID: "s1"}
	judge := dispute.Command{Action: dispute.Judge, Outcome: dispute.RefundFull, Fault: dispute.SellerFault, Reason: "r", RuleIDs: []string{"taobao-dispute-65"}}
	with := func(c dispute.Command, a dispute.Actor) dispute.Command { c.Actor = a; return c }
	for _, tc := range []struct {
		name  string
		c     dispute.Command
		code  fault.Code
		field string
		msg   string
	}{
		{"claim: a claimed case", dispute.Command{Action: dispute.Claim, Actor: other}, fault.Conflict, "", "不能 claim"},
		{"claim: a party", dispute.Command{Action: dispute.Claim, Actor: buyer}, fault.Forbidden, "", "buyer 不能执行 claim"},
		{"release: not the holder", dispute.Command{Action: dispute.Release, Actor: other}, fault.Conflict, "", "不能 release"},
		{"reassign: an agent", dispute.Command{Action: dispute.Reassign, Actor: agent, AssignTo: "x"}, fault.Forbidden, "", "agent 不能执行 reassign"},
		{"reassign: nobody named", dispute.Command{Action: dispute.Reassign, Actor: senior, AssignTo: " "}, fault.Invalid, "assignee", "须指定处理人"},
		{"extend: no reason", dispute.Command{Action: dispute.Extend, Actor: agent, SLADueAt: t0.Add(100 * time.Hour)}, fault.Invalid, "reason", "延期须说明理由"},
		{"extend: not later", dispute.Command{Action: dispute.Extend, Actor: agent, Reason: "r", SLADueAt: t0}, fault.Invalid, "sla_due_at", "须晚于原时限"},
		{"judge: not the holder", with(judge, other), fault.Conflict, "", "须先认领案件"},
		{"judge: bad rule", func() dispute.Command { c := with(judge, agent); c.RuleIDs = []string{"x"}; return c }(), fault.Invalid, "rule_ids[0]", "不是规则编号"},
		{"judge: evidence of another case", func() dispute.Command { c := with(judge, agent); c.EvidenceIDs = []string{"e9"}; return c }(), fault.Invalid, "evidence_ids[0]", "不在本案证据链中"},
		{"judge: compensation when the buyer is at fault", func() dispute.Command {
			c := with(judge, agent)
			c.Fault, c.Compensation = dispute.BuyerFault, 100
			return c
		}(), fault.Invalid, "compensation", "买家责任时卖家不承担赔偿"},
		{"appeal: before the judgment", dispute.Command{Action: dispute.AppealCase, Actor: buyer, Reason: "r", Procedural: "p"}, fault.Conflict, "", "不能 appeal"},
		{"expire-appeal: not the system", dispute.Command{Action: dispute.ExpireAppeals, Actor: agent}, fault.Forbidden, "", "agent 不能执行 expire-appeal"},
		{"withdraw: the seller", dispute.Command{Action: dispute.Withdraw, Actor: seller}, fault.Forbidden, "", "seller 不能执行 withdraw"},
		{"unknown action", dispute.Command{Action: "fly", Actor: agent}, fault.Invalid, "action", "未知操作"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := inReview(t)
			fe := h.refuse(tc.code, tc.c, t0.Add(time.Hour))
			if fe.Field != tc.field || !strings.Contains(fe.Message, tc.msg) {
				t.Fatalf("got field %q message %q, want field %q and %q", fe.Field, fe.Message, tc.field, tc.msg)
			}
			if tc.code == fault.Conflict && fe.Status != string(dispute.Review) {
				t.Fatalf("a conflict names the status: %+v", fe)
			}
		})
	}
}
