package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"

	"github.com/weiquan/weiquan/internal/store"
)

// CheckMessageCaller refuses a caller other than a buyer or a seller
// (Forbidden): site messages (站内信) belong to a party. Every message
// method checks it; a handler may call it first to refuse before it reads
// a request.
func CheckMessageCaller(c Caller) error {
	if c.Role != actor.Buyer && c.Role != actor.Seller {
		return forbidden("站内信属于买家或卖家 / site messages belong to a buyer or a seller")
	}
	return nil
}

// ListSiteMessages lists the caller's own messages by id after the cursor
// (unread ones only if unreadOnly). Errors: Forbidden.
func (s *Service) ListSiteMessages(ctx context.Context, c Caller, unreadOnly bool, after string, limit int) ([]store.SiteMessage, error) {
	if err := CheckMessageCaller(c); err != nil {
		return nil, err
	}
	return s.st.ListSiteMessages(ctx, store.SiteMessageFilter{RecipientRole: string(c.Role), RecipientID: c.PartyID, UnreadOnly: unreadOnly, After: after, Limit: limit})
}

// ReadSiteMessage marks one of the caller's messages read (once) and
// returns it. Errors: Forbidden, NotFound (no such message of the caller).
func (s *Service) ReadSiteMessage(ctx context.Context, c Caller, id string) (store.SiteMessage, error) {
	if err := CheckMessageCaller(c); err != nil {
		return store.SiteMessage{}, err
	}
	if err := s.st.MarkSiteMessageRead(ctx, string(c.Role), c.PartyID, id, s.now(ctx)); err != nil {
		return store.SiteMessage{}, err
	}
	return s.st.GetSiteMessage(ctx, string(c.Role), c.PartyID, id)
}
