package selfhelp

import (
	"encoding/json"
	"errors"
	"testing"

	"nightfloat"
)

// TestDecode: answers are read strictly, normalized, and their free text listed with the
// paths Fields gives; anything Normalize refuses is refused the same way.
func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		kind    Kind
		raw     string
		want    string // the kept JSON, when accepted
		fields  []Field
		errPath string // the refused field's path; "-" for a refusal without one
	}{
		{"plan trimmed", KindSafetyPlan, `{"warning_signs":["  not sleeping ", ""],"reasons":["my dog"]}`,
			`{"warning_signs":["not sleeping"],"on_my_own":[],"distractions":[],"ask_for_help":[],"professionals":[],"safer_environment":[],"reasons":["my dog"]}`,
			[]Field{{"warning_signs[0]", "not sleeping"}, {"reasons[0]", "my dog"}}, ""},
		{"thought record", KindThoughtRecord, `{"situation":" rounds ","intensity":40}`,
			`{"situation":"rounds","automatic_thought":"","emotion":"","intensity":40,"evidence_for":"","evidence_against":"","balanced_thought":"","rerated_intensity":null}`,
			[]Field{{"situation", "rounds"}}, ""},
		{"activation", KindActivation, `{"activity":"running","mood_before":3}`,
			`{"activity":"running","small_version":"","when":"","obstacles":"","mood_before":3,"how_it_went":"","mood_after":null}`,
			[]Field{{"activity", "running"}}, ""},
		{"unknown key", KindSafetyPlan, `{"notes":"x"}`, "", nil, "-"},
		{"wrong type", KindThoughtRecord, `{"intensity":"high"}`, "", nil, "-"},
		{"trailing data", KindSafetyPlan, `{} {}`, "", nil, "-"},
		{"rating out of range", KindActivation, `{"activity":"a","mood_after":11}`, "", nil, "mood_after"},
		{"entry with NUL", KindSafetyPlan, "{\"reasons\":[\"a\\u0000b\"]}", "", nil, "reasons[0]"},
		{"unknown kind", "diary", `{}`, "", nil, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.kind, json.RawMessage(tt.raw))
			if tt.errPath != "" {
				if nightfloat.ErrorCode(err) != nightfloat.CodeInvalid {
					t.Fatalf("got %v, want invalid", err)
				}
				var fe *FieldError
				if tt.errPath != "-" && (!errors.As(err, &fe) || fe.Path != tt.errPath) {
					t.Errorf("refused %v, want field %s", err, tt.errPath)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Answers) != tt.want {
				t.Errorf("kept\n %s\nwant\n %s", got.Answers, tt.want)
			}
			if len(got.Fields) != len(tt.fields) {
				t.Fatalf("fields %v, want %v", got.Fields, tt.fields)
			}
			for i := range tt.fields {
				if got.Fields[i] != tt.fields[i] {
					t.Errorf("field %d: %v, want %v", i, got.Fields[i], tt.fields[i])
				}
			}
		})
	}
}
