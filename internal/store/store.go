// Package store keeps weiquan's state in SQLite (embedded default) or
// PostgreSQL with the same SQL: hand-written, ? placeholders rebound for
// PostgreSQL in one place, times as microseconds since the epoch, money as
// integer fen. Each command runs in one transaction (InTx); optimistic
// version checks make concurrent conflicting writes fail with a
// fault.Conflict instead of overwriting each other.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing/fstest" // MapFS: an in-memory folder (no test machinery)
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/ledger"
	"github.com/weiquan/weiquan/internal/money"
	"github.com/weiquan/weiquan/internal/order"
)

//go:embed migrations
var migrations embed.FS

// Store is an open database: a write handle and a read handle (the same pool
// on PostgreSQL; one writer connection beside a read pool on SQLite).
type Store struct {
	dialect Dialect
	w       *sql.DB
	r       *sql.DB
	pool    *pgxpool.Pool
	url     string
	stmts   *stmtCache

	groupOnce sync.Once
	groupMu   sync.Mutex // guards sending on group against Close
	group     chan txReq
	closed    bool

	ckptStop chan struct{} // SQLite file: stops the background checkpointer
	ckptDone chan struct{}

	writeFail atomic.Pointer[writeFailure] // set while write transactions fail for a storage reason (health.go)
}

// Options are the settings of a store beyond its URL.
type Options struct {
	// SQLiteSynchronous is SQLite's synchronous pragma on the writer:
	// "FULL" (the default: a commit is on disk before it is acknowledged,
	// power loss included) or "NORMAL" (a commit survives a crash of the
	// process but the last ones may be lost on power loss or an OS crash).
	SQLiteSynchronous string
}

// SQLiteSynchronousModes are the accepted values of Options.SQLiteSynchronous.
var SQLiteSynchronousModes = []string{"FULL", "NORMAL"}

// Open opens a database URL: "sqlite:PATH" (or "sqlite::memory:") or
// "postgres://…" with the default Options. It does not migrate: call Migrate.
func Open(ctx context.Context, dbURL string) (*Store, error) { return OpenWith(ctx, dbURL, Options{}) }

// OpenWith opens a database URL with options.
func OpenWith(ctx context.Context, dbURL string, o Options) (*Store, error) {
	switch {
	case strings.HasPrefix(dbURL, "sqlite:"):
		return openSQLite(strings.TrimPrefix(dbURL, "sqlite:"), dbURL, o)
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		cfg, err := pgxpool.ParseConfig(dbURL)
		if err != nil {
			return nil, fault.Field("db", "无法解析数据库地址 / cannot parse the database URL: %v", err)
		}
		if cfg.MaxConns < 8 {
			cfg.MaxConns = 16
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("store: connect postgres: %w", err)
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store: ping postgres: %w", err)
		}
		db := stdlib.OpenDBFromPool(pool)
		return &Store{dialect: Postgres, w: db, r: db, pool: pool, url: dbURL}, nil
	}
	return nil, fault.Field("db", "数据库地址须以 sqlite: 或 postgres:// 开头 / the database URL must start with sqlite: or postgres://")
}

