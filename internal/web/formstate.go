package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/weiquan/weiquan/internal/fault"
)

// A refused form comes back as the page it was sent from, re-rendered in
// the answer to the POST (no redirect): the page's handler runs as for a
// GET, and before the page is written the form that was sent gets back
// every value typed (text, choices, a 25 KB rule book alike; never a
// password nor a file, which browsers do not let a page refill — complaint
// drafts keep their files on the server instead), and the field the
// problem names is marked: aria-invalid, aria-describedby pointing to the
// error printed beside it. The layout shows the problem in a red banner
// (role="alert"). Because this happens on the rendered HTML, every form of
// every page keeps its input without each template carrying it.
//
// The browser is left at the POST's URL; app.js puts the page's own URL
// back (history.replaceState, from body[data-page]) so that the next form's
// Referer and a reload name the page, and each re-rendered form also
// carries the page in a hidden "_back" field for browsers without script.

// formState is a refused form, carried in the re-render's context.
type formState struct {
	Path    string     // the path the form posted to
	Op      string     // its "action" value, if any (pages post several forms to one path)
	Values  url.Values // what was sent
	Field   string     // the problem's field
	Message string     // the problem's message (both languages)
	Status  int        // the answer's status (the problem's)
	Page    string     // the page re-rendered
}

type formStateKey struct{}

func formStateOf(r *http.Request) *formState {
	st, _ := r.Context().Value(formStateKey{}).(*formState)
	return st
}

// backField names the hidden field that carries a re-rendered page's path.
const backField = "_back"

// formBack is the page a refused form came from: the re-rendered page it
// names in _back, else the Referer.
func formBack(r *http.Request) (string, bool) {
	if b := r.PostFormValue(backField); b != "" && localPath(b) {
		return b, true
	}
	if back := r.Header.Get("Referer"); sameOriginURL(r, back) {
		u, _ := url.Parse(back)
		return u.RequestURI(), true
	}
	return "", false
}

// rerender answers a refused form with its page: the page's GET handler
// runs in a request that carries the form state.
func (a *App) rerender(w http.ResponseWriter, r *http.Request, fe *fault.Error, status int, back string) bool {
	if a.pages == nil {
		return false
	}
	u, err := url.Parse(back)
	if err != nil {
		return false
	}
	vals := url.Values{}
	for k, vs := range r.PostForm {
		if k == "csrf" || k == backField {
			continue
		}
		vals[k] = vs
	}
	st := &formState{Path: r.URL.Path, Op: r.PostForm.Get("action"), Values: vals, Field: fe.Field, Message: fe.Message, Status: status, Page: u.RequestURI()}
	g := r.Clone(context.WithValue(r.Context(), formStateKey{}, st))
	g.Method = http.MethodGet
	g.URL = &url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
	g.RequestURI = u.RequestURI()
	g.Body = http.NoBody
	g.ContentLength = 0
	g.Form, g.PostForm, g.MultipartForm = nil, nil, nil
	for _, h := range []string{"Content-Type", "Content-Length", "HX-Request"} {
		g.Header.Del(h)
	}
	a.pages.ServeHTTP(w, g)
	return true
}

// pickLang is one language of a "中文 / English" message.
func pickLang(msg, lang string) string {
	zh, en, ok := cutLang(msg)
	if !ok {
		return msg
	}
	if lang == langEN {
		return strings.TrimSpace(en)
	}
	return strings.TrimSpace(zh)
}

// cutLang splits "中文 / English" at its first "/ " that follows a space
// or a Chinese character or full-width mark (…（说明）/ English): a slash
// inside a word (退货/退款, and/or) does not split.
func cutLang(msg string) (zh, en string, ok bool) {
	for i := 1; i+1 < len(msg); i++ {
		if msg[i] != '/' || msg[i+1] != ' ' {
			continue
		}
		if prev, _ := utf8.DecodeLastRuneInString(msg[:i]); prev == ' ' || prev >= 0x2E80 {
			return msg[:i], msg[i+2:], true
		}
	}
	return msg, "", false
}

// fieldAliases map a problem's field (the service's names) to the form's.
var fieldAliases = map[string]string{
	"claim.text": "claim", "claim.amount": "claim_amount", "evidence_ids": "files", "evidence": "file",
	"refund_fee": "amount", "book": "book", "working_days": "working_days",
}

