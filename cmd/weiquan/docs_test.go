package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/config"
)

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestREADMEListsEveryConfigKey: the README's configuration table names
// every key and its environment variable.
func TestREADMEListsEveryConfigKey(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	sec := readme[strings.Index(readme, "## Configuration"):]
	sec = sec[:strings.Index(sec, "\n## ")+1]
	for _, k := range config.Keys {
		if !strings.Contains(sec, "`"+k.Name+"`") || !strings.Contains(sec, "`"+k.Env+"`") {
			t.Errorf("README's configuration table lacks %s / %s", k.Name, k.Env)
		}
	}
}

// TestCONTRIBUTINGMatchesGoMod: every module version CONTRIBUTING names
// is the one go.mod requires, and it points at nothing outside the
// repository.
func TestCONTRIBUTINGMatchesGoMod(t *testing.T) {
	contributing, gomod := readRepoFile(t, "CONTRIBUTING.md"), readRepoFile(t, "go.mod")
	req := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(?:require\s+)?([a-z0-9.\-]+\.[a-z]+/[^\s]+)\s+(v[^\s]+)`).FindAllStringSubmatch(gomod, -1) {
		req[m[1]] = m[2]
	}
	named := regexp.MustCompile("`([a-z0-9.\\-]+\\.[a-z]+/[^`]+)` (v[0-9][^\\s,;)]*)").FindAllStringSubmatch(contributing, -1)
	if len(named) < 10 {
		t.Fatalf("found only %d module versions in CONTRIBUTING", len(named))
	}
	for _, m := range named {
		mod, v := m[1], m[2]
		if strings.HasPrefix(mod, "vcaesar/") {
			mod = "github.com/" + mod
		}
		got, ok := req[mod]
		if !ok {
			t.Errorf("CONTRIBUTING names %s %s, which go.mod does not require", mod, v)
		} else if got != v {
			t.Errorf("CONTRIBUTING names %s %s, go.mod requires %s", mod, v, got)
		}
	}
	if strings.Contains(contributing, "../") {
		t.Errorf("CONTRIBUTING points outside the repository: %q", regexp.MustCompile(`\S*\.\./\S*`).FindAllString(contributing, -1))
	}
}
