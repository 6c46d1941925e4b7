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

// consolePage renders the console: the handoff list for on-call clinicians, the pages a
// clinician's roles open for everyone else.
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
