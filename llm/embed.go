package llm

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// maxEmbedBatch is the most inputs sent in one request (OpenAI accepts 2048; self-hosted
// servers are often happier with fewer).
const maxEmbedBatch = 256

// Embedder turns texts into vectors with an OpenAI-compatible /embeddings endpoint. It
// satisfies retrieval.Embedder.
type Embedder struct {
	client     *openai.Client
	model      string
	dimensions int
	sendDims   bool
	id         string
}

// EmbedderOptions names the model and the vector size it produces.
type EmbedderOptions struct {
	Model string
	// Dimensions is the length of every vector. It is required: the database index is built
	// for one fixed size, and every response is checked against it.
	Dimensions int
	// SendDimensions asks the server to shorten its vectors to Dimensions (OpenAI's
	// text-embedding-3 models support this; many self-hosted servers reject the field). When
	// unset it is sent only for models named text-embedding-3*.
	SendDimensions *bool
}

var modelPattern = regexp.MustCompile(`^[A-Za-z0-9._:/-]+$`)

// NewEmbedder checks the configuration and returns an embedder. It makes no request.
func NewEmbedder(cfg Config, opts EmbedderOptions) (*Embedder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Model == "" {
		return nil, errors.New("llm: embedder: no model named")
	}
	if !modelPattern.MatchString(opts.Model) {
		return nil, fmt.Errorf("llm: embedder: model %q: want letters, digits and . _ : / -", opts.Model)
	}
	if opts.Dimensions <= 0 || opts.Dimensions > 16000 {
		return nil, fmt.Errorf("llm: embedder: dimensions %d: want 1 to 16000", opts.Dimensions)
	}
	send := strings.HasPrefix(opts.Model, "text-embedding-3")
	if opts.SendDimensions != nil {
		send = *opts.SendDimensions
	}
	return &Embedder{
		client:     newClient(cfg),
		model:      opts.Model,
		dimensions: opts.Dimensions,
		sendDims:   send,
		id:         fmt.Sprintf("openai:%s:%d", opts.Model, opts.Dimensions),
	}, nil
}

// ID names the model and size, e.g. "openai:text-embedding-3-small:1536".
func (e *Embedder) ID() string { return e.id }

// Dimensions is the length of every vector Embed returns.
func (e *Embedder) Dimensions() int { return e.dimensions }

// Embed returns one vector per text, in order.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += maxEmbedBatch {
		batch := texts[start:min(start+maxEmbedBatch, len(texts))]
		vecs, err := e.embedBatch(ctx, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (e *Embedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	req := openai.EmbeddingRequestStrings{
		Input:          make([]string, len(texts)),
		Model:          openai.EmbeddingModel(e.model),
		EncodingFormat: openai.EmbeddingEncodingFormatFloat,
	}
	for i, t := range texts {
		// Empty input is rejected by the API; a single space embeds as "nothing".
		if strings.TrimSpace(t) == "" {
			t = " "
		}
		req.Input[i] = t
	}
	if e.sendDims {
		req.Dimensions = e.dimensions
	}
	resp, err := e.client.CreateEmbeddings(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("llm: embed with %s: %w", e.model, err)
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("llm: embed with %s: asked for %d vectors, got %d", e.model, len(texts), len(resp.Data))
	}
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, fmt.Errorf("llm: embed with %s: response has a bad or repeated index %d", e.model, d.Index)
		}
		if len(d.Embedding) != e.dimensions {
			return nil, fmt.Errorf("llm: embed with %s: got a vector of %d dimensions, configured for %d (set NIGHTFLOAT_EMBED_DIMENSIONS to the model's size)", e.model, len(d.Embedding), e.dimensions)
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}
