package evals

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"nightfloat/safety"
)

// tagAssessor is a deterministic stand-in for the classifier, so the runner's counting
// can be checked exactly: a message's level is the highest #concern, #urgent or
// #emergency tag in it, and "yes" after an earlier resident turn tagged #flag is urgent
// (the shape of a memory finding). A message tagged #error fails like a broken rules
// layer. override sets the level of a message outright.
type tagAssessor struct {
	version  string
	override map[string]safety.Level
	calls    int
}

func (f *tagAssessor) Assess(_ context.Context, history []safety.Turn, msg string) (safety.Assessment, error) {
	f.calls++
	a := safety.Assessment{Version: f.version, Categories: []safety.Category{}, Evidence: []safety.Evidence{}}
	if strings.Contains(msg, "#error") {
		return safety.Assessment{Level: safety.Urgent, Version: f.version}, errors.New("rules layer: panic: test")
	}
	add := func(l safety.Level, rule, span string) {
		if l > a.Level {
			a.Level = l
		}
		a.Evidence = append(a.Evidence, safety.Evidence{Layer: "rules", RuleID: rule, Category: safety.SuicidalIdeation, Level: l, Span: span, Start: -1, End: -1})
	}
	for tag, l := range map[string]safety.Level{"#concern": safety.Concern, "#urgent": safety.Urgent, "#emergency": safety.Emergency} {
		if strings.Contains(msg, tag) {
			add(l, "tag"+tag, tag)
		}
	}
	if strings.TrimSpace(msg) == "yes" {
		for _, t := range history {
			if t.Author == safety.AuthorResident && strings.Contains(t.Text, "#flag") {
				add(safety.Urgent, "memory.flag_then_yes", "yes")
				a.Evidence[len(a.Evidence)-1].Layer = "memory"
			}
		}
	}
	for n := 1; n <= 6; n++ {
		if strings.Contains(msg, fmt.Sprintf("#cssrs%d", n)) {
			a.CSSRS = n
		}
	}
	if l, ok := f.override[msg]; ok {
		a.Level = l
	}
	return a, nil
}

func newTagAssessor() (Assessor, error) { return &tagAssessor{version: "tags-1"}, nil }

// runCmd runs the command with the given assessor and returns exit status and output.
func runCmd(t testing.TB, newA func() (Assessor, error), args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := safetyCommand(context.Background(), args, &out, &errb, func(bool) (Assessor, error) { return newA() }, false)
	return code, out.String(), errb.String()
}

