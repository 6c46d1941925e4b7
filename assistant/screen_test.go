package assistant_test

import (
	"context"
	"errors"
	"testing"

	"nightfloat"
	"nightfloat/assistant"
	"nightfloat/safety"
)

type failingClassifier struct{}

func (failingClassifier) Assess(context.Context, []safety.Turn, string) (safety.Assessment, error) {
	return safety.Assessment{}, errors.New("classifier down")
}
func (failingClassifier) CheckReply(context.Context, string) (safety.Verdict, error) {
	return safety.Verdict{}, errors.New("classifier down")
}

// TestScreen: text written outside the chat is classified like the next message and
// stored nowhere; a failing classifier is an error with the highest level, never "none".
func TestScreen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc := f.service(t, nil)
	conv, _, err := svc.Start(ctx, "resident")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want nightfloat.Level
	}{
		{"The rota left one nurse for thirty beds on 4B again this week.", nightfloat.LevelNone},
		{"honestly I've been thinking about killing myself after this rotation, I have a plan", nightfloat.LevelEmergency},
	} {
		got, err := svc.Screen(ctx, conv, tc.text)
		if err != nil || got.ForcesHandoff() != tc.want.ForcesHandoff() {
			t.Errorf("Screen(%q) = %s, %v; want %s", tc.text, got, err, tc.want)
		}
	}
	msgs, err := svc.MessagesAfter(ctx, conv.ID, 0, 100)
	if err != nil || len(msgs) > 1 { // the disclosure at most
		t.Errorf("screening stored messages: %d, %v", len(msgs), err)
	}
	broken := f.service(t, func(d *assistant.Deps) { d.Classifier = failingClassifier{} })
	if lvl, err := broken.Screen(ctx, conv, "anything"); err == nil || lvl != nightfloat.LevelEmergency {
		t.Errorf("with the classifier down: %s, %v; want an error at the highest level", lvl, err)
	}
}
