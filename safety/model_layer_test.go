package safety

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// fakeModel stands in for the model API, which cannot run here; llm's tests speak the
// real protocol to an httptest server.
type fakeModel struct {
	reply string
	err   error
	wait  time.Duration
	got   string
}

func (f *fakeModel) Complete(ctx context.Context, system, user string) (string, error) {
	f.got = user
	if f.wait > 0 {
		select {
		case <-time.After(f.wait):
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return f.reply, f.err
}

func TestModelLayer(t *testing.T) {
	const benign = "any tips for sleeping after nights?"
	const flag = "i want to die"
	tests := []struct {
		name      string
		model     *fakeModel
		msg       string
		wantLevel Level
		wantError bool
	}{
		{"raises what the rules missed", &fakeModel{reply: `{"level":"urgent","categories":["suicidal_ideation"],"reason":"passive wish to die"}`}, benign, Urgent, false},
		{"code fence tolerated", &fakeModel{reply: "```json\n{\"level\":\"emergency\",\"categories\":[\"suicide_plan_or_intent\"],\"reason\":\"plan\"}\n```"}, benign, Emergency, false},
		{"cannot lower the rules", &fakeModel{reply: `{"level":"none","categories":[],"reason":"fine"}`}, flag, Urgent, false},
		{"garbage is recorded, rules stand", &fakeModel{reply: "I think they are fine"}, flag, Urgent, true},
		{"unknown level is recorded", &fakeModel{reply: `{"level":"severe"}`}, benign, None, true},
		{"an error is recorded", &fakeModel{err: errors.New("503 from the model")}, flag, Urgent, true},
		{"a time-out is recorded", &fakeModel{wait: time.Second, reply: `{"level":"urgent"}`}, benign, None, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(WithoutLearned(), WithLayer(NewModelLayer(tt.model, "test-model", 100*time.Millisecond)))
			if err != nil {
				t.Fatal(err)
			}
			a, err := c.Assess(context.Background(), []Turn{{Author: AuthorResident, Text: "rough week"}}, tt.msg)
			if err != nil {
				t.Fatalf("a model failure must not fail the assessment: %v", err)
			}
			if a.Level < tt.wantLevel || (tt.wantLevel == None && a.Level != None) {
				t.Errorf("level %v, want %v", a.Level, tt.wantLevel)
			}
			hasErr := false
			for _, e := range a.Errors {
				hasErr = hasErr || strings.Contains(e, "model layer")
			}
			if hasErr != tt.wantError {
				t.Errorf("errors %q, want a model-layer error: %v", a.Errors, tt.wantError)
			}
			if !strings.Contains(tt.model.got, "rough week") || !strings.Contains(tt.model.got, tt.msg) {
				t.Errorf("the model was not given the context and the message: %q", tt.model.got)
			}
		})
	}
}
