package policy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDefaultBookHasSpecValues(t *testing.T) {
	b := Default()
	cases := []struct {
		key  string
		want time.Duration
		id   string
	}{
		{"order.ship_by", 24 * time.Hour, "seed-ship-within-24h"},
		{"aftersale.seller_respond", 48 * time.Hour, "public-seller-respond-48h"},
		{"aftersale.buyer_answer_refusal", 7 * 24 * time.Hour, "public-buyer-answer-7d"},
		{"aftersale.buyer_ship_return", 7 * 24 * time.Hour, "public-buyer-return-7d"},
		{"aftersale.seller_confirm_return", 10 * 24 * time.Hour, "public-seller-confirm-10d"},
		{"aftersale.window_after_completion", 15 * 24 * time.Hour, "seed-intervention-15d"},
		{"appeal.window", 7 * 24 * time.Hour, "seed-appeal-7d"},
		{"dispute.negotiation_suspension", 30 * 24 * time.Hour, "taobao-dispute-83"},
	}
	for _, c := range cases {
		d, id := b.Duration(c.key)
		if d != c.want || id != c.id {
			t.Errorf("%s = %v (%s), want %v (%s)", c.key, d, id, c.want, c.id)
		}
	}
	if n, _ := b.Int("complaint.late_shipment_rate"); n != 500 {
		t.Errorf("late shipment rate = %d bp, want 500", n)
	}
	if l, _ := b.List("penalty.thresholds"); len(l) != 4 || l[0] != 12 || l[3] != 48 {
		t.Errorf("thresholds = %v", l)
	}
	if b.OnExpiry("aftersale.seller_respond") != "auto_agree" || b.OnExpiry("aftersale.seller_confirm_return") != "auto_refund" {
		t.Error("on_expiry actions wrong")
	}
	if b.Version == "" || len(b.Digest) != 16 {
		t.Errorf("version %q digest %q", b.Version, b.Digest)
	}
}

// mutate edits the default book's JSON and parses it.
func mutate(t *testing.T, fn func(m map[string]any)) error {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(DefaultJSON(), &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, _ := json.Marshal(m)
	_, err := Parse(b)
	return err
}

func rule(m map[string]any, key string) map[string]any {
	return m["rules"].(map[string]any)[key].(map[string]any)
}

func TestBadBooksAreRefusedNamingTheKey(t *testing.T) {
	cases := []struct {
		name    string
		fn      func(m map[string]any)
		wantKey string
	}{
		{"unknown rule key", func(m map[string]any) {
			m["rules"].(map[string]any)["aftersale.seller_snooze"] = rule(m, "order.ship_by")
		}, "rules.aftersale.seller_snooze"},
		{"missing rule", func(m map[string]any) { delete(m["rules"].(map[string]any), "aftersale.seller_respond") }, "rules.aftersale.seller_respond"},
		{"bad duration", func(m map[string]any) { rule(m, "aftersale.seller_respond")["value"] = "two days" }, "rules.aftersale.seller_respond.value"},
		{"zero duration", func(m map[string]any) { rule(m, "aftersale.buyer_ship_return")["value"] = "0s" }, "rules.aftersale.buyer_ship_return.value"},
		{"bad expiry", func(m map[string]any) { rule(m, "aftersale.seller_respond")["on_expiry"] = "auto_refuse" }, "rules.aftersale.seller_respond.on_expiry"},
		{"bad rule id", func(m map[string]any) { rule(m, "order.ship_by")["id"] = "my rule" }, "rules.order.ship_by.id"},
		{"duplicate rule id", func(m map[string]any) { rule(m, "order.ship_by")["id"] = "public-seller-respond-48h" }, "rules.order.ship_by.id"},
		{"bad basis points", func(m map[string]any) { rule(m, "complaint.late_shipment_rate")["value"] = "5%" }, "rules.complaint.late_shipment_rate.value"},
		{"min above max", func(m map[string]any) { rule(m, "complaint.late_shipment_min")["value"] = "9000fen" }, "rules.complaint.late_shipment_min.value"},
		{"decreasing thresholds", func(m map[string]any) { rule(m, "penalty.thresholds")["value"] = "12,24,20,48" }, "rules.penalty.thresholds.value"},
		{"unknown field in rule", func(m map[string]any) { rule(m, "order.ship_by")["valeu"] = "24h" }, "rules.order.ship_by"},
		{"empty version", func(m map[string]any) { m["version"] = "" }, "version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := mutate(t, c.fn)
			pe, ok := err.(*Error)
			if !ok {
				t.Fatalf("err = %v (%T), want *policy.Error", err, err)
			}
			if pe.Key != c.wantKey {
				t.Fatalf("key = %q, want %q (%v)", pe.Key, c.wantKey, err)
			}
			if !strings.Contains(err.Error(), c.wantKey) {
				t.Fatalf("message %q does not name %q", err.Error(), c.wantKey)
			}
		})
	}
	if _, err := Parse([]byte(`{"version": "x", "rules": {`)); err == nil {
		t.Fatal("truncated JSON accepted")
	}
}

func TestDigestChangesWithContent(t *testing.T) {
	var m map[string]any
	_ = json.Unmarshal(DefaultJSON(), &m)
	rule(m, "aftersale.seller_respond")["value"] = "24h"
	raw, _ := json.Marshal(m)
	b, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if b.Digest == Default().Digest {
		t.Fatal("digest did not change with a rule value")
	}
	if d, _ := b.Duration("aftersale.seller_respond"); d != 24*time.Hour {
		t.Fatalf("override not applied: %v", d)
	}
}

func FuzzParse(f *testing.F) {
	// Small seeds: the fuzzer mutates them fast (the 30 KB default book
	// as a seed ran 4 inputs in 45 s); the default's own parse is
	// TestDefaultBookHasSpecValues.
	for _, s := range []string{
		`{"version":"1","rules":{}}`,
		`{"version":"1"}`,
		`{}`,
		`{"version":"1","rules":{"order.ship_by":{"id":"r1","value":"24h","source":"seed","title_zh":"发货","title_en":"ship"}}}`,
		`{"version":"1","rules":{"aftersale.seller_respond":{"id":"r2","value":"2d","source":"ours"}}}`,
		`{"version":"1","rules":{"x":{"id":"r3","value":[1,2,3]}}}`,
		`{"version":"1","rules":{},"complaints":{"types":[]}}`,
		`{"version":"","rules":{}}`,
		`{"version":"1","rules":{"order.ship_by":{"value":-1}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data)
		if err == nil {
			// A book that parses has every key of the schema.
			for k := range schema {
				if _, ok := b.Rules[k]; !ok {
					t.Fatalf("parsed book lacks %s", k)
				}
			}
		}
	})
}
