package evals

import (
	"context"
	"fmt"
	"nightfloat"
	"sort"
	"time"

	"nightfloat/safety"
)

// Kinds of miss in a safety report.
const (
	MissEscalation = "missed_escalation" // must escalate, was not handed off
	MissFalse      = "false_escalation"  // must not escalate, was handed off
	MissLevelLow   = "level_too_low"     // handed off, but below the labelled level
)

// Splits of the suite.
const (
	SplitMain    = "main"
	SplitHoldout = "holdout"
)

// uncategorised is the by_category key for cases without a category.
const uncategorised = "uncategorised"

// SafetySchema is the version of the safety report's JSON shape (docs/evals.md). It
// changes only when a field changes meaning or goes away; new fields do not change it.
const SafetySchema = 1

// Assessor is what the safety eval runs: *safety.Classifier, or a test double.
type Assessor interface {
	Assess(ctx context.Context, history []safety.Turn, message string) (safety.Assessment, error)
}

// SafetyReport is the result of running the classifier over one split of labelled
// cases. Its JSON form is the documented, stable schema of docs/evals.md.
type SafetyReport struct {
	Schema      int                      `json:"schema"`
	Version     string                   `json:"version"` // classifier and rule-file version
	Split       string                   `json:"split"`
	Source      string                   `json:"source,omitempty"`
	Cases       int                      `json:"cases"`
	Escalate    EscalateStats            `json:"escalate"`
	NoEscalate  NoEscalateStats          `json:"no_escalate"`
	LevelTooLow int                      `json:"level_too_low"`
	Errors      int                      `json:"errors"`       // cases where Assess returned an error (the verdict failed closed)
	LayerErrors int                      `json:"layer_errors"` // cases where an optional layer failed and the rules verdict stood
	ByCategory  map[string]CategoryStats `json:"by_category"`
	Confusion   Confusion                `json:"confusion"`
	CSSRS       *CSSRSAgreement          `json:"cssrs,omitempty"` // item agreement on cases labelled with a C-SSRS item
	Misses      []Miss                   `json:"misses"`
	Latency     LatencyStats             `json:"latency_ms"`
	Histogram   []HistogramBin           `json:"latency_histogram"`
	DurationMS  float64                  `json:"duration_ms"` // wall time of the whole split, classification only
	Results     []CaseResult             `json:"results"`     // every case, in suite order (what --compare reads)

	// Set on the top-level (main split) report only.
	LoadMS  float64       `json:"load_ms,omitempty"`  // reading and checking the cases
	SetupMS float64       `json:"setup_ms,omitempty"` // building the classifier (compiling the rules)
	TotalMS float64       `json:"total_ms,omitempty"` // the whole run up to writing the report
	Holdout *SafetyReport `json:"holdout,omitempty"`
	Compare *Comparison   `json:"compare,omitempty"`
	Gate    *Gate         `json:"gate,omitempty"`
}

// EscalateStats counts the must-escalate cases.
type EscalateStats struct {
	Total  int      `json:"total"`
	Caught int      `json:"caught"`
	Recall Rate     `json:"recall"`
	CI95   Interval `json:"ci95"`
}

// NoEscalateStats counts the must-not-escalate cases.
type NoEscalateStats struct {
	Total            int      `json:"total"`
	FalseEscalations int      `json:"false_escalations"`
	FalseRate        Rate     `json:"false_rate"`
	CI95             Interval `json:"ci95"`
}

// CategoryStats is one category's share of correctly handled cases: a must-escalate
// case is correct when handed off, a must-not-escalate case when not.
type CategoryStats struct {
	Total      int      `json:"total"`
	Correct    int      `json:"correct"`
	Recall     Rate     `json:"recall"`
	CI95       Interval `json:"ci95"`
	Escalate   int      `json:"escalate"`    // of Total, must escalate
	NoEscalate int      `json:"no_escalate"` // of Total, must not
}

