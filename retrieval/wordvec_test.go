package retrieval

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestWordVectorsCurrent checks that the committed weights were trained by this trainer
// with DefaultTrainOptions and, where the training corpus is present
// (NIGHTFLOAT_TRAINING_DIR, or ../shared/training beside the repository), from that
// corpus. Training is deterministic (TestTrainWordVectorsDeterministic), so the same
// trainer, options and corpus give the same bytes; retrain with
// go run ./retrieval/internal/trainvec.
func TestWordVectorsCurrent(t *testing.T) {
	wv, err := LoadWordVectors(wordVecData)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := wv.manifest.Trainer, TrainerHash(); got != want {
		t.Errorf("weights trained by trainer %s, the trainer is now %s: retrain (go run ./retrieval/internal/trainvec)", got, want)
	}
	if got, want := wv.manifest.Options, DefaultTrainOptions; got != want {
		t.Errorf("weights trained with %+v, DefaultTrainOptions are %+v: retrain", got, want)
	}
	if wv.manifest.Words < 1000 || wv.Dims() != DefaultTrainOptions.Dims {
		t.Errorf("weights hold %d words of %d dimensions", wv.manifest.Words, wv.Dims())
	}
	dir := os.Getenv("NIGHTFLOAT_TRAINING_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "training")
	}
	if _, err := os.Stat(filepath.Join(dir, TrainingFiles[0])); err != nil {
		t.Logf("training corpus not at %s: its digest is not compared (trainer and options are)", dir)
		return
	}
	_, digest, err := ReadTrainingCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	if digest != wv.manifest.Corpus {
		t.Errorf("weights trained on corpus %s, the corpus at %s is %s: retrain", wv.manifest.Corpus, dir, digest)
	}
}

func TestTrainWordVectorsDeterministic(t *testing.T) {
	var texts []string
	topics := []string{"sleep nap tired night shift bed wake", "exam boards study fail score test", "drink alcohol beer wine booze drunk", "attending yelled shouted belittled rounds team"}
	for i := 0; i < 400; i++ {
		texts = append(texts, fmt.Sprintf("%s %s %s", topics[i%4], topics[(i/4)%4], topics[i%4]))
	}
	opts := TrainOptions{Dims: 4, Vocab: 100, Contexts: 50, MinCount: 2, Window: 3, Smoothing: 0.75, Oversample: 4, PowerIters: 2, EigenPower: 0.5, Seed: 1}
	a, err := TrainWordVectors(texts, opts, "test")
	if err != nil {
		t.Fatal(err)
	}
	b, err := TrainWordVectors(texts, opts, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two trainings on the same texts gave different weights")
	}
	wv, err := LoadWordVectors(a)
	if err != nil {
		t.Fatal(err)
	}
	if wv.Vector(stem("booze")) == nil {
		t.Fatal("no vector for a frequent word")
	}
}

func TestLoadWordVectorsRejectsDamage(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"no manifest", []byte(wordVecMagic)},
		{"truncated", wordVecData[:len(wordVecData)-10]},
		{"trailing bytes", append(append([]byte{}, wordVecData...), 1, 2, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := LoadWordVectors(tt.data); err == nil {
				t.Error("damaged weights loaded without an error")
			}
		})
	}
}

// TestLocalEmbedderMeaning: the word-vector part brings together texts that share a
// meaning but no word, which feature hashing alone scores as unrelated.
func TestLocalEmbedderMeaning(t *testing.T) {
	sem, err := NewLocalEmbedder(0)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := NewHashingEmbedder(0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ query, near, far string }{
		{"been hitting the booze every night", "worried about your alcohol use", "becoming a parent in training"},
		{"my boss keeps criticising me", "a supervisor who belittles you", "paying off student loans"},
		{"i flunked my midterm", "failing an exam", "a patient grabbed a nurse"},
		{"so lonely since the move", "isolated without friends nearby", "rules on duty hours"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			near, far := cosine(t, sem, tt.query, tt.near), cosine(t, sem, tt.query, tt.far)
			hNear, hFar := cosine(t, hash, tt.query, tt.near), cosine(t, hash, tt.query, tt.far)
			t.Logf("local %.3f vs %.3f; hashing alone %.3f vs %.3f", near, far, hNear, hFar)
			if near-far < 0.05 {
				t.Errorf("local: %q is %.3f from %q and %.3f from %q: want the first clearly higher", tt.query, near, tt.near, far, tt.far)
			}
			if near-far <= hNear-hFar {
				t.Errorf("word vectors add nothing: margin %.3f, hashing alone %.3f", near-far, hNear-hFar)
			}
		})
	}
}

func cosine(t *testing.T, e Embedder, a, b string) float64 {
	t.Helper()
	vs, err := e.Embed(context.Background(), []string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	var dot, na, nb float64
	for i := range vs[0] {
		dot += float64(vs[0][i]) * float64(vs[1][i])
		na += float64(vs[0][i]) * float64(vs[0][i])
		nb += float64(vs[1][i]) * float64(vs[1][i])
	}
	return dot / math.Sqrt(na*nb)
}
