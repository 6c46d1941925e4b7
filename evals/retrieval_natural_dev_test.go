package evals

import "testing"

// naturalDevMinRecall5 guards the development file of natural messages
// (evals/retrieval/natural-dev.jsonl) against a collapse; the gate is on the holdout.
const naturalDevMinRecall5 = 0.70

// TestRetrievalNaturalDev reports the figures on the natural-message development file.
func TestRetrievalNaturalDev(t *testing.T) {
	rep, text := runRetrievalFile(t, "retrieval/natural-dev.jsonl")
	t.Log("\n" + text)
	if rep.RecallAt5 < naturalDevMinRecall5 {
		t.Errorf("natural dev recall@5 %.3f, want >= %.2f", rep.RecallAt5, naturalDevMinRecall5)
	}
}
