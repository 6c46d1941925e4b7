package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"nightfloat/metrics"
)

// TestForeignHostIsRefused: a rebinding host name reaches the server's address with a
// matching Origin; the Host allow-list refuses it, pages and the websocket alike.
func TestForeignHostIsRefused(t *testing.T) {
	h := newHarness(t, harnessOptions{site: func(o *Options) {
		o.AllowedHosts = AllowedHosts("https://nightfloat.example.org", "127.0.0.1:8080")
	}})
	for _, tt := range []struct {
		name, host, path string
		want             int
	}{
		{"rebinding name, chat page", "rebind.attacker.example:80", "/", http.StatusMisdirectedRequest},
		{"rebinding name, console", "rebind.attacker.example", "/console/login", http.StatusMisdirectedRequest},
		{"public name", "nightfloat.example.org", "/", http.StatusOK},
		{"public name with port", "NightFloat.example.org:443", "/", http.StatusOK},
		{"loopback", "127.0.0.1:8080", "/", http.StatusOK},
		{"health check by address", "10.1.2.3:8080", "/healthz", http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", h.http.URL+tt.path, nil)
			req.Host = tt.host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("Host %s %s: got HTTP %d, want %d", tt.host, tt.path, resp.StatusCode, tt.want)
			}
		})
	}
	t.Run("websocket upgrade with a matching Origin", func(t *testing.T) {
		hdr := http.Header{"Origin": {"http://rebind.attacker.example"}, "Host": {"rebind.attacker.example"}}
		d := websocket.Dialer{}
		ws, resp, err := d.Dial(h.wsURL(), hdr)
		if ws != nil {
			ws.Close()
			t.Fatal("the websocket opened for a foreign Host")
		}
		if resp == nil || resp.StatusCode != http.StatusMisdirectedRequest {
			t.Fatalf("want HTTP 421, got %v (%v)", resp, err)
		}
	})
}

// TestMetricsNeedTheToken: /metrics tells how many handoffs wait and how many messages
// reached each safety level; the public listener serves it only to a scraper with the token.
func TestMetricsNeedTheToken(t *testing.T) {
	parent := t
	const token = "scrape-token-0123456789"
	servers := map[string]*harness{}
	for _, tt := range []struct {
		name       string
		serverTok  string
		authHeader string
		want       int
	}{
		{"no token configured: not served publicly", "", "", http.StatusNotFound},
		{"no token configured, a guess sent", "", "Bearer " + token, http.StatusNotFound},
		{"token configured, none sent", token, "", http.StatusUnauthorized},
		{"token configured, wrong one", token, "Bearer not-the-token", http.StatusUnauthorized},
		{"token configured, right one", token, "Bearer " + token, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := servers[tt.serverTok]
			if h == nil {
				h = newHarness(parent, harnessOptions{site: func(o *Options) { o.Metrics, o.MetricsToken = metrics.New(nil), tt.serverTok }})
				servers[tt.serverTok] = h
			}
			req, _ := http.NewRequest("GET", h.http.URL+"/metrics", nil)
			if tt.authHeader != "" {
				req.Header.Set("Authorization", tt.authHeader)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("got HTTP %d, want %d", resp.StatusCode, tt.want)
			}
			if leaked := strings.Contains(string(body), "nightfloat_"); leaked != (tt.want == http.StatusOK) {
				t.Errorf("metrics in the body: %v, want %v", leaked, tt.want == http.StatusOK)
			}
		})
	}
}
