package screening

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"nightfloat"
)

// answersFor builds complete answers to id whose scored total is total, filling questions
// in form order and leaving any alert question (PHQ-9 item 9) at its lowest option until
// the others are full. extra answers are set last and override.
func answersFor(tb testing.TB, id ID, total int, extra Responses) Responses {
	tb.Helper()
	in, err := Lookup(id)
	if err != nil {
		tb.Fatal(err)
	}
	r := Responses{}
	left := total - in.MinTotal()
	fill := func(alert bool) {
		for _, q := range in.Items {
			if !q.Scored || (q.Alert != nightfloat.LevelNone) != alert {
				continue
			}
			lo, hi := q.Options[0].Value, q.Options[len(q.Options)-1].Value
			v := min(lo+left, hi)
			left -= v - lo
			r[q.ID] = v
		}
	}
	fill(false)
	fill(true)
	if left != 0 {
		tb.Fatalf("%s cannot total %d", id, total)
	}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func TestScoreBands(t *testing.T) {
	none, concern, urgent := nightfloat.LevelNone, nightfloat.LevelConcern, nightfloat.LevelUrgent
	tests := []struct {
		name     string
		id       ID
		total    int
		extra    Responses
		band     string
		positive bool
		level    nightfloat.Level
		alerts   []string
	}{
		{"phq9 all zero", PHQ9, 0, nil, "minimal", false, none, nil},
		{"phq9 4", PHQ9, 4, nil, "minimal", false, none, nil},
		{"phq9 5", PHQ9, 5, nil, "mild", false, none, nil},
		{"phq9 9", PHQ9, 9, nil, "mild", false, none, nil},
		{"phq9 10", PHQ9, 10, nil, "moderate", true, concern, nil},
		{"phq9 14", PHQ9, 14, nil, "moderate", true, concern, nil},
		{"phq9 15", PHQ9, 15, nil, "moderately_severe", true, concern, nil},
		{"phq9 19", PHQ9, 19, nil, "moderately_severe", true, concern, nil},
		{"phq9 20", PHQ9, 20, nil, "severe", true, concern, nil},
		{"phq9 24 item 9 at 0", PHQ9, 24, nil, "severe", true, concern, nil},
		{"phq9 all maximum", PHQ9, 27, nil, "severe", true, urgent, []string{"phq9_9"}},
		{"phq9 only item 9 at 1", PHQ9, 0, Responses{"phq9_9": 1}, "minimal", false, urgent, []string{"phq9_9"}},
		{"phq9 item 9 at 2", PHQ9, 4, Responses{"phq9_9": 2}, "mild", false, urgent, []string{"phq9_9"}},
		{"phq9 item 9 at 3", PHQ9, 12, Responses{"phq9_9": 3}, "moderately_severe", true, urgent, []string{"phq9_9"}},
		{"phq9 difficulty not scored", PHQ9, 9, Responses{"phq9_difficulty": 3}, "mild", false, none, nil},
		{"gad7 all zero", GAD7, 0, nil, "minimal", false, none, nil},
		{"gad7 4", GAD7, 4, nil, "minimal", false, none, nil},
		{"gad7 5", GAD7, 5, nil, "mild", false, none, nil},
		{"gad7 9", GAD7, 9, nil, "mild", false, none, nil},
		{"gad7 10", GAD7, 10, nil, "moderate", true, concern, nil},
		{"gad7 14", GAD7, 14, nil, "moderate", true, concern, nil},
		{"gad7 15", GAD7, 15, nil, "severe", true, concern, nil},
		{"gad7 all maximum", GAD7, 21, nil, "severe", true, concern, nil},
		{"burnout 1", Burnout, 1, nil, "no_burnout", false, none, nil},
		{"burnout 2", Burnout, 2, nil, "no_burnout", false, none, nil},
		{"burnout 3", Burnout, 3, nil, "burnout", true, concern, nil},
		{"burnout 5", Burnout, 5, nil, "burnout", true, concern, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answers := answersFor(t, tt.id, tt.total, tt.extra)
			got, err := Score(tt.id, answers)
			if err != nil {
				t.Fatalf("Score: %v", err)
			}
			total := tt.total
			if v, ok := tt.extra["phq9_9"]; ok {
				total += v
			}
			if got.Total != total || got.Band != tt.band || got.Positive != tt.positive || got.Level != tt.level {
				t.Errorf("got total %d band %q positive %v level %v, want %d %q %v %v",
					got.Total, got.Band, got.Positive, got.Level, total, tt.band, tt.positive, tt.level)
			}
			if !slices.Equal(got.Alerts, tt.alerts) {
				t.Errorf("alerts %v, want %v", got.Alerts, tt.alerts)
			}
			if got.Instrument != tt.id || got.Level.ForcesHandoff() != (tt.level == urgent) {
				t.Errorf("instrument %q, handoff %v", got.Instrument, got.Level.ForcesHandoff())
			}
			if len(got.Answers) != len(answers) {
				t.Errorf("result keeps %d answers, want %d", len(got.Answers), len(answers))
			}
		})
	}
}

