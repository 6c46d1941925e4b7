package safety

import (
	"regexp"
	"strings"
)

// This file holds the checks that look around a match: which sentence and
// clause it sits in, whether it is negated, and whom it is about.

// sentenceBounds returns the sentence of t containing [s,e).
func sentenceBounds(t string, s, e int) (int, int) {
	a := s
	for a > 0 && !isSentenceMark(t[a-1]) {
		a--
	}
	b := e
	for b < len(t) && !isSentenceMark(t[b]) {
		b++
	}
	return a, b
}

// sentences indexes the sentence marks of a text, so the sentence around
// an offset is found by a binary search instead of a walk: on a long
// message the walk, repeated for every literal hit, cost more than the
// patterns it bounded.
type sentences struct {
	n     int     // length of the text
	marks []int32 // offsets of sentence marks, ascending
}

func indexSentences(t string, buf []int32) sentences {
	buf = buf[:0]
	for i := 0; i < len(t); i++ {
		if isSentenceMark(t[i]) {
			buf = append(buf, int32(i))
		}
	}
	return sentences{n: len(t), marks: buf}
}

// bounds is sentenceBounds(t, s, e) for the indexed text.
func (x sentences) bounds(s, e int) (int, int) {
	a := 0
	if i := lowerBound(x.marks, s); i > 0 {
		a = int(x.marks[i-1]) + 1
	}
	b := x.n
	if i := lowerBound(x.marks, e); i < len(x.marks) {
		b = int(x.marks[i])
	}
	return a, b
}

