package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"nightfloat/clinician"
	"strings"
	"testing"

	"nightfloat/postgres/postgrestest"
)

func TestProxyClientAddress(t *testing.T) {
	trusted, err := ParseProxies([]string{"10.0.0.0/8", "192.0.2.7", "::ffff:127.0.0.1/128"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseProxies([]string{"not-a-cidr"}); err == nil {
		t.Error("ParseProxies accepted garbage")
	}
	for _, tc := range []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{"no proxies configured: the header is ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, nil, "203.0.113.9"},
		{"untrusted peer: the header is ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, trusted, "203.0.113.9"},
		{"trusted peer: right-most untrusted address", "10.1.2.3:443", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"forged left-hand entries are ignored", "10.1.2.3:443", []string{"6.6.6.6, 198.51.100.1"}, trusted, "198.51.100.1"},
		{"a chain of trusted proxies is skipped", "10.1.2.3:443", []string{"198.51.100.1, 192.0.2.7", "10.9.9.9"}, trusted, "198.51.100.1"},
		{"a malformed hop stops at the last trusted hop", "10.1.2.3:443", []string{"198.51.100.1, garbage"}, trusted, "10.1.2.3"},
		{"no header: the proxy itself", "10.1.2.3:443", nil, trusted, "10.1.2.3"},
		{"all trusted: the left-most", "10.1.2.3:443", []string{"10.4.4.4"}, trusted, "10.4.4.4"},
		{"IPv6 client with port", "10.1.2.3:443", []string{"[2001:db8::1]:5555"}, trusted, "2001:db8::1"},
		{"IPv4-mapped peer", "[::ffff:127.0.0.1]:80", []string{"198.51.100.2"}, trusted, "198.51.100.2"},
	} {
		r := httptest.NewRequest("POST", "/console/login", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientAddress(r, tc.trusted); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestProxyLoginThrottlesByForwardedClient logs in through the real handler behind a
// trusted proxy (the test client at 127.0.0.1) and checks which address the failures are
// counted against: the forwarded client when the proxy is trusted, the peer otherwise.
func TestProxyLoginThrottlesByForwardedClient(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		want    string
	}{
		{"trusted", []string{"127.0.0.0/8", "::1/128"}, "203.0.113.50"},
		{"not trusted", nil, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := postgrestest.New(t)
			audit := clinician.NewAudit(db.Pool)
			accounts := clinician.NewAccounts(db.Pool, audit, clinician.AccountOptions{ParallelHashes: 1})
			pages, err := parsePages()
			if err != nil {
				t.Fatal(err)
			}
			auth := NewAuth(accounts, audit, pages, slog.New(slog.DiscardHandler), false)
			proxies, err := ParseProxies(tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			auth.TrustProxies(proxies)
			mux := http.NewServeMux()
			auth.Routes(mux)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

			resp, err := client.Get(srv.URL + "/console/login")
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			resp.Body.Close()
			m := csrfInput.FindStringSubmatch(body)
			lc := cookieNamed(resp, loginCSRFCookie)
			if m == nil || lc == nil {
				t.Fatal("no login form token")
			}
			form := url.Values{"username": {"nobody"}, "password": {"wrong password here"}, "csrf_token": {m[1]}}
			req, _ := http.NewRequest("POST", srv.URL+"/console/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", srv.URL)
			req.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.50")
			req.AddCookie(lc)
			resp, err = client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("login with a wrong password: %d", resp.StatusCode)
			}
			var addr string
			if err := db.Pool.QueryRow(context.Background(), `SELECT address FROM login_attempts`).Scan(&addr); err != nil {
				t.Fatal(err)
			}
			if addr != tc.want {
				t.Fatalf("failure counted against %q, want %q", addr, tc.want)
			}
			var audited string
			if err := db.Pool.QueryRow(context.Background(), `SELECT detail->>'address' FROM audit_log WHERE action = 'login.failed'`).Scan(&audited); err != nil {
				t.Fatal(err)
			}
			if audited != tc.want {
				t.Errorf("login.failed audit entry names address %q, want %q", audited, tc.want)
			}
		})
	}
}
