package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// Cross-site request forgery. Every state-changing request to the console must be
// same-origin (Sec-Fetch-Site and Origin) and carry the session's CSRF token in the
// X-CSRF-Token header or the csrf_token form field (Auth.Require checks both). The login
// form, which has no session yet, repeats a random token from a cookie scoped to
// /console/login instead (double submit). POST /feedback, which has no session either, is
// same-origin JSON (resident_feedback.go).

const (
	csrfHeader = "X-CSRF-Token"
	csrfField  = "csrf_token"
)

// randomToken returns 32 random bytes, base64url: the login form's double-submit token.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// validCSRF compares a presented token with the expected one in constant time.
func validCSRF(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// requestCSRF is the token a request carries: the header, or else the form field.
func requestCSRF(r *http.Request) string {
	if v := r.Header.Get(csrfHeader); v != "" {
		return v
	}
	if isForm(r) {
		return r.PostFormValue(csrfField)
	}
	return ""
}

func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// sameOrigin refuses requests a browser marks as coming from another site. Fetch metadata
// (Sec-Fetch-Site) and Origin are set by browsers and cannot be forged by a page. With
// Referrer-Policy: no-referrer a browser sends "Origin: null" even on a same-origin form
// post, so "null" is accepted only when Sec-Fetch-Site vouches for the request. Clients
// that send neither header are not browsers (so not a CSRF vector) and still need the
// CSRF token.
func sameOrigin(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "" && site != "same-origin" {
		return false
	}
	origin := r.Header.Get("Origin")
	switch {
	case origin == "":
		return true
	case origin == "null":
		return site == "same-origin"
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}
