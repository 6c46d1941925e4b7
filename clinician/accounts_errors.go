package clinician

import "nightfloat"

// Sentinels for errors.Is (nightfloat.Error matches by code). The errors returned carry more
// detail: a message naming what was wrong and, when throttled, RetryAfter. None contains a
// password or a token.
var (
	ErrInvalid            = &nightfloat.Error{Code: nightfloat.CodeInvalid, Message: "invalid input"}
	ErrInvalidCredentials = &nightfloat.Error{Code: nightfloat.CodeInvalidCredentials, Message: "Wrong username or password."}
	ErrThrottled          = &nightfloat.Error{Code: nightfloat.CodeRateLimited, Message: "Too many attempts."}
	ErrWeakPassword       = &nightfloat.Error{Code: nightfloat.CodeWeakPassword, Message: "The password is too weak."}
	ErrUnauthorized       = &nightfloat.Error{Code: nightfloat.CodeUnauthorized, Message: "Not signed in, or the session has ended."}
	ErrForbidden          = &nightfloat.Error{Code: nightfloat.CodeForbidden, Message: "Not allowed."}
	ErrNotFound           = &nightfloat.Error{Code: nightfloat.CodeNotFound, Message: "Not found."}
	ErrConflict           = &nightfloat.Error{Code: nightfloat.CodeConflict, Message: "Conflicts with existing data."}
)
