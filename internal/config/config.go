// Package config is weiquan's one configuration, read the same way by every
// command: built-in defaults, then an optional file (--config FILE or
// WEIQUAN_CONFIG), then environment variables (WEIQUAN_*), then flags. A
// value that does not parse, or an unknown key in the file, is refused
// naming the key and where it came from; nothing falls back silently.
// Validate checks ranges. No mutable globals: Keys is the table of settings.
package config

import (
	"cmp"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/netguard"
)

// Config is everything the commands need.
type Config struct {
	DB               string        // sqlite:PATH or postgres://…
	SandboxDB        string        // the sandbox's database (SandboxURL); "off": no sandbox
	Addr             string        // listen address
	PolicyFile       string        // rule book override; empty: embedded default (or the newest stored one)
	PolicyPoll       time.Duration // how often a replica looks for a rule book set on another replica
	LogLevel         string        // debug, info, warn, error
	DeadlineInterval time.Duration // deadline scan interval
	DeadlineBatch    int           // deadlines per transaction
	DeadlineWorkers  int           // parallel deadline loops; 0: 2 on PostgreSQL, 1 on SQLite
	IdemRetention    time.Duration // how long Idempotency-Key responses are kept (≥ 24h)
	ShutdownTimeout  time.Duration
	EvidenceDir      string // content-addressed evidence blobs
	EvidenceS3              // evidence in an S3-compatible bucket instead (s3.go)
	NATSURL          string // publish events to NATS JetStream when set
	SMSURL           string // HTTP SMS gateway; empty: SMS are written to SMSFile
	SMSToken         string
	SMSFile          string
	OutboxInterval   time.Duration
	EvidenceMaxFile  int64  // bytes per file
	EvidenceMaxCase  int64  // bytes per case
	ModelDir         string // router models written by `weiquan train --only router`; empty: keyword routing only
	SignIn                  // trusted proxies, marketplace sign-in secret (signin.go)
	SQLiteSync       string // SQLite synchronous pragma: FULL (default) or NORMAL
	WebhookAllow     string // CIDRs, addresses and host names webhooks may reach beyond public addresses (netguard)

	// Rate limits (token buckets, per replica): requests per second and
	// burst per API key and per client address; 0 turns one off.
	RateKey       float64
	RateKeyBurst  int
	RateAddr      float64
	RateAddrBurst int

	Demo bool // serve: start from a fresh demo database (a flag of serve, not a key)

	// File is the configuration file read, if any.
	File string
	src  map[string]string // key name → where its value came from
}

// Default returns the defaults.
func Default() Config {
	return Config{DB: "sqlite:./weiquan.db", Addr: "127.0.0.1:8080", LogLevel: "info", PolicyPoll: 2 * time.Second,
		DeadlineInterval: time.Second, DeadlineBatch: 200, IdemRetention: 48 * time.Hour, ShutdownTimeout: 15 * time.Second,
		OutboxInterval: time.Second, EvidenceMaxFile: 10 << 20, EvidenceMaxCase: 50 << 20, EvidenceS3: EvidenceS3{S3TLS: true},
		RateKey: 10000, RateKeyBurst: 20000, RateAddr: 20000, RateAddrBurst: 40000, SQLiteSync: "FULL"}
}

// Key is one setting: its flag and file name, its environment variable,
// its help text and whether it is a secret (masked by `weiquan config`, and
// read from the environment or the file only: a command line is visible to
// every user of the machine).
type Key struct {
	Name   string // flag --Name, file key Name
	Env    string // environment variable
	Help   string
	Secret bool
	field  func(*Config) any // pointer to the field: *string, *int, *int64, *float64, *time.Duration, *bool
}

