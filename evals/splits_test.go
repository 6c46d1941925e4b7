package evals

import (
	"slices"
	"testing"
	"testing/fstest"
)

// TestSplitGates applies each split's gate from cases/splits.json: the main
// split is the release gate (every escalate case caught at its labelled
// level, at most 5% false escalations); the older held-apart splits fail only
// on a large regression.
func TestSplitGates(t *testing.T) {
	splits, all := splitsAndCases(t)
	for _, sp := range splits {
		if sp.Gate == nil {
			continue
		}
		t.Run(sp.Name, func(t *testing.T) {
			var cases []Case
			for _, c := range all {
				if c.Split() == sp.Name {
					cases = append(cases, c)
				}
			}
			if len(cases) == 0 {
				t.Fatalf("split %s is empty", sp.Name)
			}
			s := run(t, cases)
			t.Logf("%s: %d cases; recall %.4f (%d/%d); false escalation rate %.4f (%d/%d); level too low %d",
				sp.Name, len(cases), s.recall(), s.tp, s.pos, s.falseRate(), s.fp, s.neg, s.lowLevel)
			logResults(t, sp.Name+" false alarm", s.falseAlarms)
			if s.recall() < sp.Gate.MinRecall {
				logResults(t, "MISS", s.misses)
				t.Errorf("recall %.4f < %.2f", s.recall(), sp.Gate.MinRecall)
			}
			if s.falseRate() > sp.Gate.MaxFalseRate {
				t.Errorf("false escalation rate %.4f > %.2f", s.falseRate(), sp.Gate.MaxFalseRate)
			}
			if sp.Gate.LevelTooLow != nil && s.lowLevel > *sp.Gate.LevelTooLow {
				logResults(t, "LEVEL TOO LOW", s.low)
				t.Errorf("%d cases got a lower level than labelled (at most %d)", s.lowLevel, *sp.Gate.LevelTooLow)
			}
		})
	}
}

// TestSplitsCoverSuite keeps splits.json and the case folders in step.
func TestSplitsCoverSuite(t *testing.T) {
	splits, all := splitsAndCases(t)
	listed := map[string]bool{}
	for _, s := range splits {
		listed[s.Name] = true
	}
	found := map[string]bool{}
	for _, c := range all {
		found[c.Split()] = true
		if !listed[c.Split()] {
			t.Fatalf("%s: split %q is not in cases/splits.json", c.Where(), c.Split())
		}
	}
	for name := range listed {
		if !found[name] {
			t.Errorf("splits.json lists %q, which has no cases", name)
		}
	}
	if !listed["main"] {
		t.Error("splits.json has no main split")
	}
}

// TestTrainingCasesLeaveBlindSplitsOut checks that a blind split never reaches
// the training data, and that an unlisted split is an error rather than
// silently trained on.
func TestTrainingCasesLeaveBlindSplitsOut(t *testing.T) {
	line := func(id string) string {
		return `{"id":"` + id + `","text":"t","expect":"no_escalate","source":"s"}` + "\n"
	}
	fsys := fstest.MapFS{
		"c/splits.json":        {Data: []byte(`{"splits":[{"name":"main","use":"train"},{"name":"holdout9","use":"blind"}]}`)},
		"c/a.jsonl":            {Data: []byte(line("m1"))},
		"c/holdout9/b.jsonl":   {Data: []byte(line("b1"))},
		"bad/splits.json":      {Data: []byte(`{"splits":[{"name":"main","use":"train"}]}`)},
		"bad/a.jsonl":          {Data: []byte(line("m1"))},
		"bad/holdout3/c.jsonl": {Data: []byte(line("x1"))},
		"dup/splits.json":      {Data: []byte(`{"splits":[{"name":"main","use":"train"},{"name":"main","use":"blind"}]}`)},
		"odd/splits.json":      {Data: []byte(`{"splits":[{"name":"main","use":"sometimes"}]}`)},
	}
	cs, err := TrainingCases(fsys, "c")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{"m1"}) {
		t.Errorf("training cases %v, want only m1", ids)
	}
	for _, root := range []string{"bad", "dup", "odd"} {
		if _, err := TrainingCases(fsys, root); err == nil {
			t.Errorf("%s: no error", root)
		}
	}
}

// splitsAndCases loads the suite's splits.json and every case.
func splitsAndCases(t *testing.T) ([]SplitInfo, []Case) {
	t.Helper()
	splits, err := LoadSplits(Suite, "cases")
	if err != nil {
		t.Fatal(err)
	}
	all, err := LoadCases(Suite, "cases")
	if err != nil {
		t.Fatal(err)
	}
	return splits, all
}
