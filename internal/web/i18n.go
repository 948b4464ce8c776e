package web

import (
	"net/http"
	"sort"
	"strings"
)

// Languages of the pages: Chinese first, English second.
const (
	langZH = "zh-CN"
	langEN = "en"
)

// msg is one catalog entry in both languages.
type msg struct{ ZH, EN string }

// catalog is the typed message catalog: every key has both languages (a
// test checks), and a page that asks for a key the catalog lacks fails in
// strict mode.
type catalog struct{ m map[string]msg }

func (c *catalog) lookup(lang, key string) (string, bool) {
	e, ok := c.m[key]
	if !ok {
		return "", false
	}
	if lang == langEN {
		return e.EN, e.EN != ""
	}
	return e.ZH, e.ZH != ""
}

// Keys lists the catalog's keys, sorted.
func (c *catalog) Keys() []string {
	out := make([]string, 0, len(c.m))
	for k := range c.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var messages = &catalog{m: catalogEntries}

const langCookie = "wq_lang"

// langOf picks the page language: the switch's cookie, else the browser's
// Accept-Language when it prefers English, else Chinese.
func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		switch c.Value {
		case langEN:
			return langEN
		case langZH:
			return langZH
		}
	}
	al := strings.ToLower(r.Header.Get("Accept-Language"))
	if strings.HasPrefix(al, "en") {
		return langEN
	}
	return langZH
}

// setLang is the language switch (POST /lang, lang=zh-CN|en).
func (a *App) setLang(w http.ResponseWriter, r *http.Request, s *session) error {
	l := r.FormValue("lang")
	if l != langEN {
		l = langZH
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		Secure: a.secure(r), SameSite: http.SameSiteLaxMode})
	back := r.FormValue("next")
	if !localPath(back) {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
