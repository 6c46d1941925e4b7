package review

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for the web layer and the command line.
type Code string

const (
	CodeInvalid            Code = "invalid"
	CodeInvalidCredentials Code = "invalid_credentials"
	CodeThrottled          Code = "throttled"
	CodeWeakPassword       Code = "weak_password"
	CodeUnauthorized       Code = "unauthorized"
	CodeForbidden          Code = "forbidden"
	CodeNotFound           Code = "not_found"
	CodeConflict           Code = "conflict"
)

// Error is an error with a code and a message fit to show the person who caused it. It
// never contains a password or a token.
type Error struct {
	Code       Code
	Message    string
	RetryAfter time.Duration // CodeThrottled only: when another attempt may succeed
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("review: %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("review: %s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrThrottled) and the like match any *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is. The errors returned carry more detail (a message, RetryAfter).
var (
	ErrInvalid            = &Error{Code: CodeInvalid, Message: "invalid input"}
	ErrInvalidCredentials = &Error{Code: CodeInvalidCredentials, Message: "Wrong username or password."}
	ErrThrottled          = &Error{Code: CodeThrottled, Message: "Too many attempts."}
	ErrWeakPassword       = &Error{Code: CodeWeakPassword, Message: "The password is too weak."}
	ErrUnauthorized       = &Error{Code: CodeUnauthorized, Message: "Not signed in, or the session has ended."}
	ErrForbidden          = &Error{Code: CodeForbidden, Message: "Not allowed."}
	ErrNotFound           = &Error{Code: CodeNotFound, Message: "Not found."}
	ErrConflict           = &Error{Code: CodeConflict, Message: "Conflicts with existing data."}
)

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns err's code, or "" when err is not a *Error (an internal failure).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// RetryAfter returns how long a throttled caller should wait, 0 when err is not ErrThrottled.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.Code == CodeThrottled {
		return e.RetryAfter
	}
	return 0
}
