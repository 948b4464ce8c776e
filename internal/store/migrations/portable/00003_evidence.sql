-- +goose Up
-- Evidence attached to a case (an after-sales request, an intervention, a
-- complaint or an appeal: case_id is that object's id, so there is no foreign
-- key). Each row is the metadata of a content-addressed blob kept by
-- internal/evidence (digest = SHA-256, 64 lowercase hex digits). Rows are
-- append-only. The chronological chain of a case is (case_id, created_at, id).
-- Times are microseconds since the Unix epoch (UTC).
CREATE TABLE evidence (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL,
    uploader_role TEXT NOT NULL,
    uploader_id   TEXT NOT NULL,
    digest        TEXT NOT NULL,
    size          BIGINT NOT NULL CHECK (size >= 0),
    media_type    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    caption       TEXT NOT NULL DEFAULT '',
    declared_name TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX evidence_case_chain ON evidence (case_id, created_at, id);
-- Which cases reference a blob (before a blob may ever be collected).
CREATE INDEX evidence_digest ON evidence (digest);
