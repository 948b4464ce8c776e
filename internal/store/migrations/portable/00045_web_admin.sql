-- +goose Up
-- The web admin: agents and senior agents can be disabled (a disabled user
-- cannot sign in and its sessions end); every admin action on the pages
-- (API keys, webhook endpoints, users) is an append-only audit row with its
-- actor and time; failed sign-ins are counted per login and client address
-- for the sign-in rate limit. Times are microseconds since the Unix epoch.
ALTER TABLE web_users ADD COLUMN disabled_at BIGINT;
CREATE TABLE web_admin_audit (
    id          TEXT PRIMARY KEY,
    actor_id    TEXT NOT NULL,
    actor_login TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX web_admin_audit_at ON web_admin_audit (at, id);
CREATE INDEX web_admin_audit_target ON web_admin_audit (target_kind, target_id, at);
CREATE TABLE web_signin_failures (
    login TEXT NOT NULL,
    ip    TEXT NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX web_signin_failures_key ON web_signin_failures (login, ip, at);
CREATE INDEX web_signin_failures_at ON web_signin_failures (at);