var indexSuffix = regexp.MustCompile(`\[\d+\]$`)

// fieldCandidates are the form names a problem field may be, best first.
func fieldCandidates(f string) []string {
	if f == "" {
		return nil
	}
	out := []string{f}
	base := indexSuffix.ReplaceAllString(f, "")
	if al, ok := fieldAliases[base]; ok {
		out = append(out, al)
	}
	out = append(out, base)
	if i := strings.LastIndex(base, "."); i >= 0 && !strings.Contains(base, "[") {
		out = append(out, base[i+1:])
	}
	if base == "evidence_ids" || base == "file" {
		out = append(out, "file", "files")
	}
	return out
}

// applyFormState refills the form the state names in a rendered page and
// marks the field in error; a page it cannot parse is left as it is.
func applyFormState(page []byte, st *formState, lang string) []byte {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return page
	}
	var forms []*html.Node
	walk(doc, func(n *html.Node) {
		if n.DataAtom == atom.Body {
			setAttr(n, "data-page", st.Page)
		}
		if n.DataAtom == atom.Form && strings.EqualFold(attr(n, "method"), "post") {
			forms = append(forms, n)
			hidden := &html.Node{Type: html.ElementNode, Data: "input", DataAtom: atom.Input,
				Attr: []html.Attribute{{Key: "type", Val: "hidden"}, {Key: "name", Val: backField}, {Key: "value", Val: st.Page}}}
			n.InsertBefore(hidden, n.FirstChild)
		}
	})
	form := pickForm(forms, st)
	if form == nil {
		var buf bytes.Buffer
		if html.Render(&buf, doc) != nil {
			return page
		}
		return buf.Bytes()
	}
	refill(form, st.Values)
	markField(form, st, lang)
	var buf bytes.Buffer
	if err := html.Render(&buf, doc); err != nil {
		return page
	}
	return buf.Bytes()
}

// pickForm is the form that was sent: its action is the path posted to and,
// when several are, it carries the action value sent.
func pickForm(forms []*html.Node, st *formState) *html.Node {
	var byPath []*html.Node
	posts := func(target string) bool {
		u, err := url.Parse(target)
		return err == nil && target != "" && u.Path == st.Path
	}
	for _, f := range forms {
		hit := posts(attr(f, "action"))
		// A second button may send the form elsewhere (formaction).
		walk(f, func(n *html.Node) {
			if (n.DataAtom == atom.Button || n.DataAtom == atom.Input) && posts(attr(n, "formaction")) {
				hit = true
			}
		})
		if hit {
			byPath = append(byPath, f)
		}
	}
	if len(byPath) == 0 {
		return nil
	}
	if st.Op != "" {
		var byOp []*html.Node
		for _, f := range byPath {
			found := false
			walk(f, func(n *html.Node) {
				if (n.DataAtom == atom.Input || n.DataAtom == atom.Button) && attr(n, "name") == "action" && attr(n, "value") == st.Op {
					found = true
				}
			})
			if found {
				byOp = append(byOp, f)
			}
		}
		// One form per object (an assessment form on each piece of
		// evidence): the one whose hidden fields carry what was sent.
		for _, f := range byOp {
			if hiddenAgree(f, st.Values) {
				return f
			}
		}
		if len(byOp) > 0 {
			return byOp[0]
		}
	}
	return byPath[0]
}

// hiddenAgree reports whether every hidden field of a form that was sent
// back has the value sent.
func hiddenAgree(form *html.Node, vals url.Values) bool {
	ok := true
	walk(form, func(n *html.Node) {
		name := attr(n, "name")
		if n.DataAtom != atom.Input || !strings.EqualFold(attr(n, "type"), "hidden") || name == "csrf" || name == backField {
			return
		}
		if sent, was := vals[name]; was && !contains(sent, attr(n, "value")) {
			ok = false
		}
	})
	return ok
}

