package nightfloat

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an outcome for the people and programs that see it. web maps each code to
// one HTTP status and one websocket error frame; the command line prints the message.
type Code string

// The codes.
const (
	CodeInvalid            Code = "invalid"             // the request itself is wrong
	CodeTooLarge           Code = "too_large"           // the request is over a size limit
	CodeWeakPassword       Code = "weak_password"       // a new password breaks a rule
	CodeInvalidCredentials Code = "invalid_credentials" // wrong username or password
	CodeUnauthorized       Code = "unauthorized"        // not signed in, or no right to the conversation
	CodeForbidden          Code = "forbidden"           // signed in, but not allowed
	CodeNotFound           Code = "not_found"           // no such thing (or not visible to the caller)
	CodeConflict           Code = "conflict"            // the state has moved on
	CodeRateLimited        Code = "rate_limited"        // too many attempts; see RetryAfter
	CodeUnavailable        Code = "unavailable"         // a dependency is down; try again later
	CodeInternal           Code = "internal"            // a failure on our side
)

// Codes lists every code.
var Codes = []Code{CodeInvalid, CodeTooLarge, CodeWeakPassword, CodeInvalidCredentials, CodeUnauthorized,
	CodeForbidden, CodeNotFound, CodeConflict, CodeRateLimited, CodeUnavailable, CodeInternal}

// Error is an error with a code and a message fit to show the person who caused it. It never
// contains message text a resident typed, a password or a token.
type Error struct {
	Code       Code
	Message    string
	RetryAfter time.Duration // CodeRateLimited only: when another attempt may succeed
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, target) match any *Error with target's code, so that sentinels such
// as clinician.ErrRateLimited match the detailed errors returned.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf makes an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns err's code, CodeInternal when it carries none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the message of err fit to show a person.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "Something went wrong on our side."
}

// RetryAfter returns how long a rate-limited caller should wait, 0 for any other error.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.Code == CodeRateLimited {
		return e.RetryAfter
	}
	return 0
}
