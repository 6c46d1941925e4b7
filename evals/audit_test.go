package evals

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nightfloat/safety"
)

func TestAuditEstimates(t *testing.T) {
	cases := []safety.SourceCase{
		{ID: "a-1", Source: "a", Escalate: true},
		{ID: "a-2", Source: "a", Escalate: true},
		{ID: "a-3", Source: "a", Escalate: false},
		{ID: "a-4", Source: "a", Escalate: false},
		{ID: "b-1", Source: "b", Escalate: false},
		{Source: "own", Escalate: true}, // the project's own: no id
	}
	handed := []bool{true, false, true, false, false, true}
	rows := []AuditRow{
		{ID: "a-1", Source: "a", Label: "escalate", Read: ReadHandoff, Weight: 10},
		{ID: "a-2", Source: "a", Label: "escalate", Read: ReadHandoff, Weight: 30},
		{ID: "a-3", Source: "a", Label: "no_escalate", Read: ReadHandoff, Weight: 20}, // a red flag labelled no_escalate
		{ID: "a-4", Source: "a", Label: "no_escalate", Read: ReadNo, Weight: 100},
		{ID: "b-1", Source: "b", Label: "no_escalate", Read: ReadUnclear, Weight: 5},
		{ID: "c-1", Source: "c", Label: "escalate", Read: ReadNo, Weight: 5}, // source not loaded: left out
	}
	got, err := Audit(rows, cases, handed)
	if err != nil {
		t.Fatal(err)
	}
	want := []AuditFigures{
		{Source: "a", Labels: []string{"escalate", "no_escalate"}, Rows: 4, RedFlags: 60, Caught: 30, Clear: 100, FalseEsc: 0},
		{Source: "b", Labels: []string{"no_escalate"}, Rows: 1, Unclear: 5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d sources, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Source != w.Source || strings.Join(g.Labels, ",") != strings.Join(w.Labels, ",") || g.Rows != w.Rows ||
			g.RedFlags != w.RedFlags || g.Caught != w.Caught || g.Clear != w.Clear || g.FalseEsc != w.FalseEsc || g.Unclear != w.Unclear {
			t.Errorf("source %s: got %+v, want %+v", w.Source, g, w)
		}
	}
	if r := got[0].Recall(); math.Abs(r-0.5) > 1e-9 {
		t.Errorf("recall %v, want 0.5 (30 of 60 red flags, weighted)", r)
	}
}

func TestAuditRejectsDrift(t *testing.T) {
	cases := []safety.SourceCase{{ID: "a-1", Source: "a", Escalate: true}}
	for _, tc := range []struct {
		name string
		row  AuditRow
		want string
	}{
		{"row gone", AuditRow{ID: "a-9", Source: "a", Label: "escalate", Read: ReadNo, Weight: 1}, "not in the corpus"},
		{"label changed", AuditRow{ID: "a-1", Source: "a", Label: "no_escalate", Read: ReadNo, Weight: 1}, "no longer labelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Audit([]AuditRow{tc.row}, cases, []bool{true})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestReadAuditRejectsBadLines(t *testing.T) {
	for _, line := range []string{
		`{"id":"x","source":"s","label":"ambiguous","read":"no","weight":1}`,
		`{"id":"x","source":"s","label":"escalate","read":"maybe","weight":1}`,
		`{"id":"x","source":"s","label":"escalate","read":"no","weight":0}`,
		`{"source":"s","label":"escalate","read":"no","weight":1}`,
		`{"id":`,
	} {
		if _, err := ReadAudit(strings.NewReader(line + "\n")); err == nil {
			t.Errorf("ReadAudit accepted %s", line)
		}
	}
}

// TestCommittedAuditMatchesCorpus fails when a row of the committed audit is no
// longer in the corpus with the label it was read under, and checks each stratum's
// weights: the rows read from a (source, label, verdict-at-reading) stratum stand
// for the whole corpus group, so per source and label they add up to its size. The
// corpus lives beside the repository; without it the test fails under CI and is
// skipped elsewhere.
func TestCommittedAuditMatchesCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "training")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the training corpus is missing: %v", err)
		}
		t.Skipf("no training corpus at %s", dir)
	}
	rows, err := AuditRows()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 1000 {
		t.Fatalf("the audit has %d rows", len(rows))
	}
	cases, err := safety.LoadCorpus(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Audit(rows, cases, make([]bool, len(cases))); err != nil {
		t.Fatal(err)
	}
	size := map[[2]string]float64{}
	for _, c := range cases {
		l := "no_escalate"
		if c.Escalate {
			l = "escalate"
		}
		size[[2]string{c.Source, l}]++
	}
	weight := map[[2]string]float64{}
	for _, r := range rows {
		weight[[2]string{r.Source, r.Label}] += r.Weight
	}
	for k, w := range weight {
		if math.Abs(w-size[k]) > 0.5 {
			t.Errorf("%s %s: the audit's weights add up to %.1f, the corpus has %.0f rows", k[0], k[1], w, size[k])
		}
	}
}
