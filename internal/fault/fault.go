// Package fault is weiquan's one error type: a code that maps to an HTTP
// status, a client-safe message (Chinese first, English second), the
// offending field when there is one, and for conflicts the current status and
// the actions allowed in it. Internal causes are wrapped, never shown.
package fault

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
)

// Code classifies an error for clients.
type Code string

// The codes, each mapped to one HTTP status in httpx.
const (
	Invalid      Code = "invalid"      // 400: malformed or out-of-range input
	Unauthorized Code = "unauthorized" // 401
	Forbidden    Code = "forbidden"    // 403: the actor may see it but not do it
	NotFound     Code = "not_found"    // 404
	Conflict     Code = "conflict"     // 409: not allowed in the current state, or lost a race
	// PreconditionFailed: the If-Match version the client sent is not the
	// object's current version (RFC 9110 §13.1.1: 412).
	PreconditionFailed Code = "precondition_failed" // 412
	Unprocessable      Code = "unprocessable"       // 422: e.g. idempotency key reused with another body
	Internal           Code = "internal"            // 500
	PayloadTooBig      Code = "payload_too_big"     // 413
	Unavailable        Code = "unavailable"         // 503
	TooMany            Code = "too_many_requests"   // 429: a rate limit, or too many at once for this caller (Retry-After says when to try again)
)

// Error is an error with a code.
type Error struct {
	Code    Code
	Field   string   // the offending input field, e.g. "amount"
	Message string   // client-safe, "中文 / English"
	Status  string   // conflicts: the current status of the object
	Allowed []string // conflicts: the actions allowed in Status
	Rule    string   // the rule ID behind a refusal, if any
	Cause   error    // internal cause, never shown to clients
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		s = string(e.Code) + ": " + e.Field + ": " + e.Message
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Cause }

// New returns an error with a code and a message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid error naming the field.
func Field(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err: its own, Unavailable for an error that
// says the storage is away (StorageUnavailable), Internal for other errors
// without one.
func CodeOf(err error) Code {
	if StorageUnavailable(err) {
		return Unavailable
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries the code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// RetryAfterSeconds is what a 503 tells clients to wait before retrying
// (the Retry-After header): storage that went away is usually back within
// seconds (a restarted database, a failover, freed disk space).
const RetryAfterSeconds = 2

// StorageUnavailable reports an error that says the storage is away rather
// than that the request is wrong: a connection refused, reset or lost, the
// server shutting down or out of connections, a full disk or an I/O error.
// Such an error is fault.Unavailable (503 with Retry-After): the command
// did not happen, or — for a commit cut off in flight — its outcome is
// unknown, and retrying with the same Idempotency-Key is safe.
//
// The drivers' errors are recognised by their methods, so that this
// package imports no driver: PostgreSQL's SQLSTATE (pgconn.PgError
// SQLState) of classes 08 (connection exception), 53 (insufficient
// resources: 53100 disk full, 53200 out of memory, 53300 too many
// connections), 57P01–57P05 (administrator, crash or idle shutdown,
// cannot connect now) and 55000 (a database not accepting connections);
// SQLite's result codes (modernc sqlite.Error Code) FULL, IOERR, CANTOPEN,
// NOMEM, BUSY, LOCKED, INTERRUPT and PROTOCOL (primary code, the low
// byte); and the system errors under both (ECONNREFUSED, ECONNRESET,
// EPIPE, ENOSPC, EDQUOT, EIO, EHOSTUNREACH, ENETUNREACH, ETIMEDOUT).
func StorageUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if fe, ok := As(err); ok {
		if fe.Code != Internal || fe.Cause == nil {
			return false // a classified error keeps its code
		}
		err = fe.Cause // an internal error may be the storage going away
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		s := pg.SQLState()
		switch {
		case strings.HasPrefix(s, "08"), strings.HasPrefix(s, "53"), strings.HasPrefix(s, "57P"), s == "55000":
			return true
		}
		return false
	}
	var lite interface {
		Code() int
		error
	}
	if errors.As(err, &lite) && strings.Contains(fmt.Sprintf("%T", lite), "sqlite") {
		switch lite.Code() & 0xff {
		case 13, 10, 14, 7, 5, 6, 9, 15: // FULL, IOERR, CANTOPEN, NOMEM, BUSY, LOCKED, INTERRUPT, PROTOCOL
			return true
		}
		return false
	}
	for _, e := range []syscall.Errno{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE, syscall.ENOSPC,
		syscall.EDQUOT, syscall.EIO, syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ETIMEDOUT} {
		if errors.Is(err, e) {
			return true
		}
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, net.ErrClosed) {
		return true
	}
	// pgx reports a connection that died under a statement by these.
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "failed to connect to")
}
