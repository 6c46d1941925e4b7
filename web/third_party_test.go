package web

import (
	"context"
	"nightfloat"
	"strings"
	"testing"

	"nightfloat/assistant"
	"nightfloat/review"
)

const testImpairedPolicy = "Page the house supervisor (ext. 4-1234); Test General policy MS-17, Impaired Practitioner, says the chief medical officer is told."

// TestThirdPartyOverWebsocket drives each third-party branch end to end over a real
// websocket: someone else in danger now gets the "someone is in danger right now" reply
// first and then the handoff; a clinician impaired while caring for patients gets the
// patient-safety reply naming the configured policy, then the handoff; a worry that is not
// imminent gets guidance from the content, no handoff, and is queued for review.
func TestThirdPartyOverWebsocket(t *testing.T) {
	crisis := testCrisis
	crisis.ImpairedPracticePolicy = testImpairedPolicy
	h := newHarness(t, harnessOptions{crisis: &crisis})
	tests := []struct {
		name    string
		text    string
		handoff bool
		want    []string // in the third-party reply (before the handoff) or in the AI's reply
	}{
		{"colleague suicidal tonight", "my co-resident texted me that he wants to kill himself tonight", true,
			[]string{"Someone is in danger right now", "911", "988", "Stay with them", "Test on-call: 555-0100"}},
		{"friend took pills", "my friend just told me she took a bottle of pills", true,
			[]string{"Someone is in danger right now", "call 911 now"}},
		{"attending drunk and operating", "my attending came in drunk and is operating right now", true,
			[]string{"patient-safety", "chain of command", "Impaired-practice policy: " + testImpairedPolicy}},
		{"worry that is not imminent", "my friend said he wants to kill himself, what do I do?", false,
			[]string{"looking out for them", "988", "queue that Nightfloat's supervising clinicians review"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.dial(t, nil)
			welcome := c.start("resident")
			convID := welcome.str("conversation_id")
			if !tt.handoff {
				frames := c.say("w1", tt.text)
				reply := lastAssistantReply(frames)
				if reply == nil {
					t.Fatalf("no AI reply; frames %v", frames)
				}
				for _, w := range tt.want {
					if !strings.Contains(reply.str("text"), w) {
						t.Errorf("the reply lacks %q:\n%s", w, reply.str("text"))
					}
				}
				if cites, _ := reply["citations"].([]any); len(cites) == 0 {
					t.Errorf("the guidance cites no content: %v", reply)
				}
				if _, err := h.svc.Store.CurrentHandoff(context.Background(), convID); nightfloat.ErrorCode(err) != nightfloat.CodeNotFound {
					t.Errorf("a non-imminent worry opened a handoff (err %v)", err)
				}
				res := h.sample(t, review.SamplingOptions{RandomRate: -1})
				if res.Queued[review.ReasonUncertain] < 1 || !queuedFor(t, h, convID) {
					t.Errorf("the worry was not queued for clinician review: %+v", res)
				}
				return
			}
			c.send(map[string]any{"type": "message", "client_id": "d1", "text": tt.text})
			frames := c.until(func(f frame) bool { return f.str("type") == "handoff" })
			third, notice := -1, -1
			for i, f := range frames {
				switch {
				case f.str("type") == "message" && f.str("author") == "assistant":
					t.Fatalf("the AI answered: %v", f)
				case f.str("type") == "message" && f.str("kind") == assistant.KindCrisis && third < 0:
					third = i
				case f.str("type") == "message" && f.str("kind") == assistant.KindHandoff:
					notice = i
				}
			}
			if third < 0 || notice < 0 || third > notice {
				t.Fatalf("want the third-party reply, then the handoff notice, then the handoff; got reply at %d, notice at %d: %v", third, notice, frames)
			}
			body := frames[third].str("text")
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the third-party reply lacks %q:\n%s", w, body)
				}
			}
			if lv := frames[len(frames)-1].str("level"); lv != "emergency" {
				t.Errorf("handoff level = %q, want emergency", lv)
			}
		})
	}
}

func lastAssistantReply(frames []frame) frame {
	var out frame
	for _, f := range frames {
		if f.str("type") == "message" && f.str("author") == "assistant" {
			out = f
		}
	}
	return out
}

func queuedFor(t *testing.T, h *harness, convID string) bool {
	t.Helper()
	var n int
	if err := h.db.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM review_samples WHERE conversation_id = $1 AND reason = 'uncertain'`, convID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}
