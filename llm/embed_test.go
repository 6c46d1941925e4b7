package llm

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"nightfloat/llm/llmtest"
)

func TestEmbedderSpeaksTheEmbeddingsProtocol(t *testing.T) {
	tests := []struct {
		name      string
		apiType   string
		model     string
		wantPath  string
		wantAuth  string
		wantDims  int
		batchSize int
	}{
		{"openai-compatible server", "", "text-embedding-3-small", "/v1/embeddings", "Bearer sk-test", 8, 3},
		{"self-hosted model gets no dimensions field", "openai", "nomic-embed-text", "/v1/embeddings", "Bearer sk-test", 0, 3},
		{"azure deployment", "azure", "my-embed-deployment", "/openai/deployments/my-embed-deployment/embeddings?api-version=2024-10-21", "sk-test", 0, 3},
		{"large input is batched", "", "text-embedding-3-small", "/v1/embeddings", "Bearer sk-test", 8, maxEmbedBatch + 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &llmtest.Server{Embeddings: llmtest.Embeddings{Dims: 8}}
			srv := fake.Start(t)
			base := srv + "/v1"
			if tt.apiType == "azure" {
				base = srv
			}
			e, err := NewEmbedder(Config{BaseURL: base, APIKey: "sk-test", APIType: tt.apiType}, EmbedderOptions{Model: tt.model, Dimensions: 8})
			if err != nil {
				t.Fatal(err)
			}
			texts := make([]string, tt.batchSize)
			for i := range texts {
				texts[i] = strings.Repeat("x", i)
			}
			vecs, err := e.Embed(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			if len(vecs) != len(texts) {
				t.Fatalf("got %d vectors for %d texts", len(vecs), len(texts))
			}
			for i, v := range vecs {
				if len(v) != 8 || int(v[0]) != max(len(texts[i]), 1) {
					t.Fatalf("vector %d = %v: out of order or wrong size", i, v)
				}
			}
			reqs := fake.Requests()
			if reqs[0].Path != tt.wantPath {
				t.Errorf("path = %q, want %q", reqs[0].Path, tt.wantPath)
			}
			if reqs[0].Auth != tt.wantAuth {
				t.Errorf("auth = %q, want %q", reqs[0].Auth, tt.wantAuth)
			}
			if reqs[0].Model != tt.model {
				t.Errorf("model = %q, want %q", reqs[0].Model, tt.model)
			}
			if reqs[0].Dimensions != tt.wantDims {
				t.Errorf("dimensions sent = %d, want %d", reqs[0].Dimensions, tt.wantDims)
			}
			wantReqs := (len(texts) + maxEmbedBatch - 1) / maxEmbedBatch
			if len(reqs) != wantReqs {
				t.Errorf("%d requests, want %d", len(reqs), wantReqs)
			}
			if e.ID() != "openai:"+tt.model+":8" || e.Dimensions() != 8 {
				t.Errorf("ID %q dims %d", e.ID(), e.Dimensions())
			}
		})
	}
}

func TestEmbedderOrdersByIndex(t *testing.T) {
	fake := &llmtest.Server{Embeddings: llmtest.Embeddings{Dims: 4, Reverse: true}}
	e, err := NewEmbedder(Config{BaseURL: fake.Start(t) + "/v1"}, EmbedderOptions{Model: "m", Dimensions: 4})
	if err != nil {
		t.Fatal(err)
	}
	vecs, err := e.Embed(context.Background(), []string{"a", "bb", "ccc"})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vecs {
		if int(v[0]) != i+1 {
			t.Fatalf("vector %d belongs to input of length %v", i, v[0])
		}
	}
}

func TestEmbedderFailures(t *testing.T) {
	tests := []struct {
		name    string
		fake    llmtest.Embeddings
		dims    int
		wantErr string
	}{
		{"server error", llmtest.Embeddings{Dims: 4, Status: http.StatusInternalServerError, Body: `{"error":{"message":"model overloaded","type":"server_error"}}`}, 4, "model overloaded"},
		{"wrong vector size", llmtest.Embeddings{Dims: 3}, 4, "3 dimensions, configured for 4"},
		{"missing vectors", llmtest.Embeddings{Dims: 4, Drop: true}, 4, "asked for 2 vectors, got 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := (&llmtest.Server{Embeddings: tt.fake}).Start(t)
			e, err := NewEmbedder(Config{BaseURL: srv + "/v1"}, EmbedderOptions{Model: "m", Dimensions: tt.dims})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Embed(context.Background(), []string{"a", "b"})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		opts    EmbedderOptions
		wantErr string
	}{
		{"unknown api type", Config{APIType: "bedrock", APIKey: "k"}, EmbedderOptions{Model: "m", Dimensions: 4}, "API type"},
		{"relative base url", Config{BaseURL: "localhost:11434"}, EmbedderOptions{Model: "m", Dimensions: 4}, "base URL"},
		{"azure without url", Config{APIType: "azure", APIKey: "k"}, EmbedderOptions{Model: "m", Dimensions: 4}, "needs a base URL"},
		{"openai without key", Config{}, EmbedderOptions{Model: "m", Dimensions: 4}, "needs an API key"},
		{"no model", Config{BaseURL: "http://x/v1"}, EmbedderOptions{Dimensions: 4}, "no model"},
		{"no dimensions", Config{BaseURL: "http://x/v1"}, EmbedderOptions{Model: "m"}, "dimensions 0"},
		{"odd model name", Config{BaseURL: "http://x/v1"}, EmbedderOptions{Model: "m'; drop", Dimensions: 4}, "model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEmbedder(tt.cfg, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}
