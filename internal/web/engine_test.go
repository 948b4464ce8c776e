package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/weiquan/weiquan/internal/aftersale"
	"github.com/weiquan/weiquan/internal/dispute"
)

func TestCatalogHasBothLanguages(t *testing.T) {
	t.Parallel()
	for _, k := range messages.Keys() {
		e := catalogEntries[k]
		if strings.TrimSpace(e.ZH) == "" || strings.TrimSpace(e.EN) == "" {
			t.Errorf("message %q lacks a language: %+v", k, e)
		}
	}
}

func TestStrictMessagesFailOnMissingKey(t *testing.T) {
	b := Base{Lang: langEN, cat: messages, strict: true}
	if _, err := b.T("no.such.key"); err == nil {
		t.Fatal("strict T accepted a missing key")
	}
	if s, err := b.T("nav.logout"); err != nil || s != "Sign out" {
		t.Fatalf("T(nav.logout) = %q, %v", s, err)
	}
	b.strict = false
	if s, _ := b.T("no.such.key"); s != "no.such.key" {
		t.Fatalf("lenient T = %q", s)
	}
}

// The startup check: a page without its view, or a view no page uses,
// stops New.
func TestEngineChecksViews(t *testing.T) {
	if _, err := newEngine(viewsFS); err != nil {
		t.Fatalf("embedded views: %v", err)
	}
	copyFS := func(drop string, add map[string]string) fstest.MapFS {
		m := fstest.MapFS{}
		_ = fs.WalkDir(viewsFS, "views", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || p == drop {
				return err
			}
			b, _ := fs.ReadFile(viewsFS, p)
			m[p] = &fstest.MapFile{Data: b}
			return nil
		})
		for p, s := range add {
			m[p] = &fstest.MapFile{Data: []byte(s)}
		}
		return m
	}
	if _, err := newEngine(copyFS("views/pages/case.html", nil)); err == nil || !strings.Contains(err.Error(), "case") {
		t.Fatalf("missing case view: %v", err)
	}
	if _, err := newEngine(copyFS("", map[string]string{"views/pages/orphan.html": `{{define "content"}}{{end}}`})); err == nil {
		t.Fatal("an unused view was accepted")
	}
	if _, err := newEngine(copyFS("views/partials/reveal.html", nil)); err == nil {
		t.Fatal("a missing partial was accepted")
	}
}

func TestParseYuan(t *testing.T) {
	for in, want := range map[string]int64{"129": 12900, "129.5": 12950, "¥0.05": 5, " 12.34 ": 1234, "": 0} {
		got, err := parseYuan(in, "amount")
		if err != nil || int64(got) != want {
			t.Errorf("parseYuan(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"1.234", "abc", "-5", "1e5", "."} {
		if _, err := parseYuan(bad, "amount"); err == nil {
			t.Errorf("parseYuan(%q) accepted", bad)
		}
	}
}

func TestMasks(t *testing.T) {
	if got := maskPhone("13812345678"); got != "138****5678" {
		t.Errorf("maskPhone = %q", got)
	}
	if got := maskAddress("浙江省杭州市西湖区文三路"); got != "浙江省杭州市****" {
		t.Errorf("maskAddress = %q", got)
	}
	if got := maskName("张晓雨"); got != "张**" {
		t.Errorf("maskName = %q", got)
	}
}

// keyed returns the catalog keys of domain values: prefix + value.
func keyed[T ~string](prefix string, values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = prefix + string(v)
	}
	return out
}

// Every value of the domain's enumerations has its message (the pages
// translate statuses, reasons, outcomes and event types by key).
func TestCatalogCoversDomainValues(t *testing.T) {
	t.Parallel()
	keys := slices.Concat(keyed("rstatus.", aftersale.Statuses), keyed("type.", aftersale.Types), keyed("reason.", aftersale.Reasons),
		keyed("cstatus.", dispute.Statuses), keyed("outcome.", dispute.Outcomes), keyed("done.", aftersale.Actions))
	for _, k := range keys {
		if _, ok := catalogEntries[k]; !ok {
			t.Errorf("catalog lacks %q", k)
		}
	}
}

// The vendored scripts are stored gzipped: a browser that accepts gzip
// gets the stored bytes with Content-Encoding: gzip, one that does not the
// script itself; both with the script's content type.
func TestGzippedStaticFiles(t *testing.T) {
	h := staticHandler()
	for _, p := range []string{"/static/vendor/echarts/echarts.common.min.js", "/static/vendor/htmx/htmx.min.js"} {
		zipped := httptest.NewRecorder()
		req := httptest.NewRequest("GET", p, nil)
		req.Header.Set("Accept-Encoding", "gzip, br")
		h.ServeHTTP(zipped, req)
		if zipped.Code != 200 || zipped.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(zipped.Header().Get("Content-Type"), "javascript") {
			t.Fatalf("%s with gzip: %d %v", p, zipped.Code, zipped.Header())
		}
		zr, err := gzip.NewReader(zipped.Body)
		if err != nil {
			t.Fatal(err)
		}
		unzipped, _ := io.ReadAll(zr)
		plain := httptest.NewRecorder()
		h.ServeHTTP(plain, httptest.NewRequest("GET", p, nil))
		if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), unzipped) || len(unzipped) < 10000 {
			t.Fatalf("%s without gzip: %d, %d bytes (gzipped: %d unpacked)", p, plain.Code, plain.Body.Len(), len(unzipped))
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/static/app.css", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "" {
		t.Fatalf("app.css: %d %v", rec.Code, rec.Header())
	}
}
