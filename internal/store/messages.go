package store

import (
	"context"
	"database/sql"
)

// GetSiteMessage reads one of a recipient's site messages. Errors: NotFound
// (also when it belongs to someone else).
func (s *Store) GetSiteMessage(ctx context.Context, role, recipientID, id string) (SiteMessage, error) {
	var m SiteMessage
	var at int64
	var read sql.NullInt64
	err := s.queryRow(ctx, `SELECT id, recipient_role, recipient_id, title, body, ref, created_at, read_at FROM site_messages WHERE id = ? AND recipient_role = ? AND recipient_id = ?`,
		id, role, recipientID).Scan(&m.ID, &m.RecipientRole, &m.RecipientID, &m.Title, &m.Body, &m.Ref, &at, &read)
	if err != nil {
		return m, mapNoRows(err, "站内信 message", id)
	}
	m.CreatedAt = fromMicros(at)
	if read.Valid {
		t := fromMicros(read.Int64)
		m.ReadAt = &t
	}
	return m, nil
}
