// Package httpx holds the HTTP helpers shared by the JSON API and the web
// UI: the one table from error codes to statuses, RFC 9457 problem+json
// rendering, JSON decoding that names the bad field, request IDs and access
// logs.
package httpx

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
)

// statusOf maps error codes to HTTP statuses: the one table.
var statusOf = map[fault.Code]int{
	fault.Invalid:            http.StatusBadRequest,
	fault.Unauthorized:       http.StatusUnauthorized,
	fault.Forbidden:          http.StatusForbidden,
	fault.NotFound:           http.StatusNotFound,
	fault.Conflict:           http.StatusConflict,
	fault.PreconditionFailed: http.StatusPreconditionFailed,
	fault.Unprocessable:      http.StatusUnprocessableEntity,
	fault.PayloadTooBig:      http.StatusRequestEntityTooLarge,
	fault.Unavailable:        http.StatusServiceUnavailable,
	fault.TooMany:            http.StatusTooManyRequests,
	fault.Internal:           http.StatusInternalServerError,
}

// Status returns the HTTP status of an error.
func Status(err error) int {
	if s, ok := statusOf[fault.CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem document with weiquan's extensions.
type Problem struct {
	Type           string         `json:"type"`
	Title          string         `json:"title"`
	Status         int            `json:"status"`
	Detail         string         `json:"detail"`
	Instance       string         `json:"instance,omitempty"`
	Code           string         `json:"code"`
	Errors         []ProblemField `json:"errors,omitempty"`
	CurrentStatus  string         `json:"current_status,omitempty"`
	AllowedActions []string       `json:"allowed_actions,omitzero"`
	RuleID         string         `json:"rule_id,omitempty"`
	RequestID      string         `json:"request_id,omitempty"`
}

// ProblemField names an offending input field and why.
type ProblemField struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ProblemOf builds the problem document for err. Internal errors are logged
// by the caller and shown only as a generic message.
func ProblemOf(r *http.Request, err error) Problem {
	st := Status(err)
	p := Problem{Type: "https://weiquan.dev/problems/" + string(fault.CodeOf(err)), Title: http.StatusText(st), Status: st,
		Code: string(fault.CodeOf(err)), Instance: r.URL.Path, RequestID: RequestID(r.Context())}
	if fault.StorageUnavailable(err) {
		// The storage went away under the request (fault.StorageUnavailable):
		// the cause stays in the log.
		p.Detail = StorageUnavailableMessage
		return p
	}
	if fe, ok := fault.As(err); ok && fe.Code != fault.Internal {
		p.Detail = fe.Message
		if fe.Field != "" {
			p.Errors = []ProblemField{{Field: fe.Field, Reason: fe.Message}}
		}
		p.CurrentStatus, p.RuleID = fe.Status, fe.Rule
		if fe.Allowed != nil {
			p.AllowedActions = append([]string{}, fe.Allowed...)
		}
	} else {
		p.Detail = "服务器内部错误 / internal server error"
		p.Code = string(fault.Internal)
		p.Type = "https://weiquan.dev/problems/internal"
	}
	return p
}

// StorageUnavailableMessage is the detail of a 503 whose cause is the
// storage being away.
const StorageUnavailableMessage = "存储暂时不可用，请稍后用同一幂等键重试 / storage temporarily unavailable: retry later with the same Idempotency-Key"

// ProblemBytes renders a problem document.
func ProblemBytes(p Problem) []byte {
	b, _ := json.Marshal(p)
	return b
}

// WriteProblem writes err as application/problem+json; a 503 tells the
// client when to retry (Retry-After).
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemOf(r, err)
	WriteRaw(w, p.Status, "application/problem+json", ProblemBytes(p))
}

// WriteJSON writes v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encode"}`)
	}
	WriteRaw(w, status, "application/json", b)
}

