package web

import (
	"bytes"
	"encoding/json"

	"nightfloat/assistant"
	"nightfloat/web/protocol"
)

// The frames of the websocket protocol (docs/protocol.md) are the types of package
// protocol; this file decodes and checks what a resident's client sends.

// decodeFrame parses one client frame strictly enough to give a useful error.
func decodeFrame(data []byte) (protocol.ClientFrame, error) {
	var f protocol.ClientFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return f, assistant.Errorf(assistant.CodeInvalid, "the frame is not valid JSON: %v", err)
	}
	if dec.More() {
		return f, assistant.Errorf(assistant.CodeInvalid, "the frame has data after its JSON object")
	}
	switch f.Type {
	case protocol.TypeHello, protocol.TypeMessage, protocol.TypeDelete:
		return f, nil
	case "":
		return f, assistant.Errorf(assistant.CodeInvalid, "the frame has no \"type\"")
	default:
		return f, assistant.Errorf(assistant.CodeInvalid, "unknown frame type %q", f.Type)
	}
}

var errBinaryFrame = assistant.Errorf(assistant.CodeInvalid, "frames must be JSON text")

func errFrameTooLarge(n int) error {
	return assistant.Errorf(assistant.CodeTooLarge, "frames can be at most %d bytes; this one has %d", frameLimit, n)
}

func newErrorFrame(err error, clientID string, crisis assistant.CrisisResources) protocol.Error {
	f := protocol.Error{Type: protocol.TypeError, Code: assistant.ErrorCode(err), Message: assistant.ErrorMessage(err), ClientID: clientID}
	if f.Code == assistant.CodeUnavailable || f.Code == assistant.CodeInternal {
		f.Crisis = crisis.Lines(0)
	}
	return f
}
