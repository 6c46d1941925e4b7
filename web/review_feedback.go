package web

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"nightfloat"
	"regexp"
	"sync"
	"time"

	"nightfloat/review"
)

// POST /feedback: a resident's thumbs-down on one reply, which queues the conversation for
// clinician review. The conversation's resume token authorises it, as it authorises
// reading the conversation. The request must be same-origin JSON (a cross-site form
// cannot send application/json without a preflight, which this endpoint never answers),
// at most maxFeedbackBody bytes, and is rate limited per conversation and overall. No
// client address is used or kept: residents are pseudonymous.

const (
	maxFeedbackBody       = 4 << 10
	feedbackPerConvMinute = 10 // per conversation id, per minute
	feedbackPerSecond     = 50 // for the whole server, to bound database work on bad tokens
	feedbackLimiterSize   = 10000
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

type feedbackRequest struct {
	ConversationID string `json:"conversation_id"`
	Token          string `json:"token"`
	Seq            int64  `json:"seq"`
	Rating         string `json:"rating"`
	Comment        string `json:"comment"`
}

// feedbackLimiter is a fixed-window counter per conversation plus a global one.
type feedbackLimiter struct {
	mu          sync.Mutex
	window      time.Time
	perConv     map[string]int
	second      time.Time
	secondCount int
	now         func() time.Time
}

func newFeedbackLimiter() *feedbackLimiter {
	return &feedbackLimiter{perConv: map[string]int{}, now: time.Now}
}

func (l *feedbackLimiter) allow(convID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if sec := now.Truncate(time.Second); !sec.Equal(l.second) {
		l.second, l.secondCount = sec, 0
	}
	if l.secondCount >= feedbackPerSecond {
		return false
	}
	if min := now.Truncate(time.Minute); !min.Equal(l.window) || len(l.perConv) > feedbackLimiterSize {
		l.window, l.perConv = min, map[string]int{}
	}
	if l.perConv[convID] >= feedbackPerConvMinute {
		return false
	}
	l.perConv[convID]++
	l.secondCount++
	return true
}

// feedbackHandler returns the POST /feedback handler.
func (s *Server) feedbackHandler() http.Handler {
	limiter := newFeedbackLimiter()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if !sameOrigin(r) {
			writeJSONError(w, http.StatusForbidden, "cross_origin", "This request did not come from this site.")
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			writeJSONError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "Send JSON.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFeedbackBody)
		var req feedbackRequest
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeJSONError(w, http.StatusRequestEntityTooLarge, "too_large", "The feedback is too long.")
				return
			}
			writeJSONError(w, http.StatusBadRequest, "invalid", "The feedback could not be read.")
			return
		}
		if !uuidPattern.MatchString(req.ConversationID) || req.Token == "" || len(req.Token) > 256 {
			writeJSONError(w, http.StatusUnauthorized, "unauthorized", "This conversation cannot be opened with that token.")
			return
		}
		if !limiter.allow(req.ConversationID) {
			w.Header().Set("Retry-After", "60")
			writeJSONError(w, http.StatusTooManyRequests, "rate_limited", "Too much feedback at once; try again in a minute.")
			return
		}
		if _, err := s.svc.Store.OpenConversation(r.Context(), req.ConversationID, req.Token); err != nil {
			if nightfloat.ErrorCode(err) == nightfloat.CodeUnauthorized {
				writeJSONError(w, http.StatusUnauthorized, "unauthorized", "This conversation cannot be opened with that token.")
				return
			}
			s.logger.Error("feedback: open conversation", "error", err)
			writeJSONError(w, http.StatusServiceUnavailable, "unavailable", "Feedback is unavailable right now.")
			return
		}
		err := review.RecordFeedback(r.Context(), s.pool, review.Feedback{ConversationID: req.ConversationID, Seq: req.Seq,
			Rating: req.Rating, Comment: req.Comment})
		switch code := nightfloat.ErrorCode(err); {
		case err == nil:
		case code == nightfloat.CodeNotFound:
			writeJSONError(w, http.StatusNotFound, "not_found", "There is no such reply in this conversation.")
			return
		case code == nightfloat.CodeInvalid:
			writeJSONError(w, http.StatusBadRequest, "invalid", messageOf(err))
			return
		default:
			s.logger.Error("feedback: record", "error", err)
			writeJSONError(w, http.StatusServiceUnavailable, "unavailable", "Feedback is unavailable right now.")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true})
	})
}
