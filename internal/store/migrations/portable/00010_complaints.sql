-- +goose Up
-- Complaints (投诉), violations and sanctions (SPEC §7, §8) and rule book
-- changes. Complaint and sanction events and deadlines live in the shared
-- events and deadlines tables (aggregate_type 'complaint' / 'sanction').
-- Times are microseconds since the Unix epoch (UTC); money is integer fen.
CREATE TABLE complaints (
    id               TEXT PRIMARY KEY,
    type             TEXT NOT NULL,
    order_id         TEXT NOT NULL REFERENCES orders (id),
    complainant_role TEXT NOT NULL,
    complainant_id   TEXT NOT NULL,
    respondent_role  TEXT NOT NULL,
    respondent_id    TEXT NOT NULL,
    status           TEXT NOT NULL,
    senior           INTEGER NOT NULL,
    priority         INTEGER NOT NULL,
    flagged          INTEGER NOT NULL,
    outcome          TEXT NOT NULL,
    decided_at       BIGINT,
    body             {{JSON}} NOT NULL,
    version          BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX complaints_complainant ON complaints (complainant_role, complainant_id, decided_at);
CREATE INDEX complaints_respondent ON complaints (respondent_role, respondent_id, id);
CREATE INDEX complaints_queue ON complaints (status, senior, priority, created_at);
CREATE INDEX complaints_order ON complaints (order_id, id);

-- One row per party: locked by every command that records a violation of
-- the party, so that points are summed with every earlier violation seen.
CREATE TABLE party_standing (
    party_role TEXT NOT NULL,
    party_id   TEXT NOT NULL,
    violations BIGINT NOT NULL,
    PRIMARY KEY (party_role, party_id)
);

CREATE TABLE violations (
    id           TEXT PRIMARY KEY,
    party_role   TEXT NOT NULL,
    party_id     TEXT NOT NULL,
    type         TEXT NOT NULL,
    class        TEXT NOT NULL,
    points       BIGINT NOT NULL,
    year         INTEGER NOT NULL,
    at           BIGINT NOT NULL,
    complaint_id TEXT NOT NULL,
    body         {{JSON}} NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX violations_party ON violations (party_role, party_id, year, class);
-- An upheld complaint records at most one violation.
CREATE UNIQUE INDEX violations_one_per_complaint ON violations (complaint_id) WHERE complaint_id <> '';

CREATE TABLE sanctions (
    id           TEXT PRIMARY KEY,
    party_role   TEXT NOT NULL,
    party_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    class        TEXT NOT NULL,
    threshold    BIGINT NOT NULL,
    year         INTEGER NOT NULL,
    source       TEXT NOT NULL,
    complaint_id TEXT NOT NULL,
    status       TEXT NOT NULL,
    start_at     BIGINT NOT NULL,
    end_at       BIGINT,
    body         {{JSON}} NOT NULL,
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX sanctions_party ON sanctions (party_role, party_id, start_at);
-- Exactly one sanction per threshold crossing: a party, class, year and
-- threshold impose one sanction however many violations race to it.
CREATE UNIQUE INDEX sanctions_one_per_threshold ON sanctions (party_role, party_id, class, year, threshold) WHERE source = 'points';
CREATE UNIQUE INDEX sanctions_one_per_complaint ON sanctions (complaint_id, kind) WHERE source = 'complaint';

-- Rule book administration: each PUT /v1/policy is a new version with its
-- author and its diff against the version it replaced.
CREATE TABLE policy_changes (
    id          TEXT PRIMARY KEY,
    version     TEXT NOT NULL UNIQUE,
    digest      TEXT NOT NULL,
    prev_digest TEXT NOT NULL,
    author      TEXT NOT NULL,
    diff        TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Fake shipment: one tracking number on several orders.
CREATE INDEX orders_tracking_no ON orders ({{FIELD body tracking_no}});
