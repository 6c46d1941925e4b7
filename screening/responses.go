package screening

import (
	"encoding/json"

	"nightfloat"
)

// Responses are a resident's answers to one instrument, keyed by question ID ("phq9_1").
// A question with no key is unanswered. In JSON an answer of null also means unanswered
// (it never becomes 0), and an answer that is not a whole number is refused.
type Responses map[string]int

// UnmarshalJSON decodes answers, leaving out those sent as null.
func (r *Responses) UnmarshalJSON(b []byte) error {
	var raw map[string]*int
	if err := json.Unmarshal(b, &raw); err != nil {
		return &nightfloat.Error{Code: nightfloat.CodeInvalid, Message: "answers must be whole numbers keyed by question", Err: err}
	}
	out := make(Responses, len(raw))
	for k, v := range raw {
		if v != nil {
			out[k] = *v
		}
	}
	*r = out
	return nil
}
