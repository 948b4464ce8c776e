package store

import (
	"context"
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
	if _, err := s.r.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}