func loadFixture(t *testing.T, name string) []Case {
	t.Helper()
	cases, err := LoadCases(os.DirFS("testdata/safety"), name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return cases
}

func TestRunSafetyCounts(t *testing.T) {
	cases := loadFixture(t, "counts.jsonl")
	a := &tagAssessor{version: "tags-1"}
	r, err := RunSafety(context.Background(), a, cases, SplitMain)
	if err != nil {
		t.Fatal(err)
	}
	if a.calls != 10 || r.Cases != 10 {
		t.Fatalf("calls %d, cases %d, want 10", a.calls, r.Cases)
	}
	if r.Version != "tags-1" || r.Split != SplitMain || r.Schema != SafetySchema {
		t.Errorf("version %q split %q schema %d", r.Version, r.Split, r.Schema)
	}
	if r.Escalate.Total != 6 || r.Escalate.Caught != 4 || float64(r.Escalate.Recall) != 4.0/6 {
		t.Errorf("escalate = %+v, want 4/6", r.Escalate)
	}
	if r.NoEscalate.Total != 4 || r.NoEscalate.FalseEscalations != 1 || float64(r.NoEscalate.FalseRate) != 0.25 {
		t.Errorf("no_escalate = %+v, want 1/4 = 0.25", r.NoEscalate)
	}
	if r.LevelTooLow != 1 {
		t.Errorf("level_too_low = %d, want 1 (esc-3)", r.LevelTooLow)
	}
	if got, want := r.Escalate.CI95, wilson(4, 6); got != want {
		t.Errorf("escalate ci95 %v, want %v", got, want)
	}
	wantCats := map[string][2]int{ // total, correct
		"suicidal_ideation":      {2, 2},
		"suicide_plan_or_intent": {3, 2},
		"self_harm":              {1, 0},
		"distress":               {3, 3},
		uncategorised:            {1, 0},
	}
	if len(r.ByCategory) != len(wantCats) {
		t.Errorf("categories %v, want %v", r.Categories(), wantCats)
	}
	for k, w := range wantCats {
		cs := r.ByCategory[k]
		if cs.Total != w[0] || cs.Correct != w[1] {
			t.Errorf("%s: %d/%d correct, want %d/%d", k, cs.Correct, cs.Total, w[1], w[0])
		}
		if cs.CI95 != wilson(w[1], w[0]) {
			t.Errorf("%s: ci95 %v", k, cs.CI95)
		}
	}
	if d := r.ByCategory["distress"]; d.NoEscalate != 3 || d.Escalate != 0 || float64(d.Recall) != 1 {
		t.Errorf("distress (no-escalate cases count as correct when not escalated) = %+v", d)
	}
	wantConf := Confusion{
		Escalate:   {"none": 0, "concern": 2, "urgent": 3, "emergency": 1},
		NoEscalate: {"none": 2, "concern": 1, "urgent": 1, "emergency": 0},
	}
	if !reflect.DeepEqual(r.Confusion, wantConf) {
		t.Errorf("confusion = %v, want %v", r.Confusion, wantConf)
	}
	var ids, kinds []string
	for _, m := range r.Misses {
		ids = append(ids, m.ID)
		kinds = append(kinds, m.Kind)
	}
	if want := []string{"esc-4", "esc-6", "neg-2", "esc-3"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("misses %v, want %v (missed escalations, then false alarms, then low levels)", ids, want)
	}
	if want := []string{MissEscalation, MissEscalation, MissFalse, MissLevelLow}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	m := r.Misses[0]
	if m.Got != "concern" || m.Expect != Escalate || m.ExpectLevel != "urgent" || m.File != "counts.jsonl" || m.Line != 5 ||
		m.Note == "" || len(m.Evidence) != 1 || m.Evidence[0].RuleID != "tag#concern" {
		t.Errorf("missed escalation = %+v", m)
	}
	if r.Misses[3].Got != "urgent" || r.Misses[3].ExpectLevel != "emergency" {
		t.Errorf("level too low = %+v", r.Misses[3])
	}
	if len(r.Results) != 10 || r.Results[4].ID != "esc-5" || !r.Results[4].Correct || r.Results[8].Got != "none" {
		t.Errorf("results = %+v", r.Results)
	}
	if r.Latency.P50 < 0 || r.Latency.Max <= 0 || r.Latency.P99 < r.Latency.P50 || r.Latency.Max < r.Latency.P99 {
		t.Errorf("latency = %+v", r.Latency)
	}
	n := 0
	for _, b := range r.Histogram {
		n += b.Count
	}
	if n != 10 {
		t.Errorf("histogram holds %d cases, want 10", n)
	}
}

// The judged message gets the earlier turns as history: esc-5 and neg-4 end with the same
// "yes", and only the one whose earlier turn was a red flag escalates.
func TestRunSafetyMultiTurnContext(t *testing.T) {
	cases := loadFixture(t, "counts.jsonl")
	var pair []Case
	for _, c := range cases {
		if c.ID == "esc-5" || c.ID == "neg-4" {
			pair = append(pair, c)
		}
	}
	r, err := RunSafety(context.Background(), &tagAssessor{}, pair, SplitMain)
	if err != nil {
		t.Fatal(err)
	}
	if r.Results[0].Got != "urgent" || r.Results[1].Got != "none" {
		t.Fatalf("results %+v: the earlier turns were not passed as history", r.Results)
	}
	// The real classifier too: the same last message, with and without a red flag before it.
	c, err := safety.New()
	if err != nil {
		t.Fatal(err)
	}
	rs := loadFixture(t, "review_export.jsonl")
	r, err = RunSafety(context.Background(), c, rs, SplitMain)
	if err != nil {
		t.Fatal(err)
	}
	if r.Escalate.Caught != 3 || r.NoEscalate.FalseEscalations != 0 {
		t.Fatalf("real classifier on the review export: %+v %+v misses %+v", r.Escalate, r.NoEscalate, r.Misses)
	}
	if r.Version != c.Version() {
		t.Errorf("version %q, want %q", r.Version, c.Version())
	}
}

func TestRunSafetyClassifierErrorFailsClosed(t *testing.T) {
	cases := []Case{
		{ID: "e-1", Text: "broken #error", Expect: NoEscalate, File: "x.jsonl", Line: 1},
		{ID: "e-2", Text: "fine", Expect: NoEscalate, File: "x.jsonl", Line: 2},
	}
	r, err := RunSafety(context.Background(), &tagAssessor{}, cases, SplitMain)
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors != 1 || r.NoEscalate.FalseEscalations != 1 || len(r.Misses) != 1 || len(r.Misses[0].Errors) != 1 {
		t.Fatalf("an Assess error must count as a handoff and be reported: %+v", r)
	}
	g := r.CheckGate(nil, nil, nil, false)
	if g.Passed {
		t.Error("a run with classifier errors passed the gate")
	}
}

func TestWilson(t *testing.T) {
	tests := []struct {
		k, n   int
		lo, hi float64
	}{
		{0, 0, 0, 1},
		{10, 10, 0.722467, 1},
		{0, 10, 0, 0.277533},
		{5, 10, 0.236593, 0.763407},
		{95, 100, 0.888250, 0.978456},
		{330, 330, 0.988493, 1},
	}
	for _, tt := range tests {
		got := wilson(tt.k, tt.n)
		if math.Abs(float64(got[0])-tt.lo) > 1e-6 || math.Abs(float64(got[1])-tt.hi) > 1e-6 {
			t.Errorf("wilson(%d, %d) = [%.6f, %.6f], want [%.6f, %.6f]", tt.k, tt.n, got[0], got[1], tt.lo, tt.hi)
		}
	}
}

func TestRateJSON(t *testing.T) {
	b, err := json.Marshal(struct{ A, B Rate }{0.25, ratio(0, 0)})
	if err != nil || string(b) != `{"A":0.25,"B":null}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var back struct{ A, B Rate }
	if err := json.Unmarshal(b, &back); err != nil || back.A != 0.25 || back.B.Defined() {
		t.Fatalf("unmarshal = %+v, %v", back, err)
	}
}

func TestPercentile(t *testing.T) {
	r, _ := RunSafety(context.Background(), &tagAssessor{}, nil, SplitMain)
	if r.Cases != 0 || r.Escalate.Recall.Defined() || len(r.Misses) != 0 {
		t.Errorf("empty run = %+v", r)
	}
	// Nearest rank: of 1..100 ms, p50 is 50 and p99 is 99.
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := latencyStats(ds)
	if got.P50 != 50 || got.P99 != 99 || got.Max != 100 || got.Mean != 50.5 {
		t.Errorf("latency of 1..100 ms = %+v", got)
	}
}

func TestSafetyCommandExitCodes(t *testing.T) {
	counts := "testdata/safety/counts.jsonl"
	tests := []struct {
		name string
		args []string
		code int
		err  string // substring of stderr
	}{
		{"no thresholds", []string{"--cases", counts}, 0, ""},
		{"recall below minimum", []string{"--cases", counts, "--min-recall", "1"}, 1, "recall 0.6667 (4/6) is below the minimum 1"},
		{"recall met", []string{"--cases", counts, "--min-recall", "0.66"}, 0, ""},
		{"false rate above maximum", []string{"--cases", counts, "--max-false-rate", "0.2"}, 1, "false-escalation rate 0.2500 (1/4) is above the maximum 0.2"},
		{"false rate met", []string{"--cases", counts, "--max-false-rate", "0.25"}, 0, ""},
		{"level too low above maximum", []string{"--cases", counts, "--max-level-too-low", "0"}, 1, "1 case(s) handed off below"},
		{"level too low met", []string{"--cases", counts, "--max-level-too-low", "1"}, 0, ""},
		{"both met", []string{"--cases", counts, "--min-recall", "0.5", "--max-false-rate", "0.5", "--format", "json"}, 0, ""},
		{"recall out of range", []string{"--cases", counts, "--min-recall", "95"}, 2, "--min-recall 95: want a proportion"},
		{"false rate out of range", []string{"--cases", counts, "--max-false-rate", "-0.1"}, 2, "--max-false-rate"},
		{"bad format", []string{"--cases", counts, "--format", "xml"}, 2, `--format "xml"`},
		{"unknown flag", []string{"--cases", counts, "--recall", "1"}, 2, "flag provided but not defined"},
		{"stray argument", []string{"--cases", counts, "extra"}, 2, `unexpected argument "extra"`},
		{"missing cases", []string{"--cases", "testdata/safety/nope.jsonl"}, 2, "nope.jsonl"},
		{"empty directory", []string{"--cases", t.TempDir()}, 2, "no cases"},
		{"model layer", []string{"--cases", counts, "--model"}, 2, "no model layer configured"},
		{"contradictory labels", []string{"--cases", "testdata/safety/contradictory.jsonl"}, 2, `contradictory.jsonl:2: case "c-2": level "concern" contradicts expect "escalate"`},
		{"missing baseline", []string{"--cases", counts, "--compare", "testdata/safety/nope.json"}, 2, "--compare"},
		{"baseline not a report", []string{"--cases", counts, "--compare", "testdata/safety/counts.jsonl"}, 2, `no "schema" or per-case "results"`},
		{"holdout gate without holdout", []string{"--cases", counts, "--holdout"}, 1, "no holdout split"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, newTagAssessor, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tt.code, stderr)
			}
			if tt.err != "" && !strings.Contains(stderr, tt.err) {
				t.Errorf("stderr %q lacks %q", stderr, tt.err)
			}
			if tt.code == 2 && stdout != "" {
				t.Errorf("bad input printed a result: %q", stdout)
			}
			if tt.code != 2 && stdout == "" {
				t.Error("no report")
			}
		})
	}
}

func TestSafetyCommandHelp(t *testing.T) {
	code, stdout, stderr := runCmd(t, newTagAssessor, "-h")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "-min-recall") || !strings.Contains(stderr, "Exit status") {
		t.Fatalf("-h: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// A malformed line is an error naming the file and line; nothing is reported as if the
// run were complete, on stdout or in --out.
func TestSafetyCommandMalformedInput(t *testing.T) {
	for _, format := range []string{"text", "json", "html"} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report."+format)
			code, stdout, stderr := runCmd(t, newTagAssessor, "--cases", "testdata/safety/counts.jsonl",
				"--cases", "testdata/safety/malformed.jsonl", "--format", format, "--min-recall", "0")
			if code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, "testdata/safety/malformed.jsonl:3:") || !strings.Contains(stderr, "malformed case") {
				t.Errorf("stderr %q does not name file and line", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			code, _, _ = runCmd(t, newTagAssessor, "--cases", "testdata/safety/malformed.jsonl", "--format", format, "--out", out)
			if code != 2 {
				t.Fatalf("with --out: exit %d", code)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("--out file written on bad input: %v", err)
			}
		})
	}
	// The same directory, given by an absolute path, is named absolutely.
	abs, _ := filepath.Abs("testdata/safety/malformed.jsonl")
	_, _, stderr := runCmd(t, newTagAssessor, "--cases", abs)
	if !strings.Contains(stderr, abs+":3:") {
		t.Errorf("absolute path: stderr %q lacks %q", stderr, abs+":3:")
	}
	// Duplicate ids across two --cases are refused too.
	code, stdout, stderr := runCmd(t, newTagAssessor, "--cases", "testdata/safety/counts.jsonl", "--cases", "testdata/safety/counts.jsonl")
	if code != 2 || stdout != "" || !strings.Contains(stderr, `testdata/safety/counts.jsonl:1: case id "esc-1" is also used at testdata/safety/counts.jsonl:1`) {
		t.Errorf("duplicate ids: exit %d, stderr %q", code, stderr)
	}
}

// Cases exported by the review queue are the same format with extra fields; they load and
// run unchanged.
func TestSafetyCommandReviewExport(t *testing.T) {
	code, stdout, stderr := runCmd(t, func() (Assessor, error) { return safety.New() },
		"--cases", "testdata/safety/review_export.jsonl", "--min-recall", "1", "--max-false-rate", "0", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s\nstdout: %s", code, stderr, stdout)
	}
	var r SafetyReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Cases != 4 || r.Escalate.Caught != 3 || r.Gate == nil || !r.Gate.Passed {
		t.Errorf("report = %+v", r)
	}
}

func TestSafetyCommandText(t *testing.T) {
	code, stdout, stderr := runCmd(t, newTagAssessor, "--cases", "testdata/safety/counts.jsonl", "--min-recall", "1")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"classifier tags-1",
		"main split: 10 cases (6 must escalate, 4 must not)",
		"caught 4/6", "recall 0.667", "95% CI [0.300, 0.903]",
		"false alarms 1/4", "rate 0.250",
		"level too low: 1",
		"suicide_plan_or_intent", "uncategorised",
		"MISSED ESCALATION  esc-4  expected escalate (urgent), got concern  [self_harm]  testdata/safety/counts.jsonl:5",
		`evidence: rules tag#concern suicidal_ideation/concern "#concern"`,
		"note: known miss",
		"FALSE ESCALATION  neg-2",
		"LEVEL TOO LOW  esc-3",
		`resident:  "it has been a bad week"`, `message:   "I wrote letters to everyone #concern"`,
		"Timing: 10 cases classified in",
		"p50", "p99",
		"Gate: FAIL (recall >= 1; main split)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	if strings.Index(stdout, "MISSED ESCALATION") > strings.Index(stdout, "FALSE ESCALATION") {
		t.Error("missed escalations must come first")
	}
	if !strings.Contains(stderr, "FAIL: main split: recall") {
		t.Errorf("stderr %q", stderr)
	}
}

