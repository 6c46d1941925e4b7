package safety

import (
	"regexp"
	"slices"
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
	text    string     // the text being scanned
	sents   sentences  // its sentences
	met     map[*rule]bool
	// explained, when not nil, collects the matches that the idiom, negation,
	// attribution and unless checks explained away, and the accepted matches of
	// rules marked explains (normalised offsets).
	explained *[]span
}

// requiresMet reports whether one of r's "requires" expressions matches the
// text or an earlier resident turn. It is the same for every match of r in
// a scan, so it is worked out once.
func (sc *scanContext) requiresMet(r *rule) bool {
	if v, ok := sc.met[r]; ok {
		return v
	}
	ok := r.requires.matchAny(sc.text)
	for i := 0; !ok && i < len(sc.history); i++ {
		ok = r.requires.matchAny(sc.history[i].s)
	}
	if sc.met == nil {
		sc.met = map[*rule]bool{}
	}
	sc.met[r] = ok
	return ok
}

// runScratch is the per-call state of matcher.run, pooled.
type runScratch struct {
	hits    [][]int32 // literal id -> end offsets
	all     [][]int32 // literal id -> end offsets, including hits inside words
	starts  [][]int32 // start literal id -> every start offset
	touched []int32   // ids whose slices need clearing
	marked  []bool    // literal id -> in touched
	seen    []bool    // pattern index -> already a candidate
	cand    []int
	windows []span
	merged  []int32
	marks   []int32
}

func (m *matcher) scratch() *runScratch {
	if sc, ok := m.pool.Get().(*runScratch); ok {
		return sc
	}
	return &runScratch{
		hits:   make([][]int32, len(m.lits)),
		all:    make([][]int32, len(m.lits)),
		starts: make([][]int32, len(m.lits)),
		marked: make([]bool, len(m.lits)),
		seen:   make([]bool, len(m.patterns)),
	}
}

func (m *matcher) release(sc *runScratch) {
	for _, id := range sc.touched {
		sc.hits[id] = sc.hits[id][:0]
		sc.all[id] = sc.all[id][:0]
		sc.starts[id] = sc.starts[id][:0]
		sc.marked[id] = false
	}
	for _, p := range sc.cand {
		sc.seen[p] = false
	}
	sc.touched, sc.cand = sc.touched[:0], sc.cand[:0]
	m.pool.Put(sc)
}

// matchSite is where run found that a pattern may match.
type matchSite struct {
	windows []span // the text windows (sentences around literal hits) to run it on
	// Anchored patterns only: the sorted offsets where one of its start
	// literals occurs, and its required literal groups with the run they
	// were found in.
	starts []int32
	groups [][]int32
	m      *matcher
	sc     *runScratch
}

