package safety

import (
	"regexp"
	"slices"
	"sync"
)

// regexSet finds the matches of several expressions with one automaton
// pass over the text, each expression tried only where one of its start
// literals occurs (see anchor.go). The context checks run for every
// candidate match: the negation check's exempt phrases ("not going to lie",
// "can't stop", ...) over its clause, a rule's unless expressions over its
// sentence and its requires expressions over the message and earlier
// turns. Searched for one expression at a time they cost more than the
// rules themselves on a long message.
type regexSet struct {
	res     []*regexp.Regexp
	anch    []*anchoredPattern // nil where an expression has no start literals
	lits    []string
	starts  [][]int32 // literal id -> expressions it begins
	ac      *acMatcher
	plain   []int // expressions searched for the ordinary way
	scratch sync.Pool
}

func newRegexSet(res []*regexp.Regexp) *regexSet {
	x := &regexSet{res: res, anch: make([]*anchoredPattern, len(res))}
	ids := map[string]int32{}
	for i, re := range res {
		a, lits := compileAnchored(re.String())
		if a == nil {
			x.plain = append(x.plain, i)
			continue
		}
		x.anch[i] = a
		for _, l := range lits {
			id, ok := ids[l]
			if !ok {
				id = int32(len(x.lits))
				ids[l] = id
				x.lits = append(x.lits, l)
				x.starts = append(x.starts, nil)
			}
			x.starts[id] = append(x.starts[id], int32(i))
		}
	}
	x.ac = newACMatcher(x.lits)
	return x
}

// findAll calls fn with every match of every expression in t: for each
// expression, what regexp's FindAllStringIndex(t, -1) returns.
func (x *regexSet) findAll(t string, fn func(s, e int)) {
	per, _ := x.scratch.Get().([][]int32)
	if per == nil {
		per = make([][]int32, len(x.res))
	}
	defer func() {
		for i := range per {
			per[i] = per[i][:0]
		}
		x.scratch.Put(per)
	}()
	x.ac.scan(t, func(id int32, end int) {
		s := int32(end - len(x.lits[id]))
		for _, i := range x.starts[id] {
			per[i] = append(per[i], s)
		}
	})
	for i, a := range x.anch {
		if a == nil || len(per[i]) == 0 {
			continue
		}
		starts := per[i]
		slices.Sort(starts)
		starts = slices.Compact(starts)
		next := 0
		for _, s32 := range starts {
			s := int(s32)
			if s < next {
				continue
			}
			if e := a.matchAt(t, 0, s, len(t)); e >= 0 {
				fn(s, e)
				next = e
			}
		}
	}
	for _, i := range x.plain {
		for _, m := range x.res[i].FindAllStringIndex(t, -1) {
			fn(m[0], m[1])
		}
	}
}

// matchAny reports whether any expression of the set matches in t, as
// regexp's MatchString would.
func (x *regexSet) matchAny(t string) bool {
	for _, i := range x.plain {
		if x.res[i].MatchString(t) {
			return true
		}
	}
	return x.ac.scanUntil(t, func(id int32, end int) bool {
		s := end - len(x.lits[id])
		for _, i := range x.starts[id] {
			if x.anch[i].matchAt(t, 0, s, len(t)) >= 0 {
				return true
			}
		}
		return false
	})
}
