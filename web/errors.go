package web

import (
	"encoding/json"
	"net/http"
	"nightfloat"
	"nightfloat/web/protocol"

	"nightfloat/assistant"
)

// How an outcome is answered, in one table: each code's HTTP status, and whether a
// resident's websocket error frame with that code carries the crisis resources. Every
// error response (JSON, plain text, re-rendered page) takes its status from here, and
// every websocket error frame its code; nothing else picks a status by code.

// Refinements web answers with besides nightfloat's codes: which check refused a request.
// They appear only on the wire (the JSON "error" field), never in an error value.
const (
	codeCrossOrigin      nightfloat.Code = "cross_origin"           // forbidden: the request came from another site
	codeCSRF             nightfloat.Code = "csrf"                   // forbidden: the CSRF token is missing or wrong
	codeUnsupportedMedia nightfloat.Code = "unsupported_media_type" // invalid: the body is not JSON
	codeMisdirected      nightfloat.Code = "misdirected"            // the Host is not one this server answers to
)

// answer is how one code is answered.
type answer struct {
	status int // the HTTP status
	// crisis: a resident who gets this may get no answer, so the frame lists where to reach
	// a person. Console frames (clinicians) never carry them.
	crisis bool
}

// answers holds a row for every nightfloat.Code and for web's own refinements.
var answers = map[nightfloat.Code]answer{
	nightfloat.CodeInvalid:            {http.StatusBadRequest, false},
	nightfloat.CodeTooLarge:           {http.StatusRequestEntityTooLarge, false},
	nightfloat.CodeWeakPassword:       {http.StatusBadRequest, false},
	nightfloat.CodeInvalidCredentials: {http.StatusUnauthorized, false},
	nightfloat.CodeUnauthorized:       {http.StatusUnauthorized, false},
	nightfloat.CodeForbidden:          {http.StatusForbidden, false},
	nightfloat.CodeNotFound:           {http.StatusNotFound, false},
	nightfloat.CodeConflict:           {http.StatusConflict, false},
	nightfloat.CodeRateLimited:        {http.StatusTooManyRequests, false},
	nightfloat.CodeUnavailable:        {http.StatusServiceUnavailable, true},
	nightfloat.CodeInternal:           {http.StatusInternalServerError, true},

	codeCrossOrigin:      {http.StatusForbidden, false},
	codeCSRF:             {http.StatusForbidden, false},
	codeUnsupportedMedia: {http.StatusUnsupportedMediaType, false},
	codeMisdirected:      {http.StatusMisdirectedRequest, false},
}

// answerTo returns code's row; a code without one is answered as internal (a test keeps
// every code in the table).
func answerTo(code nightfloat.Code) answer {
	if a, ok := answers[code]; ok {
		return a
	}
	return answers[nightfloat.CodeInternal]
}

// httpStatus is the HTTP status of a response with code.
func httpStatus(code nightfloat.Code) int { return answerTo(code).status }

// writeJSONError answers with {"error": code, "message": message} and code's status.
func writeJSONError(w http.ResponseWriter, code nightfloat.Code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus(code))
	_ = json.NewEncoder(w).Encode(map[string]string{"error": string(code), "message": message})
}

// writeTextError answers a page load or a form with message as plain text and code's status.
func writeTextError(w http.ResponseWriter, code nightfloat.Code, message string) {
	http.Error(w, message, httpStatus(code))
}

// newErrorFrame is the resident's error frame for err (about clientID's message, if any),
// with the crisis resources when its code may leave the resident without an answer.
func newErrorFrame(err error, clientID string, crisis assistant.CrisisResources) protocol.Error {
	return residentError(nightfloat.ErrorCode(err), nightfloat.ErrorMessage(err), clientID, crisis)
}

// residentError is the resident's error frame with code and message.
func residentError(code nightfloat.Code, message, clientID string, crisis assistant.CrisisResources) protocol.Error {
	f := protocol.Error{Type: protocol.TypeError, Code: code, Message: message, ClientID: clientID}
	if answerTo(code).crisis {
		f.Crisis = crisis.Lines(0)
	}
	return f
}

// consoleError is the console's error frame for err.
func consoleError(err error) protocol.Error {
	return protocol.Error{Type: protocol.TypeError, Code: nightfloat.ErrorCode(err), Message: nightfloat.ErrorMessage(err)}
}
