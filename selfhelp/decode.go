package selfhelp

import (
	"bytes"
	"encoding/json"
	"fmt"

	"nightfloat"
)

// Kept is a form as it will be stored: its kind, its normalized answers as JSON, and the
// free text in it, each with its path, for the safety classifier.
type Kept struct {
	Kind    Kind
	Answers json.RawMessage
	Fields  []Field
}

// Decode reads a form's answers as a client sent them (JSON whose keys are the Field of
// each step), normalizes them and returns them as they will be kept. Unknown keys, a value
// of the wrong type and everything Normalize refuses are refused with a *nightfloat.Error
// of CodeInvalid; an unknown kind too.
func Decode(k Kind, raw json.RawMessage) (Kept, error) {
	switch k {
	case KindSafetyPlan:
		return decodeAs(k, raw, Plan.Normalize, Plan.Fields)
	case KindThoughtRecord:
		return decodeAs(k, raw, ThoughtRecord.Normalize, ThoughtRecord.Fields)
	case KindActivation:
		return decodeAs(k, raw, Activation.Normalize, Activation.Fields)
	}
	return Kept{}, nightfloat.Errorf(nightfloat.CodeInvalid, "unknown form %q", k)
}

func decodeAs[T any](k Kind, raw json.RawMessage, normalize func(T) (T, error), fields func(T) []Field) (Kept, error) {
	var v T
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return Kept{}, &nightfloat.Error{Code: nightfloat.CodeInvalid, Message: "the form's answers could not be read", Err: fmt.Errorf("selfhelp: decode %s: %w", k, err)}
	}
	if dec.More() {
		return Kept{}, nightfloat.Errorf(nightfloat.CodeInvalid, "the form's answers have data after their JSON object")
	}
	n, err := normalize(v)
	if err != nil {
		return Kept{}, err
	}
	out, err := json.Marshal(n)
	if err != nil {
		return Kept{}, fmt.Errorf("selfhelp: encode %s: %w", k, err)
	}
	return Kept{Kind: k, Answers: out, Fields: fields(n)}, nil
}

// Name is how the chat names a form of kind k in a sentence: "safety plan".
func Name(k Kind) string {
	switch k {
	case KindSafetyPlan:
		return "safety plan"
	case KindThoughtRecord:
		return "thought record"
	case KindActivation:
		return "activity plan"
	}
	return "form"
}
