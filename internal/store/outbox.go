package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/weiquan/weiquan/internal/fault"
)

// The transactional outbox. A command writes its notifications with
// enqueueOutbox in its own transaction; the relay (worker.Outbox) fans each
// new message out into one delivery row per destination (FanOutOutbox),
// claims due deliveries in batches (ClaimDeliveries: FOR UPDATE SKIP LOCKED
// on PostgreSQL, the single writer on SQLite), delivers them outside any
// transaction and records the outcomes (RecordDeliveries). Deliveries are
// rows, so a relay that stops or crashes resumes where it was; a claimed
// delivery whose outcome was never recorded comes due again when its lease
// runs out (at-least-once: receivers de-duplicate by message id).
//
// Order: per destination and aggregate, a delivery is claimed only when no
// earlier (lower aggregate_seq) delivery to the same destination is still
// pending: head-of-line per aggregate per destination while a message is
// being retried. A dead delivery (its last attempt failed) does not hold
// the later ones back: they go out, the receiver sees the gap in
// weiquan-seq, the dead one shows in the delivery log and in the
// weiquan_webhook_deliveries{state="dead"} gauge, and an operator
// redelivers it (RetryDelivery, ReplayDeliveries), late, with its own seq.

// ChannelWebhook is the channel of webhook deliveries; each one names its
// endpoint. Other channels ("nats", "sms", "site", …) are named by the relay.
const ChannelWebhook = "webhook"

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"
)

// OutboxMessage is one notification: a topic such as "aftersale.agreed",
// the aggregate it is about with the event's per-aggregate sequence number,
// and a JSON payload.
type OutboxMessage struct {
	ID            string          `json:"id"` // UUIDv7; EnqueueOutbox fills it when empty
	Topic         string          `json:"topic"`
	AggregateType string          `json:"aggregate_type"`
	AggregateID   string          `json:"aggregate_id"`
	AggregateSeq  int64           `json:"aggregate_seq"`
	Payload       json.RawMessage `json:"payload"`
	CreatedAt     time.Time       `json:"created_at"`
}

// enqueueOutbox writes messages in the command's transaction: they are sent
// if and only if the command commits. Empty IDs are filled with UUIDv7s (in
// msgs' order). Errors: Conflict (ErrStale) when the aggregate already has a
// message with the same sequence number; Internal for a malformed message.
func (t *Tx) enqueueOutbox(ctx context.Context, msgs ...OutboxMessage) error {
	for i := range msgs {
		m := &msgs[i]
		if m.ID == "" {
			m.ID = uuid.Must(uuid.NewV7()).String()
		}
		if len(m.Payload) == 0 {
			m.Payload = json.RawMessage("{}")
		}
		switch {
		case m.Topic == "" || m.AggregateType == "" || m.AggregateID == "":
			return fmt.Errorf("store: outbox message %s: topic and aggregate are required", m.ID)
		case m.CreatedAt.IsZero():
			return fmt.Errorf("store: outbox message %s: created_at is required", m.ID)
		case !json.Valid(m.Payload):
			return fmt.Errorf("store: outbox message %s: payload is not JSON", m.ID)
		}
	}
	// One multi-row INSERT for the command's messages (a refund's request
	// event and order event, say), in chunks.
	for rest := msgs; len(rest) > 0; {
		chunk := rest[:min(len(rest), obxChunk)]
		rest = rest[len(chunk):]
		q := `INSERT INTO outbox (id, topic, aggregate_type, aggregate_id, aggregate_seq, payload, created_at, fanned_out) VALUES (?, ?, ?, ?, ?, ?, ?, 0)` +
			strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, 0)", len(chunk)-1)
		args := make([]any, 0, 7*len(chunk))
		for _, m := range chunk {
			args = append(args, m.ID, m.Topic, m.AggregateType, m.AggregateID, m.AggregateSeq, string(m.Payload), micros(m.CreatedAt))
		}
		if err := t.execLater(ctx, q, staleOnUnique("enqueue outbox"), args...); err != nil {
			return err
		}
	}
	return nil
}

const outboxCols = `id, topic, aggregate_type, aggregate_id, aggregate_seq, payload, created_at`

func scanOutbox(sc interface{ Scan(...any) error }) (OutboxMessage, error) {
	var m OutboxMessage
	var payload string
	var at int64
	if err := sc.Scan(&m.ID, &m.Topic, &m.AggregateType, &m.AggregateID, &m.AggregateSeq, &payload, &at); err != nil {
		return m, err
	}
	m.Payload, m.CreatedAt = json.RawMessage(payload), fromMicros(at)
	return m, nil
}

// GetOutboxMessage loads a message. Errors: NotFound.
func (s *Store) GetOutboxMessage(ctx context.Context, id string) (OutboxMessage, error) {
	return orNotFound(scanOutbox(s.queryRow(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id)))("通知 outbox message", id)
}

