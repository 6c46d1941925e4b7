package safety

import (
	"regexp"
	"regexp/syntax"
	"sort"
)

// Anchored matching keeps the long-message case fast. The prefilter
// (prefilter.go) decides which patterns can match at all; a pattern that
// can is then run only where a match can begin. For most patterns every
// match begins with one of a small set of literal strings ("want", "wish",
// "i'd ", ...); the Aho-Corasick pass already finds where those occur, so
// the pattern is tried, anchored, at those offsets instead of being searched
// for across whole sentences. An unanchored Go regexp search over a large
// alternation costs ~150 ns a byte; an anchored attempt that fails costs a
// few bytes' worth. The result is the same as the windowed search
// (TestAnchoredEqualsWindowed checks it on every labelled case).

const (
	startLitLen    = 4   // a start literal is not extended beyond this many bytes
	minStartLitLen = 2   // shorter start literals would try the pattern almost everywhere
	maxStartLitLen = 12  // longer ones are cut: fewer automaton states, a few more tries
	maxStartLits   = 256 // larger sets fall back to the windowed search
	startBudget    = 4096
)

// startLiterals returns strings such that every match of expr begins with
// one of them, and whether expr begins with \b. ok is false when no such
// useful set exists (the pattern then uses the windowed search).
func startLiterals(expr string) (lits []string, wordStart bool, ok bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false, false
	}
	re = re.Simplify()
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	for len(subs) > 0 && subs[0].Op == syntax.OpWordBoundary {
		wordStart = true
		subs = subs[1:]
	}
	w := startWalker{budget: startBudget, wordStart: wordStart}
	set, ok := w.prefixes("", subs)
	if !ok || len(set) == 0 || len(set) > maxStartLits {
		return nil, false, false
	}
	for _, s := range set {
		if len(s) < minStartLitLen {
			return nil, false, false
		}
	}
	for i, l := range set {
		if len(l) > maxStartLitLen {
			set[i] = l[:maxStartLitLen]
		}
	}
	return minimalPrefixes(set), wordStart, true
}

// startWalker walks a sequence of regexp nodes collecting the strings a
// match of the sequence can begin with.
type startWalker struct {
	budget    int
	wordStart bool // the whole pattern begins with \b
}

