package retrieval

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// routerData is the committed router weights (see retrieval/internal/trainrouter).
//
//go:embed router.bin
var routerData []byte

const routerMagic = "nightfloat-router\n"

// Router says which documents a message is about, by a linear classifier over the
// message's words, word pairs and character n-grams, trained on labelled messages and on
// the documents' own titles, phrasings and paragraphs. Besides one class per document it
// has a class for messages about none of them (RouterNone), learned from off-topic
// messages. Search fuses its ranking with the lexical and vector rankings. A document the
// router was not trained on (an institution's own) simply has no router rank. It is safe
// for concurrent use.
type Router struct {
	manifest RouterManifest
	docs     []string
	known    map[string]bool // docs, less RouterNone
	bias     []float32
	scale    []float32
	rows     map[uint32][]int8 // feature -> one weight per document
}

// RouterManifest is the first line of a router file: how and from what it was trained.
type RouterManifest struct {
	Format  int           `json:"format"`
	Trainer string        `json:"trainer"` // RouterTrainerHash of the code that trained it
	Inputs  string        `json:"inputs"`  // RouterInputsDigest of the training examples
	Options RouterOptions `json:"options"`
	Docs    int           `json:"docs"`
	Rows    int           `json:"rows"`
}

// DocScore is a document with the router's probability that a message is about it.
type DocScore struct {
	DocID string
	Prob  float64
}

// RouterNone is the router's class for messages about no document: it is trained like a
// document id, from off-topic messages, and is never a document (ids have no "~").
const RouterNone = "~none"

// Routing is what the router makes of a message.
type Routing struct {
	// Docs are every document the router knows, most likely first.
	Docs []DocScore
	// None is the probability that the message is about no document; with the
	// documents' probabilities it sums to one. It is 0 for a router trained without
	// off-topic messages.
	None float64
}

// DefaultRouter parses the committed router.
func DefaultRouter() (*Router, error) { return LoadRouter(routerData) }

// LoadRouter parses a router file written by TrainRouter.
func LoadRouter(data []byte) (*Router, error) {
	rest, ok := bytes.CutPrefix(data, []byte(routerMagic))
	if !ok {
		return nil, fmt.Errorf("retrieval: router: not a router file")
	}
	line, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("retrieval: router: no manifest")
	}
	r := &Router{rows: map[uint32][]int8{}, known: map[string]bool{}}
	if err := json.Unmarshal(line, &r.manifest); err != nil {
		return nil, fmt.Errorf("retrieval: router: manifest: %w", err)
	}
	m := r.manifest
	if m.Format != 1 || m.Docs < 1 || m.Options.Bits < 8 || m.Options.Bits > 24 {
		return nil, fmt.Errorf("retrieval: router: format %d with %d documents and %d bits: want format 1", m.Format, m.Docs, m.Options.Bits)
	}
	for i := 0; i < m.Docs; i++ {
		if len(rest) < 1 || len(rest) < 1+int(rest[0])+8 {
			return nil, fmt.Errorf("retrieval: router: truncated at document %d", i)
		}
		n := int(rest[0])
		r.docs = append(r.docs, string(rest[1:1+n]))
		if id := r.docs[i]; id != RouterNone {
			r.known[id] = true
		}
		r.bias = append(r.bias, math.Float32frombits(binary.LittleEndian.Uint32(rest[1+n:])))
		r.scale = append(r.scale, math.Float32frombits(binary.LittleEndian.Uint32(rest[1+n+4:])))
		rest = rest[1+n+8:]
	}
	for i := 0; i < m.Rows; i++ {
		if len(rest) < 4+m.Docs {
			return nil, fmt.Errorf("retrieval: router: truncated at row %d", i)
		}
		f := binary.LittleEndian.Uint32(rest)
		w := make([]int8, m.Docs)
		for d := range w {
			w[d] = int8(rest[4+d])
		}
		r.rows[f] = w
		rest = rest[4+m.Docs:]
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("retrieval: router: %d bytes after the last row", len(rest))
	}
	return r, nil
}

// Knows reports whether the router was trained on document docID.
func (r *Router) Knows(docID string) bool { return r.known[docID] }

// Manifest says how the router was trained.
func (r *Router) Manifest() RouterManifest { return r.manifest }

// Rank returns every document the router knows, most likely first, with probabilities
// that sum to one less the probability of no document (Route).
func (r *Router) Rank(text string) []DocScore { return r.Route(text).Docs }

// Route returns the router's probabilities for every document it knows and for none.
func (r *Router) Route(text string) Routing {
	idx, val := routeFeatures(text, r.manifest.Options)
	z := make([]float64, len(r.docs))
	for k, f := range idx {
		w, ok := r.rows[f]
		if !ok {
			continue
		}
		v := float64(val[k])
		for d, x := range w {
			z[d] += v * float64(x)
		}
	}
	for d := range z {
		z[d] = z[d]*float64(r.scale[d]) + float64(r.bias[d])
	}
	p := softmax(z)
	var out Routing
	out.Docs = make([]DocScore, 0, len(r.docs))
	for d, id := range r.docs {
		if id == RouterNone {
			out.None = p[d]
			continue
		}
		out.Docs = append(out.Docs, DocScore{DocID: id, Prob: p[d]})
	}
	sort.SliceStable(out.Docs, func(i, j int) bool {
		if out.Docs[i].Prob != out.Docs[j].Prob {
			return out.Docs[i].Prob > out.Docs[j].Prob
		}
		return out.Docs[i].DocID < out.Docs[j].DocID
	})
	return out
}

func softmax(z []float64) []float64 {
	m := math.Inf(-1)
	for _, x := range z {
		m = max(m, x)
	}
	p := make([]float64, len(z))
	var sum float64
	for i, x := range z {
		p[i] = math.Exp(x - m)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// routeFeatures turns text into sparse features: hashed stems, stem pairs and character
// n-grams of every word, stop words included (they carry how people ask: "how do u guys
// even eat"), at unit length. Features are sorted by index, so sums run in one order.
func routeFeatures(text string, o RouterOptions) ([]uint32, []float32) {
	var words []string
	for _, tok := range normalizeTokens(text) {
		words = append(words, stem(tok))
	}
	mask := uint32(1)<<o.Bits - 1
	counts := map[uint32]float64{}
	weights := map[uint32]float64{}
	add := func(feature string, w float64) {
		f := fnv32a(feature) & mask
		counts[f]++
		weights[f] = max(weights[f], w)
	}
	for i, w := range words {
		add("w:"+w, 1)
		if i > 0 {
			add("b:"+words[i-1]+" "+w, 1)
		}
		grams := charNgrams(w)
		for _, g := range grams {
			// Spread a word's n-gram weight so long words do not drown short ones.
			add("c:"+g, o.NgramWeight/math.Sqrt(float64(len(grams))/4+1))
		}
	}
	idx := make([]uint32, 0, len(counts))
	for f := range counts {
		idx = append(idx, f)
	}
	sort.Slice(idx, func(i, j int) bool { return idx[i] < idx[j] })
	val := make([]float32, len(idx))
	var norm float64
	for _, f := range idx {
		x := weights[f] * (1 + math.Log(counts[f]))
		norm += x * x
	}
	norm = math.Sqrt(norm)
	for k, f := range idx {
		val[k] = float32(weights[f] * (1 + math.Log(counts[f])) / norm)
	}
	return idx, val
}

// fnv32a is FNV-1a over s, without the allocations of hash/fnv's interface.
func fnv32a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
