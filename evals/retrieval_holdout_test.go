package evals

import "testing"

// holdoutMinRecall5 is the floor for the held-out queries. They were written from document
// titles alone before any retrieval tuning, so they measure whether changes generalise; the
// release gate stays on queries.jsonl, and this test only catches a collapse.
const holdoutMinRecall5 = 0.75

// TestRetrievalHoldout reports the figures on evals/retrieval/holdout.jsonl and fails only
// if recall@5 falls below holdoutMinRecall5.
func TestRetrievalHoldout(t *testing.T) {
	rep, text := runRetrievalFile(t, "retrieval/holdout.jsonl")
	t.Log("\n" + text)
	if rep.RecallAt5 < holdoutMinRecall5 {
		t.Errorf("holdout recall@5 %.3f, want >= %.2f", rep.RecallAt5, holdoutMinRecall5)
	}
}
