package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"nightfloat"
	"nightfloat/clinician"
	"slices"
	"strconv"
	"strings"
)

// Console authentication: the login page, the session cookie, role checks and CSRF.
//
// The session cookie is HttpOnly, SameSite=Strict and scoped to /console, and carries a
// bearer token whose SHA-256 is the session's key in the database. Every state-changing
// request under a protected route must be same-origin (Sec-Fetch-Site and Origin) and
// carry the session's CSRF token in the X-CSRF-Token header or the csrf_token form field.
// The login form, which has no session yet, uses a double-submit token: a random value in
// a cookie scoped to /console/login that the form must repeat.

const (
	sessionCookie   = "nf_session"
	loginCSRFCookie = "nf_login_csrf"
	csrfHeader      = "X-CSRF-Token"
	csrfField       = "csrf_token"
	consoleHome     = "/console/"
	loginPath       = "/console/login"
	maxLoginBody    = 16 << 10
)

// Auth guards the clinician console.
type Auth struct {
	accounts *clinician.Accounts
	audit    *clinician.Audit
	pages    *template.Template
	logger   *slog.Logger
	secure   bool
	proxies  []netip.Prefix // reverse proxies whose X-Forwarded-For is believed
}

// TrustProxies sets the reverse proxies (NIGHTFLOAT_TRUSTED_PROXIES) whose X-Forwarded-For
// header is believed when throttling logins. Call it before serving.
func (a *Auth) TrustProxies(prefixes []netip.Prefix) { a.proxies = prefixes }

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

// NewAuth returns the console's authentication. pages must define "login.html".
// secureCookies marks cookies Secure; turn it off only for plain-HTTP local development.
func NewAuth(accounts *clinician.Accounts, audit *clinician.Audit, pages *template.Template, logger *slog.Logger, secureCookies bool) *Auth {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Auth{accounts: accounts, audit: audit, pages: pages, logger: logger, secure: secureCookies}
}

type authKey int

const (
	clinicianKey authKey = iota
	csrfKey
)

// ClinicianFrom returns the signed-in clinician of a request that passed Require.
func ClinicianFrom(ctx context.Context) (clinician.Clinician, bool) {
	c, ok := ctx.Value(clinicianKey).(clinician.Clinician)
	return c, ok
}

// CSRFFrom returns the session's CSRF token of a request that passed Require, for forms
// (field csrf_token) and for <meta name="csrf-token"> read by scripts (header X-CSRF-Token).
func CSRFFrom(ctx context.Context) string {
	s, _ := ctx.Value(csrfKey).(string)
	return s
}

// Routes mounts the login page, login and logout.
func (a *Auth) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+loginPath, a.loginPage)
	mux.HandleFunc("POST "+loginPath, a.login)
	mux.HandleFunc("POST /console/logout", a.logout)
}

// Require lets a request through only with a live session whose clinician holds at least
// one of roles (any session at all when roles is empty). Without a session, page loads are
// sent to the login page (303) and everything else, websockets included, gets 401 JSON; a
// missing role is 403. State-changing methods must also be same-origin and carry the CSRF
// token, or get 403. Responses are marked no-store.
func (a *Auth) Require(roles ...string) func(http.Handler) http.Handler {
	roles = slices.Clone(roles)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			changing := stateChanging(r.Method)
			if (changing || isWebSocket(r)) && !sameOrigin(r) {
				a.deny(w, r, http.StatusForbidden, "cross_origin", "This request did not come from this site.")
				return
			}
			c, s, ok := a.session(w, r)
			if !ok {
				return
			}
			if len(roles) > 0 && !slices.ContainsFunc(roles, c.Has) {
				a.auditDenied(r, c, roles)
				a.deny(w, r, http.StatusForbidden, "forbidden", "Your account does not have the role this needs.")
				return
			}
			if changing && !validCSRF(requestCSRF(r), s.CSRF) {
				a.deny(w, r, http.StatusForbidden, "csrf", "The security token is missing or wrong; reload the page and try again.")
				return
			}
			ctx := context.WithValue(r.Context(), clinicianKey, c)
			ctx = context.WithValue(ctx, csrfKey, s.CSRF)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// session resolves the request's session cookie, answering the request itself when there
// is no live session.
func (a *Auth) session(w http.ResponseWriter, r *http.Request) (clinician.Clinician, clinician.Session, bool) {
	token := sessionToken(r)
	if token == "" {
		a.unauthenticated(w, r)
		return clinician.Clinician{}, clinician.Session{}, false
	}
	c, s, err := a.accounts.SessionFor(r.Context(), token)
	switch {
	case errors.Is(err, clinician.ErrUnauthorized):
		a.clearSessionCookie(w)
		a.unauthenticated(w, r)
		return clinician.Clinician{}, clinician.Session{}, false
	case err != nil:
		// Fail closed: without the database nobody is let in.
		a.logger.Error("console session lookup failed", "error", err)
		a.deny(w, r, http.StatusServiceUnavailable, "unavailable", "Sign-in is unavailable right now; try again shortly.")
		return clinician.Clinician{}, clinician.Session{}, false
	}
	return c, s, true
}

func (a *Auth) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if wantsPage(r) {
		http.Redirect(w, r, loginPath, http.StatusSeeOther)
		return
	}
	writeJSONError(w, http.StatusUnauthorized, "unauthorized", "Sign in again.")
}

func (a *Auth) deny(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	if wantsPage(r) || isForm(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(message + "\n"))
		return
	}
	writeJSONError(w, status, code, message)
}

