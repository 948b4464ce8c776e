-- +goose Up
-- Webhooks an operator can see (issue 12 item 6).
-- Secret rotation: the secret replaced by the last rotation keeps signing,
-- next to the new one, until previous_secret_until (microseconds since the
-- Unix epoch; 0 with previous_secret '' when there is none).
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_until BIGINT NOT NULL DEFAULT 0;
-- The delivery log of one endpoint, keyset-paginated by message id.
CREATE INDEX deliveries_endpoint_log ON deliveries (channel, endpoint_id, message_id);
