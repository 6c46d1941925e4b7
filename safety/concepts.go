package safety

import (
	"fmt"
	"nightfloat"
	"slices"
	"sort"
	"strings"
)

// This file is the concept co-occurrence layer of the rules engine. Instead
// of whole-sentence patterns it tags the normalised message with signals
// from small lexicons (words, word families and short phrases: "rope",
// "inject*", "for good", "in my bag"), per sentence and per message, and
// combination rules fire when the right signals co-occur: lethal means plus
// a time, finality plus means, a substance plus being at work now, an abusive
// act aimed at the writer. Every hit passes the same idiom, negation and
// attribution checks as rule matches, so "my patient took all her pills"
// or "I'm not going to take the pills" do not count. Earlier resident turns
// contribute their signals (memory): a rule may ask for a signal from an
// earlier turn in "prior".
//
// Lexicon terms are whitespace-separated tokens matched against the
// normalised words of a sentence: "word" matches exactly, "word*" matches
// any word starting with "word" (a word family: inject, injected,
// injecting), "_" matches any one word and "#" any number of at least ten
// ("30", "90x", "thirty", "hundreds": amounts that matter, not "2 of"). Terms never cross a
// sentence mark.

// conceptsSpec is the "concepts" section of a rule file.
type conceptsSpec struct {
	Signals []conceptSignalSpec `yaml:"signals"`
	Rules   []conceptRuleSpec   `yaml:"rules"`
}

type conceptSignalSpec struct {
	Name    string `yaml:"name"`
	Context string `yaml:"context"` // self (default: idiom, negation and attribution checks), negation (idiom and negation only), none
	// Reach of the signal as a sentence rule's none: message (default, anywhere in
	// the message), or writer: its own sentence, and the message's other sentences
	// only when the matching sentence says nothing about the writer.
	Reach string   `yaml:"reach"`
	Terms []string `yaml:"terms"`
	Note  string   `yaml:"note"`
}

type conceptRuleSpec struct {
	ID        string   `yaml:"id"`
	Category  string   `yaml:"category"`
	Level     string   `yaml:"level"`
	CSSRS     int      `yaml:"cssrs"`
	Scope     string   `yaml:"scope"`     // sentence (default) or message
	All       []string `yaml:"all"`       // every one of these signals
	Any       []string `yaml:"any"`       // and at least one of these (if given)
	None      []string `yaml:"none"`      // and none of these anywhere in the message (for a signal with reach writer: see conceptSignalSpec.Reach)
	NoneHere  []string `yaml:"none_here"` // and none of these in the matching sentence (the message for scope message)
	Prior     []string `yaml:"prior"`     // and one of these in an earlier resident turn (concept or rule signals)
	MinHits   int      `yaml:"min_hits"`  // the first signal of all needs this many distinct hits in scope
	Note      string   `yaml:"note"`
	Positives []string `yaml:"examples"`
	Negatives []string `yaml:"non_examples"`
	History   []string `yaml:"example_history"` // earlier resident turns for the examples (rules with prior)
}

const (
	ctxSelf = iota
	ctxNegation
	ctxNone
)

// maxSignals bounds the number of concept signals.
const maxSignals = 192

// sigset is a set of concept signals.
type sigset [3]uint64

func (s *sigset) add(i int)     { s[i>>6] |= 1 << (i & 63) }
func (s sigset) has(i int) bool { return s[i>>6]&(1<<(i&63)) != 0 }
func (s sigset) meets(o sigset) bool {
	return s[0]&o[0] != 0 || s[1]&o[1] != 0 || s[2]&o[2] != 0
}
func (s sigset) empty() bool     { return s[0] == 0 && s[1] == 0 && s[2] == 0 }
func (s *sigset) union(o sigset) { s[0] |= o[0]; s[1] |= o[1]; s[2] |= o[2] }

type conceptTok struct {
	word   string
	prefix bool // word family: any word starting with word
	any    bool // "_": any one word
	number bool // "#": any number
}

type conceptTerm struct {
	signal int
	toks   []conceptTok
}

type conceptRule struct {
	id       string
	category Category
	level    Level
	cssrs    int
	message  bool
	all      []int
	anyOf    sigset
	none     sigset // with reach message
	noneNear sigset // with reach writer
	noneHere sigset
	prior    []string // names: concept signals or rule signals
	minHits  int
	spec     conceptRuleSpec
}

