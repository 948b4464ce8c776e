package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/client"
	"github.com/weiquan/weiquan/internal/apitest"
)

// TestWalkthrough runs the README's refund walkthrough with the Go client
// against a test server on each engine.
func TestWalkthrough(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		e := apitest.Open(t, eng.URL(t))
		var out bytes.Buffer
		if err := run(context.Background(), client.New(e.Server.URL, e.Integration), "T1001", &out); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		for _, want := range []string{"WAIT_SELLER_AGREE", "stale agree refused: 412 precondition_failed", "confirm-return → SUCCESS", "refunded ¥199.00; ledger balanced: true"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
	})
}
