package evals

import "testing"

// retrievalFloors guard the retrieval eval's files other than the gates (queries.jsonl and
// the natural holdout) against a collapse: each reports its figures and fails only when
// recall@5 falls below its floor.
var retrievalFloors = []struct {
	file       string
	minRecall5 float64
	what       string
}{
	{"retrieval/holdout.jsonl", 0.75, "written from document titles alone before any retrieval tuning; now trained on by the router"},
	{"retrieval/natural-dev.jsonl", 0.70, "a colleague's first natural messages; now trained on by the router"},
	{"retrieval/natural-dev2.jsonl", 0.85, "where the search options are chosen; never trained on"},
	{"retrieval/natural-dev3.jsonl", 0.85, "where the router's off-topic class was chosen; never trained on"},
}

// TestRetrievalFloors runs every file of retrievalFloors.
func TestRetrievalFloors(t *testing.T) {
	for _, f := range retrievalFloors {
		t.Run(f.file, func(t *testing.T) {
			rep, text := runRetrievalFile(t, f.file)
			t.Logf("%s (%s)\n%s", f.file, f.what, text)
			if rep.RecallAt5 < f.minRecall5 {
				t.Errorf("%s: recall@5 %.3f, want >= %.2f", f.file, rep.RecallAt5, f.minRecall5)
			}
		})
	}
}