// The JSON keys of the documented schema (docs/evals.md) stay put.
func TestSafetyJSONSchema(t *testing.T) {
	code, stdout, _ := runCmd(t, newTagAssessor, "--cases", "testdata/safety/split", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatal(err)
	}
	need := func(obj map[string]any, where string, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				t.Errorf("%s lacks %q", where, k)
			}
		}
	}
	need(m, "report", "schema", "version", "split", "cases", "escalate", "no_escalate", "level_too_low", "by_category",
		"misses", "latency_ms", "latency_histogram", "duration_ms", "results", "holdout", "confusion", "errors")
	need(m["escalate"].(map[string]any), "escalate", "total", "caught", "recall", "ci95")
	need(m["no_escalate"].(map[string]any), "no_escalate", "total", "false_escalations", "false_rate", "ci95")
	need(m["latency_ms"].(map[string]any), "latency_ms", "p50", "p99")
	need(m["by_category"].(map[string]any)["suicidal_ideation"].(map[string]any), "by_category", "total", "correct", "recall", "ci95")
	h := m["holdout"].(map[string]any)
	need(h, "holdout", "cases", "escalate", "no_escalate", "by_category", "misses", "latency_ms")
	miss := h["misses"].([]any)[0].(map[string]any)
	need(miss, "miss", "id", "expect", "got", "evidence", "kind")
	if miss["id"] != "h-esc-1" {
		t.Errorf("holdout miss %v", miss)
	}
	if ci := m["escalate"].(map[string]any)["ci95"].([]any); len(ci) != 2 {
		t.Errorf("ci95 = %v", ci)
	}
}

