// Package fault is weiquan's one error type: a code that maps to an HTTP
// status, a client-safe message (Chinese first, English second), the
// offending field when there is one, and for conflicts the current status and
// the actions allowed in it. Internal causes are wrapped, never shown.
package fault

import (
	"errors"
	"fmt"
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

// CodeOf returns the code of err, Internal for errors without one.
func CodeOf(err error) Code {
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
