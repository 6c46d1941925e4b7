package assistant

import (
	"nightfloat"
	"strings"
	"unicode/utf8"
)

// checkStorable refuses text PostgreSQL cannot keep in a text column: invalid UTF-8 and
// U+0000 (NUL). Such text is refused with CodeInvalid, never stored altered, so the
// person who typed it is told plainly and nothing half-kept is shown back to them.
func checkStorable(what, s string) error {
	if !utf8.ValidString(s) {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the %s is not valid UTF-8 text", what)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return nightfloat.Errorf(nightfloat.CodeInvalid, "the %s contains a NUL character (U+0000), which cannot be stored; remove it and send again", what)
	}
	return nil
}
