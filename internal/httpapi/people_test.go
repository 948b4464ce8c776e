package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/httpapi"
)

func init() {
	conformanceParts["people"] = runPeopleConformance
	routeActions["/v1/users/{id}/{action}"] = []string{"disable", "enable", "reset-password", "set-role", "sign-out"}
}

// runPeopleConformance exercises /v1/api-keys, /v1/users and
// /v1/sign-in-links against the document.
func runPeopleConformance(t *testing.T, e *apitest.Env, o *oasRun) {
	admin, agent := e.Admin, e.Agent
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/api-keys", Key: admin})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/api-keys", Key: agent})
	k := o.must(201, apitest.Req{Method: "POST", Path: "/v1/api-keys", Key: admin, Body: map[string]any{"role": "integration", "name": "erp",
		"expires_at": e.Clock.Now().Add(24 * time.Hour).Format(time.RFC3339)}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/api-keys", Key: admin, Body: map[string]any{"role": "buyer", "name": "no party"}})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/api-keys", Key: agent, Body: map[string]any{"role": "integration", "name": "x"}})
	id := k.Str("id")
	r := o.must(200, apitest.Req{Method: "POST", Path: "/v1/api-keys/" + id + "/rotate", Key: admin, Body: map[string]any{"grace_seconds": 0}})
	o.fail(409, apitest.Req{Method: "POST", Path: "/v1/api-keys/" + id + "/rotate", Key: admin, Body: map[string]any{}})
	o.fail(409, apitest.Req{Method: "POST", Path: "/v1/api-keys/" + id + "/revoke", Key: admin})
	o.must(200, apitest.Req{Method: "POST", Path: "/v1/api-keys/" + r.Str("id") + "/revoke", Key: admin})
	o.fail(404, apitest.Req{Method: "POST", Path: "/v1/api-keys/nothing-here/revoke", Key: admin})

	o.must(200, apitest.Req{Method: "GET", Path: "/v1/users", Key: admin})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/users", Key: agent})
	o.must(200, apitest.Req{Method: "GET", Path: "/v1/pii-reveals", Key: admin})
	o.fail(403, apitest.Req{Method: "GET", Path: "/v1/pii-reveals", Key: agent})
	u := o.must(201, apitest.Req{Method: "POST", Path: "/v1/users", Key: admin, Body: map[string]any{"login": "conf-agent", "password": "a long passphrase 42", "role": "agent"}})
	o.fail(409, apitest.Req{Method: "POST", Path: "/v1/users", Key: admin, Body: map[string]any{"login": "conf-agent", "password": "a long passphrase 42", "role": "agent"}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/users", Key: admin, Body: map[string]any{"login": "conf-2", "password": "password123", "role": "agent"}})
	uid := u.Str("id")
	for _, c := range []struct {
		action string
		body   map[string]any
		want   int
	}{
		{"disable", map[string]any{}, 200}, {"disable", map[string]any{}, 409}, {"enable", map[string]any{}, 200}, {"enable", map[string]any{}, 409},
		{"reset-password", map[string]any{"password": "another passphrase 43"}, 200}, {"reset-password", map[string]any{"password": "12345678"}, 400},
		{"set-role", map[string]any{"role": "senior_agent"}, 200}, {"set-role", map[string]any{"role": "buyer"}, 400},
		{"sign-out", map[string]any{}, 200},
	} {
		o.do(oasCall{req: apitest.Req{Method: "POST", Path: "/v1/users/" + uid + "/" + c.action, Key: admin, Body: c.body}, want: c.want})
		if c.want != 400 { // bad input is refused before the lookup
			o.fail(404, apitest.Req{Method: "POST", Path: "/v1/users/nothing-here/" + c.action, Key: admin, Body: c.body})
		}
	}

	o.must(201, apitest.Req{Method: "POST", Path: "/v1/sign-in-links", Key: e.Integration, Body: map[string]any{"role": "buyer", "party_id": "B1", "ttl_seconds": 60}})
	o.fail(400, apitest.Req{Method: "POST", Path: "/v1/sign-in-links", Key: e.Integration, Body: map[string]any{"role": "buyer", "party_id": "B1", "ttl_seconds": 3600}})
	o.fail(403, apitest.Req{Method: "POST", Path: "/v1/sign-in-links", Key: admin, Body: map[string]any{"role": "buyer", "party_id": "B1"}})
}

// A revoked key is refused on its very next request, writes included; an
// expired key from its expiry; a rotated key at once (or after its grace),
// the new one works; the last use is recorded coarsely.
func TestKeysRefusedAtOnce(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		e := apitest.Open(t, eng.URL(t))
		mk := func(body map[string]any) (string, string) {
			r := e.Must(201, apitest.Req{Method: "POST", Path: "/v1/api-keys", Key: e.Admin, Body: body})
			return r.Str("id"), r.Str("key")
		}
		id, key := mk(map[string]any{"role": "integration", "name": "erp"})
		order := map[string]any{"buyer_id": "B1", "seller_id": "S1", "status": "WAIT_SELLER_SEND_GOODS", "paid_at": e.Clock.Now().Format(time.RFC3339),
			"items": []map[string]any{{"sku": "x", "title": "衬衫", "quantity": 1, "price": 100}}, "amount": 100}
		e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders", Key: key})
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/api-keys/" + id + "/revoke", Key: e.Admin})
		e.Must(401, apitest.Req{Method: "GET", Path: "/v1/orders", Key: key})
		e.Must(401, apitest.Req{Method: "PUT", Path: "/v1/orders/K1", Key: key, Body: order})

		// Expiry.
		id2, key2 := mk(map[string]any{"role": "integration", "name": "short", "expires_at": e.Clock.Now().Add(time.Hour).Format(time.RFC3339)})
		e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders", Key: key2})
		k, _ := e.Store.APIKeyByID(context.Background(), id2)
		if k.LastUsedAt == nil || !k.LastUsedAt.Equal(e.Clock.Now()) {
			t.Fatalf("last use not recorded: %v", k.LastUsedAt)
		}
		e.Clock.Advance(30 * time.Second)
		e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders", Key: key2})
		if k, _ := e.Store.APIKeyByID(context.Background(), id2); !k.LastUsedAt.Equal(e.Clock.Now().Add(-30 * time.Second)) {
			t.Fatalf("last use written twice within a minute: %v", k.LastUsedAt)
		}
		e.Clock.Advance(time.Hour)
		e.Must(401, apitest.Req{Method: "GET", Path: "/v1/orders", Key: key2})
		list := e.Must(200, apitest.Req{Method: "GET", Path: "/v1/api-keys", Key: e.Admin}).JSON()["items"].([]any)
		states := map[string]string{}
		for _, it := range list {
			m := it.(map[string]any)
			states[m["id"].(string)] = m["status"].(string)
		}
		if states[id] != "revoked" || states[id2] != "expired" {
			t.Fatalf("states: %v", states)
		}

		// Rotation with a grace: both work during it, only the new one after.
		id3, key3 := mk(map[string]any{"role": "integration", "name": "rot"})
		r := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/api-keys/" + id3 + "/rotate", Key: e.Admin, Body: map[string]any{"grace_seconds": 600}})
		key4 := r.Str("key")
		e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders", Key: key3})
		e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders", Key: key4})
		e.Clock.Advance(601 * time.Second)
		e.Must(401, apitest.Req{Method: "GET", Path: "/v1/orders", Key: key3})
		e.Must(200, apitest.Req{Method: "GET", Path: "/v1/orders", Key: key4})

		// The audit names the key that acted.
		audit, _ := e.Store.AdminAudits(context.Background(), "api_key", 50)
		if len(audit) != 5 || audit[0].Action != "api_key.rotated" || audit[0].ActorID == "" {
			t.Fatalf("audit: %+v", audit)
		}
	})
}

