package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The client address of a request, for the sign-in throttle and the logs.
// The TCP peer is the client unless it is one of Options.TrustedProxies:
// then X-Forwarded-For is read from the right, skipping trusted proxies,
// and the first address that is not one is the client. A forwarded-for
// header from anyone else is ignored, so a client cannot pick its own
// address (and with it a fresh throttle count).

// peerAddr is the TCP peer's address.
func peerAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

// trusted reports whether an address is one of the trusted proxies.
func (a *App) trusted(ip netip.Addr) bool {
	for _, p := range a.opts.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// fromTrustedProxy: the TCP peer is a trusted proxy.
func (a *App) fromTrustedProxy(r *http.Request) bool {
	ip, ok := peerAddr(r)
	return ok && a.trusted(ip)
}

// clientIP is the address the request came from (see above).
func (a *App) clientIP(r *http.Request) string {
	peer, ok := peerAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	if !a.trusted(peer) {
		return peer.String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: the last good one stands
		}
		client = ip.Unmap()
		if !a.trusted(client) {
			break
		}
	}
	return client.String()
}

// ClientAddr is the client's address as the pages see it (the TCP peer, or
// what a trusted proxy says): the per-address rate limit keys on it too.
func (a *App) ClientAddr(r *http.Request) string { return a.clientIP(r) }
