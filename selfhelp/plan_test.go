package selfhelp

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"nightfloat"
)

func TestPlanNormalize(t *testing.T) {
	long := strings.Repeat("é", MaxPlanEntryChars) // counted in characters, not bytes
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "a walk"
		}
		return out
	}
	tests := []struct {
		name string
		in   Plan
		want Plan
		path string // the field an error names; "" with want set means no error
		msg  string
	}{
		{
			name: "trimmed and empty dropped",
			in:   Plan{WarningSigns: []string{"  not sleeping \n", "", "   ", "\tskipping meals"}, Reasons: []string{"my dog"}},
			want: Plan{WarningSigns: []string{"not sleeping", "skipping meals"}, Reasons: []string{"my dog"}},
		},
		{name: "empty plan", in: Plan{}, want: Plan{}},
		{name: "entry at the limit", in: Plan{OnMyOwn: []string{long}}, want: Plan{OnMyOwn: []string{long}}},
		{name: "surrounding space does not count", in: Plan{OnMyOwn: []string{"  " + long + "  "}}, want: Plan{OnMyOwn: []string{long}}},
		{name: "entries at the limit", in: Plan{Distractions: many(MaxPlanEntries)}, want: Plan{Distractions: many(MaxPlanEntries)}},
		{name: "empty entries do not count", in: Plan{Distractions: append(many(MaxPlanEntries), "", " ")}, want: Plan{Distractions: many(MaxPlanEntries)}},
		{name: "entry too long", in: Plan{OnMyOwn: []string{"ok", long + "é"}}, path: "on_my_own[1]", msg: "over the limit of 280"},
		{name: "too many entries", in: Plan{Distractions: many(MaxPlanEntries + 1)}, path: "distractions", msg: "11 entries is over the limit of 10"},
		{name: "NUL refused", in: Plan{AskForHelp: []string{"Sam", "my\x00sister"}}, path: "ask_for_help[1]", msg: "NUL"},
		{name: "NUL in an otherwise empty entry", in: Plan{Reasons: []string{" \x00 "}}, path: "reasons[0]", msg: "NUL"},
		{name: "invalid UTF-8 refused", in: Plan{SaferEnvironment: []string{"\xff\xfe"}}, path: "safer_environment[0]", msg: "not valid UTF-8"},
		{name: "index as sent, before empties drop", in: Plan{Professionals: []string{"", "", "x\x00"}}, path: "professionals[2]", msg: "NUL"},
		{
			name: "whole plan too long",
			in:   Plan{WarningSigns: sized(10, 250), OnMyOwn: sized(10, 250), Distractions: sized(1, 1)},
			path: "", msg: "5001 characters in all, over the limit of 5000",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.Normalize()
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Normalize: %v", err)
				}
				for i, sec := range got.sections() {
					want := *tt.want.sections()[i].entries
					if *sec.entries == nil || !slices.Equal(*sec.entries, want) {
						t.Errorf("%s: got %q, want %q", sec.step.Field, *sec.entries, want)
					}
				}
				return
			}
			var fe *FieldError
			if nightfloat.ErrorCode(err) != nightfloat.CodeInvalid || !errors.As(err, &fe) || fe.Path != tt.path ||
				!strings.Contains(nightfloat.ErrorMessage(err), tt.msg) {
				t.Fatalf("got %v (field %+v), want CodeInvalid at %q containing %q", err, fe, tt.path, tt.msg)
			}
		})
	}
}

// sized makes n entries of size characters each.
func sized(n, size int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strings.Repeat("x", size)
	}
	return out
}

func TestPlanFields(t *testing.T) {
	p, err := Plan{
		Reasons:      []string{"my dog"},
		WarningSigns: []string{"", "not sleeping", " skipping meals "},
		AskForHelp:   []string{"Sam"},
	}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	want := []Field{
		{"warning_signs[0]", "not sleeping"},
		{"warning_signs[1]", "skipping meals"},
		{"ask_for_help[0]", "Sam"},
		{"reasons[0]", "my dog"},
	}
	if got := p.Fields(); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if p.Empty() {
		t.Error("a plan with entries is empty")
	}
	if !(Plan{}).Empty() || (Plan{}).Fields() != nil {
		t.Error("an empty plan has fields")
	}
}

// TestEveryPlanFieldIsListed: whatever section a resident types into, Fields hands it to
// the classifier.
func TestEveryPlanFieldIsListed(t *testing.T) {
	var p Plan
	for _, sec := range p.sections() {
		*sec.entries = []string{"text in " + sec.step.Field}
	}
	fields := p.Fields()
	if len(fields) != len(PlanSteps()) {
		t.Fatalf("got %d fields, want one per section: %v", len(fields), fields)
	}
	for i, st := range PlanSteps() {
		if fields[i].Path != st.Field+"[0]" || fields[i].Text != "text in "+st.Field {
			t.Errorf("field %d = %+v", i, fields[i])
		}
	}
}

func TestPlanJSON(t *testing.T) {
	var in Plan
	if err := json.Unmarshal([]byte(`{"warning_signs":["a"],"reasons":["b"]}`), &in); err != nil {
		t.Fatal(err)
	}
	p, err := in.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"warning_signs":["a"],"on_my_own":[],"distractions":[],"ask_for_help":[],"professionals":[],"safer_environment":[],"reasons":["b"]}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
