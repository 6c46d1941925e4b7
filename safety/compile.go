package safety

import (
	"fmt"
	"nightfloat"
	"regexp"
	"strings"
	"sync"
)

// Rule targets: which text a rule judges.
const (
	targetMessage   = "message"   // resident messages (current and earlier turns)
	targetReply     = "reply"     // assistant replies, before they are shown
	targetAssistant = "assistant" // earlier assistant or clinician turns (context for memory)
)

type negationMode int

const (
	negOutside negationMode = iota // only cues before the match (default: patterns spell out their own negations)
	negAround                      // cues before or inside the match (patterns with gaps that could swallow a cue)
	negOff                         // never negated
)

// rule is a compiled rule.
type rule struct {
	id           string
	file         string
	target       string
	category     Category
	level        Level
	cssrs        int
	signal       string
	subjectSelf  bool
	negation     negationMode
	ignoreIdioms bool
	unless       *regexSet // nil: none
	requires     *regexSet // nil: none
	spec         ruleSpec
}

// pattern is one compiled pattern of a rule.
type pattern struct {
	re     *regexp.Regexp
	rule   int
	groups [][]int32 // literal ids: a match needs one literal of every group
	// anchored, when set, tries the pattern only where a match can begin.
	anchored *anchoredPattern
}

// matcher runs the patterns of one target with the literal prefilter.
type matcher struct {
	patterns []pattern
	always   []int     // patterns without a usable literal requirement
	litPats  [][]int32 // literal id -> pattern indexes
	lits     []string  // literal id -> literal
	atStart  []bool    // literal only ever begins a pattern (after \b), so it must start a word
	isStart  []bool    // literal begins every match of some anchored pattern: all its offsets are kept
	ac       *acMatcher
	pool     sync.Pool // *runScratch
}

type idiom struct {
	id string
	re *regexp.Regexp
}

type combo struct {
	id       string
	all      []string
	category Category
	level    Level
	cssrs    int
}

// ruleSet is the compiled, read-only content of the rule files.
type ruleSet struct {
	version  string
	norm     *normalizer
	rules    []rule
	matchers map[string]*matcher
	idioms   []idiom
	// idiomMatcher indexes idiom patterns; pattern.rule is an index into idioms.
	idiomMatcher *matcher
	combos       []combo
	concepts     *concepts
	neg          negation
	attr         attribution
}

// compileRules validates and compiles the decoded rule files.
func compileRules(files []namedRuleFile) (*ruleSet, error) {
	rs := &ruleSet{matchers: map[string]*matcher{}}
	macros := map[string]string{}
	words := map[string]string{}
	var vocab []string
	var negSpec negationSpec
	var attrSpec attributionSpec
	for _, f := range files {
		if f.Version != "" {
			if rs.version != "" && rs.version != f.Version {
				return nil, fmt.Errorf("safety: %s: version %q conflicts with %q", f.name, f.Version, rs.version)
			}
			rs.version = f.Version
		}
		for k, v := range f.Macros {
			if _, dup := macros[k]; dup {
				return nil, fmt.Errorf("safety: %s: macro %q defined twice", f.name, k)
			}
			macros[k] = v
		}
		for k, v := range f.Words {
			words[strings.ToLower(k)] = strings.ToLower(v)
		}
		vocab = append(vocab, f.Vocabulary...)
		if f.Negation != nil {
			negSpec.Cues = append(negSpec.Cues, f.Negation.Cues...)
			negSpec.Exempt = append(negSpec.Exempt, f.Negation.Exempt...)
			if f.Negation.Window > 0 {
				negSpec.Window = f.Negation.Window
			}
		}
		if f.Attribution != nil {
			attrSpec.Self = append(attrSpec.Self, f.Attribution.Self...)
			attrSpec.Other = append(attrSpec.Other, f.Attribution.Other...)
			attrSpec.Reporting = append(attrSpec.Reporting, f.Attribution.Reporting...)
		}
	}
	if rs.version == "" {
		return nil, fmt.Errorf("safety: no rule file declares a version")
	}
	expand := func(where, expr string) (*regexp.Regexp, error) {
		x, err := expandMacros(expr, macros)
		if err != nil {
			return nil, fmt.Errorf("safety: %s: %w", where, err)
		}
		re, err := regexp.Compile(x)
		if err != nil {
			return nil, fmt.Errorf("safety: %s: %w", where, err)
		}
		vocab = append(vocab, literalWords(x)...)
		return re, nil
	}
	var err error
	if rs.neg, err = compileNegation(negSpec, expand); err != nil {
		return nil, err
	}
	rs.attr = compileAttribution(attrSpec)

	seen := map[string]string{}
	pending := map[string][]pendingPattern{}
	var idiomPats []pendingPattern
	for _, f := range files {
		for _, is := range f.Idioms {
			if err := checkID(seen, is.ID, f.name); err != nil {
				return nil, err
			}
			for i, p := range is.Patterns {
				re, err := expand(fmt.Sprintf("%s: idiom %s: pattern %d", f.name, is.ID, i+1), p)
				if err != nil {
					return nil, err
				}
				idiomPats = append(idiomPats, pendingPattern{re: re, src: re.String(), rule: len(rs.idioms)})
				rs.idioms = append(rs.idioms, idiom{id: is.ID, re: re})
			}
		}
		for _, spec := range f.Rules {
			r, pats, err := compileRule(f.name, spec, expand)
			if err != nil {
				return nil, err
			}
			if err := checkID(seen, spec.ID, f.name); err != nil {
				return nil, err
			}
			idx := len(rs.rules)
			rs.rules = append(rs.rules, r)
			for _, p := range pats {
				pending[r.target] = append(pending[r.target], pendingPattern{re: p.re, src: p.src, rule: idx})
			}
		}
		for _, cs := range f.Combos {
			c, err := compileCombo(f.name, cs)
			if err != nil {
				return nil, err
			}
			if err := checkID(seen, cs.ID, f.name); err != nil {
				return nil, err
			}
			rs.combos = append(rs.combos, c)
		}
	}
	for _, t := range []string{targetMessage, targetReply, targetAssistant} {
		rs.matchers[t] = buildMatcher(pending[t])
	}
	rs.idiomMatcher = buildMatcher(idiomPats)
	var cspecs []conceptsSpec
	var cfiles []string
	for _, f := range files {
		if f.Concepts != nil {
			cspecs = append(cspecs, *f.Concepts)
			cfiles = append(cfiles, f.name)
		}
	}
	if rs.concepts, err = compileConcepts(cspecs, cfiles); err != nil {
		return nil, err
	}
	for _, r := range rs.concepts.rules {
		if err := checkID(seen, r.id, "concepts"); err != nil {
			return nil, err
		}
	}
	rs.norm = newNormalizer(words, vocab)
	return rs, nil
}

