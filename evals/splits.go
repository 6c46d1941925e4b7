package evals

import (
	"encoding/json"
	"fmt"
	"io/fs"
)

// Uses of a split.
const (
	UseTrain = "train" // open to rule development; the learned layer trains on it
	UseBlind = "blind" // kept out of development and training until measured once
)

// SplitGate is the threshold a split must meet.
type SplitGate struct {
	MinRecall    float64 `json:"min_recall"`
	MaxFalseRate float64 `json:"max_false_rate"`
	LevelTooLow  *int    `json:"level_too_low,omitempty"` // most cases allowed a lower level than labelled; nil: not checked
}

// SplitInfo describes one split of the suite (evals/cases/splits.json).
type SplitInfo struct {
	Name string     `json:"name"`
	Use  string     `json:"use"`
	Gate *SplitGate `json:"gate,omitempty"`
	Note string     `json:"note,omitempty"`
}

// LoadSplits reads splits.json from the suite's root.
func LoadSplits(fsys fs.FS, root string) ([]SplitInfo, error) {
	b, err := fs.ReadFile(fsys, root+"/splits.json")
	if err != nil {
		return nil, fmt.Errorf("evals: splits: %w", err)
	}
	var f struct {
		Splits []SplitInfo `json:"splits"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("evals: splits: %w", err)
	}
	seen := map[string]bool{}
	for _, s := range f.Splits {
		if seen[s.Name] {
			return nil, fmt.Errorf("evals: splits: %q listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Use != UseTrain && s.Use != UseBlind {
			return nil, fmt.Errorf("evals: splits: %s: use %q (want %s or %s)", s.Name, s.Use, UseTrain, UseBlind)
		}
	}
	return f.Splits, nil
}

// TrainingCases returns the cases of the splits whose use is train: what the
// learned layer may learn from.
func TrainingCases(fsys fs.FS, root string) ([]Case, error) {
	splits, err := LoadSplits(fsys, root)
	if err != nil {
		return nil, err
	}
	use := map[string]string{}
	for _, s := range splits {
		use[s.Name] = s.Use
	}
	all, err := LoadCases(fsys, root)
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, c := range all {
		switch use[c.Split()] {
		case UseTrain:
			out = append(out, c)
		case UseBlind:
		default:
			return nil, fmt.Errorf("evals: split %q (%s) is not in splits.json", c.Split(), c.Where())
		}
	}
	return out, nil
}
