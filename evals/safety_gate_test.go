package evals

import (
	"context"
	"encoding/json"
	"nightfloat"
	"runtime"
	"testing"

	"nightfloat/safety"
)

// TestSafetyRunnerGate runs `nightfloat eval safety --min-recall 1 --max-false-rate 0.05`
// over the built-in suite with the real classifier: the release gate, as the command
// applies it. It must pass, and its numbers must agree with a plain recount of the same
// cases (the definition TestGate in cases_test.go uses).
func TestSafetyRunnerGate(t *testing.T) {
	code, stdout, stderr := runCmd(t, func() (Assessor, error) { return safety.New() },
		"--min-recall", "1", "--max-false-rate", "0.05", "--format", "json")
	var r SafetyReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("exit %d, report: %v\nstderr: %s", code, err, stderr)
	}
	t.Logf("main split: %d cases, recall %.4f (%d/%d), false-escalation rate %.4f (%d/%d), level too low %d, %d misses listed",
		r.Cases, float64(r.Escalate.Recall), r.Escalate.Caught, r.Escalate.Total,
		float64(r.NoEscalate.FalseRate), r.NoEscalate.FalseEscalations, r.NoEscalate.Total, r.LevelTooLow, len(r.Misses))
	if r.Holdout != nil {
		h := r.Holdout
		t.Logf("holdout split: %d cases, recall %.4f (%d/%d), false-escalation rate %.4f (%d/%d), level too low %d",
			h.Cases, float64(h.Escalate.Recall), h.Escalate.Caught, h.Escalate.Total,
			float64(h.NoEscalate.FalseRate), h.NoEscalate.FalseEscalations, h.NoEscalate.Total, h.LevelTooLow)
	}
	t.Logf("timing: %.1f ms classifying, %.1f ms compiling rules, %.1f ms loading, whole run %.1f ms; p50 %.3f ms p99 %.3f ms",
		r.DurationMS+holdoutMS(&r), r.SetupMS, r.LoadMS, r.TotalMS, r.Latency.P50, r.Latency.P99)
	if code != 0 {
		for _, m := range r.Misses {
			t.Logf("%s %s %s:%d expected %s %s, got %s: %q", m.Kind, m.ID, m.File, m.Line, m.Expect, m.ExpectLevel, m.Got, m.Text)
		}
		t.Errorf("nightfloat eval safety --min-recall 1 --max-false-rate 0.05 exited %d: %s", code, stderr)
	}

	// The same cases, recounted by hand.
	main, holdout := suiteSplits(t)
	c, err := safety.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		name  string
		cases []Case
		rep   *SafetyReport
	}{{"main", main, &r}, {"holdout", holdout, r.Holdout}} {
		if s.rep == nil {
			t.Fatalf("%s: no report", s.name)
		}
		var pos, tp, neg, fp, low int
		for _, k := range s.cases {
			a, err := c.Assess(context.Background(), k.History(), k.Message())
			esc := err != nil || a.Level.ForcesHandoff()
			if k.Expect == Escalate {
				pos++
				if esc {
					tp++
					if want, _ := nightfloat.ParseLevel(k.Level); k.Level != "" && a.Level < want {
						low++
					}
				}
			} else {
				neg++
				if esc {
					fp++
				}
			}
		}
		if s.rep.Cases != len(s.cases) || s.rep.Escalate.Total != pos || s.rep.Escalate.Caught != tp ||
			s.rep.NoEscalate.Total != neg || s.rep.NoEscalate.FalseEscalations != fp || s.rep.LevelTooLow != low {
			t.Errorf("%s: runner counted %d cases, %d/%d caught, %d/%d false, %d low; recount %d cases, %d/%d, %d/%d, %d",
				s.name, s.rep.Cases, s.rep.Escalate.Caught, s.rep.Escalate.Total, s.rep.NoEscalate.FalseEscalations,
				s.rep.NoEscalate.Total, s.rep.LevelTooLow, len(s.cases), tp, pos, fp, neg, low)
		}
	}
}

// BenchmarkSafetySuite is `nightfloat eval safety` over the whole built-in suite on one
// core: loading the cases, compiling the rules, and classifying every case. It reports
// the whole run in milliseconds (docs/evals.md).
func BenchmarkSafetySuite(b *testing.B) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var total float64
	n := 0
	for b.Loop() {
		_, stdout, stderr := runCmd(b, func() (Assessor, error) { return safety.New() }, "--format", "json")
		var r SafetyReport
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			b.Fatalf("report: %v\nstderr: %s", err, stderr)
		}
		total += r.TotalMS
		n++
	}
	b.ReportMetric(total/float64(n), "run-ms")
}

func holdoutMS(r *SafetyReport) float64 {
	if r.Holdout == nil {
		return 0
	}
	return r.Holdout.DurationMS
}

// suiteSplits splits the built-in suite the way the command does.
func suiteSplits(t *testing.T) (main, holdout []Case) {
	t.Helper()
	all, err := LoadCases(Suite, "cases")
	if err != nil {
		t.Fatalf("loading suite: %v", err)
	}
	for _, c := range all {
		if c.IsHoldout() {
			holdout = append(holdout, c)
		} else {
			main = append(main, c)
		}
	}
	return main, holdout
}
