package httpapi_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
)

func TestRefundLifecycleOnBothEngines(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *apitest.Env) {
		id := refundOnly(e, "T1", 19900, apitest.Shipped, "not_received")
		res := e.Act(id, "agree", e.Key(actor.Seller, "S1"), agreeReturn)
		if res.Status != 200 || res.Str("status") != "SUCCESS" {
			t.Fatalf("agree: %d %s", res.Status, res.Body)
		}
	})
}
