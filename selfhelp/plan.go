package selfhelp

import (
	"fmt"
	"unicode/utf8"
)

// Plan is the safety plan a resident keeps: seven sections, each a list of short entries in
// the resident's own words. The JSON keys are the Field of each PlanSteps step.
type Plan struct {
	WarningSigns     []string `json:"warning_signs"`
	OnMyOwn          []string `json:"on_my_own"`
	Distractions     []string `json:"distractions"`
	AskForHelp       []string `json:"ask_for_help"`
	Professionals    []string `json:"professionals"`
	SaferEnvironment []string `json:"safer_environment"`
	Reasons          []string `json:"reasons"`
}

// section is one step of the plan and the list it fills.
type section struct {
	step    Step
	entries *[]string
}

// sections pairs each step with the list it fills, in step order.
func (p *Plan) sections() []section {
	lists := []*[]string{&p.WarningSigns, &p.OnMyOwn, &p.Distractions, &p.AskForHelp, &p.Professionals, &p.SaferEnvironment, &p.Reasons}
	steps := PlanSteps()
	out := make([]section, len(steps))
	for i, st := range steps {
		out[i] = section{step: st, entries: lists[i]}
	}
	return out
}

// Normalize returns the plan as it will be kept: every entry trimmed of surrounding space,
// empty entries dropped, and every section a list (never null in JSON). It refuses, with a
// *nightfloat.Error of CodeInvalid wrapping a *FieldError, an entry that is not valid
// UTF-8, contains a NUL character or is longer than MaxPlanEntryChars; a section with more
// than MaxPlanEntries entries; and a plan longer than MaxPlanChars in all (path ""). Paths
// in errors index the entries as sent. An empty plan is valid.
func (p Plan) Normalize() (Plan, error) {
	var out Plan
	total := 0
	dst := out.sections()
	for i, sec := range p.sections() {
		kept := []string{}
		for j, e := range *sec.entries {
			path := fmt.Sprintf("%s[%d]", sec.step.Field, j)
			s, err := cleanText(path, sec.step.Title, e, sec.step.MaxChars)
			if err != nil {
				return Plan{}, err
			}
			if s == "" {
				continue
			}
			kept = append(kept, s)
			total += utf8.RuneCountInString(s)
		}
		if len(kept) > sec.step.MaxEntries {
			return Plan{}, invalid(sec.step.Field, "too many entries",
				fmt.Sprintf("%q: %d entries is over the limit of %d", sec.step.Title, len(kept), sec.step.MaxEntries))
		}
		*dst[i].entries = kept
	}
	if total > MaxPlanChars {
		return Plan{}, invalid("", "plan too long",
			fmt.Sprintf("the plan has %d characters in all, over the limit of %d; shorten some entries and save again", total, MaxPlanChars))
	}
	return out, nil
}

// Empty reports whether the plan has no entries at all.
func (p Plan) Empty() bool {
	for _, sec := range p.sections() {
		if len(*sec.entries) > 0 {
			return false
		}
	}
	return true
}

// Fields lists every entry with its path ("warning_signs[2]"), in step order, for the
// safety classifier. Call it on a normalized plan so the paths match what is kept.
func (p Plan) Fields() []Field {
	var out []Field
	for _, sec := range p.sections() {
		for j, e := range *sec.entries {
			out = append(out, Field{Path: fmt.Sprintf("%s[%d]", sec.step.Field, j), Text: e})
		}
	}
	return out
}
