package config

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return LoadEnv(fs, args, func(k string) string { return env[k] })
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "weiquan.conf")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedenceFlagEnvFileDefault(t *testing.T) {
	file := writeFile(t, "# production\ndb = \"sqlite:/file.db\"\ndeadline-interval = 3s\naddr = \"0.0.0.0:9000\" # all interfaces\n")
	env := map[string]string{"WEIQUAN_DB": "sqlite:/env.db", "WEIQUAN_CONFIG": file}

	c, err := load(t, []string{"--db", "sqlite:/flag.db"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:/flag.db" || c.Source("db") != "flag --db" {
		t.Errorf("flag: db %q from %q", c.DB, c.Source("db"))
	}
	if c.DeadlineInterval != 3*time.Second || c.Source("deadline-interval") != "file "+file+":3" {
		t.Errorf("file: deadline-interval %s from %q", c.DeadlineInterval, c.Source("deadline-interval"))
	}
	if c.Addr != "0.0.0.0:9000" {
		t.Errorf("file: addr %q (a trailing comment is not part of the value)", c.Addr)
	}
	if c.DeadlineBatch != 200 || c.Source("deadline-batch") != "default" {
		t.Errorf("default: deadline-batch %d from %q", c.DeadlineBatch, c.Source("deadline-batch"))
	}
	if c.File != file {
		t.Errorf("file %q, want %q (from WEIQUAN_CONFIG)", c.File, file)
	}

	c, err = load(t, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:/env.db" || c.Source("db") != "env WEIQUAN_DB" {
		t.Errorf("env over file: db %q from %q", c.DB, c.Source("db"))
	}
	delete(env, "WEIQUAN_DB")
	c, err = load(t, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:/file.db" || c.Source("db") != "file "+file+":2" {
		t.Errorf("file over default: db %q from %q", c.DB, c.Source("db"))
	}
	// --config beats WEIQUAN_CONFIG.
	other := writeFile(t, "db = sqlite:/other.db\n")
	c, err = load(t, []string{"--config", other}, env)
	if err != nil || c.DB != "sqlite:/other.db" {
		t.Errorf("--config: db %q, err %v", c.DB, err)
	}
}

func TestInvalidValuesAreRefusedNamingTheKey(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		file string
		want []string
	}{
		{"env duration", nil, map[string]string{"WEIQUAN_DEADLINE_INTERVAL": "abc"}, "", []string{"deadline-interval", "env WEIQUAN_DEADLINE_INTERVAL", `"abc"`, "duration"}},
		{"env int", nil, map[string]string{"WEIQUAN_DEADLINE_BATCH": "many"}, "", []string{"deadline-batch", "env WEIQUAN_DEADLINE_BATCH", "whole number"}},
		{"env int64", nil, map[string]string{"WEIQUAN_EVIDENCE_MAX_FILE": "10MB"}, "", []string{"evidence-max-file", "WEIQUAN_EVIDENCE_MAX_FILE"}},
		{"env range", nil, map[string]string{"WEIQUAN_IDEMPOTENCY_RETENTION": "1h"}, "", []string{"idempotency-retention", "env WEIQUAN_IDEMPOTENCY_RETENTION", "24h"}},
		{"flag duration", []string{"--outbox-interval", "soon"}, nil, "", []string{"outbox-interval", "flag --outbox-interval"}},
		{"flag range", []string{"--deadline-interval", "1ms"}, nil, "", []string{"deadline-interval", "flag --deadline-interval", "10ms"}},
		{"flag db", []string{"--db", "mysql://x"}, nil, "", []string{"db", "flag --db", "sqlite:PATH"}},
		{"file unknown key", nil, nil, "db = sqlite:/x.db\ndeadline-intervall = 2s\n", []string{"line 2", `unknown key "deadline-intervall"`}},
		{"file env-style key", nil, nil, "WEIQUAN_DB = sqlite:/x.db\n", []string{"line 1", `"WEIQUAN_DB"`, `did you mean "db"`}},
		{"file bad value", nil, nil, "\nrate-key = fast\n", []string{"rate-key", ":2", `"fast"`, "number"}},
		{"file duplicate", nil, nil, "addr = a:1\naddr = b:2\n", []string{"line 2", `"addr"`, "twice"}},
		{"file not key=value", nil, nil, "db sqlite:/x.db\n", []string{"line 1", "key = value"}},
		{"file unterminated", nil, nil, "db = \"sqlite:/x.db\n", []string{"line 1", "unterminated"}},
		{"file range", nil, nil, "deadline-workers = 99\n", []string{"deadline-workers", "0–32", "weiquan.conf:1"}},
		{"burst with rate", []string{"--rate-key", "10", "--rate-key-burst", "0"}, nil, "", []string{"rate-key-burst", "flag --rate-key-burst"}},
		{"log level", nil, map[string]string{"WEIQUAN_LOG_LEVEL": "loud"}, "", []string{"log-level", "env WEIQUAN_LOG_LEVEL"}},
		{"sqlite synchronous", []string{"--sqlite-synchronous", "OFF"}, nil, "", []string{"sqlite-synchronous", "FULL or NORMAL"}},
		{"webhook allow", nil, map[string]string{"WEIQUAN_WEBHOOK_ALLOW": "10.0.0.0/99"}, "", []string{"webhook-allow", "env WEIQUAN_WEBHOOK_ALLOW"}},
		{"trusted proxies", []string{"--trusted-proxies", "not-an-address"}, nil, "", []string{"trusted-proxies", "not a CIDR"}},
		{"s3 without secret", []string{"--evidence-s3-endpoint", "127.0.0.1:9000", "--evidence-s3-bucket", "ev", "--evidence-s3-access-key", "a"}, nil, "", []string{"evidence-s3-secret-key", "required with evidence-s3-endpoint"}},
		{"s3 endpoint url", nil, map[string]string{"WEIQUAN_EVIDENCE_S3_ENDPOINT": "https://oss.example.com/x"}, "", []string{"evidence-s3-endpoint", "env WEIQUAN_EVIDENCE_S3_ENDPOINT", "host[:port]"}},
		{"s3 tls", nil, map[string]string{"WEIQUAN_EVIDENCE_S3_TLS": "maybe"}, "", []string{"evidence-s3-tls", `"maybe"`}},
		{"short sign-in secret", nil, map[string]string{"WEIQUAN_SIGNIN_SECRET": "short"}, "", []string{"signin-secret", "32 bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			if tc.file != "" {
				env["WEIQUAN_CONFIG"] = writeFile(t, tc.file)
			}
			c, err := load(t, tc.args, env)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := load(t, []string{"--config", "/nonexistent/weiquan.conf"}, nil)
		if err == nil || !strings.Contains(err.Error(), "/nonexistent/weiquan.conf") {
			t.Fatalf("err %v: want the file named", err)
		}
	})
}