// WriteRaw writes bytes with a content type. JSON answers (and problems)
// are never cached (Cache-Control: no-store: they carry parties' data and
// per-key views) nor sniffed as another type (X-Content-Type-Options:
// nosniff); a 503 or 429 says when to retry (Retry-After).
func WriteRaw(w http.ResponseWriter, status int, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	if strings.Contains(contentType, "json") {
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
	}
	if (status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests) && h.Get("Retry-After") == "" {
		h.Set("Retry-After", strconv.Itoa(fault.RetryAfterSeconds))
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// MaxBody is the largest JSON body accepted.
const MaxBody = 1 << 20

// ReadBody reads a request body up to MaxBody.
func ReadBody(r *http.Request) ([]byte, error) { return ReadBodyMax(r, MaxBody) }

// ReadBodyMax reads a request body up to max bytes.
func ReadBodyMax(r *http.Request, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, fault.New(fault.PayloadTooBig, "请求体超过 %d 字节 / the body exceeds %d bytes", tooBig.Limit, tooBig.Limit)
	}
	if err != nil {
		return nil, fault.New(fault.Invalid, "无法读取请求体 / cannot read the body: %v", err)
	}
	if int64(len(b)) > max {
		return nil, fault.New(fault.PayloadTooBig, "请求体超过 %d 字节 / the body exceeds %d bytes", max, max)
	}
	return b, nil
}

// DecodeJSON decodes a body into v, refusing unknown fields, trailing data
// and text no store keeps alike (a NUL character: CheckText), and names
// the offending field in the error.
func DecodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return fault.Field("body", "JSON 之后有多余内容 / unexpected data after the JSON value")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return fault.Field("body", "JSON 之后有多余内容 / unexpected data after the JSON value")
	}
	return checkStrings(v)
}

func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return fault.Field(field, "类型错误：需要 %s / wrong type: want %s", te.Type.String(), te.Type.String())
	case errors.As(err, &se):
		return fault.Field("body", "JSON 格式错误（第 %d 字节） / malformed JSON at byte %d", se.Offset, se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if f == "" {
			return fault.Field("body", "字段名为空 / empty field name")
		}
		return fault.Field(f, "未知字段 / unknown field")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fault.Field("body", "JSON 不完整 / truncated JSON")
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return fault.Field("body", "时间格式须为 RFC 3339 / times must be RFC 3339: %v", pe.Value)
	}
	return fault.Field("body", "无法解析 JSON / cannot decode JSON: %v", err)
}

type ridKey struct{}

// RequestID returns the request ID in ctx.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(ridKey{}).(string)
	return s
}

// WithRequestID sets a request ID (X-Request-ID if the client sent a sane one).
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ridKey{}, id)))
	})
}

// StatusRecorder remembers the status written.
type StatusRecorder struct {
	http.ResponseWriter
	Code int
}

// WriteHeader records the status.
func (s *StatusRecorder) WriteHeader(code int) {
	if s.Code == 0 {
		s.Code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write defaults the status to 200.
func (s *StatusRecorder) Write(b []byte) (int, error) {
	if s.Code == 0 {
		s.Code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Observe is told about each finished request (metrics).
type Observe func(r *http.Request, route string, code int, d time.Duration)

// AccessLog logs each request as JSON with its request ID and reports it to obs.
func AccessLog(log *slog.Logger, obs Observe, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &StatusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		if rec.Code == 0 {
			rec.Code = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if obs != nil {
			obs(r, route, rec.Code, d)
		}
		lvl := slog.LevelInfo
		if rec.Code >= 500 {
			lvl = slog.LevelError
		}
		log.Log(r.Context(), lvl, "http", "request_id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path,
			"route", route, "status", rec.Code, "duration_ms", float64(d.Microseconds())/1000)
	})
}

// Recover turns a panic into a 500 problem.
func Recover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "request_id", RequestID(r.Context()), "panic", fmt.Sprint(v))
				WriteProblem(w, r, fault.New(fault.Internal, "panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