// Confusion counts cases by label (escalate, no_escalate) and by the level the
// classifier gave (none, concern, urgent, emergency). Urgent and emergency hand off.
type Confusion map[string]map[string]int

// Miss is one case the classifier got wrong, with the evidence it produced.
type Miss struct {
	ID          string            `json:"id"`
	Kind        string            `json:"kind"`   // missed_escalation, false_escalation or level_too_low
	Expect      string            `json:"expect"` // escalate or no_escalate
	ExpectLevel string            `json:"expect_level,omitempty"`
	Got         string            `json:"got"` // the level the classifier gave
	Category    string            `json:"category,omitempty"`
	Role        string            `json:"role,omitempty"`
	Text        string            `json:"text"`
	History     []HistoryTurn     `json:"history,omitempty"` // earlier turns of a multi-turn case
	Note        string            `json:"note,omitempty"`
	File        string            `json:"file,omitempty"`
	Line        int               `json:"line,omitempty"`
	Evidence    []safety.Evidence `json:"evidence"`
	Errors      []string          `json:"errors,omitempty"`
}

// HistoryTurn is an earlier turn of a multi-turn case, as a miss shows it.
type HistoryTurn struct {
	Author string `json:"author"`
	Text   string `json:"text"`
}

func historyTurns(h []safety.Turn) []HistoryTurn {
	if len(h) == 0 {
		return nil
	}
	out := make([]HistoryTurn, len(h))
	for i, t := range h {
		out[i] = HistoryTurn{Author: t.Author, Text: t.Text}
	}
	return out
}

// CaseResult is one case's outcome.
type CaseResult struct {
	ID          string  `json:"id"`
	Expect      string  `json:"expect"`
	ExpectLevel string  `json:"expect_level,omitempty"`
	Category    string  `json:"category,omitempty"`
	Got         string  `json:"got"`
	Correct     bool    `json:"correct"`
	LatencyMS   float64 `json:"latency_ms"`
}

// escalated reports whether the result was handed off.
func (r CaseResult) escalated() bool {
	l, err := nightfloat.ParseLevel(r.Got)
	return err != nil || l.ForcesHandoff() // an unreadable level counts as a handoff, as production fails closed
}

// ValidateCases checks what the runner relies on: a known expect value, a readable
// level that agrees with it, and ids unique across the whole run. Errors name the
// file and line.
func ValidateCases(cases []Case) error {
	seen := map[string]Case{}
	for _, c := range cases {
		where := c.Where()
		if c.ID == "" {
			return fmt.Errorf("%s: case has no id", where)
		}
		if prev, dup := seen[c.ID]; dup {
			return fmt.Errorf("%s: case id %q is also used at %s", where, c.ID, prev.Where())
		}
		seen[c.ID] = c
		if c.Message() == "" {
			return fmt.Errorf("%s: case %q has no text", where, c.ID)
		}
		switch c.Expect {
		case Escalate, NoEscalate:
		default:
			return fmt.Errorf("%s: case %q: expect %q: want %q or %q", where, c.ID, c.Expect, Escalate, NoEscalate)
		}
		if c.Level != "" {
			l, err := nightfloat.ParseLevel(c.Level)
			if err != nil {
				return fmt.Errorf("%s: case %q: level %q: want none, concern, urgent or emergency", where, c.ID, c.Level)
			}
			if l.ForcesHandoff() != (c.Expect == Escalate) {
				return fmt.Errorf("%s: case %q: level %q contradicts expect %q", where, c.ID, c.Level, c.Expect)
			}
		}
	}
	return nil
}

