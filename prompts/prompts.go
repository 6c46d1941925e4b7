// Package prompts holds the model's system prompts: a shared safety preamble and one
// prompt per role, as versioned text templates embedded in the binary.
//
// A template file is named <id>.v<version>.tmpl. Role prompts (resident.v1.tmpl, ...) are
// the prompts a conversation uses; every other file is a partial (safety_preamble.v1,
// method.v1, sources.v1) that role prompts include by its full versioned name. A released
// file is never edited: a change is a new version (resident.v2.tmpl, or
// safety_preamble.v2.tmpl plus new role versions that include it), so the prompt id and
// version stored with every assistant message always name the exact text that was used.
// The package's tests hold the checksum of every released file to enforce this.
package prompts

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"nightfloat"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// Source is one retrieved chunk of vetted content, as the prompt shows it.
type Source struct {
	ID      string // chunk id, "<doc id>#<n>"; the model cites it as [ID]
	Title   string
	Heading string
	Text    string
}

// Data is what a prompt is rendered with.
type Data struct {
	Institution  string
	Sources      []Source // best first
	Concern      bool     // the safety check found concern-level signals in the message
	AskedIfHuman bool     // the person asked whether they are talking to a human
}

// Prompt is one version of one role's prompt.
type Prompt struct {
	ID      string // the role, e.g. "resident"
	Version string // e.g. "1"
	set     *Set
}

// Name is the template's full name, e.g. "resident.v1".
func (p Prompt) Name() string { return p.ID + ".v" + p.Version }

// SourceIDPattern is the form of a chunk id that can be cited.
var SourceIDPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*#[0-9]+$`)

// Render returns the system prompt for d.
func (p Prompt) Render(d Data) (string, error) {
	if p.set == nil {
		return "", errors.New("prompts: render: prompt not loaded")
	}
	if strings.TrimSpace(d.Institution) == "" {
		return "", errors.New("prompts: render: no institution named")
	}
	for _, s := range d.Sources {
		if !SourceIDPattern.MatchString(s.ID) {
			return "", fmt.Errorf("prompts: render: source id %q cannot be cited (want <doc id>#<n>)", s.ID)
		}
	}
	var b bytes.Buffer
	if err := p.set.tmpl.ExecuteTemplate(&b, p.Name(), d); err != nil {
		return "", fmt.Errorf("prompts: render %s: %w", p.Name(), err)
	}
	return tidy(b.String()), nil
}

var blankLines = regexp.MustCompile(`\n{3,}`)

func tidy(s string) string {
	return strings.TrimSpace(blankLines.ReplaceAllString(s, "\n\n")) + "\n"
}

// Set is every loaded prompt.
type Set struct {
	tmpl     *template.Template
	versions map[string][]int // role → versions, ascending
}

var fileName = regexp.MustCompile(`^([a-z][a-z_]*)\.v([1-9][0-9]*)\.tmpl$`)

// Load parses the embedded templates and checks that every role has a prompt that renders.
func Load() (*Set, error) { return load(templateFS, "templates") }

func load(fsys fs.FS, dir string) (*Set, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("prompts: %w", err)
	}
	s := &Set{tmpl: template.New("prompts").Option("missingkey=error"), versions: map[string][]int{}}
	roles := map[string]bool{}
	for _, r := range nightfloat.Roles {
		roles[string(r)] = true
	}
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("prompts: %s: want a name like resident.v1.tmpl", e.Name())
		}
		b, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("prompts: %w", err)
		}
		if _, err := s.tmpl.New(m[1] + ".v" + m[2]).Parse(string(b)); err != nil {
			return nil, fmt.Errorf("prompts: %s: %w", e.Name(), err)
		}
		if roles[m[1]] {
			v, _ := strconv.Atoi(m[2])
			s.versions[m[1]] = append(s.versions[m[1]], v)
		}
	}
	sample := Data{Institution: "Example Hospital", Sources: []Source{{ID: "example-doc#0", Title: "Example", Heading: "Section", Text: "Text."}}}
	for _, role := range nightfloat.Roles {
		r := string(role)
		vs := s.versions[r]
		if len(vs) == 0 {
			return nil, fmt.Errorf("prompts: no prompt for role %q (want templates/%s.v1.tmpl)", r, r)
		}
		sort.Ints(vs)
		for _, v := range vs {
			p := Prompt{ID: r, Version: strconv.Itoa(v), set: s}
			if _, err := p.Render(sample); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// For returns the newest prompt for a role.
func (s *Set) For(role nightfloat.Role) (Prompt, error) {
	vs := s.versions[string(role)]
	if len(vs) == 0 {
		return Prompt{}, fmt.Errorf("prompts: no prompt for role %q", role)
	}
	return Prompt{ID: string(role), Version: strconv.Itoa(vs[len(vs)-1]), set: s}, nil
}

// Get returns one version of a role's prompt, e.g. to reproduce what an older message used.
func (s *Set) Get(role, version string) (Prompt, error) {
	for _, v := range s.versions[role] {
		if strconv.Itoa(v) == version {
			return Prompt{ID: string(role), Version: version, set: s}, nil
		}
	}
	return Prompt{}, fmt.Errorf("prompts: no version %q of the %q prompt", version, role)
}
