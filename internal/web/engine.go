package web

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weiquan/weiquan/internal/actor"
)

//go:embed views
var viewsFS embed.FS

//go:embed static
var staticFS embed.FS

// pages lists every page view a handler renders; newEngine checks each has
// its file in views/pages and that no page file is unused.
var pages = []string{
	"error", "login", "login_totp", "portal", "order", "request_new", "request", "case", "workbench", "dashboard",
	"admin_rules", "admin_keys", "admin_webhooks", "admin_deliveries", "complaint", "complaint_new", "admin_users", "admin_reveals", "party", "admin_calendar",
	"messages", "rules",
}

// partialViews are rendered alone (htmx swaps).
var partialViews = []string{"ledger_preview", "reveal", "lint"}

type engine struct {
	pages map[string]*template.Template
}

func newEngine(views fs.FS) (*engine, error) {
	e := &engine{pages: map[string]*template.Template{}}
	files, err := fs.Glob(views, "views/pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if !slices.Contains(pages, name) {
			return nil, fmt.Errorf("web: view %s is not used by any page", f)
		}
	}
	for _, name := range pages {
		f := "views/pages/" + name + ".html"
		if _, err := fs.Stat(views, f); err != nil {
			return nil, fmt.Errorf("web: page %q has no view %s", name, f)
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(views, "views/layout.html", "views/partials/*.html", f)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", f, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: %s defines no \"content\"", f)
		}
		e.pages[name] = t
	}
	base, err := template.New("partials").Funcs(funcs).ParseFS(views, "views/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse partials: %w", err)
	}
	for _, p := range partialViews {
		if base.Lookup(p) == nil {
			return nil, fmt.Errorf("web: partial %q is missing", p)
		}
		e.pages["partial:"+p] = base
	}
	return e, nil
}

// Base is what every page's view-model carries: who is signed in, the
// language, the CSRF token, the server's clock (for countdowns) and a flash
// message.
type Base struct {
	Lang     string
	User     *userView
	CSRF     string
	TitleKey string
	Now      time.Time
	Path     string
	Flash    string
	// FormError is a refused form's problem (the red banner), in the
	// page's language.
	FormError string
	// CalendarWarning: the working-day calendar covers fewer than 60 days
	// ahead (admins see it as a banner on every page).
	CalendarWarning string
	// Unread is a party's unread site messages (the navigation's badge).
	Unread  int
	rules   map[string]bool // the rule book's IDs (RuleLink)
	cat     *catalog
	strict  bool
	missing *[]string
}

// userView is the signed-in user as the layout shows it.
type userView struct {
	Login       string
	Role        string
	PartyID     string
	DisplayName string
}

// T returns the message for key in the page's language (fmt args for %
// verbs). A missing key is an error in strict mode, else the key itself.
func (b Base) T(key string, args ...any) (string, error) {
	msg, ok := b.cat.lookup(b.Lang, key)
	if !ok {
		if b.missing != nil {
			*b.missing = append(*b.missing, key)
		}
		if b.strict {
			return "", fmt.Errorf("web: message %q missing in %s", key, b.Lang)
		}
		return key, nil
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...), nil
	}
	return msg, nil
}

// Is reports whether the user has one of the roles.
func (b Base) Is(roles ...string) bool { return b.User != nil && slices.Contains(roles, b.User.Role) }

// Staff reports whether the user is an agent, senior agent or admin.
func (b Base) Staff() bool {
	return b.User != nil && slices.Contains(staffOf, actor.Role(b.User.Role))
}

// staffOf are the platform staff roles.
var staffOf = []actor.Role{actor.Agent, actor.Senior, actor.Admin}

// Other is the other language (for the switch).
func (b Base) Other() string {
	if b.Lang == langEN {
		return langZH
	}
	return langEN
}

func (a *App) base(r *http.Request, s *session, titleKey string) Base {
	b := Base{Lang: langOf(r), TitleKey: titleKey, Now: a.svc.Now(), Path: r.URL.RequestURI(), cat: messages, strict: a.opts.StrictMessages, rules: a.ruleIDSet()}
	if s != nil {
		b.User = &userView{Login: s.User.Login, Role: s.User.Role, PartyID: s.User.PartyID, DisplayName: s.User.DisplayName}
		b.CSRF = s.CSRF
		if s.User.Role == string(actor.Admin) {
			b.CalendarWarning = a.svc.CalendarStatus().Warning
		}
		if s.User.Role == string(actor.Buyer) || s.User.Role == string(actor.Seller) {
			b.Unread = a.unreadCount(r, s)
		}
	}
	b.Flash = pickLang(flashOf(r), b.Lang)
	if st := formStateOf(r); st != nil {
		b.FormError = pickLang(st.Message, b.Lang)
	}
	return b
}

type baser interface{ base() *Base }

func (b *Base) base() *Base { return b }

// render executes a page into a buffer first, so that a failing template
// is a clean 500 rather than half a page.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, v baser) {
	t := a.tpl.pages[name]
	if t == nil {
		a.log.Error("web: no such page", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		a.log.Error("web: render", "page", name, "err", err)
		http.Error(w, "internal error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	out := buf.Bytes()
	if st := formStateOf(r); st != nil {
		out = applyFormState(out, st, v.base().Lang)
		if status == http.StatusOK {
			status = st.Status
		}
	}
	if v.base().Flash != "" {
		clearFlash(w, r)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Language", v.base().Lang)
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// renderPartial executes one partial (an htmx swap target).
func (a *App) renderPartial(w http.ResponseWriter, name string, v any) {
	t := a.tpl.pages["partial:"+name]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		a.log.Error("web: render partial", "partial", name, "err", err)
		http.Error(w, "internal error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// staticHandler serves static/. The large vendored scripts are stored
// gzipped (NAME.gz, to keep the binary small): they are sent as they are,
// with Content-Encoding: gzip, to a browser that accepts it (every one
// does), and unpacked for one that does not.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if _, err := fs.Stat(sub, name); err != nil {
			if gz, err := fs.ReadFile(sub, name+".gz"); err == nil {
				serveGzipped(w, r, name, gz)
				return
			}
		}
		fsrv.ServeHTTP(w, r)
	})
}

// serveGzipped sends a gzipped static file as name.
func serveGzipped(w http.ResponseWriter, r *http.Request, name string, gz []byte) {
	w.Header().Set("Vary", "Accept-Encoding")
	w.Header().Set("Content-Type", cmp.Or(mime.TypeByExtension(path.Ext(name)), "application/octet-stream"))
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
		_, _ = w.Write(gz)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		http.Error(w, "corrupt static file", http.StatusInternalServerError)
		return
	}
	_, _ = io.Copy(w, zr)
}