// ListOutbox lists messages by id (UUIDv7: creation order), optionally for
// one aggregate, after the cursor id.
func (s *Store) ListOutbox(ctx context.Context, aggType, aggID, after string, limit int) ([]OutboxMessage, error) {
	q := `SELECT ` + outboxCols + ` FROM outbox WHERE id > ?`
	args := []any{after}
	if aggType != "" {
		q, args = q+` AND aggregate_type = ? AND aggregate_id = ?`, append(args, aggType, aggID)
	}
	rows, err := s.query(ctx, q+` ORDER BY id LIMIT ?`, append(args, obxLimit(limit, 100))...)
	return collect(rows, err, scanned(func(r *sql.Rows) (OutboxMessage, error) { return scanOutbox(r) }))
}

// ---- fan-out ----

// outboxHead is what fan-out and replay read of a message.
type outboxHead struct {
	id, topic, aggType, aggID string
	seq                       int64
}

func scanOutboxHead(rows *sql.Rows, m *outboxHead) error {
	return rows.Scan(&m.id, &m.topic, &m.aggType, &m.aggID, &m.seq)
}

// FanOut says where new messages go.
type FanOut struct {
	Now   time.Time
	Limit int // messages per call (default 100)
	// Channels names the static channels (not webhooks) that take a topic.
	Channels func(topic string) []string
	// Webhooks adds one delivery per enabled webhook endpoint whose
	// event-type filter matches the topic.
	Webhooks bool
}

// FanOutResult counts what FanOutOutbox did.
type FanOutResult struct {
	Messages   int // messages fanned out
	Deliveries int // delivery rows created
}

// FanOutOutbox claims up to f.Limit messages not yet fanned out, oldest
// first, and creates their deliveries, due at once. A message no
// destination takes is marked fanned out with no deliveries.
func (s *Store) FanOutOutbox(ctx context.Context, f FanOut) (FanOutResult, error) {
	var res FanOutResult
	err := s.InTx(ctx, func(tx *Tx) error {
		res = FanOutResult{}
		rows, err := tx.query(ctx, `SELECT id, topic, aggregate_type, aggregate_id, aggregate_seq FROM outbox WHERE fanned_out = 0 ORDER BY id LIMIT ?`+tx.d.forUpdateSkipLocked(), obxLimit(f.Limit, 100))
		if err != nil {
			return fmt.Errorf("store: fan out: %w", err)
		}
		msgs, err := collect(rows, nil, scanOutboxHead)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			return nil
		}
		var eps []WebhookEndpoint
		if f.Webhooks {
			if eps, err = tx.webhookEndpoints(ctx, true); err != nil {
				return err
			}
		}
		ids := make([]any, 0, len(msgs))
		type row struct {
			m               outboxHead
			channel, target string
		}
		var rowsOut []row
		for _, m := range msgs {
			if f.Channels != nil {
				for _, c := range f.Channels(m.topic) {
					rowsOut = append(rowsOut, row{m, c, ""})
				}
			}
			for _, ep := range eps {
				if MatchTopic(ep.EventTypes, m.topic) {
					rowsOut = append(rowsOut, row{m, ChannelWebhook, ep.ID})
				}
			}
			ids = append(ids, m.id)
		}
		// One multi-row INSERT per chunk instead of one per message: the
		// relay competes with the commands for the database.
		for len(rowsOut) > 0 {
			chunk := rowsOut[:min(len(rowsOut), obxChunk)]
			rowsOut = rowsOut[len(chunk):]
			var q strings.Builder
			q.WriteString(`INSERT INTO deliveries (message_id, channel, endpoint_id, aggregate_type, aggregate_id, aggregate_seq, state, attempts, next_attempt_at, created_at) VALUES `)
			args := make([]any, 0, 8*len(chunk))
			for i, r := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString(`(?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`)
				args = append(args, r.m.id, r.channel, r.target, r.m.aggType, r.m.aggID, r.m.seq, micros(f.Now), micros(f.Now))
			}
			q.WriteString(` ON CONFLICT (message_id, channel, endpoint_id) DO NOTHING`)
			r, err := tx.exec(ctx, q.String(), args...)
			if err != nil {
				return fmt.Errorf("store: create deliveries: %w", err)
			}
			n, _ := r.RowsAffected()
			res.Deliveries += int(n)
		}
		if _, err := tx.exec(ctx, `UPDATE outbox SET fanned_out = 1 WHERE id IN (`+marks(len(ids))+`)`, ids...); err != nil {
			return fmt.Errorf("store: mark fanned out: %w", err)
		}
		res.Messages = len(msgs)
		return nil
	})
	return res, err
}

// ---- deliveries ----

