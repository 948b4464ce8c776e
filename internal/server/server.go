// Package server assembles weiquan: store, rule book, service, workers and
// the HTTP API, and runs them until the context ends (graceful shutdown).
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/weiquan/weiquan/internal/clock"
	"github.com/weiquan/weiquan/internal/config"
	"github.com/weiquan/weiquan/internal/evidence"
	"github.com/weiquan/weiquan/internal/evidence/s3blob"
	"github.com/weiquan/weiquan/internal/httpapi"
	"github.com/weiquan/weiquan/internal/httpx"
	"github.com/weiquan/weiquan/internal/metrics"
	"github.com/weiquan/weiquan/internal/netguard"
	"github.com/weiquan/weiquan/internal/notify"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/textengine"
	"github.com/weiquan/weiquan/internal/web"
	"github.com/weiquan/weiquan/internal/worker"
)

// Version is set at build time (-ldflags "-X …server.Version=…").
var Version = "0.1.0-dev"

// LoadPolicy returns the rule book: the file if given, else the embedded default.
func LoadPolicy(file string) (*policy.Book, error) {
	if file == "" {
		return policy.Default(), nil
	}
	return policy.Load(file)
}

// OpenService opens and migrates the store and builds the service over
// it. The caller owns the store: it closes it when done (and may hand it
// to what runs beside the service: metrics, the outbox, harnesses).
func OpenService(ctx context.Context, dbURL string, book *policy.Book, clk clock.Clock, log *slog.Logger, obs service.Observer) (*service.Service, *store.Store, error) {
	return openService(ctx, dbURL, store.Options{}, book, service.Options{Clock: clk, Logger: log, Observer: obs})
}

func openService(ctx context.Context, dbURL string, so store.Options, book *policy.Book, o service.Options) (*service.Service, *store.Store, error) {
	st, err := store.OpenWith(ctx, dbURL, so)
	if err != nil {
		return nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	svc := service.New(st, book, o)
	if err := svc.RecordPolicy(ctx); err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("record policy: %w", err)
	}
	return svc, st, nil
}

// A request's headers must arrive within readHeaderTimeout and the whole
// request within bodyReadTimeout, so that connections trickling bytes are
// cut; evidence uploads extend their own deadline (httpapi, web).
var (
	readHeaderTimeout = 10 * time.Second
	bodyReadTimeout   = 30 * time.Second
)

// Server is a running weiquan.
type Server struct {
	Svc *service.Service
	// Sandbox is the sandbox's service (nil: sandbox-db = off).
	Sandbox  *service.Service
	st       *store.Store // the store the server opened: metrics, outbox, site messages; closed last
	Addr     string       // the bound address
	http     *http.Server
	ln       net.Listener
	workers  *worker.Deadlines
	outbox   *worker.Outbox
	nats     *notify.NATS
	cancel   context.CancelFunc
	log      *slog.Logger
	shutdown time.Duration
	done     chan error
	sandbox  *sandboxRun // nil: sandbox-db = off
	connMu   sync.Mutex
	fresh    map[net.Conn]struct{} // accepted connections that have not sent a request yet
}

func (s *Server) closeFresh() {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	for c := range s.fresh {
		_ = c.Close()
	}
}

// trackConn remembers connections that were accepted but never used:
// http.Server.Shutdown would wait 5 s for each of them.
func (s *Server) trackConn(c net.Conn, st http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.fresh == nil {
		s.fresh = map[net.Conn]struct{}{}
	}
	if st == http.StateNew {
		s.fresh[c] = struct{}{}
	} else {
		delete(s.fresh, c)
	}
}

// Open is what every command that works on the database uses: it opens
// and migrates cfg's store and builds the service with the rule book in
// force: cfg's policy file if given, else the newest version an admin set
// through PUT /v1/policy (kept across restarts), else the embedded default.
// The caller closes the store.
func Open(ctx context.Context, cfg config.Config, clk clock.Clock, log *slog.Logger, obs service.Observer) (*service.Service, *store.Store, error) {
	book, err := LoadPolicy(cfg.PolicyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("config: policy: %w", err)
	}
	if clk == nil {
		clk = clock.System{}
	}
	svc, st, err := openService(ctx, cfg.DB, store.Options{SQLiteSynchronous: cfg.SQLiteSync}, book, service.Options{Clock: clk, Logger: log, Observer: obs})
	if err != nil {
		return nil, nil, err
	}
	if _, err := svc.RefreshCalendar(ctx); err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("calendar: %w", err)
	}
	if cfg.PolicyFile == "" {
		changed, err := svc.LoadStoredPolicy(ctx)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		if changed {
			log.Info("rule book from the database", "policy_version", svc.Policy().Version)
		}
	}
	return svc, st, nil
}

