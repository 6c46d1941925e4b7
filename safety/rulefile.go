package safety

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed rules/*.yaml
var embeddedRules embed.FS

// ruleFile is the schema of one YAML file under rules/. Every file may hold
// any of the sections; the loader concatenates them in file-name order.
type ruleFile struct {
	Version     string            `yaml:"version"`
	Macros      map[string]string `yaml:"macros"`
	Words       map[string]string `yaml:"words"`      // whole-token rewrites: slang, misspellings
	Vocabulary  []string          `yaml:"vocabulary"` // extra words for de-stretching
	Negation    *negationSpec     `yaml:"negation"`
	Attribution *attributionSpec  `yaml:"attribution"`
	Idioms      []idiomSpec       `yaml:"idioms"`
	Rules       []ruleSpec        `yaml:"rules"`
	Combos      []comboSpec       `yaml:"combos"`
	Concepts    *conceptsSpec     `yaml:"concepts"` // concept co-occurrence layer (concepts.go)
}

type negationSpec struct {
	Window int      `yaml:"window"` // words before a match that a cue can govern
	Cues   []string `yaml:"cues"`   // negating words
	Exempt []string `yaml:"exempt"` // phrases that contain a cue but do not negate ("not going to lie")
}

type attributionSpec struct {
	Self      []string `yaml:"self"`      // first-person words
	Other     []string `yaml:"other"`     // third-person subjects: patients, family, colleagues
	Reporting []string `yaml:"reporting"` // verbs that introduce reported speech
}

type idiomSpec struct {
	ID       string   `yaml:"id"`
	Patterns []string `yaml:"patterns"`
	Note     string   `yaml:"note"`
}

// ruleSpec is one rule: if any pattern matches (and the checks pass) the
// rule produces a finding of its category and level.
type ruleSpec struct {
	ID       string `yaml:"id"`
	Target   string `yaml:"target"` // message (default), reply, assistant
	Category string `yaml:"category"`
	Level    string `yaml:"level"`
	CSSRS    int    `yaml:"cssrs"`
	Signal   string `yaml:"signal"`   // memory signal this rule raises
	Subject  string `yaml:"subject"`  // any (default: check attribution), self (skip)
	Negation string `yaml:"negation"` // outside (default), around, off
	Idioms   string `yaml:"idioms"`   // suppress (default), ignore
	// Explains: the rule's match is the reading of its words, so the learned layer judges
	// the message with the match blanked, as it does a span the rules explained away
	// (fear of hurting a patient by a mistake is distress, not intent).
	Explains  bool     `yaml:"explains"`
	Patterns  []string `yaml:"patterns"`
	Unless    []string `yaml:"unless"`   // suppress when one matches in the match's clause or after it in the sentence (attribution.unlessFrom)
	Requires  []string `yaml:"requires"` // need one to match in the message or earlier resident turns
	Note      string   `yaml:"note"`
	Positives []string `yaml:"examples"`     // must match (checked by tests)
	Negatives []string `yaml:"non_examples"` // must not match (checked by tests)
}

// comboSpec raises a finding when signals co-occur across the conversation.
type comboSpec struct {
	ID       string   `yaml:"id"`
	All      []string `yaml:"all"` // signal names that must all be present
	Category string   `yaml:"category"`
	Level    string   `yaml:"level"`
	CSSRS    int      `yaml:"cssrs"`
	Note     string   `yaml:"note"`
}

// loadRuleFiles reads and decodes every *.yaml file in dir of fsys.
func loadRuleFiles(fsys fs.FS, dir string) ([]namedRuleFile, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("safety: reading rule directory %q: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("safety: no rule files in %q", dir)
	}
	var files []namedRuleFile
	for _, name := range names {
		p := path.Join(dir, name)
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("safety: reading %s: %w", p, err)
		}
		var rf ruleFile
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&rf); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("safety: parsing %s: %w", p, err)
		}
		files = append(files, namedRuleFile{name: p, ruleFile: rf})
	}
	return files, nil
}

type namedRuleFile struct {
	name string
	ruleFile
}
