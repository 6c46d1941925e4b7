package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The client's address, behind trusted reverse proxies (NIGHTFLOAT_TRUSTED_PROXIES) or
// not. Only throttles read it: clinician logins, and new conversations per network.

// ParseProxies parses CIDRs ("10.0.0.0/8") and single addresses ("192.0.2.7").
func ParseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				// Addresses are compared unmapped: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("web: trusted proxy %q is not a CIDR or an address", s)
		}
		ip = ip.Unmap()
		out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return out, nil
}

// clientAddress is the address a clinician login is throttled by, and the one new
// conversations are counted by (reduced and hashed, see resident_limit.go; never stored). It is the connecting peer's IP, unless that peer is one of the trusted reverse
// proxies: then X-Forwarded-For is read from the right, skipping trusted proxies, and the
// first address that is not one of them is the client. Everything to the left of it was
// written by the client and is ignored, so a forged header cannot buy fresh guesses. A
// malformed entry stops the walk at the last trusted hop.
func clientAddress(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !inPrefixes(peer.Unmap(), trusted) {
		return host
	}
	last := peer.Unmap()
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return last.String()
		}
		if !inPrefixes(a, trusted) {
			return a.String()
		}
		last = a
	}
	return last.String()
}

func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