// Start opens everything and starts serving in the background.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var m *metrics.Metrics
	clk := clock.System{}
	svc, st, err := Open(ctx, cfg, clk, log, observerFunc(func() *metrics.Metrics { return m }))
	if err != nil {
		return nil, err
	}
	book := svc.Policy()
	// Every replica follows the rule book set on any of them.
	follower, err := svc.FollowPolicy(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	blobs, err := openBlobs(ctx, cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	svc.SetBlobs(blobs)
	hookNets, _ := netguard.Parse(cfg.WebhookAllow) // checked by Validate
	svc.SetWebhookAllow(hookNets)
	// One set of text engines (router with the trained models, linter,
	// abuse detector, listing scanner) for the API and the pages alike.
	text, err := textengine.Load(cfg.ModelDir)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("config: --model-dir: %w", err)
	}
	m = metrics.New(st, clk.Now)
	m.ObserveCalendar(func() int { return svc.CalendarStatus().DaysCovered }, service.CalendarWarnDays)
	api := httpapi.New(svc, log, m, Version, text)
	api.SetKeyLimit(httpx.NewLimiter(cfg.RateKey, cfg.RateKeyBurst))
	proxies, _ := cfg.Proxies() // validated above
	svc.SetSignInSecret(cfg.SignInSecret)
	// Staff sign in with a TOTP code, except in the demo (its printed
	// accounts are for trying the pages).
	pages, err := web.New(svc, log, web.Options{Text: text, TrustedProxies: proxies, NoStaffTOTP: cfg.Demo})
	if err != nil {
		st.Close()
		return nil, err
	}
	// The sandbox: its own store and service, the same code (sandbox.go).
	sbSvc, sbSt, sbOn, err := OpenSandbox(ctx, cfg, book, clk, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	var sbAPI http.Handler
	var sbBlobs *evidence.Blobs
	if sbOn {
		if sbBlobs, err = sandboxBlobs(ctx, cfg); err != nil {
			sbSt.Close()
			st.Close()
			return nil, err
		}
		sa := httpapi.New(sbSvc, log.With("sandbox", true), nil, Version, text)
		sa.SetKeyLimit(httpx.NewLimiter(cfg.RateKey, cfg.RateKeyBurst))
		sbAPI = sa.Handler()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		if sbOn {
			sbSt.Close()
		}
		st.Close()
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{Svc: svc, st: st, Addr: ln.Addr().String(), ln: ln, cancel: cancel, log: log, shutdown: cfg.ShutdownTimeout, done: make(chan error, 1),
		http: &http.Server{Handler: httpx.LimitBodies(httpapi.MaxRequestBody, httpx.LimitAddr(httpx.NewLimiter(cfg.RateAddr, cfg.RateAddrBurst), pages.ClientAddr, web.Mount(httpapi.WithSandbox(api.Handler(), sbAPI), pages.Handler()))),
			ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: bodyReadTimeout, IdleTimeout: 2 * time.Minute,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}}
	s.http.ConnState = s.trackConn
	workers := cfg.DeadlineWorkers
	if workers == 0 {
		workers = 1
		if st.Dialect() == store.Postgres {
			workers = 2
		}
	}
	s.workers = worker.NewDeadlines(svc, log, worker.DeadlineConfig{Interval: cfg.DeadlineInterval, BatchSize: cfg.DeadlineBatch, Workers: workers})
	s.workers.Start(wctx)
	if sbOn {
		s.sandbox = startSandbox(wctx, cfg, sbSvc, sbSt, sbBlobs, hookNets, log)
		s.Sandbox = sbSvc
	}
	worker.StartIdemPurge(wctx, svc, log, worker.IdemPurgeConfig{Retain: cfg.IdemRetention})
	clock.Every(wctx, cfg.PolicyPoll, func() { followPolicy(wctx, follower, log) })
	// The working-day calendar: imports on any replica are loaded at the
	// policy poll; the coverage warning is logged at start and daily.
	svc.CheckCalendar(ctx)
	clock.Every(wctx, cfg.PolicyPoll, func() {
		if _, err := svc.RefreshCalendar(wctx); err != nil && wctx.Err() == nil {
			log.Warn("calendar reload", "err", err)
		}
	})
	clock.Every(wctx, 24*time.Hour, func() { svc.CheckCalendar(wctx) })
	worker.StartRetention(wctx, svc, log, worker.RetentionConfig{})
	static := map[string]notify.Channel{notify.ChannelSite: &notify.SiteChannel{Store: st}}
	var sms notify.SMSSender = &notify.FileSMS{Path: cfg.SMSPath()}
	if cfg.SMSURL != "" {
		sms = &notify.HTTPSMS{URL: cfg.SMSURL, Token: cfg.SMSToken}
	}
	static[notify.ChannelSMS] = &notify.SMSChannel{Sender: sms, Routes: notify.DefaultSMSRoutes()}
	if cfg.NATSURL != "" {
		pub, err := notify.NewNATS(ctx, notify.NATSConfig{URL: cfg.NATSURL})
		if err != nil {
			cancel()
			s.workers.Stop()
			_ = s.sandbox.stop()
			st.Close()
			return nil, fmt.Errorf("nats: %w", err)
		}
		s.nats = pub
		static[notify.ChannelNATS] = pub
	}
	s.outbox = worker.NewOutbox(st, worker.OutboxChannels{Static: static, Webhooks: notify.NewWebhooksWith(hookNets)}, log,
		worker.OutboxConfig{Interval: cfg.OutboxInterval, BatchSize: 1000, Concurrency: 16, Observe: m.WebhookAttempt})
	s.outbox.Start(wctx)
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	sync, _ := st.Synchronous(ctx)
	log.Info("weiquan serving", "addr", s.Addr, "sandbox", sbOn, "sqlite_synchronous", sync, "db", string(st.Dialect()), "policy_version", book.Version, "policy_digest", book.Digest, "version", Version)
	return s, nil
}

// Wait blocks until ctx ends, then shuts down gracefully: stop accepting,
// finish in-flight requests, stop the workers, close the store.
func (s *Server) Wait(ctx context.Context) error {
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-s.done:
	}
	return errors.Join(serveErr, s.Close())
}

// Close shuts the server down.
func (s *Server) Close() error {
	sctx, cancel := context.WithTimeout(context.Background(), s.shutdown)
	defer cancel()
	// Drop connections that never sent a request (before Shutdown, and once
	// more after it has closed the listener); in-flight requests finish.
	s.closeFresh()
	time.AfterFunc(50*time.Millisecond, s.closeFresh)
	err := s.http.Shutdown(sctx)
	s.cancel()
	s.workers.Stop()
	s.outbox.Stop()
	if s.nats != nil {
		_ = s.nats.Close()
	}
	sbErr := s.sandbox.stop()
	s.log.Info("weiquan stopped")
	return errors.Join(err, sbErr, s.st.Close())
}

// followPolicy applies a rule book version set on another replica, and
// logs it.
func followPolicy(ctx context.Context, f *service.PolicyFollower, log *slog.Logger) {
	book, changed, err := f.Poll(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Warn("rule book poll", "err", err)
	case changed:
		log.Info("rule book changed on another replica: now in force", "policy_version", book.Version, "policy_digest", book.Digest)
	}
}

// observerFunc defers to metrics built after the service.
type observerFunc func() *metrics.Metrics

func (f observerFunc) Transition(a, e string) {
	if m := f(); m != nil {
		m.Transition(a, e)
	}
}

func (f observerFunc) DeadlineFired(k string, late time.Duration) {
	if m := f(); m != nil {
		m.DeadlineFired(k, late)
	}
}

// MustDefaultPolicy returns the embedded rule book.
func MustDefaultPolicy() *policy.Book { return policy.Default() }

// openBlobs opens the evidence store: the bucket when evidence-s3-endpoint
// is set (shared by every replica), else the folder evidence-dir.
func openBlobs(ctx context.Context, cfg config.Config) (*evidence.Blobs, error) {
	limits := evidence.Limits{MaxFileBytes: cfg.EvidenceMaxFile, MaxCaseBytes: cfg.EvidenceMaxCase}
	if !cfg.UseS3() {
		return evidence.Open(cfg.EvidencePath(), limits)
	}
	bucket, err := s3blob.Open(ctx, s3blob.Config{Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket, Prefix: cfg.S3Prefix,
		AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, Region: cfg.S3Region, TLS: cfg.S3TLS})
	if err != nil {
		return nil, err
	}
	return evidence.New(bucket, limits)
}
