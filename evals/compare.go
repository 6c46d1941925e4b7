package evals

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
)

// Comparison lists, per case, what changed between a baseline run and this one.
type Comparison struct {
	Baseline        string   `json:"baseline"` // the baseline file as given
	BaselineVersion string   `json:"baseline_version"`
	NewMisses       []Change `json:"new_misses"`    // correct in the baseline, wrong now
	Fixed           []Change `json:"fixed"`         // wrong in the baseline, correct now
	LevelChanges    []Change `json:"level_changes"` // same correctness, different level
	StillMissed     int      `json:"still_missed"`  // wrong in both runs
	Added           []string `json:"added"`         // ids only in this run
	Removed         []string `json:"removed"`       // ids only in the baseline
}

// Change is one case that differs from the baseline.
type Change struct {
	ID       string `json:"id"`
	Split    string `json:"split"`
	Expect   string `json:"expect"`
	Category string `json:"category,omitempty"`
	Before   string `json:"before"` // the level in the baseline run
	After    string `json:"after"`  // the level in this run
	Kind     string `json:"kind,omitempty"`
}

// Empty reports whether nothing changed.
func (c *Comparison) Empty() bool {
	return len(c.NewMisses) == 0 && len(c.Fixed) == 0 && len(c.LevelChanges) == 0 && len(c.Added) == 0 && len(c.Removed) == 0
}

// ReadBaseline reads a safety report written by `nightfloat eval safety --format json`.
func ReadBaseline(path string) (*SafetyReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer f.Close()
	return decodeBaseline(path, f)
}

func decodeBaseline(name string, rd io.Reader) (*SafetyReport, error) {
	var r SafetyReport
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("baseline %s: not a safety report: %w", name, err)
	}
	if r.Schema == 0 || r.Results == nil {
		return nil, fmt.Errorf("baseline %s: no \"schema\" or per-case \"results\": write it with `nightfloat eval safety --format json`", name)
	}
	if r.Schema > SafetySchema {
		return nil, fmt.Errorf("baseline %s: schema %d is newer than this runner's %d", name, r.Schema, SafetySchema)
	}
	return &r, nil
}

type splitResult struct {
	split string
	CaseResult
}

func resultsByID(r *SafetyReport) (map[string]splitResult, []string) {
	m := map[string]splitResult{}
	var order []string
	add := func(s *SafetyReport) {
		if s == nil {
			return
		}
		split := s.Split
		if split == "" {
			split = SplitMain
		}
		for _, c := range s.Results {
			if _, dup := m[c.ID]; !dup {
				order = append(order, c.ID)
			}
			m[c.ID] = splitResult{split: split, CaseResult: c}
		}
	}
	add(r)
	add(r.Holdout)
	return m, order
}

// Compare lists what changed from base to cur, case by case: new misses first, then
// fixed cases, then level changes, each in the current run's suite order.
func Compare(baselineName string, base, cur *SafetyReport) *Comparison {
	c := &Comparison{Baseline: baselineName, BaselineVersion: base.Version,
		NewMisses: []Change{}, Fixed: []Change{}, LevelChanges: []Change{}, Added: []string{}, Removed: []string{}}
	before, _ := resultsByID(base)
	after, order := resultsByID(cur)
	for _, id := range order {
		a := after[id]
		b, ok := before[id]
		if !ok {
			c.Added = append(c.Added, id)
			continue
		}
		ch := Change{ID: id, Split: a.split, Expect: a.Expect, Category: a.Category, Before: b.Got, After: a.Got}
		// A relabelled case (expect changed) is judged by its current label on both sides.
		bCorrect := b.escalated() == (a.Expect == Escalate)
		switch {
		case bCorrect && !a.Correct:
			ch.Kind = MissFalse
			if a.Expect == Escalate {
				ch.Kind = MissEscalation
			}
			c.NewMisses = append(c.NewMisses, ch)
		case !bCorrect && a.Correct:
			c.Fixed = append(c.Fixed, ch)
		case b.Got != a.Got:
			if !a.Correct {
				c.StillMissed++
			}
			c.LevelChanges = append(c.LevelChanges, ch)
		case !a.Correct:
			c.StillMissed++
		}
	}
	for id := range before {
		if _, ok := after[id]; !ok {
			c.Removed = append(c.Removed, id)
		}
	}
	sort.Strings(c.Removed)
	return c
}
