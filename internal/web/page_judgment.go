package web

import (
	"context"
	"net/http"

	"github.com/weiquan/weiquan/internal/dispute"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/service"
)

// previewVM is the ledger preview of a judgment not yet submitted: the
// postings it will make now (from the live balances), the shortfalls, and
// a note when no money moves at once.
type previewVM struct {
	Lang       string
	Outcome    string
	Amount     money.Fen
	Postings   []ledger.Posting
	Shortfalls []ledger.Shortfall
	NoteKey    string
	Error      string
	base       Base
}

// T translates for the partial.
func (p previewVM) T(key string, args ...any) (string, error) { return p.base.T(key, args...) }

// judgmentForm reads the judgment form into a command.
func judgmentForm(r *http.Request, claim money.Fen) (dispute.Command, error) {
	amount, err := parseYuan(r.FormValue("amount"), "amount")
	if err != nil {
		return dispute.Command{}, err
	}
	out := dispute.Outcome(r.FormValue("outcome"))
	if out == dispute.RefundFull || out == dispute.ReturnThenRefund {
		amount = claim
	}
	if out == dispute.ReleaseToSeller {
		amount = 0
	}
	_ = r.ParseForm()
	return dispute.Command{Outcome: out, Amount: amount, Fault: dispute.Fault(r.FormValue("fault")), Reason: trimForm(r, "reason"),
		RuleIDs: r.Form["rule_ids"], EvidenceIDs: r.Form["evidence_ids"], Uphold: r.FormValue("uphold") == "1"}, nil
}

// plan computes what a judgment will post, from the live balances.
func (a *App) plan(ctx context.Context, c service.Caller, d dispute.State, cmd dispute.Command) (previewVM, error) {
	p := previewVM{Outcome: string(cmd.Outcome), Amount: cmd.Amount}
	switch cmd.Outcome {
	case dispute.RefundFull, dispute.RefundPartial:
		if cmd.Amount <= 0 {
			return p, badAmount("amount")
		}
		b, err := a.svc.Balances(ctx, c, ledger.Escrow(d.OrderID), ledger.SellerAvailable(d.SellerID))
		if err != nil {
			return p, err
		}
		plan, err := ledger.Refund(ledger.Meta{ID: "preview", OrderID: d.OrderID, Ref: d.AftersaleID, At: a.svc.Now()}, d.BuyerID, d.SellerID, cmd.Amount, b)
		if err != nil {
			return p, err
		}
		for _, t := range plan.Transactions {
			p.Postings = append(p.Postings, t.Postings...)
		}
		p.Shortfalls = plan.Shortfalls
	case dispute.ReleaseToSeller:
		p.NoteKey = "preview.release_note"
	case dispute.ReturnThenRefund:
		p.NoteKey = "preview.return_note"
	default:
		return p, fault.Field("outcome", "请选择判定结果 / choose an outcome")
	}
	return p, nil
}

// judgmentPreview answers the judgment form's htmx preview.
func (a *App) judgmentPreview(w http.ResponseWriter, r *http.Request, s *session) error {
	d, err := a.svc.GetDispute(r.Context(), s.Caller(), r.PathValue("id"))
	if err != nil {
		return err
	}
	b := a.base(r, s, "")
	cmd, err := judgmentForm(r, d.Claim)
	var p previewVM
	if err == nil {
		p, err = a.plan(r.Context(), s.Caller(), d, cmd)
	}
	if fe, ok := fault.As(err); ok && (fe.Code == fault.Invalid) {
		p.Error, err = fe.Message, nil
	}
	if err != nil {
		return err
	}
	p.Lang, p.base = b.Lang, b
	a.renderPartial(w, "ledger_preview", p)
	return nil
}

// judgmentSubmit judges the case (or decides the appeal).
func (a *App) judgmentSubmit(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c, id := r.Context(), s.Caller(), r.PathValue("id")
	d, err := a.svc.GetDispute(ctx, c, id)
	if err != nil {
		return err
	}
	cmd, err := judgmentForm(r, d.Claim)
	if err != nil {
		return err
	}
	cmd.Action = dispute.Judge
	if d.Status == dispute.Appealed {
		cmd.Action = dispute.DecideAppeal
	}
	if _, err := a.svc.ActDispute(ctx, c, id, service.DisputeCommand{Command: cmd}); err != nil {
		return err
	}
	return flashTo(w, r, doneMessage("judge"), "/cases/"+id)
}