// Delivery is one message bound for one destination.
type Delivery struct {
	MessageID     string     `json:"message_id"`
	Channel       string     `json:"channel"`
	EndpointID    string     `json:"endpoint_id,omitempty"` // webhook deliveries
	AggregateType string     `json:"aggregate_type"`
	AggregateID   string     `json:"aggregate_id"`
	AggregateSeq  int64      `json:"aggregate_seq"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastStatus    int        `json:"last_status,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`

	// Topic is the message's topic, filled by ListEndpointDeliveries.
	Topic string `json:"topic,omitempty"`

	// Filled by ClaimDeliveries.
	Message  OutboxMessage    `json:"-"`
	Endpoint *WebhookEndpoint `json:"-"` // webhook deliveries
}

const deliveryCols = `message_id, channel, endpoint_id, aggregate_type, aggregate_id, aggregate_seq, state, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var next, created int64
	var delivered sql.NullInt64
	if err := sc.Scan(&d.MessageID, &d.Channel, &d.EndpointID, &d.AggregateType, &d.AggregateID, &d.AggregateSeq, &d.State, &d.Attempts,
		&next, &d.LastStatus, &d.LastError, &created, &delivered); err != nil {
		return d, err
	}
	d.NextAttemptAt, d.CreatedAt = fromMicros(next), fromMicros(created)
	if delivered.Valid {
		t := fromMicros(delivered.Int64)
		d.DeliveredAt = &t
	}
	return d, nil
}

// Claim selects due deliveries.
type Claim struct {
	Now time.Time
	// Lease is how long claimed deliveries stay claimed: their
	// next_attempt_at moves to Now+Lease, so that if the outcome is never
	// recorded (the relay died) they come due again then (default 1m).
	Lease time.Duration
	Limit int // default 100
	// Channels restricts the claim to the channels this relay can deliver
	// (include ChannelWebhook for webhooks); empty means every channel.
	Channels []string
}

// ClaimDeliveries claims up to c.Limit pending deliveries due at c.Now,
// oldest due first, counting the attempt. It skips deliveries to disabled
// webhook endpoints and every delivery whose predecessor in its aggregate
// (same destination, lower sequence) is still pending, or not even fanned
// out: at most one delivery per aggregate and destination is in flight, in
// sequence order; a dead predecessor does not hold its successors back. On
// PostgreSQL concurrent relays skip each other's rows.
// The returned deliveries carry their message, and webhook deliveries their
// endpoint.
func (s *Store) ClaimDeliveries(ctx context.Context, c Claim) ([]Delivery, error) {
	lease := c.Lease
	if lease <= 0 {
		lease = time.Minute
	}
	var out []Delivery
	err := s.InTx(ctx, func(tx *Tx) error {
		out = nil
		q := `SELECT ` + obxPrefixCols("d.", deliveryCols) + ` FROM deliveries d
WHERE d.state = 'pending' AND d.next_attempt_at <= ?`
		args := []any{micros(c.Now)}
		if len(c.Channels) > 0 {
			q += ` AND d.channel IN (` + marks(len(c.Channels)) + `)`
			for _, ch := range c.Channels {
				args = append(args, ch)
			}
		}
		q += `
  AND (d.endpoint_id = '' OR EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.enabled = 1))
  AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.channel = d.channel AND p.endpoint_id = d.endpoint_id
      AND p.aggregate_type = d.aggregate_type AND p.aggregate_id = d.aggregate_id AND p.aggregate_seq < d.aggregate_seq AND p.state = 'pending')
  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_type = d.aggregate_type AND o.aggregate_id = d.aggregate_id
      AND o.aggregate_seq < d.aggregate_seq AND o.fanned_out = 0)
