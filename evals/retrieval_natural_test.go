package evals

import "testing"

// Gates on the natural-message holdout (evals/retrieval/natural-holdout.jsonl): messages
// written by a colleague from the documents' titles alone, without reading the documents,
// and never trained on (retrieval/internal/trainrouter). They hold the figures as
// measured, less two messages, so a change that makes retrieval worse on messages written
// apart from the content fails. Issue 16's target is recall@1 >= 0.80 and recall@5 >=
// 0.95; recall@5 is not met yet (docs/retrieval-eval.md).
const (
	naturalMinRecall1 = 0.86
	naturalMinRecall5 = 0.90
)

// TestRetrievalNaturalHoldout is the regression gate on messages written apart from the
// content: recall@1 and recall@5 over the lines that expect a document.
func TestRetrievalNaturalHoldout(t *testing.T) {
	rep, text := runRetrievalFile(t, "retrieval/natural-holdout.jsonl")
	t.Log("\n" + text)
	if rep.RecallAt1 < naturalMinRecall1 || rep.RecallAt5 < naturalMinRecall5 {
		t.Errorf("natural holdout below the gate: recall@1 %.3f (want >= %.2f), recall@5 %.3f (want >= %.2f)",
			rep.RecallAt1, naturalMinRecall1, rep.RecallAt5, naturalMinRecall5)
	}
}

// TestRetrievalSensitiveTop fails when a sensitive document (suicide loss, substance use,
// harassment, violence, urgent help) is the top result for a labelled message that does
// not expect it, on every retrieval eval file.
func TestRetrievalSensitiveTop(t *testing.T) {
	for _, f := range []string{"retrieval/queries.jsonl", "retrieval/holdout.jsonl", "retrieval/natural-dev.jsonl", "retrieval/natural-dev2.jsonl", "retrieval/natural-dev3.jsonl", "retrieval/natural-holdout.jsonl"} {
		t.Run(f, func(t *testing.T) {
			rep, _ := runRetrievalFile(t, f)
			for _, m := range rep.SensitiveTop {
				t.Errorf("%s [%s] %q: top result %s is sensitive and not expected (expect %v)", m.ID, m.Role, m.Query, m.Got[0], m.Expect)
			}
		})
	}
}
