package server

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/netguard"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/worker"
)

// The sandbox (issue 17 item 3) is a second store — its own database:
// cfg.SandboxURL(), a second SQLite file or a PostgreSQL schema — with its
// own service (service.Options.Sandbox), API, deadline worker and outbox,
// built by the same code as production's. Sandbox keys (wq_test_…) exist
// only in its store and httpapi.WithSandbox sends their requests to it, so
// the two sides cannot see each other's objects, and sandbox money moves
// only in the sandbox's ledger.

// OpenSandbox opens and migrates the sandbox's store (creating its
// PostgreSQL schema when missing) and builds the sandbox service with book.
// ok is false when the sandbox is off (sandbox-db = off). The caller closes
// the store.
func OpenSandbox(ctx context.Context, cfg config.Config, book *policy.Book, clk clock.Clock, log *slog.Logger) (svc *service.Service, st *store.Store, ok bool, err error) {
	u, ok := cfg.SandboxURL()
	if !ok {
		return nil, nil, false, nil
	}
	if err := ensureSchema(ctx, u); err != nil {
		return nil, nil, true, fmt.Errorf("config: sandbox-db: %w", err)
	}
	if clk == nil {
		clk = clock.System{}
	}
	svc, st, err = openService(ctx, u, store.Options{SQLiteSynchronous: cfg.SQLiteSync}, book,
		service.Options{Clock: clk, Logger: log.With("sandbox", true), Sandbox: true})
	if err != nil {
		return nil, nil, true, fmt.Errorf("sandbox: %w", err)
	}
	if _, err := svc.RefreshCalendar(ctx); err != nil {
		st.Close()
		return nil, nil, true, fmt.Errorf("sandbox: calendar: %w", err)
	}
	// A rule book set through the sandbox's PUT /v1/policy stays the
	// sandbox's across restarts; without one it runs production's.
	if cfg.PolicyFile == "" {
		if _, err := svc.LoadStoredPolicy(ctx); err != nil {
			st.Close()
			return nil, nil, true, fmt.Errorf("sandbox: %w", err)
		}
	}
	return svc, st, true, nil
}

// ensureSchema creates the search_path schema of a PostgreSQL URL when it
// is missing (nothing for SQLite).
func ensureSchema(ctx context.Context, dbURL string) error {
	if !strings.HasPrefix(dbURL, "postgres://") && !strings.HasPrefix(dbURL, "postgresql://") {
		return nil
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return err
	}
	schema := u.Query().Get("search_path")
	if schema == "" || strings.Contains(schema, ",") {
		return nil
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS "`+strings.ReplaceAll(schema, `"`, `""`)+`"`)
	return err
}

// sandboxRun is the sandbox's running part of a Server.
type sandboxRun struct {
	svc     *service.Service
	st      *store.Store
	workers *worker.Deadlines
	outbox  *worker.Outbox
}

// startSandbox starts the sandbox's workers: deadlines on wall time (a
// test clock's fire when it is advanced), the idempotency purge, retention
// and the outbox (site messages and webhooks; SMS only ever to a file).
func startSandbox(ctx context.Context, cfg config.Config, svc *service.Service, st *store.Store, blobs *evidence.Blobs, hookNets netguard.Policy, log *slog.Logger) *sandboxRun {
	log = log.With("sandbox", true)
	svc.SetBlobs(blobs)
	svc.SetWebhookAllow(hookNets)
	sb := &sandboxRun{svc: svc, st: st}
	sb.workers = worker.NewDeadlines(svc, log, worker.DeadlineConfig{Interval: cfg.DeadlineInterval, BatchSize: cfg.DeadlineBatch, Workers: 1})
	sb.workers.Start(ctx)
	worker.StartIdemPurge(ctx, svc, log, worker.IdemPurgeConfig{Retain: cfg.IdemRetention})
	worker.StartRetention(ctx, svc, log, worker.RetentionConfig{})
	static := map[string]notify.Channel{notify.ChannelSite: &notify.SiteChannel{Store: st},
		notify.ChannelSMS: &notify.SMSChannel{Sender: &notify.FileSMS{Path: strings.TrimSuffix(cfg.SMSPath(), ".jsonl") + "-sandbox.jsonl"}, Routes: notify.DefaultSMSRoutes()}}
	sb.outbox = worker.NewOutbox(st, worker.OutboxChannels{Static: static, Webhooks: notify.NewWebhooksWith(hookNets)}, log,
		worker.OutboxConfig{Interval: cfg.OutboxInterval, BatchSize: 1000, Concurrency: 16})
	sb.outbox.Start(ctx)
	return sb
}

func (sb *sandboxRun) stop() error {
	if sb == nil {
		return nil
	}
	sb.workers.Stop()
	sb.outbox.Stop()
	return sb.st.Close()
}

// sandboxBlobs is the sandbox's own evidence store (never production's
// folder or prefix: the sandbox's retention must not purge production
// blobs).
func sandboxBlobs(ctx context.Context, cfg config.Config) (*evidence.Blobs, error) {
	if cfg.UseS3() {
		cfg.S3Prefix += "sandbox/"
	} else {
		cfg.EvidenceDir = cfg.EvidencePath() + "-sandbox"
	}
	return openBlobs(ctx, cfg)
}
