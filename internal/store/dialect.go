package store

import (
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names a database engine.
type Dialect string

// The two engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

var rebindCache sync.Map // string → string

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Queries never
// contain a literal '?'.
func (d Dialect) rebind(q string) string {
	if d != Postgres {
		return q
	}
	if v, ok := rebindCache.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	rebindCache.Store(q, out)
	return out
}

// forUpdateSkipLocked is the row-claim suffix: SQLite has one writer and needs none.
func (d Dialect) forUpdateSkipLocked() string {
	if d == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// forUpdate is the row-lock suffix for a read that a write will follow, so
// that PostgreSQL's READ COMMITTED reads the latest committed version and
// concurrent commands on one row queue instead of deciding on stale reads.
func (d Dialect) forUpdate() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// engineCode is a database error's code: PostgreSQL's SQLSTATE or SQLite's
// extended result code (its primary code is the low byte); "" and 0 for an
// error that is not the engine's.
func engineCode(err error) (sqlState string, sqliteCode int) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code, 0
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return "", se.Code()
	}
	return "", 0
}

// isUnique reports a unique or primary-key violation.
func isUnique(err error) bool {
	state, c := engineCode(err)
	return state == "23505" || c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isCheckViolation reports a CHECK constraint violation.
func isCheckViolation(err error) bool {
	state, c := engineCode(err)
	return state == "23514" || c == sqlite3.SQLITE_CONSTRAINT_CHECK
}

// isRetryable reports errors that a fresh attempt can cure: PostgreSQL
// serialization failures and deadlocks, SQLite busy.
// IsTransient reports an error that says nothing about the command: a
// deadlock, a serialization failure or a busy database. Running the
// command again may well succeed.
func IsTransient(err error) bool { return isRetryable(err) }

func isRetryable(err error) bool {
	state, c := engineCode(err)
	c &= 0xff
	return state == "40001" || state == "40P01" || c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// forUpdateOfSkipLocked locks only the rows of the table aliased alias in a
// join, skipping rows another transaction holds (PostgreSQL).
func (d Dialect) forUpdateOfSkipLocked(alias string) string {
	if d == Postgres {
		return " FOR UPDATE OF " + alias + " SKIP LOCKED"
	}
	return ""
}

// forUpdateOf locks only the rows of the table aliased alias in a join (PostgreSQL).
func (d Dialect) forUpdateOf(alias string) string {
	if d == Postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}
