-- +goose Up
-- A deadline whose automatic action fails is retried with back-off and, after
-- a few attempts, settled as failed, so it never blocks the deadlines behind it.
ALTER TABLE deadlines ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deadlines ADD COLUMN retry_at BIGINT NOT NULL DEFAULT 0;