type pendingPattern struct {
	re   *regexp.Regexp
	src  string
	rule int
}

func checkID(seen map[string]string, id, file string) error {
	if id == "" {
		return fmt.Errorf("safety: %s: rule, idiom or combo without an id", file)
	}
	if prev, dup := seen[id]; dup {
		return fmt.Errorf("safety: %s: id %q already used in %s", file, id, prev)
	}
	seen[id] = file
	return nil
}

type compiledPattern struct {
	re  *regexp.Regexp
	src string
}

func compileRule(file string, s ruleSpec, expand func(string, string) (*regexp.Regexp, error)) (rule, []compiledPattern, error) {
	where := fmt.Sprintf("%s: rule %s", file, s.ID)
	r := rule{id: s.ID, file: file, target: s.Target, cssrs: s.CSSRS, signal: s.Signal, spec: s}
	if r.target == "" {
		r.target = targetMessage
	}
	switch r.target {
	case targetMessage, targetReply, targetAssistant:
	default:
		return r, nil, fmt.Errorf("safety: %s: unknown target %q", where, s.Target)
	}
	if s.Category != "" {
		r.category = Category(s.Category)
		if !knownCategory(r.category) {
			return r, nil, fmt.Errorf("safety: %s: unknown category %q", where, s.Category)
		}
	}
	if s.Level != "" {
		lv, err := nightfloat.ParseLevel(s.Level)
		if err != nil {
			return r, nil, fmt.Errorf("safety: %s: %w", where, err)
		}
		r.level = lv
	}
	if r.level > None && r.category == "" {
		return r, nil, fmt.Errorf("safety: %s: a level needs a category", where)
	}
	if r.level == None && r.signal == "" {
		return r, nil, fmt.Errorf("safety: %s: rule has neither a level nor a signal", where)
	}
	if s.CSSRS < 0 || s.CSSRS > 6 || (s.CSSRS > 0 && !r.category.suicideRelated()) {
		return r, nil, fmt.Errorf("safety: %s: cssrs %d invalid for category %q", where, s.CSSRS, s.Category)
	}
	switch s.Subject {
	case "", "any":
	case "self":
		r.subjectSelf = true
	default:
		return r, nil, fmt.Errorf("safety: %s: unknown subject %q", where, s.Subject)
	}
	switch s.Negation {
	case "around":
		r.negation = negAround
	case "", "outside":
		r.negation = negOutside
	case "off":
		r.negation = negOff
	default:
		return r, nil, fmt.Errorf("safety: %s: unknown negation mode %q", where, s.Negation)
	}
	switch s.Idioms {
	case "", "suppress":
	case "ignore":
		r.ignoreIdioms = true
	default:
		return r, nil, fmt.Errorf("safety: %s: unknown idioms mode %q", where, s.Idioms)
	}
	if len(s.Patterns) == 0 {
		return r, nil, fmt.Errorf("safety: %s: no patterns", where)
	}
	var pats []compiledPattern
	for i, p := range s.Patterns {
		re, err := expand(fmt.Sprintf("%s: pattern %d", where, i+1), p)
		if err != nil {
			return r, nil, err
		}
		pats = append(pats, compiledPattern{re: re, src: re.String()})
	}
	var unless, requires []*regexp.Regexp
	for i, p := range s.Unless {
		re, err := expand(fmt.Sprintf("%s: unless %d", where, i+1), p)
		if err != nil {
			return r, nil, err
		}
		unless = append(unless, re)
	}
	for i, p := range s.Requires {
		re, err := expand(fmt.Sprintf("%s: requires %d", where, i+1), p)
		if err != nil {
			return r, nil, err
		}
		requires = append(requires, re)
	}
	if len(unless) > 0 {
		r.unless = newRegexSet(unless)
	}
	if len(requires) > 0 {
		r.requires = newRegexSet(requires)
	}
	return r, pats, nil
}

