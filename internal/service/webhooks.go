package service

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"

	"github.com/weiquan/weiquan/internal/netguard"
	"github.com/weiquan/weiquan/internal/store"
)

// This file holds the webhook endpoints, managed by admins and the
// integration through the API and by admins on the pages; an action taken
// on the pages (a WebActor) writes its audit row in the same transaction.

// SetWebhookAllow sets the operator's allow-list of webhook addresses
// beyond the public ones (netguard); call it before serving. Without it
// endpoints at loopback, private or link-local addresses are refused.
func (s *Service) SetWebhookAllow(p netguard.Policy) { s.hookNets = p }

// CheckWebhookCaller refuses a caller other than an admin or the
// integration (Forbidden). Every webhook method checks it; a handler may
// call it first to refuse before it reads a request.
func CheckWebhookCaller(c Caller) error {
	if c.Role != actor.Admin && c.Role != actor.Integration {
		return forbidden("只有管理员或集成方可以管理 Webhook / only admins and the integration manage webhooks")
	}
	return nil
}

// NewWebhook is an endpoint to create; its signing secret is made here.
type NewWebhook struct {
	URL         string
	EventTypes  []string
	Description string
	Enabled     bool
}

// CreateWebhook creates an endpoint with a fresh signing secret and
// returns it (the secret is shown once, by the caller). Errors: Forbidden,
// Invalid (url, event_types).
func (s *Service) CreateWebhook(ctx context.Context, c Caller, by *WebActor, in NewWebhook) (store.WebhookEndpoint, error) {
	if err := CheckWebhookCaller(c); err != nil {
		return store.WebhookEndpoint{}, err
	}
	if err := s.hookNets.CheckURL(ctx, "url", strings.TrimSpace(in.URL)); err != nil {
		return store.WebhookEndpoint{}, err
	}
	now := s.now(ctx)
	ep := store.WebhookEndpoint{URL: strings.TrimSpace(in.URL), Secret: store.NewWebhookSecret(), EventTypes: in.EventTypes,
		Description: in.Description, Enabled: in.Enabled, CreatedAt: now, UpdatedAt: now}
	return s.st.CreateWebhookEndpoint(ctx, ep, s.auditRow(by, "webhook.created", ""))
}

// ListWebhooks lists endpoints by id after the cursor (with their
// secrets: the caller masks them). Errors: Forbidden.
func (s *Service) ListWebhooks(ctx context.Context, c Caller, after string, limit int) ([]store.WebhookEndpoint, error) {
	if err := CheckWebhookCaller(c); err != nil {
		return nil, err
	}
	return s.st.ListWebhookEndpoints(ctx, after, limit)
}

// WebhookPatch changes an endpoint: a non-empty URL or Description, a
// non-nil EventTypes or Enabled replaces the endpoint's.
type WebhookPatch struct {
	URL         string
	EventTypes  []string
	Description string
	Enabled     *bool
}

// UpdateWebhook applies a patch to an endpoint and returns it. Errors:
// Forbidden, NotFound, Invalid.
func (s *Service) UpdateWebhook(ctx context.Context, c Caller, id string, p WebhookPatch) (store.WebhookEndpoint, error) {
	if err := CheckWebhookCaller(c); err != nil {
		return store.WebhookEndpoint{}, err
	}
	ep, err := s.st.GetWebhookEndpoint(ctx, id)
	if err != nil {
		return ep, err
	}
	if p.URL != "" {
		ep.URL = strings.TrimSpace(p.URL)
		if err := s.hookNets.CheckURL(ctx, "url", ep.URL); err != nil {
			return store.WebhookEndpoint{}, err
		}
	}
	if p.EventTypes != nil {
		ep.EventTypes = p.EventTypes
	}
	if p.Description != "" {
		ep.Description = p.Description
	}
	if p.Enabled != nil {
		ep.Enabled = *p.Enabled
	}
	ep.UpdatedAt = s.now(ctx)
	return ep, s.st.UpdateWebhookEndpoint(ctx, ep)
}