// concepts is the compiled concept layer.
type concepts struct {
	names   []string
	index   map[string]int
	context []int
	// writerReach marks the signals whose none reaches only the writer's own
	// sentence (conceptSignalSpec.Reach).
	writerReach map[int]bool
	exact       map[string][]int32            // first word -> term ids (except those in pairs)
	pairs       map[string]map[string][]int32 // first word -> second word -> term ids
	prefix      map[string][]int32            // first-word prefix -> term ids
	plens       []int                         // prefix lengths in use
	numbers     []int32                       // term ids starting with "#"
	terms       []conceptTerm
	rules       []conceptRule
}

func compileConcepts(specs []conceptsSpec, files []string) (*concepts, error) {
	c := &concepts{index: map[string]int{}, writerReach: map[int]bool{}, exact: map[string][]int32{}, pairs: map[string]map[string][]int32{}, prefix: map[string][]int32{}}
	plen := map[int]bool{}
	for fi, s := range specs {
		for _, sg := range s.Signals {
			where := fmt.Sprintf("safety: %s: concept signal %q", files[fi], sg.Name)
			if sg.Name == "" {
				return nil, fmt.Errorf("safety: %s: concept signal without a name", files[fi])
			}
			id, ok := c.index[sg.Name]
			if !ok {
				id = len(c.names)
				if id >= maxSignals {
					return nil, fmt.Errorf("%s: more than %d concept signals", where, maxSignals)
				}
				c.index[sg.Name] = id
				c.names = append(c.names, sg.Name)
				cx := ctxSelf
				switch sg.Context {
				case "", "self":
				case "negation":
					cx = ctxNegation
				case "none":
					cx = ctxNone
				default:
					return nil, fmt.Errorf("%s: unknown context %q", where, sg.Context)
				}
				c.context = append(c.context, cx)
			}
			switch sg.Reach {
			case "", "message":
			case "writer":
				c.writerReach[id] = true
			default:
				return nil, fmt.Errorf("%s: unknown reach %q", where, sg.Reach)
			}
			for _, term := range sg.Terms {
				fs := strings.Fields(strings.ToLower(term))
				if len(fs) == 0 {
					return nil, fmt.Errorf("%s: empty term", where)
				}
				ct := conceptTerm{signal: id}
				for _, f := range fs {
					switch {
					case f == "_":
						ct.toks = append(ct.toks, conceptTok{any: true})
					case f == "#":
						ct.toks = append(ct.toks, conceptTok{number: true})
					case strings.HasSuffix(f, "*") && len(f) > 3:
						ct.toks = append(ct.toks, conceptTok{word: strings.TrimSuffix(f, "*"), prefix: true})
					case strings.ContainsAny(f, "*_#"):
						return nil, fmt.Errorf("%s: bad term %q", where, term)
					default:
						ct.toks = append(ct.toks, conceptTok{word: f})
					}
				}
				if ct.toks[0].any {
					return nil, fmt.Errorf("%s: term %q starts with _", where, term)
				}
				tid := int32(len(c.terms))
				c.terms = append(c.terms, ct)
				if ct.toks[0].number {
					c.numbers = append(c.numbers, tid)
				} else if ct.toks[0].prefix {
					c.prefix[ct.toks[0].word] = append(c.prefix[ct.toks[0].word], tid)
					plen[len(ct.toks[0].word)] = true
				} else if w1, w2 := ct.toks[0].word, ct.toks[1:]; len(w2) > 0 && !w2[0].any && !w2[0].number && !w2[0].prefix {
					// Indexed by both words: common first words ("my", "the")
					// begin dozens of terms.
					if c.pairs[w1] == nil {
						c.pairs[w1] = map[string][]int32{}
					}
					c.pairs[w1][w2[0].word] = append(c.pairs[w1][w2[0].word], tid)
				} else {
					c.exact[ct.toks[0].word] = append(c.exact[ct.toks[0].word], tid)
				}
			}
		}
	}
	for l := range plen {
		c.plens = append(c.plens, l)
	}
	sort.Ints(c.plens)
	for fi, s := range specs {
		for _, rs := range s.Rules {
			where := fmt.Sprintf("safety: %s: concept rule %s", files[fi], rs.ID)
			r := conceptRule{id: rs.ID, category: Category(rs.Category), cssrs: rs.CSSRS, spec: rs, prior: rs.Prior, minHits: rs.MinHits}
			if !strings.HasPrefix(rs.ID, "concept.") {
				return nil, fmt.Errorf("%s: concept rule ids start with \"concept.\"", where)
			}
			if !knownCategory(r.category) {
				return nil, fmt.Errorf("%s: unknown category %q", where, rs.Category)
			}
			lv, err := nightfloat.ParseLevel(rs.Level)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			r.level = lv
			if rs.CSSRS < 0 || rs.CSSRS > 6 || (rs.CSSRS > 0 && !r.category.suicideRelated()) {
				return nil, fmt.Errorf("%s: cssrs %d invalid for category %q", where, rs.CSSRS, rs.Category)
			}
			switch rs.Scope {
			case "", "sentence":
			case "message":
				r.message = true
			default:
				return nil, fmt.Errorf("%s: unknown scope %q", where, rs.Scope)
			}
			if len(rs.All) == 0 {
				return nil, fmt.Errorf("%s: no signals in all", where)
			}
			lookup := func(n string) (int, error) {
				id, ok := c.index[n]
				if !ok {
					return 0, fmt.Errorf("%s: unknown concept signal %q", where, n)
				}
				return id, nil
			}
			for _, n := range rs.All {
				id, err := lookup(n)
				if err != nil {
					return nil, err
				}
				r.all = append(r.all, id)
			}
			for _, n := range rs.Any {
				id, err := lookup(n)
				if err != nil {
					return nil, err
				}
				r.anyOf.add(id)
			}
			for _, n := range rs.None {
				id, err := lookup(n)
				if err != nil {
					return nil, err
				}
				if c.writerReach[id] && !r.message {
					r.noneNear.add(id)
				} else {
					r.none.add(id)
				}
			}
			for _, n := range rs.NoneHere {
				id, err := lookup(n)
				if err != nil {
					return nil, err
				}
				r.noneHere.add(id)
			}
			if len(rs.Positives) == 0 || len(rs.Negatives) == 0 {
				return nil, fmt.Errorf("%s: needs examples and non_examples", where)
			}
			c.rules = append(c.rules, r)
		}
	}
	return c, nil
}