func openSQLite(path, dbURL string, o Options) (*Store, error) {
	if path == "" {
		return nil, fault.Field("db", "SQLite 路径为空 / empty SQLite path")
	}
	syncMode := strings.ToUpper(o.SQLiteSynchronous)
	if syncMode == "" {
		syncMode = "FULL"
	}
	if syncMode != "FULL" && syncMode != "NORMAL" {
		return nil, fault.Field("sqlite-synchronous", "须为 FULL 或 NORMAL / want FULL or NORMAL, got %q", o.SQLiteSynchronous)
	}
	if path != ":memory:" {
		// The database holds parties' personal data: readable by its owner
		// only. Created here, before SQLite opens it, so it is never
		// world-readable; the -wal and -shm files take the database's mode.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: create sqlite %s: %w", path, err)
		}
		f.Close()
	}
	// temp_store(MEMORY): the statement and savepoint journals (group commit
	// runs each command in a savepoint) stay in memory instead of temp files.
	// journal_size_limit: after a checkpoint resets the WAL, the file is
	// truncated back to 64 MiB, so that space a full disk got back is not
	// kept by a WAL that grew while checkpoints could not run.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(" + syncMode + ")&_pragma=temp_store(MEMORY)&_pragma=journal_size_limit(67108864)"
	var wdsn, rdsn string
	if path == ":memory:" {
		// One shared in-memory database; a single connection serves reads too.
		wdsn = "file:weiquan-mem?mode=memory&cache=shared&" + pragmas + "&_txlock=immediate"
		rdsn = wdsn
	} else {
		p := "file:" + (&url.URL{Path: path}).EscapedPath()
		// The writer checkpoints only as a backstop (a WAL of 8,000 pages):
		// a background connection copies the WAL into the database every
		// checkpointEvery, on the other core, instead of inside the single
		// writer's commits (see checkpointer).
		wdsn = p + "?_pragma=journal_mode(WAL)&" + pragmas + "&_pragma=wal_autocheckpoint(8000)&_txlock=immediate"
		rdsn = p + "?_pragma=journal_mode(WAL)&" + pragmas + "&_pragma=query_only(1)"
	}
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r := w
	if rdsn != wdsn {
		r, err = sql.Open("sqlite", rdsn)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open sqlite reader: %w", err)
		}
		r.SetMaxOpenConns(4)
		r.SetMaxIdleConns(4)
	}
	st := &Store{dialect: SQLite, w: w, r: r, url: dbURL,
		stmts: &stmtCache{ready: map[string]*sql.Stmt{}, pending: map[string]struct{}{}}}
	if rdsn != wdsn {
		c, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+pragmas)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
		}
		c.SetMaxOpenConns(1)
		st.ckptStop, st.ckptDone = make(chan struct{}), make(chan struct{})
		go st.checkpointer(c, st.ckptStop, st.ckptDone)
	}
	return st, nil
}

// checkpointEvery is how often the background checkpointer runs.
const checkpointEvery = 200 * time.Millisecond

// checkpointer runs PASSIVE checkpoints on its own connection: it copies
// what it can of the WAL into the database without waiting for or blocking
// the writer or the readers, so the writer's commits no longer do that work
// (it was about a tenth of the writer's time under load). The writer's own
// auto-checkpoint stays as a backstop should the WAL outgrow 8,000 pages.
func (s *Store) checkpointer(c *sql.DB, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer c.Close()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			mode := "PASSIVE"
			if s.writeFail.Load() != nil {
				mode = "TRUNCATE" // writes are failing (a full disk?): give the WAL's space back
			}
			_, _ = c.ExecContext(ctx, "PRAGMA wal_checkpoint("+mode+")")
			cancel()
		}
	}
}

// Dialect returns the engine.
func (s *Store) Dialect() Dialect { return s.dialect }

// URL returns the URL the store was opened with.
func (s *Store) URL() string { return s.url }

// Close closes the handles.
func (s *Store) Close() error {
	var err error
	s.groupMu.Lock()
	stop, done := s.ckptStop, s.ckptDone
	s.ckptStop = nil // a second Close does not close it again
	s.groupMu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	if s.r != s.w {
		err = s.r.Close()
	}
	s.groupMu.Lock()
	if !s.closed && s.group != nil {
		close(s.group)
	}
	s.closed = true
	s.groupMu.Unlock()
	err = errors.Join(err, s.w.Close())
	if s.pool != nil {
		s.pool.Close()
	}
	return err
}

// Ping checks the database answers and, when writes have been failing for
// a storage reason, that a write goes through again (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return err
	}
	return s.writeHealth(ctx)
}

