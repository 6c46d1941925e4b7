package web

import (
	"context"
	"testing"
	"time"
)

// TestUninvolvedOncallCannotReadAResolvedTranscript: while a handoff is open any on-call
// clinician may read it (it may be theirs to take); once resolved, only the clinician who
// took it may, and a refusal is audited.
func TestUninvolvedOncallCannotReadAResolvedTranscript(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	taker := h.newClinician(t, "taker")
	taker.onDuty()
	bystander := h.newClinician(t, "bystander")
	res := h.dial(t, nil)
	residentRedFlag(t, res)
	id := int64(taker.alert()["id"].(float64))

	open := func(c *consoleClient) frame {
		t.Helper()
		c.send(map[string]any{"type": "open", "handoff_id": id})
		got := c.until(func(f frame) bool { return f.str("type") == "transcript" || f.str("type") == "error" })
		return got[len(got)-1]
	}
	if f := open(bystander); f.str("type") != "transcript" {
		t.Fatalf("an open handoff must be readable by any on-call clinician, got %v", f)
	}
	taker.send(map[string]any{"type": "claim", "handoff_id": id})
	res.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "claimed" })
	taker.send(map[string]any{"type": "resolve", "handoff_id": id, "disposition": "safety_plan_made", "note": "plan made", "reenable_ai": true})
	res.until(func(f frame) bool { return f.str("type") == "handoff" && f.str("status") == "resolved" })
	// The bystander had the conversation open; once resolved, its new messages stop reaching them.
	bystander.until(func(f frame) bool {
		item, _ := f["item"].(map[string]any)
		return f.str("type") == "handoff" && item["status"] == "resolved"
	})
	res.say("after", "thanks, any tips for sleeping after nights?")
	for {
		f, err := bystander.read(1500 * time.Millisecond)
		if err != nil {
			break // nothing more within the wait
		}
		if f.str("type") == "message" {
			t.Fatalf("an uninvolved clinician still receives the resolved conversation: %v", f)
		}
	}

	for _, tt := range []struct {
		name string
		who  *consoleClient
		want string
	}{
		{"the clinician who took it", taker, "transcript"},
		{"an on-call clinician who was never involved", bystander, "error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := open(tt.who)
			if f.str("type") != tt.want {
				t.Fatalf("got %v, want a %s frame", f, tt.want)
			}
			if tt.want == "error" && (f.str("code") != "unauthorized" || f["messages"] != nil) {
				t.Fatalf("want an unauthorized error and no messages, got %v", f)
			}
		})
	}
	var denied int
	if err := h.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'transcript.denied'`).Scan(&denied); err != nil || denied != 1 {
		t.Errorf("want the refusal audited once, got %d (%v)", denied, err)
	}
}
