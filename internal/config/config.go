// Package config is weiquan's one explicit configuration: defaults, then
// environment variables (WEIQUAN_*), then flags; Validate refuses bad values
// naming the setting. No globals.
package config

import (
	"cmp"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/netguard"
)

// Config is everything `weiquan serve` needs.
type Config struct {
	DB               string        // sqlite:PATH or postgres://…
	Addr             string        // listen address
	PolicyFile       string        // rule book override; empty: embedded default
	LogLevel         string        // debug, info, warn, error
	DeadlineInterval time.Duration // deadline scan interval
	DeadlineBatch    int           // deadlines per transaction
	DeadlineWorkers  int           // parallel deadline loops; 0: 2 on PostgreSQL, 1 on SQLite
	IdemRetention    time.Duration // how long Idempotency-Key responses are kept (≥ 24h)
	ShutdownTimeout  time.Duration
	EvidenceDir      string // content-addressed evidence blobs
	NATSURL          string // publish events to NATS JetStream when set
	SMSURL           string // HTTP SMS gateway; empty: SMS are written to SMSFile
	SMSToken         string
	SMSFile          string
	OutboxInterval   time.Duration
	EvidenceMaxFile  int64  // bytes per file
	EvidenceMaxCase  int64  // bytes per case
	Demo             bool   // serve: start from a fresh demo database
	ModelDir         string // router models written by `weiquan train --only router`; empty: keyword routing only
	SignIn                  // trusted proxies, marketplace sign-in secret (signin.go)
	SQLiteSync       string // SQLite synchronous pragma: FULL (default) or NORMAL
	WebhookAllow     string // CIDRs, addresses and host names webhooks may reach beyond public addresses (netguard)
}

// Default returns the defaults.
func Default() Config {
	return Config{DB: "sqlite:./weiquan.db", Addr: "127.0.0.1:8080", LogLevel: "info", DeadlineInterval: time.Second,
		DeadlineBatch: 200, IdemRetention: 48 * time.Hour, ShutdownTimeout: 15 * time.Second,
		EvidenceMaxFile: 10 << 20, EvidenceMaxCase: 50 << 20, SQLiteSync: "FULL"}
}

// Env names, for the README's configuration table.
var Env = map[string]string{
	"WEIQUAN_DB": "db", "WEIQUAN_ADDR": "addr", "WEIQUAN_POLICY": "policy", "WEIQUAN_LOG_LEVEL": "log-level",
	"WEIQUAN_DEADLINE_INTERVAL": "deadline-interval", "WEIQUAN_DEADLINE_BATCH": "deadline-batch", "WEIQUAN_DEADLINE_WORKERS": "deadline-workers", "WEIQUAN_IDEMPOTENCY_RETENTION": "idempotency-retention",
	"WEIQUAN_MODEL_DIR": "model-dir", "WEIQUAN_SQLITE_SYNCHRONOUS": "sqlite-synchronous",
	"WEIQUAN_WEBHOOK_ALLOW": "webhook-allow",
}

