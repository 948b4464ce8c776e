-- +goose Up
-- People and keys (issue 12 item 1, issue 14 item 11). Times are
-- microseconds since the Unix epoch.
-- API keys may expire; last_used_at is written coarsely (at most about once
-- a minute per key), so it says "used around then", not every request.
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;
-- Sessions: last_seen_at drives the idle timeout (refreshed at most once a
-- minute); a pending session has passed the password and waits for the
-- TOTP code (it opens no page but the second step).
ALTER TABLE web_sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE web_sessions ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
-- TOTP second factor of staff accounts: the base32 secret (set at
-- enrolment, in force once totp_enabled_at is set) and the last time step
-- accepted (a code is used once).
ALTER TABLE web_users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE web_users ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE web_users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
-- The sign-in throttle counts failures per account across addresses and
-- per address across accounts.
CREATE INDEX web_signin_failures_ip ON web_signin_failures (ip, at);
-- Marketplace sign-in: the nonce of every redeemed link or token, kept
-- until it has expired (single use on every replica, across restarts).
CREATE TABLE signin_nonces (
    nonce      TEXT PRIMARY KEY,
    used_at    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX signin_nonces_expiry ON signin_nonces (expires_at);
-- The key that signs the links POST /v1/sign-in-links mints, made once
-- and shared by every replica of the database.
CREATE TABLE signin_keys (
    id         TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