ORDER BY d.next_attempt_at, d.message_id LIMIT ?` + tx.d.forUpdateSkipLocked()
		args = append(args, obxLimit(c.Limit, 100))
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		until := micros(c.Now.Add(lease))
		msgIDs := map[string]bool{}
		epIDs := map[string]bool{}
		type dest struct{ channel, endpoint string }
		groups := map[dest][]any{}
		var order []dest
		for i := range out {
			d := &out[i]
			k := dest{d.Channel, d.EndpointID}
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], d.MessageID)
			d.Attempts++
			d.NextAttemptAt = fromMicros(until)
			msgIDs[d.MessageID] = true
			if d.EndpointID != "" {
				epIDs[d.EndpointID] = true
			}
		}
		for _, k := range order {
			ids := groups[k]
			for len(ids) > 0 {
				chunk := ids[:min(len(ids), obxChunk)]
				ids = ids[len(chunk):]
				args := append([]any{until, k.channel, k.endpoint}, chunk...)
				if _, err := tx.exec(ctx, `UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ? WHERE channel = ? AND endpoint_id = ? AND message_id IN (`+marks(len(chunk))+`)`,
					args...); err != nil {
					return fmt.Errorf("store: lease delivery: %w", err)
				}
			}
		}
		msgs := map[string]OutboxMessage{}
		{
			rows, err := tx.query(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id IN (`+marks(len(msgIDs))+`)`, obxKeys(msgIDs)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				m, err := scanOutbox(rows)
				if err != nil {
					rows.Close()
					return err
				}
				msgs[m.ID] = m
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		eps := map[string]*WebhookEndpoint{}
		if len(epIDs) > 0 {
			rows, err := tx.query(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id IN (`+marks(len(epIDs))+`)`, obxKeys(epIDs)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				ep, err := scanEndpoint(rows)
				if err != nil {
					rows.Close()
					return err
				}
				eps[ep.ID] = &ep
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for i := range out {
			out[i].Message = msgs[out[i].MessageID]
			if out[i].EndpointID != "" {
				out[i].Endpoint = eps[out[i].EndpointID]
			}
		}
		return nil
	})
	return out, err
}

// DeliveryOutcome is the result of one claimed attempt.
type DeliveryOutcome struct {
	MessageID  string
	Channel    string
	EndpointID string
	Attempts   int    // the claimed attempt (Delivery.Attempts as claimed)
	State      string // DeliveryDelivered, DeliveryPending (retry at NextAttemptAt) or DeliveryDead
	// NextAttemptAt is when a pending delivery is due again.
	NextAttemptAt time.Time
	Status        int    // the receiver's status (HTTP), if any
	Error         string // why it failed, if it did
	At            time.Time
}

// RecordDeliveries records outcomes in one transaction and returns how many
// it recorded. An outcome whose delivery is no longer pending at the claimed
// attempt (it was replayed, or another relay took it over after the lease
// ran out) is skipped.
func (s *Store) RecordDeliveries(ctx context.Context, outs []DeliveryOutcome) (int, error) {
	var n int
	err := s.InTx(ctx, func(tx *Tx) error {
		n = 0
		// Outcomes that set the same values on the same destination share
		// one UPDATE (a round of site messages or SMS is one statement).
		type set struct {
			channel, endpoint, state string
			next                     int64
			status                   int
			errText                  string
			delivered                int64 // 0: NULL
			attempts                 int
		}
		groups := map[set][]any{}
		var order []set
		for _, o := range outs {
			next := o.NextAttemptAt
			var delivered int64
			switch o.State {
			case DeliveryDelivered:
				delivered, next = micros(o.At), o.At
			case DeliveryDead:
				next = o.At
			case DeliveryPending:
			default:
				return fmt.Errorf("store: delivery outcome state %q", o.State)
			}
			k := set{o.Channel, o.EndpointID, o.State, micros(next), o.Status, obxTruncate(o.Error, 1000), delivered, o.Attempts}
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], o.MessageID)
		}
		for _, k := range order {
			var delivered any
			if k.delivered != 0 {
				delivered = k.delivered
			}
			ids := groups[k]
			for len(ids) > 0 {
				chunk := ids[:min(len(ids), obxChunk)]
				ids = ids[len(chunk):]
				args := append([]any{k.state, k.next, k.status, k.errText, delivered, k.channel, k.endpoint, k.attempts}, chunk...)
				res, err := tx.exec(ctx, `UPDATE deliveries SET state = ?, next_attempt_at = ?, last_status = ?, last_error = ?, delivered_at = ?
WHERE channel = ? AND endpoint_id = ? AND state = 'pending' AND attempts = ? AND message_id IN (`+marks(len(chunk))+`)`, args...)
				if err != nil {
					return fmt.Errorf("store: record delivery: %w", err)
				}
				c, _ := res.RowsAffected()
				n += int(c)
			}
		}
		return nil
	})
	return n, err
}

// DeliveryFilter selects deliveries; empty fields match everything.
type DeliveryFilter struct {
	MessageID     string
	Channel       string
	EndpointID    string
	State         string
	AggregateType string
	AggregateID   string
	After         string // cursor: the last message id of the previous page
	Limit         int    // default 100
}

// ListDeliveries lists deliveries by message id (creation order), then
// channel and endpoint.
func (s *Store) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	var conds []string
	var args []any
	for _, c := range []struct{ col, v string }{
		{"message_id", f.MessageID}, {"channel", f.Channel}, {"endpoint_id", f.EndpointID}, {"state", f.State},
		{"aggregate_type", f.AggregateType}, {"aggregate_id", f.AggregateID},
	} {
		if c.v != "" {
			conds, args = append(conds, c.col+" = ?"), append(args, c.v)
		}
	}
	if f.After != "" {
		conds, args = append(conds, "message_id > ?"), append(args, f.After)
	}
	q := `SELECT ` + deliveryCols + ` FROM deliveries`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := s.query(ctx, q+` ORDER BY message_id, channel, endpoint_id LIMIT ?`, append(args, obxLimit(f.Limit, 100))...)
	return collect(rows, err, scanned(func(r *sql.Rows) (Delivery, error) { return scanDelivery(r) }))
}

// OutboxStats counts outbox work, for metrics and health.
type OutboxStats struct {
	Unfanned  int64 // messages not yet fanned out
	Pending   int64 // deliveries pending (due or waiting for back-off)
	Due       int64 // pending deliveries due at the given time
	Delivered int64
	Dead      int64
}

// OutboxStats reads the counts at now.
func (s *Store) OutboxStats(ctx context.Context, now time.Time) (OutboxStats, error) {
	var st OutboxStats
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE fanned_out = 0`).Scan(&st.Unfanned); err != nil {
		return st, err
	}
	rows, err := s.query(ctx, `SELECT state, COUNT(*) FROM deliveries GROUP BY state`)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return st, err
		}
		switch state {
		case DeliveryPending:
			st.Pending = n
		case DeliveryDelivered:
			st.Delivered = n
		case DeliveryDead:
			st.Dead = n
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ?`, micros(now)).Scan(&st.Due)
	return st, err
}

// Replay selects messages to deliver again to one destination.
type Replay struct {
	Channel    string // required: ChannelWebhook or a static channel
	EndpointID string // required with ChannelWebhook
	// Since selects messages created at or after it (zero: no bound).
	Since time.Time
	// AfterID selects messages after this message id (UUIDv7 ids sort by
	// creation), e.g. the last webhook-id a receiver processed.
	AfterID string
	// AggregateType and AggregateID restrict the replay to one aggregate;
	// FromSeq then selects its messages with sequence ≥ FromSeq.
	AggregateType string
	AggregateID   string
	FromSeq       int64
	Now           time.Time
}

// ReplayDeliveries makes the selected messages pending again for the
// destination, due at r.Now with fresh attempts (delivered and dead ones
// alike), and returns how many it re-enqueued. For a webhook endpoint it
// also creates deliveries for matching messages it never had (an endpoint
// added later). Messages not yet fanned out are left to the fan-out.
// Errors: NotFound (webhook endpoint), Invalid (no channel).
func (s *Store) ReplayDeliveries(ctx context.Context, r Replay) (int, error) {
	if r.Channel == "" || (r.Channel == ChannelWebhook) != (r.EndpointID != "") {
		return 0, fault.Field("channel", "重放须指定渠道（webhook 须指定端点）/ a replay names a channel (and for webhooks an endpoint)")
	}
	var n int
	err := s.InTx(ctx, func(tx *Tx) error {
		n = 0
		var filter []string
		if r.Channel == ChannelWebhook {
			ep, err := scanEndpoint(tx.queryRow(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = ?`, r.EndpointID))
			if err != nil {
				return mapNoRows(err, "Webhook 端点 webhook endpoint", r.EndpointID)
			}
			filter = ep.EventTypes
		}
		w := where{q: `SELECT id, topic, aggregate_type, aggregate_id, aggregate_seq FROM outbox WHERE fanned_out = 1`}
		if !r.Since.IsZero() {
			w.and(`created_at >= ?`, micros(r.Since))
		}
		if r.AfterID != "" {
			w.and(`id > ?`, r.AfterID)
		}
		if r.AggregateType != "" {
			w.and(`aggregate_type = ? AND aggregate_id = ? AND aggregate_seq >= ?`, r.AggregateType, r.AggregateID, r.FromSeq)
		}
		rows, err := tx.query(ctx, w.q+` ORDER BY id`, w.args...)
		if err != nil {
			return fmt.Errorf("store: replay: %w", err)
		}
		msgs, err := collect(rows, nil, scanOutboxHead)
		if err != nil {
			return err
		}
		now := micros(r.Now)
		for _, m := range msgs {
			var res sql.Result
			if r.Channel == ChannelWebhook {
				if !MatchTopic(filter, m.topic) {
					continue
				}
				res, err = tx.exec(ctx, `INSERT INTO deliveries (message_id, channel, endpoint_id, aggregate_type, aggregate_id, aggregate_seq, state, attempts, next_attempt_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
ON CONFLICT (message_id, channel, endpoint_id) DO UPDATE SET state = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, last_status = 0, last_error = '', delivered_at = NULL`,
					m.id, r.Channel, r.EndpointID, m.aggType, m.aggID, m.seq, now, now)
			} else {
				res, err = tx.exec(ctx, `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, last_status = 0, last_error = '', delivered_at = NULL
WHERE message_id = ? AND channel = ? AND endpoint_id = ''`, now, m.id, r.Channel)
			}
			if err != nil {
				return fmt.Errorf("store: replay delivery: %w", err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	return n, err
}

// PurgeOutbox deletes messages created before before whose deliveries were
// all delivered (dead and pending ones are kept), with their deliveries, and
// returns how many messages it deleted. Replays cannot reach purged messages.
func (s *Store) PurgeOutbox(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM deliveries WHERE message_id IN (SELECT o.id FROM outbox o WHERE o.fanned_out = 1 AND o.created_at < ?
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = o.id AND d.state <> 'delivered'))`, micros(before)); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM outbox WHERE fanned_out = 1 AND created_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = outbox.id)`, micros(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// ---- webhook endpoints ----

// WebhookEndpoint is a Standard Webhooks receiver.
type WebhookEndpoint struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Secret string `json:"secret"` // "whsec_" + base64 of the signing key
	// EventTypes filters topics: exact topics or prefixes ending in ".*"
	// ("aftersale.*"); empty takes every topic.
	EventTypes  []string  `json:"event_types"`
	Description string    `json:"description,omitempty"`
	Enabled     bool      `json:"enabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// PreviousSecret is the secret the last rotation replaced; it signs
	// too, next to Secret, while the attempt's time is before
	// PreviousSecretUntil ("" and zero: no rotation in progress).
	PreviousSecret      string    `json:"-"`
	PreviousSecretUntil time.Time `json:"-"`
}

// SigningSecrets returns the secrets that sign a message sent at: the
// current one, then the previous one while the rotation's overlap lasts.
func (ep WebhookEndpoint) SigningSecrets(at time.Time) []string {
	if ep.PreviousSecret != "" && at.Before(ep.PreviousSecretUntil) {
		return []string{ep.Secret, ep.PreviousSecret}
	}
	return []string{ep.Secret}
}

// RotateWebhookSecret makes secret the endpoint's signing secret; the one
// it replaces keeps signing next to it until until (a rotation during
// another's overlap drops the oldest secret: at most two sign). With an
// audit, its row is written in the same transaction. Errors: NotFound,
// Invalid (secret).
func (s *Store) RotateWebhookSecret(ctx context.Context, id, secret string, until, now time.Time, audit *AdminAudit) (WebhookEndpoint, error) {
	if !ValidWebhookSecret(secret) {
		return WebhookEndpoint{}, fault.Field("secret", "密钥须为 whsec_ 加至少 24 字节的 base64 / the secret must be whsec_ followed by base64 of at least 24 bytes")
	}
	var ep WebhookEndpoint
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		if ep, err = tx.lockEndpoint(ctx, id); err != nil {
			return err
		}
		ep.PreviousSecret, ep.PreviousSecretUntil, ep.Secret, ep.UpdatedAt = ep.Secret, until, secret, now
		if _, err := tx.exec(ctx, `UPDATE webhook_endpoints SET previous_secret = ?, previous_secret_until = ?, secret = ?, updated_at = ? WHERE id = ?`,
			ep.PreviousSecret, micros(until), ep.Secret, micros(now), id); err != nil {
			return fmt.Errorf("store: rotate webhook secret: %w", err)
		}
		return tx.audit(ctx, audit, "webhook", id, ep.URL)
	})
	return ep, err
}

// WebhookSecretPrefix starts every webhook secret (Standard Webhooks).
const WebhookSecretPrefix = "whsec_"

// NewWebhookSecret returns "whsec_" + base64 of 32 random bytes.
func NewWebhookSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return WebhookSecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// ValidWebhookSecret reports whether s is "whsec_" + base64 of ≥ 24 bytes.
func ValidWebhookSecret(s string) bool {
	rest, ok := strings.CutPrefix(s, WebhookSecretPrefix)
	if !ok {
		return false
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	return err == nil && len(key) >= 24
}

// MatchTopic reports whether an event-type filter takes topic: an empty
// filter takes everything; "*" too; "aftersale.*" takes "aftersale." and
// anything under it; otherwise topics match exactly.
func MatchTopic(filter []string, topic string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		if f == topic || f == "*" {
			return true
		}
		if p, ok := strings.CutSuffix(f, "*"); ok && strings.HasSuffix(p, ".") && strings.HasPrefix(topic, p) {
			return true
		}
	}
	return false
}

func validateEndpoint(ep WebhookEndpoint) error {
	u, err := url.Parse(ep.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fault.Field("url", "Webhook 地址须为 http(s) 绝对地址 / the webhook URL must be an absolute http(s) URL")
	}
	if !ValidWebhookSecret(ep.Secret) {
		return fault.Field("secret", "密钥须为 whsec_ 加至少 24 字节的 base64 / the secret must be whsec_ followed by base64 of at least 24 bytes")
	}
	for _, t := range ep.EventTypes {
		if t == "" {
			return fault.Field("event_types", "事件类型不能为空 / an event type is empty")
		}
	}
	return nil
}

// endpointInsertCols are the columns a new endpoint writes; endpointCols
// adds the rotation's (previous secret and until when it signs).
const (
	endpointInsertCols = `id, url, secret, event_types, description, enabled, created_at, updated_at`
	endpointCols       = endpointInsertCols + `, previous_secret, previous_secret_until`
)

func scanEndpoint(sc interface{ Scan(...any) error }) (WebhookEndpoint, error) {
	var ep WebhookEndpoint
	var types string
	var enabled int
	var created, updated, prevUntil int64
	if err := sc.Scan(&ep.ID, &ep.URL, &ep.Secret, &types, &ep.Description, &enabled, &created, &updated, &ep.PreviousSecret, &prevUntil); err != nil {
		return ep, err
	}
	if ep.PreviousSecret != "" {
		ep.PreviousSecretUntil = fromMicros(prevUntil)
	}
	if err := json.Unmarshal([]byte(types), &ep.EventTypes); err != nil {
		return ep, fmt.Errorf("store: webhook endpoint %s event types: %w", ep.ID, err)
	}
	ep.Enabled, ep.CreatedAt, ep.UpdatedAt = enabled == 1, fromMicros(created), fromMicros(updated)
	return ep, nil
}

// CreateWebhookEndpoint stores a new endpoint, filling an empty ID (UUIDv7)
// and an empty Secret (NewWebhookSecret), and returns it. UpdatedAt is set to
// CreatedAt. With an audit (an admin on the pages), its row is written in the
// same transaction. Errors: Invalid (url, secret, event_types), Conflict (ID
// taken).
func (s *Store) CreateWebhookEndpoint(ctx context.Context, ep WebhookEndpoint, audit *AdminAudit) (WebhookEndpoint, error) {
	if ep.ID == "" {
		ep.ID = uuid.Must(uuid.NewV7()).String()
	}
	if ep.Secret == "" {
		ep.Secret = NewWebhookSecret()
	}
	ep.EventTypes = nonNil(ep.EventTypes)
	ep.UpdatedAt = ep.CreatedAt
	if err := validateEndpoint(ep); err != nil {
		return ep, err
	}
	types, _ := json.Marshal(ep.EventTypes)
	err := s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO webhook_endpoints (`+endpointInsertCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			ep.ID, ep.URL, ep.Secret, string(types), ep.Description, obxBool(ep.Enabled), micros(ep.CreatedAt), micros(ep.UpdatedAt))
		if isUnique(err) {
			return &fault.Error{Code: fault.Conflict, Field: "id", Message: "Webhook 端点已存在 / the webhook endpoint exists"}
		}
		if err != nil {
			return fmt.Errorf("store: create webhook endpoint: %w", err)
		}
		return tx.audit(ctx, audit, "webhook", ep.ID, ep.URL)
	})
	return ep, err
}

