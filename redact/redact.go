// Package redact finds and masks identifiers in free text written by
// residents: names, medical record numbers, phone numbers, e-mail
// addresses, dates of birth, street addresses, room and bed numbers, dates
// and other long numeric identifiers.
//
// It is deliberately conservative in one direction only: a reviewer who sees
// "[NAME]" where a harmless word stood loses little, while a name left in a
// transcript can reach a programme director. The labelled cases in
// testdata/cases.jsonl hold both identifiers that must be masked and
// ordinary resident speech that must be left alone.
package redact

import (
	"regexp"
	"sort"
	"strings"
)

// Span is one identifier found in a string: byte offsets [Start, End) into
// the input, and its Type (NAME, MRN, PHONE, EMAIL, DOB, ADDRESS, ROOM,
// DATE, ID).
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

type rule struct {
	typ string
	re  *regexp.Regexp
	// group selects the submatch that is the identifier; 0 is the whole match.
	group int
}

var rules = []rule{
	{Email, regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`), 0},
	{MRN, regexp.MustCompile(`(?i)\b(?:mrn|medical record(?: number| no\.?)?)\s*(?:#|:|no\.?|number)?\s*(\d[\d\-]{3,})`), 1},
	{Phone, regexp.MustCompile(`(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.\-])\d{3}[\s.\-]\d{4}\b(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?`), 0},
	{DOB, regexp.MustCompile(`(?i)\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\s*[:\-]?\s*(\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4})`), 1},
	{Address, regexp.MustCompile(`(?i)\b\d{1,6}\s+(?:[A-Z][a-z]+\s+){1,3}(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|ct|court|way|pl|place)\b\.?`), 0},
	{Room, regexp.MustCompile(`(?i)\b(?:room|rm|bed|bay)\s*#?\s*(\d+[a-z]?)\b`), 0},
	{Date, regexp.MustCompile(`\b\d{1,2}/\d{1,2}/\d{2,4}\b`), 0},
	{ID, regexp.MustCompile(`\b\d{7,}\b`), 0},
	{Name, regexp.MustCompile(`\b(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)`), 1},
}

// Find returns the identifiers in s as non-overlapping spans sorted by
// Start.
func Find(s string) []Span {
	var all []Span
	for _, r := range rules {
		for _, m := range r.re.FindAllStringSubmatchIndex(s, -1) {
			a, b := m[2*r.group], m[2*r.group+1]
			if a < 0 || a >= b {
				continue
			}
			all = append(all, Span{a, b, r.typ})
		}
	}
	return merge(all)
}

// merge resolves overlaps: earlier rules win ties; otherwise the longer span
// wins.
func merge(all []Span) []Span {
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Start != all[j].Start {
			return all[i].Start < all[j].Start
		}
		return all[i].End > all[j].End
	})
	var out []Span
	for _, sp := range all {
		if n := len(out); n > 0 && sp.Start < out[n-1].End {
			if sp.End > out[n-1].End {
				out[n-1].End = sp.End
			}
			continue
		}
		out = append(out, sp)
	}
	return out
}

// Text returns s with each identifier replaced by "[TYPE]".
func Text(s string) string {
	spans := Find(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	prev := 0
	for _, sp := range spans {
		b.WriteString(s[prev:sp.Start])
		b.WriteString("[" + sp.Type + "]")
		prev = sp.End
	}
	b.WriteString(s[prev:])
	return b.String()
}