// SetWebhookEnabled enables or disables an endpoint (a disabled endpoint's
// deliveries wait and new messages skip it), with its audit row. Errors:
// Forbidden, NotFound, Conflict (already so).
func (s *Service) SetWebhookEnabled(ctx context.Context, c Caller, by WebActor, id string, enabled bool) error {
	if err := CheckWebhookCaller(c); err != nil {
		return err
	}
	return s.st.SetWebhookEndpointEnabled(ctx, id, enabled, *s.auditRow(&by, pick(enabled, "webhook.enabled", "webhook.disabled"), ""))
}

// DeleteWebhook deletes an endpoint and its deliveries (with its audit row
// when by is given). Errors: Forbidden, NotFound.
func (s *Service) DeleteWebhook(ctx context.Context, c Caller, by *WebActor, id string) error {
	if err := CheckWebhookCaller(c); err != nil {
		return err
	}
	return s.st.DeleteWebhookEndpoint(ctx, id, s.auditRow(by, "webhook.deleted", ""))
}

// ReplayWebhook re-sends an endpoint's messages selected by r (its
// Channel, EndpointID and Now are set here) and returns how many. Errors:
// Forbidden, NotFound (no such endpoint), Invalid.
func (s *Service) ReplayWebhook(ctx context.Context, c Caller, id string, r store.Replay) (int, error) {
	if err := CheckWebhookCaller(c); err != nil {
		return 0, err
	}
	if _, err := s.st.GetWebhookEndpoint(ctx, id); err != nil {
		return 0, err
	}
	r.Channel, r.EndpointID, r.Now = store.ChannelWebhook, id, s.now(ctx)
	return s.st.ReplayDeliveries(ctx, r)
}

// Secret rotation overlaps: the default, and the longest an admin may ask.
const (
	DefaultRotationOverlap = 24 * time.Hour
	MaxRotationOverlap     = 7 * 24 * time.Hour
)

// RotateWebhookSecret gives an endpoint a fresh signing secret and returns
// the endpoint (the new secret is shown once, by the caller); the old one
// keeps signing next to it for overlap (0 … MaxRotationOverlap; 0 ends it
// at once), so that the receiver can switch without losing a message. A
// rotation during another's overlap ends that one. Errors: Forbidden,
// NotFound, Invalid (overlap_seconds).
func (s *Service) RotateWebhookSecret(ctx context.Context, c Caller, by *WebActor, id string, overlap time.Duration) (store.WebhookEndpoint, error) {
	if err := CheckWebhookCaller(c); err != nil {
		return store.WebhookEndpoint{}, err
	}
	if overlap < 0 || overlap > MaxRotationOverlap {
		return store.WebhookEndpoint{}, fault.Field("overlap_seconds", "重叠期须在 0 至 604800 秒（7 天）之间 / the overlap must be 0 to 604800 seconds (7 days)")
	}
	now := s.now(ctx)
	return s.st.RotateWebhookSecret(ctx, id, store.NewWebhookSecret(), now.Add(overlap), now, s.auditRow(by, "webhook.secret_rotated", ""))
}

// ListWebhookDeliveries lists an endpoint's delivery log (state "" for
// all, "pending", "delivered" or "dead"). Errors: Forbidden, NotFound,
// Invalid (state).
func (s *Service) ListWebhookDeliveries(ctx context.Context, c Caller, id, state, after string, limit int) ([]store.Delivery, error) {
	if err := CheckWebhookCaller(c); err != nil {
		return nil, err
	}
	switch state {
	case "", store.DeliveryPending, store.DeliveryDelivered, store.DeliveryDead:
	default:
		return nil, fault.Field("state", "状态须为 pending、delivered 或 dead / state must be pending, delivered or dead")
	}
	return s.st.ListEndpointDeliveries(ctx, store.EndpointDeliveries{EndpointID: id, State: state, After: after, Limit: limit})
}

// RetryWebhookDelivery redelivers an endpoint's dead message: pending
// again, due now, with fresh attempts. Errors: Forbidden, NotFound,
// Conflict (not dead).
func (s *Service) RetryWebhookDelivery(ctx context.Context, c Caller, by *WebActor, id, messageID string) (store.Delivery, error) {
	if err := CheckWebhookCaller(c); err != nil {
		return store.Delivery{}, err
	}
	return s.st.RetryDelivery(ctx, id, messageID, s.now(ctx), s.auditRow(by, "webhook.delivery_retried", messageID))
}
