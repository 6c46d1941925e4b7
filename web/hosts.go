package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Host allow-list. A page that rebinds its own host name to this server's address is
// same-origin with itself, so Origin checks alone let it open /ws and read the console's
// answers; refusing every Host the server is not known by closes that door.

// AllowedHosts lists the host names the server answers to: the host of publicURL
// (NIGHTFLOAT_PUBLIC_URL) and the host of the listen address, where "localhost" and the
// loopback addresses stand for each other. A wildcard listen address (":8080",
// "0.0.0.0:8080") names no host, so only the public URL's host (and loopback, for checks
// from the machine itself) is allowed then.
func AllowedHosts(publicURL, listenAddr string) []string {
	hosts := append([]string(nil), loopbackHosts...)
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, strings.ToLower(u.Hostname()))
	}
	if h, _, err := net.SplitHostPort(listenAddr); err == nil {
		if ip := net.ParseIP(h); h != "" && (ip == nil || !ip.IsUnspecified()) {
			hosts = append(hosts, strings.ToLower(h))
		}
	}
	return hosts
}

var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// hostAllowList refuses requests whose Host is not one of hosts (compared without the
// port, case-insensitively) with 421 Misdirected Request. Empty hosts means the loopback
// names only. /healthz and /readyz answer any Host: load balancers probe by address, and
// they say nothing but up or down.
func hostAllowList(hosts []string, next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(hosts)+len(loopbackHosts))
	for _, h := range append(hosts, loopbackHosts...) {
		allowed[strings.ToLower(strings.Trim(h, "[]"))] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || allowed[requestHostname(r.Host)] {
			next.ServeHTTP(w, r)
			return
		}
		writeTextError(w, codeMisdirected, "This server does not answer to that host name.")
	})
}

// requestHostname is a Host header's name without port or IPv6 brackets, lower-cased.
func requestHostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(strings.Trim(host, "[]"))
}
