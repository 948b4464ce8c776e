package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
)

// Write health. A write transaction that fails for a storage reason
// (fault.StorageUnavailable: the disk is full, an I/O error, the connection
// is gone) marks the store's
// writes as failing until one succeeds; Ping (readiness) reports it, and
// tries a write of its own so that a replica whose disk got
// space again becomes ready without waiting for traffic.

// writeFailure is the first storage failure of a run of them.
type writeFailure struct {
	err error
	at  time.Time
}

// noteWrite records a write transaction's outcome for Ping.
func (s *Store) noteWrite(err error) {
	switch {
	case err == nil:
		if s.writeFail.Load() != nil {
			s.writeFail.Store(nil)
		}
	case fault.StorageUnavailable(err):
		if s.writeFail.Load() == nil {
			s.writeFail.CompareAndSwap(nil, &writeFailure{err: err, at: time.Now()})
		}
	}
}

// writeHealth is nil, or why writes are failing. When they are, on SQLite
// it first tries a write of its own: if that commits, writes work again.
func (s *Store) writeHealth(ctx context.Context) error {
	f := s.writeFail.Load()
	if f == nil {
		return nil
	}
	if s.probeWrite(ctx) == nil {
		return nil
	}
	return fmt.Errorf("store: writes failing since %s: %w", f.at.UTC().Format(time.RFC3339), f.err)
}

// probeWrite is a write transaction of about a command's size: it inserts
// and deletes a 16 KiB idempotency row of its own, so that its pages go
// through the WAL at commit and nothing is left behind.
func (s *Store) probeWrite(ctx context.Context) error {
	return s.InTx(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, `INSERT INTO idempotency (principal, key, method, path, body_hash, status, response, created_at) VALUES (?, ?, '', '', '', 0, ?, 0)`,
			probePrincipal, "probe", strings.Repeat("0", 16<<10)); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM idempotency WHERE principal = ?`, probePrincipal)
		return err
	})
}

// probePrincipal owns the readiness probe's idempotency row (no API key has
// this id).
const probePrincipal = "weiquan:readiness-probe"