// refill puts the sent values back into the form's controls.
func refill(form *html.Node, vals url.Values) {
	next := map[string]int{}
	walk(form, func(n *html.Node) {
		name := attr(n, "name")
		if name == "" || name == "csrf" || name == backField {
			return
		}
		sent, ok := vals[name]
		switch n.DataAtom {
		case atom.Input:
			switch strings.ToLower(attr(n, "type")) {
			case "hidden", "password", "file", "submit", "button", "reset", "image":
			case "checkbox", "radio":
				if contains(sent, attrOr(n, "value", "on")) {
					setAttr(n, "checked", "")
				} else {
					delAttr(n, "checked")
				}
			default:
				if ok {
					i := next[name]
					next[name]++
					if i < len(sent) {
						setAttr(n, "value", sent[i])
					}
				}
			}
		case atom.Textarea:
			if ok {
				i := next[name]
				next[name]++
				if i < len(sent) {
					for c := n.FirstChild; c != nil; {
						nx := c.NextSibling
						n.RemoveChild(c)
						c = nx
					}
					n.AppendChild(&html.Node{Type: html.TextNode, Data: sent[i]})
				}
			}
		case atom.Select:
			if ok {
				walk(n, func(o *html.Node) {
					if o.DataAtom != atom.Option {
						return
					}
					v, has := attrOK(o, "value")
					if !has {
						v = strings.TrimSpace(text(o))
					}
					if contains(sent, v) {
						setAttr(o, "selected", "")
					} else {
						delAttr(o, "selected")
					}
				})
			}
		}
	})
}

// markField marks the control the problem names and prints the problem
// beside it; a problem naming no control of the form is printed at the
// form's top.
func markField(form *html.Node, st *formState, lang string) {
	msg := pickLang(st.Message, lang)
	var ctl *html.Node
	for _, name := range fieldCandidates(st.Field) {
		walk(form, func(n *html.Node) {
			if ctl == nil && attr(n, "name") == name && isControl(n) && attr(n, "type") != "hidden" {
				ctl = n
			}
		})
		if ctl != nil {
			break
		}
	}
	if ctl == nil && st.Field != "" {
		// A problem inside the one text or file the form sends (a path in
		// a rule book or a calendar file): that is the field, and the
		// message names the path.
		var texts []*html.Node
		walk(form, func(n *html.Node) {
			if n.DataAtom == atom.Textarea || n.DataAtom == atom.Input && attr(n, "type") == "file" {
				texts = append(texts, n)
			}
		})
		if len(texts) == 1 {
			ctl = texts[0]
		}
		msg = st.Field + "：" + msg
	}
	p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P, Attr: []html.Attribute{{Key: "class", Val: "field-error"}}}
	p.AppendChild(&html.Node{Type: html.TextNode, Data: msg})
	if ctl == nil {
		setAttr(p, "id", "form-error-here")
		first := form.FirstChild
		form.InsertBefore(p, first)
		return
	}
	id := attr(ctl, "id")
	if id == "" {
		id = "f-" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
				return r
			}
			return '-'
		}, attr(ctl, "name"))
		setAttr(ctl, "id", id)
	}
	errID := "err-" + id
	setAttr(p, "id", errID)
	setAttr(ctl, "aria-invalid", "true")
	setAttr(ctl, "aria-describedby", strings.TrimSpace(attr(ctl, "aria-describedby")+" "+errID))
	// Beside the control: after it, or after the label or fieldset that
	// holds a choice.
	at := ctl
	for up := ctl.Parent; up != nil && up != form; up = up.Parent {
		if up.DataAtom == atom.Label || up.DataAtom == atom.Fieldset {
			at = up
		}
	}
	at.Parent.InsertBefore(p, at.NextSibling)
}

func isControl(n *html.Node) bool {
	return n.DataAtom == atom.Input || n.DataAtom == atom.Textarea || n.DataAtom == atom.Select
}

func walk(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attrOK(n *html.Node, k string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == k {
			return a.Val, true
		}
	}
	return "", false
}

func attr(n *html.Node, k string) string { v, _ := attrOK(n, k); return v }

func attrOr(n *html.Node, k, def string) string {
	if v, ok := attrOK(n, k); ok {
		return v
	}
	return def
}

func setAttr(n *html.Node, k, v string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == k {
			n.Attr[i].Val = v
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: k, Val: v})
}

func delAttr(n *html.Node, k string) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if !(a.Namespace == "" && a.Key == k) {
			out = append(out, a)
		}
	}
	n.Attr = out
}

func text(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return b.String()
}
