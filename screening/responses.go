package screening

import (
	"bytes"
	"encoding/json"
	"math"

	"nightfloat"
)

// Responses are a resident's answers to one instrument, keyed by question ID ("phq9_1").
// A question with no key is unanswered.
type Responses map[string]int

// notANumber stands for an answer that arrived as something other than a whole number. No
// question offers it, so Score refuses it; SafetyLevel counts it as above the lowest
// option, so a garbled answer to PHQ-9 item 9 still hands off.
const notANumber = math.MinInt

// UnmarshalJSON decodes answers from a JSON object. An answer of null is unanswered (never
// 0); an answer that is not a whole number (1.5, "2", true) is kept as one Score refuses
// and SafetyLevel treats as a yes. Anything but an object is refused.
func (r *Responses) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return &nightfloat.Error{Code: nightfloat.CodeInvalid, Message: "answers must be an object keyed by question", Err: err}
	}
	out := make(Responses, len(raw))
	for k, v := range raw {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			continue
		}
		var n int
		if err := json.Unmarshal(v, &n); err != nil {
			n = notANumber
		}
		out[k] = n
	}
	*r = out
	return nil
}
