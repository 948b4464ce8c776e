package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
)

// ScriptRow is an admin-edited reply-script scenario (body is the
// scenario's JSON).
type ScriptRow struct {
	ID        string
	Status    string
	Body      string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ListScripts returns every edited scenario, by id.
func (s *Store) ListScripts(ctx context.Context) ([]ScriptRow, error) {
	rows, err := s.query(ctx, `SELECT id, status, body, version, created_at, updated_at FROM scripts ORDER BY id`)
	return collect(rows, err, func(rows *sql.Rows, r *ScriptRow) error {
		var c, u int64
		err := rows.Scan(&r.ID, &r.Status, &r.Body, &r.Version, &c, &u)
		r.CreatedAt, r.UpdatedAt = fromMicros(c), fromMicros(u)
		return err
	})
}

// GetScriptForUpdate loads an edited scenario and locks it; ok is false
// when the scenario was never edited.
func (t *Tx) GetScriptForUpdate(ctx context.Context, id string) (ScriptRow, bool, error) {
	var r ScriptRow
	var c, u int64
	err := t.queryRow(ctx, `SELECT id, status, body, version, created_at, updated_at FROM scripts WHERE id = ?`+t.d.forUpdate(), id).
		Scan(&r.ID, &r.Status, &r.Body, &r.Version, &c, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.CreatedAt, r.UpdatedAt = fromMicros(c), fromMicros(u)
	return r, true, nil
}

// saveScript inserts (prevVersion 0) or updates the row whose stored
// version is prevVersion. Errors: Conflict on a concurrent write.
func (t *Tx) saveScript(ctx context.Context, r ScriptRow, prevVersion int64) error {
	if prevVersion == 0 {
		_, err := t.exec(ctx, `INSERT INTO scripts (id, status, body, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.ID, r.Status, r.Body, r.Version, micros(r.CreatedAt), micros(r.UpdatedAt))
		if isUnique(err) {
			return &fault.Error{Code: fault.Conflict, Message: "话术已被并发修改 / the script changed concurrently", Cause: ErrStale}
		}
		return err
	}
	return t.execOne(ctx, `UPDATE scripts SET status = ?, body = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`,
		expectOneCheck("话术已被并发修改 / the script changed concurrently"),
		r.Status, r.Body, r.Version, micros(r.UpdatedAt), r.ID, prevVersion)
}
