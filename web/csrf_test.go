package web

import (
	"net/url"
	"nightfloat/clinician"
	"strings"
	"testing"
)

// alterLast returns token with its last character changed, so it is always wrong.
func alterLast(token string) string {
	last := "A"
	if strings.HasSuffix(token, "A") {
		last = "B"
	}
	return token[:len(token)-1] + last
}

func TestCSRFOnProtectedRoutes(t *testing.T) {
	t.Parallel()
	s := newAuthSite(t, clinician.AccountOptions{})
	s.create(t, "doc", "oncall")
	s.create(t, "other", "oncall")
	sc, csrf := s.login(t, "doc")
	_, otherCSRF := s.login(t, "other")
	same := s.srv.URL
	cases := []struct {
		name    string
		form    url.Values
		headers map[string]string
		status  int
	}{
		{"no token", nil, map[string]string{"Origin": same}, 403},
		{"empty header", nil, map[string]string{"Origin": same, csrfHeader: ""}, 403},
		{"wrong token", nil, map[string]string{"Origin": same, csrfHeader: alterLast(csrf)}, 403},
		{"another session's token", nil, map[string]string{"Origin": same, csrfHeader: otherCSRF}, 403},
		{"wrong form field", url.Values{"csrf_token": {"nope"}}, map[string]string{"Origin": same}, 403},
		{"right header", nil, map[string]string{"Origin": same, csrfHeader: csrf}, 200},
		{"right form field", url.Values{"csrf_token": {csrf}}, map[string]string{"Origin": same, "Sec-Fetch-Site": "same-origin"}, 200},
		{"no origin headers (not a browser)", nil, map[string]string{csrfHeader: csrf}, 200},
		{"right token, cross-origin", nil, map[string]string{"Origin": "https://evil.example", csrfHeader: csrf}, 403},
		{"right token, cross-site fetch", nil, map[string]string{"Sec-Fetch-Site": "cross-site", csrfHeader: csrf}, 403},
		{"right token, same-site subdomain", nil, map[string]string{"Sec-Fetch-Site": "same-site", csrfHeader: csrf}, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.do(t, "POST", "/console/api/duty", tc.form, tc.headers, sc)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, readBody(t, resp))
			}
		})
	}
	t.Run("cross-origin websocket", func(t *testing.T) {
		resp := s.do(t, "GET", "/console/ws", nil, map[string]string{"Origin": "https://evil.example", "Connection": "Upgrade", "Upgrade": "websocket"}, sc)
		if resp.StatusCode != 403 {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
}
