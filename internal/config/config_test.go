package config

import (
	"flag"
	"strings"
	"testing"
)

func TestSQLiteSynchronousSetting(t *testing.T) {
	if d := Default(); d.SQLiteSync != "FULL" || d.Validate() != nil {
		t.Fatalf("default %q: %v", d.SQLiteSync, d.Validate())
	}
	t.Setenv("WEIQUAN_SQLITE_SYNCHRONOUS", "NORMAL")
	var c Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.Flags(fs)
	if err := fs.Parse(nil); err != nil || c.SQLiteSync != "NORMAL" || c.Validate() != nil {
		t.Fatalf("from the environment: %q %v", c.SQLiteSync, c.Validate())
	}
	if err := fs.Parse([]string{"--sqlite-synchronous", "OFF"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--sqlite-synchronous") {
		t.Errorf("OFF: %v, want a refusal naming --sqlite-synchronous", err)
	}
}
