package main

import (
	"os"
	"path/filepath"
	"testing"

	"nightfloat/safety"
)

// TestStatLayer: `go run ./safety/internal/train -check` passes, that is,
// retraining from the labelled cases reproduces the committed model (the
// same training-data checksum, threshold and weights), so stale weights
// fail CI; and the model never learns from a split outside trainSplits,
// nor from the blind sets used to measure it (holdout20, holdout21).
func TestStatLayer(t *testing.T) {
	cs, err := trainingCases()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if s := c.Split(); !trainSplits[s] {
			t.Fatalf("case %s of split %s is in the training data", c.ID, s)
		}
		if s := c.Split(); s == "holdout20" || s == "holdout21" {
			t.Fatalf("case %s of the blind split %s is in the training data", c.ID, s)
		}
	}
	m, rep, err := Build(cs, defaultMaxFalse)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rep)
	cur, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(filepath.Join(root, "safety", filepath.FromSlash(safety.StatModelPath)))
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(old, cur); err != nil {
		t.Fatal(err)
	}
	// and what the package embeds is that file
	em, err := safety.EmbeddedStatModel()
	if err != nil {
		t.Fatal(err)
	}
	if em.DataSum() != m.DataSum() {
		t.Fatal("the embedded model's training-data checksum differs from a retrain")
	}
}