// conceptHit is one accepted lexicon hit (normalised offsets).
type conceptHit struct {
	signal int
	sent   int
	s, e   int
}

// tagged is the concept tagging of one message.
type tagged struct {
	nt    *normText
	orig  string
	hits  []conceptHit
	sents []sigset // signals per sentence
	self  []bool   // per sentence: it has a first-person word ("i", "my", "me")
	all   sigset   // signals anywhere in the message
}

// tag finds the concept signals of a normalised message.
func (rs *ruleSet) tag(nt *normText, orig string) tagged {
	c := rs.concepts
	tg := tagged{nt: nt, orig: orig}
	if c == nil || len(c.terms) == 0 {
		return tg
	}
	t := nt.s
	at, atDone := t, false
	attrText := func(t string) string {
		if !atDone {
			at, atDone = maskPlaces(t), true
		}
		return at
	}
	var wbuf [256]span
	ws := words(t, 0, len(t), wbuf[:0])
	// Sentence index of each word.
	sentOf := make([]int, len(ws))
	sent, prev := 0, 0
	for i, w := range ws {
		for k := prev; k < w.s; k++ {
			if isSentenceMark(t[k]) {
				sent++
				break
			}
		}
		sentOf[i] = sent
		prev = w.e
	}
	tg.sents = make([]sigset, sent+1)
	tg.self = make([]bool, sent+1)
	var cand []int32
	for i, w := range ws {
		word := t[w.s:w.e]
		if rs.attr.self[word] {
			tg.self[sentOf[i]] = true
		}
		cand = append(cand[:0], c.exact[word]...)
		if i+1 < len(ws) && sentOf[i+1] == sentOf[i] {
			if byNext := c.pairs[word]; byNext != nil {
				if more := byNext[t[ws[i+1].s:ws[i+1].e]]; len(more) > 0 {
					// Keep term order (the first term of a signal in a
					// sentence is the one recorded).
					cand = append(cand, more...)
					slices.Sort(cand)
				}
			}
		}
		for _, l := range c.plens {
			if l > len(word) {
				break
			}
			cand = append(cand, c.prefix[word[:l]]...)
		}
		if len(c.numbers) > 0 && isNumberWord(word) {
			cand = append(cand, c.numbers...)
		}
		for _, tid := range cand {
			term := &c.terms[tid]
			end, ok := matchTerm(term.toks, t, ws, sentOf, i)
			if !ok {
				continue
			}
			sig := term.signal
			s, e := w.s, ws[end].e
			if tg.sents[sentOf[i]].has(sig) && c.context[sig] == ctxNone {
				continue
			}
			if c.context[sig] != ctxNone {
				if overlapsAny(rs.idiomsOf(nt), s, e) {
					continue
				}
				ss, _ := sentenceBounds(t, s, e)
				cs := clauseStart(t, ss, s)
				if rs.neg.negated(t, cs, s, e, negOutside, &rs.attr) {
					continue
				}
				if c.context[sig] == ctxSelf && rs.attr.aboutOther(attrText(t), ss, s, e) {
					continue
				}
			}
			tg.hits = append(tg.hits, conceptHit{signal: sig, sent: sentOf[i], s: s, e: e})
			tg.sents[sentOf[i]].add(sig)
			tg.all.add(sig)
		}
	}
	return tg
}

