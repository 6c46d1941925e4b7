package safety

import "regexp"

// fastRegexp answers MatchString like its regexp, trying the expression
// only where one of its start literals occurs (see anchor.go). The context
// checks (a rule's unless and requires expressions) run for every match a
// rule makes, over a sentence or the whole message; searched for plainly
// they cost more than the rules themselves on a long message.
type fastRegexp struct {
	re        *regexp.Regexp
	anchored  *regexp.Regexp // nil: no start literals, use re
	wordStart bool
	lits      []string
	ac        *acMatcher
}

func newFastRegexp(re *regexp.Regexp) *fastRegexp {
	f := &fastRegexp{re: re}
	if a, lits, wordStart := compileAnchored(re.String()); a != nil {
		f.anchored, f.lits, f.wordStart = a, lits, wordStart
		f.ac = newACMatcher(lits)
	}
	return f
}

func (f *fastRegexp) String() string { return f.re.String() }

// MatchString reports whether s contains a match.
func (f *fastRegexp) MatchString(s string) bool {
	if f.anchored == nil {
		return f.re.MatchString(s)
	}
	return f.ac.scanUntil(s, func(id int32, end int) bool {
		p := end - len(f.lits[id])
		// The anchored run sees no byte before p; check a leading \b here.
		if f.wordStart && p > 0 && isWordByte(s[p-1]) == isWordByte(s[p]) {
			return false
		}
		return f.anchored.MatchString(s[p:])
	})
}
