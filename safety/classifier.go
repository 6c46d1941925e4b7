package safety

import (
	"context"
	"fmt"
	"io/fs"
)

// Classifier judges resident messages and assistant replies. It is built
// once by New and is safe for concurrent use: all rule data is compiled at
// New and read-only afterwards.
type Classifier struct {
	rules  *ruleSet
	layers []Layer
}

// Option configures New.
type Option func(*options) error

type options struct {
	layers    []Layer
	rulesFS   fs.FS
	rulesAt   string
	noLearned bool
}

// WithoutLearned leaves the learned layer out: the rules alone, for measuring
// what each layer contributes.
func WithoutLearned() Option {
	return func(o *options) error { o.noLearned = true; return nil }
}

// WithLayer adds an optional layer (for example a model). Its verdict can
// only raise the rules verdict; its errors and panics are recorded in
// Assessment.Errors and never lower or replace the rules verdict.
func WithLayer(l Layer) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("safety: WithLayer: nil layer")
		}
		o.layers = append(o.layers, l)
		return nil
	}
}

// withRules loads rule files from another file system (tests).
func withRules(fsys fs.FS, dir string) Option {
	return func(o *options) error {
		o.rulesFS, o.rulesAt = fsys, dir
		return nil
	}
}

// New compiles the embedded rule files and returns a classifier. The rules
// layer (with conversation memory) is always present, and so is the learned
// layer (learned.go) unless WithoutLearned is given.
func New(opts ...Option) (*Classifier, error) {
	o := options{rulesFS: embeddedRules, rulesAt: "rules"}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if !o.noLearned {
		m, err := loadEmbeddedLearned()
		if err != nil {
			return nil, fmt.Errorf("safety: learned model: %w", err)
		}
		o.layers = append(o.layers, &learnedLayer{m: m})
	}
	files, err := loadRuleFiles(o.rulesFS, o.rulesAt)
	if err != nil {
		return nil, err
	}
	rs, err := compileRules(files)
	if err != nil {
		return nil, err
	}
	return &Classifier{rules: rs, layers: o.layers}, nil
}

// Version is the classifier and rule-file version, e.g. "rules-2026.11.1".
func (c *Classifier) Version() string { return c.rules.version }

// Assess judges the resident's message given the earlier turns. Layers
// combine only upward. An optional layer's error or panic is recorded in
// Errors and the rules verdict stands. If the rules layer itself fails,
// Assess returns an error together with an Urgent assessment, so a caller
// that ignores the error still fails closed.
func (c *Classifier) Assess(ctx context.Context, history []Turn, message string) (Assessment, error) {
	return c.assess(ctx, Memory{}, history, message)
}

func (c *Classifier) assess(ctx context.Context, m Memory, history []Turn, message string) (Assessment, error) {
	a, explained, err := c.assessRules(m, history, message)
	if err != nil {
		return Assessment{Level: Urgent, Categories: []Category{}, Evidence: []Evidence{},
			Version: c.Version(), Errors: []string{err.Error()}}, err
	}
	for _, l := range c.layers {
		msg := message
		if _, ok := l.(*learnedLayer); ok {
			msg = blank(message, explained)
		}
		la, lerr := runLayer(ctx, l, history, msg)
		if lerr != nil {
			a.Errors = append(a.Errors, lerr.Error())
			continue
		}
		for i := range la.Evidence {
			if la.Evidence[i].Layer == "" {
				la.Evidence[i].Layer = l.Name()
			}
		}
		la.Version = ""
		errs := a.Errors
		a = Merge(a, la)
		a.Errors = append(errs, la.Errors...)
	}
	a.Version = c.Version()
	return a, nil
}

func (c *Classifier) assessRules(m Memory, history []Turn, message string) (a Assessment, explained []span, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errorf("rules layer: panic: %v", p)
		}
	}()
	a, explained = c.rules.assess(m, history, message)
	return a, explained, nil
}

// blank returns message with the byte ranges in spans replaced by spaces:
// the learned layer scores what the rules' context checks did not explain
// away, so "I would never kill myself" or "my patient wants to kill himself"
// is not escalated on its words alone. It can only leave out words, never
// lower the rules' verdict.
func blank(message string, spans []span) string {
	if len(spans) == 0 {
		return message
	}
	b := []byte(message)
	for _, x := range spans {
		for i := x.s; i < x.e && i < len(b); i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

// runLayer calls an optional layer, turning a panic into an error.
func runLayer(ctx context.Context, l Layer, history []Turn, message string) (a Assessment, err error) {
	name := "layer"
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("safety: %s layer: panic: %v", name, p)
		}
	}()
	name = l.Name()
	if err := ctx.Err(); err != nil {
		return Assessment{}, fmt.Errorf("safety: %s layer: %w", name, err)
	}
	a, err = l.Assess(ctx, history, message)
	if err != nil {
		return Assessment{}, fmt.Errorf("safety: %s layer: %w", name, err)
	}
	return a, nil
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("safety: "+format, args...)
}
