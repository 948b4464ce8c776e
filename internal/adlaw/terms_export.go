package adlaw

import "encoding/json"

// Terms returns the dictionary's terms as written in terms.json (not the
// allow list); `weiquan eval` uses them for leave-terms-out folds and to
// drop evaluation terms the dictionary already holds.
func Terms() []string {
	var d struct {
		Terms []term `json:"terms"`
	}
	if err := json.Unmarshal(termsJSON, &d); err != nil {
		panic("adlaw: terms.json: " + err.Error())
	}
	out := make([]string, len(d.Terms))
	for i, t := range d.Terms {
		out[i] = t.T
	}
	return out
}
