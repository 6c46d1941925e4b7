package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"nightfloat"
	"testing"
)

// TestEveryCodeHasAnAnswer: each of nightfloat's codes has a row in the one table, so a
// new code cannot reach a person as an unplanned status.
func TestEveryCodeHasAnAnswer(t *testing.T) {
	for _, code := range nightfloat.Codes {
		a, ok := answers[code]
		if !ok {
			t.Errorf("code %q has no row in web's answers table (web/errors.go)", code)
			continue
		}
		if a.status < 400 || a.status > 599 {
			t.Errorf("code %q answers with %d, not an error status", code, a.status)
		}
	}
}

func TestAnswers(t *testing.T) {
	tests := []struct {
		code       nightfloat.Code
		wantStatus int
		wantCrisis bool
	}{
		{nightfloat.CodeInvalid, http.StatusBadRequest, false},
		{nightfloat.CodeTooLarge, http.StatusRequestEntityTooLarge, false},
		{nightfloat.CodeUnauthorized, http.StatusUnauthorized, false},
		{nightfloat.CodeInvalidCredentials, http.StatusUnauthorized, false},
		{nightfloat.CodeForbidden, http.StatusForbidden, false},
		{nightfloat.CodeNotFound, http.StatusNotFound, false},
		{nightfloat.CodeConflict, http.StatusConflict, false},
		{nightfloat.CodeRateLimited, http.StatusTooManyRequests, false},
		{nightfloat.CodeUnavailable, http.StatusServiceUnavailable, true},
		{nightfloat.CodeInternal, http.StatusInternalServerError, true},
		{codeCrossOrigin, http.StatusForbidden, false},
		{codeCSRF, http.StatusForbidden, false},
		{codeUnsupportedMedia, http.StatusUnsupportedMediaType, false},
		{codeMisdirected, http.StatusMisdirectedRequest, false},
		{"no_such_code", http.StatusInternalServerError, true}, // answered as internal
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			if got := httpStatus(tt.code); got != tt.wantStatus {
				t.Errorf("httpStatus: got %d, want %d", got, tt.wantStatus)
			}
			f := newErrorFrame(&nightfloat.Error{Code: tt.code, Message: "m"}, "c1", testCrisis)
			if f.Type != "error" || f.Code != tt.code || f.Message != "m" || f.ClientID != "c1" {
				t.Errorf("resident frame: got %+v", f)
			}
			if got := len(f.Crisis) > 0; got != tt.wantCrisis {
				t.Errorf("resident frame carries crisis resources: got %v, want %v", got, tt.wantCrisis)
			}
			if c := consoleError(&nightfloat.Error{Code: tt.code, Message: "m"}); c.Code != tt.code || len(c.Crisis) > 0 {
				t.Errorf("console frame: got %+v", c)
			}
			rec := httptest.NewRecorder()
			writeJSONError(rec, tt.code, "m")
			var body map[string]string
			if err := json.NewDecoder(rec.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.wantStatus || body["error"] != string(tt.code) || body["message"] != "m" {
				t.Errorf("JSON error: got %d %v", rec.Code, body)
			}
		})
	}
}

// TestUncodedErrorsAreInternal: an error without a code is answered as internal, with
// a message that reveals nothing and the crisis resources for a resident.
func TestUncodedErrorsAreInternal(t *testing.T) {
	f := newErrorFrame(errors.New("pq: connection refused to 10.0.0.5"), "", testCrisis)
	if f.Code != nightfloat.CodeInternal || f.Message != "Something went wrong on our side." || len(f.Crisis) == 0 {
		t.Errorf("got %+v", f)
	}
}
