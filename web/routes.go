package web

import (
	"net/http"
	"nightfloat/clinician"
)

// Every route, and who may use it. Residents have no account: a conversation's resume
// token authorises everything about it. Every /console route but login and logout needs a
// signed-in clinician holding one of the roles beside it (Auth.Require: otherwise a page
// load goes to the login page and anything else gets 401, or 403 for a missing role; every
// state change must also pass the CSRF checks).

// Handler returns the HTTP routes, behind the host allow-list and the security headers.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.residentRoutes(mux)
	if s.auth != nil { // without accounts and an audit log, only the chat is served
		s.auth.Routes(mux)
		s.consoleRoutes(mux)
	}
	return hostAllowList(s.hosts, securityHeaders(mux))
}

// residentRoutes are open to anyone who can reach the server.
func (s *Server) residentRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.chatPage)            // resident_chat.go
	mux.HandleFunc("GET /ws", s.serveResident)        // resident_ws.go: the resume token, per conversation
	mux.Handle("POST /feedback", s.feedbackHandler()) // resident_feedback.go: the resume token
	mux.HandleFunc("GET /safety", s.safetyPage)       // resident_safety.go
	mux.HandleFunc("GET /screen", s.screenPage)       // resident_screen.go: the answers go over /ws
	mux.HandleFunc("GET /guides/{id}", s.guidePage)   // resident_guides.go: vetted content, read whole
	mux.HandleFunc("GET /sw.js", s.serviceWorker)     // resident_chat.go: shows a check-in's push, without text
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(s.static)))
	s.pulseHandlers(mux)                      // resident_pulse.go: the weekly check-in and reports to leadership; the resume token
	mux.HandleFunc("GET /healthz", s.healthz) // load balancers: up or down, any Host
	mux.HandleFunc("GET /readyz", s.readyz)   // load balancers: database reachable and migrated
	if s.metricsToken != "" {
		mux.Handle("GET /metrics", s.MetricsHandler(s.metricsToken)) // the scrape token
	}
}

// Routes mounts the login page, login and logout, which need no role: logout checks its own
// session and CSRF token.
func (a *Auth) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+loginPath, a.loginPage)
	mux.HandleFunc("POST "+loginPath, a.login)
	mux.HandleFunc("POST /console/logout", a.logout)
}

// consoleRoutes are the clinicians' pages and socket, each with the roles that may use it.
func (s *Server) consoleRoutes(mux *http.ServeMux) {
	const oncall, reviewer, admin = clinician.RoleOncall, clinician.RoleReviewer, clinician.RoleAdmin
	const counsellor = clinician.RoleCounsellor
	const leadership = clinician.RoleLeadership
	for _, r := range []struct {
		pattern string
		roles   []string // any one of them
		handler http.HandlerFunc
	}{
		{"GET /console/{$}", []string{oncall, reviewer, admin, counsellor, leadership}, s.consolePage}, // console_page.go: links only without oncall
		{"GET /console/handoffs/{id}", []string{oncall}, s.consolePage},                                // a pager's link to one handoff
		{"GET /console/ws", []string{oncall}, s.serveConsole},                                          // console_ws.go: re-checks the session every frame
		{"GET /console/review", []string{reviewer}, s.reviewList},                                      // console_review.go
		{"GET /console/review/items/{id}", []string{reviewer}, s.reviewItemPage},
		{"POST /console/review/items/{id}/claim", []string{reviewer}, s.reviewAction("claim")},
		{"POST /console/review/items/{id}/release", []string{reviewer}, s.reviewAction("release")},
		{"POST /console/review/items/{id}/review", []string{reviewer}, s.reviewAction("submit")},
		{"GET /console/dashboard", []string{reviewer, admin}, s.dashboardPage}, // console_dashboard.go
		{"GET /console/audit", []string{admin}, s.auditPage},                   // console_audit.go
		{"GET /console/screens", []string{counsellor}, s.screensPage},          // console_screens.go
		{"POST /console/screens/{id}/reply", []string{counsellor}, s.screenReply},
		// leadership sees aggregates and released reports only, nothing else.
		{"GET /console/leadership", []string{leadership}, s.leadershipPage}, // console_leadership.go
		{"GET /console/leadership/trends.csv", []string{leadership}, s.leadershipCSV},
	} {
		mux.Handle(r.pattern, s.auth.Require(r.roles...)(r.handler))
	}
}
