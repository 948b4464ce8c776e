-- +goose Up
-- The web UI's people, sessions and the personal-data reveal log.
-- web_users: a person who signs in to the pages (buyer, seller, agent,
-- senior_agent, admin). party_id ties a buyer or seller to the party id used
-- in orders. Only a password hash (bcrypt) is kept. phone and address are
-- personal data: agents see them masked until they reveal one (logged).
CREATE TABLE web_users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    party_id      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX web_users_party ON web_users (role, party_id);
-- A session cookie holds a random token; only its SHA-256 is stored.
-- csrf is the per-session form token.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES web_users (id),
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
-- Every reveal of a masked phone number or address (PIPL art. 51: access
-- to personal information is logged). Append-only.
CREATE TABLE pii_reveals (
    id          TEXT PRIMARY KEY,
    viewer_id   TEXT NOT NULL,
    viewer_role TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    field       TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX pii_reveals_subject ON pii_reveals (subject_id, at);
