package store

import (
	"context"
	"database/sql"
	"time"
)

// CalendarImport is one import of a working-day calendar file.
type CalendarImport struct {
	Seq       int64     `json:"seq"`
	ID        string    `json:"id"`
	Author    string    `json:"author"`
	Years     string    `json:"years"`
	Body      []byte    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// NextCalendarSeq returns the number the next calendar import takes.
func (t *Tx) NextCalendarSeq(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := t.queryRow(ctx, `SELECT MAX(seq) FROM calendar_imports`).Scan(&n)
	return n.Int64 + 1, err
}

// insertCalendarImport records an import. Errors: Conflict (ErrStale) when
// another import took its number first.
func (t *Tx) insertCalendarImport(ctx context.Context, c CalendarImport) error {
	return t.execLater(ctx, `INSERT INTO calendar_imports (seq, id, author, years, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		staleOnUnique("calendar import"), c.Seq, c.ID, c.Author, c.Years, string(c.Body), micros(c.CreatedAt))
}

// CalendarSeq returns the number of the latest calendar import (0: none),
// the version a replica compares to know whether to reload.
func (s *Store) CalendarSeq(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := s.queryRow(ctx, `SELECT MAX(seq) FROM calendar_imports`).Scan(&n)
	return n.Int64, err
}

// CalendarImports returns every calendar import, oldest first.
func (s *Store) CalendarImports(ctx context.Context) ([]CalendarImport, error) {
	rows, err := s.query(ctx, `SELECT seq, id, author, years, body, created_at FROM calendar_imports ORDER BY seq`)
	return collect(rows, err, func(rows *sql.Rows, c *CalendarImport) error {
		var body string
		var at int64
		if err := rows.Scan(&c.Seq, &c.ID, &c.Author, &c.Years, &body, &at); err != nil {
			return err
		}
		c.Body, c.CreatedAt = []byte(body), fromMicros(at)
		return nil
	})
}
