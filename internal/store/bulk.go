package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

// BulkTable is a batch of rows for one table, each row's values in Cols
// order, already in stored form (times as microseconds, JSON as text).
type BulkTable struct {
	Name string
	Cols []string
	Rows [][]any
}

// Bulk is a bulk-loading session (benchmarks, imports): rows go in
// unchecked by the service layer, so the caller must write exactly what
// the service would have written. While a session is open on SQLite it holds
// the single writer connection; close it with Finish.
type Bulk struct {
	mu        sync.Mutex // guards tables and seen; on SQLite serializes Insert
	s         *Store
	conn      *sql.Conn // SQLite: the writer connection, held for the session
	prevCache string    // SQLite: the page cache size to restore
	prevCkpt  string    // SQLite: the WAL autocheckpoint to restore
	tables    []string  // tables loaded, in first-load order
	seen      map[string]bool
	stmts     map[string]*sql.Stmt // SQLite: prepared multi-row INSERTs by table/rows
}

var identPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// sqliteMaxVars is SQLITE_MAX_VARIABLE_NUMBER of the bundled SQLite (≥ 3.32).
const sqliteMaxVars = 32766

// sqliteRowsPerStmt caps the rows of one multi-row INSERT.
const sqliteRowsPerStmt = 256

// BeginBulk starts a bulk load. On SQLite it takes the writer connection and
// enlarges its page cache for the duration (restored by Finish).
func (s *Store) BeginBulk(ctx context.Context) (*Bulk, error) {
	b := &Bulk{s: s, seen: map[string]bool{}, stmts: map[string]*sql.Stmt{}}
	if s.dialect != SQLite {
		return b, nil
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: bulk: %w", err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&b.prevCache); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: bulk: read cache_size: %w", err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&b.prevCkpt); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: bulk: read wal_autocheckpoint: %w", err)
	}
	// A big page cache for the indexes, and one checkpoint at the end
	// instead of one after every transaction.
	for _, p := range []string{"PRAGMA cache_size = -524288", "PRAGMA wal_autocheckpoint = 0"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			conn.Close()
			return nil, fmt.Errorf("store: bulk: %s: %w", p, err)
		}
	}
	b.conn = conn
	return b, nil
}

// Insert writes the tables' rows in one transaction, in the order given
// (parents before children): COPY on PostgreSQL, prepared multi-row INSERTs
// on SQLite. It may be called concurrently: on PostgreSQL each call copies
// on its own connection, on SQLite calls take turns.
func (b *Bulk) Insert(ctx context.Context, tables ...BulkTable) error {
	b.mu.Lock()
	locked := true
	defer func() {
		if locked {
			b.mu.Unlock()
		}
	}()
	for _, t := range tables {
		if !identPattern.MatchString(t.Name) {
			return fmt.Errorf("store: bulk: bad table name %q", t.Name)
		}
		for _, c := range t.Cols {
			if !identPattern.MatchString(c) {
				return fmt.Errorf("store: bulk: bad column name %q", c)
			}
		}
		if !b.seen[t.Name] {
			b.seen[t.Name] = true
			b.tables = append(b.tables, t.Name)
		}
	}
	if b.s.dialect == Postgres {
		b.mu.Unlock()
		locked = false
		return b.insertPostgres(ctx, tables)
	}
	return b.insertSQLite(ctx, tables)
}

func (b *Bulk) insertPostgres(ctx context.Context, tables []BulkTable) error {
	tx, err := b.s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: bulk: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, t := range tables {
		n, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.Cols, pgx.CopyFromRows(t.Rows))
		if err != nil {
			return fmt.Errorf("store: bulk: copy %s: %w", t.Name, err)
		}
		if n != int64(len(t.Rows)) {
			return fmt.Errorf("store: bulk: copy %s: %d of %d rows", t.Name, n, len(t.Rows))
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: bulk: commit: %w", err)
	}
	return nil
}

func (b *Bulk) insertSQLite(ctx context.Context, tables []BulkTable) (err error) {
	// Plain BEGIN/COMMIT on the held connection: statements prepared on a
	// sql.Conn would be prepared again by every sql.Tx.
	if _, err := b.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("store: bulk: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_, _ = b.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	for _, t := range tables {
		per := min(sqliteRowsPerStmt, sqliteMaxVars/len(t.Cols))
		args := make([]any, 0, per*len(t.Cols))
		for start := 0; start < len(t.Rows); start += per {
			rows := t.Rows[start:min(start+per, len(t.Rows))]
			stmt, err := b.stmt(ctx, t, len(rows))
			if err != nil {
				return err
			}
			args = args[:0]
			for _, r := range rows {
				if len(r) != len(t.Cols) {
					return fmt.Errorf("store: bulk: %s: row has %d values for %d columns", t.Name, len(r), len(t.Cols))
				}
				args = append(args, r...)
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("store: bulk: insert %s: %w", t.Name, err)
			}
		}
	}
	if _, err := b.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("store: bulk: commit: %w", err)
	}
	return nil
}

// stmt returns the prepared INSERT of n rows into t (prepared on the held
// connection, reused across transactions).
func (b *Bulk) stmt(ctx context.Context, t BulkTable, n int) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s/%s/%d", t.Name, strings.Join(t.Cols, ","), n)
	if st, ok := b.stmts[key]; ok {
		return st, nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + t.Name + " (" + strings.Join(t.Cols, ", ") + ") VALUES ")
	row := "(" + marks(len(t.Cols)) + ")"
	for i := 0; i < n; i++ {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	st, err := b.conn.PrepareContext(ctx, q.String())
	if err != nil {
		return nil, fmt.Errorf("store: bulk: prepare %s: %w", t.Name, err)
	}
	b.stmts[key] = st
	return st, nil
}

// Finish ends the session. SQLite: the page cache is restored and the WAL
// checkpointed, so what follows starts from a plain database file.
// PostgreSQL: the loaded tables are VACUUM ANALYZEd, so the planner's
// statistics and the visibility map look like those of a database that grew
// over time under autovacuum.
func (b *Bulk) Finish(ctx context.Context) error {
	if b.s.dialect == Postgres {
		for _, t := range b.tables {
			// COPY writes the identity values it is given (as INSERT …
			// OVERRIDING SYSTEM VALUE would): move the identity past them.
			var col string
			err := b.s.pool.QueryRow(ctx, `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attidentity <> ''`, t).Scan(&col)
			if err == nil {
				_, err = b.s.pool.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), MAX(`+pgx.Identifier{col}.Sanitize()+`)) FROM `+pgx.Identifier{t}.Sanitize(), t, col)
			}
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("store: bulk: identity of %s: %w", t, err)
			}
			if _, err := b.s.pool.Exec(ctx, "VACUUM (ANALYZE) "+pgx.Identifier{t}.Sanitize()); err != nil {
				return fmt.Errorf("store: bulk: vacuum %s: %w", t, err)
			}
		}
		return nil
	}
	var errs []error
	for _, st := range b.stmts {
		errs = append(errs, st.Close())
	}
	for _, p := range []string{"PRAGMA cache_size = " + b.prevCache, "PRAGMA wal_autocheckpoint = " + b.prevCkpt} {
		if _, err := b.conn.ExecContext(ctx, p); err != nil {
			errs = append(errs, fmt.Errorf("store: bulk: restore: %s: %w", p, err))
		}
	}
	if _, err := b.conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		errs = append(errs, fmt.Errorf("store: bulk: checkpoint: %w", err))
	}
	errs = append(errs, b.conn.Close())
	return errors.Join(errs...)
}