// UpdateWebhookEndpoint replaces an endpoint's URL, secret, event types,
// description, enabled flag and updated_at. Deliveries already created keep
// their destination; a disabled endpoint's deliveries wait (they are not
// claimed) and new messages skip it. Errors: NotFound, Invalid.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, ep WebhookEndpoint) error {
	ep.EventTypes = nonNil(ep.EventTypes)
	if err := validateEndpoint(ep); err != nil {
		return err
	}
	types, _ := json.Marshal(ep.EventTypes)
	res, err := s.exec(ctx, `UPDATE webhook_endpoints SET url = ?, secret = ?, event_types = ?, description = ?, enabled = ?, updated_at = ? WHERE id = ?`,
		ep.URL, ep.Secret, string(types), ep.Description, obxBool(ep.Enabled), micros(ep.UpdatedAt), ep.ID)
	if err != nil {
		return fmt.Errorf("store: update webhook endpoint: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return notFound("Webhook 端点 webhook endpoint", ep.ID)
	}
	return nil
}

// DeleteWebhookEndpoint deletes an endpoint and its deliveries; with an
// audit, its row is written in the same transaction. Errors: NotFound.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id string, audit *AdminAudit) error {
	return s.InTx(ctx, func(tx *Tx) error {
		ep, err := tx.lockEndpoint(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM deliveries WHERE channel = ? AND endpoint_id = ?`, ChannelWebhook, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM webhook_endpoints WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.audit(ctx, audit, "webhook", id, ep.URL)
	})
}

// lockEndpoint loads an endpoint for update. Errors: NotFound.
func (t *Tx) lockEndpoint(ctx context.Context, id string) (WebhookEndpoint, error) {
	return orNotFound(scanEndpoint(t.queryRow(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = ?`+t.d.forUpdate(), id)))("Webhook 端点 webhook endpoint", id)
}

