package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedModelIsCurrent fails when the committed learned model was not
// trained on the current corpus, cases and training settings (their checksum
// is recorded in the model). The corpus lives beside the repository
// (../shared/training); without it the test fails under CI and is skipped
// elsewhere.
func TestCommittedModelIsCurrent(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	corpus := filepath.Join(root, "..", "shared", "training")
	if _, err := os.Stat(corpus); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the training corpus is missing: %v", err)
		}
		t.Skipf("no training corpus at %s", corpus)
	}
	if err := CheckModel(corpus, "all"); err != nil {
		t.Fatal(err)
	}
}
