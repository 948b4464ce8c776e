package policy_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/policy"
)

// A rule book written before the quality rules existed still parses, with
// the embedded defaults; weights that are all 0 are refused, naming a key.
func TestQualityRules(t *testing.T) {
	edit := func(fn func(rules map[string]map[string]any)) []byte {
		var doc map[string]any
		if err := json.Unmarshal(policy.DefaultJSON(), &doc); err != nil {
			t.Fatal(err)
		}
		rules := map[string]map[string]any{}
		for k, v := range doc["rules"].(map[string]any) {
			rules[k] = v.(map[string]any)
		}
		fn(rules)
		doc["rules"] = rules
		b, _ := json.Marshal(doc)
		return b
	}
	old := edit(func(r map[string]map[string]any) {
		for k := range r {
			if strings.HasPrefix(k, "quality.") {
				delete(r, k)
			}
		}
	})
	b, err := policy.Parse(old)
	if err != nil {
		t.Fatalf("a book without quality rules: %v", err)
	}
	if d, id := b.Duration("quality.window"); d != 30*24*time.Hour || id != "ours-quality-window-30d" {
		t.Fatalf("default window %s %s", d, id)
	}
	zero := edit(func(r map[string]map[string]any) {
		for _, k := range []string{"dispute_refund", "complaint", "chat_response", "on_time_shipping"} {
			r["quality.weight_"+k]["value"] = "0"
		}
	})
	_, err = policy.Parse(zero)
	var pe *policy.Error
	if err == nil || !asPolicyError(err, &pe) || pe.Key != "rules.quality.weight_dispute_refund.value" {
		t.Fatalf("all weights 0: %v", err)
	}
	taken := edit(func(r map[string]map[string]any) {
		delete(r, "quality.window")
		r["listing.stale_listed"]["id"] = "ours-quality-window-30d"
	})
	if _, err := policy.Parse(taken); err == nil || !strings.Contains(err.Error(), "ours-quality-window-30d") {
		t.Fatalf("a default rule ID already used: %v", err)
	}
	bad := edit(func(r map[string]map[string]any) { r["quality.chat_response_target"]["value"] = "soon" })
	if _, err := policy.Parse(bad); err == nil || !strings.Contains(err.Error(), "quality.chat_response_target") {
		t.Fatalf("bad target: %v", err)
	}
	w, _ := policy.Default().Int("quality.weight_on_time_shipping")
	if w != 25 {
		t.Fatalf("weight %d", w)
	}
}

func asPolicyError(err error, pe **policy.Error) bool {
	e, ok := err.(*policy.Error)
	if ok {
		*pe = e
	}
	return ok
}
