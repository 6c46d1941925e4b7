package assistant_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"nightfloat/assistant"
	"nightfloat/safety"
)

// gatedClassifier holds the first assessment of one message until released, so that a
// test can act while that turn is being decided.
type gatedClassifier struct {
	assistant.Classifier
	text     string
	entered  chan struct{}
	release  chan struct{}
	once     sync.Once
	mu       sync.Mutex
	firstGot safety.Assessment // what the held assessment found
}

func (g *gatedClassifier) Assess(ctx context.Context, history []safety.Turn, message string) (safety.Assessment, error) {
	held := false
	if message == g.text {
		g.once.Do(func() { held = true })
	}
	if !held {
		return g.Classifier.Assess(ctx, history, message)
	}
	a, err := g.Classifier.Assess(ctx, history, message)
	g.mu.Lock()
	g.firstGot = a
	g.mu.Unlock()
	close(g.entered)
	select {
	case <-g.release:
	case <-ctx.Done():
		return a, ctx.Err()
	}
	return a, err
}

// TestResolveWhileATurnIsDecided: the resident writes to the clinician, and the clinician
// resolves the handoff while that message is still being assessed (its assessment still
// remembers the red flag that opened the handoff). The resolve must succeed, and the late
// turn must be decided on the conversation as it now stands: the resolved episode is
// forgotten, so a message that is no red flag on its own opens no new handoff and gets no
// AI reply (it was written to the clinician); one that is a red flag on its own opens a
// new handoff at once.
func TestResolveWhileATurnIsDecided(t *testing.T) {
	cases := []struct {
		name     string
		late     string
		reenable bool
		reopens  bool
		answered bool // distress of its own: answered like any message, not left in silence
	}{
		{"a reply to the clinician, handed back to the AI", "yes, I'm at home now", true, false, false},
		{"a reply to the clinician, closed", "yes, I'm at home now", false, false, false},
		{"distress of its own, handed back to the AI", "I'm so burned out, I feel hopeless and empty after every shift", true, false, true},
		{"distress of its own, closed", "I'm so burned out, I feel hopeless and empty after every shift", false, false, true},
		{"a red flag of its own", "I lied, I already swallowed the whole bottle of pills an hour ago", true, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			gate := &gatedClassifier{text: tc.late, entered: make(chan struct{}), release: make(chan struct{})}
			svc := f.service(t, func(d *assistant.Deps) {
				gate.Classifier = d.Classifier
				d.Classifier = gate
			})
			ctx := context.Background()
			conv, _, err := svc.Start(ctx, "resident")
			if err != nil {
				t.Fatal(err)
			}
			m1, _, err := svc.Submit(ctx, conv, "r1", "I'm going to kill myself tonight, I have the pills ready")
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, svc, conv.ID, "the handoff notice", hasReplyTo(m1.Seq, assistant.AuthorSystem, assistant.KindHandoff))
			h, doc := claimAsNewClinician(t, f, svc, conv.ID)

			late, _, err := svc.Submit(ctx, conv, "r2", tc.late)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-gate.entered:
			case <-time.After(20 * time.Second):
				t.Fatal("the late message's assessment never started")
			}
			defer func() {
				select {
				case <-gate.release:
				default:
					close(gate.release) // a failed check below must not leave the turn blocked
				}
			}()
			if !gate.firstGot.Level.ForcesHandoff() {
				t.Fatalf("the held assessment should still remember the red flag (else this test proves nothing): %+v", gate.firstGot)
			}
			if err := svc.Store().ResolveHandoff(ctx, h.ID, doc, "safety_plan_made", "", tc.reenable); err != nil {
				t.Fatalf("resolve while a turn was being decided: %v", err)
			}
			close(gate.release)
			waitFor(t, svc, conv.ID, "the late turn to finish", func([]assistant.Message) bool {
				return turnState(t, f, conv.ID, late.Seq) != assistant.TurnPending
			})
			if st := turnState(t, f, conv.ID, late.Seq); st != assistant.TurnDone {
				t.Fatalf("late turn ended %s, want done", st)
			}

			msgs, err := svc.Store().After(ctx, conv.ID, late.Seq, 100)
			if err != nil {
				t.Fatal(err)
			}
			var replies []assistant.Message
			for _, m := range msgs {
				if m.ReplyTo == late.Seq {
					replies = append(replies, m)
				}
			}
			cur, err := svc.Store().CurrentHandoff(ctx, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			now, err := svc.Store().Conversation(ctx, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tc.reopens {
				if cur.ID == h.ID || cur.Status != assistant.HandoffWaiting || now.Mode != assistant.ModeHuman {
					t.Errorf("a red flag after the resolution must open a new handoff: handoff %d %s (resolved one %d), mode %s", cur.ID, cur.Status, h.ID, now.Mode)
				}
				if len(replies) != 1 || replies[0].Kind != assistant.KindHandoff {
					t.Errorf("want the handoff notice as the only answer, got %+v", replies)
				}
				return
			}
			wantMode := map[bool]string{false: assistant.ModeClosed, true: assistant.ModeAI}[tc.reenable]
			if cur.ID != h.ID || cur.Status != assistant.HandoffResolved || now.Mode != wantMode {
				t.Errorf("the resolution must stand: handoff %d %s (resolved one %d), mode %s, want %s", cur.ID, cur.Status, h.ID, now.Mode, wantMode)
			}
			switch {
			case tc.answered && tc.reenable && (len(replies) == 0 || replies[len(replies)-1].Author != assistant.AuthorAssistant):
				t.Errorf("distress written just before the hand-back must get the AI's supportive answer, got %+v", replies)
			case tc.answered && !tc.reenable && (len(replies) != 1 || replies[0].Kind != assistant.KindCrisis):
				t.Errorf("distress written just before the clinician closed must get the closed notice with resources, got %+v", replies)
			case !tc.answered && len(replies) != 0:
				t.Errorf("a message written to the clinician got an answer after they resolved: %+v", replies)
			}
			var assessed int
			if err := f.db.Pool.QueryRow(ctx, `SELECT count(*) FROM assessments WHERE conversation_id = $1 AND seq = $2 AND subject = 'message'`, conv.ID, late.Seq).Scan(&assessed); err != nil || assessed != 1 {
				t.Errorf("want the late message's one acted-on assessment stored, have %d (%v)", assessed, err)
			}
			if !tc.reenable {
				return
			}
			next, _, err := svc.Submit(ctx, conv, "r3", "thanks. any tips for sleeping after nights?")
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, svc, conv.ID, "the AI's answer after the hand-back", hasReplyTo(next.Seq, assistant.AuthorAssistant, ""))
		})
	}
}
