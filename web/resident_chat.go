package web

import "net/http"

// The chat page: what a resident opens. Everything live comes over /ws (resident_ws.go).

// chatPageData is what the chat page shows before any socket opens: the crisis resources
// must be on screen even when nothing else works.
type chatPageData struct {
	Institution string
	OncallLabel string
	OncallPhone string
	CrisisLines []string
	Disclosure  string
	MaxChars    int
	// Issue 20: how reports to leadership are batched, as the report dialog explains it.
	ReportMinBatch int
	ReportDelay    string
}

// chatPage renders the chat page.
func (s *Server) chatPage(w http.ResponseWriter, _ *http.Request) {
	data := chatPageData{
		Institution:    s.crisis.Institution,
		OncallLabel:    s.crisis.OncallLabel,
		OncallPhone:    s.crisis.OncallPhone,
		CrisisLines:    s.crisis.Lines(0),
		Disclosure:     s.crisis.Disclosure(),
		MaxChars:       s.svc.MaxMessageChars(),
		ReportMinBatch: s.leadership.Reports.MinBatch,
		ReportDelay:    days(s.leadership.Reports.Delay),
	}
	s.render(w, "chat.html", data)
}
