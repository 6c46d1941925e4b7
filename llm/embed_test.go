package llm

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeEmbeddings is an httptest server speaking the OpenAI embeddings protocol. Each
// vector encodes its input's length and position, so order can be checked.
type fakeEmbeddings struct {
	mu       sync.Mutex
	requests []embedRequest
	paths    []string
	auth     []string
	dims     int  // length of returned vectors
	status   int  // non-zero: fail with this status
	shuffle  bool // return data in reverse order (indexes still correct)
	drop     bool // return one vector fewer than asked
}

type embedRequest struct {
	Input      []string `json:"input"`
	Model      string   `json:"model"`
	Dimensions int      `json:"dimensions"`
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req embedRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.paths = append(f.paths, r.URL.RequestURI())
	f.auth = append(f.auth, r.Header.Get("Authorization")+r.Header.Get("api-key"))
	f.mu.Unlock()
	if f.status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(`{"error":{"message":"model overloaded","type":"server_error"}}`))
		return
	}
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	var data []datum
	for i, in := range req.Input {
		v := make([]float32, f.dims)
		v[0] = float32(len(in))
		v[1] = float32(i)
		data = append(data, datum{"embedding", i, v})
	}
	if f.shuffle {
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	}
	if f.drop && len(data) > 0 {
		data = data[:len(data)-1]
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1},
	})
}

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
			fake := &fakeEmbeddings{dims: 8}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			base := srv.URL + "/v1"
			if tt.apiType == "azure" {
				base = srv.URL
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
			if fake.paths[0] != tt.wantPath {
				t.Errorf("path = %q, want %q", fake.paths[0], tt.wantPath)
			}
			if fake.auth[0] != tt.wantAuth {
				t.Errorf("auth = %q, want %q", fake.auth[0], tt.wantAuth)
			}
			if fake.requests[0].Model != tt.model {
				t.Errorf("model = %q, want %q", fake.requests[0].Model, tt.model)
			}
			if fake.requests[0].Dimensions != tt.wantDims {
				t.Errorf("dimensions sent = %d, want %d", fake.requests[0].Dimensions, tt.wantDims)
			}
			wantReqs := (len(texts) + maxEmbedBatch - 1) / maxEmbedBatch
			if len(fake.requests) != wantReqs {
				t.Errorf("%d requests, want %d", len(fake.requests), wantReqs)
			}
			if e.ID() != "openai:"+tt.model+":8" || e.Dimensions() != 8 {
				t.Errorf("ID %q dims %d", e.ID(), e.Dimensions())
			}
		})
	}
}

func TestEmbedderOrdersByIndex(t *testing.T) {
	fake := &fakeEmbeddings{dims: 4, shuffle: true}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	e, err := NewEmbedder(Config{BaseURL: srv.URL + "/v1"}, EmbedderOptions{Model: "m", Dimensions: 4})
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
		fake    *fakeEmbeddings
		dims    int
		wantErr string
	}{
		{"server error", &fakeEmbeddings{dims: 4, status: http.StatusInternalServerError}, 4, "model overloaded"},
		{"wrong vector size", &fakeEmbeddings{dims: 3}, 4, "3 dimensions, configured for 4"},
		{"missing vectors", &fakeEmbeddings{dims: 4, drop: true}, 4, "asked for 2 vectors, got 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.fake)
			defer srv.Close()
			e, err := NewEmbedder(Config{BaseURL: srv.URL + "/v1"}, EmbedderOptions{Model: "m", Dimensions: tt.dims})
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