// GetWebhookEndpoint loads an endpoint. Errors: NotFound.
func (s *Store) GetWebhookEndpoint(ctx context.Context, id string) (WebhookEndpoint, error) {
	return orNotFound(scanEndpoint(s.queryRow(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id = ?`, id)))("Webhook 端点 webhook endpoint", id)
}

// ListWebhookEndpoints lists endpoints by id after the cursor.
func (s *Store) ListWebhookEndpoints(ctx context.Context, after string, limit int) ([]WebhookEndpoint, error) {
	return scanEndpoints(s.query(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE id > ? ORDER BY id LIMIT ?`, after, obxLimit(limit, 100)))
}

func (t *Tx) webhookEndpoints(ctx context.Context, enabledOnly bool) ([]WebhookEndpoint, error) {
	q := `SELECT ` + endpointCols + ` FROM webhook_endpoints`
	if enabledOnly {
		q += ` WHERE enabled = 1`
	}
	return scanEndpoints(t.query(ctx, q+` ORDER BY id`))
}

func scanEndpoints(rows *sql.Rows, err error) ([]WebhookEndpoint, error) {
	return collect(rows, err, scanned(func(r *sql.Rows) (WebhookEndpoint, error) { return scanEndpoint(r) }))
}

// ---- site messages (站内信) ----

// SiteMessage is an in-site message to a party.
type SiteMessage struct {
	ID            string     `json:"id"` // sortable; the site channel derives it from the outbox message id
	RecipientRole string     `json:"recipient_role"`
	RecipientID   string     `json:"recipient_id"`
	Title         string     `json:"title"`
	Body          string     `json:"body"`
	Ref           string     `json:"ref"` // what it is about, e.g. "aftersale/AS1"
	CreatedAt     time.Time  `json:"created_at"`
	ReadAt        *time.Time `json:"read_at,omitempty"`
}

// InsertSiteMessages stores messages; one whose ID exists is left as it is,
// so that a redelivered notification does not repeat itself.
func (s *Store) InsertSiteMessages(ctx context.Context, msgs ...SiteMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	for _, m := range msgs {
		if m.ID == "" || m.RecipientRole == "" || m.RecipientID == "" {
			return fmt.Errorf("store: site message needs an id and a recipient")
		}
	}
	return s.InTx(ctx, func(tx *Tx) error {
		for rest := msgs; len(rest) > 0; {
			chunk := rest[:min(len(rest), obxChunk)]
			rest = rest[len(chunk):]
			var q strings.Builder
			q.WriteString(`INSERT INTO site_messages (id, recipient_role, recipient_id, title, body, ref, created_at) VALUES `)
			args := make([]any, 0, 7*len(chunk))
			for i, m := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString(`(?, ?, ?, ?, ?, ?, ?)`)
				args = append(args, m.ID, m.RecipientRole, m.RecipientID, m.Title, m.Body, m.Ref, micros(m.CreatedAt))
			}
			q.WriteString(` ON CONFLICT (id) DO NOTHING`)
			if _, err := tx.exec(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("store: insert site message: %w", err)
			}
		}
		return nil
	})
}

