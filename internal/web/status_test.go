package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/weiquan/weiquan/internal/apitest"
	"github.com/weiquan/weiquan/internal/fault"
	"github.com/weiquan/weiquan/internal/httpx"
)

// TestErrorStatusFromHTTPX: the pages answer a refused form that cannot go
// back to its page (no Referer) with the status of httpx's one table: an
// invalid field is 400 on the pages as on the API, not a status of their own.
func TestErrorStatusFromHTTPX(t *testing.T) {
	b := setup(t, apitest.SQLiteURL(t))
	admin := b.login("admin")
	admin.get("/admin/users")
	form := url.Values{"role": {"buyer"}, "login": {"x1"}, "password": {password}, "csrf": {admin.csrf}}
	req, _ := http.NewRequest("POST", b.srv.URL+"/admin/users", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, body := admin.do(req)
	want := httpx.Status(fault.Field("role", "x"))
	if want != http.StatusBadRequest || res.StatusCode != want {
		t.Fatalf("invalid role: status %d (httpx says %d), want 400\n%s", res.StatusCode, want, body)
	}
}