func TestSecretsAreNotFlagsAndArePrintedMasked(t *testing.T) {
	if _, err := load(t, []string{"--sms-token", "x"}, nil); err == nil {
		t.Error("--sms-token accepted on the command line, where every user sees it")
	}
	file := writeFile(t, "sms-token = \"tok-from-file\"\n")
	c, err := load(t, []string{"--db", "postgres://app:s3cret@db.internal:5432/weiquan?sslmode=require&password=p2"}, map[string]string{"WEIQUAN_CONFIG": file})
	if err != nil {
		t.Fatal(err)
	}
	if c.SMSToken != "tok-from-file" {
		t.Fatalf("sms-token %q", c.SMSToken)
	}
	var b bytes.Buffer
	c.Print(&b)
	out := b.String()
	for _, secret := range []string{"s3cret", "tok-from-file", "p2"} {
		if strings.Contains(out, secret) {
			t.Errorf("printed configuration shows the secret %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{`sms-token = "********"`, "file " + file + ":1", "app:xxxxx@db.internal:5432", "sslmode=require", "# flag --db", `deadline-batch = "200"`, "# default"} {
		if !strings.Contains(out, want) {
			t.Errorf("printed configuration lacks %q:\n%s", want, out)
		}
	}
	// Every key is printed once.
	for _, k := range Keys {
		if n := strings.Count(out, "\n"+k.Name+" = "); n != 1 && !strings.HasPrefix(out, k.Name+" = ") {
			t.Errorf("key %s printed %d times", k.Name, n)
		}
	}
}

func TestPrintedConfigurationReadsBack(t *testing.T) {
	c, err := load(t, []string{"--addr", "127.0.0.1:9999", "--policy-poll", "750ms", "--rate-addr", "12.5"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	c.Print(&b)
	d, err := load(t, []string{"--config", writeFile(t, b.String())}, nil)
	if err != nil {
		t.Fatalf("the printed configuration does not load: %v\n%s", err, b.String())
	}
	if d.Addr != c.Addr || d.PolicyPoll != c.PolicyPoll || d.RateAddr != 12.5 || d.IdemRetention != c.IdemRetention {
		t.Errorf("read back %+v, want %+v", d, c)
	}
}
