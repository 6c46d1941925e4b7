package web

import (
	"encoding/json"
	"net/http"

	"nightfloat/selfhelp"
)

// The chat page: what a resident opens. Everything live comes over /ws (resident_ws.go).

// chatPageData is what the chat page shows before any socket opens: the crisis resources
// must be on screen even when nothing else works.
type chatPageData struct {
	Institution string
	CrisisBar   crisisBar
	Disclosure  string
	MaxChars    int
	// Forms is the guided forms' steps as JSON (formSpec), for chat_forms.js.
	Forms string
	// VAPIDKey is the web-push public key; "" when notifications are off.
	VAPIDKey string
	// how reports to leadership are batched, as the report dialog explains it.
	ReportMinBatch int
	ReportDelay    string
}

// formSpec is one guided form as the page draws it: the project's own prompts from
// package selfhelp, and the content document that explains it.
type formSpec struct {
	Kind  selfhelp.Kind   `json:"kind"`
	Title string          `json:"title"`
	Name  string          `json:"name"`
	Intro string          `json:"intro"`
	Steps []selfhelp.Step `json:"steps"`
	Guide string          `json:"guide,omitempty"` // the explanation's address
}

// formSpecs lists every form's spec, as JSON.
func formSpecs() (string, error) {
	titles := map[selfhelp.Kind]string{selfhelp.KindSafetyPlan: "My safety plan", selfhelp.KindThoughtRecord: "Thought record",
		selfhelp.KindActivation: "Plan a small activity"}
	intros := map[selfhelp.Kind]string{selfhelp.KindSafetyPlan: selfhelp.PlanIntro, selfhelp.KindThoughtRecord: selfhelp.ThoughtRecordIntro,
		selfhelp.KindActivation: selfhelp.ActivationIntro}
	var specs []formSpec
	for _, k := range selfhelp.Kinds {
		steps, err := selfhelp.Steps(k)
		if err != nil {
			return "", err
		}
		spec := formSpec{Kind: k, Title: titles[k], Name: selfhelp.Name(k), Intro: intros[k], Steps: steps}
		if id := formGuides[k]; id != "" {
			spec.Guide = "/guides/" + id
		}
		specs = append(specs, spec)
	}
	b, err := json.Marshal(specs)
	return string(b), err
}

// chatPage renders the chat page.
func (s *Server) chatPage(w http.ResponseWriter, _ *http.Request) {
	data := chatPageData{
		Institution:    s.crisis.Institution,
		CrisisBar:      s.crisisBar(true),
		Disclosure:     s.crisis.Disclosure(),
		MaxChars:       s.svc.MaxMessageChars(),
		Forms:          s.forms,
		VAPIDKey:       s.vapidKey,
		ReportMinBatch: s.leadership.Reports.MinBatch,
		ReportDelay:    days(s.leadership.Reports.Delay),
	}
	s.render(w, "chat.html", data)
}

// serviceWorker serves the worker that shows a check-in's push notification, from the
// root so that it may open and focus the chat.
func (s *Server) serviceWorker(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, s.static, "sw.js")
}

// crisisBar is what the resident pages' crisis bar shows (templates/crisis_bar.html).
type crisisBar struct {
	OncallLabel string
	OncallPhone string
	CrisisLines []string
	SafetyPlan  bool // the page offers the resident's safety plan from the bar
}

// crisisBar is this deployment's crisis bar, with the safety-plan button when plan is set.
func (s *Server) crisisBar(plan bool) crisisBar {
	return crisisBar{OncallLabel: s.crisis.OncallLabel, OncallPhone: s.crisis.OncallPhone, CrisisLines: s.crisis.Lines(0), SafetyPlan: plan}
}
