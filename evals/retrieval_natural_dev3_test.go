package evals

import "testing"

// naturalDev3MinRecall5 guards the third development file of natural messages
// (evals/retrieval/natural-dev3.jsonl, written from the documents' titles, roles and
// topics alone and never trained on) against a collapse; the gate is on the holdout.
const naturalDev3MinRecall5 = 0.85

// TestRetrievalNaturalDev3 reports the figures on the third natural-message development
// file, where the router's off-topic class and its threshold were chosen.
func TestRetrievalNaturalDev3(t *testing.T) {
	rep, text := runRetrievalFile(t, "retrieval/natural-dev3.jsonl")
	t.Log("\n" + text)
	if rep.RecallAt5 < naturalDev3MinRecall5 {
		t.Errorf("natural dev3 recall@5 %.3f, want >= %.2f", rep.RecallAt5, naturalDev3MinRecall5)
	}
}
