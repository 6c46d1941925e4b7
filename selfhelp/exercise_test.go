package selfhelp

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"nightfloat"
)

func ptr(v int) *int { return &v }

// wantRefused checks err is CodeInvalid naming path, with msg in the message.
func wantRefused(tb testing.TB, err error, path, msg string) {
	tb.Helper()
	var fe *FieldError
	if nightfloat.ErrorCode(err) != nightfloat.CodeInvalid || !errors.As(err, &fe) || fe.Path != path ||
		!strings.Contains(nightfloat.ErrorMessage(err), msg) {
		tb.Fatalf("got %v (field %+v), want CodeInvalid at %q containing %q", err, fe, path, msg)
	}
}

func TestThoughtRecordNormalize(t *testing.T) {
	full := ThoughtRecord{
		Situation: " corrected on rounds ", AutomaticThought: "I'm hopeless at this", Emotion: "ashamed",
		Intensity: ptr(80), EvidenceFor: "I missed the potassium", EvidenceAgainst: "my evaluations are good",
		BalancedThought: "I missed one thing and was corrected", Rerated: ptr(40),
	}
	tests := []struct {
		name      string
		in        ThoughtRecord
		path, msg string // empty: accepted
	}{
		{"complete", full, "", ""},
		{"draft", ThoughtRecord{Situation: "a long night"}, "", ""},
		{"only a rating", ThoughtRecord{Intensity: ptr(0)}, "", ""},
		{"ratings at the ends", ThoughtRecord{Intensity: ptr(0), Rerated: ptr(100)}, "", ""},
		{"nothing filled in", ThoughtRecord{Situation: "  ", Emotion: "\n"}, "", "nothing is filled in"},
		{"intensity over 100", ThoughtRecord{Situation: "x", Intensity: ptr(101)}, "intensity", "101 is not between 0 and 100"},
		{"rerated below 0", ThoughtRecord{Situation: "x", Rerated: ptr(-1)}, "rerated_intensity", "-1 is not between 0 and 100"},
		{"NUL", ThoughtRecord{BalancedThought: "ok\x00"}, "balanced_thought", "NUL"},
		{"invalid UTF-8", ThoughtRecord{EvidenceAgainst: "\xc3\x28"}, "evidence_against", "not valid UTF-8"},
		{"emotion too long", ThoughtRecord{Emotion: strings.Repeat("a", MaxShortChars+1)}, "emotion", "over the limit of 200"},
		{"situation too long", ThoughtRecord{Situation: strings.Repeat("a", MaxExerciseChars+1)}, "situation", "over the limit of 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.Normalize()
			if tt.msg != "" {
				wantRefused(t, err, tt.path, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Situation != strings.TrimSpace(tt.in.Situation) {
				t.Errorf("situation %q not trimmed", got.Situation)
			}
		})
	}
}

func TestThoughtRecordFieldsAndMissing(t *testing.T) {
	in := ThoughtRecord{Situation: "handover went badly", Emotion: " anxious ", BalancedThought: "it was one handover", Rerated: ptr(30)}
	r, err := in.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	wantFields := []Field{{"situation", "handover went badly"}, {"emotion", "anxious"}, {"balanced_thought", "it was one handover"}}
	if got := r.Fields(); !slices.Equal(got, wantFields) {
		t.Errorf("fields %v, want %v", got, wantFields)
	}
	if got, want := r.Missing(), []string{"automatic_thought", "intensity"}; !slices.Equal(got, want) {
		t.Errorf("missing %v, want %v", got, want)
	}
	*in.Rerated = 99
	if *r.Rerated != 30 {
		t.Error("the normalized record shares the caller's rating")
	}
	r.AutomaticThought, r.Intensity = "I always mess up", ptr(70)
	if m := r.Missing(); m != nil {
		t.Errorf("complete record missing %v", m)
	}
}

func TestEveryExerciseFieldIsListed(t *testing.T) {
	var r ThoughtRecord
	var a Activation
	for _, x := range []struct {
		steps   []Step
		answers map[string]answer
		fields  func() []Field
	}{
		{ThoughtRecordSteps(), r.answers(), func() []Field { return r.Fields() }},
		{ActivationSteps(), a.answers(), func() []Field { return a.Fields() }},
	} {
		var want []Field
		for _, st := range x.steps {
			if st.Kind == StepText {
				*x.answers[st.Field].text = "text in " + st.Field
				want = append(want, Field{st.Field, "text in " + st.Field})
			}
		}
		if got := x.fields(); !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	}
}

func TestActivationNormalize(t *testing.T) {
	tests := []struct {
		name      string
		in        Activation
		path, msg string
	}{
		{"planned", Activation{Activity: "running", SmallVersion: "ten minutes", When: "Saturday"}, "", ""},
		{"done", Activation{Activity: "running", MoodBefore: ptr(3), HowItWent: "did half", MoodAfter: ptr(5)}, "", ""},
		{"moods at the ends", Activation{MoodBefore: ptr(0), MoodAfter: ptr(10)}, "", ""},
		{"nothing", Activation{}, "", "nothing is filled in"},
		{"mood over 10", Activation{Activity: "x", MoodAfter: ptr(11)}, "mood_after", "11 is not between 0 and 10"},
		{"mood below 0", Activation{Activity: "x", MoodBefore: ptr(-2)}, "mood_before", "-2 is not between 0 and 10"},
		{"NUL", Activation{Obstacles: "\x00"}, "obstacles", "NUL"},
		{"when too long", Activation{When: strings.Repeat("x", MaxShortChars+1)}, "when", "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.in.Normalize()
			if tt.msg != "" {
				wantRefused(t, err, tt.path, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestActivationFieldsAndMissing(t *testing.T) {
	a, err := Activation{Activity: " calling Gran ", Obstacles: "nights", MoodBefore: ptr(2)}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Fields(), []Field{{"activity", "calling Gran"}, {"obstacles", "nights"}}; !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	if got, want := a.Missing(), []string{"small_version", "when"}; !slices.Equal(got, want) {
		t.Errorf("missing %v, want %v", got, want)
	}
}

// TestExerciseJSON: an unanswered rating is null both ways, and 0 stays 0.
func TestExerciseJSON(t *testing.T) {
	var r ThoughtRecord
	if err := json.Unmarshal([]byte(`{"situation":"x","intensity":0,"rerated_intensity":null}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.Intensity == nil || *r.Intensity != 0 || r.Rerated != nil {
		t.Fatalf("got intensity %v rerated %v", r.Intensity, r.Rerated)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"intensity":0`) || !strings.Contains(string(b), `"rerated_intensity":null`) {
		t.Errorf("got %s", b)
	}
}
