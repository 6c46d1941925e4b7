package assistant_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"nightfloat/assistant"
)

// TestThirdPartyReplyComesOnceBeforeTheHandoff: the danger reply is stored before the
// handoff notice, and later messages in the open handoff, whose classifier memory still
// holds the danger, do not repeat it; a new danger in a later message does get its reply.
func TestThirdPartyReplyComesOnceBeforeTheHandoff(t *testing.T) {
	f := newFixture(t)
	svc := memoryService(t, f)
	ctx := context.Background()
	conv, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	if out := say(t, svc, conv, "t1", "my co-resident texted me that he wants to kill himself tonight"); out.Kind != assistant.KindHandoff {
		t.Fatalf("no handoff: %+v", out)
	}
	steps := []struct {
		id, text string
		replies  int // danger replies in the conversation after this message
	}{
		{"t2", "are you there? what do I do", 1},
		{"t3", "ok, I will wait for the clinician", 1},
		{"t4", "now my sister says she took a bottle of pills", 2},
	}
	for _, st := range steps {
		m, _, err := svc.Submit(ctx, conv, st.id, st.text)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for turnState(t, f, conv.ID, m.Seq) != assistant.TurnDone {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the turn never finished", st.id)
			}
			time.Sleep(50 * time.Millisecond)
		}
		msgs, err := svc.Store().After(ctx, conv.ID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		n, firstReply, firstNotice := 0, int64(0), int64(0)
		for _, x := range msgs {
			switch {
			case x.Kind == assistant.KindCrisis && strings.HasPrefix(x.Body, "Someone is in danger right now"):
				n++
				if firstReply == 0 {
					firstReply = x.Seq
				}
			case x.Kind == assistant.KindHandoff && firstNotice == 0:
				firstNotice = x.Seq
			}
		}
		if n != st.replies {
			t.Errorf("after %q: %d danger replies, want %d", st.text, n, st.replies)
		}
		if firstReply == 0 || firstReply > firstNotice {
			t.Errorf("the danger reply (seq %d) does not come before the handoff notice (seq %d)", firstReply, firstNotice)
		}
	}
}
