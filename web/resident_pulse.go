package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"time"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/pulse"
)

// The resident's channels to the programme, each authorised by the
// conversation's resume token like POST /feedback, same-origin JSON only, rate limited:
//
//	POST /pulse/due      whether this conversation may check in this ISO week
//	POST /pulse          the weekly one-tap check-in: a score 1 to 5, an optional topic
//	POST /report/preview exactly what a report to leadership would share, redacted
//	POST /report         sends it: the text is screened like a chat message first. Any
//	                     failure of the screen sends nothing (fail closed) and says so, with
//	                     the crisis resources. A red flag is sent and also goes into the
//	                     conversation as a message, where the usual handoff takes it to a
//	                     clinician (who then reads the words unredacted, as in any handoff).
//
// A stored report keeps no link to the conversation; a check-in is never shown alone.

const maxPulseBody = 20 << 10

type pulseRequest struct {
	ConversationID string `json:"conversation_id"`
	Token          string `json:"token"`
	Score          int    `json:"score,omitempty"`
	Topic          string `json:"topic,omitempty"`
	Kind           string `json:"kind,omitempty"`
	Text           string `json:"text,omitempty"`
	Preview        string `json:"preview,omitempty"` // what the resident saw and confirmed
}

// residentJSON reads a same-origin JSON request and opens its conversation.
func (s *Server) residentJSON(w http.ResponseWriter, r *http.Request, limiter *feedbackLimiter) (pulseRequest, assistant.Conversation, bool) {
	var req pulseRequest
	w.Header().Set("Cache-Control", "no-store")
	if !sameOrigin(r) {
		writeJSONError(w, codeCrossOrigin, "This request did not come from this site.")
		return req, assistant.Conversation{}, false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeJSONError(w, codeUnsupportedMedia, "Send JSON.")
		return req, assistant.Conversation{}, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPulseBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSONError(w, nightfloat.CodeTooLarge, "That is too long.")
		} else {
			writeJSONError(w, nightfloat.CodeInvalid, "The request could not be read.")
		}
		return req, assistant.Conversation{}, false
	}
	if !uuidPattern.MatchString(req.ConversationID) || req.Token == "" || len(req.Token) > 256 {
		writeJSONError(w, nightfloat.CodeUnauthorized, "This conversation cannot be opened with that token.")
		return req, assistant.Conversation{}, false
	}
	if !limiter.allow(req.ConversationID) {
		w.Header().Set("Retry-After", "60")
		writeJSONError(w, nightfloat.CodeRateLimited, "Too many requests at once; try again in a minute.")
		return req, assistant.Conversation{}, false
	}
	conv, err := s.svc.Resume(r.Context(), req.ConversationID, req.Token)
	if err != nil {
		if nightfloat.ErrorCode(err) == nightfloat.CodeUnauthorized {
			writeJSONError(w, nightfloat.CodeUnauthorized, "This conversation cannot be opened with that token.")
		} else {
			s.logger.Error("pulse: open conversation", "error", err)
			writeJSONError(w, nightfloat.CodeUnavailable, "This is unavailable right now.")
		}
		return req, conv, false
	}
	return req, conv, true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// writeStoreError answers an error from pulse: its own code when it is the resident's to
// fix, otherwise unavailable.
func (s *Server) writeStoreError(w http.ResponseWriter, what string, err error) {
	switch code := nightfloat.ErrorCode(err); code {
	case nightfloat.CodeInvalid, nightfloat.CodeTooLarge, nightfloat.CodeConflict:
		writeJSONError(w, code, nightfloat.ErrorMessage(err))
	default:
		s.logger.Error(what, "error", err)
		writeJSONError(w, nightfloat.CodeUnavailable, "This is unavailable right now.")
	}
}

func (s *Server) pulseHandlers(mux *http.ServeMux) {
	limiter := newFeedbackLimiter()
	mux.HandleFunc("POST /pulse/due", func(w http.ResponseWriter, r *http.Request) {
		_, conv, ok := s.residentJSON(w, r, limiter)
		if !ok {
			return
		}
		due, err := s.pulse.Due(r.Context(), conv.ID, time.Now())
		if err != nil {
			s.writeStoreError(w, "pulse: due", err)
			return
		}
		writeJSON(w, map[string]any{"due": due, "topics": pulse.Topics})
	})
	mux.HandleFunc("POST /pulse", func(w http.ResponseWriter, r *http.Request) {
		req, conv, ok := s.residentJSON(w, r, limiter)
		if !ok {
			return
		}
		if err := s.pulse.CheckIn(r.Context(), conv.ID, req.Score, req.Topic, time.Now()); err != nil {
			s.writeStoreError(w, "pulse: check in", err)
			return
		}
		writeJSON(w, map[string]any{"ok": true})
	})
	mux.HandleFunc("POST /report/preview", func(w http.ResponseWriter, r *http.Request) {
		req, _, ok := s.residentJSON(w, r, limiter)
		if !ok {
			return
		}
		writeJSON(w, map[string]any{"preview": pulse.Preview(req.Text)})
	})
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) {
		req, conv, ok := s.residentJSON(w, r, limiter)
		if !ok {
			return
		}
		if req.Preview != pulse.Preview(req.Text) {
			writeJSONError(w, nightfloat.CodeConflict, "What would be shared has changed; preview it again before sending.")
			return
		}
		level, err := s.svc.Screen(r.Context(), conv, req.Text)
		if err != nil { // fail closed: nothing is sent, and the resident is told and given people to reach
			s.logger.Error("report: screen", "error", err)
			writeJSON(w, map[string]any{"sent": false, "message": "Your report was not sent: our safety check is unavailable right now. Your text is still here; try again later.",
				"crisis": s.crisis.Lines(nightfloat.LevelConcern)})
			return
		}
		// The resident confirmed this report: it is stored, redacted, whatever the screen says.
		if err := s.pulse.Submit(r.Context(), req.Kind, req.Text); err != nil {
			s.writeStoreError(w, "report: submit", err)
			return
		}
		if level.ForcesHandoff() {
			// A red flag also goes to a clinician, through the conversation, as any message
			// would. The client id is the text's hash, so that sending the same report again
			// is a resend, not a second message.
			sum := sha256.Sum256([]byte(req.Text))
			if _, _, err := s.svc.Submit(r.Context(), conv, "report-"+hex.EncodeToString(sum[:12]), req.Text); err != nil {
				s.logger.Error("report: hand off", "error", err)
				writeJSON(w, map[string]any{"sent": true, "message": "Your report was sent to leadership. What you wrote sounds like you may need someone now; please reach a person:",
					"crisis": s.crisis.Lines(level)})
				return
			}
			writeJSON(w, map[string]any{"sent": true, "handed_off": true,
				"message": "Your report was sent to leadership as shown. What you wrote also sounds like you may need someone now, so it has gone into this conversation for a clinician (a person) to read."})
			return
		}
		writeJSON(w, map[string]any{"sent": true})
	})
}
