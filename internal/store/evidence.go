package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/fault"
)

// ---- evidence ----

// Evidence is one piece of evidence attached to a case: who uploaded which
// blob (internal/evidence), when, with what caption. Rows are append-only;
// the same blob may be attached to several cases, or twice to one.
type Evidence struct {
	ID           string // UUIDv7; InsertEvidence assigns one when empty
	CaseID       string // the after-sales request, intervention, complaint or appeal
	UploaderRole string // buyer, seller, agent, …
	UploaderID   string // the party's or agent's id
	Digest       string // SHA-256 of the blob, 64 lowercase hex digits
	Size         int64  // bytes
	MediaType    string // sniffed from the content, e.g. "image/png"
	Kind         evidence.Kind
	Caption      string // the uploader's description
	DeclaredName string // the file name the client gave (display only; see evidence.CleanName)
	CreatedAt    time.Time
}

const evidenceCols = `id, case_id, uploader_role, uploader_id, digest, size, media_type, kind, caption, declared_name, created_at`

// InsertEvidence records a piece of evidence, assigning rec.ID (a UUIDv7)
// when it is empty. CreatedAt must be set (the caller's clock). Errors:
// Invalid (missing or malformed field), Conflict (the id exists).
func (t *Tx) InsertEvidence(ctx context.Context, rec *Evidence) error {
	if err := validEvidence(rec); err != nil {
		return err
	}
	if rec.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("store: evidence id: %w", err)
		}
		rec.ID = id.String()
	}
	_, err := t.exec(ctx, `INSERT INTO evidence (`+evidenceCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.ID, rec.CaseID, rec.UploaderRole, rec.UploaderID, rec.Digest, rec.Size, rec.MediaType, string(rec.Kind),
		rec.Caption, rec.DeclaredName, micros(rec.CreatedAt))
	if isUnique(err) {
		return &fault.Error{Code: fault.Conflict, Field: "id", Message: fmt.Sprintf("证据 %s 已存在 / evidence %s already exists", rec.ID, rec.ID)}
	}
	if err != nil {
		return fmt.Errorf("store: insert evidence: %w", err)
	}
	return nil
}

func validEvidence(rec *Evidence) error {
	switch {
	case strings.TrimSpace(rec.CaseID) == "":
		return fault.Field("case_id", "缺少案件 / case_id is required")
	case strings.TrimSpace(rec.UploaderRole) == "":
		return fault.Field("uploader_role", "缺少上传者角色 / uploader_role is required")
	case !evidence.ValidDigest(rec.Digest):
		return fault.Field("digest", "摘要须为 64 位小写十六进制 SHA-256 / the digest must be a SHA-256 of 64 lowercase hexadecimal digits")
	case rec.Size < 0:
		return fault.Field("size", "大小不能为负 / size cannot be negative")
	case rec.MediaType == "":
		return fault.Field("media_type", "缺少文件类型 / media_type is required")
	case !rec.Kind.Valid():
		return fault.Field("kind", "证据种类 %q 无效 / evidence kind %q is not one of image, video, pdf, chat_log, tracking", rec.Kind, rec.Kind)
	case rec.CreatedAt.IsZero():
		return fault.Field("created_at", "缺少时间 / created_at is required")
	}
	return nil
}

// CaseEvidence lists a case's evidence in the order it was added (created_at,
// then id). A case without evidence gives an empty list.
func (s *Store) CaseEvidence(ctx context.Context, caseID string) ([]Evidence, error) {
	rows, err := s.query(ctx, `SELECT `+evidenceCols+` FROM evidence WHERE case_id = ? ORDER BY created_at, id`, caseID)
	out, err := orEmpty(collect(rows, err, scanned(func(r *sql.Rows) (Evidence, error) { return scanEvidence(r) })))
	if err != nil {
		return nil, fmt.Errorf("store: case evidence %s: %w", caseID, err)
	}
	return out, nil
}

