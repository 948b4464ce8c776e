package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/server"
)

// apikey create --sandbox makes a wq_test_ key in the sandbox's database
// (beside the main one by default): listed with --sandbox only, and the
// running server answers it from the sandbox (GET /v1/test-clocks/… is 404
// for production keys, a sandbox key creates clocks).
func TestAPIKeyCreateSandbox(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "wq.db")
	apikeyRun := func(args ...string) (string, string, error) {
		var o, e bytes.Buffer
		err := run(ctx, append([]string{"apikey"}, append(args, "--db", db)...), &o, &e)
		return strings.TrimSpace(o.String()), e.String(), err
	}
	sand, msg, err := apikeyRun("create", "--sandbox", "--role", "integration", "--name", "ci")
	if err != nil || !strings.HasPrefix(sand, "wq_test_") {
		t.Fatalf("create --sandbox: %v %q %s", err, sand, msg)
	}
	sandID := strings.Fields(msg)[2]
	prod, _, err := apikeyRun("create", "--role", "integration", "--name", "erp")
	if err != nil || strings.HasPrefix(prod, "wq_test_") {
		t.Fatalf("create: %v %q", err, prod)
	}
	if list, _, err := apikeyRun("list", "--sandbox"); err != nil || !strings.Contains(list, sandID) || strings.Contains(list, "erp") {
		t.Fatalf("list --sandbox: %v\n%s", err, list)
	}
	if list, _, err := apikeyRun("list"); err != nil || strings.Contains(list, sandID) {
		t.Fatalf("list: %v\n%s", err, list)
	}
	if _, err := os.Stat(filepath.Join(dir, "wq-sandbox.db")); err != nil {
		t.Fatalf("the sandbox's database beside the main one: %v", err)
	}

	cfg := config.Default()
	cfg.DB, cfg.Addr, cfg.EvidenceDir = db, "127.0.0.1:0", filepath.Join(dir, "ev")
	s, err := server.Start(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	post := func(key string) int {
		req, _ := http.NewRequest("POST", "http://"+s.Addr+"/v1/test-clocks", strings.NewReader(`{"name":"ci","frozen_time":"2026-01-01T00:00:00Z"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post(sand); got != 201 {
		t.Fatalf("sandbox key: %d", got)
	}
	if got := post(prod); got != 404 {
		t.Fatalf("production key: %d", got)
	}
	if got := post("wq_test_forged"); got != 401 {
		t.Fatalf("forged sandbox key: %d", got)
	}
}
