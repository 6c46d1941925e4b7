package web

import (
	"fmt"
	"net/http"
	"net/url"
	"nightfloat"
	"strconv"
	"strings"
	"time"

	"nightfloat/review"
)

// The review queue in the clinician console (role reviewer). Pages are rendered on the
// server from html/template, so every piece of transcript text (already redacted by the
// review package) is escaped; the forms post with the session's CSRF token.

const maxReviewForm = 64 << 10

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

func (s *Server) reviewList(w http.ResponseWriter, r *http.Request) {
	c, _ := ClinicianFrom(r.Context())
	v := r.URL.Query()
	f := review.Filter{Reason: v.Get("reason"), Level: v.Get("level"), Status: v.Get("status"), Age: v.Get("age")}
	data := reviewListData{Name: c.DisplayName, CSRF: CSRFFrom(r.Context()), Roles: c.Roles, Filter: f,
		Reasons: review.Reasons, Levels: []string{"none", "concern", "urgent", "emergency"},
		Statuses: []string{"open", "mine", review.StatusFirst, review.StatusSecond, review.StatusThird, review.StatusDone},
		Ages:     review.Ages, Now: time.Now(), Page: "review"}
	items, err := s.queue.List(r.Context(), c, f)
	status := http.StatusOK
	switch code := nightfloat.ErrorCode(err); {
	case err == nil:
	case code == nightfloat.CodeInvalid:
		status, data.Error = httpStatus(code), "That filter is not one the queue knows."
	default:
		s.logger.Error("review queue", "error", err)
		writeTextError(w, nightfloat.CodeUnavailable, "The review queue is unavailable right now.")
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

// reviewItemPage shows one item of the queue.
func (s *Server) reviewItemPage(w http.ResponseWriter, r *http.Request) {
	s.reviewItem(w, r, "", http.StatusOK)
}

// reviewItem shows one item with errMsg above the rubric and status.
func (s *Server) reviewItem(w http.ResponseWriter, r *http.Request, errMsg string, status int) {
	c, _ := ClinicianFrom(r.Context())
	id, ok := itemID(r)
	if !ok {
		writeTextError(w, nightfloat.CodeNotFound, "No such review item.")
		return
	}
	view, err := s.queue.Item(r.Context(), c, id)
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
	switch code := nightfloat.ErrorCode(err); code {
	case nightfloat.CodeNotFound:
		writeTextError(w, code, "No such review item.")
	case nightfloat.CodeForbidden, nightfloat.CodeConflict, nightfloat.CodeInvalid:
		writeTextError(w, code, nightfloat.ErrorMessage(err))
	default:
		s.logger.Error("review queue", "error", err)
		writeTextError(w, nightfloat.CodeUnavailable, "The review queue is unavailable right now.")
	}
}

// reviewAction returns the handler of one form on an item: claim, release or submit.
func (s *Server) reviewAction(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.doReviewAction(w, r, action) }
}

func (s *Server) doReviewAction(w http.ResponseWriter, r *http.Request, action string) {
	q := s.queue
	c, _ := ClinicianFrom(r.Context())
	id, ok := itemID(r)
	if !ok {
		writeTextError(w, nightfloat.CodeNotFound, "No such review item.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxReviewForm)
	if err := r.ParseForm(); err != nil {
		writeTextError(w, nightfloat.CodeInvalid, "The form could not be read.")
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
		s.reviewItem(w, r, nightfloat.ErrorMessage(err), httpStatus(code))
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
