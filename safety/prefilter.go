package safety

import (
	"regexp/syntax"
	"sort"
	"strings"
)

// The prefilter keeps Assess fast: each pattern is reduced to a set of
// literal strings at least one of which must occur in any text it matches.
// One Aho-Corasick pass over the message finds which literals occur, and
// only the patterns whose literals occur are run as regular expressions.

const (
	maxExact   = 64 // largest exact-string set kept while analysing a pattern
	minLiteral = 3  // shorter required literals are too common to be useful
)

// litInfo describes what a regular-expression node can match.
type litInfo struct {
	exact []string // every string the node can match, when small and known
	known bool     // exact is valid
	req   []string // otherwise: at least one of these occurs in any match (nil: none known)
}

// requiredGroups returns groups of strings such that every match of expr
// contains at least one string of every group. A top-level sequence yields
// one group per literal part ("want|wish ..." AND "die|be dead"), which
// keeps patterns with common words from running needlessly. Nil means no
// useful requirement: the pattern always runs.
func requiredGroups(expr string) [][]string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	if re.Op == syntax.OpConcat {
		var groups [][]string
		for _, c := range concatCandidates(re.Sub) {
			if usable(c) {
				groups = append(groups, dedupe(c))
			}
		}
		if len(groups) > 0 {
			return groups
		}
	}
	if one := requiredLiterals(expr); one != nil {
		return [][]string{one}
	}
	return nil
}

func usable(set []string) bool {
	if len(set) == 0 {
		return false
	}
	for _, s := range set {
		if len(s) < minLiteral {
			return false
		}
	}
	return true
}

// requiredLiterals returns a set of strings one of which must occur in any
// match of expr, or nil when no useful set exists.
func requiredLiterals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	info := analyse(re.Simplify())
	set := info.req
	if info.known {
		set = info.exact
	}
	if len(set) == 0 {
		return nil
	}
	for _, s := range set {
		if len(s) < minLiteral {
			return nil
		}
	}
	return dedupe(set)
}

func analyse(re *syntax.Regexp) litInfo {
	switch re.Op {
	case syntax.OpLiteral:
		s := strings.ToLower(string(re.Rune))
		return litInfo{exact: []string{s}, known: true}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return litInfo{exact: []string{""}, known: true}
	case syntax.OpCharClass:
		var set []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo > 4 || len(set) > 8 {
				return litInfo{}
			}
			for r := lo; r <= hi; r++ {
				set = append(set, strings.ToLower(string(r)))
			}
		}
		return litInfo{exact: dedupe(set), known: true}
	case syntax.OpCapture:
		return analyse(re.Sub[0])
	case syntax.OpQuest:
		in := analyse(re.Sub[0])
		if in.known && len(in.exact) < maxExact {
			return litInfo{exact: dedupe(append(in.exact, "")), known: true}
		}
		return litInfo{}
	case syntax.OpPlus:
		return litInfo{req: best(analyse(re.Sub[0]))}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return litInfo{req: best(analyse(re.Sub[0]))}
		}
		return litInfo{}
	case syntax.OpAlternate:
		var exact, req []string
		allKnown, reqOK := true, true
		for _, sub := range re.Sub {
			in := analyse(sub)
			if in.known {
				exact = append(exact, in.exact...)
			} else {
				allKnown = false
			}
			if b := best(in); b != nil {
				req = append(req, b...)
			} else {
				reqOK = false
			}
		}
		if allKnown && len(exact) <= maxExact {
			return litInfo{exact: dedupe(exact), known: true}
		}
		if !reqOK {
			return litInfo{}
		}
		return litInfo{req: dedupe(req)}
	case syntax.OpConcat:
		return analyseConcat(re.Sub)
	}
	return litInfo{}
}

// analyseConcat multiplies out runs of children with known exact sets and
// keeps the strongest requirement seen among runs and other children.
func analyseConcat(subs []*syntax.Regexp) litInfo {
	info, cands := analyseConcatAll(subs)
	if info.known {
		return info
	}
	var pick []string
	for _, c := range cands {
		if strength(c) > strength(pick) {
			pick = c
		}
	}
	return litInfo{req: pick}
}

// concatCandidates returns every requirement set of a sequence; each must hold.
func concatCandidates(subs []*syntax.Regexp) [][]string {
	info, cands := analyseConcatAll(subs)
	if info.known {
		return [][]string{info.exact}
	}
	return cands
}

func analyseConcatAll(subs []*syntax.Regexp) (litInfo, [][]string) {
	cur := []string{""}
	curOK := true
	var cands [][]string
	flush := func() {
		if curOK && !(len(cur) == 1 && cur[0] == "") {
			cands = append(cands, cur)
		}
	}
	allKnown := true
	for _, sub := range subs {
		in := analyse(sub)
		if in.known && curOK && len(cur)*len(in.exact) <= maxExact {
			next := make([]string, 0, len(cur)*len(in.exact))
			for _, a := range cur {
				for _, b := range in.exact {
					next = append(next, a+b)
				}
			}
			cur = dedupe(next)
			continue
		}
		flush()
		if !in.known {
			allKnown = false
		}
		if b := best(in); b != nil {
			cands = append(cands, b)
		}
		if in.known {
			cur = in.exact
			curOK = true
		} else {
			cur = []string{""}
		}
	}
	if allKnown && curOK && len(cands) == 0 {
		return litInfo{exact: cur, known: true}, nil
	}
	flush()
	return litInfo{}, cands
}

// best is the requirement a node imposes on its own.
func best(in litInfo) []string {
	if in.known {
		for _, s := range in.exact {
			if s == "" {
				return nil
			}
		}
		return in.exact
	}
	return in.req
}

// strength ranks requirement sets: longer shortest-literal is better.
func strength(set []string) int {
	if len(set) == 0 {
		return -1
	}
	m := len(set[0])
	for _, s := range set {
		if len(s) < m {
			m = len(s)
		}
	}
	if m > 8 {
		m = 8
	}
	return m*1000 - len(set)
}

func dedupe(in []string) []string {
	if len(in) < 2 {
		return in
	}
	out := append([]string(nil), in...)
	sort.Strings(out)
	j := 1
	for i := 1; i < len(out); i++ {
		if out[i] != out[j-1] {
			out[j] = out[i]
			j++
		}
	}
	return out[:j]
}

// literalWords returns the words spelled out literally in expr, for the
// normaliser's vocabulary.
func literalWords(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	var words []string
	var walk func(*syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		if r.Op == syntax.OpLiteral {
			words = append(words, strings.FieldsFunc(strings.ToLower(string(r.Rune)), func(c rune) bool {
				return c < 'a' || c > 'z'
			})...)
		}
		for _, s := range r.Sub {
			walk(s)
		}
	}
	walk(re)
	return words
}
