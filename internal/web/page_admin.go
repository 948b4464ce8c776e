package web

import (
	"encoding/json"
	"net/http"
	"sort"

	"github.com/weiquan/weiquan/internal/policy"
	"github.com/weiquan/weiquan/internal/store"
)

// adminRulesPage is the rule book in force and its recorded versions, each
// with what changed from the one before (read view: the rule book is
// edited as a file and loaded at start).
type adminRulesPage struct {
	Base
	Book     *policy.Book
	Rules    []ruleVM
	Versions []policyVersionVM
}

// policyVersionVM is a recorded rule book and its diff to the previous one.
type policyVersionVM struct {
	store.PolicyVersion
	Changes []ruleChange
	First   bool
}

// ruleChange is one rule that differs between two versions.
type ruleChange struct {
	Key      string
	Old, New string
}

func (a *App) adminRules(w http.ResponseWriter, r *http.Request, s *session) error {
	v := adminRulesPage{Base: a.base(r, s, "title.admin_rules"), Book: a.svc.Policy()}
	keys := make([]string, 0, len(v.Book.Rules))
	for k := range v.Book.Rules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rule := v.Book.Rules[k]
		v.Rules = append(v.Rules, ruleVM{Key: k, ID: rule.ID, TitleZH: rule.TitleZH, TitleEN: rule.TitleEN, Value: rule.Value})
	}
	versions, err := a.svc.Store().PolicyVersions(r.Context())
	if err != nil {
		return err
	}
	type book struct {
		Rules map[string]policy.Rule `json:"rules"`
	}
	parsed := make([]book, len(versions))
	for i, pv := range versions {
		_ = json.Unmarshal(pv.Body, &parsed[i])
	}
	for i, pv := range versions {
		vm := policyVersionVM{PolicyVersion: pv, First: i == len(versions)-1}
		if i+1 < len(versions) {
			cur, prev := parsed[i].Rules, parsed[i+1].Rules
			seen := map[string]bool{}
			for k, rv := range cur {
				seen[k] = true
				if p, ok := prev[k]; !ok || p.Value != rv.Value || p.ID != rv.ID {
					vm.Changes = append(vm.Changes, ruleChange{Key: k, Old: prev[k].Value, New: rv.Value})
				}
			}
			for k, p := range prev {
				if !seen[k] {
					vm.Changes = append(vm.Changes, ruleChange{Key: k, Old: p.Value})
				}
			}
			sort.Slice(vm.Changes, func(a, b int) bool { return vm.Changes[a].Key < vm.Changes[b].Key })
		}
		v.Versions = append(v.Versions, vm)
	}
	a.render(w, r, http.StatusOK, "admin_rules", &v)
	return nil
}

// adminKeysPage lists the API keys (metadata only; a key is shown once
// when created with `weiquan keys create`).
type adminKeysPage struct {
	Base
	Keys []store.APIKey
}

func (a *App) adminKeys(w http.ResponseWriter, r *http.Request, s *session) error {
	keys, err := a.svc.Store().ListAPIKeys(r.Context())
	if err != nil {
		return err
	}
	v := adminKeysPage{Base: a.base(r, s, "title.admin_keys"), Keys: keys}
	a.render(w, r, http.StatusOK, "admin_keys", &v)
	return nil
}

// adminWebhooksPage lists the webhook endpoints (secrets never shown).
type adminWebhooksPage struct {
	Base
	Endpoints []store.WebhookEndpoint
}

func (a *App) adminWebhooks(w http.ResponseWriter, r *http.Request, s *session) error {
	eps, err := a.svc.Store().ListWebhookEndpoints(r.Context(), "", 200)
	if err != nil {
		return err
	}
	for i := range eps {
		eps[i].Secret = ""
	}
	v := adminWebhooksPage{Base: a.base(r, s, "title.admin_webhooks"), Endpoints: eps}
	a.render(w, r, http.StatusOK, "admin_webhooks", &v)
	return nil
}
