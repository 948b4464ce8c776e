-- +goose Up
-- Times are microseconds since the Unix epoch (UTC); money is integer fen.
CREATE TABLE orders (
    id         TEXT PRIMARY KEY,
    buyer_id   TEXT NOT NULL,
    seller_id  TEXT NOT NULL,
    status     TEXT NOT NULL,
    body       {{JSON}} NOT NULL,
    version    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_buyer ON orders (buyer_id, id);
CREATE INDEX orders_seller ON orders (seller_id, id);

CREATE TABLE aftersales (
    id         TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL REFERENCES orders (id),
    buyer_id   TEXT NOT NULL,
    seller_id  TEXT NOT NULL,
    status     TEXT NOT NULL,
    is_open    INTEGER NOT NULL,
    body       {{JSON}} NOT NULL,
    version    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX aftersales_one_open_per_order ON aftersales (order_id) WHERE is_open = 1;
CREATE INDEX aftersales_order ON aftersales (order_id, id);
CREATE INDEX aftersales_buyer ON aftersales (buyer_id, id);
CREATE INDEX aftersales_seller ON aftersales (seller_id, id);
CREATE INDEX aftersales_status ON aftersales (status, id);

CREATE TABLE events (
    aggregate_type TEXT NOT NULL,
    aggregate_id   TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    event_id       TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    actor          TEXT NOT NULL,
    at             BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    rule_ids       TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    data           {{JSON}} NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, seq)
);
CREATE INDEX events_type_at ON events (type, at);

CREATE TABLE deadlines (
    id             TEXT PRIMARY KEY,
    aggregate_type TEXT NOT NULL,
    aggregate_id   TEXT NOT NULL,
    kind           TEXT NOT NULL,
    actor          TEXT NOT NULL,
    due_at         BIGINT NOT NULL,
    on_expiry      TEXT NOT NULL,
    rule_id        TEXT NOT NULL,
    state          TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    settled_at     BIGINT,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deadlines_pending_due ON deadlines (due_at) WHERE state = 'pending';
CREATE UNIQUE INDEX deadlines_one_pending ON deadlines (aggregate_type, aggregate_id) WHERE state = 'pending';
CREATE INDEX deadlines_aggregate ON deadlines (aggregate_type, aggregate_id);

CREATE TABLE interventions (
    id           TEXT PRIMARY KEY,
    aftersale_id TEXT NOT NULL REFERENCES aftersales (id),
    order_id     TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX interventions_aftersale ON interventions (aftersale_id);

CREATE TABLE idempotency (
    principal  TEXT NOT NULL,
    key        TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    body_hash  TEXT NOT NULL,
    status     INTEGER NOT NULL,
    response   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    party_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE policy_versions (
    digest     TEXT PRIMARY KEY,
    version    TEXT NOT NULL,
    body       {{JSON}} NOT NULL,
    created_at BIGINT NOT NULL
);