// matchTerm matches toks against the words from index i, within one
// sentence, and returns the index of the last word matched.
func matchTerm(toks []conceptTok, t string, ws []span, sentOf []int, i int) (int, bool) {
	j := i
	for k, tok := range toks {
		if j >= len(ws) || sentOf[j] != sentOf[i] {
			return 0, false
		}
		w := t[ws[j].s:ws[j].e]
		switch {
		case tok.any:
		case tok.number:
			if !isNumberWord(w) {
				return 0, false
			}
		case tok.prefix:
			if !strings.HasPrefix(w, tok.word) {
				return 0, false
			}
		default:
			if w != tok.word {
				return 0, false
			}
		}
		if k < len(toks)-1 {
			j++
		}
	}
	return j, true
}

// applyConcepts evaluates the concept rules on one tagged message and adds
// their findings to j. past holds the signals of earlier resident turns.
func (rs *ruleSet) applyConcepts(j *judgement, tg *tagged, past sigset, current bool) {
	c := rs.concepts
	if c == nil {
		return
	}
	for ri := range c.rules {
		r := &c.rules[ri]
		if !current && r.level < Urgent {
			continue
		}
		if tg.all.meets(r.none) {
			continue
		}
		priorOK, priorName := true, ""
		if len(r.prior) > 0 {
			priorOK = false
			for _, n := range r.prior {
				if id, ok := c.index[n]; ok && past.has(id) {
					priorOK, priorName = true, n
					break
				}
				for _, h := range j.signals[n] {
					if !h.current {
						priorOK, priorName = true, n
						break
					}
				}
				if priorOK {
					break
				}
			}
		}
		if !priorOK {
			continue
		}
		sent := -1
		if r.message {
			if !r.matches(tg.all) || tg.all.meets(r.noneHere) || !r.enoughHits(tg, -1) || !r.matchesNearby(tg) {
				continue
			}
		} else {
			for si, set := range tg.sents {
				// A none with reach writer: in the sentence itself, or elsewhere in
				// the message when the sentence says nothing about the writer; a
				// joke or a clinical question in one sentence does not explain away
				// the writer's own risk in the next.
				if set.meets(r.noneNear) || !tg.self[si] && tg.all.meets(r.noneNear) {
					continue
				}
				if r.matches(set) && !set.meets(r.noneHere) && r.enoughHits(tg, si) {
					sent = si
					break
				}
			}
			if sent < 0 {
				continue
			}
		}
		j.evidence = append(j.evidence, rs.conceptEvidence(r, tg, sent, priorName, current))
		if r.category.suicideRelated() {
			if r.cssrs > j.cssrs {
				j.cssrs = r.cssrs
			}
			if r.level >= Urgent {
				j.addSignal(signalIdeation, finding{span: tg.orig, start: -1, end: -1}, current)
			}
		}
	}
}

func (r *conceptRule) matches(set sigset) bool {
	for _, id := range r.all {
		if !set.has(id) {
			return false
		}
	}
	return r.anyOf.empty() || set.meets(r.anyOf)
}

