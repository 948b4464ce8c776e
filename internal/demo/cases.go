package demo

import (
	"github.com/weiquan/weiquan/internal/actor"

	"fmt"
	"sort"
	"strings"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// cases takes the intervention cases the fill opened through the later
// stages, so the queue shows every stage: some stay in evidence, some wait
// in review (claimed or not), some are judged (for the buyer, for the
// seller, return first), one is appealed and decided by the senior tier.
// The guarantee fund is capitalised and some cases get an advance payment
// (先行垫付): one still open on a claimed case, and instead of a plain
// judgment one settled after the return and one where the buyer keeps the
// goods; one case waiting in review is suspended while the parties negotiate.
func (f *filler) cases(sum *Summary, agentKey, seniorKey string) error {
	ctx := f.ctx
	agent := service.Caller{Role: actor.Agent, Via: "key:" + agentKey}
	senior := service.Caller{Role: actor.Senior, Via: "key:" + seniorKey}
	list, err := f.st.ListDisputes(ctx, store.DisputeFilter{Limit: 500})
	if err != nil {
		return err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	act := func(c service.Caller, id string, cmd dispute.Command) (dispute.State, error) {
		return f.svc.ActDispute(ctx, c, id, service.DisputeCommand{Command: cmd})
	}
	party := func(s dispute.State, p dispute.Party) service.Caller {
		if p == dispute.Buyer {
			return service.Caller{Role: actor.Buyer, PartyID: s.BuyerID, Via: f.via}
		}
		return service.Caller{Role: actor.Seller, PartyID: s.SellerID, Via: f.via}
	}
	integ := service.Caller{Role: actor.Integration, Via: f.via}
	if _, err := f.svc.TopUp(ctx, integ, ledger.GuaranteeFund(), 5_000_000, "demo-fund-capital"); err != nil {
		return fmt.Errorf("demo: capitalise the fund: %w", err)
	}
	if err := f.recovery(sum, agent); err != nil {
		return err
	}
	if err := f.protection(sum, agent); err != nil {
		return err
	}
	n := 0
	openAdvance, suspended := false, false
	resolved := []string{dispute.AdvanceReturned, dispute.AdvanceKept}
	for _, c := range list {
		if c.Status != dispute.Evidence && c.Status != dispute.Review {
			continue
		}
		n++
		if n%4 == 1 && c.Status == dispute.Evidence {
			continue // stays in the evidence stage
		}
		if c.Status == dispute.Evidence {
			for _, p := range []dispute.Party{dispute.Buyer, dispute.Seller} {
				if _, err := act(party(c, p), c.ID, dispute.Command{Action: dispute.DoneEvidence}); err != nil && !fault.Is(err, fault.Conflict) {
					return fmt.Errorf("demo: case %s done evidence: %w", c.ID, err)
				}
			}
		}
		if n%4 == 2 {
			if !suspended { // the parties negotiate (art. 82)
				for _, p := range []dispute.Party{dispute.Buyer, dispute.Seller} {
					if _, err := act(party(c, p), c.ID, dispute.Command{Action: dispute.Suspend, Reason: "双方自行协商"}); err != nil {
						return fmt.Errorf("demo: suspend %s: %w", c.ID, err)
					}
				}
				suspended = true
			}
			continue // waits in the review queue, unclaimed
		}
		who := agent
		if c.Senior {
			who = senior
		}
		if _, err := act(who, c.ID, dispute.Command{Action: dispute.Claim}); err != nil {
			return fmt.Errorf("demo: claim %s: %w", c.ID, err)
		}
		if n%4 == 3 {
			if !openAdvance {
				ok, err := f.advance(c, who, "")
				if err != nil {
					return err
				}
				openAdvance = ok
			}
			continue // claimed, being reviewed
		}
		if sum.Judged > 0 && len(resolved) > 0 { // after the first (appealed) judgment
			ok, err := f.advance(c, who, resolved[0])
			if err != nil {
				return err
			}
			if ok {
				resolved = resolved[1:]
				sum.Judged++
				continue
			}
		}
		cur, err := f.st.GetDispute(ctx, c.ID)
		if err != nil {
			return err
		}
		j := dispute.Command{Action: dispute.Judge, Fault: dispute.SellerFault, Outcome: dispute.RefundFull,
			Reason: "卖家未在举证期内提供有效凭证，支持买家", RuleIDs: ruleIDsOf(cur)}
		missing := dispute.Missing(cur)
		if len(missing) > 0 && missing[0].Party == dispute.Buyer {
			j.Fault, j.Outcome = dispute.BuyerFault, dispute.ReleaseToSeller
			j.Reason = "买家未提供初步凭证，支持卖家"
		}
		if _, err := act(who, c.ID, j); err != nil {
			return fmt.Errorf("demo: judge %s: %w", c.ID, err)
		}
		sum.Judged++
		if sum.Appealed == 0 {
			loser := dispute.Seller
			if j.Outcome == dispute.ReleaseToSeller {
				loser = dispute.Buyer
			}
			if _, err := act(party(cur, loser), c.ID, dispute.Command{Action: dispute.AppealCase, Reason: "补充新证据",
				EvidenceIDs: []string{"demo-appeal-evidence-" + c.ID[len(c.ID)-6:]}}); err != nil {
				return fmt.Errorf("demo: appeal %s: %w", c.ID, err)
			}
			if _, err := act(senior, c.ID, dispute.Command{Action: dispute.Claim}); err != nil {
				return fmt.Errorf("demo: senior claim %s: %w", c.ID, err)
			}
			if _, err := act(senior, c.ID, dispute.Command{Action: dispute.DecideAppeal, Uphold: true,
				Reason: "新证据不足以推翻原判定，维持原判"}); err != nil {
				return fmt.Errorf("demo: decide appeal %s: %w", c.ID, err)
			}
			sum.Appealed++
		}
	}
	all, err := f.st.ListDisputes(ctx, store.DisputeFilter{Limit: 500})
	if err != nil {
		return err
	}
	sum.CasesByStatus = map[string]int{}
	for _, c := range all {
		sum.CasesByStatus[string(c.Status)]++
	}
	return nil
}

// advance pays an advance on a claimed case and, when outcome is given,
// resolves it (returned: advance_status 5; kept: 4); otherwise it stays open
// (2). It reports false when the order has nothing left to advance.
func (f *filler) advance(c dispute.State, who service.Caller, outcome string) (bool, error) {
	do := func(cmd dispute.Command) error {
		_, err := f.svc.ActDispute(f.ctx, who, c.ID, service.DisputeCommand{Command: cmd})
		return err
	}
	if err := do(dispute.Command{Action: dispute.Advance, Reason: "卖家不配合处理，买家无责，平台先行垫付"}); err != nil {
		if fault.Is(err, fault.Invalid) {
			return false, nil
		}
		return false, fmt.Errorf("demo: advance %s: %w", c.ID, err)
	}
	why := map[string]string{
		dispute.AdvanceReturned: "买家已退货，卖家已签收",
		dispute.AdvanceKept:     "经与买家确认，买家保留商品",
	}
	if outcome != "" {
		if err := do(dispute.Command{Action: dispute.ResolveAdvance, AdvanceOutcome: outcome, Reason: why[outcome]}); err != nil {
			return false, fmt.Errorf("demo: resolve advance %s: %w", c.ID, err)
		}
	}
	return true, nil
}

func ruleIDsOf(s dispute.State) []string {
	var out []string
	for _, it := range s.Checklist {
		if !strings.Contains(strings.Join(out, ","), it.RuleID) {
			out = append(out, it.RuleID)
		}
	}
	return out
}

func caseList(m map[string]int) string {
	var parts []string
	for _, st := range dispute.Statuses {
		if m[string(st)] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", st, m[string(st)]))
		}
	}
	return strings.Join(parts, " · ")
}
