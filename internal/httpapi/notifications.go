package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// MessageView is a site message (站内信) as its recipient sees it.
type MessageView struct {
	store.SiteMessage
	Status    string    `json:"status"` // unread or read
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

func messageView(m store.SiteMessage) MessageView {
	v := MessageView{SiteMessage: m, Status: "unread", Version: 1, UpdatedAt: m.CreatedAt}
	if m.ReadAt != nil {
		v.Status, v.Version, v.UpdatedAt = "read", 2, *m.ReadAt
	}
	return v
}

func (a *API) listMessages(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	if err := service.CheckMessageCaller(c); err != nil {
		return 0, nil, err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	unread := false
	if u := r.URL.Query().Get("unread"); u != "" {
		if unread, err = strconv.ParseBool(u); err != nil {
			return 0, nil, fault.Field("unread", "须为 true 或 false / want true or false")
		}
	}
	list, err := a.svc.ListSiteMessages(r.Context(), c, unread, after, limit)
	if err != nil {
		return 0, nil, err
	}
	views := mapViews(list, messageView)
	return http.StatusOK, page(views, limit, func(v MessageView) string { return v.ID }), nil
}

// WebhookView is a webhook endpoint as the API shows it. The signing secret
// is shown once, in the response that creates the endpoint; lists and
// updates show only its last four characters (secret_hint), so a leaked
// listing or log cannot forge signatures.
type WebhookView struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Secret      string    `json:"secret,omitempty"`
	SecretHint  string    `json:"secret_hint"`
	EventTypes  []string  `json:"event_types"`
	Description string    `json:"description,omitempty"`
	Enabled     bool      `json:"enabled"`
	Status      string    `json:"status"` // enabled or disabled
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// webhookView masks the secret unless reveal (the creation response).
func webhookView(ep store.WebhookEndpoint, reveal bool) WebhookView {
	v := WebhookView{ID: ep.ID, URL: ep.URL, EventTypes: ep.EventTypes, Description: ep.Description, Enabled: ep.Enabled,
		Status: "disabled", CreatedAt: ep.CreatedAt, UpdatedAt: ep.UpdatedAt}
	if v.EventTypes == nil {
		v.EventTypes = []string{}
	}
	if ep.Enabled {
		v.Status = "enabled"
	}
	if reveal {
		v.Secret = ep.Secret
	}
	if n := len(ep.Secret); n > 4 {
		v.SecretHint = store.WebhookSecretPrefix + "…" + ep.Secret[n-4:]
	}
	return v
}

// webhookCaller refuses, before h reads anything of the request, a caller
// that may not manage webhook endpoints.
func webhookCaller(h handler) handler {
	return func(r *http.Request, c service.Caller, body []byte) (int, any, error) {
		if err := service.CheckWebhookCaller(c); err != nil {
			return 0, nil, err
		}
		return h(r, c, body)
	}
}

// webhookBody creates or updates an endpoint.
type webhookBody struct {
	URL         string   `json:"url"`
	EventTypes  []string `json:"event_types"`
	Description string   `json:"description"`
	Enabled     *bool    `json:"enabled"`
}

func (a *API) createWebhook(r *http.Request, c service.Caller, b webhookBody) (int, any, error) {
	ep, err := a.svc.CreateWebhook(r.Context(), c, nil, service.NewWebhook{URL: b.URL, EventTypes: b.EventTypes, Description: b.Description,
		Enabled: b.Enabled == nil || *b.Enabled})
	return http.StatusCreated, webhookView(ep, true), err
}

func (a *API) listWebhooks(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	after, limit, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.svc.ListWebhooks(r.Context(), c, after, limit)
	if err != nil {
		return 0, nil, err
	}
	views := mapViews(list, func(ep store.WebhookEndpoint) WebhookView { return webhookView(ep, false) })
	return http.StatusOK, page(views, limit, func(v WebhookView) string { return v.ID }), nil
}

func (a *API) updateWebhook(r *http.Request, c service.Caller, b webhookBody) (int, any, error) {
	ep, err := a.svc.UpdateWebhook(r.Context(), c, r.PathValue("id"), service.WebhookPatch(b))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, webhookView(ep, false), nil
}

func (a *API) deleteWebhook(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	if err := a.svc.DeleteWebhook(r.Context(), c, nil, r.PathValue("id")); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]string{"id": r.PathValue("id"), "status": "deleted"}, nil
}

// replayBody re-sends an endpoint's messages: after a message id (the last
// webhook-id the receiver processed), since a time, or one aggregate from a sequence.
type replayBody struct {
	AfterID       string    `json:"after_id"`
	Since         time.Time `json:"since"`
	AggregateType string    `json:"aggregate_type"`
	AggregateID   string    `json:"aggregate_id"`
	FromSeq       int64     `json:"from_seq"`
}

func (a *API) replayWebhook(r *http.Request, c service.Caller, b replayBody) (int, any, error) {
	n, err := a.svc.ReplayWebhook(r.Context(), c, r.PathValue("id"), store.Replay{Since: b.Since, AfterID: b.AfterID,
		AggregateType: b.AggregateType, AggregateID: b.AggregateID, FromSeq: b.FromSeq})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"endpoint_id": r.PathValue("id"), "replayed": n}, nil
}
