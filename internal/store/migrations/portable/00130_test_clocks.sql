-- +goose Up
-- Test clocks of the sandbox (issue 17 item 3): a clock frozen at a time
-- that only moves when advanced. An order created on a clock keeps its id
-- (orders.test_clock_id) and every deadline set by a command on it, or on
-- what hangs off it, carries the clock (deadlines.test_clock_id): the
-- deadline worker leaves those rows alone, an advance of the clock fires
-- them. '' is wall time (every production row).
CREATE TABLE test_clocks (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    frozen_time BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
ALTER TABLE orders ADD COLUMN test_clock_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deadlines ADD COLUMN test_clock_id TEXT NOT NULL DEFAULT '';
CREATE INDEX deadlines_clock_due ON deadlines (test_clock_id, due_at) WHERE state = 'pending' AND test_clock_id <> '';

-- +goose Down
DROP INDEX deadlines_clock_due;
ALTER TABLE deadlines DROP COLUMN test_clock_id;
ALTER TABLE orders DROP COLUMN test_clock_id;
DROP TABLE test_clocks;
