package evals

import (
	"context"
	"fmt"
	"nightfloat"
	"os"
	"strings"
	"testing"

	"nightfloat/safety"
)

func TestLoadCasesFixtures(t *testing.T) {
	cases, err := LoadCases(os.DirFS("testdata"), "cases")
	if err != nil {
		t.Fatalf("LoadCases: %v", err)
	}
	if len(cases) != 3 {
		t.Fatalf("got %d cases, want 3", len(cases))
	}
	if cases[0].ID != "a-1" || cases[0].File != "cases/a.jsonl" || cases[0].Line != 1 {
		t.Errorf("first case = %+v", cases[0])
	}
	if cases[1].Line != 3 {
		t.Errorf("blank line not counted: line = %d, want 3", cases[1].Line)
	}
	if got := cases[1].Message(); got != "second" {
		t.Errorf("Message() = %q, want last turn", got)
	}
	if h := cases[1].History(); len(h) != 1 || h[0].Text != "first" || h[0].Author != safety.AuthorResident {
		t.Errorf("History() = %+v", h)
	}
	if cases[0].History() != nil || cases[0].Message() != "hello" {
		t.Errorf("text case: history %v message %q", cases[0].History(), cases[0].Message())
	}
	if cases[2].ID != "b-1" {
		t.Errorf("nested file not read in order: %+v", cases[2])
	}
}

func TestLoadCasesSingleFile(t *testing.T) {
	cases, err := LoadCases(os.DirFS("testdata"), "cases/sub/b.jsonl")
	if err != nil || len(cases) != 1 {
		t.Fatalf("LoadCases(file) = %v, %v", cases, err)
	}
}

func TestLoadCasesErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"bad_missing_expect.jsonl", `bad_missing_expect.jsonl:2: missing "expect"`},
		{"bad_expect.jsonl", `bad_expect.jsonl:1: "expect" must be`},
		{"bad_both.jsonl", `bad_both.jsonl:1: both "text" and "turns"`},
		{"bad_neither.jsonl", `bad_neither.jsonl:1: neither "text" nor "turns"`},
		{"bad_level.jsonl", `bad_level.jsonl:1: unknown "level"`},
		{"bad_dup.jsonl", `bad_dup.jsonl:2: duplicate id "y-1"`},
		{"bad_json.jsonl", `bad_json.jsonl:1: malformed case`},
		{"bad_noid.jsonl", `bad_noid.jsonl:1: missing "id"`},
		{"bad_cssrs.jsonl", `bad_cssrs.jsonl:1: "cssrs" must be 1 to 6`},
		{"bad_cssrs_category.jsonl", `bad_cssrs_category.jsonl:1: "cssrs" is for suicide-related cases`},
		{"does_not_exist.jsonl", `does_not_exist.jsonl`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := LoadCases(os.DirFS("testdata"), tt.file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "evals: ") {
				t.Errorf("error %q lacks the evals: prefix", err)
			}
		})
	}
}

// result is the classifier's verdict on one case.
type result struct {
	c   Case
	a   safety.Assessment
	err error
}

func (r result) escalated() bool { return r.err != nil || r.a.Level.ForcesHandoff() }

func (r result) levelTooLow() bool {
	if r.c.Level == "" {
		return false
	}
	want, _ := nightfloat.ParseLevel(r.c.Level)
	return r.err == nil && r.a.Level < want
}

func (r result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s [%s] expect=%s level=%s got=%s", r.c.Where(), r.c.ID, r.c.Category, r.c.Expect, r.c.Level, r.a.Level)
	if r.err != nil {
		fmt.Fprintf(&b, " err=%v", r.err)
	}
	fmt.Fprintf(&b, "\n      message: %q", r.c.Message())
	for _, e := range r.a.Evidence {
		fmt.Fprintf(&b, "\n      evidence: %s %s %s %s %q", e.Layer, e.RuleID, e.Category, e.Level, e.Span)
	}
	return b.String()
}

// scores summarises a run.
type scores struct {
	pos, tp, neg, fp, lowLevel int
	misses, falseAlarms, low   []result
}

func (s scores) recall() float64 {
	if s.pos == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.pos)
}

func (s scores) falseRate() float64 {
	if s.neg == 0 {
		return 0
	}
	return float64(s.fp) / float64(s.neg)
}

func run(t *testing.T, cases []Case) scores {
	t.Helper()
	c, err := safety.New()
	if err != nil {
		t.Fatalf("safety.New: %v", err)
	}
	var s scores
	for _, k := range cases {
		a, err := c.Assess(context.Background(), k.History(), k.Message())
		r := result{c: k, a: a, err: err}
		switch k.Expect {
		case Escalate:
			s.pos++
			if r.escalated() {
				s.tp++
			} else {
				s.misses = append(s.misses, r)
			}
			if r.levelTooLow() {
				s.lowLevel++
				s.low = append(s.low, r)
			}
		case NoEscalate:
			s.neg++
			if r.escalated() {
				s.fp++
				s.falseAlarms = append(s.falseAlarms, r)
			}
		}
	}
	return s
}

func splitSuite(t *testing.T) (main, holdout []Case) {
	main, holdout, _ = splitSuite3(t)
	return main, holdout
}

// isHoldout2 reports whether c belongs to the second held-apart split
// (cases/holdout2/), written in other voices before the rules were tuned on it.
func isHoldout2(c Case) bool { return c.Split() == "holdout2" }

// splitSuite3 splits the suite into the main split, the first holdout and
// the second holdout.
func splitSuite3(t *testing.T) (main, holdout, holdout2 []Case) {
	t.Helper()
	all, err := LoadCases(Suite, "cases")
	if err != nil {
		t.Fatalf("loading suite: %v", err)
	}
	for _, c := range all {
		switch {
		case isHoldout2(c):
			holdout2 = append(holdout2, c)
		case c.Split() == "holdout":
			holdout = append(holdout, c)
		case c.IsHoldout():
			// Other held-apart splits are reported by their own tests.
		default:
			main = append(main, c)
		}
	}
	return main, holdout, holdout2
}

func logResults(t *testing.T, title string, rs []result) {
	for _, r := range rs {
		t.Logf("%s: %s", title, r)
	}
}

// TestSuiteShape keeps the suite honest: enough cases, a large share of
// hard negatives, every case sourced, every category covered.
func TestSuiteShape(t *testing.T) {
	main, holdout, holdout2 := splitSuite3(t)
	if len(main) < 650 {
		t.Errorf("main suite has %d cases, want >= 650", len(main))
	}
	if len(holdout) < 120 {
		t.Errorf("holdout has %d cases, want >= 120", len(holdout))
	}
	neg := 0
	cats := map[string]int{}
	roles := map[string]int{}
	if len(holdout2) < 160 {
		t.Errorf("holdout2 has %d cases, want >= 160", len(holdout2))
	}
	all := append(append(append([]Case{}, main...), holdout...), holdout2...)
	for _, c := range all {
		if c.Source == "" {
			t.Errorf("%s %s: missing source", c.Where(), c.ID)
		}
		if c.Expect == NoEscalate {
			neg++
		}
		cats[c.Category]++
		roles[c.Role]++
	}
	if share := float64(neg) / float64(len(all)); share < 0.45 {
		t.Errorf("hard negatives are %.2f of the suite, want >= 0.45", share)
	}
	for _, cat := range safety.AllCategories() {
		if cats[string(cat)] == 0 {
			t.Errorf("no case for category %s", cat)
		}
	}
	for _, r := range []string{"resident", "fellow", "student", "nurse", "app", "attending"} {
		if roles[r] == 0 {
			t.Errorf("no case for role %s", r)
		}
	}
}
