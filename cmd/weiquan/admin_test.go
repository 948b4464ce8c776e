package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// admin create makes the first admin from a password on standard input and
// refuses a second one unless --force; a common password is refused.
// apikey create / list / rotate / revoke manage keys from the command line.
func TestAdminCreateAndAPIKeys(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "wq.db")
	var out, errb bytes.Buffer
	create := func(stdin string, extra ...string) error {
		out.Reset()
		errb.Reset()
		return adminCmd(ctx, append([]string{"create", "--name", "root", "--password-stdin", "--db", db}, extra...), strings.NewReader(stdin), &out, &errb)
	}
	if err := create("password1\n"); err == nil || !strings.Contains(err.Error(), "too common") {
		t.Fatalf("common password: %v", err)
	}
	if err := create("a long passphrase 42\n"); err != nil || !strings.Contains(out.String(), "admin root created") {
		t.Fatalf("first admin: %v %s", err, out.String())
	}
	if err := create("a long passphrase 43\n"); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second admin without --force: %v", err)
	}
	if err := adminCmd(ctx, []string{"create", "--name", "root2", "--password-stdin", "--force", "--db", db}, strings.NewReader("a long passphrase 44"), &out, &errb); err != nil {
		t.Fatalf("--force: %v", err)
	}
	if err := adminCmd(ctx, []string{"create", "--name", "root3", "--db", db}, strings.NewReader("x"), &out, &errb); err == nil {
		t.Fatal("a password not from stdin was accepted")
	}

	apikeyRun := func(args ...string) (string, string, error) {
		var o, e bytes.Buffer
		err := run(ctx, append([]string{"apikey"}, append(args, "--db", db)...), &o, &e)
		return o.String(), e.String(), err
	}
	plain, msg, err := apikeyRun("create", "--role", "integration", "--name", "erp", "--expires", "720h")
	if err != nil || !strings.HasPrefix(plain, "wq_") {
		t.Fatalf("create: %v %s", err, msg)
	}
	id := strings.Fields(msg)[2]
	list, _, err := apikeyRun("list")
	if err != nil || !strings.Contains(list, id) || !strings.Contains(list, "active") || !strings.Contains(list, "erp") {
		t.Fatalf("list: %v\n%s", err, list)
	}
	newPlain, msg, err := apikeyRun("rotate", id)
	if err != nil || !strings.HasPrefix(newPlain, "wq_") || newPlain == plain {
		t.Fatalf("rotate: %v %s", err, msg)
	}
	newID := strings.Fields(msg)[5]
	if _, _, err := apikeyRun("revoke", id); err == nil {
		t.Fatal("revoking a rotated (revoked) key twice succeeded")
	}
	if _, _, err := apikeyRun("revoke", newID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	list, _, _ = apikeyRun("list")
	if strings.Count(list, "revoked") != 2 {
		t.Fatalf("after revocations:\n%s", list)
	}
}
