-- +goose Up
-- JSON written once and read back whole, never queried inside by SQL, is
-- kept as TEXT: PostgreSQL stores and returns it as it came instead of
-- parsing it into JSONB on every write and printing it on every read (the
-- command path writes an event, a state row and an outbox payload per
-- transition). orders.body stays JSONB: its fields are indexed and queried
-- (paid_at, ship_by, tracking_no).
ALTER TABLE events ALTER COLUMN data TYPE TEXT;
ALTER TABLE aftersales ALTER COLUMN body TYPE TEXT;
ALTER TABLE outbox ALTER COLUMN payload TYPE TEXT;
ALTER TABLE disputes ALTER COLUMN body TYPE TEXT;
