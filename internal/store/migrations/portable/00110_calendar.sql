-- +goose Up
-- The working-day calendar as data (issue 12 item 5): every import of a
-- calendar file (weiquan calendar import, the admin page), in order, so
-- that every replica computes the same calendar: the embedded years, then
-- each import's years replacing whole years. seq is the import's number
-- (a second import racing for the same number is a conflict, retried);
-- body is the file as imported (JSON), years its years ("2027,2028").
CREATE TABLE calendar_imports (
    seq        BIGINT PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    author     TEXT NOT NULL,
    years      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE calendar_imports;