// lowerBound returns the first index of xs (ascending) holding v or more.
func lowerBound(xs []int32, v int) int {
	lo, hi := 0, len(xs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(xs[m]) < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func isSentenceMark(c byte) bool {
	return c == '.' || c == '!' || c == '?' || c == ';' || c == '\n'
}

// clauseStart returns where the clause containing position s begins: the
// sentence start, or just after a comma, colon, bracket, quote or
// contrastive conjunction ("I'm not suicidal but I want to disappear").
func clauseStart(t string, sentStart, s int) int {
	for i := s - 1; i >= sentStart; i-- {
		switch c := t[i]; {
		case c == ',' || c == ':' || c == '(' || c == '"':
			return i + 1
		case c == ' ':
			j := i
			for j > sentStart && t[j-1] != ' ' {
				j--
			}
			if contrastive[t[j:i]] {
				return i + 1
			}
		}
	}
	return sentStart
}

// reportVerbs after a cue carry the negation into a new clause: "I didn't
// mean I want to die" denies the clause that follows.
var reportVerbs = map[string]bool{"mean": true, "meant": true, "say": true, "said": true, "saying": true}

var contrastive = map[string]bool{"but": true, "though": true, "although": true, "however": true, "except": true}

// span is a byte range of the normalised text.
type span struct{ s, e int }

// words splits t[a:b] into word spans (letters, digits, apostrophes).
func words(t string, a, b int, buf []span) []span {
	buf = buf[:0]
	i := a
	for i < b {
		for i < b && !isTokenEnd(t[i]) {
			i++
		}
		j := i
		for j < b && isTokenEnd(t[j]) {
			j++
		}
		if j > i {
			buf = append(buf, span{i, j})
		}
		i = j
	}
	return buf
}

// negation decides whether a match is negated ("I'm not suicidal",
// "never thought about killing myself", "no thoughts of hurting myself").
type negation struct {
	window int
	cues   map[string]bool
	exempt *regexSet
}

func compileNegation(s negationSpec, expand func(string, string) (*regexp.Regexp, error)) (negation, error) {
	n := negation{window: s.Window, cues: map[string]bool{}}
	if n.window <= 0 {
		n.window = 6
	}
	for _, c := range s.Cues {
		n.cues[strings.ToLower(c)] = true
	}
	var exempt []*regexp.Regexp
	for i, p := range s.Exempt {
		re, err := expand("negation exempt "+itoa(i+1), p)
		if err != nil {
			return n, err
		}
		exempt = append(exempt, re)
	}
	n.exempt = newRegexSet(exempt)
	return n, nil
}

func (n *negation) isCue(w string) bool {
	return n.cues[w] || (strings.HasSuffix(w, "n't") && w != "n't")
}

// negated reports whether a cue governs the match [s,e) within its clause.
// A cue does not govern across a new first-person subject ("I can't tell
// anyone I want to die"), and exempt phrases ("not going to lie", "can't
// stop") are not negations. Negation inside the match is checked only in
// mode negAround.
func (n *negation) negated(t string, cs, s, e int, mode negationMode, attr *attribution) bool {
	if mode == negOff {
		return false
	}
	var buf [48]span
	ws := words(t, cs, e, buf[:0])
	// Index of the first word of the match.
	first := len(ws)
	for i, w := range ws {
		if w.e > s {
			first = i
			break
		}
	}
	lo := first - n.window
	if lo < 0 {
		lo = 0
	}
	hi := len(ws)
	if mode == negOutside {
		hi = first
	}
	var exempt []span
	exemptDone := false
	for i := lo; i < hi; i++ {
		w := t[ws[i].s:ws[i].e]
		if !n.isCue(w) {
			continue
		}
		// A new first-person subject between the cue and the match start
		// begins another clause.
		newSubject := false
		reporting := i+1 < first && reportVerbs[t[ws[i+1].s:ws[i+1].e]]
		for k := i + 1; k < first && !reporting; k++ {
			if attr.isSubject(t[ws[k].s:ws[k].e]) {
				newSubject = true
				break
			}
		}
		if newSubject {
			continue
		}
		if !exemptDone {
			exemptDone = true
			n.exempt.findAll(t[cs:e], func(ms, me int) {
				exempt = append(exempt, span{cs + ms, cs + me})
			})
		}
		inExempt := false
		for _, x := range exempt {
			if ws[i].s >= x.s && ws[i].e <= x.e {
				inExempt = true
				break
			}
		}
		if !inExempt {
			return true
		}
	}
	return false
}

// attribution decides whether a match is about the resident or about
// someone else (a patient, family member, colleague).
type attribution struct {
	self      map[string]bool
	other     map[string]bool
	reporting map[string]bool
}

func compileAttribution(s attributionSpec) attribution {
	a := attribution{self: map[string]bool{}, other: map[string]bool{}, reporting: map[string]bool{}}
	for _, w := range s.Self {
		a.self[strings.ToLower(w)] = true
	}
	for _, w := range s.Other {
		a.other[strings.ToLower(w)] = true
	}
	for _, w := range s.Reporting {
		a.reporting[strings.ToLower(w)] = true
	}
	return a
}

// isSubject reports whether w is a first-person subject word.
func (a *attribution) isSubject(w string) bool {
	switch w {
	case "i", "i'm", "i've", "i'd", "i'll":
		return true
	}
	return false
}

// aboutOther reports whether the match [s,e) in sentence [ss,se) is about
// someone other than the writer: quoted speech introduced by another person,
// or a third-person subject nearer than any first-person word.
func (a *attribution) aboutOther(t string, ss, s, e int) bool {
	var buf [64]span
	// Reported speech: inside double quotes opened after another person or
	// a reporting verb ("my patient said "I want to die"").
	if q := strings.LastIndexByte(t[ss:s], '"'); q >= 0 && strings.Count(t[ss:s], `"`)%2 == 1 {
		for _, w := range words(t, ss, ss+q, buf[:0]) {
			x := t[w.s:w.e]
			if a.other[x] || a.reporting[x] {
				return true
			}
		}
	}
	for _, w := range words(t, s, e, buf[:0]) {
		if a.self[t[w.s:w.e]] {
			return false
		}
	}
	ws := words(t, ss, s, buf[:0])
	for i := len(ws) - 1; i >= 0; i-- {
		x := t[ws[i].s:ws[i].e]
		if x == "my" || x == "mine" {
			// A possessive ("someone in my cohort") is not the subject.
			continue
		}
		if a.self[x] {
			return false
		}
		if a.other[x] {
			return true
		}
	}
	return false
}

// joiners join two clauses in one sentence.
var joiners = map[string]bool{
	"and": true, "but": true, "though": true, "although": true, "however": true, "also": true,
	"plus": true, "while": true, "whereas": true, "except": true, "yet": true,
}

// unlessFrom returns where, in the sentence that starts at ss, a rule's unless
// is read for a match that starts at s: from the last new clause about the
// writer or new question that begins at or before the match ("..., i", "and
// honestly i'm", "and how do i", "and he keeps ...": a comma, semicolon, colon
// or joining word followed by a question or request word, or with a
// first-person word within the next three, or a joining word followed by a
// subject) to the end of the sentence. So an unless that explains an earlier
// clause ("how do we screen patients for suicide risk") does not explain away
// a risk the writer states in the next ("and i'm so suicidal rn"), while a
// clause that goes on about the same subject ("the patient is depressed and
// suicidal") keeps its context, and a reason given after the match ("won't be
// needing the pager after friday, i'm moving to the new job") still explains it.
func (a *attribution) unlessFrom(t string, ss, se, s int) int {
	var buf [64]span
	ws := words(t, ss, se, buf[:0])
	from := ss
	for i, w := range ws {
		if w.s > s {
			break
		}
		// a boundary is a punctuation mark or a joining word before word i
		joiner := joiners[t[w.s:w.e]]
		if !joiner && (i == 0 || !strings.ContainsAny(t[ws[i-1].e:w.s], ",;:")) {
			continue
		}
		at, first := w.s, i // the new clause begins here, or after the joining word
		if joiner {
			first = i + 1
			at = se
			if first < len(ws) {
				at = ws[first].s
			}
		}
		opens := first < len(ws) && (clauseOpeners[t[ws[first].s:ws[first].e]] || joiner && subjects[t[ws[first].s:ws[first].e]])
		for j := first; !opens && j < len(ws) && j < first+3; j++ {
			opens = a.self[t[ws[j].s:ws[j].e]]
		}
		if opens && at <= s && at > from {
			from = at
		}
	}
	return from
}

// clauseOpeners begin a new question or request to the assistant ("... and how
// do i make ...", "..., describe ...").
var clauseOpeners = map[string]bool{
	"how": true, "what": true, "what's": true, "whats": true, "where": true, "which": true, "who": true,
	"why": true, "is": true, "are": true, "can": true, "could": true, "would": true, "should": true,
	"do": true, "does": true, "write": true, "describe": true, "provide": true, "give": true, "tell": true,
	"explain": true, "list": true, "show": true, "pretend": true, "roleplay": true, "ignore": true,
}

// subjects begin a new clause after a joining word ("... and he keeps ...",
// "... and my friend just told me ..."), where a bare predicate continues the
// last one ("the patient is depressed and suicidal").
var subjects = map[string]bool{
	"he": true, "she": true, "they": true, "it": true, "we": true, "he's": true, "she's": true,
	"they're": true, "it's": true, "his": true, "her": true, "their": true, "our": true, "the": true,
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	p := len(b)
	for i > 0 {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
	}
	return string(b[p:])
}
