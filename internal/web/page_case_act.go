package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"net/http"
	"strconv"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
)

// caseAct applies a case action from the case page: parties finish their
// evidence, appeal (with new evidence or a procedural error) or withdraw;
// staff claim, release, extend, reassign, advance, suspend and mark a
// piece of evidence accepted or rejected (质证).
func (a *App) caseAct(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c, id := r.Context(), s.Caller(), r.PathValue("id")
	act := dispute.Action(r.FormValue("action"))
	staff := c.Role != actor.Buyer && c.Role != actor.Seller
	switch {
	case !staff && (act == dispute.DoneEvidence || act == dispute.AppealCase || act == dispute.Withdraw || act == dispute.Suspend || act == dispute.Resume):
	case staff && (act == dispute.Claim || act == dispute.Release || act == dispute.Extend || act == dispute.Advance || act == dispute.ResolveAdvance ||
		act == dispute.Suspend || act == dispute.Resume || act == dispute.Reassign || act == dispute.AssessEvidence):
	default:
		return fault.Field("action", "未知操作 %q / unknown action %q", act, act)
	}
	cmd := service.DisputeCommand{Command: dispute.Command{Action: act, Reason: trimForm(r, "reason"), Procedural: trimForm(r, "procedural_error")}}
	switch act {
	case dispute.Reassign:
		cmd.AssignTo = trimForm(r, "assignee")
	case dispute.AssessEvidence:
		cmd.EvidenceID, cmd.Verdict = trimForm(r, "evidence_id"), r.FormValue("verdict")
	case dispute.Suspend, dispute.Resume:
		if staff {
			// Staff suspend on legal proceedings (art. 82(2)): the party
			// that went and where; the voucher deadline is the service's.
			// On a case so suspended, the file sent is the acceptance
			// voucher.
			cmd.Ground, cmd.Party, cmd.Forum = dispute.GroundLegal, dispute.Party(r.FormValue("party")), r.FormValue("forum")
			if act == dispute.Suspend {
				ids, err := a.uploadFiles(r, c, id)
				if err != nil {
					return err
				}
				if len(ids) > 0 {
					cmd.EvidenceID = ids[0]
				}
			}
		}
	}
	if act == dispute.Advance {
		amt, err := parseYuan(r.FormValue("amount"), "amount")
		if err != nil {
			return err
		}
		cmd.Amount = amt
	}
	cmd.AdvanceOutcome = r.FormValue("advance_outcome")
	if act == dispute.Extend {
		n, err := strconv.Atoi(trimForm(r, "working_days"))
		if err != nil {
			return fault.Field("working_days", "请填写工作日数 / give a number of working days")
		}
		cmd.ExtendWorkingDays = n
	}
	if act == dispute.AppealCase {
		ids, err := a.uploadFiles(r, c, id)
		if err != nil {
			return err
		}
		cmd.EvidenceIDs = ids
	}
	if _, err := a.svc.ActDispute(ctx, c, id, cmd); err != nil {
		return err
	}
	to := "/cases/" + id
	if act == dispute.AssessEvidence {
		to += "#ev-" + cmd.EvidenceID
	}
	return flashTo(w, r, doneMessage(string(act)), to)
}
