// Package netguard decides which network addresses weiquan may connect to
// on someone else's behalf (webhook endpoints): never, by default, to the
// machine itself or the networks behind it — loopback, private (RFC 1918),
// link-local (169.254.0.0/16, where cloud metadata services answer at
// 169.254.169.254), carrier-grade NAT, unique-local IPv6, unspecified,
// multicast and the other special-purpose ranges — unless the operator
// allow-lists them. A URL is checked when an endpoint is created (its host,
// resolved), and every connection again at dial time (Control), which
// defeats DNS rebinding: the address checked is the address dialled.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/weiquan/weiquan/internal/fault"
)

// forbidden are the special-purpose ranges refused by default (IANA
// special-purpose address registries).
var forbidden = mustPrefixes(
	"0.0.0.0/8",       // "this network", unspecified
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // carrier-grade NAT
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, cloud metadata
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.88.99.0/24",  // 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, broadcast
	"::/128",          // unspecified
	"::1/128",         // loopback
	"64:ff9b::/96",    // NAT64 (maps onto IPv4, private ones included)
	"64:ff9b:1::/48",  // local-use NAT64
	"100::/64",        // discard
	"2001:db8::/32",   // documentation
	"2002::/16",       // 6to4 (embeds IPv4)
	"fc00::/7",        // unique local
	"fe80::/10",       // link-local
	"ff00::/8",        // multicast
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Policy is the set of addresses allowed beyond the public ones: the
// operator's explicit allow-list. The zero Policy allows public addresses
// only.
type Policy struct {
	Nets  []netip.Prefix // allowed networks, e.g. 10.1.2.0/24 or 127.0.0.1/32
	Hosts []string       // allowed host names (lower case), e.g. erp.internal
}

// Parse reads an allow-list: comma-separated CIDRs, IP addresses and host
// names ("10.0.0.0/8, 127.0.0.1, erp.internal").
func Parse(list string) (Policy, error) {
	var p Policy
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
		case strings.Contains(f, "/"):
			n, err := netip.ParsePrefix(f)
			if err != nil {
				return p, fmt.Errorf("%q: %w", f, err)
			}
			p.Nets = append(p.Nets, n.Masked())
		default:
			if a, err := netip.ParseAddr(f); err == nil {
				p.Nets = append(p.Nets, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			} else if validHost(f) {
				p.Hosts = append(p.Hosts, strings.ToLower(f))
			} else {
				return p, fmt.Errorf("%q: not a CIDR, an IP address or a host name", f)
			}
		}
	}
	return p, nil
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// Forbidden reports whether a is in a range refused by default.
func Forbidden(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() {
		return true
	}
	for _, n := range forbidden {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// Allowed reports whether the policy lets a connection go to a.
func (p Policy) Allowed(a netip.Addr) bool {
	a = a.Unmap()
	if !Forbidden(a) {
		return true
	}
	for _, n := range p.Nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

func (p Policy) hostAllowed(h string) bool {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	for _, a := range p.Hosts {
		if a == h {
			return true
		}
	}
	return false
}

// ErrForbidden is the dial-time refusal.
var ErrForbidden = errors.New("netguard: address not allowed")

// Control is a net.Dialer Control function: it refuses a connection to
// an address the policy does not allow, after name resolution, so that a
// name that resolves elsewhere at send time than it did at creation (DNS
// rebinding) is caught.
func (p Policy) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbidden, address)
	}
	if !p.Allowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbidden, ap.Addr())
	}
	return nil
}

// DialContext dials as an http.Transport's DialContext: a host on the
// allow-list is dialled as it is; any other connection goes through
// Control, which sees the resolved address.
func (p Policy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if host, _, err := net.SplitHostPort(address); err != nil || !p.hostAllowed(host) {
		d.Control = p.Control
	}
	return d.DialContext(ctx, network, address)
}

// CheckURL refuses (400, field) an http(s) URL whose host is, or resolves
// to, an address the policy does not allow; a name on the allow-list is
// taken as it is. A name that does not resolve now is accepted: Control
// checks every connection.
func (p Policy) CheckURL(ctx context.Context, field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil // the URL's form is checked elsewhere
	}
	host := u.Hostname()
	refuse := func(what string) error {
		return fault.Field(field, "Webhook 地址不能指向本机或内网（%s），除非运营方将其加入允许列表 / the webhook URL must not point at this machine or a private network (%s) unless the operator allow-lists it", what, what)
	}
	if p.hostAllowed(host) {
		return nil
	}
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		if !p.Allowed(a) {
			return refuse(a.String())
		}
		return nil
	}
	lh := strings.TrimSuffix(strings.ToLower(host), ".")
	if lh == "localhost" || strings.HasSuffix(lh, ".localhost") || lh == "localhost.localdomain" {
		return refuse(host)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if !p.Allowed(a) {
			return refuse(host + " → " + a.Unmap().String())
		}
	}
	return nil
}

// MustParse is Parse for lists known to be valid (tests, constants).
func MustParse(list string) Policy {
	p, err := Parse(list)
	if err != nil {
		panic(err)
	}
	return p
}
