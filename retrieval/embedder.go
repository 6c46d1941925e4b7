package retrieval

import (
	"context"
	"fmt"
	"regexp"
)

// Embedder turns texts into fixed-length vectors. ID names the model and its version: it
// is stored with every vector, so content embedded by one embedder is never searched with
// another.
type Embedder interface {
	ID() string
	Dimensions() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// maxDimensions is the largest vector pgvector's HNSW index accepts for the vector type.
const maxDimensions = 2000

// embedderIDPattern keeps embedder ids safe to place in SQL text and index names.
var embedderIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:/-]{1,200}$`)

func checkEmbedder(e Embedder) error {
	if e == nil {
		return fmt.Errorf("retrieval: no embedder")
	}
	if !embedderIDPattern.MatchString(e.ID()) {
		return fmt.Errorf("retrieval: embedder id %q: want letters, digits and . _ : / -", e.ID())
	}
	if d := e.Dimensions(); d < 1 || d > maxDimensions {
		return fmt.Errorf("retrieval: embedder %s has %d dimensions: pgvector's HNSW index takes 1 to %d", e.ID(), d, maxDimensions)
	}
	return nil
}

// embedChecked embeds texts and checks the embedder kept its promises.
func embedChecked(ctx context.Context, e Embedder, texts []string) ([][]float32, error) {
	vecs, err := e.Embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	if len(vecs) != len(texts) {
		return nil, fmt.Errorf("embedder %s returned %d vectors for %d texts", e.ID(), len(vecs), len(texts))
	}
	for i, v := range vecs {
		if len(v) != e.Dimensions() {
			return nil, fmt.Errorf("embedder %s returned a vector of %d dimensions, want %d", e.ID(), len(v), e.Dimensions())
		}
		_ = i
	}
	return vecs, nil
}
