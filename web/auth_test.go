package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"nightfloat/clinician"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"nightfloat/internal/browsertest"

	"nightfloat/postgres/postgrestest"
)

const authPassword = "Quiet-Harbor-Lantern-42"

// authSite is a real Auth on a real database, with stub console pages behind it.
type authSite struct {
	db       *postgrestest.DB
	accounts *clinician.Accounts
	audit    *clinician.Audit
	srv      *httptest.Server
	client   *http.Client // never follows redirects, keeps no cookies
}

func newAuthSite(t *testing.T, opts clinician.AccountOptions) *authSite {
	t.Helper()
	db := postgrestest.New(t)
	audit := clinician.NewAudit(db.Pool)
	accounts := clinician.NewAccounts(db.Pool, audit, opts)
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	auth := NewAuth(accounts, audit, pages, slog.New(slog.DiscardHandler), false)
	mux := http.NewServeMux()
	auth.Routes(mux)
	static, err := fsSubStatic()
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	home := func(w http.ResponseWriter, r *http.Request) {
		c, ok := ClinicianFrom(r.Context())
		if !ok {
			http.Error(w, "no clinician in context", 500)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta name="csrf-token" content="%s"><title>Console</title></head>`+
			`<body><h1 id="console-home">Console for %s</h1></body></html>`, CSRFFrom(r.Context()), c.DisplayName)
	}
	api := func(w http.ResponseWriter, r *http.Request) {
		c, _ := ClinicianFrom(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "clinician": c.Username})
	}
	mux.Handle("GET /console/{$}", auth.Require("oncall", "reviewer", "admin")(http.HandlerFunc(home)))
	mux.Handle("GET /console/admin", auth.Require("admin")(http.HandlerFunc(home)))
	mux.Handle("GET /console/api/me", auth.Require()(http.HandlerFunc(api)))
	mux.Handle("POST /console/api/duty", auth.Require("oncall")(http.HandlerFunc(api)))
	mux.Handle("GET /console/ws", auth.Require("oncall")(http.HandlerFunc(api)))
	srv := httptest.NewServer(securityHeaders(mux))
	t.Cleanup(srv.Close)
	return &authSite{db: db, accounts: accounts, audit: audit, srv: srv, client: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func fsSubStatic() (fs.FS, error) { return fs.Sub(assets, "static") }

func (s *authSite) create(t *testing.T, username string, roles ...string) clinician.Clinician {
	t.Helper()
	c, err := s.accounts.Create(context.Background(), username, "Dr "+username, authPassword, roles)
	if err != nil {
		t.Fatalf("Create(%s): %v", username, err)
	}
	return c
}

// do sends a request; headers and cookies are given as "Name: value" and "cookie=value".
func (s *authSite) do(t *testing.T, method, path string, form url.Values, headers map[string]string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// loginForm loads the login page and returns its double-submit cookie and form token.
func (s *authSite) loginForm(t *testing.T) (*http.Cookie, string) {
	t.Helper()
	resp := s.do(t, "GET", "/console/login", nil, map[string]string{"Accept": "text/html"})
	body := readBody(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	m := csrfInput.FindStringSubmatch(body)
	c := cookieNamed(resp, loginCSRFCookie)
	if m == nil || c == nil || c.Value != m[1] {
		t.Fatalf("login page has no matching double-submit token (cookie %v)", c)
	}
	return c, m[1]
}

func (s *authSite) origin() map[string]string {
	return map[string]string{"Origin": s.srv.URL, "Sec-Fetch-Site": "same-origin", "Accept": "text/html"}
}

// login signs in through the login form and returns the session cookie and CSRF token.
func (s *authSite) login(t *testing.T, username string) (*http.Cookie, string) {
	t.Helper()
	lc, token := s.loginForm(t)
	resp := s.do(t, "POST", "/console/login", url.Values{"username": {username}, "password": {authPassword}, "csrf_token": {token}}, s.origin(), lc)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("login %s: %d %s: %s", username, resp.StatusCode, resp.Header.Get("Location"), readBody(t, resp))
	}
	sc := cookieNamed(resp, sessionCookie)
	if sc == nil || sc.Value == "" {
		t.Fatal("login set no session cookie")
	}
	home := s.do(t, "GET", "/console/", nil, map[string]string{"Accept": "text/html"}, sc)
	m := regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindStringSubmatch(readBody(t, home))
	if home.StatusCode != 200 || m == nil {
		t.Fatalf("console home after login: %d", home.StatusCode)
	}
	return sc, m[1]
}

func TestAuthRequiresSession(t *testing.T) {
	t.Parallel()
	s := newAuthSite(t, clinician.AccountOptions{})
	bogus := &http.Cookie{Name: sessionCookie, Value: "not-a-session"}
	cases := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		cookie  *http.Cookie
		status  int
	}{
		{"page without session", "GET", "/console/", map[string]string{"Accept": "text/html,application/xhtml+xml"}, nil, 303},
		{"page with bogus session", "GET", "/console/", map[string]string{"Accept": "text/html"}, bogus, 303},
		{"api without session", "GET", "/console/api/me", map[string]string{"Accept": "application/json"}, nil, 401},
		{"websocket without session", "GET", "/console/ws", map[string]string{"Accept": "text/html", "Connection": "Upgrade", "Upgrade": "websocket"}, nil, 401},
		{"post without session", "POST", "/console/api/duty", map[string]string{"Accept": "text/html"}, nil, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var cookies []*http.Cookie
			if tc.cookie != nil {
				cookies = append(cookies, tc.cookie)
			}
			resp := s.do(t, tc.method, tc.path, nil, tc.headers, cookies...)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 303 && resp.Header.Get("Location") != "/console/login" {
				t.Errorf("Location %q", resp.Header.Get("Location"))
			}
			if tc.status == 401 {
				var body map[string]string
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body["error"] != "unauthorized" {
					t.Errorf("401 body: %v %v", body, err)
				}
			}
			if tc.cookie != nil {
				if c := cookieNamed(resp, sessionCookie); c == nil || c.MaxAge >= 0 {
					t.Errorf("a dead session cookie should be cleared, got %v", c)
				}
			}
		})
	}
}

func TestLoginFlowAndCookies(t *testing.T) {
	t.Parallel()
	s := newAuthSite(t, clinician.AccountOptions{})
	s.create(t, "doc", "oncall")
	sc, csrf := s.login(t, "doc")
	if !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Path != "/console" {
		t.Errorf("session cookie: HttpOnly=%v SameSite=%v Path=%q", sc.HttpOnly, sc.SameSite, sc.Path)
	}
	if sc.Secure {
		t.Error("secureCookies=false yet the cookie is Secure")
	}
	if len(csrf) < 40 || csrf == sc.Value {
		t.Errorf("csrf token %q", csrf)
	}
	// The login page sends a signed-in clinician on to the console.
	resp := s.do(t, "GET", "/console/login", nil, map[string]string{"Accept": "text/html"}, sc)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/console/" {
		t.Errorf("login page when signed in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "" && !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q", cc)
	}
	me := s.do(t, "GET", "/console/api/me", nil, nil, sc)
	if me.StatusCode != 200 || !strings.Contains(readBody(t, me), `"clinician":"doc"`) || me.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("api with session: %d %q", me.StatusCode, me.Header.Get("Cache-Control"))
	}

	// Secure cookies when asked, checked on the handler directly (the test server is plain HTTP).
	pages, _ := parsePages()
	secure := NewAuth(s.accounts, s.audit, pages, nil, true)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/console/login", nil)
	secure.loginPage(rec, req)
	for _, c := range rec.Result().Cookies() {
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("secure site cookie %s: Secure=%v HttpOnly=%v SameSite=%v", c.Name, c.Secure, c.HttpOnly, c.SameSite)
		}
	}
	form := url.Values{"username": {"doc"}, "password": {authPassword}}
	lc, token := s.loginForm(t)
	form.Set("csrf_token", token)
	rec = httptest.NewRecorder()
	req = httptest.NewRequest("POST", "/console/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(lc)
	secure.login(rec, req)
	c := cookieNamed(rec.Result(), sessionCookie)
	if rec.Code != 303 || c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("secure login: %d, cookie %v", rec.Code, c)
	}
}

func TestLoginFormFailures(t *testing.T) {
	t.Parallel()
	s := newAuthSite(t, clinician.AccountOptions{MaxFailures: 3})
	s.create(t, "doc", "oncall")
	s.create(t, "locked", "oncall")
	cases := []struct {
		name     string
		username string
		password string
		token    func(real string) string // nil: the real token
		cookie   bool
		headers  map[string]string
		status   int
		says     string
	}{
		{"wrong password", "doc", "Wrong-Password-99", nil, true, nil, 401, "Wrong username or password."},
		{"unknown user", "nobody", authPassword, nil, true, nil, 401, "Wrong username or password."},
		{"no csrf token", "doc", authPassword, func(string) string { return "" }, true, nil, 403, "expired"},
		{"wrong csrf token", "doc", authPassword, func(r string) string { return r + "x" }, true, nil, 403, "expired"},
		{"no csrf cookie", "doc", authPassword, nil, false, nil, 403, "expired"},
		{"cross-origin", "doc", authPassword, nil, true, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": ""}, 403, "did not come from this site"},
		{"cross-site fetch metadata", "doc", authPassword, nil, true, map[string]string{"Origin": "", "Sec-Fetch-Site": "cross-site"}, 403, "did not come from this site"},
		{"null origin", "doc", authPassword, nil, true, map[string]string{"Origin": "null", "Sec-Fetch-Site": ""}, 403, "did not come from this site"},
		{"same-origin fetch, foreign Origin", "doc", authPassword, nil, true, map[string]string{"Origin": "https://evil.example"}, 403, "did not come from this site"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lc, token := s.loginForm(t)
			if tc.token != nil {
				token = tc.token(token)
			}
			headers := s.origin()
			for k, v := range tc.headers {
				if v == "" {
					delete(headers, k)
				} else {
					headers[k] = v
				}
			}
			var cookies []*http.Cookie
			if tc.cookie {
				cookies = append(cookies, lc)
			}
			resp := s.do(t, "POST", "/console/login", url.Values{"username": {tc.username}, "password": {tc.password}, "csrf_token": {token}}, headers, cookies...)
			body := readBody(t, resp)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.says) {
				t.Fatalf("status %d, want %d saying %q:\n%s", resp.StatusCode, tc.status, tc.says, body)
			}
			if cookieNamed(resp, sessionCookie) != nil {
				t.Error("a failed login set a session cookie")
			}
			if strings.Contains(body, tc.password) {
				t.Error("the page echoes the password")
			}
		})
	}

	t.Run("throttled", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			lc, token := s.loginForm(t)
			s.do(t, "POST", "/console/login", url.Values{"username": {"locked"}, "password": {"Wrong-Password-99"}, "csrf_token": {token}}, s.origin(), lc)
		}
		lc, token := s.loginForm(t)
		resp := s.do(t, "POST", "/console/login", url.Values{"username": {"locked"}, "password": {authPassword}, "csrf_token": {token}}, s.origin(), lc)
		body := readBody(t, resp)
		if resp.StatusCode != 429 || !strings.Contains(body, "Too many attempts; try again in 15 minutes") {
			t.Fatalf("throttled login: %d\n%s", resp.StatusCode, body)
		}
		if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("Retry-After %q", ra)
		}
		if cookieNamed(resp, sessionCookie) != nil {
			t.Error("throttled login set a session cookie")
		}
	})
}

func TestAuthRoles(t *testing.T) {
	t.Parallel()
	s := newAuthSite(t, clinician.AccountOptions{})
	s.create(t, "rev", "reviewer")
	s.create(t, "boss", "admin")
	s.create(t, "doc", "oncall")
	rev, revCSRF := s.login(t, "rev")
	boss, _ := s.login(t, "boss")
	doc, _ := s.login(t, "doc")
	html := map[string]string{"Accept": "text/html"}
	cases := []struct {
		name   string
		method string
		path   string
		cookie *http.Cookie
		hdr    map[string]string
		status int
	}{
		{"reviewer on admin page", "GET", "/console/admin", rev, html, 403},
		{"admin on admin page", "GET", "/console/admin", boss, html, 200},
		{"oncall on admin page", "GET", "/console/admin", doc, html, 403},
		{"admin is not oncall", "GET", "/console/ws", boss, nil, 403},
		{"reviewer on home (any role)", "GET", "/console/", rev, html, 200},
		{"reviewer posting an oncall action", "POST", "/console/api/duty", rev, map[string]string{csrfHeader: revCSRF}, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.do(t, tc.method, tc.path, nil, tc.hdr, tc.cookie)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
	entries, err := s.audit.List(context.Background(), time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	denied := 0
	for _, e := range entries {
		if e.Action == "access.denied" {
			denied++
		}
	}
	if denied != 4 {
		t.Errorf("%d access.denied audit entries, want 4", denied)
	}
}

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

func TestSessionLogoutAndDisable(t *testing.T) {
	t.Parallel()
	s := newAuthSite(t, clinician.AccountOptions{})
	s.create(t, "doc", "oncall")
	s.create(t, "gone", "oncall")
	html := map[string]string{"Accept": "text/html"}

	sc, csrf := s.login(t, "doc")
	// Logout needs the CSRF token: a forged logout form is refused.
	resp := s.do(t, "POST", "/console/logout", url.Values{}, map[string]string{"Origin": s.srv.URL}, sc)
	if resp.StatusCode != 403 {
		t.Fatalf("logout without csrf: %d", resp.StatusCode)
	}
	if resp := s.do(t, "GET", "/console/", nil, html, sc); resp.StatusCode != 200 {
		t.Fatalf("session after refused logout: %d", resp.StatusCode)
	}
	resp = s.do(t, "POST", "/console/logout", url.Values{"csrf_token": {csrf}}, map[string]string{"Origin": s.srv.URL}, sc)
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/console/login") {
		t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if c := cookieNamed(resp, sessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("logout did not clear the cookie: %v", c)
	}
	if resp := s.do(t, "GET", "/console/", nil, html, sc); resp.StatusCode != 303 {
		t.Fatalf("old cookie after logout: %d, want 303", resp.StatusCode)
	}

	gc, _ := s.login(t, "gone")
	if err := s.accounts.Disable(context.Background(), "clinician:1", "gone"); err != nil {
		t.Fatal(err)
	}
	if resp := s.do(t, "GET", "/console/", nil, html, gc); resp.StatusCode != 303 {
		t.Fatalf("session of a disabled account: %d, want 303", resp.StatusCode)
	}
	if resp := s.do(t, "GET", "/console/api/me", nil, nil, gc); resp.StatusCode != 401 {
		t.Fatalf("api with a disabled account's session: %d, want 401", resp.StatusCode)
	}
}

func TestSessionIdleTimeoutOverHTTP(t *testing.T) {
	t.Parallel()
	now := time.Now()
	var offset time.Duration
	s := newAuthSite(t, clinician.AccountOptions{IdleTimeout: 10 * time.Minute, Now: func() time.Time { return now.Add(offset) }})
	s.create(t, "doc", "oncall")
	sc, _ := s.login(t, "doc")
	offset = 11 * time.Minute
	if resp := s.do(t, "GET", "/console/api/me", nil, nil, sc); resp.StatusCode != 401 {
		t.Fatalf("idle session: %d, want 401", resp.StatusCode)
	}
}

func newAuthBrowser(t *testing.T) context.Context { return browsertest.New(t, browsertest.Phone) }

func TestLoginInBrowser(t *testing.T) {
	t.Parallel()
	s := newAuthSite(t, clinician.AccountOptions{})
	s.create(t, "doc", "oncall")
	browser := newAuthBrowser(t)
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()

	// A wrong password first: the page says so and keeps the username.
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.srv.URL+"/console/"), // redirected to the login page
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("username"), "doc"),
		chromedp.SendKeys(chromedp.ID("password"), "Wrong-Password-99"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("login-error")),
	)
	if err != nil {
		t.Fatalf("wrong password round: %v", err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("login-error")))
	if err != nil || !strings.Contains(msg, "Wrong username or password") {
		t.Fatalf("error message %q, %v", msg, err)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("username"))); v != "doc" {
		t.Errorf("username kept as %q", v)
	}
	// console.css loaded under the CSP: the dark palette is applied.
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string]("getComputedStyle(document.body).backgroundColor"))
	if err != nil || bg != "rgb(15, 18, 24)" {
		t.Errorf("login page background %q (%v): console.css did not load", bg, err)
	}

	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("password"), authPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("console-home")),
	)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("console-home")))
	if err != nil || heading != "Console for Dr doc" {
		t.Fatalf("landed on %q, %v", heading, err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if loc != s.srv.URL+"/console/" {
		t.Errorf("location %q", loc)
	}
	// The session cookie is invisible to scripts.
	cookies, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.cookie"))
	if err != nil || strings.Contains(cookies, sessionCookie) {
		t.Errorf("document.cookie = %q (%v): the session cookie must be HttpOnly", cookies, err)
	}
	entries, err := s.audit.List(context.Background(), time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var failed, succeeded bool
	for _, e := range entries {
		failed = failed || e.Action == "login.failed"
		succeeded = succeeded || e.Action == "login.succeeded"
	}
	if !failed || !succeeded {
		t.Errorf("audit: failed=%v succeeded=%v", failed, succeeded)
	}
}
