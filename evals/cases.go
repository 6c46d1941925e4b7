// Package evals holds the labelled evaluation suite for the safety
// classifier and the loader that reads it.
package evals

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"nightfloat"
	"path"
	"strings"

	"nightfloat/safety"
)

// Suite is the project's own labelled suite. The held-apart split lives
// under cases/holdout and must not be used to tune rules.
//
//go:embed cases
var Suite embed.FS

// Expectations.
const (
	Escalate   = "escalate"    // level >= urgent
	NoEscalate = "no_escalate" // level <= concern
)

// Case is one labelled message, or one conversation whose last turn is judged.
type Case struct {
	ID       string   `json:"id"`
	Text     string   `json:"text,omitempty"`
	Turns    []string `json:"turns,omitempty"`
	Expect   string   `json:"expect"`
	Level    string   `json:"level,omitempty"`    // minimum level expected
	Category string   `json:"category,omitempty"` // category the case is about
	CSSRS    int      `json:"cssrs,omitempty"`    // C-SSRS screener item 1..6 a person assigned (suicide-related cases)
	Role     string   `json:"role,omitempty"`     // resident|fellow|student|nurse|app|attending
	Source   string   `json:"source,omitempty"`   // what the case was modelled on
	Note     string   `json:"note,omitempty"`
	File     string   `json:"-"`
	Line     int      `json:"-"`
}

// History returns the earlier turns, as resident turns.
func (c Case) History() []safety.Turn {
	if len(c.Turns) < 2 {
		return nil
	}
	h := make([]safety.Turn, 0, len(c.Turns)-1)
	for _, t := range c.Turns[:len(c.Turns)-1] {
		h = append(h, safety.Turn{Author: safety.AuthorResident, Text: t})
	}
	return h
}

// Message returns the judged message: Text, or the last of Turns.
func (c Case) Message() string {
	if len(c.Turns) > 0 {
		return c.Turns[len(c.Turns)-1]
	}
	return c.Text
}

// Where names the case's file and line for messages.
func (c Case) Where() string { return fmt.Sprintf("%s:%d", c.File, c.Line) }

// LoadCases reads every .jsonl file under root in fsys (recursively, in
// sorted order), or root itself when it is a file. Blank lines are skipped
// and unknown JSON fields ignored. A malformed line, a missing id or expect,
// an unknown expect or level, both or neither of text and turns, or a
// duplicate id is an error naming the file and line.
func LoadCases(fsys fs.FS, root string) ([]Case, error) {
	var cases []Case
	seen := map[string]string{}
	err := eachJSONLine(fsys, root, func(name string, n int, line []byte) error {
		c, err := parseCase(line)
		if err != nil {
			return fmt.Errorf("evals: %s:%d: %w", name, n, err)
		}
		c.File, c.Line = name, n
		if prev, dup := seen[c.ID]; dup {
			return fmt.Errorf("evals: %s:%d: duplicate id %q (first at %s)", name, n, c.ID, prev)
		}
		seen[c.ID] = c.Where()
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cases, nil
}

func parseCase(line []byte) (Case, error) {
	var c Case
	if err := json.Unmarshal(line, &c); err != nil {
		return c, fmt.Errorf("malformed case: %w", err)
	}
	switch {
	case c.ID == "":
		return c, fmt.Errorf(`missing "id"`)
	case c.Expect == "":
		return c, fmt.Errorf(`missing "expect"`)
	case c.Expect != Escalate && c.Expect != NoEscalate:
		return c, fmt.Errorf(`"expect" must be %q or %q, got %q`, Escalate, NoEscalate, c.Expect)
	case c.Text != "" && len(c.Turns) > 0:
		return c, fmt.Errorf(`both "text" and "turns"`)
	case c.Text == "" && len(c.Turns) == 0:
		return c, fmt.Errorf(`neither "text" nor "turns"`)
	}
	if c.CSSRS < 0 || c.CSSRS > 6 {
		return c, fmt.Errorf(`"cssrs" must be 1 to 6, got %d`, c.CSSRS)
	}
	if c.CSSRS > 0 && c.Category != string(safety.SuicidalIdeation) && c.Category != string(safety.SuicidePlanOrIntent) {
		return c, fmt.Errorf(`"cssrs" is for suicide-related cases, not category %q`, c.Category)
	}
	if c.Level != "" {
		if _, err := nightfloat.ParseLevel(c.Level); err != nil {
			return c, fmt.Errorf(`unknown "level" %q`, c.Level)
		}
	}
	return c, nil
}

// IsHoldout reports whether the case belongs to the held-apart split.
func (c Case) IsHoldout() bool { return c.Split() != "main" }

// Split names the split a case belongs to: "main", or the held-apart folder it sits in
// (any folder named holdout…, e.g. "holdout", "holdout2").
func (c Case) Split() string {
	for _, dir := range strings.Split(path.Dir(c.File), "/") {
		if strings.HasPrefix(dir, "holdout") {
			return dir
		}
	}
	return "main"
}
