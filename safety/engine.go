package safety

import (
	"regexp"
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

// run calls fn for every pattern of m whose required literals all occur in
// t, with the text windows (sentences around the literal hits) the pattern
// needs to be run on. Patterns without literals get the whole text.
func (m *matcher) run(t string, fn func(pat int, windows []span)) {
	hits := map[int32][]int32{} // literal id -> end offsets (first few)
	m.ac.scan(t, func(id int32, end int) {
		// Literals that begin a pattern start at a word start, so a hit
		// inside a word ("ate" in "update") is not a candidate.
		if start := end - len(m.lits[id]); m.atStart[id] && start > 0 && isLetter(m.lits[id][0]) && isTokenEnd(t[start-1]) {
			return
		}
		if len(hits[id]) < 8 {
			hits[id] = append(hits[id], int32(end))
		}
	})
	var cand []int
	seen := make([]bool, len(m.patterns))
	for id := range hits {
		for _, p := range m.litPats[id] {
			if !seen[p] {
				seen[p] = true
				cand = append(cand, int(p))
			}
		}
	}
	for _, p := range m.always {
		if !seen[p] {
			seen[p] = true
			cand = append(cand, p)
		}
	}
	sort.Ints(cand)
	var windows []span
	for _, pi := range cand {
		pat := &m.patterns[pi]
		if len(pat.groups) == 0 {
			fn(pi, []span{{0, len(t)}})
			continue
		}
		ok := true
		for _, g := range pat.groups {
			any := false
			for _, id := range g {
				if len(hits[id]) > 0 {
					any = true
					break
				}
			}
			if !any {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		windows = windows[:0]
		for _, g := range pat.groups {
			for _, id := range g {
				for _, end := range hits[id] {
					windows = addWindow(windows, t, int(end))
				}
			}
		}
		fn(pi, windows)
	}
}

// windowReach bounds how far from a literal hit a pattern is run; no
// pattern spans more than this on either side of its literals.
const windowReach = 160

// addWindow adds the part of the sentence around offset end (with its
// closing mark) to ws, merging overlaps. Patterns never look across
// sentences, and windows start and end at word boundaries.
func addWindow(ws []span, t string, end int) []span {
	s, e := sentenceBounds(t, end-1, end)
	if e < len(t) {
		e++
	}
	if s < end-windowReach {
		s = end - windowReach
		for s > 0 && t[s-1] != ' ' {
			s--
		}
	}
	if e > end+windowReach {
		e = end + windowReach
		for e < len(t) && t[e] != ' ' {
			e++
		}
	}
	for i := range ws {
		if s <= ws[i].e && ws[i].s <= e {
			ws[i] = span{min(s, ws[i].s), max(e, ws[i].e)}
			return ws
		}
	}
	return append(ws, span{s, e})
}

// idiomSpans returns the spans of t covered by idioms ("this shift is
// killing me", "dying to sleep", "I'm dead lol").
func (rs *ruleSet) idiomSpans(t string) []span {
	var out []span
	rs.idiomMatcher.run(t, func(pi int, windows []span) {
		for _, w := range windows {
			for _, m := range rs.idiomMatcher.patterns[pi].re.FindAllStringIndex(t[w.s:w.e], -1) {
				out = append(out, span{w.s + m[0], w.s + m[1]})
			}
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
	m.run(t, func(pi int, windows []span) {
		p := m.patterns[pi]
		r := &rs.rules[p.rule]
		for _, loc := range findInWindows(p.re, t, windows) {
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

// findInWindows runs re over each window of t and returns absolute offsets.
func findInWindows(re *regexp.Regexp, t string, windows []span) [][2]int {
	var out [][2]int
	for _, w := range windows {
		for _, m := range re.FindAllStringIndex(t[w.s:w.e], 8) {
			out = append(out, [2]int{w.s + m[0], w.s + m[1]})
		}
	}
	return out
}
