package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// feedback posts body (JSON, or a string as it is) to /feedback with headers.
func (h *harness) feedback(t *testing.T, body any, headers map[string]string) (int, string) {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	default:
		b, _ = json.Marshal(v)
	}
	req, _ := http.NewRequest("POST", h.http.URL+"/feedback", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func TestFeedbackEndpoint(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rc := h.chat(t, "student", "how do I prepare for shelf exams?")
	same := map[string]string{"Origin": h.http.URL, "Sec-Fetch-Site": "same-origin"}
	good := map[string]any{"conversation_id": rc.id, "token": rc.token, "seq": rc.replySeq, "rating": "unhelpful", "comment": "too generic"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range good {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	other := h.chat(t, "student", "any tips for match stress?")
	cases := []struct {
		name    string
		body    any
		headers map[string]string
		status  int
	}{
		{"wrong token", with("token", "nope"), same, http.StatusUnauthorized},
		{"another conversation's token", with("token", other.token), same, http.StatusUnauthorized},
		{"not a conversation id", with("conversation_id", "1; DROP TABLE messages"), same, http.StatusUnauthorized},
		{"cross-site", good, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"form content type", good, map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType},
		{"too large", with("comment", strings.Repeat("x", 5000)), same, http.StatusRequestEntityTooLarge},
		{"unknown field", with("extra", 1), same, http.StatusBadRequest},
		{"bad rating", with("rating", "love"), same, http.StatusBadRequest},
		{"resident's own message", with("seq", 1), same, http.StatusBadRequest},
		{"no such reply", with("seq", 999), same, http.StatusNotFound},
		{"malformed", "{", same, http.StatusBadRequest},
		{"ok", good, same, http.StatusOK},
		{"ok without browser headers", with("rating", "harmful"), nil, http.StatusOK},
	}
	for _, tc := range cases {
		if st, body := h.feedback(t, tc.body, tc.headers); st != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, st, body, tc.status)
		}
	}
	var rating, comment string
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT rating, comment FROM review_feedback WHERE conversation_id = $1`, rc.id).Scan(&rating, &comment); err != nil || rating != "harmful" || comment != "too generic" {
		t.Errorf("stored feedback %q %q (%v)", rating, comment, err)
	}
	// Rate limited per conversation: 10 a minute (some used above).
	limited := false
	for range 12 {
		if st, _ := h.feedback(t, good, same); st == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("feedback is not rate limited")
	}
	// Another conversation is not affected by the first one's limit.
	if st, body := h.feedback(t, map[string]any{"conversation_id": other.id, "token": other.token, "seq": other.replySeq, "rating": "unhelpful"}, same); st != 200 {
		t.Errorf("other conversation: %d %s", st, body)
	}
}
