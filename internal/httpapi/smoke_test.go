package httpapi_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

func TestRefundLifecycleOnBothEngines(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		e.NewOrder("T1", "B1", "S1", 19900, apitest.Shipped)
		id := e.Aftersale("T1", "B1", map[string]any{"type": "refund_only", "reason": "not_received", "amount": 19900})
		res := e.Act(id, "agree", e.Key(actor.Seller, "S1"), agreeReturn)
		if res.Status != 200 || res.Str("status") != "SUCCESS" {
			t.Fatalf("agree: %d %s", res.Status, res.Body)
		}
	})
}
