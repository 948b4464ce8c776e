package httpapi

import (
	"net/http"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/service"
	"github.com/weiquan/weiquan/internal/store"
)

// People and keys: API keys (/v1/api-keys) and staff accounts (/v1/users),
// admin keys only, each action audited (the actor is the key); sign-in
// links for buyers and sellers (/v1/sign-in-links), integration keys only.

func (a *API) peopleRoutes(mux *http.ServeMux) {
	a.route(mux, "GET /v1/api-keys", a.listKeys)
	a.route(mux, "POST /v1/api-keys", withBody(a.createKey), created)
	a.route(mux, "POST /v1/api-keys/{id}/revoke", a.revokeKey)
	a.route(mux, "POST /v1/api-keys/{id}/rotate", withBody(a.rotateKey))
	a.route(mux, "GET /v1/users", a.listUsers)
	a.route(mux, "GET /v1/pii-reveals", a.listPIIReveals)
	a.route(mux, "POST /v1/users", withBody(a.createUser), created)
	a.route(mux, "POST /v1/users/{id}/{action}", withBody(a.actUser))
	a.route(mux, "POST /v1/sign-in-links", withBody(a.createSignInLink), created)
}

// KeyView is an API key's metadata (never the key, except once: Key in the
// answer that creates or rotates it).
type KeyView struct {
	ID         string     `json:"id"`
	Key        string     `json:"key,omitempty"`
	Role       string     `json:"role"`
	PartyID    string     `json:"party_id,omitempty"`
	Name       string     `json:"name"`
	Status     string     `json:"status"` // active, revoked, expired
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// KeyStatus names a key's state at now.
func KeyStatus(k store.APIKey, now time.Time) string {
	switch {
	case k.RevokedAt != nil:
		return "revoked"
	case !k.Live(now):
		return "expired"
	}
	return "active"
}

func keyView(k store.APIKey, plain string, now time.Time) KeyView {
	return KeyView{ID: k.ID, Key: plain, Role: k.Role, PartyID: k.PartyID, Name: k.Name, Status: KeyStatus(k, now), CreatedAt: k.CreatedAt,
		ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, LastUsedAt: k.LastUsedAt}
}

func (a *API) listKeys(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	keys, err := a.svc.ListAPIKeys(r.Context(), c)
	if err != nil {
		return 0, nil, err
	}
	now := a.svc.Now()
	return http.StatusOK, Page[KeyView]{Items: mapViews(keys, func(k store.APIKey) KeyView { return keyView(k, "", now) })}, nil
}

type keyBody struct {
	Role      string     `json:"role"`
	PartyID   string     `json:"party_id"`
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func (a *API) createKey(r *http.Request, c service.Caller, b keyBody) (int, any, error) {
	plain, k, err := a.svc.IssueAPIKey(r.Context(), c, service.KeyActor(c), service.NewKey{Role: actor.Role(b.Role), Party: b.PartyID, Name: b.Name, ExpiresAt: b.ExpiresAt})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, keyView(k, plain, a.svc.Now()), nil
}

func (a *API) revokeKey(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	id := r.PathValue("id")
	if err := a.svc.RevokeAPIKey(r.Context(), c, service.KeyActor(c), id); err != nil {
		return 0, nil, err
	}
	k, err := a.svc.APIKey(r.Context(), c, id)
	return http.StatusOK, keyView(k, "", a.svc.Now()), err
}

type rotateBody struct {
	GraceSeconds int64 `json:"grace_seconds"`
}

func (a *API) rotateKey(r *http.Request, c service.Caller, b rotateBody) (int, any, error) {
	plain, k, err := a.svc.RotateAPIKey(r.Context(), c, service.KeyActor(c), r.PathValue("id"), time.Duration(b.GraceSeconds)*time.Second)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, keyView(k, plain, a.svc.Now()), nil
}

func (a *API) listUsers(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	users, err := a.svc.ListWebUsers(r.Context(), c, 1000)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, Page[service.UserView]{Items: mapViews(users, service.ViewOfUser)}, nil
}

type userBody struct {
	Login       string `json:"login"`
	Password    string `json:"password"`
	Role        string `json:"role"`
	DisplayName string `json:"display_name"`
}

func (a *API) createUser(r *http.Request, c service.Caller, b userBody) (int, any, error) {
	u, err := a.svc.CreateStaffUser(r.Context(), c, service.KeyActor(c), service.NewWebUser{Login: b.Login, Password: b.Password, Role: actor.Role(b.Role), DisplayName: b.DisplayName})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, service.ViewOfUser(u), nil
}

type userActBody struct {
	Password string `json:"password"`
	Role     string `json:"role"`
}

// actUser: disable, enable, reset-password {password}, set-role {role},
// sign-out (every session of the user).
func (a *API) actUser(r *http.Request, c service.Caller, b userActBody) (int, any, error) {
	ctx, id, by := r.Context(), r.PathValue("id"), service.KeyActor(c)
	var err error
	switch act := r.PathValue("action"); act {
	case "disable", "enable":
		err = a.svc.SetStaffUserDisabled(ctx, c, by, id, act == "disable")
	case "reset-password":
		err = a.svc.ResetStaffPassword(ctx, c, by, id, b.Password)
	case "set-role":
		err = a.svc.SetStaffRole(ctx, c, by, id, actor.Role(b.Role))
	case "sign-out":
		_, err = a.svc.SignOutUser(ctx, c, by, id)
	default:
		return 0, nil, fault.New(fault.NotFound, "没有这个操作 / no such action: %s", act)
	}
	if err != nil {
		return 0, nil, err
	}
	u, err := a.svc.WebUser(ctx, c, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, service.ViewOfUser(u), nil
}

type signInLinkBody struct {
	Role       string `json:"role"`
	PartyID    string `json:"party_id"`
	Name       string `json:"name"`
	TTLSeconds int64  `json:"ttl_seconds"`
}

// SignInLinkView is a minted sign-in link: url (absolute, on the host the
// integration called), path, token and expiry.
type SignInLinkView struct {
	service.SignInLink
	URL string `json:"url"`
}

func (a *API) createSignInLink(r *http.Request, c service.Caller, b signInLinkBody) (int, any, error) {
	l, err := a.svc.MintSignInLink(r.Context(), c, actor.Role(b.Role), b.PartyID, b.Name, time.Duration(b.TTLSeconds)*time.Second)
	if err != nil {
		return 0, nil, err
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return http.StatusCreated, SignInLinkView{SignInLink: l, URL: scheme + "://" + r.Host + l.Path}, nil
}

// PIIRevealView is one entry of the personal-data reveal log.
type PIIRevealView struct {
	ID         string    `json:"id"`
	ViewerID   string    `json:"viewer_id"`
	ViewerRole string    `json:"viewer_role"`
	SubjectID  string    `json:"subject_id"`
	Field      string    `json:"field"`
	CaseID     string    `json:"case_id"`
	At         time.Time `json:"at"`
	Purpose    string    `json:"purpose"`
}

// listPIIReveals is the reveal log for admins (个人信息保护法 art. 51):
// who revealed which party's phone or address, on which case, and why.
func (a *API) listPIIReveals(r *http.Request, c service.Caller, _ []byte) (int, any, error) {
	rs, err := a.svc.PIIRevealLog(r.Context(), c, 1000)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, Page[PIIRevealView]{Items: mapViews(rs, func(x store.PIIReveal) PIIRevealView {
		return PIIRevealView{ID: x.ID, ViewerID: x.ViewerID, ViewerRole: x.ViewerRole, SubjectID: x.SubjectID, Field: x.Field, CaseID: x.CaseID, At: x.At, Purpose: x.Purpose}
	})}, nil
}
