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
	"math/rand/v2"
	"sort"
	"strings"
)

// RouterOptions are the router's feature and training parameters. They are recorded in
// the router file; DefaultRouterOptions is what the committed router was trained with.
type RouterOptions struct {
	Bits        uint    `json:"bits"`         // hashed features: 2^Bits buckets
	NgramWeight float64 `json:"ngram_weight"` // character n-grams against whole stems
	Epochs      int     `json:"epochs"`
	Rate        float64 `json:"rate"`        // SGD step
	L2          float64 `json:"l2"`          // weight decay per step on the touched weights
	DocWeight   float64 `json:"doc_weight"`  // weight of an example from a document's own text
	NoneWeight  float64 `json:"none_weight"` // weight of an off-topic message (RouterNone)
	Seed        uint64  `json:"seed"`        // shuffling seed
}

// DefaultRouterOptions are the parameters of the committed router.
var DefaultRouterOptions = RouterOptions{Bits: 16, NgramWeight: 0.5, Epochs: 15, Rate: 0.5, L2: 1e-6, DocWeight: 0.5, NoneWeight: 0.5, Seed: 20261207}

// RouteExample is one training text for the router: the documents it is about (a message
// about several is split between them) and its weight.
type RouteExample struct {
	Text   string
	Docs   []string
	Weight float64
}

//go:embed router_train.go
var routerTrainerSource []byte

//go:embed router.go
var routerSource []byte

// RouterTrainerHash identifies the training and feature code: the router file records it,
// so a change to either without retraining is caught by a test.
func RouterTrainerHash() string {
	sum := sha256.Sum256(append(append([]byte{}, routerTrainerSource...), routerSource...))
	return hex.EncodeToString(sum[:])[:16]
}

// DocumentExamples are the router's examples from the documents themselves: each title,
// search phrasing, section heading and paragraph, weighted by opts.DocWeight.
func DocumentExamples(docs []Document, opts RouterOptions) []RouteExample {
	var out []RouteExample
	for _, d := range docs {
		add := func(text string) {
			text = strings.TrimSpace(text)
			if text != "" {
				out = append(out, RouteExample{Text: text, Docs: []string{d.ID}, Weight: opts.DocWeight})
			}
		}
		add(d.Title)
		for _, p := range d.SearchPhrasings {
			add(p)
		}
		for _, para := range strings.Split(d.Body, "\n\n") {
			para = strings.TrimSpace(para)
			if strings.HasPrefix(para, ">") { // the sample-content notice, the same in every document
				continue
			}
			for _, line := range strings.Split(para, "\n") {
				if strings.HasPrefix(line, "#") {
					add(strings.TrimLeft(line, "# "))
				}
			}
			var body []string
			for _, line := range strings.Split(para, "\n") {
				if !strings.HasPrefix(line, "#") {
					body = append(body, line)
				}
			}
			add(strings.Join(body, " "))
		}
	}
	return out
}

// RouterInputsDigest names a set of training examples, in order.
func RouterInputsDigest(examples []RouteExample) string {
	h := sha256.New()
	for _, e := range examples {
		fmt.Fprintf(h, "%q %q %g\n", e.Text, e.Docs, e.Weight)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// TrainRouter fits the router (softmax regression by SGD) on examples and returns the
// router file. Training is deterministic: the same examples, options and seed give the
// same bytes. Arithmetic is written with explicit conversions so that no
// fused multiply-add changes the result between architectures.
func TrainRouter(examples []RouteExample, opts RouterOptions) ([]byte, error) {
	if len(examples) == 0 {
		return nil, fmt.Errorf("retrieval: train router: no examples")
	}
	docIndex := map[string]int{}
	var docs []string
	for _, e := range examples {
		for _, d := range e.Docs {
			if _, ok := docIndex[d]; !ok {
				docIndex[d] = -1
				docs = append(docs, d)
			}
		}
	}
	sort.Strings(docs)
	for i, d := range docs {
		docIndex[d] = i
	}
	D := len(docs)
	type encoded struct {
		idx    []uint32
		val    []float32
		target []float64
		weight float64
	}
	enc := make([]encoded, len(examples))
	for i, e := range examples {
		idx, val := routeFeatures(e.Text, opts)
		t := make([]float64, D)
		for _, d := range e.Docs {
			t[docIndex[d]] += 1 / float64(len(e.Docs))
		}
		enc[i] = encoded{idx, val, t, e.Weight}
	}
	w := map[uint32][]float64{}
	for _, e := range enc {
		for _, f := range e.idx {
			if w[f] == nil {
				w[f] = make([]float64, D)
			}
		}
	}
	bias := make([]float64, D)
	order := make([]int, len(enc))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	z := make([]float64, D)
	for ep := 0; ep < opts.Epochs; ep++ {
		rate := opts.Rate
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			e := enc[k]
			copy(z, bias)
			for n, f := range e.idx {
				row, v := w[f], float64(e.val[n])
				for d := range z {
					z[d] = float64(z[d] + float64(v*row[d]))
				}
			}
			p := softmax(z)
			for d := range p {
				p[d] = float64(float64(p[d]-e.target[d]) * e.weight)
				bias[d] = float64(bias[d] - float64(rate*p[d]))
			}
			for n, f := range e.idx {
				row, v := w[f], float64(e.val[n])
				for d := range row {
					g := float64(float64(p[d]*v) + float64(opts.L2*row[d]))
					row[d] = float64(row[d] - float64(rate*g))
				}
			}
		}
	}
	// Quantise: one scale per document over its weights.
	feats := make([]uint32, 0, len(w))
	for f := range w {
		feats = append(feats, f)
	}
	sort.Slice(feats, func(i, j int) bool { return feats[i] < feats[j] })
	scale := make([]float64, D)
	for _, f := range feats {
		for d, x := range w[f] {
			scale[d] = max(scale[d], math.Abs(x)/127)
		}
	}
	for d := range scale {
		if scale[d] == 0 {
			scale[d] = 1
		}
	}
	m := RouterManifest{Format: 1, Trainer: RouterTrainerHash(), Inputs: RouterInputsDigest(examples),
		Options: opts, Docs: D, Rows: len(feats)}
	line, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("retrieval: train router: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(routerMagic)
	buf.Write(line)
	buf.WriteByte('\n')
	var b4 [4]byte
	for d, id := range docs {
		if len(id) > 255 {
			return nil, fmt.Errorf("retrieval: train router: document id %q is too long", id)
		}
		buf.WriteByte(byte(len(id)))
		buf.WriteString(id)
		binary.LittleEndian.PutUint32(b4[:], math.Float32bits(float32(bias[d])))
		buf.Write(b4[:])
		binary.LittleEndian.PutUint32(b4[:], math.Float32bits(float32(scale[d])))
		buf.Write(b4[:])
	}
	for _, f := range feats {
		binary.LittleEndian.PutUint32(b4[:], f)
		buf.Write(b4[:])
		for d, x := range w[f] {
			buf.WriteByte(byte(int8(math.Round(x / scale[d]))))
		}
	}
	return buf.Bytes(), nil
}
