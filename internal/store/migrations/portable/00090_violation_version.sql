-- +goose Up
-- Violations an agent records directly can be appealed (issue 13): the
-- row is updated with an optimistic version check like a sanction's.
ALTER TABLE violations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
