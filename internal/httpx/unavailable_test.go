package httpx

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"

	"github.com/weiquan/weiquan/internal/fault"
)

type fakePgError struct{ code string }

func (e fakePgError) Error() string    { return "pg " + e.code }
func (e fakePgError) SQLState() string { return e.code }

func TestStorageAwayIs503WithRetryAfter(t *testing.T) {
	away := []error{
		fmt.Errorf("commit: %w", fakePgError{"57P01"}),
		fakePgError{"08006"},
		fakePgError{"53300"},
		&fs.PathError{Op: "write", Path: "/db-wal", Err: syscall.ENOSPC},
		fmt.Errorf("dial: %w", &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}),
		&fault.Error{Code: fault.Internal, Message: "x", Cause: syscall.EIO},
	}
	for _, err := range away {
		r := httptest.NewRequest("GET", "/v1/orders", nil)
		w := httptest.NewRecorder()
		WriteProblem(w, r, err)
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Errorf("%v: %d Retry-After %q, want 503 with Retry-After", err, w.Code, w.Header().Get("Retry-After"))
		}
		if p := ProblemOf(r, err); p.Code != string(fault.Unavailable) || p.Detail != StorageUnavailableMessage {
			t.Errorf("%v: problem %+v", err, p)
		}
	}
	for _, err := range []error{fakePgError{"23505"}, fakePgError{"22P05"}, errors.New("boom"), fault.Field("amount", "bad")} {
		if s := Status(err); s == http.StatusServiceUnavailable {
			t.Errorf("%v: 503, want it not taken for storage away", err)
		}
	}
}

func TestJSONAnswersAreNotCachedNorSniffed(t *testing.T) {
	for _, write := range []func(w http.ResponseWriter){
		func(w http.ResponseWriter) { WriteJSON(w, 200, map[string]int{"a": 1}) },
		func(w http.ResponseWriter) {
			WriteProblem(w, httptest.NewRequest("GET", "/", nil), fault.Field("x", "bad"))
		},
	} {
		w := httptest.NewRecorder()
		write(w)
		if w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v: want Cache-Control no-store and nosniff", w.Header())
		}
	}
}