// EvidenceByID loads one piece of evidence. Errors: NotFound.
func (s *Store) EvidenceByID(ctx context.Context, id string) (Evidence, error) {
	return orNotFound(scanEvidence(s.queryRow(ctx, `SELECT `+evidenceCols+` FROM evidence WHERE id = ?`, id)))("证据 evidence", id)
}

// EvidenceByID loads one piece of evidence in the transaction. Errors:
// NotFound.
func (t *Tx) EvidenceByID(ctx context.Context, id string) (Evidence, error) {
	return orNotFound(scanEvidence(t.queryRow(ctx, `SELECT `+evidenceCols+` FROM evidence WHERE id = ?`, id)))("证据 evidence", id)
}

// EvidenceClaim moves a party's draft evidence (uploaded before filing, in
// its draft chain From) to the chain of the complaint that cites it (To).
// Drafts are the one exception to append-only evidence rows: a draft is
// provisional until a filing claims it, once.
type EvidenceClaim struct {
	ID   string
	From string
	To   string
}

// claimEvidence writes one EvidenceClaim. Errors: Conflict with ErrStale
// when the draft was claimed by another filing first.
func (t *Tx) claimEvidence(ctx context.Context, c EvidenceClaim) error {
	return t.execOne(ctx, `UPDATE evidence SET case_id = ? WHERE id = ? AND case_id = ?`,
		expectOneCheck("证据草稿已被其他投诉引用 / the draft evidence was claimed by another filing"), c.To, c.ID, c.From)
}

// caseEvidenceBytesSQL sums the sizes of the distinct blobs of a case.
const caseEvidenceBytesSQL = `SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM
	(SELECT MAX(size) AS size FROM evidence WHERE case_id = ? GROUP BY digest) AS blobs`

// CaseEvidenceBytes is what a case's evidence weighs against the per-case
// limit (evidence.Limits.MaxCaseBytes): the sum of the sizes of its
// DISTINCT blobs. The same bytes attached twice to one case (a retried
// upload, or both parties attaching the same screenshot) count once, because
// the blob store keeps them once and the reviewer reads them once. Rows still
// cost a little each; bound their number separately if that matters.
func (s *Store) CaseEvidenceBytes(ctx context.Context, caseID string) (int64, error) {
	var n int64
	if err := s.queryRow(ctx, caseEvidenceBytesSQL, caseID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: case evidence bytes %s: %w", caseID, err)
	}
	return n, nil
}

// CaseEvidenceBytes is Store.CaseEvidenceBytes inside the transaction that
// will insert the new row. Lock the case first (e.g. LoadAftersale, or the
// case's own row) so that two concurrent uploads cannot both pass the limit
// on PostgreSQL; SQLite's single writer already serialises them.
func (t *Tx) CaseEvidenceBytes(ctx context.Context, caseID string) (int64, error) {
	var n int64
	if err := t.queryRow(ctx, caseEvidenceBytesSQL, caseID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: case evidence bytes %s: %w", caseID, err)
	}
	return n, nil
}

// CaseHasBlob reports whether the case already holds the blob, so that a
// caller can let a re-attachment through a full allowance (it adds nothing
// to CaseEvidenceBytes).
func (t *Tx) CaseHasBlob(ctx context.Context, caseID, digest string) (bool, error) {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM evidence WHERE case_id = ? AND digest = ? LIMIT 1`, caseID, digest).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: case %s blob: %w", caseID, err)
	}
	return true, nil
}

type evidenceRow interface{ Scan(dest ...any) error }

func scanEvidence(r evidenceRow) (Evidence, error) {
	var e Evidence
	var kind string
	var at int64
	if err := r.Scan(&e.ID, &e.CaseID, &e.UploaderRole, &e.UploaderID, &e.Digest, &e.Size, &e.MediaType, &kind,
		&e.Caption, &e.DeclaredName, &at); err != nil {
		return Evidence{}, err
	}
	e.Kind, e.CreatedAt = evidence.Kind(kind), fromMicros(at)
	return e, nil
}
