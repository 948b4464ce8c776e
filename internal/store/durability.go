package store

import (
	"context"
	"fmt"
)

// Synchronous reports SQLite's synchronous setting on the writer ("FULL",
// "NORMAL", …) as it is in force, for the start-up log and tests; "" on
// PostgreSQL, whose durability is the server's (synchronous_commit).
func (s *Store) Synchronous(ctx context.Context) (string, error) {
	if s.dialect != SQLite {
		return "", nil
	}
	var n int
	if err := s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&n); err != nil {
		return "", err
	}
	switch n {
	case 0:
		return "OFF", nil
	case 1:
		return "NORMAL", nil
	case 2:
		return "FULL", nil
	case 3:
		return "EXTRA", nil
	}
	return fmt.Sprint(n), nil
}
