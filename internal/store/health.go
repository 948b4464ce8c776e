package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Write health. A write transaction that fails for a storage reason (the
// disk is full, an I/O error, the connection is gone) marks the store's
// writes as failing until one succeeds; Ping (readiness) reports it, and
// tries a write of its own so that a replica whose disk got
// space again becomes ready without waiting for traffic.

// writeFailure is the first storage failure of a run of them.
type writeFailure struct {
	err error
	at  time.Time
}

// IsStorageFailure reports whether err is the storage failing (not a
// refusal, a conflict or a bug): SQLite out of space, I/O errors, a
// read-only or unopenable file, out of memory; on PostgreSQL a lost
// connection, the server shutting down (57P01–57P03), insufficient
// resources (class 53: disk full, too many connections).
func IsStorageFailure(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
			sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || (len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code[:2] == "53"))
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.SafeToRetry(err) // the connection broke before the server answered
}

// noteWrite records a write transaction's outcome for Ping.
func (s *Store) noteWrite(err error) {
	switch {
	case err == nil:
		if s.writeFail.Load() != nil {
			s.writeFail.Store(nil)
		}
	case IsStorageFailure(err):
		if s.writeFail.Load() == nil {
			s.writeFail.CompareAndSwap(nil, &writeFailure{err: err, at: time.Now()})
		}
	}
}

// writeHealth is nil, or why writes are failing. When they are, on SQLite
// it first tries a write of its own: if that commits, writes work again.
func (s *Store) writeHealth(ctx context.Context) error {
	f := s.writeFail.Load()
	if f == nil {
		return nil
	}
	if s.probeWrite(ctx) == nil {
		return nil
	}
	return fmt.Errorf("store: writes failing since %s: %w", f.at.UTC().Format(time.RFC3339), f.err)
}

// probeWrite is a write transaction of about a command's size: it inserts
// and deletes a 16 KiB idempotency row of its own, so that its pages go
// through the WAL at commit and nothing is left behind.
func (s *Store) probeWrite(ctx context.Context) error {
	return s.InTx(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, `INSERT INTO idempotency (principal, key, method, path, body_hash, status, response, created_at) VALUES (?, ?, '', '', '', 0, ?, 0)`,
			probePrincipal, "probe", strings.Repeat("0", 16<<10)); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM idempotency WHERE principal = ?`, probePrincipal)
		return err
	})
}

// probePrincipal owns the readiness probe's idempotency row (no API key has
// this id).
const probePrincipal = "weiquan:readiness-probe"
