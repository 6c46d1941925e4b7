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
// training text may be one of its messages. Examples leaves out training lines that repeat
// a development message, so for the development files this catches only the documents'
// own text; for the holdout, which Examples does not read, it catches any training line.
func TestRouterNeverSawTheHoldout(t *testing.T) {
	examples, err := Examples(root, nil, retrieval.DefaultRouterOptions)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range examples {
		seen[sameWords(e.Text)] = true
	}
	// The holdout measures the router; natural-dev2 and -dev3 are where search options
	// are chosen.
	for _, name := range []string{"natural-holdout.jsonl", "natural-dev2.jsonl", "natural-dev3.jsonl"} {
		for _, f := range TrainingQueryFiles {
			if strings.HasSuffix(f, name) {
				t.Fatalf("%s is a training file", f)
			}
		}
		qs, err := evals.LoadRetrievalQueries(filepath.Join(root, "evals", "retrieval", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if seen[sameWords(q.Query)] {
				t.Errorf("%s message %s %q is a training text", name, q.ID, q.Query)
			}
		}
	}
}