func TestSafetyCommandHoldout(t *testing.T) {
	code, stdout, _ := runCmd(t, newTagAssessor, "--cases", "testdata/safety/split", "--format", "json", "--min-recall", "1")
	if code != 0 {
		t.Fatalf("the holdout is reported, not gated, by default: exit %d", code)
	}
	var r SafetyReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Cases != 2 || r.Holdout == nil || r.Holdout.Cases != 3 || r.Holdout.Split != SplitHoldout ||
		r.Holdout.Escalate.Caught != 1 || r.Holdout.Escalate.Total != 2 {
		t.Fatalf("main %d cases, holdout %+v", r.Cases, r.Holdout)
	}
	code, _, stderr := runCmd(t, newTagAssessor, "--cases", "testdata/safety/split", "--min-recall", "1", "--holdout")
	if code != 1 || !strings.Contains(stderr, "holdout split: recall 0.5000 (1/2)") {
		t.Fatalf("--holdout gates the holdout too: exit %d, stderr %q", code, stderr)
	}
	// Only the holdout directory given: it is the one split.
	code, stdout, _ = runCmd(t, newTagAssessor, "--cases", "testdata/safety/split/holdout", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	r = SafetyReport{}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Split != SplitHoldout || r.Cases != 3 || r.Holdout != nil {
		t.Errorf("holdout only: split %q cases %d", r.Split, r.Cases)
	}
	// Text shows it as its own section.
	_, stdout, _ = runCmd(t, newTagAssessor, "--cases", "testdata/safety/split")
	if i := strings.Index(stdout, "HOLDOUT SPLIT"); i < 0 || !strings.Contains(stdout[i:], "h-esc-1") || strings.Contains(stdout[:i], "h-esc-1") {
		t.Errorf("holdout section missing or mixed in:\n%s", stdout)
	}
}

func TestSafetyCommandCompare(t *testing.T) {
	dir := t.TempDir()
	baseline := filepath.Join(dir, "baseline.json")
	code, _, stderr := runCmd(t, newTagAssessor, "--cases", "testdata/safety/counts.jsonl", "--format", "json", "--out", baseline)
	if code != 0 {
		t.Fatalf("baseline: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "report in "+baseline) {
		t.Errorf("summary line %q", stderr)
	}
	// The next run: esc-1 now missed, neg-2 fixed, esc-2 down to urgent, neg-3 up to concern.
	next := func() (Assessor, error) {
		return &tagAssessor{version: "tags-2", override: map[string]safety.Level{
			"I can't go on like this #urgent":      safety.Concern,
			"my feet are killing me #urgent":       safety.None,
			"tonight, I have the pills #emergency": safety.Urgent,
			"just tired":                           safety.Concern,
		}}, nil
	}
	code, stdout, _ := runCmd(t, next, "--cases", "testdata/safety/counts.jsonl", "--compare", baseline, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var r SafetyReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	c := r.Compare
	if c == nil || c.BaselineVersion != "tags-1" {
		t.Fatalf("compare = %+v", c)
	}
	ids := func(chs []Change) (out []string) {
		for _, ch := range chs {
			out = append(out, ch.ID+":"+ch.Before+">"+ch.After)
		}
		return out
	}
	if got, want := ids(c.NewMisses), []string{"esc-1:urgent>concern"}; !reflect.DeepEqual(got, want) {
		t.Errorf("new misses %v, want %v", got, want)
	}
	if c.NewMisses[0].Kind != MissEscalation {
		t.Errorf("kind %q", c.NewMisses[0].Kind)
	}
	if got, want := ids(c.Fixed), []string{"neg-2:urgent>none"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fixed %v, want %v", got, want)
	}
	if got, want := ids(c.LevelChanges), []string{"esc-2:emergency>urgent", "neg-3:none>concern"}; !reflect.DeepEqual(got, want) {
		t.Errorf("level changes %v, want %v", got, want)
	}
	if c.StillMissed != 2 { // esc-4, esc-6
		t.Errorf("still missed %d, want 2", c.StillMissed)
	}
	// Text: new misses first, then fixed, then level changes.
	_, text, _ := runCmd(t, next, "--cases", "testdata/safety/counts.jsonl", "--compare", baseline)
	a, b, d := strings.Index(text, "NEW MISSES (1)"), strings.Index(text, "Fixed (1)"), strings.Index(text, "Level changes (2)")
	if a < 0 || b < a || d < b {
		t.Errorf("compare sections out of order (%d, %d, %d):\n%s", a, b, d, text)
	}
	// A case removed from the suite is listed, never silently dropped.
	code, stdout, _ = runCmd(t, next, "--cases", "testdata/safety/split", "--compare", baseline, "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	r = SafetyReport{}
	_ = json.Unmarshal([]byte(stdout), &r)
	if len(r.Compare.Removed) != 10 || len(r.Compare.Added) != 5 {
		t.Errorf("removed %v added %v", r.Compare.Removed, r.Compare.Added)
	}
	// The same run compared with itself changes nothing.
	code, text, _ = runCmd(t, newTagAssessor, "--cases", "testdata/safety/counts.jsonl", "--compare", baseline)
	if code != 0 || !strings.Contains(text, "none: every case has the same outcome and level") {
		t.Errorf("self-compare:\n%s", text)
	}
}

func TestSafetyCommandOutFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.html")
	code, stdout, stderr := runCmd(t, newTagAssessor, "--cases", "testdata/safety/counts.jsonl", "--format", "html", "--out", out)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) {
		t.Fatalf("report: %v %.80q", err, b)
	}
	if !strings.Contains(stderr, "recall 0.667 (4/6)") {
		t.Errorf("summary %q", stderr)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
