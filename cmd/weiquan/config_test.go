package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/ledgercheck"
)

// runWeiquanEnv is runWeiquan with WEIQUAN_* variables set.
func runWeiquanEnv(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("weiquan %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// TestOneConfigurationForEveryCommand: WEIQUAN_DB, a --config file and a
// bad value reach every command alike; `weiquan config` shows the result
// with its sources and secrets masked.
func TestOneConfigurationForEveryCommand(t *testing.T) {
	bin := weiquanBinary(t)
	dir := t.TempDir()

	t.Run("WEIQUAN_DB reaches migrate, ledger check and apikey", func(t *testing.T) {
		path := filepath.Join(dir, "env.db")
		env := []string{"WEIQUAN_DB=sqlite:" + path}
		if out, errOut, code := runWeiquanEnv(t, bin, env, "migrate"); code != 0 || !strings.Contains(out, "migrations applied") {
			t.Fatalf("migrate: %d %s %s", code, out, errOut)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("migrate did not use WEIQUAN_DB: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "weiquan.db")); err == nil {
			t.Fatal("./weiquan.db was made")
		}
		if out, errOut, code := runWeiquanEnv(t, bin, env, "apikey", "create", "--role", "integration"); code != 0 || !strings.HasPrefix(out, "wq_") {
			t.Fatalf("apikey: %d %s %s", code, out, errOut)
		}
		if out, errOut, code := runWeiquanEnv(t, bin, env, "ledger", "check"); code != 0 {
			t.Fatalf("ledger check: %d %s %s", code, out, errOut)
		}
	})

	t.Run("a bad value is refused by every command, naming the key", func(t *testing.T) {
		env := []string{"WEIQUAN_DB=sqlite:" + filepath.Join(dir, "bad.db"), "WEIQUAN_DEADLINE_INTERVAL=abc"}
		for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"migrate"}, {"ledger", "check"}, {"apikey", "create", "--role", "integration"}, {"demo"}, {"config"}, {"backup", "--out", filepath.Join(dir, "b.db")}} {
			out, errOut, code := runWeiquanEnv(t, bin, env, args...)
			if code == 0 || !strings.Contains(errOut, "deadline-interval (env WEIQUAN_DEADLINE_INTERVAL)") || !strings.Contains(errOut, `"abc"`) {
				t.Errorf("%v with WEIQUAN_DEADLINE_INTERVAL=abc: exit %d, stdout %q, stderr %q: want a refusal naming the key", args, code, out, errOut)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "bad.db")); err == nil {
			t.Error("a refused command created the database")
		}
	})

	t.Run("config file and weiquan config", func(t *testing.T) {
		file := filepath.Join(dir, "weiquan.conf")
		conf := "db = \"postgres://app:pa55word@db.internal:5432/weiquan\"\nsms-token = \"tok-123\"\noutbox-interval = 3s\n"
		if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runWeiquanEnv(t, bin, []string{"WEIQUAN_ADDR=0.0.0.0:9000"}, "config", "--config", file, "--log-level", "debug")
		if code != 0 {
			t.Fatalf("config: %d %s", code, errOut)
		}
		for _, secret := range []string{"pa55word", "tok-123"} {
			if strings.Contains(out, secret) {
				t.Errorf("weiquan config shows the secret %q:\n%s", secret, out)
			}
		}
		for _, want := range []string{
			`db = "postgres://app:xxxxx@db.internal:5432/weiquan"`, "# file " + file + ":1",
			`sms-token = "********"`, `outbox-interval = "3s"`,
			`addr = "0.0.0.0:9000"`, "# env WEIQUAN_ADDR",
			`log-level = "debug"`, "# flag --log-level",
			`deadline-batch = "200"`, "# default",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("weiquan config lacks %q:\n%s", want, out)
			}
		}
		if err := os.WriteFile(file, []byte("db = sqlite:x.db\noutbox_intervall = 3s\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errOut, code = runWeiquanEnv(t, bin, nil, "migrate", "--config", file)
		if code == 0 || !strings.Contains(errOut, `line 2: unknown key "outbox_intervall"`) {
			t.Errorf("unknown key in the file: exit %d, stderr %q", code, errOut)
		}
	})
}

// TestVersionShowsTheRevision: a binary built from a git clone reports
// the commit it was built from, read from Go's build info (a clone: Go does
// not stamp builds inside a git worktree), and the commit time.
func TestVersionShowsTheRevision(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a clone")
	}
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	gocmd, err := goTool()
	if err != nil {
		t.Fatal(err)
	}
	top, err := exec.Command(gitBin, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	clone := filepath.Join(t.TempDir(), "src")
	if out, err := exec.Command(gitBin, "clone", "--quiet", "--shared", strings.TrimSpace(string(top)), clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v %s", err, out)
	}
	head, err := exec.Command(gitBin, "-C", clone, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "weiquan")
	build := exec.Command(gocmd, "build", "-buildvcs=true", "-o", bin, "./cmd/weiquan")
	build.Dir = clone
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in the clone: %v %s", err, out)
	}
	out, errOut, code := runWeiquan(t, bin, "version")
	if code != 0 {
		t.Fatalf("version: %d %s", code, errOut)
	}
	for _, want := range []string{"revision " + strings.TrimSpace(string(head)) + "\n", "committed 20", "built 20", "go go1."} {
		if !strings.Contains(out, want) {
			t.Errorf("weiquan version lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "(modified)") {
		t.Errorf("a clean clone reported as modified:\n%s", out)
	}
}

// TestDemoRefusesARealDatabase: `weiquan demo --db` on a database with a
// marketplace's data exits non-zero naming what it found, on both engines,
// and writes nothing.
func TestDemoRefusesARealDatabase(t *testing.T) {
	bin := weiquanBinary(t)
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		url := eng.URL(t)
		real := apitest.Open(t, url)
		real.NewOrder("R1", "B1", "S1", 500, apitest.Unpaid)
		real.NewOrder("R2", "B1", "S1", 500, apitest.Unpaid)
		out, errOut, code := runWeiquan(t, bin, "demo", "--db", url)
		if code == 0 || !strings.Contains(errOut, "holds 2 orders, 3 API keys not made by demo") {
			t.Fatalf("demo on a real database: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		inv, err := real.Store.Inventory(context.Background())
		if err != nil || inv["orders"] != 2 || inv["api_keys"] != 3 {
			t.Errorf("after the refusal: %v %v", inv, err)
		}
		if eng.Name == "sqlite" {
			// serve --demo --db on it: refused too, and the file is kept.
			_, errOut, code := runWeiquan(t, bin, "serve", "--demo", "--db", url, "--addr", "127.0.0.1:0")
			if code == 0 || !strings.Contains(errOut, "holds 2 orders") {
				t.Fatalf("serve --demo on a real database: exit %d, stderr %q", code, errOut)
			}
			if inv, _ := real.Store.Inventory(context.Background()); inv["orders"] != 2 {
				t.Errorf("serve --demo removed the data: %v", inv)
			}
		}
	})
}

// TestBackupRestore: an online backup of a SQLite database in use opens
// as a database with the same data and a clean ledger; PostgreSQL is
// pointed to pg_dump; an existing file is not overwritten.
func TestBackupRestore(t *testing.T) {
	bin := weiquanBinary(t)
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "live.db")
	live := apitest.Open(t, url)
	for _, id := range []string{"O1", "O2", "O3"} {
		live.NewOrder(id, "B1", "S1", 1990, apitest.Completed)
	}
	req := live.Aftersale("O1", "B1", map[string]any{"type": "refund_only", "reason": "quality_problem", "amount": 500})
	copyPath := filepath.Join(dir, "backup.db")
	out, errOut, code := runWeiquan(t, bin, "backup", "--db", url, "--out", copyPath)
	if code != 0 || !strings.Contains(out, "backup written: "+copyPath) {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	// The server goes on writing; the copy is the snapshot.
	live.NewOrder("O4", "B1", "S1", 100, apitest.Unpaid)

	if out, errOut, code := runWeiquan(t, bin, "ledger", "check", "--db", "sqlite:"+copyPath); code != 0 || !strings.Contains(out, "OK: every invariant holds") {
		t.Fatalf("ledger check of the copy: %d\n%s\n%s", code, out, errOut)
	}
	st := apitest.OpenStore(t, "sqlite:"+copyPath)
	inv, err := st.Inventory(context.Background())
	if err != nil || inv["orders"] != 3 || inv["aftersales"] != 1 || inv["ledger_transactions"] == 0 {
		t.Fatalf("the copy holds %v (%v): want 3 orders, 1 after-sale request and their ledger", inv, err)
	}
	if _, err := st.GetAftersale(context.Background(), req); err != nil {
		t.Errorf("after-sale request %s in the copy: %v", req, err)
	}
	rep, err := ledgercheck.Check(context.Background(), st)
	if err != nil || rep.ViolationCount != 0 {
		t.Errorf("ledger of the copy: %+v %v", rep, err)
	}

	if _, errOut, code := runWeiquan(t, bin, "backup", "--db", url, "--out", copyPath); code == 0 || !strings.Contains(errOut, "exists") {
		t.Errorf("backup over an existing file: exit %d, stderr %q", code, errOut)
	}
	if os.Getenv(apitest.PostgresEnv) != "" {
		_, errOut, code := runWeiquan(t, bin, "backup", "--db", apitest.PostgresURL(t), "--out", filepath.Join(dir, "pg.db"))
		if code == 0 || !strings.Contains(errOut, "pg_dump") {
			t.Errorf("backup of PostgreSQL: exit %d, stderr %q: want it pointed to pg_dump", code, errOut)
		}
	}
}