// Staff accounts through /v1/users: admin keys only; an admin cannot be
// left without an enabled admin.
func TestUsersAPI(t *testing.T) {
	apitest.EachEngine(t, func(t *testing.T, eng apitest.Engine) {
		e := apitest.Open(t, eng.URL(t))
		e.Must(403, apitest.Req{Method: "POST", Path: "/v1/users", Key: e.Agent, Body: map[string]any{"login": "a1", "password": "a long passphrase 42", "role": "agent"}})
		a := e.Must(201, apitest.Req{Method: "POST", Path: "/v1/users", Key: e.Admin, Body: map[string]any{"login": "root", "password": "a long passphrase 42", "role": "admin"}})
		// The only enabled admin can be neither disabled nor demoted.
		e.Must(409, apitest.Req{Method: "POST", Path: "/v1/users/" + a.Str("id") + "/disable", Key: e.Admin, Body: map[string]any{}})
		e.Must(409, apitest.Req{Method: "POST", Path: "/v1/users/" + a.Str("id") + "/set-role", Key: e.Admin, Body: map[string]any{"role": "agent"}})
		b := e.Must(201, apitest.Req{Method: "POST", Path: "/v1/users", Key: e.Admin, Body: map[string]any{"login": "root2", "password": "a long passphrase 42", "role": "admin"}})
		e.Must(200, apitest.Req{Method: "POST", Path: "/v1/users/" + a.Str("id") + "/set-role", Key: e.Admin, Body: map[string]any{"role": "agent"}})
		// root2 is now the only admin; root, an agent now, can be disabled.
		e.Must(409, apitest.Req{Method: "POST", Path: "/v1/users/" + b.Str("id") + "/disable", Key: e.Admin, Body: map[string]any{}})
		if r := e.Must(200, apitest.Req{Method: "POST", Path: "/v1/users/" + a.Str("id") + "/disable", Key: e.Admin, Body: map[string]any{}}); r.Str("disabled_at") == "" || r.Str("role") != "agent" {
			t.Fatalf("disabled: %s", r.Body)
		}
		audit, _ := e.Store.AdminAudits(context.Background(), "user", 50)
		if len(audit) != 4 || audit[0].Action != "user.disabled" || audit[0].ActorID != "key:"+keyID(t, e, e.Admin) {
			t.Fatalf("audit: %+v", audit)
		}
	})
}

// keyID is the id of a plain key.
func keyID(t *testing.T, e *apitest.Env, plain string) string {
	k, err := e.Store.APIKeyByHash(context.Background(), httpapi.HashKey(plain))
	if err != nil {
		t.Fatal(err)
	}
	return k.ID
}
