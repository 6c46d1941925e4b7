package retrieval

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"nightfloat"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Document statuses.
const (
	StatusApproved = "approved"
	StatusDraft    = "draft"
)

// Source is one reference a document is based on.
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Document is one parsed and validated content file.
type Document struct {
	ID         string
	Title      string
	Roles      []string
	Topics     []string
	Sources    []Source
	ReviewedBy string
	ReviewedOn string // YYYY-MM-DD, or "pending"
	ReviewDue  time.Time
	Status     string
	// SearchPhrasings are short questions or phrases a reader might type about the
	// document's subject (optional front-matter field search_phrasings). They are indexed
	// as their own searchable text that points at the document, never shown or cited.
	SearchPhrasings []string
	Body            string // Markdown after the front matter
	Hash            string // SHA-256 of the whole file
	Path            string // where it was read from, for messages
}

// Stale reports whether the document's review is due on or before now.
func (d Document) Stale(now time.Time) bool {
	return !d.ReviewDue.After(now)
}

// FieldError is a problem with one front-matter field of one file.
type FieldError struct {
	File  string
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s: field %q: %s", e.File, e.Field, e.Msg)
}

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	topicPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	knownFields  = []string{"id", "title", "roles", "topics", "sources", "reviewed_by", "reviewed_on", "review_due", "status", "search_phrasings"}
)

// ParseDocument parses one file's bytes. name is the file name (its base must be <id>.md)
// and appears in every error. All problems found are returned together.
func ParseDocument(name string, data []byte) (Document, error) {
	d := Document{Path: name}
	sum := sha256.Sum256(data)
	d.Hash = hex.EncodeToString(sum[:])
	front, body, err := splitFrontMatter(data)
	if err != nil {
		return d, &FieldError{File: name, Msg: err.Error()}
	}
	d.Body = body
	var root yaml.Node
	if err := yaml.Unmarshal(front, &root); err != nil {
		return d, &FieldError{File: name, Msg: "front matter is not valid YAML: " + err.Error()}
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return d, &FieldError{File: name, Msg: "front matter must be a YAML mapping of fields"}
	}
	p := fieldParser{file: name, fields: map[string]*yaml.Node{}}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		key := m.Content[i].Value
		if !slices.Contains(knownFields, key) {
			p.fail(key, "unknown field (want one of %s)", strings.Join(knownFields, ", "))
			continue
		}
		if _, dup := p.fields[key]; dup {
			p.fail(key, "appears twice")
		}
		p.fields[key] = m.Content[i+1]
	}

	d.ID = p.str("id")
	if d.ID != "" {
		if !idPattern.MatchString(d.ID) {
			p.fail("id", "%q is not lowercase-hyphenated (a-z, 0-9 and single hyphens)", d.ID)
		} else if want := strings.TrimSuffix(baseName(name), ".md"); d.ID != want {
			p.fail("id", "%q does not match the file name (want %q)", d.ID, want)
		}
	}
	d.Title = p.str("title")
	d.Roles = p.list("roles")
	for _, r := range d.Roles {
		if !nightfloat.Role(r).Valid() {
			p.fail("roles", "unknown role %q (want %s)", r, nightfloat.RoleNames())
		}
	}
	if dup := firstDuplicate(d.Roles); dup != "" {
		p.fail("roles", "role %q is listed twice", dup)
	}
	d.Topics = p.list("topics")
	for _, t := range d.Topics {
		if !topicPattern.MatchString(t) {
			p.fail("topics", "topic %q is not lowercase-hyphenated", t)
		}
	}
	d.Sources = p.sources()
	d.ReviewedBy = p.str("reviewed_by")
	d.ReviewedOn = p.str("reviewed_on")
	if d.ReviewedOn != "" && d.ReviewedOn != "pending" {
		if _, err := time.Parse(time.DateOnly, d.ReviewedOn); err != nil {
			p.fail("reviewed_on", "%q is not a date YYYY-MM-DD or the word pending", d.ReviewedOn)
		}
	}
	if due := p.str("review_due"); due != "" {
		t, err := time.Parse(time.DateOnly, due)
		if err != nil {
			p.fail("review_due", "%q is not a date YYYY-MM-DD", due)
		}
		d.ReviewDue = t
	}
	d.Status = p.str("status")
	if _, ok := p.fields["search_phrasings"]; ok {
		d.SearchPhrasings = p.phrasings("search_phrasings")
	}
	switch d.Status {
	case "", StatusDraft:
	case StatusApproved:
		// Nothing may claim a review that did not happen.
		if d.ReviewedBy != "" && strings.HasPrefix(strings.ToLower(d.ReviewedBy), "pending") {
			p.fail("reviewed_by", "an approved document needs the reviewer's name, not %q", d.ReviewedBy)
		}
		if d.ReviewedOn == "pending" {
			p.fail("reviewed_on", "an approved document needs the date it was reviewed, not pending")
		}
	default:
		p.fail("status", "%q: want approved or draft", d.Status)
	}
	if !hasHeadingOrText(body) {
		p.fail("", "the document has no text after the front matter")
	}
	if len(p.errs) > 0 {
		return d, errors.Join(p.errs...)
	}
	return d, nil
}

