package web

import (
	"context"
	"net/http"
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

// linter returns the draft linter of the script library in force (the
// process's one set of text engines rebuilds it when the library changes).
func (a *App) linter(ctx context.Context) (*lint.Linter, *script.Library, error) {
	lib, _, err := a.svc.Scripts(ctx)
	if err != nil {
		return nil, nil, err
	}
	return a.opts.Text.Linter(lib), lib, nil
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

// suggestScripts ranks the reply scripts for a case's text (at most 3),
// with the same router (and trained models) as POST /v1/scripts/suggest.
func (a *App) suggestScripts(ctx context.Context, text string) []scriptSuggestion {
	if text == "" {
		return nil
	}
	lib, _, err := a.svc.Scripts(ctx)
	if err != nil {
		return nil
	}
	res := a.opts.Text.Suggest(lib, text)
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
