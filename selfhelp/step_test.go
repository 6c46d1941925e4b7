package selfhelp

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"nightfloat"
)

// jsonKeys lists the JSON keys of a struct's fields, in order.
func jsonKeys(tb testing.TB, v any) []string {
	tb.Helper()
	t := reflect.TypeOf(v)
	keys := make([]string, t.NumField())
	for i := range t.NumField() {
		keys[i], _, _ = strings.Cut(t.Field(i).Tag.Get("json"), ",")
	}
	return keys
}

// TestStepsMatchTheForms: every step names a field of its form, in field order, and every
// step has what a phone form needs to show it.
func TestStepsMatchTheForms(t *testing.T) {
	forms := map[Kind]any{KindSafetyPlan: Plan{}, KindThoughtRecord: ThoughtRecord{}, KindActivation: Activation{}}
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			steps, err := Steps(k)
			if err != nil {
				t.Fatal(err)
			}
			fields := make([]string, len(steps))
			for i, st := range steps {
				fields[i] = st.Field
				if st.Title == "" || st.Prompt == "" {
					t.Errorf("%s: title or prompt missing", st.Field)
				}
				if utf8.RuneCountInString(st.Title) > 60 || utf8.RuneCountInString(st.Prompt) > 300 {
					t.Errorf("%s: title or prompt too long for a phone", st.Field)
				}
				switch st.Kind {
				case StepList:
					if st.MaxChars <= 0 || st.MaxEntries <= 0 {
						t.Errorf("%s: list without limits", st.Field)
					}
				case StepText:
					if st.MaxChars <= 0 || st.MaxEntries != 0 {
						t.Errorf("%s: text limits %d, %d", st.Field, st.MaxChars, st.MaxEntries)
					}
				case StepRating:
					if st.Max <= st.Min || st.MinLabel == "" || st.MaxLabel == "" {
						t.Errorf("%s: rating %d-%d labels %q %q", st.Field, st.Min, st.Max, st.MinLabel, st.MaxLabel)
					}
				default:
					t.Errorf("%s: kind %q", st.Field, st.Kind)
				}
			}
			if want := jsonKeys(t, forms[k]); !slices.Equal(fields, want) {
				t.Errorf("steps ask for %v, the form has %v", fields, want)
			}
		})
	}
	if _, err := Steps("worry_tree"); nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
		t.Errorf("unknown form: got %v, want CodeInvalid", err)
	}
}

// TestExerciseAnswersCoverTheSteps: each exercise maps every step to where its answer lives.
func TestExerciseAnswersCoverTheSteps(t *testing.T) {
	check := func(name string, steps []Step, answers map[string]answer) {
		for _, st := range steps {
			a, ok := answers[st.Field]
			if !ok || (st.Kind == StepText) != (a.text != nil) || (st.Kind == StepRating) != (a.rating != nil) {
				t.Errorf("%s: step %s has no answer of its kind", name, st.Field)
			}
		}
		if len(answers) != len(steps) {
			t.Errorf("%s: %d answers for %d steps", name, len(answers), len(steps))
		}
	}
	check("thought record", ThoughtRecordSteps(), (&ThoughtRecord{}).answers())
	check("activation", ActivationSteps(), (&Activation{}).answers())
}

// TestOwnWording: the safety plan's prompts are the project's own words, not the
// Safety Planning Intervention's component names (Stanley & Brown 2012).
func TestOwnWording(t *testing.T) {
	theirs := []string{"internal coping strategies", "social contacts and social settings", "lethal means",
		"mental health professionals or agencies", "impending suicidal crisis", "means of distraction"}
	texts := []string{PlanIntro}
	for _, st := range PlanSteps() {
		texts = append(texts, st.Title, st.Prompt, st.Help)
	}
	for _, s := range texts {
		for _, p := range theirs {
			if strings.Contains(strings.ToLower(s), p) {
				t.Errorf("%q uses the phrase %q", s, p)
			}
		}
	}
}

func TestEvidence(t *testing.T) {
	for _, k := range Kinds {
		src := Evidence(k)
		if len(src) == 0 {
			t.Errorf("%s has no source", k)
		}
		for _, s := range src {
			if s.Supports == "" || s.Citation == "" || !strings.HasPrefix(s.URL, "https://") {
				t.Errorf("%s: source %+v incomplete", k, s)
			}
		}
	}
	if Evidence("nope") != nil {
		t.Error("an unknown form has sources")
	}
}