func (a *Auth) auditDenied(r *http.Request, c clinician.Clinician, roles []string) {
	err := a.audit.Record(r.Context(), clinician.ActorClinician(c.ID), "access.denied", r.URL.Path,
		map[string]any{"method": r.Method, "needs_one_of": roles})
	if err != nil {
		a.logger.Error("audit access.denied", "error", err)
	}
}

func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "message": message})
}

type loginPageData struct {
	CSRF      string
	Username  string
	Error     string
	Throttled string
	Notice    string
}

func (a *Auth) loginPage(w http.ResponseWriter, r *http.Request) {
	data := loginPageData{}
	if token := sessionToken(r); token != "" {
		_, _, err := a.accounts.SessionFor(r.Context(), token)
		switch {
		case err == nil:
			http.Redirect(w, r, consoleHome, http.StatusSeeOther)
			return
		case errors.Is(err, clinician.ErrUnauthorized):
			a.clearSessionCookie(w)
		default:
			// The database is unreachable: the session may well be alive, so it is kept.
			a.logger.Warn("login page: session lookup failed", "error", err)
			data.Error = "Sign-in is unavailable right now (the database cannot be reached). If you were signed in, you still are: go back to the console in a moment."
		}
	}
	if r.URL.Query().Get("signed_out") != "" {
		data.Notice = "You have signed out."
	}
	a.renderLogin(w, http.StatusOK, data)
}

func (a *Auth) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if err := r.ParseForm(); err != nil {
		a.renderLogin(w, http.StatusBadRequest, loginPageData{Error: "The sign-in form could not be read; try again."})
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	if len(username) > 128 {
		username = username[:128]
	}
	if !sameOrigin(r) {
		a.renderLogin(w, http.StatusForbidden, loginPageData{Username: username, Error: "This request did not come from this site."})
		return
	}
	cookie, err := r.Cookie(loginCSRFCookie)
	if err != nil || !validCSRF(r.PostForm.Get(csrfField), cookie.Value) {
		a.renderLogin(w, http.StatusForbidden, loginPageData{Username: username, Error: "The sign-in form expired; please try again."})
		return
	}
	sess, err := a.accounts.Login(r.Context(), username, r.PostForm.Get("password"), clientAddress(r, a.proxies))
	switch {
	case errors.Is(err, clinician.ErrThrottled):
		wait := nightfloat.RetryAfter(err)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
		a.renderLogin(w, http.StatusTooManyRequests, loginPageData{Username: username, Throttled: clinician.ThrottledMessage(wait)})
		return
	case errors.Is(err, clinician.ErrInvalidCredentials):
		a.renderLogin(w, http.StatusUnauthorized, loginPageData{Username: username, Error: "Wrong username or password."})
		return
	case err != nil:
		a.logger.Error("console login failed", "error", err)
		a.renderLogin(w, http.StatusServiceUnavailable, loginPageData{Username: username, Error: "Sign-in is unavailable right now; try again shortly."})
		return
	}
	// A session this browser already had is ended, not left alongside the new one.
	if old := sessionToken(r); old != "" {
		_ = a.accounts.Logout(r.Context(), old)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/console",
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: loginPath, MaxAge: -1,
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, consoleHome, http.StatusSeeOther)
}

func (a *Auth) logout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !sameOrigin(r) {
		a.deny(w, r, http.StatusForbidden, "cross_origin", "This request did not come from this site.")
		return
	}
	token := sessionToken(r)
	if token != "" {
		_, s, err := a.accounts.SessionFor(r.Context(), token)
		switch {
		case err == nil:
			if !validCSRF(requestCSRF(r), s.CSRF) {
				a.deny(w, r, http.StatusForbidden, "csrf", "The security token is missing or wrong; reload the page and try again.")
				return
			}
			if err := a.accounts.Logout(r.Context(), token); err != nil && !errors.Is(err, clinician.ErrUnauthorized) {
				a.logger.Error("console logout failed", "error", err)
				a.deny(w, r, http.StatusServiceUnavailable, "unavailable", "Signing out failed; try again.")
				return
			}
		case !errors.Is(err, clinician.ErrUnauthorized):
			a.logger.Error("console logout: session lookup failed", "error", err)
			a.deny(w, r, http.StatusServiceUnavailable, "unavailable", "Signing out failed; try again.")
			return
		}
	}
	a.clearSessionCookie(w)
	http.Redirect(w, r, loginPath+"?signed_out=1", http.StatusSeeOther)
}

// renderLogin renders the login page with a fresh double-submit token.
func (a *Auth) renderLogin(w http.ResponseWriter, status int, data loginPageData) {
	token, err := randomToken()
	if err != nil {
		a.logger.Error("login csrf token", "error", err)
		http.Error(w, "Sign-in is unavailable right now.", http.StatusInternalServerError)
		return
	}
	data.CSRF = token
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: loginPath,
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := a.pages.ExecuteTemplate(w, "login.html", data); err != nil {
		a.logger.Error("render login page", "error", err)
	}
}

func (a *Auth) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/console", MaxAge: -1,
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteStrictMode})
}

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

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// wantsPage reports whether a request is a browser loading a page (which is redirected to
// the login page) rather than a script or socket (which gets a status it can act on).
func wantsPage(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && !isWebSocket(r) &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
}

// clientAddress is the address a clinician login is throttled by, and used for nothing
// else. It is the connecting peer's IP, unless that peer is one of the trusted reverse
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
