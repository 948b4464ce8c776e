-- +goose Up
-- Personal data on a need-to-know basis (个人信息保护法).
-- pii_reveals.purpose: the purpose the viewer stated (PIPL art. 6: a clear,
-- reasonable purpose directly related to the processing; art. 51(4):
-- access rights are limited and recorded). Rows logged before this
-- migration have an empty purpose.
ALTER TABLE pii_reveals ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
CREATE INDEX pii_reveals_at ON pii_reveals (at, id);
-- web_users.pii_redacted_at: when the retention job erased the phone number
-- and address (PIPL art. 19 and 47(1): kept no longer than the purpose needs).
ALTER TABLE web_users ADD COLUMN pii_redacted_at BIGINT;
-- evidence.purged_at: when the retention job deleted the blob. The row (its
-- digest: the chain of the case) stays; only the content is gone.
ALTER TABLE evidence ADD COLUMN purged_at BIGINT;