// Keys is every configuration key, in the order `weiquan config` prints
// them. (A new setting is one line here and a field of Config.)
var Keys = []Key{
	{Name: "db", Help: "database URL: sqlite:PATH or postgres://…", field: func(c *Config) any { return &c.DB }},
	{Name: "sandbox-db", Help: "database URL of the sandbox (sandbox API keys, test clocks, its own ledger); default: beside the SQLite file (PATH-sandbox.db), or on PostgreSQL the schema weiquan_sandbox (SCHEMA_sandbox with a search_path) of the same database; off: no sandbox", field: func(c *Config) any { return &c.SandboxDB }},
	{Name: "addr", Help: "listen address", field: func(c *Config) any { return &c.Addr }},
	{Name: "policy", Help: "rule book JSON file overriding the embedded default", field: func(c *Config) any { return &c.PolicyFile }},
	{Name: "policy-poll", Help: "how often a replica picks up a rule book set through PUT /v1/policy on another replica", field: func(c *Config) any { return &c.PolicyPoll }},
	{Name: "log-level", Help: "debug, info, warn or error", field: func(c *Config) any { return &c.LogLevel }},
	{Name: "deadline-interval", Help: "how often the deadline worker scans", field: func(c *Config) any { return &c.DeadlineInterval }},
	{Name: "deadline-batch", Help: "deadlines fired per transaction", field: func(c *Config) any { return &c.DeadlineBatch }},
	{Name: "deadline-workers", Help: "parallel deadline loops; 0 = 2 on PostgreSQL, 1 on SQLite", field: func(c *Config) any { return &c.DeadlineWorkers }},
	{Name: "idempotency-retention", Help: "how long Idempotency-Key responses are kept, at least 24h", field: func(c *Config) any { return &c.IdemRetention }},
	{Name: "shutdown-timeout", Help: "grace period on SIGTERM", field: func(c *Config) any { return &c.ShutdownTimeout }},
	{Name: "evidence-dir", Help: "directory of evidence files, content-addressed; default: beside the SQLite file (PATH-evidence), or ./weiquan-evidence", field: func(c *Config) any { return &c.EvidenceDir }},
	{Name: "evidence-s3-endpoint", Help: "S3-compatible object storage for evidence, host[:port] (e.g. oss-cn-hangzhou.aliyuncs.com); set on every replica, it replaces evidence-dir", field: func(c *Config) any { return &c.S3Endpoint }},
	{Name: "evidence-s3-bucket", Help: "bucket of the evidence objects (created when missing, if the credentials may)", field: func(c *Config) any { return &c.S3Bucket }},
	{Name: "evidence-s3-prefix", Help: "prefix of every evidence object's name, e.g. weiquan/; default none", field: func(c *Config) any { return &c.S3Prefix }},
	{Name: "evidence-s3-access-key", Help: "access key ID for the evidence bucket", field: func(c *Config) any { return &c.S3AccessKey }},
	{Name: "evidence-s3-secret-key", Secret: true, Help: "secret access key for the evidence bucket", field: func(c *Config) any { return &c.S3SecretKey }},
	{Name: "evidence-s3-region", Help: "region of the evidence bucket; empty: the server's default", field: func(c *Config) any { return &c.S3Region }},
	{Name: "evidence-s3-tls", Help: "reach the object storage over https (false only for a server on a private network)", field: func(c *Config) any { return &c.S3TLS }},
	{Name: "evidence-max-file", Help: "largest evidence file in bytes", field: func(c *Config) any { return &c.EvidenceMaxFile }},
	{Name: "evidence-max-case", Help: "evidence bytes per case", field: func(c *Config) any { return &c.EvidenceMaxCase }},
	{Name: "nats-url", Help: "NATS JetStream URL to publish events to, e.g. nats://127.0.0.1:4222; empty: off", field: func(c *Config) any { return &c.NATSURL }},
	{Name: "sms-url", Help: "HTTP SMS gateway URL; empty: SMS are appended to sms-file", field: func(c *Config) any { return &c.SMSURL }},
	{Name: "sms-token", Secret: true, Help: "bearer token of the SMS gateway", field: func(c *Config) any { return &c.SMSToken }},
	{Name: "sms-file", Help: "where SMS go without a gateway, JSON lines; default beside the SQLite file (PATH-sms.jsonl) or ./weiquan-sms.jsonl", field: func(c *Config) any { return &c.SMSFile }},
	{Name: "outbox-interval", Help: "how often notifications are relayed", field: func(c *Config) any { return &c.OutboxInterval }},
	{Name: "model-dir", Help: "folder of the reply-script router's trained models (weiquan train --only router); empty: keyword routing only", field: func(c *Config) any { return &c.ModelDir }},
	{Name: "rate-key", Help: "requests per second per API key (token bucket, per replica); 0 = no limit", field: func(c *Config) any { return &c.RateKey }},
	{Name: "rate-key-burst", Help: "burst per API key", field: func(c *Config) any { return &c.RateKeyBurst }},
	{Name: "rate-addr", Help: "requests per second per client address (token bucket, per replica); 0 = no limit", field: func(c *Config) any { return &c.RateAddr }},
	{Name: "rate-addr-burst", Help: "burst per client address", field: func(c *Config) any { return &c.RateAddrBurst }},
	{Name: "sqlite-synchronous", Help: "SQLite durability: FULL (a commit is on disk before it is acknowledged) or NORMAL (the last commits may be lost on power loss)", field: func(c *Config) any { return &c.SQLiteSync }},
	{Name: "webhook-allow", Help: "comma-separated CIDRs, IP addresses and host names webhook endpoints may be at beyond public addresses (loopback, private and link-local are refused otherwise), e.g. 10.1.0.0/16,erp.internal", field: func(c *Config) any { return &c.WebhookAllow }},
	{Name: "trusted-proxies", Help: "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed", field: func(c *Config) any { return &c.TrustedProxies }},
	{Name: "signin-secret", Secret: true, Help: "secret shared with the marketplace that signs its sign-in tokens (at least 32 bytes); empty: only links minted by POST /v1/sign-in-links", field: func(c *Config) any { return &c.SignInSecret }},
}