// MigrationFiles returns the dialect's migrations as one folder: the
// portable ones (migrations/portable, one SQL text for both engines, with
// the spellings that differ written as tokens: {{JSON}} for a JSON column's
// type, {{FIELD col key}} for a JSON field in an index, {{IDENTITY}} for an
// auto-numbered integer primary key) and the dialect's own variants
// (migrations/<dialect>, where the SQL must differ). A dialect file with a
// portable one's name and no "-- +goose Up" line is that migration's engine
// part: its statements run after the portable ones, in the same migration
// (00007: the tables are portable, the append-only triggers are not).
// Errors: a whole migration in both places, a token left unknown.
func MigrationFiles(d Dialect) (fs.FS, error) {
	out := fstest.MapFS{}
	for _, dir := range []string{"migrations/portable", "migrations/" + string(d)} {
		entries, err := fs.ReadDir(migrations, dir)
		if err != nil {
			return nil, fmt.Errorf("store: migrations: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := fs.ReadFile(migrations, dir+"/"+e.Name())
			if err != nil {
				return nil, fmt.Errorf("store: migrations: %w", err)
			}
			if dir == "migrations/portable" {
				if b, err = renderMigration(b, d); err != nil {
					return nil, fmt.Errorf("store: migration %s: %w", e.Name(), err)
				}
			}
			if portable, ok := out[e.Name()]; ok {
				if bytes.Contains(b, []byte("-- +goose Up")) {
					return nil, fmt.Errorf("store: migration %s is both portable and %s-specific", e.Name(), d)
				}
				b = slices.Concat(portable.Data, []byte("\n"), b)
			}
			out[e.Name()] = &fstest.MapFile{Data: b, Mode: 0o444}
		}
	}
	return out, nil
}

// migrationToken is a dialect-dependent spelling in a portable migration.
var migrationToken = regexp.MustCompile(`\{\{(JSON|IDENTITY|FIELD ([a-z_]+) ([a-z_]+))\}\}`)

// renderMigration spells a portable migration's tokens for d.
func renderMigration(sql []byte, d Dialect) ([]byte, error) {
	out := migrationToken.ReplaceAllFunc(sql, func(tok []byte) []byte {
		m := migrationToken.FindSubmatch(tok)
		switch {
		case string(m[1]) == "JSON" && d == Postgres:
			return []byte("JSONB")
		case string(m[1]) == "JSON":
			return []byte("TEXT")
		case string(m[1]) == "IDENTITY" && d == Postgres:
			return []byte("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
		case string(m[1]) == "IDENTITY":
			return []byte("INTEGER PRIMARY KEY AUTOINCREMENT")
		case d == Postgres:
			return fmt.Appendf(nil, "(%s->>'%s')", m[2], m[3])
		default:
			return fmt.Appendf(nil, "json_extract(%s, '$.%s')", m[2], m[3])
		}
	})
	if i := bytes.Index(out, []byte("{{")); i >= 0 {
		return nil, fmt.Errorf("unknown token at byte %d", i)
	}
	return out, nil
}

// Migrate applies the embedded forward-only migrations of the dialect and
// returns how many it applied.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	sub, err := MigrationFiles(s.dialect)
	if err != nil {
		return 0, err
	}
	var opts []goose.ProviderOption
	d := goose.DialectSQLite3
	if s.dialect == Postgres {
		d = goose.DialectPostgres
		// One advisory lock per schema, so that databases sharing a server
		// (one schema each, as the tests do) do not queue behind each other.
		var schema string
		if err := s.w.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return 0, fmt.Errorf("store: current schema: %w", err)
		}
		h := fnv.New64a()
		_, _ = h.Write([]byte("weiquan-migrate:" + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return 0, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d, s.w, sub, opts...)
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	return len(res), nil
}

// Tx is one write transaction.
type Tx struct {
	q     txQuerier // what statements run on: tx (SQLite) or conn (PostgreSQL)
	tx    *sql.Tx   // SQLite
	d     Dialect
	stmts *stmtCache // SQLite: statements prepared once on the single writer connection

	conn      *sql.Conn                    // PostgreSQL: the transaction's connection; BEGIN and COMMIT travel in its pipelines (pipeline.go)
	begun     bool                         // PostgreSQL: BEGIN has been sent
	later     []laterExec                  // queued writes, sent at the next read, savepoint or commit
	flushErr  error                        // a flush that failed inside queryRow (reported by cause)
	writes    int                          // write statements sent (or tried): a command that failed after one needs its savepoint
	pre       map[string]aftersale.State   // PrefetchAftersales: requests by id, handed out once
	preOrders map[string]order.Order       // and their orders by id
	bal       map[ledger.Account]money.Fen // balance rows this transaction holds (locked), as it left them
}

// flushFirst sends the queued writes (and on PostgreSQL the transaction's
// BEGIN) before a statement that is not pipelined.
func (t *Tx) flushFirst(ctx context.Context) error {
	if len(t.later) == 0 && (t.conn == nil || t.begun) {
		return nil
	}
	err := t.pipe(ctx, nil)
	if err != nil && t.flushErr == nil {
		t.flushErr = err
	}
	return err
}

// cause prefers the error of a failed flush over err, which may only be
// PostgreSQL saying the transaction is aborted because of it.
func (t *Tx) cause(err error) error {
	if t.flushErr != nil {
		fe := t.flushErr
		t.flushErr = nil
		return fe
	}
	return err
}

// stmtCache keeps the SQLite writer's prepared statements. A statement is
// prepared on the database (outside any transaction, since the writer has
// one connection) the first time a transaction is about to start after the
// statement was seen, and reused by every later transaction through
// Tx.StmtContext, which finds it already prepared on that connection.
type stmtCache struct {
	mu      sync.Mutex
	ready   map[string]*sql.Stmt
	pending map[string]struct{}
}

const maxCachedStmts = 512

func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.ready[q]; ok {
		return st
	}
	if len(c.ready)+len(c.pending) < maxCachedStmts {
		c.pending[q] = struct{}{}
	}
	return nil
}

// prepare prepares the statements seen since the last call.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	qs := make([]string, 0, len(c.pending))
	for q := range c.pending {
		qs = append(qs, q)
	}
	c.pending = map[string]struct{}{}
	c.mu.Unlock()
	for _, q := range qs {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue // not every statement prepares (e.g. a transient error): it runs unprepared
		}
		c.mu.Lock()
		if _, dup := c.ready[q]; dup {
			st.Close()
		} else {
			c.ready[q] = st
		}
		c.mu.Unlock()
	}
}