// SiteMessageFilter selects a recipient's messages, keyset-paginated by id.
type SiteMessageFilter struct {
	RecipientRole string // required
	RecipientID   string // required
	UnreadOnly    bool
	After         string // cursor: the last id of the previous page
	Limit         int    // default 50
}

// ListSiteMessages lists a recipient's messages by id (oldest first).
func (s *Store) ListSiteMessages(ctx context.Context, f SiteMessageFilter) ([]SiteMessage, error) {
	q := `SELECT id, recipient_role, recipient_id, title, body, ref, created_at, read_at FROM site_messages WHERE recipient_role = ? AND recipient_id = ? AND id > ?`
	if f.UnreadOnly {
		q += ` AND read_at IS NULL`
	}
	rows, err := s.query(ctx, q+` ORDER BY id LIMIT ?`, f.RecipientRole, f.RecipientID, f.After, obxLimit(f.Limit, 50))
	return collect(rows, err, func(rows *sql.Rows, m *SiteMessage) error {
		var created int64
		var read sql.NullInt64
		err := rows.Scan(&m.ID, &m.RecipientRole, &m.RecipientID, &m.Title, &m.Body, &m.Ref, &created, &read)
		m.CreatedAt, m.ReadAt = fromMicros(created), timePtr(read)
		return err
	})
}

