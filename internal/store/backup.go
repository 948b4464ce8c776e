package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of a SQLite database to path while it is
// in use (VACUUM INTO: one read transaction, so writers carry on and the
// copy is a snapshot; the copy is also compacted). path must not exist.
// PostgreSQL is backed up with pg_dump (README, "Backups").
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return errors.New("store: backup: PostgreSQL is backed up with pg_dump (see the README, Backups)")
	}
	if path == "" {
		return errors.New("store: backup: no output file")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup: %s exists: refusing to overwrite it", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// A connection of the read pool, not the writer: commands go on while
	// the copy is made. The pool's connections are query_only, which VACUUM
	// INTO (it writes the new file) needs lifted for the copy.
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.r == s.w { // :memory: — one pool, writable
		if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
			return fmt.Errorf("store: backup to %s: %w", path, err)
		}
		return nil
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, path)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA query_only = 1`); rerr != nil {
		// Never hand a writable connection back to the read pool.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return errors.Join(err, rerr)
	}
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}