// prepared is the transaction's prepared statement of q (SQLite's writer
// prepares its statements once), or nil, with q rebound for the dialect.
func (t *Tx) prepared(ctx context.Context, q string) (*sql.Stmt, string) {
	q = t.d.rebind(q)
	if t.stmts != nil {
		if st := t.stmts.get(q); st != nil {
			return t.tx.StmtContext(ctx, st), q
		}
	}
	return nil, q
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.writes++
	if t.conn != nil {
		var n int64
		err := t.pipe(ctx, &laterExec{q: t.d.rebind(q), args: args, check: func(rows int64, err error) error { n = rows; return err }})
		return rowCount(n), err
	}
	if st, q := t.prepared(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	} else {
		return t.tx.ExecContext(ctx, q, args...)
	}
}

// rowScanner is one row to scan: a *sql.Row, or a read pipelined behind a
// transaction's queued writes (PostgreSQL).
type rowScanner interface{ Scan(dest ...any) error }

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) rowScanner {
	if t.conn != nil && (!t.begun || len(t.later) > 0) {
		return &pipedRow{t: t, ctx: ctx, q: t.d.rebind(q), args: args}
	}
	if st, q := t.prepared(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	} else {
		return t.q.QueryRowContext(ctx, q, args...)
	}
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := t.flushFirst(ctx); err != nil {
		return nil, err
	}
	if st, q := t.prepared(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	} else {
		return t.q.QueryContext(ctx, q, args...)
	}
}

// Savepoint runs fn inside a savepoint: on error only fn's writes are undone.
func (t *Tx) Savepoint(ctx context.Context, fn func() error) error {
	if err := t.flushFirst(ctx); err != nil {
		return t.cause(err)
	}
	if _, err := t.q.ExecContext(ctx, "SAVEPOINT sp"); err != nil {
		return err
	}
	err := fn()
	if err == nil {
		err = t.Flush(ctx) // fn's queued writes belong to the savepoint
	}
	if err != nil {
		// Undone with the savepoint: fn's queued writes, its balance
		// changes, and perhaps its locks.
		t.later, t.bal = nil, nil
		err = t.cause(err)
		if _, rerr := t.q.ExecContext(ctx, "ROLLBACK TO SAVEPOINT sp"); rerr != nil {
			return fmt.Errorf("%w: %w", errTxLost, errors.Join(err, rerr))
		}
		_, _ = t.q.ExecContext(ctx, "RELEASE SAVEPOINT sp")
		return err
	}
	_, err = t.q.ExecContext(ctx, "RELEASE SAVEPOINT sp")
	return err
}

