package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/httpx"
	"github.com/weiquan/weiquan/internal/service"
)

func decode(body []byte, v any) error { return httpx.DecodeJSON(body, v) }

// decodeTo decodes body (strictly, as decode does) as a T and, when it
// decodes, hands it to use.
func decodeTo[T any](body []byte, use func(T)) error {
	var b T
	if err := decode(body, &b); err != nil {
		return err
	}
	use(b)
	return nil
}

// withBody adapts a handler that takes its JSON request body as a T: the
// body is decoded (strictly, as decode does) before fn runs, and a body
// that does not decode is refused with decode's problem.
func withBody[T any](fn func(r *http.Request, c service.Caller, b T) (int, any, error)) handler {
	return func(r *http.Request, c service.Caller, body []byte) (int, any, error) {
		var b T
		if err := decode(body, &b); err != nil {
			return 0, nil, err
		}
		return fn(r, c, b)
	}
}

// byID is the handler of a route on one resource, /…/{id}, whose answer is
// what the service's get (or bodiless command) returns for the path's id,
// with 200.
func byID[T any](get func(context.Context, service.Caller, string) (T, error)) handler {
	return viewByID(get, func(v T) T { return v })
}

// viewByID is byID answering with the API's view of what get returns.
func viewByID[T, V any](get func(context.Context, service.Caller, string) (T, error), view func(T) V) handler {
	return func(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
		v, err := get(r.Context(), c, r.PathValue("id"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, view(v), nil
	}
}

// mapViews turns each item of a service result into its API view.
func mapViews[T, V any](list []T, view func(T) V) []V {
	out := make([]V, len(list))
	for i := range list {
		out[i] = view(list[i])
	}
	return out
}

// checkStatus refuses a ?status that names none of all (400, field status).
func checkStatus[S ~string](q url.Values, all []S) error {
	if st := q.Get("status"); st != "" && !slices.Contains(all, S(st)) {
		return fault.Field("status", "未知状态 %q / unknown status %q", st, st)
	}
	return nil
}

// listParams reads a list route's cursor and limit (pageParams) and its
// query, refusing a ?status that is not one of statuses (400, field status).
func listParams[S ~string](r *http.Request, statuses []S) (q url.Values, after string, limit int, err error) {
	if after, limit, err = pageParams(r); err != nil {
		return nil, "", 0, err
	}
	q = r.URL.Query()
	return q, after, limit, checkStatus(q, statuses)
}

// checkListOrder refuses an ?order other than queue or id (400, field order).
func checkListOrder(q url.Values) error {
	if o := q.Get("order"); o != "" && o != "queue" && o != "id" {
		return fault.Field("order", "排序须为 queue 或 id / order must be queue or id")
	}
	return nil
}

// errBadCursor is the problem of a cursor that does not decode to a place
// in the list.
func errBadCursor() error { return fault.Field("cursor", "游标无效 / invalid cursor") }

// offsetCursor reads the decoded cursor of a list ordered by rank rather
// than by id, where the cursor is the offset of the next item; 0 when
// there is none.
func offsetCursor(after string) (int, error) {
	if after == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(after)
	if err != nil || n < 0 {
		return 0, errBadCursor()
	}
	return n, nil
}

// actionBody reads the {action} path segment of POST …/{id}/{action},
// refusing one not in actions (404) before the body, then decodes the
// body that holds every field the resource's actions may carry.
func actionBody[B any, A ~string](r *http.Request, body []byte, actions []A) (A, B, error) {
	var b B
	act := A(r.PathValue("action"))
	if !slices.Contains(actions, act) {
		return act, b, unknownAction(act)
	}
	return act, b, decode(body, &b)
}
