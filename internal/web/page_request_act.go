package web

import (
	"github.com/weiquan/weiquan/internal/actor"

	"net/http"
	"strings"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/fault"
)

// requestAct applies a party's action from the request page: agree,
// refuse (with a photo or other evidence uploaded in the same form),
// counter-offer, accept the offer, ship the return, escalate, cancel,
// confirm or refuse the returned goods.
func (a *App) requestAct(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c, id := r.Context(), s.Caller(), r.PathValue("id")
	act := aftersale.Action(r.FormValue("action"))
	if !contains(actionNames(aftersale.Actions), string(act)) {
		return fault.Field("action", "未知操作 %q / unknown action %q", act, act)
	}
	cmd := aftersale.Command{Action: act, Note: strings.TrimSpace(r.FormValue("note")),
		Carrier: strings.TrimSpace(r.FormValue("carrier")), TrackingNo: strings.TrimSpace(r.FormValue("tracking_no"))}
	cmd.ReasonCode = strings.TrimSpace(r.FormValue("reason_code"))
	switch act {
	case aftersale.Modify:
		cmd.Type, cmd.Reason = aftersale.Type(r.FormValue("type")), aftersale.Reason(r.FormValue("reason"))
		cmd.Description = strings.TrimSpace(r.FormValue("description"))
	case aftersale.Refuse:
		if cmd.ReasonCode == "" {
			// The page's refusal form has no code list yet: "other".
			cmd.ReasonCode = "other"
		}
	case aftersale.Agree:
		// The return address from the form, else the seller's profile.
		ra := &aftersale.ReturnAddress{Name: strings.TrimSpace(r.FormValue("return_name")), Phone: strings.TrimSpace(r.FormValue("return_phone")),
			Address: strings.TrimSpace(r.FormValue("return_address"))}
		if *ra == (aftersale.ReturnAddress{}) && s.User.Address != "" {
			ra = &aftersale.ReturnAddress{Name: s.User.DisplayName, Phone: s.User.Phone, Address: s.User.Address}
		}
		if *ra != (aftersale.ReturnAddress{}) {
			cmd.ReturnAddress = ra
		}
	}
	var err error
	if cmd.Amount, err = parseYuan(r.FormValue("amount"), "amount"); err != nil {
		return err
	}
	// Evidence sent with the action is stored first; the action cites it.
	if rec, ok, err := a.uploadFromForm(r, c, id); err != nil {
		return err
	} else if ok {
		cmd.Evidence = append(cmd.Evidence, "evidence:"+rec.ID)
	}
	if _, err := a.svc.Act(ctx, c, id, cmd); err != nil {
		return err
	}
	return flashTo(w, r, doneMessage(string(act)), "/requests/"+id)
}

func actionNames(as []aftersale.Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

// doneMessage confirms an action (both languages: flash text is stored
// before the next page picks its language).
func doneMessage(action string) string {
	if m, ok := catalogEntries["done."+action]; ok {
		return m.ZH + " / " + m.EN
	}
	return "已提交 / done"
}

var _ = actor.Buyer