// CountUnreadSiteMessages counts a recipient's unread messages.
func (s *Store) CountUnreadSiteMessages(ctx context.Context, role, id string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM site_messages WHERE recipient_role = ? AND recipient_id = ? AND read_at IS NULL`, role, id).Scan(&n)
	return n, err
}

// MarkSiteMessageRead marks one of the recipient's messages read at now; a
// message already read keeps its first read time. Errors: NotFound (no such
// message for this recipient).
func (s *Store) MarkSiteMessageRead(ctx context.Context, role, recipientID, id string, now time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE site_messages SET read_at = COALESCE(read_at, ?) WHERE id = ? AND recipient_role = ? AND recipient_id = ?`,
			micros(now), id, role, recipientID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return notFound("站内信 site message", id)
		}
		return nil
	})
}

// MarkAllSiteMessagesRead marks every unread message of the recipient read
// and returns how many it marked.
func (s *Store) MarkAllSiteMessagesRead(ctx context.Context, role, recipientID string, now time.Time) (int64, error) {
	res, err := s.exec(ctx, `UPDATE site_messages SET read_at = ? WHERE recipient_role = ? AND recipient_id = ? AND read_at IS NULL`, micros(now), role, recipientID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ---- helpers ----

// obxChunk bounds the rows of one multi-row statement (SQLite allows
// 32,766 bound parameters; 200 rows × 8 stays far below).
const obxChunk = 200

func obxPrefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = prefix + parts[i]
	}
	return strings.Join(parts, ", ")
}

func obxKeys(m map[string]bool) []any {
	out := make([]any, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func obxLimit(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

func obxBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

func obxTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
