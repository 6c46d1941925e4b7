package web

import (
	"bytes"
	"encoding/json"
	"nightfloat"

	"nightfloat/assistant"
)

// Frames of the resident websocket protocol (docs/protocol.md). Every frame is a JSON
// object with a "type".

// inFrame is any frame a client sends; fields unused by its type are ignored.
type inFrame struct {
	Type           string `json:"type"`
	Role           string `json:"role,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
	Token          string `json:"token,omitempty"`
	LastSeq        int64  `json:"last_seq,omitempty"`
	ClientID       string `json:"client_id,omitempty"`
	Text           string `json:"text,omitempty"`
}

type welcomeFrame struct {
	Type           string `json:"type"` // "welcome"
	ConversationID string `json:"conversation_id"`
	Token          string `json:"token"`
	Seq            int64  `json:"seq"`
	Role           string `json:"role"`
	Mode           string `json:"mode"`
	MaxChars       int    `json:"max_chars"`
}

type messageFrame struct {
	Type string `json:"type"` // "message"
	assistant.Message
}

type deltaFrame struct {
	Type    string `json:"type"` // "delta"
	ReplyTo int64  `json:"reply_to"`
	Text    string `json:"text"`
}

type doneFrame struct {
	Type string `json:"type"` // "done"
	Seq  int64  `json:"seq"`
}

// handoffFrame tells the resident where a handoff to a clinician stands. It is sent when
// one opens or changes, and after every (re)connect while the conversation has one.
type handoffFrame struct {
	Type       string `json:"type"` // "handoff"
	ID         int64  `json:"id"`
	Level      string `json:"level"`  // urgent or emergency
	Status     string `json:"status"` // waiting, claimed or resolved
	Unattended bool   `json:"unattended,omitempty"`
	Mode       string `json:"mode"` // the conversation's mode: ai, human or closed
}

// deletedFrame confirms that the conversation is gone from the database.
type deletedFrame struct {
	Type string `json:"type"` // "deleted"
}

type errorFrame struct {
	Type     string          `json:"type"` // "error"
	Code     nightfloat.Code `json:"code"`
	Message  string          `json:"message"`
	ClientID string          `json:"client_id,omitempty"`
	// Crisis is set when the error means the resident may not get an answer: where to
	// reach a person instead.
	Crisis []string `json:"crisis,omitempty"`
}

// decodeFrame parses one client frame strictly enough to give a useful error.
func decodeFrame(data []byte) (inFrame, error) {
	var f inFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return f, nightfloat.Errorf(nightfloat.CodeInvalid, "the frame is not valid JSON: %v", err)
	}
	if dec.More() {
		return f, nightfloat.Errorf(nightfloat.CodeInvalid, "the frame has data after its JSON object")
	}
	switch f.Type {
	case "hello", "message", "delete":
		return f, nil
	case "":
		return f, nightfloat.Errorf(nightfloat.CodeInvalid, "the frame has no \"type\"")
	default:
		return f, nightfloat.Errorf(nightfloat.CodeInvalid, "unknown frame type %q", f.Type)
	}
}

var errBinaryFrame = nightfloat.Errorf(nightfloat.CodeInvalid, "frames must be JSON text")

func errFrameTooLarge(n int) error {
	return nightfloat.Errorf(nightfloat.CodeTooLarge, "frames can be at most %d bytes; this one has %d", frameLimit, n)
}
