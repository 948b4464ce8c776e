package config

import "testing"

// The sandbox's database: a second SQLite file beside the main one, a
// schema of its own on PostgreSQL, what sandbox-db says, or none.
func TestSandboxURL(t *testing.T) {
	for _, c := range []struct {
		db, sandbox, want string
		ok                bool
	}{
		{"sqlite:./weiquan.db", "", "sqlite:./weiquan-sandbox.db", true},
		{"sqlite:/var/lib/wq/main.db?_x=1", "", "sqlite:/var/lib/wq/main-sandbox.db?_x=1", true},
		{"sqlite:data", "", "sqlite:data-sandbox.db", true},
		{"postgres://u@h:5432/wq", "", "postgres://u@h:5432/wq?search_path=weiquan_sandbox", true},
		{"postgres://u@h:5432/wq?search_path=shop", "", "postgres://u@h:5432/wq?search_path=shop_sandbox", true},
		{"postgres://u@h:5432/wq", "postgres://u@h:5432/sb", "postgres://u@h:5432/sb", true},
		{"sqlite:./weiquan.db", "off", "", false},
	} {
		got, ok := Config{DB: c.db, SandboxDB: c.sandbox}.SandboxURL()
		if got != c.want || ok != c.ok {
			t.Errorf("db %q sandbox-db %q: %q %v, want %q %v", c.db, c.sandbox, got, ok, c.want, c.ok)
		}
	}
	cfg := Default()
	cfg.SandboxDB = cfg.DB
	if err := cfg.Validate(); err == nil {
		t.Error("sandbox-db = db accepted")
	}
	cfg.SandboxDB = "mysql://x"
	if err := cfg.Validate(); err == nil {
		t.Error("sandbox-db mysql:// accepted")
	}
}