// InTx runs fn in one write transaction and commits it. Transient engine
// errors (busy, serialization, deadlock) are retried a few times; fn must
// therefore be safe to run again.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	err := s.inTx(ctx, fn)
	s.noteWrite(err)
	return err
}

func (s *Store) inTx(ctx context.Context, fn func(*Tx) error) error {
	if s.dialect == SQLite {
		if err := s.groupTx(ctx, fn); err == nil || !errors.Is(err, errGroupCommit) {
			return err
		}
		// The shared commit failed: run this command on its own.
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.inTxOnce(ctx, fn)
		if err == nil || !isRetryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return err
}

// Group commit (SQLite). SQLite has one writer and a commit costs about as
// much as the statements before it (WAL frames for every page touched), so
// the commands waiting for the writer are run together in one transaction,
// each inside its own savepoint: a command that fails is rolled back alone,
// and all the others commit at once. A caller learns its outcome only after
// the commit. If the shared commit fails, every command of the batch is run
// again on its own (commands are safe to run again: see InTx).
type txReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

var errGroupCommit = errors.New("store: group commit failed")

// errTxLost: a savepoint could not be rolled back to, so the transaction
// it was in is gone (SQLite rolled it back after a driver error).
var errTxLost = errors.New("store: transaction lost")

// isRefusal reports whether a command's error is a refusal (a fault of the
// domain's, or a missing row), which is known to leave the transaction as
// it was; a driver error may have ended it, and a panic may have left
// anything.
func isRefusal(err error) bool {
	var fe *fault.Error
	return errors.As(err, &fe) && fe.Code != fault.Internal && fe.Code != fault.Unavailable && !errors.Is(err, errTxLost)
}

// fnPanic carries a command's panic out of the group writer (whose
// goroutine must survive it) to the command's caller, which panics again
// with the same value.
type fnPanic struct{ value any }

func (p *fnPanic) Error() string { return fmt.Sprintf("store: command panicked: %v", p.value) }

// run runs the command, turning a panic into a *fnPanic.
func (r txReq) run(t *Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &fnPanic{value: v}
		}
	}()
	return r.fn(t)
}

const maxGroup = 64

func (s *Store) groupTx(ctx context.Context, fn func(*Tx) error) error {
	s.groupOnce.Do(func() {
		s.group = make(chan txReq, maxGroup)
		go s.groupWriter()
	})
	r := txReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.groupMu.Lock()
	if s.closed {
		s.groupMu.Unlock()
		return errors.New("store: closed")
	}
	select {
	case s.group <- r:
	case <-ctx.Done():
		s.groupMu.Unlock()
		return ctx.Err()
	}
	s.groupMu.Unlock()
	err := <-r.done
	if p := (*fnPanic)(nil); errors.As(err, &p) {
		panic(p.value)
	}
	return err
}