func TestScoreRefuses(t *testing.T) {
	complete := func(id ID) Responses { return answersFor(t, id, 0, nil) }
	without := func(id ID, keys ...string) Responses {
		r := complete(id)
		for _, k := range keys {
			delete(r, k)
		}
		return r
	}
	with := func(r Responses, k string, v int) Responses { r[k] = v; return r }
	tests := []struct {
		name    string
		id      ID
		answers Responses
		message string   // a part of the message shown to the person
		missing []string // question IDs the MissingError names
		level   nightfloat.Level
	}{
		{"one missing", PHQ9, without(PHQ9, "phq9_3"), "question 3 is unanswered", []string{"phq9_3"}, nightfloat.LevelNone},
		{"two missing", PHQ9, without(PHQ9, "phq9_3", "phq9_7"), "questions 3 and 7 are unanswered", []string{"phq9_3", "phq9_7"}, nightfloat.LevelNone},
		{"item 9 missing", PHQ9, without(PHQ9, "phq9_9"), "question 9 is unanswered", []string{"phq9_9"}, nightfloat.LevelNone},
		{"nothing answered", GAD7, Responses{}, "questions 1, 2, 3, 4, 5, 6 and 7 are unanswered",
			[]string{"gad7_1", "gad7_2", "gad7_3", "gad7_4", "gad7_5", "gad7_6", "gad7_7"}, nightfloat.LevelNone},
		{"nil answers", Burnout, nil, "question 1 is unanswered", []string{"burnout_1"}, nightfloat.LevelNone},
		{"missing with item 9 above 0", PHQ9, with(without(PHQ9, "phq9_1", "phq9_2"), "phq9_9", 2), "questions 1 and 2", []string{"phq9_1", "phq9_2"}, nightfloat.LevelUrgent},
		{"only item 9 answered", PHQ9, Responses{"phq9_9": 1}, "questions 1, 2, 3, 4, 5, 6, 7 and 8", []string{"phq9_1", "phq9_2", "phq9_3", "phq9_4", "phq9_5", "phq9_6", "phq9_7", "phq9_8"}, nightfloat.LevelUrgent},
		{"phq9 value 4", PHQ9, with(complete(PHQ9), "phq9_2", 4), "question 2: 4 is not an answer (want 0 to 3)", nil, nightfloat.LevelNone},
		{"phq9 value -1", PHQ9, with(complete(PHQ9), "phq9_5", -1), "question 5: -1 is not an answer", nil, nightfloat.LevelNone},
		{"item 9 out of range still alerts", PHQ9, with(complete(PHQ9), "phq9_9", 7), "question 9: 7 is not an answer", nil, nightfloat.LevelUrgent},
		{"item 9 negative still alerts", PHQ9, with(complete(PHQ9), "phq9_9", -3), "question 9", nil, nightfloat.LevelUrgent},
		{"not a whole number", PHQ9, with(complete(PHQ9), "phq9_4", notANumber), "question 4: the answer is not a whole number", nil, nightfloat.LevelNone},
		{"item 9 not a whole number still alerts", PHQ9, with(complete(PHQ9), "phq9_9", notANumber), "question 9: the answer is not a whole number", nil, nightfloat.LevelUrgent},
		{"difficulty out of range", PHQ9, with(complete(PHQ9), "phq9_difficulty", 4), "question 10: 4 is not an answer", nil, nightfloat.LevelNone},
		{"gad7 value 4", GAD7, with(complete(GAD7), "gad7_7", 4), "question 7: 4 is not an answer (want 0 to 3)", nil, nightfloat.LevelNone},
		{"burnout 0", Burnout, Responses{"burnout_1": 0}, "0 is not an answer (want 1 to 5)", nil, nightfloat.LevelNone},
		{"burnout 6", Burnout, Responses{"burnout_1": 6}, "6 is not an answer (want 1 to 5)", nil, nightfloat.LevelNone},
		{"unknown question", GAD7, with(complete(GAD7), "gad7_8", 0), "does not have 1 of the questions", nil, nightfloat.LevelNone},
		{"another instrument's question", GAD7, with(complete(GAD7), "phq9_9", 3), "does not have 1 of the questions", nil, nightfloat.LevelNone},
		{"unknown instrument", "phq8", Responses{}, "unknown questionnaire", nil, nightfloat.LevelNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Score(tt.id, tt.answers)
			if err == nil {
				t.Fatalf("Score scored %+v, want an error", got)
			}
			if nightfloat.ErrorCode(err) != nightfloat.CodeInvalid || !strings.Contains(nightfloat.ErrorMessage(err), tt.message) {
				t.Errorf("error %q (code %s), want CodeInvalid containing %q", nightfloat.ErrorMessage(err), nightfloat.ErrorCode(err), tt.message)
			}
			var missing *MissingError
			if errors.As(err, &missing) != (tt.missing != nil) || (missing != nil && !slices.Equal(missing.Items, tt.missing)) {
				t.Errorf("missing %+v, want %v", missing, tt.missing)
			}
			if got.Level != tt.level || got.Instrument != tt.id || got.Total != 0 || got.Band != "" {
				t.Errorf("refused result %+v, want only instrument %q and level %v", got, tt.id, tt.level)
			}
		})
	}
}

