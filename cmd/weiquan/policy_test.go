package main

import (
	"github.com/weiquan/weiquan/internal/actor"

	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
)

func TestPolicyCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, edit func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal(policy.DefaultJSON(), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", func(m map[string]any) {
		m["version"] = "2027.1"
		m["rules"].(map[string]any)["complaint.late_shipment_max"].(map[string]any)["value"] = "5000fen"
	})
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"policy", "check", good}, &out, &errOut); err != nil {
		t.Fatalf("check: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"valid:", "2 changes", `~ rules.complaint.late_shipment_max.value: "3000fen" → "5000fen"`, `~ version: "2026.11.1" → "2027.1"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	bad := write("bad.json", func(m map[string]any) {
		m["complaints"].(map[string]any)["types"].(map[string]any)["unpaid_order"].(map[string]any)["violation"] = "no_such_violation"
	})
	out.Reset()
	if err := run(context.Background(), []string{"policy", "check", bad}, &out, &errOut); err == nil {
		t.Fatal("a bad book passed the check")
	}
	if !strings.Contains(out.String(), "complaints.types.unpaid_order.violation") {
		t.Errorf("the error does not name the key: %s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"policy", "check", good, "--against", good}, &out, &errOut); err != nil || !strings.Contains(out.String(), "0 changes") {
		t.Errorf("against itself: %v %s", err, out.String())
	}
	// Against a database: the version an admin set there is the current one.
	e := apitest.Open(t, apitest.SQLiteURL(t))
	raw, _ := os.ReadFile(good)
	if _, err := e.Svc.SetPolicy(context.Background(), service.Caller{Role: actor.Admin, Via: "key:x"}, raw); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"policy", "check", good, "--db", e.URL}, &out, &errOut); err != nil || !strings.Contains(out.String(), "(version 2027.1") || !strings.Contains(out.String(), "0 changes") {
		t.Errorf("against the database: %v %s", err, out.String())
	}
}
