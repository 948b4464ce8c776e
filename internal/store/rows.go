package store

import (
	"database/sql"
	"encoding/json"
	"strings"
	"time"
)

// collect reads every row of a query (rows, err as the query returned
// them) with scan, closing rows: nil when there are none.
func collect[T any](rows *sql.Rows, err error, scan func(*sql.Rows, *T) error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// bodies reads rows of one JSON body column (a state row's body) into Ts.
func bodies[T any](rows *sql.Rows, err error) ([]T, error) {
	return collect(rows, err, func(r *sql.Rows, v *T) error {
		var body string
		if err := r.Scan(&body); err != nil {
			return err
		}
		return json.Unmarshal([]byte(body), v)
	})
}

// orEmpty turns a nil list into an empty one (lists the API shows as []).
func orEmpty[T any](v []T, err error) ([]T, error) {
	if v == nil && err == nil {
		v = []T{}
	}
	return v, err
}

// scanned adapts a row reader that returns its value to collect.
func scanned[T any](read func(*sql.Rows) (T, error)) func(*sql.Rows, *T) error {
	return func(r *sql.Rows, v *T) (err error) {
		*v, err = read(r)
		return err
	}
}

// marks is n comma-separated placeholders, "?, ?, ?" (an IN list's or a
// VALUES row's).
func marks(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// timePtr is a nullable microsecond timestamp column as a time.
func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}