func compileCombo(file string, s comboSpec) (combo, error) {
	where := fmt.Sprintf("%s: combo %s", file, s.ID)
	c := combo{id: s.ID, all: s.All, category: Category(s.Category), cssrs: s.CSSRS}
	if len(s.All) < 2 {
		return c, fmt.Errorf("safety: %s: needs at least two signals", where)
	}
	if !knownCategory(c.category) {
		return c, fmt.Errorf("safety: %s: unknown category %q", where, s.Category)
	}
	lv, err := nightfloat.ParseLevel(s.Level)
	if err != nil {
		return c, fmt.Errorf("safety: %s: %w", where, err)
	}
	c.level = lv
	return c, nil
}

func knownCategory(c Category) bool {
	for _, k := range AllCategories() {
		if k == c {
			return true
		}
	}
	for _, k := range replyCategories() {
		if k == c {
			return true
		}
	}
	return false
}

// expandMacros replaces <NAME> with the macro's text (recursively).
func expandMacros(expr string, macros map[string]string) (string, error) {
	for depth := 0; depth < 8; depth++ {
		if !strings.Contains(expr, "<") {
			return expr, nil
		}
		var b strings.Builder
		changed := false
		for i := 0; i < len(expr); i++ {
			if expr[i] == '<' && (i == 0 || expr[i-1] != 'P') {
				j := i + 1
				for j < len(expr) && (expr[j] == '_' || ('A' <= expr[j] && expr[j] <= 'Z') || ('0' <= expr[j] && expr[j] <= '9')) {
					j++
				}
				if j > i+1 && j < len(expr) && expr[j] == '>' {
					name := expr[i+1 : j]
					v, ok := macros[name]
					if !ok {
						return "", fmt.Errorf("undefined macro <%s>", name)
					}
					b.WriteString("(?:" + v + ")")
					i = j
					changed = true
					continue
				}
			}
			b.WriteByte(expr[i])
		}
		expr = b.String()
		if !changed {
			return expr, nil
		}
	}
	return "", fmt.Errorf("macros nested too deeply in %q", expr)
}

// maxLiteralLen bounds the literals the automaton looks for. A prefix of a
// required literal is required too; long literals multiplied out of
// alternations ("i want to kill myself", ...) made the automaton so large
// (11 MB) that scanning a message missed the cache on every byte.
const maxLiteralLen = 8

// truncateLiteral cuts l to maxLiteralLen bytes, unless the cut-off part
// holds a sentence mark (windows are found from where literals end, and
// must stay in the literal's sentence).
func truncateLiteral(l string) string {
	if len(l) <= maxLiteralLen {
		return l
	}
	for i := maxLiteralLen; i < len(l); i++ {
		if isSentenceMark(l[i]) {
			return l
		}
	}
	return l[:maxLiteralLen]
}

// buildMatcher indexes the patterns of one target by their required
// literals, and by the literals their matches begin with (anchor.go).
func buildMatcher(pats []pendingPattern) *matcher {
	m := &matcher{}
	litID := map[string]int32{}
	intern := func(l string) int32 {
		id, ok := litID[l]
		if !ok {
			id = int32(len(m.lits))
			litID[l] = id
			m.lits = append(m.lits, l)
			m.litPats = append(m.litPats, nil)
			m.atStart = append(m.atStart, true)
			m.isStart = append(m.isStart, false)
		}
		return id
	}
	for i, p := range pats {
		pat := pattern{re: p.re, rule: p.rule}
		groups := requiredGroups(p.src)
		if groups == nil {
			m.always = append(m.always, i)
		}
		for gi, g := range groups {
			var ids []int32
			for _, l := range g {
				id := intern(truncateLiteral(l))
				if gi > 0 || !strings.HasPrefix(p.src, `\b`) {
					m.atStart[id] = false
				}
				ids = append(ids, id)
				if n := len(m.litPats[id]); n == 0 || m.litPats[id][n-1] != int32(i) {
					m.litPats[id] = append(m.litPats[id], int32(i))
				}
			}
			pat.groups = append(pat.groups, ids)
		}
		if a, lits := compileAnchored(p.src); a != nil {
			for _, l := range lits {
				id := intern(l)
				m.isStart[id] = true
				a.startIDs = append(a.startIDs, id)
			}
			pat.anchored = a
		}
		m.patterns = append(m.patterns, pat)
	}
	m.ac = newACMatcher(m.lits)
	return m
}
