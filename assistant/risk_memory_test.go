package assistant_test

import (
	"context"
	"fmt"
	"nightfloat"
	"slices"
	"testing"
	"time"

	"nightfloat/assistant"
	"nightfloat/assistant/assistanttest"
)

// memoryService is a real service that accepts a long conversation quickly.
func memoryService(t *testing.T, f *fixture) *assistant.Service {
	t.Helper()
	return assistanttest.NewService(t, f.db, assistanttest.Options{Service: assistant.Options{TurnLease: 3 * time.Second, RateLimitPerMinute: 1000}})
}

// say submits text and waits for the turn's outcome: the AI's reply or a handoff notice.
func say(t *testing.T, svc *assistant.Service, conv assistant.Conversation, id, text string) assistant.Message {
	t.Helper()
	msg, _, err := svc.Submit(context.Background(), conv, id, text)
	if err != nil {
		t.Fatalf("submit %q: %v", text, err)
	}
	var out assistant.Message
	waitFor(t, svc, conv.ID, "the outcome of "+id, func(ms []assistant.Message) bool {
		for _, m := range ms {
			if m.ReplyTo == msg.Seq && (m.Author == assistant.AuthorAssistant || m.Kind == assistant.KindHandoff || m.Kind == assistant.KindError) {
				out = m
				return true
			}
		}
		return false
	})
	return out
}

func ordinary(i int) string {
	qs := []string{"how do I sleep after a night shift?", "any tips for presenting on rounds?",
		"what's a good way to study for the ITE?", "how do I handle a page storm?", "what should I eat on nights?"}
	return fmt.Sprintf("%s (%d)", qs[i%len(qs)], i)
}

// TestSixtyTurnConversationHandsOffOnALateSignal: one early signal ("everything feels
// pointless"), 58 ordinary questions answered by the AI, then a means ("I know where the
// keys to the pyxis are"): the last message hands off, because the conversation's risk
// state remembers the early signal long after it left the classifier's 20-message window.
func TestSixtyTurnConversationHandsOffOnALateSignal(t *testing.T) {
	f := newFixture(t)
	svc := memoryService(t, f)
	ctx := context.Background()
	conv, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	if out := say(t, svc, conv, "m0", "everything feels pointless"); out.Kind == assistant.KindHandoff {
		t.Fatalf("the early signal alone handed off: %+v", out)
	}
	for i := 1; i <= 58; i++ {
		if out := say(t, svc, conv, fmt.Sprintf("m%d", i), ordinary(i)); out.Author != assistant.AuthorAssistant {
			t.Fatalf("ordinary question %d was not answered by the AI: %+v", i, out)
		}
	}
	out := say(t, svc, conv, "m59", "I know where the keys to the pyxis are")
	if out.Kind != assistant.KindHandoff {
		t.Fatalf("turn 60 = %s %q, want a handoff", out.Kind, out.Body)
	}
	if h, err := svc.Store().CurrentHandoff(ctx, conv.ID); err != nil || h.Level != nightfloat.LevelEmergency {
		t.Fatalf("handoff = %+v (%v), want an emergency", h, err)
	}
	st, err := svc.Store().RiskState(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Memory.Level.String() != "emergency" || st.Combine != assistant.CombineCarry ||
		!slices.Contains(st.Memory.Signals, "hopeless") || !slices.Contains(st.Memory.Signals, "means") {
		t.Errorf("risk state after the handoff = %+v", st)
	}
}

// TestResolutionSaysHowLaterSignalsCombine: the clinician's conclusion is recorded in the
// risk state and decides what a later message does.
func TestResolutionSaysHowLaterSignalsCombine(t *testing.T) {
	f := newFixture(t)
	svc := memoryService(t, f)
	ctx := context.Background()
	var clinician int64
	if err := f.db.Pool.QueryRow(ctx, `INSERT INTO clinicians (username, display_name, password_hash, roles)
		VALUES ('oncall1', 'On Call', 'x', '{oncall}') RETURNING id`).Scan(&clinician); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		disposition string
		combine     string
		keepsLevel  bool
		thanks      string // kind of the outcome of "thanks, that helped"
		tonight     string // kind of the outcome of "I'm doing it tonight"
	}{
		{"safety_plan_made", assistant.CombineAfterResolved, false, assistant.KindText, assistant.KindHandoff},
		{"referred", assistant.CombineAfterResolved, false, assistant.KindText, assistant.KindHandoff},
		{"no_risk_found", assistant.CombineAfterNoRisk, false, assistant.KindText, assistant.KindText},
		{"resident_left", assistant.CombineAfterLeft, true, assistant.KindHandoff, ""},
	}
	for _, tt := range tests {
		t.Run(tt.disposition, func(t *testing.T) {
			conv, _, err := svc.Start(ctx, "resident")
			if err != nil {
				t.Fatal(err)
			}
			if out := say(t, svc, conv, "d1", "I've been thinking about ending it"); out.Kind != assistant.KindHandoff {
				t.Fatalf("the disclosure did not hand off: %+v", out)
			}
			// Written during the open handoff: the AI stays silent, the turn is done.
			m2, _, err := svc.Submit(ctx, conv, "d2", "never mind, I'm fine")
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for turnState(t, f, conv.ID, m2.Seq) != assistant.TurnDone {
				if time.Now().After(deadline) {
					t.Fatal("the retraction's turn never finished")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if st, _ := svc.Store().RiskState(ctx, conv.ID); st.Memory.Level.String() != "urgent" {
				t.Fatalf("a retraction lowered the risk state to %v", st.Memory.Level)
			}
			h, err := svc.Store().CurrentHandoff(ctx, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Store().ClaimHandoff(ctx, h.ID, assistant.Clinician{ID: clinician, Name: "On Call"}); err != nil {
				t.Fatal(err)
			}
			if err := svc.Store().ResolveHandoff(ctx, h.ID, clinician, tt.disposition, "", true); err != nil {
				t.Fatal(err)
			}
			st, err := svc.Store().RiskState(ctx, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.Combine != tt.combine || st.ResolvedDisposition != tt.disposition || st.ResolvedLevel != "urgent" ||
				(st.Memory.Level.String() == "urgent") != tt.keepsLevel {
				t.Fatalf("risk state after %s = %+v", tt.disposition, st)
			}
			if out := say(t, svc, conv, "d3", "thanks, that helped"); out.Kind != tt.thanks {
				t.Fatalf("after %s, \"thanks\" got %s, want %s", tt.disposition, out.Kind, tt.thanks)
			}
			if tt.tonight == "" {
				return
			}
			if out := say(t, svc, conv, "d4", "I'm doing it tonight"); out.Kind != tt.tonight {
				t.Errorf("after %s, \"I'm doing it tonight\" got %s, want %s", tt.disposition, out.Kind, tt.tonight)
			}
		})
	}
}
