package adlaw

import "encoding/json"

// DictTerm is one dictionary term with its class (superlative, authority,
// medical, superstition, guarantee, bait).
type DictTerm struct {
	Text  string
	Class string
}

// Terms returns the dictionary's terms as written in terms.json (not the
// allow list); `weiquan eval` uses them for leave-terms-out folds and to
// drop evaluation terms the dictionary already holds.
func Terms() []DictTerm {
	var d struct {
		Terms []term `json:"terms"`
	}
	if err := json.Unmarshal(termsJSON, &d); err != nil {
		panic("adlaw: terms.json: " + err.Error())
	}
	out := make([]DictTerm, len(d.Terms))
	for i, t := range d.Terms {
		out[i] = DictTerm{Text: t.T, Class: t.C}
	}
	return out
}

// NewWithTerms builds a scanner whose dictionary is only these terms (the
// forms and context rules unchanged): leave-terms-out evaluation.
func NewWithTerms(terms []string) *Scanner {
	d := dictionary()
	class := map[string]term{}
	for _, t := range d.Terms {
		class[t.T] = t
	}
	var ts []term
	for _, w := range terms {
		t, ok := class[w]
		if !ok {
			t = term{T: w, C: "superlative", S: "medium"}
		}
		ts = append(ts, t)
	}
	return build(ts, d.Allow)
}
