package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"nightfloat/pulse"
	"nightfloat/safety"
)

// residentPost posts v as same-origin JSON to path and decodes the answer.
func (h *harness) residentPost(t *testing.T, path string, v any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest("POST", h.http.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", h.http.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	body, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(body, &out)
	return resp.StatusCode, out
}

// TestPulseCheckIn: once per ISO week per conversation, authorised by the resume token.
func TestPulseCheckIn(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rc := h.chat(t, "resident")
	auth := map[string]any{"conversation_id": rc.id, "token": rc.token}
	with := func(kv ...any) map[string]any {
		m := map[string]any{"conversation_id": rc.id, "token": rc.token}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	if st, out := h.residentPost(t, "/pulse/due", auth); st != 200 || out["due"] != true {
		t.Fatalf("due: %d %v", st, out)
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		want int
	}{
		{"wrong token", map[string]any{"conversation_id": rc.id, "token": "nope", "score": 3}, http.StatusUnauthorized},
		{"score out of range", with("score", 9), http.StatusBadRequest},
		{"free-text topic", with("score", 2, "topic", "Dr Smith"), http.StatusBadRequest},
		{"a check-in", with("score", 2, "topic", "sleep"), http.StatusOK},
		{"a second this week", with("score", 4), http.StatusConflict},
	} {
		if st, out := h.residentPost(t, "/pulse", tc.body); st != tc.want {
			t.Errorf("%s: %d %v, want %d", tc.name, st, out, tc.want)
		}
	}
	if st, out := h.residentPost(t, "/pulse/due", auth); st != 200 || out["due"] != false {
		t.Errorf("due after checking in: %d %v", st, out)
	}
}

// TestReportToLeadership: the resident sees the redacted text, confirms exactly that, and
// only the redacted text is stored, with no link to the conversation; a changed preview is
// refused; a red flag is sent and also goes to a clinician through the conversation.
func TestReportToLeadership(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rc := h.chat(t, "resident")
	raw := "The rota left one nurse for thirty beds on 4B again this week; jo@example.org saw it too."
	st, out := h.residentPost(t, "/report/preview", map[string]any{"conversation_id": rc.id, "token": rc.token, "kind": "mistreatment", "text": raw})
	preview, _ := out["preview"].(string)
	if st != 200 || preview != pulse.Preview(raw) || strings.Contains(preview, "jo@example.org") {
		t.Fatalf("preview: %d %q", st, preview)
	}
	send := map[string]any{"conversation_id": rc.id, "token": rc.token, "kind": "mistreatment", "text": raw, "preview": "something else"}
	if st, _ := h.residentPost(t, "/report", send); st != http.StatusConflict {
		t.Errorf("a report confirmed against another preview: %d, want 409", st)
	}
	send["preview"] = preview
	if st, out := h.residentPost(t, "/report", send); st != 200 || out["sent"] != true || out["handed_off"] != nil {
		t.Fatalf("send: %d %v", st, out)
	}
	var body string
	var n int
	_ = h.db.Pool.QueryRow(context.Background(), `SELECT body, count(*) OVER () FROM leadership_reports`).Scan(&body, &n)
	if n != 1 || body != preview {
		t.Errorf("stored %d reports, %q: want exactly the preview", n, body)
	}
	var inChat int
	_ = h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE body LIKE '%thirty beds%'`).Scan(&inChat)
	if inChat != 0 {
		t.Error("the report's text was stored in the conversation")
	}

	// A red flag: sent as confirmed, and handed to a clinician through the conversation.
	c := h.dial(t, nil)
	c.send(map[string]any{"type": "hello", "conversation_id": rc.id, "token": rc.token})
	flag := map[string]any{"conversation_id": rc.id, "token": rc.token, "kind": "duty_hours", "text": redFlag, "preview": pulse.Preview(redFlag)}
	if st, out := h.residentPost(t, "/report", flag); st != 200 || out["handed_off"] != true || out["sent"] != true {
		t.Fatalf("red flag: %d %v", st, out)
	}
	c.until(func(f frame) bool { return f.str("type") == "handoff" })
	_ = h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM leadership_reports`).Scan(&n)
	if n != 2 {
		t.Errorf("%d reports stored, want the red flag sent as well", n)
	}
}

type brokenClassifier struct{}

func (brokenClassifier) Assess(context.Context, []safety.Turn, string) (safety.Assessment, error) {
	return safety.Assessment{}, errors.New("classifier down")
}
func (brokenClassifier) CheckReply(context.Context, string) (safety.Verdict, error) {
	return safety.Verdict{}, errors.New("classifier down")
}

// TestReportFailsClosed: when the safety check fails, nothing is sent and the resident
// gets the crisis resources.
func TestReportFailsClosed(t *testing.T) {
	h := newHarness(t, harnessOptions{classifier: brokenClassifier{}})
	rc := h.chat(t, "resident")
	text := "The unit ran with one nurse for thirty beds all week."
	st, out := h.residentPost(t, "/report", map[string]any{"conversation_id": rc.id, "token": rc.token, "kind": "unsafe_staffing", "text": text, "preview": pulse.Preview(text)})
	crisis, _ := out["crisis"].([]any)
	if st != 200 || out["sent"] != false || len(crisis) == 0 {
		t.Fatalf("with the classifier down: %d %v", st, out)
	}
	var n int
	_ = h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM leadership_reports`).Scan(&n)
	if n != 0 {
		t.Errorf("%d reports stored without a safety check", n)
	}
}
