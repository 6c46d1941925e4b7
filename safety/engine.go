package safety

import (
	"sort"
)

// finding is one rule match that survived the context checks.
type finding struct {
	rule       *rule
	s, e       int // normalised offsets
	span       string
	start, end int // original offsets
}

// scanContext is what a scan may consult besides the text itself.
type scanContext struct {
	history []normText // earlier resident turns, normalised (for rule "requires")
}

// run calls fn with the index of every pattern of m that may match t.
func (m *matcher) run(t string, fn func(pat int)) {
	active := make([]bool, len(m.patterns))
	m.ac.scan(t, func(id int32) {
		for _, p := range m.litPats[id] {
			active[p] = true
		}
	})
	for _, p := range m.always {
		active[p] = true
	}
	for i, on := range active {
		if on {
			fn(i)
		}
	}
}

// idiomSpans returns the spans of t covered by idioms ("this shift is
// killing me", "dying to sleep", "I'm dead lol").
func (rs *ruleSet) idiomSpans(t string) []span {
	var out []span
	rs.idiomMatcher.run(t, func(pi int) {
		for _, m := range rs.idiomMatcher.patterns[pi].re.FindAllStringIndex(t, -1) {
			out = append(out, span{m[0], m[1]})
		}
	})
	return out
}

// scan runs the rules of target over nt and returns the findings that pass
// the idiom, negation, attribution, unless and requires checks.
func (rs *ruleSet) scan(target string, nt *normText, orig string, sc scanContext) []finding {
	m := rs.matchers[target]
	t := nt.s
	var out []finding
	var idioms []span
	idiomsDone := false
	m.run(t, func(pi int) {
		p := m.patterns[pi]
		r := &rs.rules[p.rule]
		for _, loc := range p.re.FindAllStringIndex(t, 8) {
			s, e := loc[0], loc[1]
			if e == s {
				continue
			}
			if overlapsSameRule(out, p.rule, &rs.rules[p.rule], s, e) {
				continue
			}
			if !r.ignoreIdioms {
				if !idiomsDone {
					idioms = rs.idiomSpans(t)
					idiomsDone = true
				}
				if overlapsAny(idioms, s, e) {
					continue
				}
			}
			if !rs.accept(r, t, s, e, sc) {
				continue
			}
			os, oe := nt.origSpan(s, e)
			sp := ""
			if os >= 0 && oe <= len(orig) {
				sp = orig[os:oe]
			}
			out = append(out, finding{rule: r, s: s, e: e, span: sp, start: os, end: oe})
		}
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].s != out[j].s {
			return out[i].s < out[j].s
		}
		return out[i].rule.id < out[j].rule.id
	})
	return out
}

// accept applies a rule's context checks to one match.
func (rs *ruleSet) accept(r *rule, t string, s, e int, sc scanContext) bool {
	ss, se := sentenceBounds(t, s, e)
	sentence := t[ss:se]
	for _, re := range r.unless {
		if re.MatchString(sentence) {
			return false
		}
	}
	cs := clauseStart(t, ss, s)
	if rs.neg.negated(t, cs, s, e, r.negation, &rs.attr) {
		return false
	}
	if !r.subjectSelf && rs.attr.aboutOther(t, ss, s, e) {
		return false
	}
	if len(r.requires) > 0 {
		ok := false
		for _, re := range r.requires {
			if re.MatchString(t) {
				ok = true
				break
			}
			for i := range sc.history {
				if re.MatchString(sc.history[i].s) {
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func overlapsAny(spans []span, s, e int) bool {
	for _, x := range spans {
		if s < x.e && x.s < e {
			return true
		}
	}
	return false
}

// overlapsSameRule reports whether r already has a finding overlapping [s,e).
func overlapsSameRule(out []finding, _ int, r *rule, s, e int) bool {
	for _, f := range out {
		if f.rule == r && s < f.e && f.s < e {
			return true
		}
	}
	return false
}
