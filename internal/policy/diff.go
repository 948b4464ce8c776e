package policy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Change is one difference between two rule books: the key path (as
// validation errors name it, e.g. "rules.order.ship_by.value" or
// "complaints.types.late_shipment.respond") and the old and new values as
// JSON text ("" when absent).
type Change struct {
	Key string `json:"key"`
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// Diff lists what changes from old to next, sorted by key. The version and
// description are compared too.
func Diff(old, next *Book) []Change {
	a, b := flatten(old), flatten(next)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []Change
	for k := range keys {
		if a[k] != b[k] {
			out = append(out, Change{Key: k, Old: a[k], New: b[k]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	if out == nil {
		out = []Change{}
	}
	return out
}

// FormatDiff renders a diff as text, one change per line.
func FormatDiff(changes []Change) string {
	var sb strings.Builder
	for _, c := range changes {
		switch {
		case c.Old == "":
			fmt.Fprintf(&sb, "+ %s = %s\n", c.Key, c.New)
		case c.New == "":
			fmt.Fprintf(&sb, "- %s = %s\n", c.Key, c.Old)
		default:
			fmt.Fprintf(&sb, "~ %s: %s → %s\n", c.Key, c.Old, c.New)
		}
	}
	return sb.String()
}

func flatten(b *Book) map[string]string {
	out := map[string]string{}
	if b == nil {
		return out
	}
	raw, _ := json.Marshal(struct {
		Version     string          `json:"version"`
		Description string          `json:"description"`
		Rules       map[string]Rule `json:"rules"`
		Complaints  *Complaints     `json:"complaints"`
	}{b.Version, b.Description, b.Rules, b.Complaints})
	var v any
	_ = json.Unmarshal(raw, &v)
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", prefix, i), e)
			}
		default:
			j, _ := json.Marshal(x)
			out[prefix] = string(j)
		}
	}
	walk("", v)
	return out
}

// ParseStored parses a rule book as stored and served (Book.JSON, which
// carries the digest that Parse computes itself).
func ParseStored(data []byte) (*Book, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &Error{Reason: "invalid JSON: " + err.Error()}
	}
	delete(m, "digest")
	raw, _ := json.Marshal(m)
	return Parse(raw)
}
