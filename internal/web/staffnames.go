package web

import (
	"context"
)

// staffNames maps the ids the service records for staff — "web:<login>"
// for a signed-in user, "key:<id>" for an API key — to what a page shows:
// the user's display name or the key's label.
type staffNames map[string]string

// Who is the display name of a staff id, or the id itself when unknown.
func (n staffNames) Who(id string) string {
	if name := n[id]; name != "" {
		return name
	}
	return id
}

// staffNames loads the names of staff users and API keys (a lookup failure
// leaves the ids as they are: names are a courtesy, not a fact of the case).
func (a *App) staffNames(ctx context.Context) staffNames {
	return staffNames(a.svc.StaffNames(ctx))
}
