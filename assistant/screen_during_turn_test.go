package assistant_test

import (
	"context"
	"testing"
	"time"

	"nightfloat/assistant"
	"nightfloat/screening"
)

// heldResponder writes its reply only once released, so that a test can act while a
// reply is being written.
type heldResponder struct {
	started, release chan struct{}
}

func (h heldResponder) Respond(ctx context.Context, _ assistant.Request, _ func(string) error) (assistant.Reply, error) {
	close(h.started)
	select {
	case <-h.release:
	case <-ctx.Done():
		return assistant.Reply{}, ctx.Err()
	}
	return assistant.Reply{Text: "Here is something on sleep after nights that may help."}, nil
}

// TestItem9ScreenWhileTheAIIsWriting: the resident sends an ordinary message, and while the
// AI is writing its reply they answer PHQ-9 item 9 on the screening page. The handoff opens
// at once, and the reply that was being written is never stored: the AI stops. The turn is
// still finished, so nothing is left pending.
func TestItem9ScreenWhileTheAIIsWriting(t *testing.T) {
	f := newFixture(t)
	held := heldResponder{started: make(chan struct{}), release: make(chan struct{})}
	svc := f.service(t, func(d *assistant.Deps) { d.Responder = held })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conv, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	msg, _, err := svc.Submit(ctx, conv, "m1", "how do I sleep after a run of nights?")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-held.started:
	case <-ctx.Done():
		t.Fatal("the responder was never asked")
	}
	out, err := svc.SubmitScreen(ctx, conv, "s1", screening.PHQ9, screening.Responses{"phq9_9": 1})
	if err != nil || out.HandoffID == 0 {
		t.Fatalf("item-9 screen: %+v, %v", out, err)
	}
	close(held.release)
	deadline := time.Now().Add(20 * time.Second)
	for turnState(t, f, conv.ID, msg.Seq) == assistant.TurnPending {
		if time.Now().After(deadline) {
			t.Fatal("the turn never finished")
		}
		time.Sleep(50 * time.Millisecond)
	}
	msgs, err := svc.MessagesAfter(ctx, conv.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Author == assistant.AuthorAssistant {
			t.Errorf("the AI's reply was stored after the screen handed off: %+v", m)
		}
	}
	if last := msgs[len(msgs)-1]; last.Kind != assistant.KindHandoff {
		t.Errorf("the conversation ends with %+v, want the handoff notice", last)
	}
}
