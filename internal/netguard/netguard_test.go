package netguard

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/weiquan/weiquan/internal/fault"
)

func TestForbiddenRanges(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "169.254.0.1",
		"100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fd00::1", "fc00::2", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "224.0.0.1", "64:ff9b::a9fe:a9fe"} {
		if !Forbidden(netip.MustParseAddr(s)) {
			t.Errorf("%s is not refused", s)
		}
	}
	for _, s := range []string{"8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "101.6.6.6"} {
		if Forbidden(netip.MustParseAddr(s)) {
			t.Errorf("%s (public) is refused", s)
		}
	}
}

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	var none Policy
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://app.localhost/x", "http://[::1]/h", "http://169.254.169.254/latest/meta-data/",
		"https://10.1.2.3/", "http://[fd12::1]:9000/", "http://0.0.0.0/", "http://[::ffff:192.168.0.1]/"} {
		err := none.CheckURL(ctx, "url", u)
		if fe, ok := fault.As(err); !ok || fe.Code != fault.Invalid || fe.Field != "url" {
			t.Errorf("%s: %v, want 400 naming url", u, err)
		}
	}
	for _, u := range []string{"https://8.8.8.8/hook", "https://erp.example/hook", "ftp://x"} {
		if err := none.CheckURL(ctx, "url", u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	p := MustParse("127.0.0.0/8, 10.1.0.0/16, erp.internal")
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://10.1.9.9/", "http://erp.internal/x"} {
		if err := p.CheckURL(ctx, "url", u); err != nil {
			t.Errorf("allow-listed %s: %v", u, err)
		}
	}
	if err := p.CheckURL(ctx, "url", "http://10.2.0.1/"); err == nil {
		t.Error("10.2.0.1 is outside the allow-list")
	}
	if _, err := Parse("10.0.0.0/33"); err == nil {
		t.Error("a bad CIDR was accepted")
	}
	if _, err := Parse("a b"); err == nil {
		t.Error("a bad host was accepted")
	}
}

// TestDialRefusesForbiddenAddresses: the dial-time check sees the address
// actually dialled, so a name that resolves to loopback at send time (DNS
// rebinding: "localhost" stands for any name that changed its answer) is
// refused unless allow-listed.
func TestDialRefusesForbiddenAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	client := func(p Policy) *http.Client {
		return &http.Client{Transport: &http.Transport{DialContext: p.DialContext}}
	}
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/"} {
		_, err := client(Policy{}).Get(u)
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: %v, want the dial refused", u, err)
		}
	}
	for _, p := range []Policy{MustParse("127.0.0.1"), MustParse("localhost")} {
		res, err := client(p).Get("http://localhost:" + port + "/")
		if err != nil {
			t.Errorf("allow-listed %+v: %v", p, err)
			continue
		}
		res.Body.Close()
	}
}
