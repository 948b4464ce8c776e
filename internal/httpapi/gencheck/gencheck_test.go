// Package gencheck proves that the standard Go generators accept the API's
// OpenAPI document: oapi-codegen and ogen, at pinned versions fetched
// through the Go module proxy with `go run`, generate a client from the
// document the server serves, ogen generates every operation, and both
// results compile.
package gencheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/httpapi"
)

// The generators and the runtime libraries their code imports, pinned.
const (
	oapiCodegen = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"
	oapiRuntime = "github.com/oapi-codegen/runtime@v1.9.0"
	ogen        = "github.com/ogen-go/ogen/cmd/ogen@v1.25.0"
	ogenRuntime = "github.com/ogen-go/ogen@v1.25.0"
)

func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestGeneratorsAcceptTheServedDocument(t *testing.T) {
	if testing.Short() {
		t.Skip("short: the generators are fetched and built (minutes)")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no Go toolchain on PATH: the generators cannot run here")
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(spec, httpapi.OpenAPI(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module gencheck\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "oapi"), 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, dir, goBin, "run", oapiCodegen, "-generate", "types,client", "-package", "oapi", "-o", "oapi/client.go", "openapi.json")
	run(t, dir, goBin, "run", ogen, "--target", "ogen", "--package", "ogenclient", "--clean", "openapi.json")

	// ogen generates every operation of the document
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, ops := range doc.Paths {
		for m := range ops {
			switch m {
			case "get", "put", "post", "delete", "patch":
				want++
			}
		}
	}
	ops, err := os.ReadFile(filepath.Join(dir, "ogen", "oas_operations_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	got := len(regexp.MustCompile(`(?m)^\s+\w+Operation\s+OperationName = "`).FindAll(ops, -1))
	if got != want || want == 0 {
		t.Fatalf("ogen generated %d operations of the document's %d", got, want)
	}

	// both clients compile
	run(t, dir, goBin, "get", oapiRuntime, ogenRuntime)
	run(t, dir, goBin, "mod", "tidy")
	run(t, dir, goBin, "build", "./...")
	run(t, dir, goBin, "vet", "./oapi")
}
