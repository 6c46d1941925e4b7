package main

import (
	"path/filepath"
	"strings"
	"testing"

	"nightfloat/evals"
	"nightfloat/retrieval"
)

const root = "../../.."

// TestCommittedRouterIsCurrent fails when retrieval/router.bin was not trained by this
// code, with DefaultRouterOptions, on the current documents and training messages:
// training is deterministic, so the recorded digest of its inputs must match.
func TestCommittedRouterIsCurrent(t *testing.T) {
	r, err := retrieval.DefaultRouter()
	if err != nil {
		t.Fatal(err)
	}
	examples, err := Examples(root, nil, retrieval.DefaultRouterOptions)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Manifest()
	if got := retrieval.RouterInputsDigest(examples); m.Inputs != got {
		t.Errorf("router trained on inputs %s, the documents and messages are now %s: retrain (go run ./retrieval/internal/trainrouter)", m.Inputs, got)
	}
	if m.Trainer != retrieval.RouterTrainerHash() || m.Options != retrieval.DefaultRouterOptions {
		t.Errorf("router trained by %s with %+v; the code is %s with %+v: retrain", m.Trainer, m.Options, retrieval.RouterTrainerHash(), retrieval.DefaultRouterOptions)
	}
}

// TestRouterNeverSawTheHoldout: the natural-message holdout measures the router, so no
// training text may be one of its messages.
func TestRouterNeverSawTheHoldout(t *testing.T) {
	for _, f := range TrainingQueryFiles {
		if strings.Contains(f, "natural-holdout") {
			t.Fatalf("%s is a training file", f)
		}
	}
	hold, err := evals.LoadRetrievalQueries(filepath.Join(root, "evals", "retrieval", "natural-holdout.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	examples, err := Examples(root, nil, retrieval.DefaultRouterOptions)
	if err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	seen := map[string]bool{}
	for _, e := range examples {
		seen[norm(e.Text)] = true
	}
	for _, q := range hold {
		if seen[norm(q.Query)] {
			t.Errorf("holdout message %s %q is a training text", q.ID, q.Query)
		}
	}
}
