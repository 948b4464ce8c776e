package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/store"
)

// The binary under test is built once per test run (go build -o DIR/weiquan .)
// and removed by TestMain.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// goTool finds the go command: from PATH, else under $GOROOT/bin.
func goTool() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("the go command is not on PATH and GOROOT is not set")
}

// weiquanBinary builds the real binary from this package (the test runs in
// the package directory) once and returns its path.
func weiquanBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		gocmd, err := goTool()
		if err != nil {
			binErr = err
			return
		}
		if binDir, binErr = os.MkdirTemp("", "weiquan-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "weiquan")
		out, err := exec.Command(gocmd, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build -o %s .: %v\n%s", binPath, err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// runWeiquan runs the binary to completion (at most 30 s) and returns its
// output and exit code.
func runWeiquan(t testing.TB, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("weiquan %s: did not finish within 30s\nstdout: %s\nstderr: %s", strings.Join(args, " "), o.String(), e.String())
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("weiquan %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// cleanEnv is the test's environment without WEIQUAN_* settings, so that
// only the flags given configure the binary.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WEIQUAN_") {
			env = append(env, kv)
		}
	}
	return env
}

// policyWith returns the embedded default rule book with edit applied to
// its decoded JSON.
func policyWith(t testing.TB, edit func(doc map[string]any, rules map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(policy.DefaultJSON(), &doc); err != nil {
		t.Fatalf("default policy: %v", err)
	}
	edit(doc, doc["rules"].(map[string]any))
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBinaryCommands(t *testing.T) {
	bin := weiquanBinary(t)

	t.Run("version", func(t *testing.T) {
		out, errOut, code := runWeiquan(t, bin, "version")
		if code != 0 || !strings.HasPrefix(out, "weiquan ") || strings.TrimSpace(strings.TrimPrefix(out, "weiquan ")) == "" {
			t.Fatalf("version: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})

	t.Run("unknown command", func(t *testing.T) {
		_, errOut, code := runWeiquan(t, bin, "frobnicate")
		if code == 0 || !strings.Contains(errOut, `"frobnicate"`) {
			t.Fatalf("exit %d, stderr %q: want a non-zero exit naming the command", code, errOut)
		}
	})

	t.Run("migrate", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "fresh.db")
		out, errOut, code := runWeiquan(t, bin, "migrate", "--db", "sqlite:"+path)
		mig, err := store.MigrationFiles(store.SQLite)
		if err != nil {
			t.Fatal(err)
		}
		files, _ := fs.ReadDir(mig, ".")
		if code != 0 || !strings.Contains(out, fmt.Sprintf("migrations applied: %d (sqlite)", len(files))) || len(files) == 0 {
			t.Fatalf("first migrate: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("migrate did not create the database: %v", err)
		}
		out, errOut, code = runWeiquan(t, bin, "migrate", "--db", "sqlite:"+path)
		if code != 0 || !strings.Contains(out, "migrations applied: 0 (sqlite)") {
			t.Fatalf("second migrate (nothing to do): exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})

	t.Run("migrate bad url", func(t *testing.T) {
		_, errOut, code := runWeiquan(t, bin, "migrate", "--db", "mysql://localhost/x")
		if code == 0 || !strings.Contains(errOut, "db") {
			t.Fatalf("exit %d, stderr %q: want a non-zero exit naming the db setting", code, errOut)
		}
	})

	t.Run("apikey", func(t *testing.T) {
		db := "sqlite:" + filepath.Join(t.TempDir(), "keys.db")
		out, errOut, code := runWeiquan(t, bin, "apikey", "create", "--role", "integration", "--name", "ci", "--db", db)
		if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "wq_") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Fatalf("apikey create: exit %d, stdout %q, stderr %q: want the key alone on stdout", code, out, errOut)
		}
		if strings.Contains(errOut, strings.TrimSpace(out)) {
			t.Errorf("the key is echoed on stderr: %q", errOut)
		}
	})

	t.Run("apikey bad role", func(t *testing.T) {
		db := "sqlite:" + filepath.Join(t.TempDir(), "keys.db")
		out, errOut, code := runWeiquan(t, bin, "apikey", "create", "--role", "superuser", "--db", db)
		if code == 0 {
			t.Fatalf("apikey create --role superuser: exit 0 (stdout %q): want a refusal", out)
		}
		if strings.TrimSpace(out) != "" {
			t.Errorf("a refused key printed something on stdout: %q", out)
		}
		// The refusal names the setting and the roles that are accepted.
		for _, want := range []string{"role", "integration", "buyer", "seller", "agent", "admin"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr %q does not mention %q", errOut, want)
			}
		}
	})

	t.Run("apikey buyer without party", func(t *testing.T) {
		db := "sqlite:" + filepath.Join(t.TempDir(), "keys.db")
		_, errOut, code := runWeiquan(t, bin, "apikey", "create", "--role", "buyer", "--db", db)
		if code == 0 || !strings.Contains(errOut, "party") {
			t.Fatalf("exit %d, stderr %q: want a non-zero exit naming --party", code, errOut)
		}
	})

	serveBadPolicy := func(t *testing.T, doc []byte, wantInStderr string) {
		dir := t.TempDir()
		file := filepath.Join(dir, "policy.json")
		if err := os.WriteFile(file, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		out, errOut, code := runWeiquan(t, bin, "serve", "--db", "sqlite:"+filepath.Join(dir, "w.db"), "--addr", "127.0.0.1:0", "--policy", file)
		if code == 0 {
			t.Fatalf("serve with a broken policy exited 0 (stdout %q, stderr %q)", out, errOut)
		}
		if !strings.Contains(errOut, wantInStderr) {
			t.Fatalf("serve with a broken policy: stderr %q does not name %q", errOut, wantInStderr)
		}
		if strings.Contains(out, "listening") {
			t.Errorf("serve with a broken policy started listening: %q", out)
		}
		t.Logf("refused in %v: %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(errOut))
	}

	t.Run("serve unknown policy key", func(t *testing.T) {
		doc := policyWith(t, func(_ map[string]any, rules map[string]any) {
			rules["aftersale.seller_respond_typo"] = map[string]any{"id": "ours-typo", "value": "48h", "source": "ours", "title_zh": "x", "title_en": "x"}
		})
		serveBadPolicy(t, doc, "aftersale.seller_respond_typo")
	})

	t.Run("serve bad policy value", func(t *testing.T) {
		doc := policyWith(t, func(_ map[string]any, rules map[string]any) {
			rules["aftersale.buyer_ship_return"].(map[string]any)["value"] = "soon"
		})
		serveBadPolicy(t, doc, "aftersale.buyer_ship_return")
	})

	t.Run("serve missing policy file", func(t *testing.T) {
		dir := t.TempDir()
		missing := filepath.Join(dir, "nope.json")
		_, errOut, code := runWeiquan(t, bin, "serve", "--db", "sqlite:"+filepath.Join(dir, "w.db"), "--addr", "127.0.0.1:0", "--policy", missing)
		if code == 0 || !strings.Contains(errOut, missing) {
			t.Fatalf("exit %d, stderr %q: want a non-zero exit naming the file", code, errOut)
		}
	})

	t.Run("serve bad flag value", func(t *testing.T) {
		dir := t.TempDir()
		_, errOut, code := runWeiquan(t, bin, "serve", "--db", "sqlite:"+filepath.Join(dir, "w.db"), "--addr", "127.0.0.1:0", "--deadline-interval", "1ms")
		if code == 0 || !strings.Contains(errOut, "deadline-interval") {
			t.Fatalf("exit %d, stderr %q: want a non-zero exit naming --deadline-interval", code, errOut)
		}
	})
}