func init() {
	for i := range Keys {
		if Keys[i].Env == "" {
			Keys[i].Env = "WEIQUAN_" + strings.ToUpper(strings.ReplaceAll(Keys[i].Name, "-", "_"))
		}
	}
}

// Lookup returns the key of that name.
func Lookup(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// Source says where a key's effective value came from: "flag --db",
// "env WEIQUAN_DB", "file weiquan.conf:3" or "default".
func (c Config) Source(name string) string {
	return cmp.Or(c.src[name], "default")
}

// Validate checks the configuration, naming the bad setting.
func (c Config) Validate() error {
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return c.bad("db", "want sqlite:PATH or postgres://…, got %q", c.DB)
	}
	if sb := c.SandboxDB; sb != "" && sb != "off" {
		if !strings.HasPrefix(sb, "sqlite:") && !strings.HasPrefix(sb, "postgres://") && !strings.HasPrefix(sb, "postgresql://") {
			return c.bad("sandbox-db", "want sqlite:PATH, postgres://… or off, got %q", sb)
		}
		if sb == c.DB {
			return c.bad("sandbox-db", "the sandbox needs its own database, not db's")
		}
	}
	if c.Addr == "" {
		return c.bad("addr", "empty")
	}
	if _, err := c.Level(); err != nil {
		return err
	}
	if _, err := c.Proxies(); err != nil {
		return c.bad("trusted-proxies", "%v", err)
	}
	if c.SignInSecret != "" && len(c.SignInSecret) < 32 {
		return c.bad("signin-secret", "at least 32 bytes, got %d", len(c.SignInSecret))
	}
	if c.PolicyPoll < 100*time.Millisecond {
		return c.bad("policy-poll", "at least 100ms, got %s", c.PolicyPoll)
	}
	if c.DeadlineInterval < 10*time.Millisecond {
		return c.bad("deadline-interval", "at least 10ms, got %s", c.DeadlineInterval)
	}
	if c.DeadlineBatch < 1 || c.DeadlineBatch > 10000 {
		return c.bad("deadline-batch", "1–10000, got %d", c.DeadlineBatch)
	}
	if c.DeadlineWorkers < 0 || c.DeadlineWorkers > 32 {
		return c.bad("deadline-workers", "0–32, got %d", c.DeadlineWorkers)
	}
	if c.EvidenceMaxFile < 1024 {
		return c.bad("evidence-max-file", "at least 1024 bytes, got %d", c.EvidenceMaxFile)
	}
	if c.EvidenceMaxCase < c.EvidenceMaxFile {
		return c.bad("evidence-max-case", "at least evidence-max-file (%d), got %d", c.EvidenceMaxFile, c.EvidenceMaxCase)
	}
	if err := c.checkS3(); err != nil {
		return err
	}
	if m := strings.ToUpper(c.SQLiteSync); m != "" && m != "FULL" && m != "NORMAL" {
		return c.bad("sqlite-synchronous", "want FULL or NORMAL, got %q", c.SQLiteSync)
	}
	if _, err := netguard.Parse(c.WebhookAllow); err != nil {
		return c.bad("webhook-allow", "%v", err)
	}
	if c.IdemRetention < 24*time.Hour {
		return c.bad("idempotency-retention", "at least 24h, got %s", c.IdemRetention)
	}
	if c.ShutdownTimeout < 0 {
		return c.bad("shutdown-timeout", "not negative, got %s", c.ShutdownTimeout)
	}
	if c.OutboxInterval < 10*time.Millisecond {
		return c.bad("outbox-interval", "at least 10ms, got %s", c.OutboxInterval)
	}
	for _, r := range []struct {
		name, burst string
		rate        float64
		b           int
	}{{"rate-key", "rate-key-burst", c.RateKey, c.RateKeyBurst}, {"rate-addr", "rate-addr-burst", c.RateAddr, c.RateAddrBurst}} {
		if r.rate < 0 {
			return c.bad(r.name, "not negative (0 turns the limit off), got %g", r.rate)
		}
		if r.rate > 0 && r.b < 1 {
			return c.bad(r.burst, "at least 1 when %s is set, got %d", r.name, r.b)
		}
	}
	return nil
}

