-- +goose Up
-- Portable: payload is TEXT on both engines (PostgreSQL first had JSONB here and
-- 00050_text_payloads turns it into TEXT, which is a no-op on a new install).
-- Transactional outbox (ARCHITECTURE "notify/", "worker/"). Times are
-- microseconds since the Unix epoch (UTC); flags are INTEGER 0/1.

-- One row per notification, written in the command's own transaction. The
-- per-aggregate sequence (the event's seq) lets receivers order and
-- de-duplicate; fanned_out turns 1 once the relay has created its deliveries.
CREATE TABLE outbox (
    id             TEXT PRIMARY KEY,
    topic          TEXT NOT NULL,
    aggregate_type TEXT NOT NULL,
    aggregate_id   TEXT NOT NULL,
    aggregate_seq  BIGINT NOT NULL,
    payload        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    fanned_out     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX outbox_aggregate_seq ON outbox (aggregate_type, aggregate_id, aggregate_seq);
CREATE INDEX outbox_unfanned ON outbox (id) WHERE fanned_out = 0;
CREATE INDEX outbox_created ON outbox (created_at);

-- Standard Webhooks receivers. secret is "whsec_" + base64 of the key;
-- event_types is a JSON array of topics ("aftersale.agreed", "aftersale.*"),
-- [] for every topic.
CREATE TABLE webhook_endpoints (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    event_types TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    enabled     INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One row per message and destination (a channel, and for webhooks the
-- endpoint), so that each destination makes progress and retries on its own.
-- The aggregate columns repeat the message's to enforce per-aggregate order.
CREATE TABLE deliveries (
    message_id      TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    endpoint_id     TEXT NOT NULL DEFAULT '',
    aggregate_type  TEXT NOT NULL,
    aggregate_id    TEXT NOT NULL,
    aggregate_seq   BIGINT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT,
    PRIMARY KEY (message_id, channel, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_order ON deliveries (channel, endpoint_id, aggregate_type, aggregate_id, aggregate_seq);
CREATE INDEX deliveries_state ON deliveries (state, channel, endpoint_id);

-- In-site messages (站内信) for the parties.
CREATE TABLE site_messages (
    id             TEXT PRIMARY KEY,
    recipient_role TEXT NOT NULL,
    recipient_id   TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    ref            TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    read_at        BIGINT
);
CREATE INDEX site_messages_recipient ON site_messages (recipient_role, recipient_id, id);
CREATE INDEX site_messages_unread ON site_messages (recipient_role, recipient_id, id) WHERE read_at IS NULL;
