package llmtest

import (
	"encoding/json"
	"net/http"
)

// Embeddings is how the server answers embedding requests.
type Embeddings struct {
	Dims int // the length of the default vectors
	// Vector embeds input i of a request; nil gives a Dims-long vector holding the
	// input's length and then i, so that order and size can be checked.
	Vector func(i int, input string) []float32

	Status  int    // non-zero: answer with this HTTP status and Body
	Body    string // the error body sent with Status
	Reverse bool   // list the vectors in reverse order (their indexes stay right)
	Drop    bool   // return one vector fewer than asked for
}

// serves reports whether e is configured at all.
func (e Embeddings) serves() bool { return e.Dims > 0 || e.Vector != nil || e.Status != 0 }

func (e Embeddings) answer(w http.ResponseWriter, req Request) {
	if e.Status != 0 {
		writeError(w, e.Status, "", e.Body)
		return
	}
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]datum, 0, len(req.Input))
	for i, in := range req.Input {
		data = append(data, datum{"embedding", i, e.vector(i, in)})
	}
	if e.Reverse {
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	}
	if e.Drop && len(data) > 0 {
		data = data[:len(data)-1]
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1},
	})
}

func (e Embeddings) vector(i int, input string) []float32 {
	if e.Vector != nil {
		return e.Vector(i, input)
	}
	v := make([]float32, e.Dims)
	if len(v) > 0 {
		v[0] = float32(len(input))
	}
	if len(v) > 1 {
		v[1] = float32(i)
	}
	return v
}
