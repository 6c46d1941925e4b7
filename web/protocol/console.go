package protocol

import (
	"nightfloat/assistant"
	"nightfloat/selfhelp"
)

// ConsoleCommand is any frame a clinician's console sends (duty, open, claim, say,
// resolve, offer_form, close_checkin); fields unused by its type are left out.
type ConsoleCommand struct {
	Type        string `json:"type"`
	On          bool   `json:"on,omitempty"`
	HandoffID   int64  `json:"handoff_id,omitempty"`
	ClientID    string `json:"client_id,omitempty"`
	Text        string `json:"text,omitempty"`
	Disposition string `json:"disposition,omitempty"`
	Note        string `json:"note,omitempty"`
	ReenableAI  bool   `json:"reenable_ai,omitempty"`
	// resolve: when to check in with the resident (RFC 3339); empty for no check-in.
	CheckinAt string `json:"checkin_at,omitempty"`
	// offer_form: the form to open in the resident's chat (a selfhelp.Kind).
	Kind string `json:"kind,omitempty"`
	// close_checkin: the unanswered check-in to take off the list.
	CheckinID int64 `json:"checkin_id,omitempty"`
}

// ConsoleCheckins lists the check-ins nobody answered in time.
type ConsoleCheckins struct {
	Type  string              `json:"type"` // "checkins"
	Items []assistant.Checkin `json:"items"`
}

// ConsoleForms is the resident's safety plan and exercises in the open conversation, as
// kept: shown with its transcript, and again whenever the resident saves or deletes one.
type ConsoleForms struct {
	Type      string           `json:"type"` // "forms"
	HandoffID int64            `json:"handoff_id"`
	Items     []selfhelp.Saved `json:"items"`
}

// ConsoleHandoffs lists the open handoffs.
type ConsoleHandoffs struct {
	Type  string              `json:"type"` // "handoffs"
	Items []assistant.Handoff `json:"items"`
}

// ConsoleHandoff is a new or changed handoff.
type ConsoleHandoff struct {
	Type  string            `json:"type"` // "handoff"
	Item  assistant.Handoff `json:"item"`
	Alert bool              `json:"alert"` // waiting for a clinician: sound and show
}

// ConsoleTranscript is the conversation of an opened handoff, with its assessments.
type ConsoleTranscript struct {
	Type        string                       `json:"type"` // "transcript"
	Handoff     assistant.Handoff            `json:"handoff"`
	Messages    []assistant.Message          `json:"messages"`
	Assessments []assistant.StoredAssessment `json:"assessments"`
}

// ConsoleMessage is a live message of the open conversation.
type ConsoleMessage struct {
	Type      string            `json:"type"` // "message"
	HandoffID int64             `json:"handoff_id"`
	Message   assistant.Message `json:"message"`
}

// ConsoleGone says the resident deleted the handoff's conversation.
type ConsoleGone struct {
	Type string `json:"type"` // "handoff_gone"
	ID   int64  `json:"id"`
}

// ConsoleStatus tells the console whether the server can reach the database.
type ConsoleStatus struct {
	Type     string `json:"type"`     // "status"
	Database string `json:"database"` // "ok" or "unreachable"
}

// ConsoleDuty says whether the clinician is on duty.
type ConsoleDuty struct {
	Type string `json:"type"` // "duty"
	On   bool   `json:"on"`
}