// Flags registers the serve flags on fs, with defaults taken from the
// environment over the built-in defaults.
func (c *Config) Flags(fs *flag.FlagSet) {
	d := Default()
	fs.StringVar(&c.DB, "db", cmp.Or(os.Getenv("WEIQUAN_DB"), d.DB), "database URL: sqlite:PATH or postgres://… (env WEIQUAN_DB)")
	fs.StringVar(&c.Addr, "addr", cmp.Or(os.Getenv("WEIQUAN_ADDR"), d.Addr), "listen address (env WEIQUAN_ADDR)")
	fs.StringVar(&c.PolicyFile, "policy", os.Getenv("WEIQUAN_POLICY"), "rule book JSON file overriding the embedded default (env WEIQUAN_POLICY)")
	fs.StringVar(&c.LogLevel, "log-level", cmp.Or(os.Getenv("WEIQUAN_LOG_LEVEL"), d.LogLevel), "debug, info, warn or error (env WEIQUAN_LOG_LEVEL)")
	fs.DurationVar(&c.DeadlineInterval, "deadline-interval", envDuration("WEIQUAN_DEADLINE_INTERVAL", d.DeadlineInterval), "how often the deadline worker scans (env WEIQUAN_DEADLINE_INTERVAL)")
	fs.IntVar(&c.DeadlineBatch, "deadline-batch", envInt("WEIQUAN_DEADLINE_BATCH", d.DeadlineBatch), "deadlines fired per transaction (env WEIQUAN_DEADLINE_BATCH)")
	fs.IntVar(&c.DeadlineWorkers, "deadline-workers", envInt("WEIQUAN_DEADLINE_WORKERS", 0), "parallel deadline loops; 0 = 2 on PostgreSQL, 1 on SQLite (env WEIQUAN_DEADLINE_WORKERS)")
	fs.DurationVar(&c.IdemRetention, "idempotency-retention", envDuration("WEIQUAN_IDEMPOTENCY_RETENTION", d.IdemRetention), "how long Idempotency-Key responses are kept, at least 24h (env WEIQUAN_IDEMPOTENCY_RETENTION)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", d.ShutdownTimeout, "grace period on SIGTERM")
	fs.StringVar(&c.NATSURL, "nats-url", os.Getenv("WEIQUAN_NATS_URL"), "NATS JetStream URL to publish events to, e.g. nats://127.0.0.1:4222; empty: off (env WEIQUAN_NATS_URL)")
	fs.StringVar(&c.SMSURL, "sms-url", os.Getenv("WEIQUAN_SMS_URL"), "HTTP SMS gateway URL; empty: SMS are appended to --sms-file (env WEIQUAN_SMS_URL)")
	c.SMSToken = os.Getenv("WEIQUAN_SMS_TOKEN")
	fs.StringVar(&c.SMSFile, "sms-file", os.Getenv("WEIQUAN_SMS_FILE"), "where SMS go without a gateway, JSON lines; default beside the SQLite file (PATH-sms.jsonl) or ./weiquan-sms.jsonl (env WEIQUAN_SMS_FILE)")
	fs.DurationVar(&c.OutboxInterval, "outbox-interval", envDuration("WEIQUAN_OUTBOX_INTERVAL", time.Second), "how often notifications are relayed (env WEIQUAN_OUTBOX_INTERVAL)")
	fs.StringVar(&c.EvidenceDir, "evidence-dir", cmp.Or(os.Getenv("WEIQUAN_EVIDENCE_DIR"), d.EvidenceDir), "directory of evidence files, content-addressed; default: beside the SQLite file (PATH-evidence), or ./weiquan-evidence (env WEIQUAN_EVIDENCE_DIR)")
	fs.Int64Var(&c.EvidenceMaxFile, "evidence-max-file", int64(envInt("WEIQUAN_EVIDENCE_MAX_FILE", int(d.EvidenceMaxFile))), "largest evidence file in bytes (env WEIQUAN_EVIDENCE_MAX_FILE)")
	fs.StringVar(&c.ModelDir, "model-dir", os.Getenv("WEIQUAN_MODEL_DIR"), "folder of the reply-script router's trained models (weiquan train --only router); empty: keyword routing only (env WEIQUAN_MODEL_DIR)")
	c.SignIn.flags(fs)
	fs.StringVar(&c.SQLiteSync, "sqlite-synchronous", cmp.Or(os.Getenv("WEIQUAN_SQLITE_SYNCHRONOUS"), d.SQLiteSync), "SQLite durability: FULL (a commit is on disk before it is acknowledged) or NORMAL (the last commits may be lost on power loss) (env WEIQUAN_SQLITE_SYNCHRONOUS)")
	fs.StringVar(&c.WebhookAllow, "webhook-allow", os.Getenv("WEIQUAN_WEBHOOK_ALLOW"), "comma-separated CIDRs, IP addresses and host names webhook endpoints may be at beyond public addresses (loopback, private and link-local are refused otherwise), e.g. 10.1.0.0/16,erp.internal (env WEIQUAN_WEBHOOK_ALLOW)")
	fs.Int64Var(&c.EvidenceMaxCase, "evidence-max-case", int64(envInt("WEIQUAN_EVIDENCE_MAX_CASE", int(d.EvidenceMaxCase))), "evidence bytes per case (env WEIQUAN_EVIDENCE_MAX_CASE)")
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err == nil {
			return n
		}
	}
	return def
}

// Validate checks the configuration, naming the bad setting.
func (c Config) Validate() error {
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("config: --db: want sqlite:PATH or postgres://…, got %q", c.DB)
	}
	if c.Addr == "" {
		return fmt.Errorf("config: --addr: empty")
	}
	if _, err := c.Level(); err != nil {
		return err
	}
	if err := c.SignIn.validate(); err != nil {
		return err
	}
	if c.DeadlineInterval < 10*time.Millisecond {
		return fmt.Errorf("config: --deadline-interval: at least 10ms")
	}
	if c.DeadlineBatch < 1 || c.DeadlineBatch > 10000 {
		return fmt.Errorf("config: --deadline-batch: 1–10000")
	}
	if c.DeadlineWorkers < 0 || c.DeadlineWorkers > 32 {
		return fmt.Errorf("config: --deadline-workers: 0–32")
	}
	if c.EvidenceMaxFile < 1024 || c.EvidenceMaxCase < c.EvidenceMaxFile {
		return fmt.Errorf("config: --evidence-max-file at least 1024 bytes and --evidence-max-case at least that")
	}
	if m := strings.ToUpper(c.SQLiteSync); m != "" && m != "FULL" && m != "NORMAL" {
		return fmt.Errorf("config: --sqlite-synchronous: want FULL or NORMAL, got %q", c.SQLiteSync)
	}
	if _, err := netguard.Parse(c.WebhookAllow); err != nil {
		return fmt.Errorf("config: --webhook-allow: %v", err)
	}
	if c.IdemRetention < 24*time.Hour {
		return fmt.Errorf("config: --idempotency-retention: at least 24h")
	}
	return nil
}

// EvidencePath is the evidence directory: the configured one, else beside
// the SQLite database file, else ./weiquan-evidence.
func (c Config) EvidencePath() string {
	return cmp.Or(c.EvidenceDir, c.besideDB("-evidence", "./weiquan-evidence"))
}

// SMSPath is where SMS are written without a gateway.
func (c Config) SMSPath() string {
	return cmp.Or(c.SMSFile, c.besideDB("-sms.jsonl", "./weiquan-sms.jsonl"))
}

// besideDB is the SQLite database file's path with suffix appended, or
// fallback when the database is not a SQLite file (PostgreSQL, :memory:).
func (c Config) besideDB(suffix, fallback string) string {
	if p, ok := strings.CutPrefix(c.DB, "sqlite:"); ok && p != ":memory:" {
		return p + suffix
	}
	return fallback
}

// Level parses LogLevel.
func (c Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return l, fmt.Errorf("config: --log-level: %q: want debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}
