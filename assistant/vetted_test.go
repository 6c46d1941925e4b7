package assistant_test

import (
	"context"
	"strings"
	"testing"

	"nightfloat/assistant"
	"nightfloat/retrieval"
	"nightfloat/safety"
)

var vettedSleep = retrieval.Result{ChunkID: "sleep-after-24-hour-call#1", DocID: "sleep-after-24-hour-call", Title: "Recovering after a 24-hour call",
	Heading: "Recovering after a 24-hour call > The first sleep", Text: "A short sleep first, then daylight."}

var vettedLoss = retrieval.Result{ChunkID: "after-a-patient-death#1", DocID: "after-a-patient-death", Title: "After a patient dies",
	Heading: "After a patient dies > The first hours", Text: "Many clinicians feel shock or numbness at first."}

// respondVetted runs the vetted responder on one message with the given history.
func respondVetted(t *testing.T, history []assistant.Message, message string, level safety.Level, sources ...retrieval.Result) assistant.Reply {
	t.Helper()
	req := assistant.Request{History: history, Message: assistant.Message{Author: assistant.AuthorResident, Body: message},
		Assessment: safety.Assessment{Level: level}, Sources: sources}
	var streamed strings.Builder
	rep, err := assistant.VettedResponder{Crisis: assistant.CrisisResources{Institution: "Test"}}.Respond(context.Background(), req, func(p string) error {
		streamed.WriteString(p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if streamed.String() != rep.Text {
		t.Fatalf("streamed %q, reply %q", streamed.String(), rep.Text)
	}
	return rep
}

func firstSentence(s string) string {
	if i := strings.IndexAny(s, ".:?!"); i >= 0 {
		return s[:i+1]
	}
	return s
}

func TestVettedResponderOpeners(t *testing.T) {
	tests := []struct {
		name      string
		message   string
		level     safety.Level
		sources   []retrieval.Result
		wantStart string // the reply starts with this
		wantIn    string // and contains this
	}{
		{"plain sleep question gets no opener", "how should i sleep after a 24 hour call", safety.None, []retrieval.Result{vettedSleep}, "Here is something from “Recovering after a 24-hour call”", ""},
		{"plain sleep question marked concern is not called heavy", "cant sleep after call, how do i nap", safety.Concern, []retrieval.Result{vettedSleep}, "Thank you for telling me.", "Here is something from"},
		{"a death gets a loss opener", "my patient died tonight and i keep replaying it", safety.Concern, []retrieval.Result{vettedLoss}, "I'm sorry. A death at work", "“After a patient dies”"},
		{"being yelled at", "my attending yelled at me in front of everyone", safety.None, []retrieval.Result{vettedSleep}, "Nobody should be treated like that at work.", ""},
		{"nothing fits: no quote, asks what would help", "what is the best taco place near the hospital", safety.None, nil, "I don't have vetted content on that, so I won't guess.", "tell me a little more"},
		{"nothing fits but said how they feel", "i hate my programme so much", safety.Concern, nil, "That sounds really hard.", "won't guess"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := respondVetted(t, nil, tt.message, tt.level, tt.sources...)
			if !strings.HasPrefix(rep.Text, tt.wantStart) || !strings.Contains(rep.Text, tt.wantIn) {
				t.Errorf("reply %q: want it to start with %q and contain %q", rep.Text, tt.wantStart, tt.wantIn)
			}
			if strings.Contains(rep.Text, "That sounds really heavy") {
				t.Errorf("reply %q uses the old one-size opener", rep.Text)
			}
			if len(tt.sources) == 0 && len(rep.Cited) != 0 {
				t.Errorf("nothing retrieved, but the reply cites %v", rep.Cited)
			}
		})
	}
}

// TestVettedResponderNeverRepeatsOpener: in one conversation, consecutive replies to
// similar messages never open with the same sentence.
func TestVettedResponderNeverRepeatsOpener(t *testing.T) {
	for _, tt := range []struct {
		name     string
		messages []string
		level    safety.Level
		sources  []retrieval.Result
	}{
		{"losses", []string{"a patient died on my shift", "another patient died today", "third death this week, patient died again", "one more patient died"}, safety.Concern, []retrieval.Result{vettedLoss}},
		{"concern without a topic", []string{"idk", "idk anymore", "whatever", "idk"}, safety.Concern, []retrieval.Result{vettedSleep}},
		{"nothing fits", []string{"best tacos?", "best burritos?", "best pizza?"}, safety.None, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var history []assistant.Message
			prev := ""
			for i, m := range tt.messages {
				rep := respondVetted(t, history, m, tt.level, tt.sources...)
				first := firstSentence(rep.Text)
				if first == prev {
					t.Errorf("reply %d opens with %q, as the one before did", i+1, first)
				}
				prev = first
				history = append(history,
					assistant.Message{Author: assistant.AuthorResident, Body: m},
					assistant.Message{Author: assistant.AuthorAssistant, Body: rep.Text})
			}
		})
	}
}
