package web

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"sync"
	"unicode/utf8"

	"github.com/weiquan/weiquan/internal/lint"
	"github.com/weiquan/weiquan/internal/script"
)

// lintVM is the draft lint of a text being typed (htmx swap under the
// textarea): each finding with its span, why, and the suggested rewrite.
type lintVM struct {
	Findings []lint.Finding
	Checked  bool
	base     Base
}

// T translates for the partial.
func (v lintVM) T(key string, args ...any) (string, error) { return v.base.T(key, args...) }

var linterCache struct {
	sync.Mutex
	key string
	l   *lint.Linter
}

// linter returns the draft linter of the script library in force, built
// once per library content.
func (a *App) linter(ctx context.Context) (*lint.Linter, *script.Library, error) {
	lib, _, err := a.svc.Scripts(ctx)
	if err != nil {
		return nil, nil, err
	}
	b, _ := json.Marshal(lib)
	sum := sha256.Sum256(b)
	linterCache.Lock()
	defer linterCache.Unlock()
	if linterCache.l == nil || linterCache.key != string(sum[:]) {
		linterCache.key, linterCache.l = string(sum[:]), lint.New(lib)
	}
	return linterCache.l, lib, nil
}

const maxLintRunes = 4000

// lintDraft checks the draft in the form field named by "field" (the
// textarea that triggered the htmx request) as the user types.
func (a *App) lintDraft(w http.ResponseWriter, r *http.Request, s *session) error {
	field := r.FormValue("lint_field")
	if field == "" {
		field = "reason"
	}
	draft := r.FormValue(field)
	v := lintVM{base: a.base(r, s, "")}
	if utf8.RuneCountInString(draft) > 0 && utf8.RuneCountInString(draft) <= maxLintRunes {
		l, _, err := a.linter(r.Context())
		if err != nil {
			return err
		}
		v.Findings, v.Checked = l.Lint(draft), true
	}
	a.renderPartial(w, "lint", v)
	return nil
}

// scriptSuggestion is a reply script suggested for a case (keyword routing
// over the script library), rendered for the chat channel.
type scriptSuggestion struct {
	Name       string
	Confidence float64
	Evidence   []string
	Script     script.Rendered
}

// suggestScripts ranks the reply scripts for a case's text (at most 3).
func (a *App) suggestScripts(ctx context.Context, text string) []scriptSuggestion {
	_, lib, err := a.linter(ctx)
	if err != nil || text == "" {
		return nil
	}
	res := script.NewRouter(lib, nil).Suggest(text)
	var out []scriptSuggestion
	for _, sg := range res.Suggestions {
		sc, ok := lib.Scenario(sg.Scenario)
		if !ok {
			continue
		}
		rd, err := lib.Render(sc, "chat")
		if err != nil {
			continue
		}
		out = append(out, scriptSuggestion{Name: sg.Name, Confidence: sg.Confidence, Evidence: sg.Evidence, Script: rd})
		if len(out) == 3 {
			break
		}
	}
	return out
}
