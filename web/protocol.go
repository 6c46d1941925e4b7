package web

import (
	"bytes"
	"encoding/json"

	"nightfloat"
	"nightfloat/web/protocol"
)

// The frames of the websocket protocol (docs/protocol.md) are the types of package
// protocol; this file decodes and checks what a resident's client sends.

// decodeFrame parses one client frame strictly enough to give a useful error.
func decodeFrame(data []byte) (protocol.ClientFrame, error) {
	var f protocol.ClientFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return f, nightfloat.Errorf(nightfloat.CodeInvalid, "the frame is not valid JSON: %v", err)
	}
	if dec.More() {
		return f, nightfloat.Errorf(nightfloat.CodeInvalid, "the frame has data after its JSON object")
	}
	switch f.Type {
	case protocol.TypeHello, protocol.TypeMessage, protocol.TypeDelete, protocol.TypeScreen,
		protocol.TypeFormSave, protocol.TypeFormDelete, protocol.TypeCheckinAnswer, protocol.TypePushSubscribe, protocol.TypePushUnsubscribe:
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