func splitFrontMatter(data []byte) (front []byte, body string, err error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	if !strings.HasPrefix(s, "---\n") {
		return nil, "", errors.New("no front matter: the file must start with a line ---")
	}
	rest := s[len("---\n"):]
	end := strings.Index(rest, "\n---\n")
	switch {
	case end >= 0:
		return []byte(rest[:end]), rest[end+len("\n---\n"):], nil
	case strings.HasSuffix(rest, "\n---"):
		return []byte(strings.TrimSuffix(rest, "\n---")), "", nil
	}
	return nil, "", errors.New("front matter is not closed by a line ---")
}

func hasHeadingOrText(body string) bool {
	for _, line := range strings.Split(body, "\n") {
		l := strings.TrimSpace(line)
		if l != "" && !strings.HasPrefix(l, ">") {
			return true
		}
	}
	return false
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func firstDuplicate(xs []string) string {
	seen := map[string]bool{}
	for _, x := range xs {
		if seen[x] {
			return x
		}
		seen[x] = true
	}
	return ""
}

// fieldParser reads typed fields from the front-matter mapping, collecting errors.
type fieldParser struct {
	file   string
	fields map[string]*yaml.Node
	errs   []error
}

func (p *fieldParser) fail(field, format string, args ...any) {
	p.errs = append(p.errs, &FieldError{File: p.file, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// node returns the field's value node, or nil after recording that it is missing.
func (p *fieldParser) node(field string) *yaml.Node {
	n, ok := p.fields[field]
	if !ok || n.Tag == "!!null" {
		p.fail(field, "missing")
		return nil
	}
	return n
}

func (p *fieldParser) str(field string) string {
	n := p.node(field)
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.fail(field, "want a single value, not a list or mapping")
		return ""
	}
	v := strings.TrimSpace(n.Value)
	if v == "" {
		p.fail(field, "empty")
	}
	return v
}

func (p *fieldParser) list(field string) []string {
	n := p.node(field)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(field, "want a list such as [a, b]")
		return nil
	}
	if len(n.Content) == 0 {
		p.fail(field, "empty list: name at least one")
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || strings.TrimSpace(item.Value) == "" {
			p.fail(field, "every item must be a non-empty word")
			return nil
		}
		out = append(out, strings.TrimSpace(item.Value))
	}
	return out
}

// Limits on search_phrasings: enough to cover how people ask, few enough that no
// document can crowd out the others.
const (
	maxPhrasings     = 16
	maxPhrasingChars = 200
)

// phrasings reads an optional list of short search phrasings.
func (p *fieldParser) phrasings(field string) []string {
	n := p.fields[field]
	if n.Kind != yaml.SequenceNode {
		p.fail(field, "want a list of short phrases")
		return nil
	}
	if len(n.Content) > maxPhrasings {
		p.fail(field, "%d phrasings: at most %d", len(n.Content), maxPhrasings)
	}
	out := make([]string, 0, len(n.Content))
	seen := map[string]bool{}
	for i, item := range n.Content {
		v := strings.TrimSpace(item.Value)
		switch {
		case item.Kind != yaml.ScalarNode || v == "":
			p.fail(field, "item %d: want a non-empty phrase", i+1)
			continue
		case len(v) > maxPhrasingChars:
			p.fail(field, "item %d: %d characters: at most %d", i+1, len(v), maxPhrasingChars)
		case seen[strings.ToLower(v)]:
			p.fail(field, "item %d: %q is listed twice", i+1, v)
		}
		seen[strings.ToLower(v)] = true
		out = append(out, v)
	}
	return out
}

func (p *fieldParser) sources() []Source {
	n := p.node("sources")
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.fail("sources", "want a non-empty list of {title, url}")
		return nil
	}
	var out []Source
	for i, item := range n.Content {
		var s Source
		if item.Kind != yaml.MappingNode || item.Decode(&s) != nil {
			p.fail("sources", "item %d: want a mapping with title and url", i+1)
			continue
		}
		s.Title, s.URL = strings.TrimSpace(s.Title), strings.TrimSpace(s.URL)
		if s.Title == "" {
			p.fail("sources", "item %d: missing title", i+1)
		}
		u, err := url.Parse(s.URL)
		if s.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.fail("sources", "item %d: url %q is not an absolute http(s) URL", i+1, s.URL)
		}
		out = append(out, s)
	}
	return out
}