// bad is a validation error naming the key and where its value came from.
func (c Config) bad(name, format string, args ...any) error {
	return fmt.Errorf("config: %s (%s): %s", name, c.Source(name), fmt.Sprintf(format, args...))
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

// SandboxURL is the sandbox's database: sandbox-db if set, else a second
// SQLite file beside the database file (weiquan.db → weiquan-sandbox.db),
// else on PostgreSQL the same database with search_path weiquan_sandbox
// (or the configured search_path + "_sandbox"). ok is false when the
// sandbox is off.
func (c Config) SandboxURL() (u string, ok bool) {
	switch {
	case c.SandboxDB == "off":
		return "", false
	case c.SandboxDB != "":
		return c.SandboxDB, true
	}
	if p, found := strings.CutPrefix(c.DB, "sqlite:"); found {
		if p == ":memory:" || p == "" {
			return "sqlite::memory:", true
		}
		path, q, _ := strings.Cut(p, "?")
		u = "sqlite:" + strings.TrimSuffix(path, ".db") + "-sandbox.db"
		if q != "" {
			u += "?" + q
		}
		return u, true
	}
	pu, err := url.Parse(c.DB)
	if err != nil {
		return "", false
	}
	q := pu.Query()
	sp := q.Get("search_path")
	if sp == "" {
		sp = "weiquan"
	}
	q.Set("search_path", sp+"_sandbox")
	pu.RawQuery = q.Encode()
	return pu.String(), true
}

// SQLitePath is the database file of a sqlite: URL (false for PostgreSQL
// and :memory:).
func (c Config) SQLitePath() (string, bool) {
	if p, ok := strings.CutPrefix(c.DB, "sqlite:"); ok && p != ":memory:" && p != "" {
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		return p, true
	}
	return "", false
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
		return l, c.bad("log-level", "%q: want debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}
