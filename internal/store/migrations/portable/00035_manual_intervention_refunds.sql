-- +goose Up
-- Manual-intervention refunds (人工介入退款, SPEC §5): each advance payment
-- counts against the seller; a service-quality computation reads them per
-- seller over a window (store.ManualInterventionRefunds).
CREATE TABLE manual_intervention_refunds (
    id         TEXT PRIMARY KEY,
    seller_id  TEXT NOT NULL,
    dispute_id TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    rule_id    TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX manual_intervention_refunds_seller ON manual_intervention_refunds (seller_id, at);
