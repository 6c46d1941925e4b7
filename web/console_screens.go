package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/screening"
)

// The counsellors' page (permission counsellor), /console/screens: every conversation
// whose screens wait for a reply, most pressing first (screening.Compare), with the
// deadline. It shows the pseudonym, the role and the results only: no transcript, nothing
// identifying. Viewing it is audited (screens.view). A counsellor writes a personal reply
// with an optional next step; it is delivered to the resident as a message of their
// conversation and audited in the same transaction (assistant.Service.ReplyToScreen).

const maxScreenForm = 64 << 10

type screensPageData struct {
	Name, CSRF  string
	Roles       []string
	Page        string // the page in the console's navigation
	Cases       []screenCaseView
	NextSteps   []assistant.NextStep
	Overdue     int
	ReplyWithin string
	Notice      string
	Error       string
}

// screenCaseView is one conversation's waiting screens as the page lays them out.
type screenCaseView struct {
	Pseudonym string
	Role      string
	Level     string // of the most pressing screen
	ReplyTo   int64  // the screen the reply form answers (with the others of the case)
	Due       string // the deadline, UTC
	DueIn     string // "due in 5h", "overdue by 2h"
	Overdue   bool
	ReAlerts  int
	Handoff   bool // an item-9 answer opened a handoff to on-call
	Screens   []screenView
	Text      string // a refused reply's text, to send again
	Step      string
	Error     string
}

type screenView struct {
	Name     string
	Topic    string
	Complete bool
	Score    string
	Band     string
	Positive bool
	Level    string
	Alert    bool // PHQ-9 item 9 answered above "Not at all"
	TakenAt  string
	Answers  []screenAnswerView
}

type screenAnswerView struct {
	Number   int
	Question string
	Answer   string
	Alert    bool
}

// screensPage lists the waiting screens.
func (s *Server) screensPage(w http.ResponseWriter, r *http.Request) {
	notice := ""
	if r.URL.Query().Get("done") == "reply" {
		notice = "Reply sent. The resident will find it in their conversation."
	}
	s.renderScreens(w, r, http.StatusOK, notice, "", 0, "", "", "")
}

// renderScreens renders the page with status; errMsg, text and step belong to the case
// whose reply (to screen replyTo) was refused.
func (s *Server) renderScreens(w http.ResponseWriter, r *http.Request, status int, notice, topErr string, replyTo int64, errMsg, text, step string) {
	c, _ := ClinicianFrom(r.Context())
	cases, err := s.svc.ScreensAwaiting(r.Context())
	if err != nil {
		s.logger.Error("screens page", "error", err)
		writeTextError(w, nightfloat.CodeUnavailable, "The screens are unavailable right now.")
		return
	}
	now := time.Now()
	data := screensPageData{Name: c.DisplayName, CSRF: CSRFFrom(r.Context()), Roles: c.Roles, Page: "screens",
		NextSteps: assistant.NextSteps, ReplyWithin: assistant.HumanDuration(s.svc.ScreenReplyWithin()), Notice: notice, Error: topErr}
	screens := 0
	for _, sc := range cases {
		v := caseView(sc, now)
		for _, x := range sc.Screens {
			if x.ID == replyTo {
				v.Error, v.Text, v.Step = errMsg, text, step
			}
		}
		if v.Overdue {
			data.Overdue++
		}
		screens += len(sc.Screens)
		data.Cases = append(data.Cases, v)
	}
	if s.audit != nil {
		if err := s.audit.Record(r.Context(), c.Actor(), "screens.view", "", map[string]any{"cases": len(cases), "screens": screens}); err != nil {
			s.logger.Error("audit screens.view", "error", err)
			writeTextError(w, nightfloat.CodeUnavailable, "The screens cannot be shown: viewing them could not be recorded in the audit log.")
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, "console_screens.html", data); err != nil {
		s.logger.Error("render page", "page", "console_screens.html", "error", err)
	}
}

func caseView(sc assistant.ScreenCase, now time.Time) screenCaseView {
	v := screenCaseView{Pseudonym: sc.Pseudonym, Role: string(sc.Role), Level: sc.Pressing.Result.Level.String(),
		ReplyTo: sc.Pressing.ID, Due: sc.DueAt.UTC().Format("2006-01-02 15:04") + " UTC", Overdue: sc.Overdue(now),
		ReAlerts: sc.ReAlerts, Handoff: sc.HandoffID != 0}
	if v.Overdue {
		v.DueIn = "overdue by " + roughly(now.Sub(sc.DueAt))
	} else {
		v.DueIn = "due in " + roughly(sc.DueAt.Sub(now))
	}
	for _, x := range sc.Screens {
		v.Screens = append(v.Screens, screenViewOf(x))
	}
	return v
}

func screenViewOf(x assistant.Screen) screenView {
	r := x.Result
	sv := screenView{Name: string(r.Instrument), Complete: x.Complete, Level: r.Level.String(), Alert: len(r.Alerts) > 0,
		TakenAt: "taken " + x.CreatedAt.UTC().Format("2 Jan 15:04") + " UTC"}
	if x.Complete {
		sv.Score, sv.Band, sv.Positive = fmt.Sprintf("%d / %d", r.Total, r.Max), screening.BandLabel(r.Band), r.Positive
	} else {
		sv.Score = "not scored"
	}
	in, err := screening.Lookup(r.Instrument)
	if err != nil {
		return sv
	}
	sv.Name, sv.Topic = in.Name, in.Topic
	for _, q := range in.Items {
		v, ok := r.Answers[q.ID]
		if !ok {
			continue
		}
		a := screenAnswerView{Number: q.Number, Question: q.Text, Answer: strconv.Itoa(v), Alert: q.Alert.ForcesHandoff() && v != q.Options[0].Value}
		for _, o := range q.Options {
			if o.Value == v {
				a.Answer = o.Label
			}
		}
		sv.Answers = append(sv.Answers, a)
	}
	return sv
}

// roughly says a duration to the hour (or minute, under an hour).
func roughly(d time.Duration) string {
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%dh", int(d.Round(time.Hour)/time.Hour))
}

// screenReply delivers a counsellor's reply to a screen and its conversation's other
// waiting screens.
func (s *Server) screenReply(w http.ResponseWriter, r *http.Request) {
	c, _ := ClinicianFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeTextError(w, nightfloat.CodeNotFound, "No such screen.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxScreenForm)
	if err := r.ParseForm(); err != nil {
		writeTextError(w, nightfloat.CodeInvalid, "The form could not be read.")
		return
	}
	text, step := strings.TrimSpace(r.PostForm.Get("text")), r.PostForm.Get("next_step")
	by := assistant.Clinician{ID: c.ID, Name: c.DisplayName, Actor: c.Actor()}
	_, err = s.svc.ReplyToScreen(r.Context(), by, id, text, step)
	switch code := nightfloat.ErrorCode(err); {
	case err == nil:
		http.Redirect(w, r, "/console/screens?done=reply", http.StatusSeeOther)
	case code == nightfloat.CodeInvalid:
		s.renderScreens(w, r, httpStatus(code), "", "", id, nightfloat.ErrorMessage(err), text, step)
	case code == nightfloat.CodeConflict:
		s.renderScreens(w, r, httpStatus(code), "", "That screen was answered meanwhile, by you or another counsellor.", 0, "", "", "")
	case code == nightfloat.CodeNotFound:
		writeTextError(w, code, "No such screen.")
	default:
		s.logger.Error("reply to screen", "screen_id", id, "error", err)
		s.renderScreens(w, r, httpStatus(nightfloat.CodeUnavailable), "", "", id, "The reply could not be sent right now; nothing was sent. Try again in a moment.", text, step)
	}
}