// prefixes returns strings one of which begins every match of subs, each
// preceded by acc; false when unknown.
func (w *startWalker) prefixes(acc string, subs []*syntax.Regexp) ([]string, bool) {
	w.budget--
	if w.budget < 0 {
		return nil, false
	}
	if len(acc) >= startLitLen || len(subs) == 0 {
		return []string{acc}, true
	}
	sub, rest := subs[0], subs[1:]
	switch sub.Op {
	case syntax.OpLiteral:
		if sub.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return w.prefixes(acc+string(sub.Rune), rest)
	case syntax.OpCapture:
		return w.prefixes(acc, prepend(rest, sub.Sub[0]))
	case syntax.OpConcat:
		return w.prefixes(acc, prepend(rest, sub.Sub...))
	case syntax.OpAlternate:
		var out []string
		for _, b := range sub.Sub {
			s, ok := w.prefixes(acc, prepend(rest, b))
			if !ok {
				return nil, false
			}
			out = append(out, s...)
			if len(out) > maxStartLits {
				return nil, false
			}
		}
		return out, true
	case syntax.OpQuest:
		return w.union(acc, prepend(rest, sub.Sub[0]), rest)
	case syntax.OpStar:
		// x* then rest: a match begins with x or with rest.
		return w.union(acc, sub.Sub[:1], rest)
	case syntax.OpPlus:
		return w.prefixes(acc, sub.Sub[:1])
	case syntax.OpRepeat:
		if sub.Min == 0 {
			return w.union(acc, sub.Sub[:1], rest)
		}
		return w.prefixes(acc, sub.Sub[:1])
	case syntax.OpCharClass:
		var runes []rune
		for i := 0; i+1 < len(sub.Rune); i += 2 {
			for r := sub.Rune[i]; r <= sub.Rune[i+1]; r++ {
				runes = append(runes, r)
				if len(runes) > 8 {
					return w.stop(acc)
				}
			}
		}
		var out []string
		for _, r := range runes {
			s, ok := w.prefixes(acc+string(r), rest)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, true
	case syntax.OpEmptyMatch:
		return w.prefixes(acc, rest)
	case syntax.OpWordBoundary:
		// Inside the match the anchored run sees the real context; at its
		// first byte only a leading \b is checked (by the caller).
		if acc == "" && !w.wordStart {
			return nil, false
		}
		return w.prefixes(acc, rest)
	case syntax.OpNoWordBoundary, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
		if acc == "" {
			return nil, false
		}
		return w.prefixes(acc, rest)
	}
	return w.stop(acc)
}

// stop ends a literal at a node that is not a short literal set.
func (w *startWalker) stop(acc string) ([]string, bool) {
	if acc == "" {
		return nil, false
	}
	return []string{acc}, true
}

func (w *startWalker) union(acc string, a, b []*syntax.Regexp) ([]string, bool) {
	x, ok := w.prefixes(acc, a)
	if !ok {
		return nil, false
	}
	y, ok := w.prefixes(acc, b)
	if !ok {
		return nil, false
	}
	return append(x, y...), true
}

func prepend(rest []*syntax.Regexp, first ...*syntax.Regexp) []*syntax.Regexp {
	out := make([]*syntax.Regexp, 0, len(first)+len(rest))
	return append(append(out, first...), rest...)
}

// minimalPrefixes drops strings that begin with another string of the set:
// the shorter one already marks every place the longer one could.
func minimalPrefixes(set []string) []string {
	set = dedupe(set)
	var out []string
	for _, s := range set { // sorted: a prefix sorts before its extensions
		if n := len(out); n > 0 && len(s) >= len(out[n-1]) && s[:len(out[n-1])] == out[n-1] {
			continue
		}
		out = append(out, s)
	}
	return out
}

// anchoredPattern is how a pattern is tried at its start offsets.
type anchoredPattern struct {
	re        *regexp.Regexp // ^(?:pattern)
	wordStart bool
	startIDs  []int32 // literal ids of the start literals
}

// compileAnchored returns the anchored form of src and its start literals,
// or nil when src has no useful start literals.
func compileAnchored(src string) (*anchoredPattern, []string) {
	lits, wordStart, ok := startLiterals(src)
	if !ok {
		return nil, nil
	}
	re, err := regexp.Compile(`^(?:` + src + `)`)
	if err != nil {
		return nil, nil
	}
	return &anchoredPattern{re: re, wordStart: wordStart}, lits
}

// matchAt tries the pattern anchored at offset s of t, seeing the text from
// from to end as a search over t[from:end] would, and returns the end of the
// match or -1. The anchored run sees no byte before s, so a leading \b is
// checked here against the real one. (Cutting the input to the pattern's
// longest match was tried: it let Go pick its backtracker more often, which
// was no faster.)
func (a *anchoredPattern) matchAt(t string, from, s, end int) int {
	if a.wordStart && s > from && isWordByte(t[s-1]) == isWordByte(t[s]) {
		return -1
	}
	loc := a.re.FindStringIndex(t[s:end])
	if loc == nil {
		return -1
	}
	return s + loc[1]
}

// isWordByte is regexp's \w for ASCII.
func isWordByte(c byte) bool {
	return c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// find returns the leftmost-first, non-overlapping matches of the pattern
// in each window of site (at most 8 a window), trying it only at the site's
// starts, and only where every required literal group occurs between the
// start and the window's end (a match holds one literal of each). It
// returns what findInWindows returns for the unanchored pattern.
func (a *anchoredPattern) find(t string, site *matchSite) [][2]int {
	var out [][2]int
	starts := site.starts
	for _, w := range site.windows {
		i := sort.Search(len(starts), func(i int) bool { return int(starts[i]) >= w.s })
		next, n := w.s, 0
		for ; i < len(starts) && int(starts[i]) < w.e && n < 8; i++ {
			s := int(starts[i])
			if s < next || !site.groupsWithin(s, w.e) {
				continue
			}
			e := a.matchAt(t, w.s, s, w.e)
			if e < 0 {
				continue
			}
			// Matches are never empty: each begins with a start literal of
			// at least minStartLitLen bytes.
			out = append(out, [2]int{s, e})
			n++
			next = e
		}
	}
	return out
}
