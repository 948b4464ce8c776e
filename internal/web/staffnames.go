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
	st := a.svc.Store()
	n := staffNames{}
	if users, err := st.ListWebUsers(ctx, 1000); err == nil {
		for _, u := range users {
			if u.Role != "buyer" && u.Role != "seller" && u.DisplayName != "" {
				n["web:"+u.Login] = u.DisplayName
			}
		}
	}
	if keys, err := st.ListAPIKeys(ctx); err == nil {
		for _, k := range keys {
			if k.Name != "" {
				n["key:"+k.ID] = k.Name
			}
		}
	}
	return n
}
