package redact

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

type labelledSpan struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type labelledCase struct {
	ID    string         `json:"id"`
	Text  string         `json:"text"`
	Spans []labelledSpan `json:"spans"`
	Note  string         `json:"note"`
}

func loadCases(t *testing.T) []labelledCase {
	t.Helper()
	f, err := os.Open("testdata/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelledCase
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c labelledCase
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("cases.jsonl:%d: %v", n, err)
		}
		if c.ID == "" || seen[c.ID] {
			t.Fatalf("cases.jsonl:%d: missing or duplicate id %q", n, c.ID)
		}
		seen[c.ID] = true
		for _, s := range c.Spans {
			if !validType[s.Type] {
				t.Fatalf("cases.jsonl:%d (%s): unknown type %q", n, c.ID, s.Type)
			}
			if !strings.Contains(c.Text, s.Text) {
				t.Fatalf("cases.jsonl:%d (%s): span %q is not in the text", n, c.ID, s.Text)
			}
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var validType = map[string]bool{Name: true, MRN: true, Phone: true, Email: true, DOB: true, Address: true, Room: true, Date: true, ID: true}

// locate finds the byte range of each labelled span, in order, so that a label that
// occurs twice in one text ("Tom" in "tom.baker@... Tom Baker") is matched left to right.
func locate(text string, spans []labelledSpan) [][2]int {
	out := make([][2]int, len(spans))
	from := 0
	for i, s := range spans {
		j := strings.Index(text[from:], s.Text)
		if j < 0 {
			j = strings.Index(text, s.Text)
			from = 0
		}
		out[i] = [2]int{from + j, from + j + len(s.Text)}
		from = out[i][1]
	}
	return out
}

// TestLabelledCases measures recall (a labelled identifier counts as caught when a
// found span of the same type covers it) and precision (a found span counts as right
// when it overlaps a labelled identifier of the same type) on testdata/cases.jsonl.
// Recall is the gate: a missed name can reach a programme; an over-masked word costs a
// reviewer a little context.
func TestLabelledCases(t *testing.T) {
	cases := loadCases(t)
	if len(cases) < 120 {
		t.Fatalf("want at least 120 labelled cases, have %d", len(cases))
	}
	var labelled, caught, found, right, negatives, cleanNegatives int
	byType := map[string][2]int{}
	var misses, falseAlarms []string
	for _, c := range cases {
		got := Find(c.Text)
		if len(c.Spans) == 0 {
			negatives++
			if len(got) == 0 {
				cleanNegatives++
			}
		}
		for i, r := range locate(c.Text, c.Spans) {
			labelled++
			tc := byType[c.Spans[i].Type]
			tc[1]++
			hit := false
			for _, g := range got {
				if g.Type == c.Spans[i].Type && g.Start <= r[0] && g.End >= r[1] {
					hit = true
					break
				}
			}
			if hit {
				caught++
				tc[0]++
			} else {
				misses = append(misses, c.ID+": "+c.Spans[i].Type+" "+strconvQuote(c.Spans[i].Text)+" in "+strconvQuote(c.Text)+" → "+strconvQuote(Text(c.Text)))
			}
			byType[c.Spans[i].Type] = tc
		}
		for _, g := range got {
			found++
			ok := false
			for i, r := range locate(c.Text, c.Spans) {
				if c.Spans[i].Type == g.Type && g.Start < r[1] && r[0] < g.End {
					ok = true
					break
				}
			}
			if ok {
				right++
			} else {
				falseAlarms = append(falseAlarms, c.ID+": "+g.Type+" "+strconvQuote(c.Text[g.Start:g.End])+" in "+strconvQuote(c.Text))
			}
		}
	}
	recall := float64(caught) / float64(labelled)
	precision := 1.0
	if found > 0 {
		precision = float64(right) / float64(found)
	}
	t.Logf("%d cases (%d with nothing to mask, %d of them left untouched)", len(cases), negatives, cleanNegatives)
	t.Logf("recall %.3f (%d/%d), precision %.3f (%d/%d)", recall, caught, labelled, precision, right, found)
	for _, typ := range []string{Name, MRN, Phone, Email, DOB, Address, Room, Date, ID} {
		tc := byType[typ]
		t.Logf("  %-8s %d/%d", typ, tc[0], tc[1])
	}
	for _, m := range misses {
		t.Logf("MISS %s", m)
	}
	for _, f := range falseAlarms {
		t.Logf("FALSE ALARM %s", f)
	}
	if recall < 0.95 {
		t.Errorf("recall %.3f is below the 0.95 gate", recall)
	}
	if precision < 0.90 {
		t.Errorf("precision %.3f is below 0.90: ordinary words are being masked", precision)
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"nothing to hide here", "nothing to hide here"},
		{"Dr. Jones said MRN 12345678, call 555-123-4567, room 412", "Dr. [NAME] said MRN [MRN], call [PHONE], [ROOM]"},
		{"email a.b@c.org", "email [EMAIL]"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func checkSpans(t *testing.T, s string, spans []Span) {
	t.Helper()
	prev := 0
	for i, sp := range spans {
		if sp.Start < prev || sp.End <= sp.Start || sp.End > len(s) {
			t.Fatalf("span %d %+v invalid (prev end %d, len %d) in %q", i, sp, prev, len(s), s)
		}
		if !validType[sp.Type] {
			t.Fatalf("span %d has unknown type %q", i, sp.Type)
		}
		if utf8.ValidString(s) && (!utf8.ValidString(s[sp.Start:sp.End])) {
			t.Fatalf("span %d %+v splits a UTF-8 character in %q", i, sp, s)
		}
		prev = sp.End
	}
}

func FuzzFind(f *testing.F) {
	f.Add("Dr. Jones said MRN 12345678, call 555-123-4567, room 412")
	f.Add("my attending, Sarah Jones, DOB 3/4/1962, lives at 123 Main St Apt 4B")
	f.Add("im émile, mrs. o'brien in bed 4, a@b.co")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		spans := Find(s)
		checkSpans(t, s, spans)
		out := Text(s)
		if len(spans) == 0 && out != s {
			t.Fatalf("Text changed a string with nothing found")
		}
	})
}
