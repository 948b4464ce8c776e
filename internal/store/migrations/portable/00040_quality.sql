-- +goose Up
-- Seller service quality (SPEC §9, internal/quality): the facts the
-- integration pushes that no other table holds (buyers' chats and the
-- seller's first answer), and indexes for the window queries of
-- internal/store/quality.go. Times are microseconds since the Unix epoch
-- (UTC). A fact is identified by the seller and the integration's own
-- reference (ref); its changes are events with aggregate_type
-- 'service_fact' in the shared events table.
CREATE TABLE seller_service_facts (
    id          TEXT PRIMARY KEY,
    seller_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    order_id    TEXT NOT NULL DEFAULT '',
    buyer_id    TEXT NOT NULL DEFAULT '',
    asked_at    BIGINT NOT NULL,
    answered_at BIGINT,
    status      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX seller_service_facts_ref ON seller_service_facts (seller_id, kind, ref);
CREATE INDEX seller_service_facts_window ON seller_service_facts (kind, asked_at);
-- Orders paid, or due to ship, in a window (RFC 3339 UTC text compares in
-- time order to the second).
CREATE INDEX orders_paid_at ON orders ({{FIELD body paid_at}});
CREATE INDEX orders_ship_by ON orders ({{FIELD body ship_by}});
-- Complaints upheld against sellers in a window.
CREATE INDEX complaints_respondent_outcome ON complaints (respondent_role, outcome, decided_at);
