package policy

import (
	"reflect"
	"testing"

	"github.com/weiquan/weiquan/internal/fault"
)

func TestCiteAndCheckCited(t *testing.T) {
	if got := Cite(Cite(Cite([]string{"seed-a"}, "seed-a"), ""), "seed-b"); !reflect.DeepEqual(got, []string{"seed-a", "seed-b"}) {
		t.Fatalf("Cite: %v", got)
	}
	for _, tc := range []struct {
		ids   []string
		field string
	}{{nil, ""}, {[]string{"taobao-dispute-49", "ours-x"}, ""}, {[]string{"seed-a", "Seed-B"}, "rule_ids[1]"}, {[]string{""}, "rule_ids[0]"}} {
		err := CheckCited(tc.ids)
		if fe, _ := fault.As(err); (tc.field == "") != (err == nil) || (fe != nil && (fe.Field != tc.field || fe.Code != fault.Invalid)) {
			t.Errorf("CheckCited(%q) = %v, want field %q", tc.ids, err, tc.field)
		}
	}
}

func TestCheckAppealGrounds(t *testing.T) {
	b := Default()
	for _, tc := range []struct {
		name               string
		fresh              []string
		procedural, reason string
		field, rule        string
	}{
		{"new evidence", []string{"e2"}, "", "r", "", ""},
		{"a procedural error", nil, "p", "r", "", ""},
		{"a bare disagreement", nil, " ", "r", "evidence_ids", b.ID("appeal.window")},
		{"no reason", []string{"e2"}, "", " ", "reason", ""},
	} {
		err := b.CheckAppealGrounds(tc.fresh, tc.procedural, tc.reason)
		fe, _ := fault.As(err)
		if (tc.field == "") != (err == nil) || (fe != nil && (fe.Field != tc.field || fe.Rule != tc.rule)) {
			t.Errorf("%s: %v, want field %q rule %q", tc.name, err, tc.field, tc.rule)
		}
	}
}