// groupsWithin reports whether every required group has a literal
// occurring inside [s,e): a match in that range would hold one of each.
func (site *matchSite) groupsWithin(s, e int) bool {
	for _, g := range site.groups {
		ok := false
		for _, id := range g {
			ends := site.sc.all[id]
			if len(ends) == 0 {
				continue
			}
			// ends ascend; the literal lies inside when it ends in [s+len, e].
			lo := s + len(site.m.lits[id])
			i := lowerBound(ends, lo)
			if i < len(ends) && int(ends[i]) <= e {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// run calls fn for every pattern of m whose required literals all occur in
// t, with the site it is to be run on. Patterns without literals get the
// whole text. fn must not keep the site.
func (m *matcher) run(t string, fn func(pat int, site *matchSite)) {
	sc := m.scratch()
	defer m.release(sc)
	m.ac.scan(t, func(id int32, end int) {
		start := end - len(m.lits[id])
		if !sc.marked[id] {
			sc.marked[id] = true
			sc.touched = append(sc.touched, id)
		}
		if m.isStart[id] {
			sc.starts[id] = append(sc.starts[id], int32(start))
		}
		if len(m.litPats[id]) == 0 {
			return
		}
		sc.all[id] = append(sc.all[id], int32(end))
		// Literals that begin a pattern start at a word start, so a hit
		// inside a word ("ate" in "update") is not a candidate.
		if m.atStart[id] && start > 0 && isLetter(m.lits[id][0]) && isTokenEnd(t[start-1]) {
			return
		}
		sc.hits[id] = append(sc.hits[id], int32(end))
	})
	for _, id := range sc.touched {
		if len(sc.hits[id]) == 0 {
			continue
		}
		for _, p := range m.litPats[id] {
			if !sc.seen[p] {
				sc.seen[p] = true
				sc.cand = append(sc.cand, int(p))
			}
		}
	}
	for _, p := range m.always {
		if !sc.seen[p] {
			sc.seen[p] = true
			sc.cand = append(sc.cand, p)
		}
	}
	sort.Ints(sc.cand)
	whole := []span{{0, len(t)}}
	sents := indexSentences(t, sc.marks)
	sc.marks = sents.marks
	for _, pi := range sc.cand {
		pat := &m.patterns[pi]
		var starts []int32
		if pat.anchored != nil {
			starts = sc.startsOf(pat.anchored.startIDs)
			if len(starts) == 0 {
				continue // no match can begin anywhere
			}
		}
		if len(pat.groups) == 0 {
			fn(pi, &matchSite{windows: whole, starts: starts})
			continue
		}
		ok := true
		for _, g := range pat.groups {
			any := false
			for _, id := range g {
				if len(sc.hits[id]) > 0 {
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
		sc.windows = sc.windows[:0]
		for _, g := range pat.groups {
			for _, id := range g {
				for _, end := range sc.hits[id] {
					sc.windows = addWindow(sc.windows, t, sents, int(end))
				}
			}
		}
		fn(pi, &matchSite{windows: sc.windows, starts: starts, groups: pat.groups, m: m, sc: sc})
	}
}

// startsOf merges the start offsets of ids into one sorted, unique list.
func (sc *runScratch) startsOf(ids []int32) []int32 {
	sc.merged = sc.merged[:0]
	for _, id := range ids {
		sc.merged = append(sc.merged, sc.starts[id]...)
	}
	if len(sc.merged) < 2 {
		return sc.merged
	}
	slices.Sort(sc.merged)
	return slices.Compact(sc.merged)
}

// find returns the matches of the pattern at site in t: anchored at the
// site's starts when the pattern has start literals, searched for otherwise.
func (p *pattern) find(t string, site *matchSite) [][2]int {
	if p.anchored != nil {
		return p.anchored.find(t, site)
	}
	return findInWindows(p.re, t, site.windows)
}

// windowReach bounds how far from a literal hit a pattern is run; no
// pattern spans more than this on either side of its literals.
const windowReach = 160

// addWindow adds the part of the sentence around offset end (with its
// closing mark) to ws, merging overlaps. Patterns never look across
// sentences, and windows start and end at word boundaries.
func addWindow(ws []span, t string, sents sentences, end int) []span {
	s, e := sents.bounds(end-1, end)
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

// idiomsOf returns the idiom spans of nt, working them out on first use:
// the rule scan and the concept tagging both need them.
func (rs *ruleSet) idiomsOf(nt *normText) []span {
	if !nt.idiomsDone {
		nt.idioms, nt.idiomsDone = rs.idiomSpans(nt.s), true
	}
	return nt.idioms
}

// idiomSpans returns the spans of t covered by idioms ("this shift is
// killing me", "dying to sleep", "I'm dead lol").
func (rs *ruleSet) idiomSpans(t string) []span {
	var out []span
	rs.idiomMatcher.run(t, func(pi int, site *matchSite) {
		for _, m := range rs.idiomMatcher.patterns[pi].find(t, site) {
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
	sc.text = t
	sc.sents = indexSentences(t, nil)
	var out []finding
	m.run(t, func(pi int, site *matchSite) {
		p := &m.patterns[pi]
		r := &rs.rules[p.rule]
		for _, loc := range p.find(t, site) {
			s, e := loc[0], loc[1]
			if e == s {
				continue
			}
			if overlapsSameRule(out, p.rule, &rs.rules[p.rule], s, e) {
				continue
			}
			if !r.ignoreIdioms {
				if overlapsAny(rs.idiomsOf(nt), s, e) {
					sc.explain(s, e)
					continue
				}
			}
			switch rs.accept(r, t, s, e, &sc) {
			case accepted:
				if r.spec.Explains {
					sc.explain(s, e)
				}
			case explainedAway:
				sc.explain(s, e)
				continue
			default:
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

// Outcomes of accept.
const (
	accepted      = iota
	explainedAway // unless, negation or attribution: the words do not mean a risk here
	lacksContext  // requires: the words need context the conversation does not give
)

// accept applies a rule's context checks to one match.
func (rs *ruleSet) accept(r *rule, t string, s, e int, sc *scanContext) int {
	ss, se := sc.sents.bounds(s, e)
	if r.unless != nil && r.unless.matchAny(t[rs.attr.unlessFrom(t, ss, se, s):se]) {
		return explainedAway
	}
	cs := clauseStart(t, ss, s)
	if rs.neg.negated(t, cs, s, e, r.negation, &rs.attr) {
		return explainedAway
	}
	if !r.subjectSelf && rs.attr.aboutOther(t, ss, s, e) {
		return explainedAway
	}
	if r.requires != nil && !sc.requiresMet(r) {
		return lacksContext
	}
	return accepted
}

func (sc *scanContext) explain(s, e int) {
	if sc.explained != nil {
		*sc.explained = append(*sc.explained, span{s, e})
	}
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
