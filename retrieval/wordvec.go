package retrieval

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// wordVecData is the committed word-vector weights (see retrieval/internal/trainvec).
//
//go:embed wordvec.bin
var wordVecData []byte

// WordVectors maps stems to unit-length vectors learned from everyday text, so that words
// used in similar contexts ("wasted" and "drunk", "boss" and "manager") are close.
type WordVectors struct {
	manifest wordVecManifest
	index    map[string]int
	words    []string
	vecs     [][]float32
	mean     []float64
}

// LoadWordVectors parses a weights file written by TrainWordVectors.
func LoadWordVectors(data []byte) (*WordVectors, error) {
	rest, ok := bytes.CutPrefix(data, []byte(wordVecMagic))
	if !ok {
		return nil, fmt.Errorf("retrieval: word vectors: not a weights file")
	}
	line, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("retrieval: word vectors: no manifest")
	}
	wv := &WordVectors{index: map[string]int{}}
	if err := json.Unmarshal(line, &wv.manifest); err != nil {
		return nil, fmt.Errorf("retrieval: word vectors: manifest: %w", err)
	}
	dims := wv.manifest.Options.Dims
	if wv.manifest.Format != 1 || dims < 1 {
		return nil, fmt.Errorf("retrieval: word vectors: format %d with %d dimensions: want format 1", wv.manifest.Format, dims)
	}
	for i := 0; i < wv.manifest.Words; i++ {
		if len(rest) < 1 || len(rest) < 1+int(rest[0])+4+dims {
			return nil, fmt.Errorf("retrieval: word vectors: truncated at word %d", i)
		}
		n := int(rest[0])
		w := string(rest[1 : 1+n])
		scale := math.Float32frombits(binary.LittleEndian.Uint32(rest[1+n:]))
		v := make([]float32, dims)
		for d := 0; d < dims; d++ {
			v[d] = float32(int8(rest[1+n+4+d])) * scale
		}
		rest = rest[1+n+4+dims:]
		wv.index[w] = len(wv.words)
		wv.words = append(wv.words, w)
		wv.vecs = append(wv.vecs, v)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("retrieval: word vectors: %d bytes after the last word", len(rest))
	}
	wv.mean = make([]float64, dims)
	for _, v := range wv.vecs {
		for d, x := range v {
			wv.mean[d] += float64(x) / float64(len(wv.vecs))
		}
	}

	return wv, nil
}

// Hash names the weights: a digest of the trainer, the corpus and the options.
func (wv *WordVectors) Hash() string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s %s %+v %d", wv.manifest.Trainer, wv.manifest.Corpus, wv.manifest.Options, wv.manifest.Words)))
	return hex.EncodeToString(sum[:])[:8]
}

// Mean is the mean of all word vectors: the direction every text shares, which a text's
// vector leaves out so that unrelated texts score near zero.
func (wv *WordVectors) Mean() []float64 { return wv.mean }

// Dims is the vector length.
func (wv *WordVectors) Dims() int { return wv.manifest.Options.Dims }

// Vector returns the vector of a stem, or nil when it has none.
func (wv *WordVectors) Vector(stem string) []float32 {
	if i, ok := wv.index[stem]; ok {
		return wv.vecs[i]
	}
	return nil
}

// Nearest returns the n stems closest to stem by cosine similarity, best first.
func (wv *WordVectors) Nearest(stem string, n int) []string {
	v := wv.Vector(stem)
	if v == nil {
		return nil
	}
	type sc struct {
		w string
		s float32
	}
	var all []sc
	for i, u := range wv.vecs {
		if wv.words[i] == stem {
			continue
		}
		var s float32
		for d := range u {
			s += u[d] * v[d]
		}
		all = append(all, sc{wv.words[i], s})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].s > all[j].s })
	out := make([]string, 0, n)
	for _, x := range all[:min(n, len(all))] {
		out = append(out, x.w)
	}
	return out
}