func (s *Store) groupWriter() {
	for first := range s.group {
		batch := append(make([]txReq, 0, maxGroup), first)
	gather:
		for len(batch) < maxGroup {
			select {
			case r, ok := <-s.group:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		s.runGroup(batch)
	}
}

func (s *Store) runGroup(batch []txReq) {
	ctx := context.Background()
	if s.stmts != nil {
		s.stmts.prepare(ctx, s.w)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("store: begin: %w", err)
		}
		return
	}
	t := &Tx{q: tx, tx: tx, d: s.dialect, stmts: s.stmts}
	if len(batch) == 1 {
		// Alone: no savepoint needed.
		r := batch[0]
		if err := r.ctx.Err(); err != nil {
			_ = tx.Rollback()
			r.done <- err
			return
		}
		if err := r.run(t); err != nil {
			_ = tx.Rollback()
			r.done <- err
			return
		}
		if err := tx.Commit(); err != nil {
			r.done <- fmt.Errorf("%w: %v", errGroupCommit, err)
			return
		}
		r.done <- nil
		return
	}
	errs, ok := s.runOptimistic(t, batch)
	if !ok {
		// A command failed after it wrote: its writes cannot be told from
		// the others'. Start again, each command in a savepoint.
		_ = tx.Rollback()
		if tx, err = s.w.BeginTx(ctx, nil); err != nil {
			for _, r := range batch {
				r.done <- fmt.Errorf("store: begin: %w", err)
			}
			return
		}
		t = &Tx{q: tx, tx: tx, d: s.dialect, stmts: s.stmts}
		for i, r := range batch {
			if err := r.ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			errs[i] = t.Savepoint(ctx, func() error { return r.run(t) })
			if errs[i] != nil && !isRefusal(errs[i]) {
				// A driver error may have ended the whole transaction
				// (SQLite rolls back on FULL, IOERR, NOMEM, BUSY, INTERRUPT):
				// the commands before this one are not known to be in
				// it any more, and a savepoint opened now would start
				// a new transaction without them. Nobody is told the
				// group committed: each command runs again alone.
				_ = tx.Rollback()
				for j, r := range batch {
					if p := (*fnPanic)(nil); j == i && errors.As(errs[i], &p) {
						r.done <- p
						continue
					}
					r.done <- fmt.Errorf("%w: %v", errGroupCommit, errs[i])
				}
				return
			}
		}
	}
	if err := tx.Commit(); err != nil {
		_ = tx.Rollback()
		for i, r := range batch {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("%w: %v", errGroupCommit, err)
			}
			r.done <- errs[i]
		}
		return
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// runOptimistic runs a group's commands one after another without
// savepoints. A command is load, decide, then one Commit applied at its end,
// so one refused before it writes leaves nothing to undo; ok is false when
// one failed after a write, failed otherwise (a driver error) or panicked,
// and the group must be run again with a savepoint per command.
func (s *Store) runOptimistic(t *Tx, batch []txReq) (errs []error, ok bool) {
	errs = make([]error, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		w := t.writes
		errs[i] = r.run(t)
		if errs[i] == nil {
			continue
		}
		// Only a refusal (a fault: the domain's or a missing row) is known
		// to leave the transaction as it was; a driver error may have
		// ended it (SQLite rolls back on FULL, IOERR, NOMEM, …), a panic
		// may have left anything.
		if t.writes != w || !isRefusal(errs[i]) {
			return errs, false
		}
		t.bal = nil // what the failed command read is read again by the next
	}
	return errs, true
}

func (s *Store) inTxOnce(ctx context.Context, fn func(*Tx) error) error {
	if s.dialect == Postgres {
		return s.inPipelinedTx(ctx, fn)
	}
	if s.stmts != nil {
		s.stmts.prepare(ctx, s.w)
	}
	t := &Tx{d: s.dialect, stmts: s.stmts}
	var err error
	if t.tx, err = s.w.BeginTx(ctx, nil); err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	t.q = t.tx
	err = fn(t)
	if err == nil {
		err = t.Flush(ctx)
	}
	if err != nil {
		_ = t.tx.Rollback()
		return t.cause(err)
	}
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) rowScanner {
	return s.r.QueryRowContext(ctx, s.dialect.rebind(q), args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.r.QueryContext(ctx, s.dialect.rebind(q), args...)
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.w.ExecContext(ctx, s.dialect.rebind(q), args...)
}

// micros converts a time to the stored form.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts back, in UTC.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func notFound(what, id string) error {
	return &fault.Error{Code: fault.NotFound, Message: fmt.Sprintf("%s %s 不存在 / %s %s not found", what, id, what, id)}
}

func mapNoRows(err error, what, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what, id)
	}
	return fmt.Errorf("store: get %s %s: %w", what, id, err)
}

// ErrStale marks a conflict caused by a concurrent write (an optimistic
// version check failed): the caller may reload and decide again.
var ErrStale = errors.New("store: stale version")

// expectOneCheck is expectOne as the check of a queued write.
func expectOneCheck(msg string) func(int64, error) error {
	return func(n int64, err error) error {
		if err != nil {
			return err
		}
		if n != 1 {
			return &fault.Error{Code: fault.Conflict, Message: msg, Cause: ErrStale}
		}
		return nil
	}
}

func expectOne(res sql.Result, err error, msg string) error {
	return checkResult(res, err, expectOneCheck(msg))
}
