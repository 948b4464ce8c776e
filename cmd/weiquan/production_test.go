package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

// TestGoingToProduction follows the README's "Going to production" on a
// fresh PostgreSQL database with the built binary: migrate, the first
// admin, an admin and an integration key, serve, an agent user created
// through the API, a buyer's sign-in link opening the buyer's portal, and a
// revoked integration key refused on its next request.
func TestGoingToProduction(t *testing.T) {
	db := apitest.PostgresURL(t)
	bin := weiquanBinary(t)
	env := append(cleanEnv(), "WEIQUAN_DB="+db, "WEIQUAN_EVIDENCE_DIR="+t.TempDir())
	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			t.Fatalf("weiquan %s: %v\n%s%s", strings.Join(args, " "), err, o.String(), e.String())
		}
		return strings.TrimSpace(o.String())
	}
	// 2–4: migrate, first admin, keys.
	run("", "migrate")
	run("a-long-and-uncommon-passphrase-7351\n", "admin", "create", "--name", "root", "--password-stdin")
	adminKey := run("", "apikey", "create", "--role", "admin", "--name", "ops")
	integrationKey := run("", "apikey", "create", "--role", "integration", "--name", "erp")
	if !strings.HasPrefix(adminKey, "wq_") || !strings.HasPrefix(integrationKey, "wq_") {
		t.Fatalf("keys: %q %q", adminKey, integrationKey)
	}
	// 5: serve.
	addr := freeAddr(t)
	base := "http://" + addr
	srv := exec.Command(bin, "serve", "--addr", addr)
	srv.Env = env
	logPath := filepath.Join(t.TempDir(), "serve.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: srv, log: logPath, exited: make(chan struct{})}
	go func() { p.waitErr = srv.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = srv.Process.Kill()
		<-p.exited
		logf.Close()
		if t.Failed() {
			t.Logf("---- serve.log ----\n%s", tailFile(logPath, 25))
		}
	})
	p.waitReady(t, base)

	call := func(method, path, key string, body any) (int, map[string]any) {
		t.Helper()
		r := apitest.Send(t, base, apitest.Req{Method: method, Path: path, Key: key, Body: body})
		return r.Status, r.JSON()
	}
	// 6: an agent.
	if code, v := call("POST", "/v1/users", adminKey, map[string]any{"login": "agent-li", "password": "another-uncommon-passphrase-2468", "role": "agent", "display_name": "李客服"}); code != 201 {
		t.Fatalf("create agent: %d %v", code, v)
	}
	if code, v := call("GET", "/v1/users", adminKey, nil); code != 200 || !strings.Contains(toJSON(v), "agent-li") {
		t.Fatalf("list users: %d %v", code, v)
	}
	// 7: a buyer's sign-in link opens the buyer's portal.
	code, link := call("POST", "/v1/sign-in-links", integrationKey, map[string]any{"role": "buyer", "party_id": "B1001", "name": "张三", "ttl_seconds": 300})
	if code != 201 || link["path"] == nil {
		t.Fatalf("sign-in link: %d %v", code, link)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	res, err := browser.Get(base + link["path"].(string))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Request.URL.Path != "/portal" {
		t.Fatalf("the link landed on %s with %d: %.300s", res.Request.URL.Path, res.StatusCode, page)
	}
	// The same link a second time is refused (single use).
	res, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(base + link["path"].(string))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/portal" {
		t.Fatalf("a replayed sign-in link opened the portal again")
	}
	// 8: revoking the integration key refuses its next request.
	if code, _ := call("GET", "/v1/orders", integrationKey, nil); code != 200 {
		t.Fatalf("integration key before revocation: %d", code)
	}
	var keyID string
	for _, line := range strings.Split(run("", "apikey", "list"), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == "erp" {
			keyID = f[0]
		}
	}
	if keyID == "" {
		t.Fatal("apikey list does not show the erp key")
	}
	run("", "apikey", "revoke", keyID)
	if code, _ := call("GET", "/v1/orders", integrationKey, nil); code != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d, want 401", code)
	}
}

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
