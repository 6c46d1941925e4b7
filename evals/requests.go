package evals

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"nightfloat/safety"
)

// RequestsSource is the source name of the request cases: requests to the assistant for
// a way to cause harm, and look-alikes that are not, written for training by helper
// sessions from the kinds issue 14 names (evals/requests/README.md). They are their own
// source, so the leave-one-source-out figures say how the learned layer does on them
// when trained without them, and on the external request sources when trained with them.
const RequestsSource = "nightfloat-requests"

//go:embed requests/requests.jsonl
var requestsJSONL []byte

// RequestCases returns the request cases as learned-layer training rows.
func RequestCases() ([]safety.SourceCase, error) {
	var out []safety.SourceCase
	sc := bufio.NewScanner(bytes.NewReader(requestsJSONL))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r struct {
			Text     string `json:"text"`
			Label    string `json:"label"`
			Category string `json:"category"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("evals: requests line %d: %w", line, err)
		}
		if r.Text == "" || r.Label != "escalate" && r.Label != "no_escalate" {
			return nil, fmt.Errorf("evals: requests line %d: want text and a label escalate or no_escalate", line)
		}
		c := safety.SourceCase{Source: RequestsSource, Genre: "request", Text: r.Text, Escalate: r.Label == "escalate"}
		if c.Escalate {
			if c.Category = string(safety.CorpusCategory(r.Category)); c.Category == "" {
				return nil, fmt.Errorf("evals: requests line %d: unknown category %q", line, r.Category)
			}
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("evals: requests: %w", err)
	}
	return out, nil
}
