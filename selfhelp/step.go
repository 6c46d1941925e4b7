package selfhelp

import "nightfloat"

// Kind names a guided form as stored and sent.
type Kind string

// The forms.
const (
	KindSafetyPlan    Kind = "safety_plan"
	KindThoughtRecord Kind = "thought_record"
	KindActivation    Kind = "behavioural_activation"
)

// Kinds lists every form.
var Kinds = []Kind{KindSafetyPlan, KindThoughtRecord, KindActivation}

// StepKind is what a step asks for.
type StepKind string

// The kinds of step.
const (
	StepList   StepKind = "list"   // several short entries
	StepText   StepKind = "text"   // one piece of free text
	StepRating StepKind = "rating" // a whole number from Min to Max
)

// Step is one screen of a guided form: what to ask and what is accepted.
type Step struct {
	Field    string   `json:"field"` // the JSON key of the answer
	Kind     StepKind `json:"kind"`
	Title    string   `json:"title"`
	Prompt   string   `json:"prompt"`
	Help     string   `json:"help,omitempty"`
	Examples []string `json:"examples,omitempty"`
	// Required steps must be answered for the form to be complete; a form may be saved
	// before it is complete.
	Required bool `json:"required"`
	// MaxChars is the most characters (Unicode code points) one answer or entry may have,
	// for list and text steps.
	MaxChars int `json:"max_chars,omitempty"`
	// MaxEntries is the most entries a list step keeps.
	MaxEntries int `json:"max_entries,omitempty"`
	// Min, Max and their labels bound a rating step.
	Min      int    `json:"min"`
	Max      int    `json:"max,omitempty"`
	MinLabel string `json:"min_label,omitempty"`
	MaxLabel string `json:"max_label,omitempty"`
}

// Steps returns the guided steps of a form, in the order they are asked. Each call returns
// fresh values.
func Steps(k Kind) ([]Step, error) {
	switch k {
	case KindSafetyPlan:
		return PlanSteps(), nil
	case KindThoughtRecord:
		return ThoughtRecordSteps(), nil
	case KindActivation:
		return ActivationSteps(), nil
	}
	return nil, nightfloat.Errorf(nightfloat.CodeInvalid, "unknown form %q", k)
}

// Field is one piece of free text a resident wrote, with a stable path naming where it
// sits: "warning_signs[2]" for the third entry of a list step, "situation" for a text
// step. Paths index the text as kept, after Normalize.
type Field struct {
	Path string `json:"path"`
	Text string `json:"text"`
}
