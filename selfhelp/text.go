package selfhelp

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"nightfloat"
)

// FieldError says which field was refused and why. Validation errors are a
// *nightfloat.Error of CodeInvalid wrapping one, so a form can mark the field.
type FieldError struct {
	Path   string // the field as sent: "warning_signs[2]", "intensity"
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("selfhelp: %s: %s", e.Path, e.Reason) }

// invalid makes the error for a refused field; message is what the person is told.
func invalid(path, reason, message string) error {
	return &nightfloat.Error{Code: nightfloat.CodeInvalid, Message: message, Err: &FieldError{Path: path, Reason: reason}}
}

// cleanText returns s trimmed of surrounding space, or refuses text that cannot be kept:
// invalid UTF-8, a NUL character (U+0000), or more than maxChars characters once trimmed.
// title names the step in the message.
func cleanText(path, title, s string, maxChars int) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid(path, "invalid UTF-8", fmt.Sprintf("%q: the text is not valid UTF-8", title))
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", invalid(path, "NUL character", fmt.Sprintf("%q: the text contains a NUL character (U+0000), which cannot be kept; remove it and save again", title))
	}
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > maxChars {
		return "", invalid(path, "too long", fmt.Sprintf("%q: %d characters is over the limit of %d; shorten it and save again", title, n, maxChars))
	}
	return s, nil
}

// checkRating refuses a rating outside its step's range; an unanswered rating is fine.
func checkRating(st Step, v *int) error {
	if v == nil || (*v >= st.Min && *v <= st.Max) {
		return nil
	}
	return invalid(st.Field, "out of range", fmt.Sprintf("%q: %d is not between %d and %d", st.Title, *v, st.Min, st.Max))
}
