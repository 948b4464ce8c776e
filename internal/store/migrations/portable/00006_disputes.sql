-- +goose Up
-- Portable: body is TEXT on both engines (PostgreSQL first had JSONB here and
-- 00050_text_payloads turns it into TEXT, which is a no-op on a new install).
-- Platform intervention cases (客服介入). Events and deadlines live in the
-- shared events and deadlines tables with aggregate_type 'dispute'.
CREATE TABLE disputes (
    id           TEXT PRIMARY KEY,
    aftersale_id TEXT NOT NULL REFERENCES aftersales (id),
    order_id     TEXT NOT NULL,
    buyer_id     TEXT NOT NULL,
    seller_id    TEXT NOT NULL,
    status       TEXT NOT NULL,
    premium      INTEGER NOT NULL,
    senior       INTEGER NOT NULL,
    claim        BIGINT NOT NULL,
    sla_due_at   BIGINT,
    assignee     TEXT NOT NULL,
    body         TEXT NOT NULL,
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX disputes_queue ON disputes (status, premium, sla_due_at, claim);
CREATE INDEX disputes_aftersale ON disputes (aftersale_id);
CREATE INDEX disputes_buyer ON disputes (buyer_id, id);
CREATE INDEX disputes_seller ON disputes (seller_id, id);
