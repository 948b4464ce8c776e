package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// SignIn is the sign-in part of the configuration: which proxies' client
// address headers to believe, and the marketplace's shared secret for
// sign-in tokens.
type SignIn struct {
	// TrustedProxies: comma-separated CIDRs (or addresses) of the reverse
	// proxies in front of weiquan; X-Forwarded-For / -Proto are honoured
	// from them only. Empty: the TCP peer is the client.
	TrustedProxies string
	// SignInSecret: the secret shared with the marketplace that signs its
	// sign-in tokens (iss "marketplace"; at least 32 bytes). Empty: only
	// links minted by POST /v1/sign-in-links sign buyers and sellers in.
	SignInSecret string
}

// Proxies parses TrustedProxies.
func (s SignIn) Proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s.TrustedProxies, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not a CIDR or an address", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