// messageWindow is how many consecutive sentences a message-scope rule's
// signals must fall within: a chat message is judged whole, while in a long
// post signals many sentences apart ("night shift" at the start, "a shot" at
// the end) do not combine.
const messageWindow = 4

// matchesNearby reports whether the rule's signals occur together within
// messageWindow consecutive sentences.
func (r *conceptRule) matchesNearby(tg *tagged) bool {
	if len(tg.sents) <= messageWindow {
		return true
	}
	for i := 0; i+messageWindow <= len(tg.sents); i++ {
		var u sigset
		for _, s := range tg.sents[i : i+messageWindow] {
			u.union(s)
		}
		if r.matches(u) {
			return true
		}
	}
	return false
}

// enoughHits checks min_hits: distinct words of the rule's first signal in
// the sentence (or the message when sent is -1).
func (r *conceptRule) enoughHits(tg *tagged, sent int) bool {
	if r.minHits <= 1 {
		return true
	}
	n, last := 0, -1
	for _, h := range tg.hits {
		if h.signal != r.all[0] || (sent >= 0 && h.sent != sent) || h.s < last {
			continue
		}
		n++
		last = h.e
	}
	return n >= r.minHits
}

// conceptEvidence names the signals that fired and quotes the words.
func (rs *ruleSet) conceptEvidence(r *conceptRule, tg *tagged, sent int, prior string, current bool) Evidence {
	c := rs.concepts
	var want sigset
	for _, id := range r.all {
		want.add(id)
	}
	want.union(r.anyOf)
	var parts []string
	lo, hi := -1, -1
	var got sigset
	for _, h := range tg.hits {
		if (sent >= 0 && h.sent != sent) || !want.has(h.signal) || got.has(h.signal) {
			continue
		}
		got.add(h.signal)
		os, oe := tg.nt.origSpan(h.s, h.e)
		if os < 0 || oe > len(tg.orig) {
			continue
		}
		parts = append(parts, c.names[h.signal]+"="+tg.orig[os:oe])
		if lo < 0 || os < lo {
			lo = os
		}
		if oe > hi {
			hi = oe
		}
	}
	if prior != "" {
		parts = append(parts, "prior="+prior)
	}
	ev := Evidence{Layer: LayerRules, RuleID: r.id, Category: r.category, Level: r.level, Start: -1, End: -1,
		Signals: strings.Join(parts, "; ")}
	if lo >= 0 {
		ev.Span = tg.orig[lo:hi]
		ev.Start, ev.End = lo, hi
	}
	if prior != "" {
		ev.Layer = LayerMemory
	}
	if !current {
		ev.Layer, ev.Start, ev.End = LayerMemory, -1, -1
	}
	return ev
}

// numberWords are the spelled-out numbers "#" matches besides digits.
var numberWords = map[string]bool{
	"ten": true, "eleven": true, "twelve": true, "fifteen": true, "twenty": true,
	"thirty": true, "forty": true, "fifty": true, "sixty": true, "seventy": true, "eighty": true,
	"ninety": true, "hundred": true, "hundreds": true, "dozen": true, "dozens": true,
}

// isNumberWord reports whether w is a number of at least ten: digits (with
// an optional trailing "x") or a spelled-out number.
func isNumberWord(w string) bool {
	if w == "" {
		return false
	}
	if numberWords[w] {
		return true
	}
	n, v := 0, 0
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			n++
			if v < 1000 {
				v = v*10 + int(c-'0')
			}
		case c == 'x' && i == len(w)-1 && n > 0:
		default:
			return false
		}
	}
	return n > 0 && v >= 10
}

// placeMask hides "room" and "bed" where they name the writer's own place
// ("the call room", "in bed"), not a patient ("room 12", "bed 4"), from the
// attribution check. Replacements keep lengths, so offsets stay valid.
var placeMask = strings.NewReplacer(
	"call room", "call r00m", "med room", "med r00m", "break room", "break r00m",
	"supply room", "supply r00m", "locker room", "locker r00m", "staff room", "staff r00m",
	"work room", "work r00m", "my room", "my r00m", "pump room", "pump r00m",
	"in bed", "in b3d", "my bed", "my b3d", "to bed", "to b3d", "of bed", "of b3d",
)

func maskPlaces(t string) string {
	if !strings.Contains(t, "room") && !strings.Contains(t, "bed") {
		return t
	}
	return placeMask.Replace(t)
}
