package web

import (
	"encoding/json"
	"nightfloat"
	"testing"
)

// FuzzDecodeFrame: every byte a client sends passes through decodeFrame. Whatever arrives, it
// must not panic, must accept only the three frame types, and must refuse with an
// invalid-frame error that the client can be shown (never an internal error).
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","role":"resident"}`,
		`{"type":"hello","role":"resident","conversation_id":"6f1c","token":"k3J","last_seq":12}`,
		`{"type":"message","client_id":"0d5b1e0a","text":"rough night on call"}`,
		`{"type":"delete"}`,
		`{"type":"message","text":"a"} {"type":"message"}`,
		`{"type":"nope"}`, `{}`, `[]`, `null`, `"hello"`, ``, `{"type":`, `{"type":"hello","last_seq":1e400}`,
		`{"type":"message","text":"\ud800"}`, `{"type":"message","client_id":123}`, "\xff\xfe{}",
		`{"type":"hello","type":"delete"}`, `{"Type":"HELLO"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := decodeFrame(data)
		if err != nil {
			if code := nightfloat.ErrorCode(err); code != nightfloat.CodeInvalid {
				t.Fatalf("decodeFrame(%q): error code %q, want %q", data, code, nightfloat.CodeInvalid)
			}
			if nightfloat.ErrorMessage(err) == "" {
				t.Fatalf("decodeFrame(%q): an error with no message for the client", data)
			}
			return
		}
		switch fr.Type {
		case "hello", "message", "delete":
		default:
			t.Fatalf("decodeFrame(%q) accepted type %q", data, fr.Type)
		}
		// An accepted frame is one JSON value that re-encodes.
		if _, err := json.Marshal(fr); err != nil {
			t.Fatalf("decodeFrame(%q) gave a frame that does not encode: %v", data, err)
		}
	})
}