// TestSafetyLevelOnlyRaises: whatever else is answered, an item-9 answer above 0 is urgent,
// and nothing lowers it.
func TestSafetyLevelOnlyRaises(t *testing.T) {
	for v := 1; v <= 3; v++ {
		for total := 0; total <= 24; total++ {
			answers := answersFor(t, PHQ9, total, Responses{"phq9_9": v})
			res, err := Score(PHQ9, answers)
			if err != nil {
				t.Fatal(err)
			}
			if res.Level != nightfloat.LevelUrgent {
				t.Fatalf("item 9 = %d, total %d: level %v, want urgent", v, res.Total, res.Level)
			}
		}
	}
	if l, a := SafetyLevel(GAD7, Responses{"gad7_1": 3, "phq9_9": 3}); l != nightfloat.LevelNone || a != nil {
		t.Errorf("GAD-7 answers raised the level to %v (%v)", l, a)
	}
	if l, _ := SafetyLevel("nope", Responses{"phq9_9": 3}); l != nightfloat.LevelNone {
		t.Errorf("unknown instrument raised the level to %v", l)
	}
}

func TestScoreDoesNotShareAnswers(t *testing.T) {
	answers := answersFor(t, GAD7, 3, nil)
	res, err := Score(GAD7, answers)
	if err != nil {
		t.Fatal(err)
	}
	answers["gad7_7"] = 2
	if res.Answers["gad7_7"] != 0 {
		t.Fatal("the result shares the caller's map")
	}
}

func TestResponsesJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Responses
		invalid bool
	}{
		{"numbers", `{"gad7_1":0,"gad7_2":3}`, Responses{"gad7_1": 0, "gad7_2": 3}, false},
		{"null is unanswered, not 0", `{"gad7_1":null,"gad7_2":1}`, Responses{"gad7_2": 1}, false},
		{"fraction kept as not a number", `{"gad7_1":1.5}`, Responses{"gad7_1": notANumber}, false},
		{"string kept as not a number", `{"gad7_1":"2","gad7_2":true}`, Responses{"gad7_1": notANumber, "gad7_2": notANumber}, false},
		{"not an object", `[0,1,2]`, nil, true},
		{"null object", `"answers"`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Responses
			err := json.Unmarshal([]byte(tt.in), &got)
			if tt.invalid {
				if nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
					t.Fatalf("got %v, want a CodeInvalid error", err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
			for k, v := range tt.want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s = %d (present %v), want %d", k, g, ok, v)
				}
			}
		})
	}
}

// TestNullItemIsRefused: a screen sent with an answer of null is incomplete, not a 0.
func TestNullItemIsRefused(t *testing.T) {
	var r Responses
	if err := json.Unmarshal([]byte(`{"gad7_1":0,"gad7_2":0,"gad7_3":0,"gad7_4":0,"gad7_5":0,"gad7_6":0,"gad7_7":null}`), &r); err != nil {
		t.Fatal(err)
	}
	_, err := Score(GAD7, r)
	var missing *MissingError
	if !errors.As(err, &missing) || !slices.Equal(missing.Items, []string{"gad7_7"}) {
		t.Fatalf("got %v, want question 7 reported unanswered", err)
	}
}

// TestGarbledItem9FromJSON: however item 9 arrives, anything but a clean 0 hands off.
func TestGarbledItem9FromJSON(t *testing.T) {
	for _, v := range []string{`"2"`, `1.5`, `true`, `"0"`, `[]`, `{}`, `5`, `-1`} {
		var r Responses
		if err := json.Unmarshal([]byte(`{"phq9_9":`+v+`}`), &r); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if l, _ := SafetyLevel(PHQ9, r); l != nightfloat.LevelUrgent {
			t.Errorf("item 9 sent as %s: level %v, want urgent", v, l)
		}
	}
	var r Responses
	if err := json.Unmarshal([]byte(`{"phq9_9":0,"phq9_1":"x"}`), &r); err != nil {
		t.Fatal(err)
	}
	if l, _ := SafetyLevel(PHQ9, r); l != nightfloat.LevelNone {
		t.Errorf("item 9 sent as 0: level %v", l)
	}
}

func TestResultJSON(t *testing.T) {
	res, err := Score(PHQ9, answersFor(t, PHQ9, 0, Responses{"phq9_9": 1}))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"instrument":"phq9"`, `"level":"urgent"`, `"alerts":["phq9_9"]`, `"band":"minimal"`, `"total":1`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}
