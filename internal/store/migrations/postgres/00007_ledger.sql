-- +goose Up
-- The double-entry ledger (internal/ledger). Times are microseconds since the
-- Unix epoch (UTC); money is integer fen.
-- PostgreSQL variant: seq is an identity column and the append-only guard is
-- one trigger function; everything else matches the SQLite set.
-- ledger_transactions and ledger_postings are append-only: triggers refuse
-- UPDATE, DELETE and TRUNCATE; a mistake is reversed by a new transaction.
-- seq is the posting order (assigned after the balances are locked, so it
-- agrees with the order in which transactions touching the same account
-- committed). ledger_balances caches the sum of postings per account that has
-- a floor, updated in the same database transaction, with the floor as a
-- CHECK; each posting on such an account records the balance after it.
-- Accounts without a floor (external:*) keep no row, no lock (every payment
-- touches external:payin) and no running balance: their balance is the sum of
-- their postings. The postings stay authoritative (weiquan ledger check).
CREATE TABLE ledger_transactions (
    seq      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

-- +goose StatementBegin
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
