package evals

import "testing"

// naturalDev2MinRecall5 guards the second development file of natural messages
// (evals/retrieval/natural-dev2.jsonl, written from the documents' titles alone and
// never trained on) against a collapse; the gate is on the holdout.
const naturalDev2MinRecall5 = 0.85

// TestRetrievalNaturalDev2 reports the figures on the second natural-message development
// file, the one retrieval's search options are chosen on.
func TestRetrievalNaturalDev2(t *testing.T) {
	rep, text := runRetrievalFile(t, "retrieval/natural-dev2.jsonl")
	t.Log("\n" + text)
	if rep.RecallAt5 < naturalDev2MinRecall5 {
		t.Errorf("natural dev2 recall@5 %.3f, want >= %.2f", rep.RecallAt5, naturalDev2MinRecall5)
	}
}
