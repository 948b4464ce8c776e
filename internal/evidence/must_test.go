package evidence_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// must holds the few assertions these tests use. (testify is not usable in
// this module without adding go.sum entries for its YAML dependency.)
var must assertions

type assertions struct{}

func msg(extra []any) string {
	if len(extra) == 0 {
		return ""
	}
	if f, ok := extra[0].(string); ok {
		return ": " + fmt.Sprintf(f, extra[1:]...)
	}
	return ": " + fmt.Sprint(extra...)
}

func (assertions) NoError(t testing.TB, err error, extra ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v%s", err, msg(extra))
	}
}

func (assertions) Error(t testing.TB, err error, extra ...any) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error%s", msg(extra))
	}
}

func (assertions) ErrorIs(t testing.TB, err, target error, extra ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v is not %v%s", err, target, msg(extra))
	}
}

func (assertions) Equal(t testing.TB, want, got any, extra ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("got  %#v\nwant %#v%s", got, want, msg(extra))
	}
}

func (assertions) True(t testing.TB, ok bool, extra ...any) {
	t.Helper()
	if !ok {
		t.Fatalf("expected true%s", msg(extra))
	}
}

func (assertions) Zero(t testing.TB, v any, extra ...any) {
	t.Helper()
	if !reflect.ValueOf(v).IsZero() {
		t.Fatalf("expected zero, got %v%s", v, msg(extra))
	}
}

func (assertions) Empty(t testing.TB, v any, extra ...any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	if v != nil && rv.Len() != 0 {
		t.Fatalf("expected empty, got %v%s", v, msg(extra))
	}
}

func (assertions) Len(t testing.TB, v any, n int, extra ...any) {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		t.Fatalf("length %d, want %d%s", l, n, msg(extra))
	}
}

func (assertions) Greater(t testing.TB, a, b int, extra ...any) {
	t.Helper()
	if a <= b {
		t.Fatalf("%d is not greater than %d%s", a, b, msg(extra))
	}
}

func (assertions) Contains(t testing.TB, s, sub string, extra ...any) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q%s", s, sub, msg(extra))
	}
}

func (assertions) ElementsMatch(t testing.TB, want, got []string, extra ...any) {
	t.Helper()
	w, g := slices.Clone(want), slices.Clone(got)
	slices.Sort(w)
	slices.Sort(g)
	if !slices.Equal(w, g) {
		t.Fatalf("got %v, want %v (any order)%s", got, want, msg(extra))
	}
}
