-- +goose Up
-- `weiquan demo` records what it wrote (rows per inventory table, JSON), so
-- that a later demo run or `serve --demo` can tell a demo database from one
-- holding anything else, and refuse the latter. Times are microseconds
-- since the Unix epoch.
CREATE TABLE demo_fills (
    id         TEXT PRIMARY KEY,
    seed       BIGINT NOT NULL,
    counts     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE demo_fills;
