package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// InventoryTable is a table that holds a marketplace's data, with the
// words to name its rows in a sentence.
type InventoryTable struct {
	Table, One, Many string
}

// InventoryTables are the tables Inventory counts: what a marketplace
// (or the demo) puts into a database. Bookkeeping (migrations, the rule
// book history recorded at every start, idempotency records, outbox,
// sessions) is left out.
var InventoryTables = []InventoryTable{
	{"orders", "order", "orders"},
	{"aftersales", "after-sale request", "after-sale requests"},
	{"disputes", "dispute", "disputes"},
	{"interventions", "intervention", "interventions"},
	{"complaints", "complaint", "complaints"},
	{"evidence", "evidence file", "evidence files"},
	{"ledger_transactions", "ledger transaction", "ledger transactions"},
	{"web_users", "user", "users"},
	{"api_keys", "API key", "API keys"},
	{"webhook_endpoints", "webhook endpoint", "webhook endpoints"},
	{"scripts", "reply script", "reply scripts"},
	{"policy_changes", "rule book change", "rule book changes"},
	{"calendar_imports", "calendar import", "calendar imports"},
}

// Inventory counts the rows of each inventory table that exists (a
// database not yet migrated has fewer, or none); only non-zero counts are
// returned. It reads only: it may run before Migrate.
func (s *Store) Inventory(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range InventoryTables {
		ok, err := s.tableExists(ctx, t.Table)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var n int64
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM `+t.Table).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			out[t.Table] = n
		}
	}
	return out, nil
}

func (s *Store) tableExists(ctx context.Context, name string) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if s.Dialect() == Postgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	var n int
	err := s.queryRow(ctx, q, name).Scan(&n)
	return n > 0, err
}

// RecordDemoFill stores what a demo fill wrote (Inventory after it).
func (s *Store) RecordDemoFill(ctx context.Context, id string, seed int64, counts map[string]int64, now time.Time) error {
	b, err := json.Marshal(counts)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, `INSERT INTO demo_fills (id, seed, counts, created_at) VALUES (?, ?, ?, ?)`, id, seed, string(b), micros(now))
	return err
}

// LastDemoFill returns the counts the newest demo fill recorded; ok is
// false when there was none (or the table does not exist yet).
func (s *Store) LastDemoFill(ctx context.Context) (counts map[string]int64, ok bool, err error) {
	if exists, err := s.tableExists(ctx, "demo_fills"); err != nil || !exists {
		return nil, false, err
	}
	var raw string
	err = s.queryRow(ctx, `SELECT counts FROM demo_fills ORDER BY created_at DESC, id DESC LIMIT 1`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	counts = map[string]int64{}
	return counts, true, json.Unmarshal([]byte(raw), &counts)
}
