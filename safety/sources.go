package safety

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"

	"nightfloat/safety/internal/learn"
)

// SourceCase is one labelled text from a named source: a file of the external
// training corpus, or the project's own cases (CasesSource).
type SourceCase struct {
	ID       string // the row's id in its corpus file; empty for the project's own
	Source   string
	Genre    string
	Category string // the source's category, mapped to this package's (CorpusCategory)
	History  []Turn // earlier turns of a multi-turn row, oldest first
	Text     string // the message judged
	Escalate bool
}

// CasesSource is the source name of the project's own labelled cases.
const CasesSource = "nightfloat-cases"

// SourceInfo describes one source: its licence, whether it is permissively
// licensed, and its kind (assistant_requests, everyday, mental_health_posts,
// clinical, mixed, project).
type SourceInfo struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Licence    string `json:"licence"`
	Permissive bool   `json:"permissive"`
}

// SourceTargets are the generalisation targets of the learned layer.
type SourceTargets struct {
	MacroRecall    float64 `json:"macro_recall"`
	MacroFalseRate float64 `json:"macro_false_rate"`
	Kinds          map[string]struct {
		MinRecall    float64 `json:"min_recall"`
		MaxFalseRate float64 `json:"max_false_rate"`
	} `json:"kinds"`
}

//go:embed model/sources.json
var sourcesJSON []byte

// Sources returns the known sources by name and the targets.
func Sources() (map[string]SourceInfo, SourceTargets, error) {
	var f struct {
		Targets SourceTargets `json:"targets"`
		Sources []SourceInfo  `json:"sources"`
	}
	if err := json.Unmarshal(sourcesJSON, &f); err != nil {
		return nil, SourceTargets{}, fmt.Errorf("safety: sources: %w", err)
	}
	m := make(map[string]SourceInfo, len(f.Sources))
	for _, s := range f.Sources {
		m[s.Name] = s
	}
	return m, f.Targets, nil
}

// CorpusCategory maps a corpus category to this package's category ("" for
// no_escalate categories and unknown ones).
func CorpusCategory(c string) Category {
	switch c {
	case "suicidal_ideation":
		return SuicidalIdeation
	case "suicidal_behavior":
		return SuicidePlanOrIntent
	case "self_harm", "eating_disorder":
		return SelfHarm
	case "harm_to_others":
		return HarmToOthers
	case "abuse", "abuse_request":
		return AbuseOrAssault
	case "substance":
		return SevereImpairment
	}
	if Category(c).valid() {
		return Category(c)
	}
	return ""
}

// LoadCorpus reads the external corpus in dir (one source per .jsonl file):
// its escalate and no_escalate rows; ambiguous rows are left out. Every byte
// read is also written to sum when it is not nil, in file-name order.
func LoadCorpus(dir string, sum io.Writer) ([]SourceCase, error) {
	files, err := learn.CorpusFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []SourceCase
	for _, f := range files {
		src := learn.SourceName(f)
		if sum != nil {
			fmt.Fprintf(sum, "\x00file %s\x00", src)
		}
		rows, err := learn.ReadRows(f, sum)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.Label != "escalate" && r.Label != "no_escalate" {
				continue
			}
			c := SourceCase{ID: r.ID, Source: src, Genre: r.Genre, Category: string(CorpusCategory(r.Category)),
				Text: r.Message(), Escalate: r.Label == "escalate"}
			for _, t := range r.Turns[:max(0, len(r.Turns)-1)] {
				c.History = append(c.History, Turn{Author: AuthorResident, Text: t})
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// RulesVerdicts reports, for each case, whether the rules alone (with
// conversation memory, without the learned layer) hand it off, and the text
// the learned layer judges: the message with what the rules explained away
// blanked out, as in Assess, and the rules' version. A rules failure counts
// as a handoff, as it does in Assess.
func RulesVerdicts(ctx context.Context, cases []SourceCase) (handoff []bool, judged []string, version string, err error) {
	c, err := New(WithoutLearned())
	if err != nil {
		return nil, nil, "", err
	}
	handoff = make([]bool, len(cases))
	judged = make([]string, len(cases))
	learn.Parallel(len(cases), func(i int) {
		if ctx.Err() != nil {
			return
		}
		a, explained, err := c.assessRules(Memory{}, cases[i].History, cases[i].Text)
		handoff[i] = err != nil || a.Level.ForcesHandoff()
		judged[i] = blank(cases[i].Text, explained)
	})
	if err := ctx.Err(); err != nil {
		return nil, nil, "", fmt.Errorf("safety: rules verdicts: %w", err)
	}
	return handoff, judged, c.Version(), nil
}

// RulesDigest is a SHA-256 of the embedded rule files: the learned layer's
// training inputs depend on them (RulesVerdicts).
func RulesDigest() ([32]byte, error) {
	var out [32]byte
	entries, err := fs.ReadDir(embeddedRules, "rules")
	if err != nil {
		return out, fmt.Errorf("safety: rules digest: %w", err)
	}
	h := sha256.New()
	for _, e := range entries { // ReadDir sorts by name
		b, err := fs.ReadFile(embeddedRules, "rules/"+e.Name())
		if err != nil {
			return out, fmt.Errorf("safety: rules digest: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(b))
		h.Write(b)
	}
	copy(out[:], h.Sum(nil))
	return out, nil
}
