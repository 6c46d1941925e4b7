package redact

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is one identifier found in a string: byte offsets [Start, End) into the input,
// and its Type (NAME, MRN, PHONE, EMAIL, DOB, ADDRESS, ROOM, DATE, ID).
type Span struct {
	Start, End int
	Type       string
}

// Identifier types.
const (
	Name    = "NAME"
	MRN     = "MRN"
	Phone   = "PHONE"
	Email   = "EMAIL"
	DOB     = "DOB"
	Address = "ADDRESS"
	Room    = "ROOM"
	Date    = "DATE"
	ID      = "ID"
)

// Find returns the identifiers in s as non-overlapping spans sorted by Start. Where two
// findings overlap, the more specific one (earlier in the rule order: e-mail, MRN, date
// of birth, ...) gives the type and the union of both is masked, so that no part of
// either is left showing.
func Find(s string) []Span {
	var found []ranked
	for i, r := range patternRules {
		for _, sp := range r.find(s) {
			found = append(found, ranked{sp, i})
		}
	}
	for _, sp := range findNames(s) {
		found = append(found, ranked{sp, len(patternRules)})
	}
	return resolve(found)
}

// Text returns s with each identifier replaced by "[TYPE]".
func Text(s string) string {
	spans := Find(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, sp := range spans {
		b.WriteString(s[prev:sp.Start])
		b.WriteString("[" + sp.Type + "]")
		prev = sp.End
	}
	b.WriteString(s[prev:])
	return b.String()
}

// ranked is a finding with its rule's rank: rules earlier in patternRules are more
// specific (an MRN is also a long number), and names come last.
type ranked struct {
	Span
	rank int
}

// resolve makes the spans non-overlapping: the more specific finding claims its bytes
// first, and a less specific one overlapping it widens it instead of being dropped.
func resolve(found []ranked) []Span {
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].rank != found[j].rank {
			return found[i].rank < found[j].rank
		}
		return found[i].Start < found[j].Start
	})
	var out []ranked
	for _, sp := range found {
		if sp.Start < 0 || sp.End <= sp.Start {
			continue
		}
		merged := false
		for i := range out {
			if sp.Start < out[i].End && out[i].Start < sp.End {
				out[i].Start = min(out[i].Start, sp.Start)
				out[i].End = max(out[i].End, sp.End)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, sp)
		}
	}
	// Widening may have made accepted spans overlap each other: merge them.
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	var res []ranked
	for _, sp := range out {
		if n := len(res); n > 0 && sp.Start < res[n-1].End {
			if sp.rank < res[n-1].rank {
				res[n-1].Type, res[n-1].rank = sp.Type, sp.rank
			}
			res[n-1].End = max(res[n-1].End, sp.End)
			continue
		}
		res = append(res, sp)
	}
	spans := make([]Span, len(res))
	for i, sp := range res {
		spans[i] = sp.Span
	}
	return spans
}

// patternRule is one regular expression for a structured identifier. group selects the
// submatch that is the identifier (0: the whole match); ok, when set, vetoes a match.
type patternRule struct {
	typ   string
	re    *regexp.Regexp
	group int
	ok    func(s string, m []int) bool
}

func (r patternRule) find(s string) []Span {
	var out []Span
	for _, m := range r.re.FindAllStringSubmatchIndex(s, -1) {
		a, b := m[2*r.group], m[2*r.group+1]
		if a < 0 || a >= b {
			continue
		}
		if r.ok != nil && !r.ok(s, m) {
			continue
		}
		out = append(out, Span{a, b, r.typ})
	}
	return out
}

