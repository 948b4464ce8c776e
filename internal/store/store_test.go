package store_test

import (
	"context"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/store"
	"github.com/weiquan/weiquan/internal/store/storetest"
)

// TestContract runs the one store suite on SQLite and PostgreSQL.
func TestContract(t *testing.T) {
	for _, eng := range apitest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) *store.Store {
				s, err := store.Open(context.Background(), eng.URL(t))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if _, err := s.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}

func TestOpenRefusesUnknownURLs(t *testing.T) {
	for _, u := range []string{"mysql://x", "", "sqlite:"} {
		if _, err := store.Open(context.Background(), u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}
