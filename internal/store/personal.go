package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Personal data on a need-to-know basis (个人信息保护法): the reveal log
// written by a reveal's Commit, and the retention job's reads and writes.

// PIIRedaction erases a web user's phone number and address (retention,
// PIPL art. 19 and 47(1)); part of a Commit.
type PIIRedaction struct {
	UserID string
	At     time.Time
}

// EvidencePurge marks a piece of evidence whose blob was deleted (retention);
// the row stays. Part of a Commit.
type EvidencePurge struct {
	ID string
	At time.Time
}

func (t *Tx) insertPIIReveal(ctx context.Context, r PIIReveal) error {
	return t.execLater(ctx, `INSERT INTO pii_reveals (id, viewer_id, viewer_role, subject_id, field, case_id, at, purpose) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		plainErr, r.ID, r.ViewerID, r.ViewerRole, r.SubjectID, r.Field, r.CaseID, micros(r.At), r.Purpose)
}

func (t *Tx) redactPII(ctx context.Context, r PIIRedaction) error {
	return t.execLater(ctx, `UPDATE web_users SET phone = '', address = '', pii_redacted_at = ? WHERE id = ?`, plainErr, micros(r.At), r.UserID)
}

func (t *Tx) purgeEvidence(ctx context.Context, p EvidencePurge) error {
	return t.execLater(ctx, `UPDATE evidence SET purged_at = ? WHERE id = ? AND purged_at IS NULL`, plainErr, micros(p.At), p.ID)
}

// WebUserByParty is Store.WebUserByParty in the transaction. Errors: NotFound.
func (t *Tx) WebUserByParty(ctx context.Context, role, partyID string) (WebUser, error) {
	return orNotFound(scanWebUser(t.queryRow(ctx, `SELECT `+webUserCols+` FROM web_users WHERE role = ? AND party_id = ? ORDER BY id LIMIT 1`, role, partyID)))("user", partyID)
}

// RecentPIIReveals lists the reveal log, newest first, at most limit rows.
func (s *Store) RecentPIIReveals(ctx context.Context, limit int) ([]PIIReveal, error) {
	rows, err := s.query(ctx, `SELECT id, viewer_id, viewer_role, subject_id, field, case_id, at, purpose FROM pii_reveals ORDER BY at DESC, id DESC LIMIT ?`, limit)
	return orEmpty(collect(rows, err, func(rows *sql.Rows, r *PIIReveal) error {
		var at int64
		err := rows.Scan(&r.ID, &r.ViewerID, &r.ViewerRole, &r.SubjectID, &r.Field, &r.CaseID, &at, &r.Purpose)
		r.At = fromMicros(at)
		return err
	}))
}

// partyQuiet: the party (role r, id p) has no order, after-sales request,
// intervention case or complaint that is open or changed at or after the
// cutoff, and has at least one order. The three ? are the cutoff.
const partyQuiet = `EXISTS (SELECT 1 FROM orders o WHERE o.%[1]s = u.party_id)
	AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.%[1]s = u.party_id
		AND (o.status NOT IN ('TRADE_FINISHED', 'TRADE_CLOSED') OR o.updated_at >= ?))
	AND NOT EXISTS (SELECT 1 FROM aftersales a WHERE a.%[1]s = u.party_id AND (a.is_open = 1 OR a.updated_at >= ?))
	AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.%[1]s = u.party_id
		AND (d.status NOT IN ('FINAL', 'WITHDRAWN') OR d.updated_at >= ?))
	AND NOT EXISTS (SELECT 1 FROM complaints c WHERE c.order_id IN (SELECT o.id FROM orders o WHERE o.%[1]s = u.party_id)
		AND (c.status IN ('WAIT_RESPONSE', 'IN_REVIEW', 'SECOND_REVIEW') OR c.updated_at >= ?))`

// PIIRedactable lists (at most limit) buyer and seller web users that still
// hold a phone number or address and whose every order, after-sales
// request, case and complaint is closed and unchanged since before cutoff.
func (t *Tx) PIIRedactable(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	c := micros(cutoff)
	q := `SELECT u.id FROM web_users u WHERE (u.phone <> '' OR u.address <> '') AND (
		(u.role = 'buyer' AND ` + fmt.Sprintf(partyQuiet, "buyer_id") + `) OR
		(u.role = 'seller' AND ` + fmt.Sprintf(partyQuiet, "seller_id") + `)) ORDER BY u.id LIMIT ?`
	rows, err := t.query(ctx, q, c, c, c, c, c, c, c, c, limit)
	return orEmpty(collect(rows, err, func(rows *sql.Rows, id *string) error { return rows.Scan(id) }))
}

// caseQuiet: the evidence row e's case (an after-sales request, a case or a
// complaint) is not open and unchanged since before the cutoff (both ?).
const caseQuiet = `e.created_at < ?
	AND NOT EXISTS (SELECT 1 FROM aftersales a WHERE a.id = e.case_id AND (a.is_open = 1 OR a.updated_at >= ?))
	AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.id = e.case_id AND (d.status NOT IN ('FINAL', 'WITHDRAWN') OR d.updated_at >= ?))
	AND NOT EXISTS (SELECT 1 FROM complaints c WHERE c.id = e.case_id
		AND (c.status IN ('WAIT_RESPONSE', 'IN_REVIEW', 'SECOND_REVIEW') OR c.updated_at >= ?))`

// EvidencePurgeable lists (at most limit) blob digests not yet purged whose
// every evidence row is past the cutoff: created before it, on a case
// closed and unchanged since before it. A blob shared with a case still
// inside its period is kept.
func (t *Tx) EvidencePurgeable(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	c := micros(cutoff)
	q := `SELECT DISTINCT e.digest FROM evidence e WHERE e.purged_at IS NULL AND ` + caseQuiet + `
		AND NOT EXISTS (SELECT 1 FROM evidence e2 WHERE e2.digest = e.digest AND e2.purged_at IS NULL AND NOT (` +
		replaceAlias(caseQuiet) + `)) ORDER BY e.digest LIMIT ?`
	rows, err := t.query(ctx, q, c, c, c, c, c, c, c, c, limit)
	return orEmpty(collect(rows, err, func(rows *sql.Rows, d *string) error { return rows.Scan(d) }))
}

// EvidenceIDsOf lists the ids of the unpurged evidence rows of a blob.
func (t *Tx) EvidenceIDsOf(ctx context.Context, digest string) ([]string, error) {
	rows, err := t.query(ctx, `SELECT id FROM evidence WHERE digest = ? AND purged_at IS NULL ORDER BY id`, digest)
	return orEmpty(collect(rows, err, func(rows *sql.Rows, id *string) error { return rows.Scan(id) }))
}

// replaceAlias turns caseQuiet's row alias e into e2.
func replaceAlias(q string) string {
	return strings.NewReplacer("e.created_at", "e2.created_at", "e.case_id", "e2.case_id").Replace(q)
}