const (
	monthRE = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`
	// A full date: numeric with a year, ISO, or a month name with a day (and a year).
	fullDateRE = `(?:\d{1,2}[/\-.]\d{1,2}[/\-.](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|` + monthRE + `\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRE + `(?:,?\s+\d{4})?)`
	streetRE   = `(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|ct|court|way|pl|place|pkwy|parkway|ter|terrace|cir|circle|hwy|highway|sq|square)`
	unitRE     = `(?:apt|apartment|unit|suite|ste)\b\.?\s*#?\s*(?:\d+[a-z]?|[a-z]\d*)\b`
)

var patternRules = []patternRule{
	{typ: Email, re: regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)},
	{typ: MRN, group: 1, re: regexp.MustCompile(`(?i)\b(?:mrn|mr\s*#|med(?:ical)?\.?\s*rec(?:ord)?s?\.?(?:\s*(?:number|num|no\.?|#))?)\s*(?:#|:|is|was|number|no\.?)?\s*[#:]?\s*(\d[\d\-]{2,}\d)`)},
	{typ: DOB, group: 1, re: regexp.MustCompile(`(?i)\b(?:dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?)\s*(?:is|was|:|-)?\s*(` + fullDateRE + `)`)},
	{typ: ID, re: regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`)}, // US social security number
	{typ: ID, group: 1, ok: hasDigit, re: regexp.MustCompile(`(?i)\b(?:npi|dea|badge|employee\s*(?:id|number|no\.?|#)?|staff\s*id|id|license|licence|ssn|social\s+security(?:\s+number)?|account|acct|case|claim|ticket|member\s*id|insurance\s*id|policy|accession|specimen|encounter|fin|csn)(?:\s*(?:number|num|no\.?|#))?\s*(?:is|was|:|#)?\s*([A-Za-z0-9][A-Za-z0-9\-]{3,})`)},
	{typ: Phone, re: regexp.MustCompile(`(?i)(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.\-])\d{3}[\s.\-]\d{4}\b(?:\s*,?\s*(?:x|ext\.?|extension)\s*\d{1,6}\b)?`)},
	{typ: Phone, re: regexp.MustCompile(`(?i)\b(?:\d{10}|\d{3}-\d{4})\b(?:\s*,?\s*(?:x|ext\.?|extension)\s*\d{1,6}\b)?`)},
	{typ: Address, ok: plausibleStreet, re: regexp.MustCompile(`(?i)\b\d{1,6}\s+(?:[nsew]\.?\s+)?(?:(?:[a-z][a-z'\-]*|\d+(?:st|nd|rd|th))\.?\s+){1,3}` + streetRE + `\b\.?(?:,?\s*` + unitRE + `)?`)},
	{typ: Address, re: regexp.MustCompile(`(?i)\b` + unitRE)},
	{typ: Address, re: regexp.MustCompile(`(?i)\bp\.?\s*o\.?\s*box\s*#?\s*\d+`)},
	{typ: Room, ok: notDuration, re: regexp.MustCompile(`(?i)\b(?:room|rm\.?|bed|bay|bd)\s*(?:#|no\.?|number)?\s*\d{1,4}[a-z]?\b`)},
	{typ: Date, re: regexp.MustCompile(`\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b`)},
	{typ: Date, re: regexp.MustCompile(`\b(?:0?[1-9]|1[0-2])[/\-.](?:0?[1-9]|[12]\d|3[01])[/\-.](?:\d{4}|\d{2})\b`)},
	{typ: Date, ok: datedContext, re: regexp.MustCompile(`\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])\b`)},
	{typ: Date, ok: notTime, re: regexp.MustCompile(`(?i)\b` + monthRE + `\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4})?|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthRE + `\b(?:,?\s+\d{4})?`)},
	{typ: ID, re: regexp.MustCompile(`\b\d{7,}\b`)},
}

func hasDigit(s string, m []int) bool {
	return strings.ContainsAny(s[m[2]:m[3]], "0123456789")
}

// streetFiller are words that may sit between a number and "drive" or "court" without
// being a street name: "2 hours on the drive home".
var streetFiller = wordSet(`a an the on in at of to for and or my his her our their hours hour hrs hr minutes mins min days weeks nights times patients pts years`)

func plausibleStreet(s string, m []int) bool {
	words := strings.Fields(s[m[0]:m[1]])
	for _, w := range words[1:] {
		if streetFiller[strings.ToLower(strings.Trim(w, ".,"))] {
			return false
		}
	}
	return true
}

var durationAfter = regexp.MustCompile(`(?i)^\s*(?:hours?|hrs?|h\b|am\b|pm\b|a\.m|p\.m|mins?\b|minutes?|days?|nights?|weeks?|o'?clock|:\d|x\b|times)`)

// notDuration rejects "bed 4 hours ago" and "in bed by 2am".
func notDuration(s string, m []int) bool {
	return !durationAfter.MatchString(s[m[1]:])
}

var dateBefore = regexp.MustCompile(`(?i)(?:\bon|\bsince|\bfrom|\buntil|\btill?|\bby|\bbefore|\bafter|\badmitted|\bdischarged|\bd/?c'?d|\bdied|\bpassed|\bdated?|\bthe|\bshift|\bcall|\bthru|\bthrough|\bon\s+the)\s*$`)

// datedContext accepts a month/day without a year only where a date is meant ("on 3/14",
// "since 12/2"), never a score, a fraction or "24/7".
func datedContext(s string, m []int) bool {
	if m[1] < len(s) && (s[m[1]] == '/' || s[m[1]] == '-') {
		return false
	}
	if m[0] > 0 && (s[m[0]-1] == '/' || s[m[0]-1] == '-') {
		return false
	}
	if strings.HasSuffix(s[m[0]:m[1]], "/10") {
		return false
	}
	return dateBefore.MatchString(s[max(0, m[0]-16):m[0]])
}

var clockAfter = regexp.MustCompile(`^(?::\d|\s*(?:am|pm|mg|hours?|hrs?|min)\b)`)

// notTime rejects "may 5 hours" and modal "may" in lower case before a number of things.
func notTime(s string, m []int) bool {
	if clockAfter.MatchString(strings.ToLower(s[m[1]:])) {
		return false
	}
	w := s[m[0]:m[1]]
	if strings.HasPrefix(w, "may ") {
		return strings.HasSuffix(w, "st") || strings.HasSuffix(w, "nd") || strings.HasSuffix(w, "rd") || strings.HasSuffix(w, "th")
	}
	return true
}

// ---- names ----

// token is one word of the input.
type token struct {
	start, end int
	text       string
}

// tokenize splits s into words: letters with inner apostrophes and hyphens ("o'brien",
// "co-resident"). Everything else separates words.
func tokenize(s string) []token {
	var out []token
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if unicode.IsLetter(r) {
				j += n
				continue
			}
			if (r == '\'' || r == '’' || r == '-') && j+n < len(s) {
				if r2, _ := utf8.DecodeRuneInString(s[j+n:]); unicode.IsLetter(r2) {
					j += n
					continue
				}
			}
			break
		}
		out = append(out, token{i, j, s[i:j]})
		i = j
	}
	return out
}

func lower(w string) string { return strings.ToLower(w) }

// bare strips a possessive: "Robinson's" → "Robinson".
func bare(w string) string {
	for _, suf := range []string{"'s", "’s"} {
		if len(w) > len(suf)+1 && strings.HasSuffix(strings.ToLower(w), suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// capitalised reports "Sarah" (not "sarah", not "ICU", not "PGY").
func capitalised(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || n == len(w) {
		return false
	}
	for _, r := range w[n:] {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

func isLowerWord(w string) bool {
	for _, r := range w {
		if unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// ordinary reports a word that is not taken for a name in a name slot.
func ordinary(w string) bool {
	l := lower(bare(w))
	if common[l] || titles[l] || notNames[l] || len(l) < 2 {
		return true
	}
	for _, suf := range []string{"ed", "ing", "ly", "n't"} {
		if strings.HasSuffix(l, suf) && len(l) > len(suf)+2 && !firstNames[l] {
			return true
		}
	}
	return false
}

// nameWord reports whether w can be a name in a slot where a name is expected. Lower-case
// words are accepted only when lax (after "dr", "pt", "my wife" ...).
func nameWord(w string, lax bool) bool {
	if ordinary(w) {
		return false
	}
	if capitalised(w) {
		return true
	}
	return lax && isLowerWord(w)
}

// surname reports whether w, following a name, is its surname: a capitalised word that
// is not a title, month or weekday ("Sarah Jones", "Lisa Park"), or in lower case after
// a lower-case name that is not an ordinary word ("dr sarah jones").
func surname(w string, laxLower bool) bool {
	l := lower(bare(w))
	if titles[l] || notNames[l] || l == "i" {
		return false
	}
	if capitalised(w) {
		return true
	}
	return laxLower && isLowerWord(w) && !ordinary(w)
}

var particles = wordSet(`van von de del della da di la le st mac mc bin ibn al`)

// relations are words after "my" that introduce a person: "my attending, Sarah Jones".
var relations = wordSet(`attending attendings pd apd director chief co-resident coresident co-intern cointern senior junior intern resident fellow
co-fellow cofellow preceptor mentor advisor adviser supervisor boss colleague friend roommate partner husband wife boyfriend girlfriend
fiance fiancé fiancee fiancée spouse mom mum dad mother father sister brother son daughter therapist psychiatrist counselor counsellor
nurse classmate cousin aunt uncle patient pt`)

// selfIntro are the words before a resident's own name.
var selfIntro = [][]string{{"i'm"}, {"i’m"}, {"im"}, {"i", "am"}, {"this", "is"}, {"my", "name", "is"}, {"my", "name's"}, {"name's"}, {"call", "me"}, {"it's"}}

// peopleWords make a pair of capitalised words near them a name ("what Brian Walsh said").
var peopleWords = wordSet(`said says told tells asked yelled screamed called reported wrote texted emailed thinks thought attending resident
intern nurse doctor pd chief fellow senior patient pt family wife husband friend colleague my his her him`)

// findNames finds people's names: after a title, after "patient" or "my attending" (and
// other relations), in a resident's introduction ("I'm Emily"), common given names
// anywhere, and capitalised first+last pairs near words about people.
func findNames(s string) []Span {
	toks := tokenize(s)
	var out []Span
	add := func(i, j int) { // tokens i..j inclusive
		out = append(out, Span{toks[i].start, toks[i].start + len(bare(s[toks[i].start:toks[j].end])), Name})
	}
	// extend returns the last token index of a name starting at i.
	extend := func(i int, laxLower bool) int {
		j := i
		for k := 0; k < 2 && j+1 < len(toks); k++ {
			if !adjacent(s, toks[j], toks[j+1]) || strings.HasSuffix(lower(toks[j].text), "'s") {
				break
			}
			n := toks[j+1].text
			if particles[lower(n)] && j+2 < len(toks) && capitalised(toks[j+2].text) && adjacent(s, toks[j+1], toks[j+2]) {
				j += 2
				continue
			}
			if !surname(n, laxLower && isLowerWord(toks[i].text)) {
				break
			}
			j++
		}
		return j
	}
	// slot tries a name at token i; lax accepts lower-case names.
	slot := func(i int, lax bool) bool {
		if i >= len(toks) {
			return false
		}
		w := toks[i].text
		if particles[lower(w)] && i+1 < len(toks) && capitalised(toks[i+1].text) && capitalised(w) {
			add(i, extend(i+1, lax))
			return true
		}
		if !nameWord(w, lax) {
			return false
		}
		add(i, extend(i, lax))
		return true
	}
	for i := 0; i < len(toks); i++ {
		w := lower(toks[i].text)
		switch {
		case titles[w]:
			next := i + 1
			if next >= len(toks) || !titleFollows(s, toks[i], toks[next]) {
				continue
			}
			// A lower-case name is taken only after a lower-case title ("dr reyes"): who
			// writes "Dr." capitalises the name too, so "Dr. appointments" is no name.
			lax := (w == "dr" || w == "mr" || w == "mrs" || w == "ms" || w == "mx") && isLowerWord(toks[i].text)
			nt := toks[next].text
			switch {
			case len(nt) == 1 && unicode.IsLetter(rune(nt[0])) && nt != "a" && nt != "I":
				add(next, next) // an initial: "dr. k"
			case isUpperWord(toks[i].text) && isUpperWord(nt) && len(nt) >= 2 && !ordinary(nt):
				add(next, next) // shouting: "DR PATEL"
			default:
				slot(next, lax)
			}
			continue
		case w == "patient" || w == "pt":
			if i+1 < len(toks) && commaOrSpace(s, toks[i].end, toks[i+1].start) {
				slot(i+1, true)
			}
			continue
		case w == "my" && i+1 < len(toks):
			// my <relation> [,] Name ; two-word relations like "program director".
			j := i + 1
			if rel := lower(toks[j].text); rel == "program" || rel == "programme" || rel == "charge" || rel == "chief" || rel == "best" || rel == "senior" || rel == "co" {
				if j+1 < len(toks) && relations[lower(toks[j+1].text)] {
					j++
				}
			}
			if relations[lower(toks[j].text)] && j+1 < len(toks) && commaOrSpace(s, toks[j].end, toks[j+1].start) {
				slot(j+1, true)
			}
		}
		if m := matchIntro(toks, i); m > 0 {
			k := i + m
			if k < len(toks) && commaOrSpace(s, toks[k-1].end, toks[k].start) {
				lax := lower(toks[i].text) == "my" || lower(toks[i].text) == "call" || lower(toks[i].text) == "name's"
				slot(k, lax)
			}
		}
		t := toks[i].text
		if firstNames[lower(bare(t))] && (capitalised(t) || isLowerWord(t)) {
			add(i, extend(i, isLowerWord(t)))
			continue
		}
		// A capitalised pair near words about people: "what Brian Walsh said".
		if i+1 < len(toks) && capitalised(t) && capitalised(toks[i+1].text) && adjacent(s, toks[i], toks[i+1]) &&
			!ordinary(t) && !ordinary(toks[i+1].text) && nearPeople(toks, i) {
			add(i, i+1)
		}
	}
	return out
}

func matchIntro(toks []token, i int) int {
	for _, p := range selfIntro {
		if i+len(p) > len(toks) {
			continue
		}
		ok := true
		for k, w := range p {
			if lower(toks[i+k].text) != w {
				ok = false
				break
			}
		}
		if ok {
			return len(p)
		}
	}
	return 0
}

// adjacent reports two words separated only by spaces.
func adjacent(s string, a, b token) bool {
	return strings.TrimSpace(s[a.end:b.start]) == "" && b.start-a.end <= 3
}

// commaOrSpace reports two words separated by spaces and at most one comma, colon,
// dash or opening parenthesis: "my attending, Sarah", "my senior (Alejandro)".
func commaOrSpace(s string, end, start int) bool {
	gap := strings.TrimSpace(s[end:start])
	return start-end <= 4 && (gap == "" || gap == "," || gap == ":" || gap == "(" || gap == "-" || gap == "—")
}

func isUpperWord(w string) bool {
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}

// titleFollows reports "Dr. Patel", "dr smith", "Mr Okafor": the title then at most a
// dot and spaces.
func titleFollows(s string, title, next token) bool {
	gap := s[title.end:next.start]
	gap = strings.TrimPrefix(gap, ".")
	return strings.TrimSpace(gap) == "" && len(gap) >= 1 && len(gap) <= 3
}

func nearPeople(toks []token, i int) bool {
	for k := max(0, i-6); k < min(len(toks), i+8); k++ {
		if peopleWords[lower(toks[k].text)] {
			return true
		}
	}
	return false
}
