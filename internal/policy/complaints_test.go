package policy

import (
	"encoding/json"
	"testing"
)

func parseMap(m map[string]any) (*Book, error) {
	b, _ := json.Marshal(m)
	return Parse(b)
}

func complaints(m map[string]any) map[string]any { return m["complaints"].(map[string]any) }

func TestComplaintSectionRefusedNamingTheKey(t *testing.T) {
	typ := func(m map[string]any, k string) map[string]any {
		return complaints(m)["types"].(map[string]any)[k].(map[string]any)
	}
	cases := []struct {
		name    string
		fn      func(m map[string]any)
		wantKey string
	}{
		{"missing section", func(m map[string]any) { delete(m, "complaints") }, "complaints"},
		{"unknown complaint rule", func(m map[string]any) {
			complaints(m)["rules"].(map[string]any)["abuse_windw"] = complaints(m)["rules"].(map[string]any)["abuse_window"]
		}, "complaints.rules.abuse_windw"},
		{"bad abuse rate", func(m map[string]any) {
			complaints(m)["rules"].(map[string]any)["abuse_rate"].(map[string]any)["value"] = "50%"
		}, "complaints.rules.abuse_rate.value"},
		{"bad filer", func(m map[string]any) { typ(m, "late_shipment")["filer"] = "agent" }, "complaints.types.late_shipment.filer"},
		{"bad respond", func(m map[string]any) { typ(m, "late_shipment")["respond"] = "10m" }, "complaints.types.late_shipment.respond"},
		{"unknown outcome", func(m map[string]any) { typ(m, "malicious_review")["outcomes"] = []any{"hide_review", "ban"} }, "complaints.types.malicious_review.outcomes[1]"},
		{"violation of the wrong party", func(m map[string]any) { typ(m, "malicious_review")["violation"] = "fake_shipment" }, "complaints.types.malicious_review.violation"},
		{"compensation from a buyer", func(m map[string]any) {
			typ(m, "malicious_refund")["outcomes"] = []any{"violation", "compensation", "purchase_restriction"}
		}, "complaints.types.malicious_refund.outcomes"},
		{"restriction without days", func(m map[string]any) { delete(typ(m, "buyer_harassment"), "restrict_days") }, "complaints.types.buyer_harassment.restrict_days"},
		{"duplicate rule id", func(m map[string]any) { typ(m, "late_shipment")["id"] = "seed-ship-within-24h" }, "complaints.types.late_shipment.id"},
		{"severe points disagree with the rule", func(m map[string]any) {
			complaints(m)["violations"].(map[string]any)["service_not_delivered_severe"].(map[string]any)["points"] = 5
		}, "complaints.violations.service_not_delivered_severe.points"},
		{"bad class", func(m map[string]any) {
			complaints(m)["violations"].(map[string]any)["fake_shipment"].(map[string]any)["class"] = "C"
		}, "complaints.violations.fake_shipment.class"},
		{"ladder too short", func(m map[string]any) {
			l := complaints(m)["sanctions"].(map[string]any)["seller.A"].([]any)
			complaints(m)["sanctions"].(map[string]any)["seller.A"] = l[:3]
		}, "complaints.sanctions.seller.A"},
		{"bad sanction kind", func(m map[string]any) {
			complaints(m)["sanctions"].(map[string]any)["buyer.B"].([]any)[0].(map[string]any)["kind"] = "jail"
		}, "complaints.sanctions.buyer.B[0].kind"},
		{"unknown field in a type", func(m map[string]any) { typ(m, "late_shipment")["pionts"] = 3 }, "complaints.types.late_shipment"},
		{"unknown section", func(m map[string]any) { complaints(m)["typez"] = map[string]any{} }, "complaints"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := mutate(t, c.fn)
			pe, ok := err.(*Error)
			if !ok || pe.Key != c.wantKey {
				t.Fatalf("err = %v, want key %q", err, c.wantKey)
			}
		})
	}
}

func TestDiffNamesChangedKeys(t *testing.T) {
	a := Default()
	var m map[string]any
	_ = mutate(t, func(x map[string]any) { m = x })
	m["version"] = "v2"
	complaints(m)["violations"].(map[string]any)["fake_shipment"].(map[string]any)["points"] = 9
	b, err := parseMap(m)
	if err != nil {
		t.Fatal(err)
	}
	d := Diff(a, b)
	if len(d) != 2 || d[0].Key != "complaints.violations.fake_shipment.points" || d[0].Old != "6" || d[0].New != "9" || d[1].Key != "version" {
		t.Fatalf("diff %+v", d)
	}
	if len(Diff(a, a)) != 0 {
		t.Fatal("a book differs from itself")
	}
}
