package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/store"
)

// The party's site messages (站内信, GET /messages) with the unread count
// in the navigation, and the negotiation record (协商记录) on the request
// page: a party posts with POST /requests/{id}/messages.

// inboxPage is a party's site messages, newest first.
type inboxPage struct {
	Base
	Messages []inboxRow
	Total    int
}

// inboxRow is one message in the page's language.
type inboxRow struct {
	ID, Title, Body, Link string
	At                    time.Time
	Unread                bool
}

// inboxShown is how many messages the page lists (the newest).
const inboxShown = 100

func (a *App) inbox(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, c := r.Context(), s.Caller()
	v := inboxPage{Base: a.base(r, s, "title.messages")}
	var all []store.SiteMessage
	after := ""
	for range 20 { // at most 20 pages of 200: a party's whole inbox
		ms, err := a.svc.ListSiteMessages(ctx, c, false, after, 200)
		if err != nil {
			return err
		}
		all = append(all, ms...)
		if len(ms) < 200 {
			break
		}
		after = ms[len(ms)-1].ID
	}
	slices.Reverse(all)
	v.Total = len(all)
	for _, m := range all[:min(len(all), inboxShown)] {
		v.Messages = append(v.Messages, inboxRow{ID: m.ID, Title: pickLang(m.Title, v.Lang), Body: pickLang(m.Body, v.Lang), Link: refLink(m.Ref),
			At: m.CreatedAt, Unread: m.ReadAt == nil})
	}
	a.render(w, r, http.StatusOK, "messages", &v)
	return nil
}

// inboxOpen marks a message read and opens what it is about.
func (a *App) inboxOpen(w http.ResponseWriter, r *http.Request, s *session) error {
	m, err := a.svc.ReadSiteMessage(r.Context(), s.Caller(), r.PathValue("id"))
	if err != nil {
		return err
	}
	to := refLink(m.Ref)
	if to == "" {
		to = "/messages"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// unreadCount is the party's unread messages for the navigation (capped:
// the badge shows "99+").
func (a *App) unreadCount(r *http.Request, s *session) int {
	ms, err := a.svc.ListSiteMessages(r.Context(), s.Caller(), true, "", 100)
	if err != nil {
		a.log.Warn("web: unread messages", "err", err)
		return 0
	}
	return len(ms)
}

// refLink is the page of what a message is about ("aftersale/ID" …).
func refLink(ref string) string {
	kind, id, ok := strings.Cut(ref, "/")
	if !ok || id == "" {
		return ""
	}
	switch kind {
	case "aftersale":
		return "/requests/" + id
	case "dispute":
		return "/cases/" + id
	case "complaint":
		return "/complaints/" + id
	case "order":
		return "/orders/" + id
	}
	return ""
}

// threadRow is a negotiation message as the request page shows it.
type threadRow struct {
	aftersale.Message
	Mine bool
}

// negotiationOf is the request's thread for the page (nil when the caller
// may not read it).
func (a *App) negotiationOf(r *http.Request, s *session, requestID string) []threadRow {
	ms, err := a.svc.Messages(r.Context(), s.Caller(), requestID)
	if err != nil {
		return nil
	}
	out := make([]threadRow, 0, len(ms))
	for _, m := range ms {
		out = append(out, threadRow{Message: m, Mine: string(m.Author.Role) == s.User.Role && m.Author.ID == s.User.PartyID})
	}
	return out
}

// requestMessage posts a party's negotiation message on the request.
func (a *App) requestMessage(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PathValue("id")
	if _, err := a.svc.PostMessage(r.Context(), s.Caller(), id, strings.TrimSpace(r.FormValue("text")), nil); err != nil {
		return err
	}
	return flashTo(w, r, "协商消息已发送 / message sent", "/requests/"+id+"#negotiation")
}

func init() {
	for k, v := range map[string]msg{
		"title.messages":      {"站内信", "Messages"},
		"nav.messages":        {"站内信", "Messages"},
		"messages.heading":    {"站内信", "Messages"},
		"messages.unread":     {"未读", "unread"},
		"messages.open":       {"查看", "Open"},
		"messages.shown":      {"显示最新 %d 条，共 %d 条", "the newest %d of %d"},
		"messages.none":       {"暂无消息", "No messages"},
		"negotiation.heading": {"协商记录", "Negotiation record"},
		"negotiation.hint":    {"申请平台介入前，请先与对方协商；客服介入时会看到全部协商记录。", "Negotiate with the other party before asking the platform to intervene; the agent reads the whole record."},
		"negotiation.none":    {"暂无协商消息", "No messages yet"},
		"negotiation.text":    {"消息", "Message"},
		"negotiation.send":    {"发送", "Send"},
		"negotiation.mine":    {"我", "me"},
	} {
		catalogEntries[k] = v
	}
}
