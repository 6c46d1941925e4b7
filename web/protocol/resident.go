package protocol

import (
	"encoding/json"
	"time"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/selfhelp"
)

// ClientFrame is any frame a resident's client sends (hello, message, delete, screen, and
// the guided forms', check-ins' and notifications' frames below); fields unused by its type
// are left out.
type ClientFrame struct {
	Type           string `json:"type"`
	Role           string `json:"role,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
	Token          string `json:"token,omitempty"`
	LastSeq        int64  `json:"last_seq,omitempty"`
	ClientID       string `json:"client_id,omitempty"` // message and screen
	Text           string `json:"text,omitempty"`

	// screen: the instrument, and its answers by question id ("phq9_9": 1), decoded as
	// screening.Responses.
	Instrument string `json:"instrument,omitempty"`
	// form_save, form_delete: the form (0 for a new exercise, or the safety plan), its
	// kind (a selfhelp.Kind) and its answers, keyed by each step's field. screen: the
	// questionnaire's answers.
	FormID  int64           `json:"form_id,omitempty"`
	Kind    string          `json:"kind,omitempty"`
	Answers json.RawMessage `json:"answers,omitempty"`
	// checkin_answer: the check-in and "ok" or "talk".
	CheckinID int64  `json:"checkin_id,omitempty"`
	Answer    string `json:"answer,omitempty"`
	// push_subscribe, push_unsubscribe: the browser's PushSubscription as toJSON gives it
	// (push_unsubscribe needs only its endpoint).
	Push json.RawMessage `json:"push,omitempty"`
}

// Forms lists the conversation's guided forms as kept: whenever one is saved or deleted,
// and after a replay that holds a save or deletion (so after every reload).
type Forms struct {
	Type  string           `json:"type"` // "forms"
	Items []selfhelp.Saved `json:"items"`
}

// Push says whether this device's push subscription is kept for the conversation.
type Push struct {
	Type string `json:"type"` // "push"
	On   bool   `json:"on"`
}

// Welcome opens (or reopens) a conversation on the socket.
type Welcome struct {
	Type           string `json:"type"` // "welcome"
	ConversationID string `json:"conversation_id"`
	Token          string `json:"token"`
	Seq            int64  `json:"seq"`
	Role           string `json:"role"`
	Mode           string `json:"mode"`
	MaxChars       int    `json:"max_chars"`
}

// Message is a stored message of the conversation.
type Message struct {
	Type string `json:"type"` // "message"
	assistant.Message
}

// Delta is a checked piece of a reply that is still streaming.
type Delta struct {
	Type    string `json:"type"` // "delta"
	ReplyTo int64  `json:"reply_to"`
	Text    string `json:"text"`
}

// Done says the reply message with Seq is complete.
type Done struct {
	Type string `json:"type"` // "done"
	Seq  int64  `json:"seq"`
}

// Handoff tells the resident where a handoff to a clinician stands. It is sent when one
// opens or changes, and after every (re)connect while the conversation has one.
type Handoff struct {
	Type       string `json:"type"` // "handoff"
	ID         int64  `json:"id"`
	Level      string `json:"level"`  // urgent or emergency
	Status     string `json:"status"` // waiting, claimed or resolved
	Unattended bool   `json:"unattended,omitempty"`
	Mode       string `json:"mode"` // the conversation's mode: ai, human or closed
}

// Screened acknowledges a screen: it is stored (with the message that tells the resident
// the result, and any handoff it opened), and this is its result as the screening page
// shows it. A resend of a stored client_id is answered with the stored screen.
type Screened struct {
	Type     string       `json:"type"` // "screened"
	ClientID string       `json:"client_id"`
	Screen   ScreenResult `json:"screen"`
}

// ScreenResult is a stored screen as the resident is shown it.
type ScreenResult struct {
	ID         int64    `json:"id"`
	Instrument string   `json:"instrument"` // phq9, gad7 or burnout
	Name       string   `json:"name"`       // PHQ-9
	Topic      string   `json:"topic"`      // depression
	Complete   bool     `json:"complete"`   // scored; false only when item 9 handed off an incomplete screen
	Total      int      `json:"total"`
	Min        int      `json:"min"`
	Max        int      `json:"max"`
	Band       string   `json:"band"` // as people read it: "moderately severe"
	Positive   bool     `json:"positive"`
	Level      string   `json:"level"` // none, concern or urgent
	Alerts     []string `json:"alerts,omitempty"`
	Meaning    string   `json:"meaning"`        // what the band means, in plain words
	Note       string   `json:"note,omitempty"` // why an incomplete screen was not scored
	// Handoff is set when the screen handed the conversation to a clinician (item 9).
	Handoff  bool      `json:"handoff"`
	ReplyDue time.Time `json:"reply_due"` // when the counsellor's reply is due
}

// Deleted confirms that the conversation is gone from the database.
type Deleted struct {
	Type string `json:"type"` // "deleted"
}

// Error refuses a frame or reports a failure, on either socket.
type Error struct {
	Type     string          `json:"type"` // "error"
	Code     nightfloat.Code `json:"code"`
	Message  string          `json:"message"`
	ClientID string          `json:"client_id,omitempty"`
	// Crisis is set when the error means the resident may not get an answer: where to
	// reach a person instead.
	Crisis []string `json:"crisis,omitempty"`
}

// ServerFrame is any frame the server sends a resident, decoded loosely, as a client
// reads it: fields unused by its type are zero. Raw holds the frame as it arrived, when
// the reader keeps it.
type ServerFrame struct {
	Type string `json:"type"`

	// message: the stored message, as Message sends it. Its fields also hold the seq of
	// welcome and done, the reply_to and text (Body) of delta, and the client_id of error.
	assistant.Message

	// welcome
	ConversationID string `json:"conversation_id,omitempty"`
	Token          string `json:"token,omitempty"`
	Role           string `json:"role,omitempty"`
	Mode           string `json:"mode,omitempty"` // welcome and handoff
	MaxChars       int    `json:"max_chars,omitempty"`

	// handoff
	ID         int64  `json:"id,omitempty"`
	Level      string `json:"level,omitempty"`
	Status     string `json:"status,omitempty"`
	Unattended bool   `json:"unattended,omitempty"`

	// screened
	Screen *ScreenResult `json:"screen,omitempty"`

	// error
	Code         string   `json:"code,omitempty"`
	ErrorMessage string   `json:"message,omitempty"`
	Crisis       []string `json:"crisis,omitempty"`

	// forms
	Items []selfhelp.Saved `json:"items,omitempty"`
	// push
	On bool `json:"on,omitempty"`

	Raw json.RawMessage `json:"-"`
}
