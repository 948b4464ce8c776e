package service_test

import (
	"github.com/weiquan/weiquan/internal/actor"

	"context"
	"encoding/json"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/service"
)

// A rule book version set by an admin is stored with its author and diff,
// and a service started later on the same database can put it back in force.
func TestSetPolicyIsStoredAndReloaded(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		ctx := context.Background()
		e := apitest.Open(t, eng.URL(t))
		var m map[string]any
		_ = json.Unmarshal(policy.DefaultJSON(), &m)
		m["version"] = "2027.1"
		m["rules"].(map[string]any)["complaint.late_shipment_rate"].(map[string]any)["value"] = "800bp"
		raw, _ := json.Marshal(m)
		if _, err := e.Svc.SetPolicy(ctx, service.Caller{Role: actor.Agent, Via: "key:a"}, raw); err == nil {
			t.Fatal("an agent set the rule book")
		}
		ch, err := e.Svc.SetPolicy(ctx, service.Caller{Role: actor.Admin, Via: "key:admin1"}, raw)
		if err != nil {
			t.Fatal(err)
		}
		if ch.Author != "key:admin1" || ch.PrevVersion != policy.Default().Version || len(ch.Diff) != 2 {
			t.Fatalf("change %+v", ch)
		}
		later := service.New(e.Store, policy.Default(), service.Options{Clock: e.Clock})
		if ok, err := later.LoadStoredPolicy(ctx); err != nil || !ok || later.Policy().Version != "2027.1" {
			t.Fatalf("reload: %v %v %s", ok, err, later.Policy().Version)
		}
		if n, _ := later.Policy().Int("complaint.late_shipment_rate"); n != 800 {
			t.Fatalf("reloaded rate %d", n)
		}
		if ok, _ := later.LoadStoredPolicy(ctx); ok {
			t.Fatal("reloaded the book in force again")
		}
		old, err := later.PolicyVersion(ctx, policy.Default().Version)
		if err != nil || old.Digest != policy.Default().Digest {
			t.Fatalf("the previous version is not readable: %v", err)
		}
	})
}
