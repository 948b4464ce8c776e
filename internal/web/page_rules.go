package web

import (
	"net/http"
	"sort"
)

// rulesPage is the rule book in force as everyone signed in reads it
// (GET /rules): each rule's ID, what it says in the page's language and
// its value in ¥, working days or hours. Rule IDs elsewhere on the pages
// link to their line here (#rule-<id>).
type rulesPage struct {
	Base
	Version string
	Rules   []ruleVM
}

func (a *App) rulesView(w http.ResponseWriter, r *http.Request, s *session) error {
	book := a.svc.Policy()
	v := rulesPage{Base: a.base(r, s, "title.rules"), Version: book.Version}
	for k, rule := range book.Rules {
		v.Rules = append(v.Rules, ruleVM{Key: k, ID: rule.ID, TitleZH: rule.TitleZH, TitleEN: rule.TitleEN, Value: rule.Value})
	}
	sort.Slice(v.Rules, func(i, j int) bool { return v.Rules[i].ID < v.Rules[j].ID })
	a.render(w, r, http.StatusOK, "rules", &v)
	return nil
}

// RuleLink is the anchor of a rule ID on the rules page, "" when the rule
// book has no such rule (an article cited as such).
func (b Base) RuleLink(id string) string {
	if b.rules[id] {
		return "/rules#rule-" + id
	}
	return ""
}

// ruleIDSet is the set of the rule IDs of the book in force, built once
// per book (the book changes when an admin publishes one).
func (a *App) ruleIDSet() map[string]bool {
	book := a.svc.Policy()
	a.rulesMu.Lock()
	defer a.rulesMu.Unlock()
	if a.rulesDigest != book.Digest || a.rules == nil {
		a.rules = make(map[string]bool, len(book.Rules))
		for _, r := range book.Rules {
			a.rules[r.ID] = true
		}
		a.rulesDigest = book.Digest
	}
	return a.rules
}

func init() {
	for k, v := range map[string]msg{
		"title.rules":      {"平台规则", "Platform rules"},
		"rules.heading":    {"平台规则（当前版本）", "Platform rules (in force)"},
		"rules.intro":      {"售后、介入与投诉按以下规则处理；页面上的规则编号可点击查看。", "After-sales requests, interventions and complaints follow these rules; rule IDs on the pages link here."},
		"rules.id":         {"规则编号", "Rule ID"},
		"rules.text":       {"内容", "What it says"},
		"rules.value":      {"取值", "Value"},
		"nav.rules_public": {"平台规则", "Rules"},
	} {
		catalogEntries[k] = v
	}
}
