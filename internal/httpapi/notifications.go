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
	// PreviousSecretExpiresAt is, during a secret rotation's overlap, when
	// the replaced secret stops signing next to the current one.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
}

// webhookView masks the secret unless reveal (the creation response).
func webhookView(ep store.WebhookEndpoint, reveal bool, now time.Time) WebhookView {
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
	if ep.PreviousSecret != "" && ep.PreviousSecretUntil.After(now) {
		t := ep.PreviousSecretUntil
		v.PreviousSecretExpiresAt = &t
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
	return http.StatusCreated, webhookView(ep, true, a.svc.Now()), err
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
	views := mapViews(list, func(ep store.WebhookEndpoint) WebhookView { return webhookView(ep, false, a.svc.Now()) })
	return http.StatusOK, page(views, limit, func(v WebhookView) string { return v.ID }), nil
}

func (a *API) updateWebhook(r *http.Request, c service.Caller, b webhookBody) (int, any, error) {
	ep, err := a.svc.UpdateWebhook(r.Context(), c, r.PathValue("id"), service.WebhookPatch(b))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, webhookView(ep, false, a.svc.Now()), nil
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

// webhookRotateBody sets how long the replaced secret keeps signing (seconds;
// absent: a day).
type webhookRotateBody struct {
	OverlapSeconds *int64 `json:"overlap_seconds"`
}

func (a *API) rotateWebhookSecret(r *http.Request, c service.Caller, b webhookRotateBody) (int, any, error) {
	overlap := service.DefaultRotationOverlap
	if b.OverlapSeconds != nil {
		if *b.OverlapSeconds < 0 || *b.OverlapSeconds > int64(service.MaxRotationOverlap/time.Second) {
			return 0, nil, fault.Field("overlap_seconds", "重叠期须在 0 至 604800 秒（7 天）之间 / the overlap must be 0 to 604800 seconds (7 days)")
		}
		overlap = time.Duration(*b.OverlapSeconds) * time.Second
	}
	ep, err := a.svc.RotateWebhookSecret(r.Context(), c, nil, r.PathValue("id"), overlap)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, webhookView(ep, true, a.svc.Now()), nil
}

// DeliveryView is one line of an endpoint's delivery log: a message bound
// for it, with its attempts so far, the last answer and when it goes next.
type DeliveryView struct {
	MessageID     string     `json:"message_id"`
	Topic         string     `json:"topic"`
	AggregateType string     `json:"aggregate_type"`
	AggregateID   string     `json:"aggregate_id"`
	Seq           int64      `json:"seq"`
	State         string     `json:"state"` // pending, failing, delivered or dead
	Attempts      int        `json:"attempts"`
	LastStatus    int        `json:"last_status,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"` // pending and failing only
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
}

func deliveryView(d store.Delivery) DeliveryView {
	v := DeliveryView{MessageID: d.MessageID, Topic: d.Topic, AggregateType: d.AggregateType, AggregateID: d.AggregateID, Seq: d.AggregateSeq,
		State: d.State, Attempts: d.Attempts, LastStatus: d.LastStatus, LastError: d.LastError, CreatedAt: d.CreatedAt, DeliveredAt: d.DeliveredAt}
	if d.State == store.DeliveryPending {
		t := d.NextAttemptAt
		v.NextAttemptAt = &t
		if d.LastError != "" {
			v.State = store.DeliveryFailing
		}
	}
	return v
}

func (a *API) listWebhookDeliveries(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	after, limit, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	list, err := a.svc.ListWebhookDeliveries(r.Context(), c, r.PathValue("id"), r.URL.Query().Get("state"), after, limit)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page(mapViews(list, deliveryView), limit, func(v DeliveryView) string { return v.MessageID }), nil
}

func (a *API) retryWebhookDelivery(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	d, err := a.svc.RetryWebhookDelivery(r.Context(), c, nil, r.PathValue("id"), r.PathValue("message_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, deliveryView(d), nil
}
