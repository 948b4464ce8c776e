-- +goose Up
-- Admin edits of reply scripts (话术). A row overrides the embedded
-- default scenario of the same id; its edits are events with
-- aggregate_type 'script' in the shared events table.
CREATE TABLE scripts (
    id         TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    body       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