// RunSafety runs a over every case, in order, one at a time (so per-case latency is
// the classifier's own), and counts the outcome. The cases must have passed
// ValidateCases. It stops early only when ctx is cancelled.
func RunSafety(ctx context.Context, a Assessor, cases []Case, split string) (*SafetyReport, error) {
	r := &SafetyReport{
		Schema:     SafetySchema,
		Split:      split,
		Cases:      len(cases),
		ByCategory: map[string]CategoryStats{},
		Confusion:  Confusion{},
		Misses:     []Miss{},
		Results:    make([]CaseResult, 0, len(cases)),
	}
	for _, label := range []string{Escalate, NoEscalate} {
		r.Confusion[label] = map[string]int{}
		for l := safety.None; l <= safety.Emergency; l++ {
			r.Confusion[label][l.String()] = 0
		}
	}
	var levelLow []Miss
	cssrs := cssrsTally{}
	durations := make([]time.Duration, 0, len(cases))
	start := time.Now()
	for _, c := range cases {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		history, msg := c.History(), c.Message()
		t0 := time.Now()
		as, err := a.Assess(ctx, history, msg)
		d := time.Since(t0)
		durations = append(durations, d)
		if as.Version != "" && r.Version == "" {
			r.Version = as.Version
		}
		var errs []string
		if err != nil {
			r.Errors++
			errs = append(errs, err.Error())
		} else if len(as.Errors) > 0 {
			r.LayerErrors++
		}
		errs = append(errs, as.Errors...)

		got := as.Level
		if err != nil && !got.ForcesHandoff() {
			got = safety.Urgent // the classifier's contract: an error fails closed
		}
		escalated := got.ForcesHandoff()
		mustEscalate := c.Expect == Escalate
		correct := escalated == mustEscalate
		res := CaseResult{ID: c.ID, Expect: c.Expect, ExpectLevel: c.Level, Category: c.Category,
			Got: got.String(), Correct: correct, LatencyMS: ms(d)}
		r.Results = append(r.Results, res)
		r.Confusion[c.Expect][got.String()]++
		cssrs.add(c.CSSRS, as.CSSRS)

		cat := c.Category
		if cat == "" {
			cat = uncategorised
		}
		cs := r.ByCategory[cat]
		cs.Total++
		if correct {
			cs.Correct++
		}
		if mustEscalate {
			cs.Escalate++
			r.Escalate.Total++
			if escalated {
				r.Escalate.Caught++
			}
		} else {
			cs.NoEscalate++
			r.NoEscalate.Total++
			if escalated {
				r.NoEscalate.FalseEscalations++
			}
		}
		r.ByCategory[cat] = cs

		miss := func(kind string) Miss {
			ev := as.Evidence
			if ev == nil {
				ev = []safety.Evidence{}
			}
			return Miss{ID: c.ID, Kind: kind, Expect: c.Expect, ExpectLevel: c.Level, Got: got.String(),
				Category: c.Category, Role: c.Role, Text: msg, History: historyTurns(history), Note: c.Note,
				File: c.File, Line: c.Line, Evidence: ev, Errors: errs}
		}
		switch {
		case mustEscalate && !escalated:
			r.Misses = append(r.Misses, miss(MissEscalation))
		case !mustEscalate && escalated:
			r.Misses = append(r.Misses, miss(MissFalse))
		case mustEscalate && c.Level != "":
			if want, _ := nightfloat.ParseLevel(c.Level); got < want {
				r.LevelTooLow++
				levelLow = append(levelLow, miss(MissLevelLow))
			}
		}
	}
	r.DurationMS = ms(time.Since(start))
	r.CSSRS = cssrs.agreement()

	r.Escalate.Recall = ratio(r.Escalate.Caught, r.Escalate.Total)
	r.Escalate.CI95 = wilson(r.Escalate.Caught, r.Escalate.Total)
	r.NoEscalate.FalseRate = ratio(r.NoEscalate.FalseEscalations, r.NoEscalate.Total)
	r.NoEscalate.CI95 = wilson(r.NoEscalate.FalseEscalations, r.NoEscalate.Total)
	for k, cs := range r.ByCategory {
		cs.Recall = ratio(cs.Correct, cs.Total)
		cs.CI95 = wilson(cs.Correct, cs.Total)
		r.ByCategory[k] = cs
	}
	// Missed escalations first (the dangerous kind), then false alarms, then low levels.
	sort.SliceStable(r.Misses, func(i, j int) bool {
		return missRank(r.Misses[i].Kind) < missRank(r.Misses[j].Kind)
	})
	r.Misses = append(r.Misses, levelLow...)
	r.Latency = latencyStats(durations)
	r.Histogram = latencyHistogram(durations)
	if r.Version == "" {
		if v, ok := a.(interface{ Version() string }); ok {
			r.Version = v.Version()
		}
	}
	return r, nil
}

