package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"nightfloat"
	"nightfloat/clinician"
	"slices"
	"strconv"
	"strings"
)

// Console authentication: the login page, the session cookie and role checks.
//
// The session cookie is HttpOnly, SameSite=Strict and scoped to /console, and carries a
// bearer token whose SHA-256 is the session's key in the database. Every state-changing
// request under a protected route must also pass the CSRF checks (csrf.go). Logins are
// throttled by the client's address (clientip.go).

const (
	sessionCookie   = "nf_session"
	loginCSRFCookie = "nf_login_csrf"
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
				a.deny(w, r, codeCrossOrigin, "This request did not come from this site.")
				return
			}
			c, s, ok := a.session(w, r)
			if !ok {
				return
			}
			if len(roles) > 0 && !slices.ContainsFunc(roles, c.Has) {
				a.auditDenied(r, c, roles)
				a.deny(w, r, nightfloat.CodeForbidden, "Your account does not have the role this needs.")
				return
			}
			if changing && !validCSRF(requestCSRF(r), s.CSRF) {
				a.deny(w, r, codeCSRF, "The security token is missing or wrong; reload the page and try again.")
				return
			}
			ctx := context.WithValue(r.Context(), clinicianKey, c)
			ctx = context.WithValue(ctx, csrfKey, s.CSRF)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// sessionToken is the console session cookie's value (set by Auth).
func sessionToken(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
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
		a.deny(w, r, nightfloat.CodeUnavailable, "Sign-in is unavailable right now; try again shortly.")
		return clinician.Clinician{}, clinician.Session{}, false
	}
	return c, s, true
}

func (a *Auth) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if wantsPage(r) {
		http.Redirect(w, r, loginPath, http.StatusSeeOther)
		return
	}
	writeJSONError(w, nightfloat.CodeUnauthorized, "Sign in again.")
}

// deny refuses a request with code: as plain text to a page load or a form, else as JSON.
func (a *Auth) deny(w http.ResponseWriter, r *http.Request, code nightfloat.Code, message string) {
	if wantsPage(r) || isForm(r) {
		writeTextError(w, code, message)
		return
	}
	writeJSONError(w, code, message)
}

func (a *Auth) auditDenied(r *http.Request, c clinician.Clinician, roles []string) {
	err := a.audit.Record(r.Context(), clinician.ActorClinician(c.ID), "access.denied", r.URL.Path,
		map[string]any{"method": r.Method, "needs_one_of": roles})
	if err != nil {
		a.logger.Error("audit access.denied", "error", err)
	}
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
		a.renderLogin(w, httpStatus(nightfloat.CodeInvalid), loginPageData{Error: "The sign-in form could not be read; try again."})
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	if len(username) > 128 {
		username = username[:128]
	}
	if !sameOrigin(r) {
		a.renderLogin(w, httpStatus(codeCrossOrigin), loginPageData{Username: username, Error: "This request did not come from this site."})
		return
	}
	cookie, err := r.Cookie(loginCSRFCookie)
	if err != nil || !validCSRF(r.PostForm.Get(csrfField), cookie.Value) {
		a.renderLogin(w, httpStatus(codeCSRF), loginPageData{Username: username, Error: "The sign-in form expired; please try again."})
		return
	}
	sess, err := a.accounts.Login(r.Context(), username, r.PostForm.Get("password"), clientAddress(r, a.proxies))
	switch {
	case errors.Is(err, clinician.ErrThrottled):
		wait := nightfloat.RetryAfter(err)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
		a.renderLogin(w, httpStatus(nightfloat.CodeRateLimited), loginPageData{Username: username, Throttled: clinician.ThrottledMessage(wait)})
		return
	case errors.Is(err, clinician.ErrInvalidCredentials):
		a.renderLogin(w, httpStatus(nightfloat.CodeInvalidCredentials), loginPageData{Username: username, Error: "Wrong username or password."})
		return
	case err != nil:
		a.logger.Error("console login failed", "error", err)
		a.renderLogin(w, httpStatus(nightfloat.CodeUnavailable), loginPageData{Username: username, Error: "Sign-in is unavailable right now; try again shortly."})
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
		a.deny(w, r, codeCrossOrigin, "This request did not come from this site.")
		return
	}
	token := sessionToken(r)
	if token != "" {
		_, s, err := a.accounts.SessionFor(r.Context(), token)
		switch {
		case err == nil:
			if !validCSRF(requestCSRF(r), s.CSRF) {
				a.deny(w, r, codeCSRF, "The security token is missing or wrong; reload the page and try again.")
				return
			}
			if err := a.accounts.Logout(r.Context(), token); err != nil && !errors.Is(err, clinician.ErrUnauthorized) {
				a.logger.Error("console logout failed", "error", err)
				a.deny(w, r, nightfloat.CodeUnavailable, "Signing out failed; try again.")
				return
			}
		case !errors.Is(err, clinician.ErrUnauthorized):
			a.logger.Error("console logout: session lookup failed", "error", err)
			a.deny(w, r, nightfloat.CodeUnavailable, "Signing out failed; try again.")
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
		writeTextError(w, nightfloat.CodeInternal, "Sign-in is unavailable right now.")
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
