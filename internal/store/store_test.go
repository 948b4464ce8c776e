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
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		storetest.Run(t, func(t *testing.T) *store.Store { return apitest.OpenStore(t, eng.URL(t)) })
	})
}

func TestOpenRefusesUnknownURLs(t *testing.T) {
	for _, u := range []string{"mysql://x", "", "sqlite:"} {
		if _, err := store.Open(context.Background(), u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}
