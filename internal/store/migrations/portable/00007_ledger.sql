-- +goose Up
-- The double-entry ledger (internal/ledger). Times are microseconds since the
-- Unix epoch (UTC); money is integer fen.
-- ledger_transactions and ledger_postings are append-only: triggers refuse
-- UPDATE and DELETE (and, on PostgreSQL, TRUNCATE); a mistake is reversed by
-- a new transaction. The triggers differ per engine: they are the engine's
-- part of this migration (migrations/<engine>/00007_ledger.sql).
-- seq is the posting order (assigned after the balances are locked, so on
-- PostgreSQL it agrees with the order in which transactions touching the same
-- account committed). ledger_balances caches the sum of postings per account
-- that has a floor, updated in the same database transaction, with the floor
-- as a CHECK; each posting on such an account records the balance after it.
-- Accounts without a floor (external:*) keep no row, no lock (every payment
-- touches external:payin) and no running balance: their balance is the sum of
-- their postings. The postings stay authoritative (weiquan ledger check).
CREATE TABLE ledger_transactions (
    seq      {{IDENTITY}},
    id       TEXT NOT NULL UNIQUE,
    kind     TEXT NOT NULL,
    order_id TEXT NOT NULL,
    ref      TEXT NOT NULL,
    rule_ids TEXT NOT NULL,
    at       BIGINT NOT NULL,
    digest   TEXT NOT NULL
);
CREATE INDEX ledger_transactions_order ON ledger_transactions (order_id, seq);

CREATE TABLE ledger_postings (
    transaction_id TEXT NOT NULL REFERENCES ledger_transactions (id),
    line           INTEGER NOT NULL,
    seq            BIGINT NOT NULL,
    account        TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    balance_after  BIGINT,
    PRIMARY KEY (transaction_id, line)
);
CREATE INDEX ledger_postings_account ON ledger_postings (account, seq);

CREATE TABLE ledger_balances (
    account     TEXT PRIMARY KEY,
    balance     BIGINT NOT NULL,
    min_balance BIGINT NOT NULL,
    CHECK (balance >= min_balance)
);