func missRank(kind string) int {
	switch kind {
	case MissEscalation:
		return 0
	case MissFalse:
		return 1
	}
	return 2
}

// Categories returns the report's category keys in a stable order: the classifier's
// own categories first, in safety.AllCategories order, then any others sorted.
func (r *SafetyReport) Categories() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range safety.AllCategories() {
		if _, ok := r.ByCategory[string(c)]; ok {
			out = append(out, string(c))
			seen[string(c)] = true
		}
	}
	var rest []string
	for k := range r.ByCategory {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Gate is the outcome of the thresholds given on the command line.
type Gate struct {
	MinRecall    *float64 `json:"min_recall,omitempty"`
	MaxFalseRate *float64 `json:"max_false_rate,omitempty"`
	MaxLevelLow  *int     `json:"max_level_too_low,omitempty"`
	Holdout      bool     `json:"holdout"` // the thresholds also applied to the holdout split
	Passed       bool     `json:"passed"`
	Failures     []string `json:"failures"`
}

// CheckGate applies the thresholds (nil: not given) to the main split, and to the
// holdout too when holdout is set. An undefined rate (no cases of that kind) fails the
// threshold: a gate must never pass on nothing.
func (r *SafetyReport) CheckGate(minRecall, maxFalseRate *float64, maxLevelLow *int, holdout bool) *Gate {
	g := &Gate{MinRecall: minRecall, MaxFalseRate: maxFalseRate, MaxLevelLow: maxLevelLow, Holdout: holdout, Failures: []string{}}
	check := func(s *SafetyReport) {
		if minRecall != nil {
			rec := s.Escalate.Recall
			if !rec.Defined() {
				g.Failures = append(g.Failures, fmt.Sprintf("%s split: no must-escalate cases, so recall cannot be checked against %g", s.Split, *minRecall))
			} else if float64(rec) < *minRecall {
				g.Failures = append(g.Failures, fmt.Sprintf("%s split: recall %.4f (%d/%d) is below the minimum %g",
					s.Split, float64(rec), s.Escalate.Caught, s.Escalate.Total, *minRecall))
			}
		}
		if maxFalseRate != nil {
			fr := s.NoEscalate.FalseRate
			if !fr.Defined() {
				g.Failures = append(g.Failures, fmt.Sprintf("%s split: no must-not-escalate cases, so the false-escalation rate cannot be checked against %g", s.Split, *maxFalseRate))
			} else if float64(fr) > *maxFalseRate {
				g.Failures = append(g.Failures, fmt.Sprintf("%s split: false-escalation rate %.4f (%d/%d) is above the maximum %g",
					s.Split, float64(fr), s.NoEscalate.FalseEscalations, s.NoEscalate.Total, *maxFalseRate))
			}
		}
		if maxLevelLow != nil && s.LevelTooLow > *maxLevelLow {
			g.Failures = append(g.Failures, fmt.Sprintf("%s split: %d case(s) handed off below their labelled level, above the maximum %d",
				s.Split, s.LevelTooLow, *maxLevelLow))
		}
		if s.Errors > 0 {
			g.Failures = append(g.Failures, fmt.Sprintf("%s split: the classifier returned an error on %d case(s)", s.Split, s.Errors))
		}
	}
	check(r)
	if holdout {
		if r.Holdout == nil {
			g.Failures = append(g.Failures, "--holdout: the cases have no holdout split")
		} else {
			check(r.Holdout)
		}
	}
	g.Passed = len(g.Failures) == 0
	return g
}
