package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
)

// The delivery log of webhook endpoints: what an operator sees of each
// message bound for an endpoint (attempts, last status and error, next
// attempt, state), redelivery of a dead one, and the counts behind the
// webhook metrics.

// DeliveryFailing is the state the delivery log and the metrics show for a
// pending delivery whose last attempt failed (it waits for its back-off);
// in the deliveries table it is DeliveryPending.
const DeliveryFailing = "failing"

// EndpointDeliveries selects an endpoint's delivery log.
type EndpointDeliveries struct {
	EndpointID string // required
	State      string // "" (all), DeliveryPending, DeliveryDelivered or DeliveryDead
	After      string // cursor: the last message id of the previous page
	Limit      int    // default 50
}

// ListEndpointDeliveries lists an endpoint's deliveries by message id
// (creation order), each with its message's topic. Errors: NotFound (no
// such endpoint).
func (s *Store) ListEndpointDeliveries(ctx context.Context, f EndpointDeliveries) ([]Delivery, error) {
	if _, err := s.GetWebhookEndpoint(ctx, f.EndpointID); err != nil {
		return nil, err
	}
	w := where{q: `SELECT ` + obxPrefixCols("d.", deliveryCols) + `, o.topic FROM deliveries d JOIN outbox o ON o.id = d.message_id
WHERE d.channel = ? AND d.endpoint_id = ? AND d.message_id > ?`, args: []any{ChannelWebhook, f.EndpointID, f.After}}
	w.eq("d.state", f.State)
	rows, err := s.query(ctx, w.q+` ORDER BY d.message_id LIMIT ?`, append(w.args, obxLimit(f.Limit, 50))...)
	return collect(rows, err, func(r *sql.Rows, d *Delivery) error {
		var next, created int64
		var delivered sql.NullInt64
		if err := r.Scan(&d.MessageID, &d.Channel, &d.EndpointID, &d.AggregateType, &d.AggregateID, &d.AggregateSeq, &d.State, &d.Attempts,
			&next, &d.LastStatus, &d.LastError, &created, &delivered, &d.Topic); err != nil {
			return err
		}
		d.NextAttemptAt, d.CreatedAt, d.DeliveredAt = fromMicros(next), fromMicros(created), timePtr(delivered)
		return nil
	})
}

// RetryDelivery makes an endpoint's dead delivery of a message pending
// again, due at now with fresh attempts (its last status and error stay
// in the log until the next attempt), and returns it. With an audit, its
// row is written in the same transaction. Errors: NotFound (endpoint or
// delivery), Conflict (the delivery is not dead: it is still being
// retried, or was delivered — replay re-sends delivered messages).
func (s *Store) RetryDelivery(ctx context.Context, endpointID, messageID string, now time.Time, audit *AdminAudit) (Delivery, error) {
	var d Delivery
	err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.lockEndpoint(ctx, endpointID); err != nil {
			return err
		}
		var err error
		d, err = scanDelivery(tx.queryRow(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE message_id = ? AND channel = ? AND endpoint_id = ?`+tx.d.forUpdate(),
			messageID, ChannelWebhook, endpointID))
		if err != nil {
			return mapNoRows(err, "投递 delivery", messageID)
		}
		if d.State != DeliveryDead {
			return &fault.Error{Code: fault.Conflict, Field: "message_id",
				Message: "只能重新投递已失败（dead）的消息 / only a dead delivery can be retried; state is " + d.State}
		}
		if _, err := tx.exec(ctx, `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, delivered_at = NULL
WHERE message_id = ? AND channel = ? AND endpoint_id = ? AND state = 'dead'`, micros(now), messageID, ChannelWebhook, endpointID); err != nil {
			return fmt.Errorf("store: retry delivery: %w", err)
		}
		d.State, d.Attempts, d.NextAttemptAt = DeliveryPending, 0, now
		if err := tx.queryRow(ctx, `SELECT topic FROM outbox WHERE id = ?`, messageID).Scan(&d.Topic); err != nil {
			return fmt.Errorf("store: retry delivery: %w", err)
		}
		return tx.audit(ctx, audit, "webhook", endpointID, "retry "+messageID)
	})
	return d, err
}

// WebhookStateCount is how many of an endpoint's deliveries are in a state:
// DeliveryPending (not attempted yet, or in flight), DeliveryFailing,
// DeliveryDelivered or DeliveryDead.
type WebhookStateCount struct {
	EndpointID string
	State      string
	N          int64
}

// WebhookDeliveryCounts counts webhook deliveries by endpoint and state
// (states with none are left out).
func (s *Store) WebhookDeliveryCounts(ctx context.Context) ([]WebhookStateCount, error) {
	rows, err := s.query(ctx, `SELECT endpoint_id, CASE WHEN state = 'pending' AND last_error <> '' THEN 'failing' ELSE state END AS st, COUNT(*)
FROM deliveries WHERE channel = ? GROUP BY endpoint_id, st ORDER BY endpoint_id, st`, ChannelWebhook)
	return collect(rows, err, func(r *sql.Rows, c *WebhookStateCount) error { return r.Scan(&c.EndpointID, &c.State, &c.N) })
}
