package web

import (
	"net/http"
	"nightfloat"
	"strconv"
)

// consolePageData is what the clinician console page starts with; everything live comes
// over /console/ws.
type consolePageData struct {
	Name        string
	Roles       []string
	OnCall      bool
	CSRF        string
	HandoffID   int64  // the handoff a pager link pointed at, if any
	Page        string // the page in the console's navigation
	ClinicianID int64  // the signed-in clinician, to tell their claims from others'
}

// consoleRoutes mounts the clinician console behind login.
func (s *Server) consoleRoutes(mux *http.ServeMux) {
	s.auth.Routes(mux)
	anyClinician := s.auth.Require("oncall", "reviewer", "admin")
	mux.Handle("GET /console/{$}", anyClinician(http.HandlerFunc(s.consolePage)))
	mux.Handle("GET /console/handoffs/{id}", s.auth.Require("oncall")(http.HandlerFunc(s.consolePage)))
	mux.Handle("GET /console/ws", s.auth.Require("oncall")(http.HandlerFunc(s.serveConsole)))
	mux.Handle("GET /console/audit", s.auth.Require("admin")(http.HandlerFunc(s.auditPage)))
	s.reviewRoutes(mux)
}

func (s *Server) consolePage(w http.ResponseWriter, r *http.Request) {
	c, _ := ClinicianFrom(r.Context())
	data := consolePageData{Name: c.DisplayName, Roles: c.Roles, OnCall: c.Has("oncall"), CSRF: CSRFFrom(r.Context()), Page: "handoffs", ClinicianID: c.ID}
	if id := r.PathValue("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			writeTextError(w, nightfloat.CodeNotFound, "no such handoff")
			return
		}
		data.HandoffID = n
	}
	s.render(w, "console.html", data)
}

// sessionToken is the console session cookie's value (set by Auth).
func sessionToken(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}
