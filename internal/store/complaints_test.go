package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/penalty"
	"github.com/weiquan/weiquan/internal/store"
)

// TestSanctionUniquePerThreshold: the store keeps one points sanction per
// party, class, year and threshold, and one violation per complaint, even
// when concurrent transactions insert them (the index is the last line of
// defence behind the party lock).
func TestSanctionUniquePerThreshold(t *testing.T) {
	ctx := context.Background()
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		s := apitest.OpenStore(t, eng.URL(t))
		t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		mk := func(id string, threshold int64, year int) penalty.Sanction {
			return penalty.Sanction{ID: id, PartyRole: "seller", PartyID: "S1", Kind: "public_warning", Class: "A", Threshold: threshold, Year: year,
				Source: penalty.SourcePoints, StartAt: t0, Violations: []string{"v1"}, RuleIDs: []string{"ours-x"}, Status: penalty.Imposed,
				Version: 1, CreatedAt: t0, UpdatedAt: t0}
		}
		var wg sync.WaitGroup
		inserted := make([]bool, 8)
		errs := make([]error, 8)
		for i := range inserted {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.InTx(ctx, func(tx *store.Tx) error {
					ok, err := tx.InsertSanction(ctx, mk("s"+string(rune('a'+i)), 12, 2026))
					inserted[i] = ok
					return err
				})
			}()
		}
		wg.Wait()
		n := 0
		for i := range inserted {
			if errs[i] != nil {
				t.Fatalf("insert %d: %v", i, errs[i])
			}
			if inserted[i] {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d concurrent inserts of one threshold succeeded, want 1", n)
		}
		if c, _ := s.CountSanctions(ctx, "seller", "S1", "A", 2026, 12); c != 1 {
			t.Fatalf("stored %d", c)
		}
		// Another year or threshold is another sanction.
		for _, x := range []penalty.Sanction{mk("y2027", 12, 2027), mk("t24", 24, 2026)} {
			if err := s.InTx(ctx, func(tx *store.Tx) error {
				ok, err := tx.InsertSanction(ctx, x)
				if !ok && err == nil {
					t.Errorf("%s not inserted", x.ID)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		v := penalty.Violation{ID: "v1", PartyRole: "seller", PartyID: "S1", Type: "fake_shipment", Class: "A", Points: 6, Year: 2026, At: t0, ComplaintID: "c1", RuleIDs: []string{"ours-x"}, CreatedAt: t0}
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.LockParty(ctx, "seller", "S1"); err != nil {
				return err
			}
			return tx.InsertViolation(ctx, v)
		}); err != nil {
			t.Fatal(err)
		}
		v.ID = "v2"
		err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertViolation(ctx, v) })
		if err != store.ErrViolationExists {
			t.Fatalf("second violation of one complaint: %v", err)
		}
	})
}
