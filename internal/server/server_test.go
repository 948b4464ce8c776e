package server_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/server"
	"github.com/weiquan/weiquan/internal/service"
)

// TestRestartKeepsAdminPolicy: a rule book set through the service (what
// PUT /v1/policy calls) is still in force after a restart without --policy,
// and an explicit --policy file wins over it.
func TestRestartKeepsAdminPolicy(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB = "sqlite:" + filepath.Join(dir, "w.db")
	cfg.Addr = "127.0.0.1:0"
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()

	start := func(c config.Config) *server.Server {
		t.Helper()
		s, err := server.Start(ctx, c, log)
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		return s
	}
	s := start(cfg)
	if got := s.Svc.Policy().Version; got != policy.Default().Version {
		t.Fatalf("fresh start: policy %s, want the default %s", got, policy.Default().Version)
	}
	var doc map[string]any
	if err := json.Unmarshal(policy.DefaultJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	doc["version"] = "2099.1.1"
	raw, _ := json.Marshal(doc)
	if _, err := s.Svc.SetPolicy(ctx, service.Caller{Role: actor.Admin, PartyID: "admin-1"}, raw); err != nil {
		t.Fatalf("set policy: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s = start(cfg)
	if got := s.Svc.Policy().Version; got != "2099.1.1" {
		t.Errorf("after restart: policy %s, want the admin's 2099.1.1", got)
	}
	_ = s.Close()

	file := filepath.Join(dir, "policy.json")
	if err := writeFile(file, policy.DefaultJSON()); err != nil {
		t.Fatal(err)
	}
	cfg.PolicyFile = file
	s = start(cfg)
	if got := s.Svc.Policy().Version; got != policy.Default().Version {
		t.Errorf("with --policy: policy %s, want the file's %s", got, policy.Default().Version)
	}
	_ = s.Close()
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }
