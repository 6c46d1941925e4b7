package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"nightfloat"
	"nightfloat/clinician"
	"strconv"
	"strings"
	"time"

	"nightfloat/review"
)

// The review queue in the clinician console (role reviewer). Pages are rendered on the
// server from html/template, so every piece of transcript text (already redacted by the
// review package) is escaped; the forms post with the session's CSRF token.

const maxReviewForm = 64 << 10

// reviewRoutes mounts the review queue and the supervisor dashboard.
func (s *Server) reviewRoutes(mux *http.ServeMux) {
	q := review.NewQueue(s.pool, s.audit, s.reviewOpts)
	reviewer := s.auth.Require(clinician.RoleReviewer)
	mux.Handle("GET /console/review", reviewer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.reviewList(w, r, q) })))
	mux.Handle("GET /console/review/items/{id}", reviewer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.reviewItem(w, r, q, "", http.StatusOK) })))
	mux.Handle("POST /console/review/items/{id}/claim", reviewer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.reviewAction(w, r, q, "claim") })))
	mux.Handle("POST /console/review/items/{id}/release", reviewer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.reviewAction(w, r, q, "release") })))
	mux.Handle("POST /console/review/items/{id}/review", reviewer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.reviewAction(w, r, q, "submit") })))
	mux.Handle("GET /console/dashboard", s.auth.Require(clinician.RoleReviewer, clinician.RoleAdmin)(http.HandlerFunc(s.dashboardPage)))
}

type reviewListData struct {
	Name, CSRF string
	Roles      []string
	Items      []review.ItemSummary
	Filter     review.Filter
	Reasons    []string
	Levels     []string
	Statuses   []string
	Ages       []string
	Error      string
	Now        time.Time
	Page       string // the page in the console's navigation
}

func (s *Server) reviewList(w http.ResponseWriter, r *http.Request, q *review.Queue) {
	c, _ := ClinicianFrom(r.Context())
	v := r.URL.Query()
	f := review.Filter{Reason: v.Get("reason"), Level: v.Get("level"), Status: v.Get("status"), Age: v.Get("age")}
	data := reviewListData{Name: c.DisplayName, CSRF: CSRFFrom(r.Context()), Roles: c.Roles, Filter: f,
		Reasons: review.Reasons, Levels: []string{"none", "concern", "urgent", "emergency"},
		Statuses: []string{"open", "mine", review.StatusFirst, review.StatusSecond, review.StatusThird, review.StatusDone},
		Ages:     review.Ages, Now: time.Now(), Page: "review"}
	items, err := q.List(r.Context(), c, f)
	status := http.StatusOK
	switch {
	case nightfloat.ErrorCode(err) == nightfloat.CodeInvalid:
		status, data.Error = http.StatusBadRequest, "That filter is not one the queue knows."
	case err != nil:
		s.logger.Error("review queue", "error", err)
		http.Error(w, "The review queue is unavailable right now.", http.StatusServiceUnavailable)
		return
	}
	data.Items = items
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, "review.html", data); err != nil {
		s.logger.Error("render page", "page", "review.html", "error", err)
	}
}

type reviewItemData struct {
	Name, CSRF string
	Roles      []string
	Item       review.ItemView
	Escalation []string
	Marks      []string
	Scores     []reviewScore
	Error      string
	Notice     string
	Page       string // the page in the console's navigation
}

type reviewScore struct{ Field, Label string }

var reviewScores = []reviewScore{{"accuracy", "Accuracy"}, {"grounding", "Grounding in the vetted sources"}, {"empathy", "Empathy"}, {"role_fit", "Fit to the resident's role"}}

func itemID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) reviewItem(w http.ResponseWriter, r *http.Request, q *review.Queue, errMsg string, status int) {
	c, _ := ClinicianFrom(r.Context())
	id, ok := itemID(r)
	if !ok {
		http.Error(w, "No such review item.", http.StatusNotFound)
		return
	}
	view, err := q.Item(r.Context(), c, id)
	if err != nil {
		s.reviewError(w, err)
		return
	}
	data := reviewItemData{Name: c.DisplayName, CSRF: CSRFFrom(r.Context()), Roles: c.Roles, Item: view,
		Escalation: review.EscalationRatings, Marks: review.Marks, Scores: reviewScores, Error: errMsg, Page: "review"}
	switch r.URL.Query().Get("done") {
	case "claim":
		data.Notice = "Claimed. The claim lapses after 30 minutes without a submission."
	case "submit":
		data.Notice = "Review submitted."
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, "review_item.html", data); err != nil {
		s.logger.Error("render page", "page", "review_item.html", "error", err)
	}
}

// reviewError answers a failed queue call; anything not in the queue is 404, whatever the
// reason, so that ids cannot be probed.
func (s *Server) reviewError(w http.ResponseWriter, err error) {
	switch nightfloat.ErrorCode(err) {
	case nightfloat.CodeNotFound:
		http.Error(w, "No such review item.", http.StatusNotFound)
	case nightfloat.CodeForbidden:
		http.Error(w, messageOf(err), http.StatusForbidden)
	case nightfloat.CodeConflict:
		http.Error(w, messageOf(err), http.StatusConflict)
	case nightfloat.CodeInvalid:
		http.Error(w, messageOf(err), http.StatusBadRequest)
	default:
		s.logger.Error("review queue", "error", err)
		http.Error(w, "The review queue is unavailable right now.", http.StatusServiceUnavailable)
	}
}

func messageOf(err error) string {
	var e *nightfloat.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "failed"
}

func (s *Server) reviewAction(w http.ResponseWriter, r *http.Request, q *review.Queue, action string) {
	c, _ := ClinicianFrom(r.Context())
	id, ok := itemID(r)
	if !ok {
		http.Error(w, "No such review item.", http.StatusNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxReviewForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The form could not be read.", http.StatusBadRequest)
		return
	}
	var err error
	switch action {
	case "claim":
		_, err = q.Claim(r.Context(), c, id)
	case "release":
		err = q.Release(r.Context(), c, id)
	case "submit":
		var rubric review.Rubric
		rubric, err = rubricFromForm(r.PostForm)
		if err == nil {
			_, err = q.Submit(r.Context(), c, id, rubric)
		}
	}
	switch code := nightfloat.ErrorCode(err); {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/console/review/items/%d?done=%s", id, action), http.StatusSeeOther)
	case code == nightfloat.CodeInvalid || code == nightfloat.CodeConflict || code == nightfloat.CodeForbidden:
		status := map[nightfloat.Code]int{nightfloat.CodeInvalid: http.StatusBadRequest, nightfloat.CodeConflict: http.StatusConflict, nightfloat.CodeForbidden: http.StatusForbidden}[code]
		s.reviewItem(w, r, q, messageOf(err), status)
	default:
		s.reviewError(w, err)
	}
}

// rubricFromForm reads the rubric form: escalation, the four scores, note, and for each
// turn mark_<seq> (repeatable) with an optional marknote_<seq>.
func rubricFromForm(f url.Values) (review.Rubric, error) {
	r := review.Rubric{Escalation: f.Get("escalation"), Note: f.Get("note")}
	for _, s := range []struct {
		field string
		dst   *int
	}{{"accuracy", &r.Accuracy}, {"grounding", &r.Grounding}, {"empathy", &r.Empathy}, {"role_fit", &r.RoleFit}} {
		n, err := strconv.Atoi(f.Get(s.field))
		if err != nil {
			return r, &nightfloat.Error{Code: nightfloat.CodeInvalid, Message: "Score every item of the rubric from 1 to 5."}
		}
		*s.dst = n
	}
	for key, vals := range f {
		seqText, ok := strings.CutPrefix(key, "mark_")
		if !ok {
			continue
		}
		seq, err := strconv.ParseInt(seqText, 10, 64)
		if err != nil {
			return r, &nightfloat.Error{Code: nightfloat.CodeInvalid, Message: "A turn mark names no turn."}
		}
		for i, v := range vals {
			if v == "" {
				continue
			}
			m := review.TurnMark{Seq: seq, Mark: v}
			if i == 0 {
				m.Note = f.Get("marknote_" + seqText)
			}
			r.Marks = append(r.Marks, m)
		}
	}
	return r, nil
}
